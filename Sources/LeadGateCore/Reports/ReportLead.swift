import Foundation

/// A lead as the forecast and the funnel read it: the columns they group and count by, nothing personal.
public struct ReportLead: Sendable, Hashable {
    /// The currency key of amounts whose opportunity names no currency (as backtests write it).
    public static let unknownCurrency = "-"

    public var id: String
    public var status: LeadStatus
    /// A platform's test submission: left out of reports unless asked for.
    public var isTest: Bool
    public var product: String?
    public var owner: String?
    public var source: String
    public var campaign: String?
    /// `product@version` of the criteria that decided the lead.
    public var criteria: String?
    public var createdAt: Date
    public var opportunity: Opportunity?

    /// A lead as the store lists it for reports.
    public init(
        id: String, status: LeadStatus, isTest: Bool = false, product: String? = nil, owner: String? = nil, source: String,
        campaign: String? = nil, criteria: String? = nil, createdAt: Date, opportunity: Opportunity? = nil
    ) {
        self.id = id
        self.status = status
        self.isTest = isTest
        self.product = product
        self.owner = owner
        self.source = source
        self.campaign = campaign
        self.criteria = criteria
        self.createdAt = createdAt
        self.opportunity = opportunity
    }
}

/// One recorded change of a lead (a `lead_history` row): `field` went from `oldValue` to `newValue` at `at`.
public struct LeadChange: Sendable, Hashable {
    public var leadID: String
    public var at: Date
    /// `status`, `stage`, `amount`, `currency`, `owner`, `product`, `expected_close`, `closed_at`; others are ignored.
    public var field: String
    public var oldValue: String?
    public var newValue: String?

    /// A change as `lead_history` records it.
    public init(leadID: String, at: Date, field: String, oldValue: String?, newValue: String?) {
        self.leadID = leadID
        self.at = at
        self.field = field
        self.oldValue = oldValue
        self.newValue = newValue
    }
}

/// Leads as they stood at the end of one day, rebuilt from their current state and their history, so a
/// forecast can be run as of a past day with nothing known later leaking in.
///
/// Every change at or after `cutoff` is undone with its `oldValue`, newest first. A lead created at or
/// after `cutoff` did not exist yet. A `closed_at` at or after `cutoff` is dropped even when no history
/// row records it. What history does not record stays as it is now; in particular `probability` is kept
/// as stored, so weigh rebuilt opportunities by stage (`StageProbabilities`), not by that field. An
/// opportunity that was later taken away gets back its stage, and only what history records besides.
public struct AsOfDay: Sendable, Hashable {
    /// The day, `YYYY-MM-DD`.
    public let day: String
    /// The first instant after `day` in the time zone it was given in.
    public let cutoff: Date

    /// The end of `day` in `timeZone`; nil when `day` is not a `YYYY-MM-DD` day.
    public init?(day: String, timeZone: TimeZone) {
        guard let parts = DayParts(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Start of the next day through `Calendar`: once per report, and it knows the zones whose midnight is skipped.
        guard let start = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day)),
              let next = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        self.day = day
        self.cutoff = calendar.startOfDay(for: next)
    }

    /// `lead` as it stood at the end of the day, or nil when it was created later.
    ///
    /// `changes` are the lead's history oldest first, as the store lists it (rows of other leads are skipped).
    public func state(of lead: ReportLead, changes: [LeadChange]) -> ReportLead? {
        guard lead.createdAt < cutoff else { return nil }
        var state = lead
        for change in changes.reversed() where change.at >= cutoff && change.leadID == lead.id {
            state.undo(change)
        }
        if let closedAt = state.opportunity?.closedAt, closedAt >= cutoff {
            state.opportunity?.closedAt = nil
        }
        return state
    }
}

extension ReportLead {
    fileprivate mutating func undo(_ change: LeadChange) {
        let old = change.oldValue
        switch change.field {
        case "status": if let old, let status = LeadStatus(rawValue: old) { self.status = status }
        case "owner": owner = old
        case "product": product = old
        case "stage":
            if let old {
                if opportunity == nil {
                    opportunity = Opportunity(stage: old, amount: nil, currency: nil, probability: 0, expectedClose: nil)
                } else {
                    opportunity?.stage = old
                }
            } else {
                opportunity = nil
            }
        case "amount": opportunity?.amount = old.flatMap { Double($0) }
        case "currency": opportunity?.currency = old
        case "expected_close": opportunity?.expectedClose = old
        case "closed_at": opportunity?.closedAt = old.flatMap { try? Date($0, strategy: .iso8601) }
        default: break
        }
    }
}
