import Foundation

/// A stored lead as a backtest replays it: what it told us, when, and how it really ended.
public struct ReplayLead: Sendable {
    public var lead: NormalizedLead
    public var receivedAt: Date
    /// The opportunity as it stands now (its stage says won or lost when the outcome is known).
    public var opportunity: Opportunity?

    public init(lead: NormalizedLead, receivedAt: Date, opportunity: Opportunity?) {
        self.lead = lead
        self.receivedAt = receivedAt
        self.opportunity = opportunity
    }
}

/// What one set of criteria would have made of the replayed leads.
public struct BacktestSummary: Sendable, Hashable, Encodable {
    public var criteria: String
    public var leads = 0
    public var opportunities = 0
    /// Of those opportunities, how many are known to be won or lost.
    public var won = 0
    public var lost = 0
    /// Opportunity → won: won / (won + lost); nil while no outcome is known.
    public var conversion: Double? { won + lost == 0 ? nil : Double(won) / Double(won + lost) }
    /// Σ amount of the opportunities, per currency (the stored amount, else the product's deal amount).
    public var pipeline: [String: Double] = [:]

    public init(criteria: String) {
        self.criteria = criteria
    }

    enum CodingKeys: String, CodingKey {
        case criteria, leads, opportunities, won, lost, conversion, pipeline
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(criteria, forKey: .criteria)
        try container.encode(leads, forKey: .leads)
        try container.encode(opportunities, forKey: .opportunities)
        try container.encode(won, forKey: .won)
        try container.encode(lost, forKey: .lost)
        try container.encode(conversion, forKey: .conversion)
        try container.encode(pipeline, forKey: .pipeline)
    }
}

/// Replays history through criteria: how a business checks new criteria against real outcomes before using them.
public struct Backtest: Sendable {
    public let product: Product
    public let freeEmailDomains: FreeEmailDomains
    public let timeZone: TimeZone

    public init(product: Product, freeEmailDomains: FreeEmailDomains, timeZone: TimeZone) {
        self.product = product
        self.freeEmailDomains = freeEmailDomains
        self.timeZone = timeZone
    }

    /// Adds one replayed lead to `summary` as decided by `criteria`.
    public func add(_ replay: ReplayLead, to summary: inout BacktestSummary, by criteria: Criteria) {
        let input = CriteriaInput(replay.lead, receivedAt: replay.receivedAt, timeZone: timeZone, freeEmailDomains: freeEmailDomains)
        summary.leads += 1
        guard criteria.evaluate(input).decision == .opportunity else { return }
        summary.opportunities += 1
        switch replay.opportunity?.stage {
        case StageTable.won: summary.won += 1
        case StageTable.lost: summary.lost += 1
        default: break
        }
        let amount = replay.opportunity?.amount ?? product.deal.amount(for: input)
        let currency = replay.opportunity?.currency ?? product.deal.currency ?? "-"
        if let amount { summary.pipeline[currency, default: 0] += amount }
    }
}
