import Foundation
import LeadGateCore
import LeadGateStore
import Synchronization

/// The outcomes learned probabilities are computed from, kept for a while: reading them walks every closed
/// opportunity's history (about half a second at a million leads), and they change only as deals close.
public final class LearnedOutcomes: Sendable {
    private let cached = Mutex<(at: Date, observations: [StageObservation])?>(nil)
    /// How long a reading is used before the store is read again.
    let lifetime: TimeInterval

    public init(lifetime: TimeInterval = 300) {
        self.lifetime = lifetime
    }

    func observations(at moment: Date, reading: () async throws -> [StageObservation]) async throws -> [StageObservation] {
        if let cached = cached.withLock({ $0 }), moment.timeIntervalSince(cached.at) < lifetime, moment >= cached.at {
            return cached.observations
        }
        let observations = try await reading()
        cached.withLock { $0 = (moment, observations) }
        return observations
    }
}

/// The forecast, funnel and accuracy reports as the API, the CLI and the dashboard ask for them: reads what the
/// store keeps, and runs LeadGateCore's maths with the config's products, fiscal year and time zone.
public struct ReportService: Sendable {
    let store: any LeadStore
    let config: GatewayConfig
    let now: @Sendable () -> Date
    let outcomes: LearnedOutcomes

    public init(store: any LeadStore, config: GatewayConfig, now: @escaping @Sendable () -> Date, outcomes: LearnedOutcomes = LearnedOutcomes()) {
        self.store = store
        self.config = config
        self.now = now
        self.outcomes = outcomes
    }

    var timeZone: TimeZone { config.server.timeZone }
    var settings: ForecastSettings { config.forecast }

    func calendar(_ period: ReportPeriod) -> PeriodCalendar {
        PeriodCalendar(period: period, fiscalYearStartMonth: settings.fiscalYearStartMonth, timeZone: timeZone)
    }

    /// Each product's stage table.
    var stageTables: [String: StageTable] {
        Dictionary((config.catalog?.products ?? []).map { ($0.name, $0.stages) }, uniquingKeysWith: { first, _ in first })
    }

    var cycleDays: [String: Int] {
        Dictionary(
            (config.catalog?.products ?? []).compactMap { product in product.deal.cycleDays.map { (product.name, $0) } },
            uniquingKeysWith: { first, _ in first })
    }

    /// The fiscal (or calendar) year around today: the default range of a forecast.
    var currentYear: PeriodBucket? { calendar(.year).bucket(containing: now()) }

    // MARK: - Forecast

    /// What `GET /api/forecast` and `leadgate forecast` take.
    public struct ForecastQuery: Sendable {
        public var period: ReportPeriod = .quarter
        public var grouping: ForecastGrouping = .org
        public var from: String?
        public var to: String?
        /// `YYYY-MM-DD`: the forecast as it stood at the end of that day.
        public var asOf: String?

        public init(period: ReportPeriod = .quarter, grouping: ForecastGrouping = .org, from: String? = nil, to: String? = nil, asOf: String? = nil) {
            self.period = period
            self.grouping = grouping
            self.from = from
            self.to = to
            self.asOf = asOf
        }
    }

    /// A forecast with the question it answers.
    public struct ForecastAnswer: Sendable, Encodable {
        public var period: ReportPeriod
        public var by: ForecastGrouping
        public var from: String
        public var to: String
        public var asOf: String?
        /// `configured` or `learned`: where the stage probabilities came from.
        public var probability: String
        public var fiscalYearStart: Int
        public var timeZone: String
        public var report: ForecastReport

        enum CodingKeys: String, CodingKey {
            case period, by, from, to, asOf = "as_of", probability, fiscalYearStart = "fiscal_year_start", timeZone = "time_zone"
            case buckets, rows
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            try container.encode(by, forKey: .by)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encodeIfPresent(asOf, forKey: .asOf)
            try container.encode(probability, forKey: .probability)
            try container.encode(fiscalYearStart, forKey: .fiscalYearStart)
            try container.encode(timeZone, forKey: .timeZone)
            try container.encode(report.buckets, forKey: .buckets)
            try container.encode(report.rows, forKey: .rows)
        }
    }

    /// The forecast `query` asks for; throws `APIError` (400) naming the parameter that is wrong.
    public func forecast(_ query: ForecastQuery) async throws -> ForecastAnswer {
        let year = currentYear
        let from = query.from ?? year?.start ?? CalendarDay.string(now(), in: timeZone)
        let to = query.to ?? year?.end ?? from
        for (name, day) in [("from", from), ("to", to)] where !CalendarDay.isValid(day) {
            throw APIError(.badRequest, code: "invalid_parameter", message: "\(name) must be a day YYYY-MM-DD, found '\(day)'")
        }
        guard from <= to else {
            throw APIError(.badRequest, code: "invalid_parameter", message: "from (\(from)) is after to (\(to))")
        }
        let leads: [ReportLead]
        var probabilities = StageProbabilities(configured: stageTables)
        var source = ForecastSettings.ProbabilitySource.configured
        if let asOf = query.asOf {
            guard let day = AsOfDay(day: asOf, timeZone: timeZone) else {
                throw APIError(.badRequest, code: "invalid_parameter", message: "as_of must be a day YYYY-MM-DD, found '\(asOf)'")
            }
            // As of a past day the configured probabilities weigh: outcomes learned since would leak the future in.
            leads = try await store.forecastLeadsAsOf(cutoff: day.cutoff).compactMap { day.state(of: $0.lead, changes: $0.changes) }
        } else {
            // The store reads by day; the report counts whole buckets, so ask for the buckets' days.
            let buckets = calendar(query.period).buckets(from: from, to: to) ?? []
            leads = try await store.forecastLeads(fromDay: buckets.first?.start ?? from, toDay: buckets.last?.end ?? to)
            if settings.probability == .learned {
                let observations = try await outcomes.observations(at: now()) { try await store.stageObservations() }
                probabilities = StageProbabilities(configured: stageTables, learnedFrom: observations, priorWeight: settings.priorWeight)
                source = .learned
            }
        }
        let forecast = Forecast(
            calendar: calendar(query.period), grouping: query.grouping, probabilities: probabilities,
            commitStages: settings.commitStages, cycleDays: cycleDays)
        guard let report = forecast.report(leads, from: from, to: to) else {
            throw APIError(.badRequest, code: "invalid_parameter", message: "from and to must be days YYYY-MM-DD")
        }
        return ForecastAnswer(
            period: query.period, by: query.grouping, from: from, to: to, asOf: query.asOf, probability: source.rawValue,
            fiscalYearStart: settings.fiscalYearStartMonth, timeZone: timeZone.identifier, report: report)
    }

