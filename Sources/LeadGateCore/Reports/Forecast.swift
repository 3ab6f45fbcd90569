import Foundation

/// The `forecast:` settings of the config, checked.
public struct ForecastSettings: Sendable, Hashable {
    /// Where stage probabilities come from (`probability:`).
    public enum ProbabilitySource: String, Sendable, Hashable, CaseIterable {
        case configured, learned
    }

    /// `fiscal_year_start`: the month (1...12) the fiscal year starts in; 1 for calendar years.
    public let fiscalYearStartMonth: Int
    /// `commit_stages`: open stages whose opportunities count toward commit. None by default, so commit is won only.
    public let commitStages: Set<String>
    /// `probability`: `configured` (the stages' table) or `learned`.
    public let probability: ProbabilitySource
    /// `prior_weight`: how many outcomes the configured probability counts as when learning (see `StageProbabilities`).
    public let priorWeight: Double

    /// Checked settings; throws, naming each bad key, for a month outside 1...12, a negative or infinite
    /// prior weight, or `won`/`lost`/an empty name among the commit stages.
    public init(
        fiscalYearStartMonth: Int = 1, commitStages: [String] = [], probability: ProbabilitySource = .configured, priorWeight: Double = 10
    ) throws(CriteriaError) {
        var problems: [CriteriaProblem] = []
        if !(1...12).contains(fiscalYearStartMonth) {
            problems.append(CriteriaProblem("fiscal_year_start is a month 1...12, found \(fiscalYearStartMonth)", key: "fiscal_year_start"))
        }
        for (index, stage) in commitStages.enumerated() where stage.isEmpty || stage == StageTable.won || stage == StageTable.lost {
            problems.append(CriteriaProblem(
                "commit_stages lists open stages (won always counts, lost never does), found '\(stage)'", key: "commit_stages", index: index
            ))
        }
        if !(priorWeight >= 0 && priorWeight.isFinite) {
            problems.append(CriteriaProblem("prior_weight must be 0 or more, found \(priorWeight)", key: "prior_weight"))
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        self.fiscalYearStartMonth = fiscalYearStartMonth
        self.commitStages = Set(commitStages)
        self.probability = probability
        self.priorWeight = priorWeight
    }
}

/// What a forecast groups by: the whole organisation, or each owner, product, source or campaign.
public enum ForecastGrouping: String, Sendable, Hashable, CaseIterable, Codable {
    case org, owner, product, source, campaign

    /// The group of `lead`; nil for the organisation, and for a lead without an owner, product or campaign.
    func group(of lead: ReportLead) -> String? {
        switch self {
        case .org: nil
        case .owner: lead.owner
        case .product: lead.product
        case .source: lead.source
        case .campaign: lead.campaign
        }
    }
}

/// One bucket, group and currency of a forecast. Amounts of different currencies are never added together.
public struct ForecastRow: Sendable, Hashable, Encodable {
    /// The bucket's label (`2026-Q1`).
    public var period: String
    /// See `ForecastGrouping`: nil for the organisation, or for no owner, product or campaign.
    public var group: String?
    /// ISO 4217 code, or `ReportLead.unknownCurrency`.
    public var currency: String
    /// Open opportunities expected to close in the bucket.
    public var openCount = 0
    /// Σ amount of those open opportunities.
    public var openPipeline = 0.0
    /// Σ amount × win probability of those open opportunities.
    public var weightedPipeline = 0.0
    /// Won amount + Σ amount of the open opportunities in the commit stages.
    public var commit = 0.0
    /// Won amount + Σ amount of every open opportunity: everything that could still land.
    public var bestCase = 0.0
    /// Opportunities won in the bucket (by `closedAt`), and their Σ amount.
    public var wonCount = 0
    public var wonAmount = 0.0
    /// Opportunities lost in the bucket (by `closedAt`).
    public var lostCount = 0

    init(period: String, group: String?, currency: String) {
        self.period = period
        self.group = group
        self.currency = currency
    }

    enum CodingKeys: String, CodingKey {
        case period, group, currency, openCount = "open_count", openPipeline = "open_pipeline", weightedPipeline = "weighted_pipeline"
        case commit, bestCase = "best_case", wonCount = "won_count", wonAmount = "won_amount", lostCount = "lost_count"
    }
}

/// A forecast: its buckets in order (including empty ones, for a chart's axis) and its non-empty rows.
public struct ForecastReport: Sendable, Hashable, Encodable {
    public var buckets: [PeriodBucket]
    /// In bucket order, then by group (nil first), then by currency.
    public var rows: [ForecastRow]
}

/// Revenue forecast per period bucket, group and currency, in one pass over the opportunities.
///
/// Which bucket an opportunity counts in: an open one by its expected close day; without one (or an
/// unreadable one), by its creation day plus the product's cycle days (the day a new opportunity's expected
/// close is set to), else by its creation day. A won or lost one by its `closedAt` day; without one, as an
/// open one would be. Days are taken in the calendar's time zone. Only opportunities (status
/// `opportunity`) count, and never test leads. A bucket counts whole, even when `from` or `to` falls inside it.
public struct Forecast: Sendable {
    public let calendar: PeriodCalendar
    public let grouping: ForecastGrouping
    /// Weighs open opportunities by stage; an opportunity of an unknown product or stage keeps its own `probability`.
    public let probabilities: StageProbabilities
    /// Open stages whose amounts count toward commit (`ForecastSettings.commitStages`).
    public let commitStages: Set<String>
    /// Each product's `cycle_days`.
    public let cycleDays: [String: Int]

