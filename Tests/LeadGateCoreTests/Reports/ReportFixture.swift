import Foundation
import Testing
@testable import LeadGateCore

/// Dates, zones and leads the report tests build their cases from.
enum ReportFixture {
    static let utc = TimeZone(identifier: "UTC") ?? .gmt

    /// Israel: UTC+2 in winter, UTC+3 from the Friday before the last Sunday of March (2026-03-27) to late October.
    static func jerusalem() throws -> TimeZone {
        try #require(TimeZone(identifier: "Asia/Jerusalem"))
    }

    /// An instant written in ISO 8601 with its offset, e.g. `2026-03-31T22:30:00Z`.
    static func date(_ text: String) throws -> Date {
        try #require(try? Date(text, strategy: .iso8601))
    }

    /// An opportunity lead of product `crm` created `created` (ISO 8601).
    static func opportunity(
        _ id: String, stage: String, amount: Double?, currency: String?, probability: Double = 0,
        expectedClose: String? = nil, closedAt: String? = nil, created: String = "2026-01-05T09:00:00Z",
        product: String? = "crm", owner: String? = nil, source: String = "website", campaign: String? = nil, isTest: Bool = false
    ) throws -> ReportLead {
        ReportLead(
            id: id, status: .opportunity, isTest: isTest, product: product, owner: owner, source: source, campaign: campaign,
            criteria: product.map { "\($0)@3" }, createdAt: try date(created),
            opportunity: Opportunity(
                stage: stage, amount: amount, currency: currency, probability: probability, expectedClose: expectedClose,
                closedAt: try closedAt.map(date)
            )
        )
    }

    /// A lead that is not an opportunity.
    static func lead(_ id: String, status: LeadStatus = .lead, source: String = "website", isTest: Bool = false) throws -> ReportLead {
        ReportLead(id: id, status: status, isTest: isTest, source: source, createdAt: try date("2026-01-05T09:00:00Z"))
    }
}

/// Equal within a millionth of a unit: sums of products of decimal fractions are not exact in binary.
func approximately(_ lhs: Double?, _ rhs: Double?) -> Bool {
    guard let lhs, let rhs else { return lhs == nil && rhs == nil }
    return abs(lhs - rhs) < 1e-6
}