    // MARK: - Snapshots and accuracy

    /// Stores the forecast of the current `period` bucket as it stood when the bucket began (rebuilt as of the day
    /// before its first day), by org and by owner; returns the snapshots stored. Taken automatically at the start of
    /// each quarter, half and year (`ForecastSnapshotter`) and on demand (`POST /api/forecast/snapshots`).
    @discardableResult
    public func takeSnapshot(period: ReportPeriod = .quarter, at moment: Date? = nil) async throws -> [ForecastSnapshot] {
        let calendar = calendar(period)
        guard let bucket = calendar.bucket(containing: moment ?? now()),
              let eve = AsOfDay(day: bucket.start, timeZone: timeZone).map({ CalendarDay.string($0.cutoff.addingTimeInterval(-86_400 - 1), in: timeZone) })
        else { return [] }
        var snapshots: [ForecastSnapshot] = []
        for grouping in [ForecastGrouping.org, .owner] {
            let answer = try await forecast(ForecastQuery(period: period, grouping: grouping, from: bucket.start, to: bucket.start, asOf: eve))
            snapshots += answer.report.rows.filter { $0.period == bucket.label }.map { ForecastSnapshot($0, grouping: grouping) }
        }
        try await store.saveForecastSnapshots(snapshots, takenAt: now())
        return snapshots
    }

    /// Whether the current bucket of `period` has its snapshot.
    func hasSnapshot(of period: ReportPeriod) async throws -> Bool {
        guard let label = calendar(period).bucket(containing: now())?.label else { return true }
        return try await store.forecastSnapshots(grouping: .org).contains { $0.period == label }
    }

    /// Past snapshots of `grouping` against what was won in their periods.
    public func accuracy(by grouping: ForecastGrouping) async throws -> [AccuracyRow] {
        let snapshots = try await store.forecastSnapshots(grouping: grouping)
        guard !snapshots.isEmpty else { return [] }
        var actuals: [ForecastRow] = []
        for period in ReportPeriod.allCases {
            let labels = Set(snapshots.map(\.period)).filter { Self.period(ofLabel: $0) == period }
            guard let first = labels.min(), let last = labels.max() else { continue }
            // The buckets' own days: walk the calendar from the first label's year to the last one's.
            let calendar = calendar(period)
            guard let buckets = calendar.buckets(from: Self.firstDay(ofLabel: first), to: Self.lastDay(ofLabel: last)) else { continue }
            let from = buckets.first { labels.contains($0.label) }?.start ?? buckets.first?.start ?? ""
            let to = buckets.last { labels.contains($0.label) }?.end ?? buckets.last?.end ?? ""
            let answer = try await forecast(ForecastQuery(period: period, grouping: grouping, from: from, to: to))
            actuals += answer.report.rows.filter { labels.contains($0.period) }
        }
        return ForecastAccuracy.rows(snapshots: snapshots, actuals: actuals, grouping: grouping)
    }

    static func period(ofLabel label: String) -> ReportPeriod {
        label.contains("-Q") ? .quarter : label.contains("-H") ? .half : .year
    }

    /// A day surely before a bucket labelled `2026-Q1` / `FY2027-H1` / `2026` starts (two years earlier covers fiscal years).
    static func firstDay(ofLabel label: String) -> String {
        "\(String(format: "%04d", max(1, year(ofLabel: label) - 2)))-01-01"
    }

    static func lastDay(ofLabel label: String) -> String {
        "\(String(format: "%04d", year(ofLabel: label) + 1))-12-31"
    }

    static func year(ofLabel label: String) -> Int {
        Int(label.drop { !$0.isNumber }.prefix(4)) ?? 2000
    }

    // MARK: - Funnel

    /// The funnel by `grouping` of the leads created from `from` to `to` (days, both included, either open).
    public func funnel(by grouping: FunnelGrouping, includeTest: Bool = false, includeRejected: Bool = false, from: String? = nil, to: String? = nil) async throws -> [FunnelRow] {
        var since: Date?
        var until: Date?
        for (name, day) in [("from", from), ("to", to)] {
            guard let day else { continue }
            guard let end = AsOfDay(day: day, timeZone: timeZone) else {
                throw APIError(.badRequest, code: "invalid_parameter", message: "\(name) must be a day YYYY-MM-DD, found '\(day)'")
            }
            if name == "to" { until = end.cutoff } else { since = Self.start(of: day, in: timeZone) }
        }
        let counts = try await store.funnelCounts(grouping: grouping, includeTest: includeTest, includeRejected: includeRejected, since: since, until: until)
        return Funnel(grouping: grouping, includeTest: includeTest, includeRejected: includeRejected).rows(counts: counts)
    }

    /// The first moment of `day` in `timeZone`.
    static func start(of day: String, in timeZone: TimeZone) -> Date? {
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
