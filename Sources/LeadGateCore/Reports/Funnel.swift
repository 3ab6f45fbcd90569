import Foundation

/// What a funnel groups by.
public enum FunnelGrouping: String, Sendable, Hashable, CaseIterable, Codable {
    case source, campaign, product, criteria, owner

    /// The group of `lead`; nil when the lead has no campaign, product, criteria or owner.
    func group(of lead: ReportLead) -> String? {
        switch self {
        case .source: lead.source
        case .campaign: lead.campaign
        case .product: lead.product
        case .criteria: lead.criteria
        case .owner: lead.owner
        }
    }
}

/// The conversion of one group: leads → opportunities → won.
public struct FunnelRow: Sendable, Hashable, Encodable {
    /// nil for the leads without a campaign, product, criteria or owner.
    public let group: String?
    /// Every lead counted (opportunities included).
    public let leads: Int
    /// Leads whose status is `opportunity`, whatever their stage (won and lost included).
    public let opportunities: Int
    public let won: Int
    public let lost: Int
    /// opportunities / leads; nil without leads.
    public let leadToOpportunity: Double?
    /// won / (won + lost): of the opportunities whose outcome is known, the share won (as backtests count
    /// it; open ones are left out, so a young pipeline does not read as a poor one). Nil while none is closed.
    public let opportunityToWon: Double?
    /// Median of (closedAt − createdAt) in days, fractions kept, over the won and lost opportunities with a
    /// `closedAt`; an even count takes the mean of the two middle values. Nil when there are none.
    public let medianDaysToClose: Double?
    /// Σ amount of the won opportunities, by currency (`ReportLead.unknownCurrency` when none is named).
    public let wonRevenue: [String: Double]

    enum CodingKeys: String, CodingKey {
        case group, leads, opportunities, won, lost, leadToOpportunity = "lead_to_opportunity"
        case opportunityToWon = "opportunity_to_won", medianDaysToClose = "median_days_to_close", wonRevenue = "won_revenue"
    }
}

/// Conversion per group, in one pass over the leads.
public struct Funnel: Sendable {
    public let grouping: FunnelGrouping
    /// Count platforms' test submissions too (left out by default).
    public let includeTest: Bool
    /// Count rejected leads too (left out by default: they are not kept as prospects).
    public let includeRejected: Bool

    /// A funnel by `grouping`, without test and rejected leads unless asked for.
    public init(grouping: FunnelGrouping, includeTest: Bool = false, includeRejected: Bool = false) {
        self.grouping = grouping
        self.includeTest = includeTest
        self.includeRejected = includeRejected
    }

    /// One row per group that has a lead counted, sorted by group (nil first).
    public func rows(_ leads: some Sequence<ReportLead>) -> [FunnelRow] {
        var tallies: [String?: FunnelCounts] = [:]
        for lead in leads {
            if lead.isTest && !includeTest || lead.status == .rejected && !includeRejected { continue }
            let group = grouping.group(of: lead)
            tallies[group, default: FunnelCounts(group: group)].add(lead)
        }
        return rows(counts: Array(tallies.values))
    }

    /// One row per group of `counts` (tallies of one group may come in several parts, and are added up),
    /// sorted by group (nil first).
    ///
    /// The counts are taken as they are: `includeTest` and `includeRejected` are for whoever tallied them.
    public func rows(counts: [FunnelCounts]) -> [FunnelRow] {
        var merged: [String?: FunnelCounts] = [:]
        for part in counts {
            merged[part.group, default: FunnelCounts(group: part.group)].merge(part)
        }
        return merged.values.sorted { groupPrecedes($0.group, $1.group) }.map { tally in
            FunnelRow(
                group: tally.group, leads: tally.leads, opportunities: tally.opportunities, won: tally.won, lost: tally.lost,
                leadToOpportunity: tally.leads == 0 ? nil : Double(tally.opportunities) / Double(tally.leads),
                opportunityToWon: tally.won + tally.lost == 0 ? nil : Double(tally.won) / Double(tally.won + tally.lost),
                medianDaysToClose: Self.median(tally.daysToClose), wonRevenue: tally.wonRevenue
            )
        }
    }

    /// The middle value, or the mean of the two middle values of an even count; nil for none.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// What a funnel counts of one group, before ratios and medians: tallied from leads by `Funnel`, or by a store in SQL.
public struct FunnelCounts: Sendable, Hashable {
    /// nil for the leads without a campaign, product, criteria or owner.
    public var group: String?
    /// Every lead counted (opportunities included).
    public var leads: Int
    /// Leads whose status is `opportunity` and that have a stage (won and lost included).
    public var opportunities: Int
    public var won: Int
    public var lost: Int
    /// (closedAt − createdAt) in days of each won or lost opportunity that has a `closedAt`, in any order.
    public var daysToClose: [Double]
    /// Σ amount of the won opportunities, by currency (`ReportLead.unknownCurrency` when none is named).
    public var wonRevenue: [String: Double]

    /// The tallies of `group`; zero by default.
    public init(
        group: String?, leads: Int = 0, opportunities: Int = 0, won: Int = 0, lost: Int = 0, daysToClose: [Double] = [],
        wonRevenue: [String: Double] = [:]
    ) {
        self.group = group
        self.leads = leads
        self.opportunities = opportunities
        self.won = won
        self.lost = lost
        self.daysToClose = daysToClose
        self.wonRevenue = wonRevenue
    }

    /// Counts one won or lost opportunity: its amount (0 when none) to the won revenue of its currency
    /// (`ReportLead.unknownCurrency` when none), and its days to close when it has a close date.
    public mutating func addOutcome(won isWon: Bool, amount: Double?, currency: String?, daysToClose days: Double?) {
        if isWon {
            won += 1
            wonRevenue[currency ?? ReportLead.unknownCurrency, default: 0] += amount ?? 0
        } else {
            lost += 1
        }
        if let days { daysToClose.append(days) }
    }

    fileprivate mutating func add(_ lead: ReportLead) {
        leads += 1
        guard lead.status == .opportunity, let opportunity = lead.opportunity else { return }
        opportunities += 1
        guard opportunity.stage == StageTable.won || opportunity.stage == StageTable.lost else { return }
        addOutcome(
            won: opportunity.stage == StageTable.won, amount: opportunity.amount, currency: opportunity.currency,
            daysToClose: opportunity.closedAt.map { $0.timeIntervalSince(lead.createdAt) / 86_400 }
        )
    }

    fileprivate mutating func merge(_ other: FunnelCounts) {
        leads += other.leads
        opportunities += other.opportunities
        won += other.won
        lost += other.lost
        daysToClose += other.daysToClose
        wonRevenue.merge(other.wonRevenue, uniquingKeysWith: +)
    }
}