    /// A forecast over `calendar`'s buckets, grouped by `grouping`.
    public init(
        calendar: PeriodCalendar, grouping: ForecastGrouping, probabilities: StageProbabilities, commitStages: Set<String>,
        cycleDays: [String: Int]
    ) {
        self.calendar = calendar
        self.grouping = grouping
        self.probabilities = probabilities
        self.commitStages = commitStages
        self.cycleDays = cycleDays
    }

    /// The forecast of the buckets from the one containing `from` to the one containing `to` (`YYYY-MM-DD`,
    /// both included); nil when either is not such a day.
    public func report(_ leads: some Sequence<ReportLead>, from: String, to: String) -> ForecastReport? {
        guard let keys = calendar.keys(from: from, to: to) else { return nil }
        guard let first = keys.first, let last = keys.last else { return ForecastReport(buckets: [], rows: []) }
        let buckets = keys.map(calendar.bucket(for:))
        let labels = Dictionary(uniqueKeysWithValues: zip(keys, buckets.map(\.label)))
        var rows: [ForecastRowKey: ForecastRow] = [:]
        var hours = HourKeys(calendar: calendar)
        for lead in leads {
            guard lead.status == .opportunity, !lead.isTest, let opportunity = lead.opportunity else { continue }
            let closed = opportunity.stage == StageTable.won || opportunity.stage == StageTable.lost
            let closedKey = closed ? opportunity.closedAt.flatMap { hours.key(of: $0) } : nil
            guard let bucket = closedKey ?? expectedCloseKey(of: lead, opportunity, &hours), first <= bucket, bucket <= last else { continue }
            let key = ForecastRowKey(bucket: bucket, group: grouping.group(of: lead), currency: opportunity.currency ?? ReportLead.unknownCurrency)
            let probability = closed ? 0 : probabilities.probability(product: lead.product, stage: opportunity.stage) ?? opportunity.probability
            rows[key, default: ForecastRow(period: labels[bucket] ?? "", group: key.group, currency: key.currency)].add(
                stage: opportunity.stage, amount: opportunity.amount ?? 0, probability: probability,
                inCommit: commitStages.contains(opportunity.stage)
            )
        }
        let ordered = rows.sorted { lhs, rhs in
            if lhs.key.bucket != rhs.key.bucket { return lhs.key.bucket < rhs.key.bucket }
            if lhs.key.group != rhs.key.group { return groupPrecedes(lhs.key.group, rhs.key.group) }
            return lhs.key.currency < rhs.key.currency
        }
        return ForecastReport(buckets: buckets, rows: ordered.map(\.value))
    }

    private func expectedCloseKey(of lead: ReportLead, _ opportunity: Opportunity, _ hours: inout HourKeys) -> BucketKey? {
        if let day = opportunity.expectedClose, let key = calendar.key(ofDay: day) { return key }
        let cycle = lead.product.flatMap { cycleDays[$0] } ?? 0
        return hours.key(of: lead.createdAt.addingTimeInterval(Double(cycle) * 86_400))
    }
}

/// The bucket of a moment, remembered per UTC hour: a time zone's offset changes only on an hour boundary in
/// every zone that has transitions (the half- and quarter-hour zones shift by whole hours too), so every moment of
/// one UTC hour is in the same local day, and a report looks the zone up once an hour rather than once a lead.
private struct HourKeys {
    let calendar: PeriodCalendar
    var known: [Int64: BucketKey?] = [:]

    init(calendar: PeriodCalendar) {
        self.calendar = calendar
    }

    mutating func key(of date: Date) -> BucketKey? {
        let seconds = date.timeIntervalSince1970
        let hour = Int64((seconds / 3600).rounded(.down))
        if let key = known[hour] { return key }
        // Midnight of a half-hour zone falls inside a UTC hour: those moments are worked out one by one.
        let offset = calendar.timeZone.secondsFromGMT(for: date)
        guard offset % 3600 == 0 else { return calendar.key(of: date) }
        let key = calendar.key(of: date)
        known[hour] = key
        return key
    }
}

extension ForecastRow {
    fileprivate mutating func add(stage: String, amount: Double, probability: Double, inCommit: Bool) {
        switch stage {
        case StageTable.won:
            wonCount += 1
            wonAmount += amount
            commit += amount
            bestCase += amount
        case StageTable.lost:
            lostCount += 1
        default:
            openCount += 1
            openPipeline += amount
            weightedPipeline += amount * probability
            bestCase += amount
            if inCommit { commit += amount }
        }
    }
}

/// Report groups in order: nil (the organisation, or no owner...) first, then by text.
func groupPrecedes(_ lhs: String?, _ rhs: String?) -> Bool {
    switch (lhs, rhs) {
    case let (lhs?, rhs?): lhs < rhs
    case (nil, _?): true
    default: false
    }
}

private struct ForecastRowKey: Hashable {
    var bucket: BucketKey
    var group: String?
    var currency: String
}
