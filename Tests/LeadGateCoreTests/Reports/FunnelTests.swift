import Foundation
import Testing
@testable import LeadGateCore

@Suite("Conversion funnel")
struct FunnelTests {
    /// Created 2026-01-01T00:00Z, so closing after `days` days closes at that many × 24 h.
    static func closed(_ id: String, _ stage: String, afterDays days: Double, amount: Double? = nil, currency: String? = nil,
                       source: String, campaign: String? = nil, isTest: Bool = false) throws -> ReportLead {
        let created = try ReportFixture.date("2026-01-01T00:00:00Z")
        var lead = try ReportFixture.opportunity(id, stage: stage, amount: amount, currency: currency, created: "2026-01-01T00:00:00Z",
                                                 source: source, campaign: campaign, isTest: isTest)
        lead.opportunity?.closedAt = created.addingTimeInterval(days * 86_400)
        return lead
    }

    static func leads() throws -> [ReportLead] {
        [
            try ReportFixture.lead("l1"),
            try ReportFixture.opportunity("l2", stage: "new", amount: 3_000, currency: "ILS", campaign: "winter"),
            try closed("l3", StageTable.won, afterDays: 10, amount: 10_000, currency: "ILS", source: "website", campaign: "winter"),
            try closed("l4", StageTable.won, afterDays: 3.5, amount: 500, currency: "USD", source: "website"),
            try closed("l5", StageTable.lost, afterDays: 20, amount: 8_000, currency: "ILS", source: "website"),
            try ReportFixture.lead("l6", status: .rejected),
            try closed("l7", StageTable.won, afterDays: 1, amount: 999, currency: "ILS", source: "website", isTest: true),
            try closed("m1", StageTable.won, afterDays: 2, amount: 2_000, currency: "ILS", source: "facebook-il"),
            try closed("m2", StageTable.lost, afterDays: 5, source: "facebook-il"),
            try ReportFixture.lead("m3", source: "facebook-il"),
            try ReportFixture.lead("m4", source: "facebook-il"),
            try ReportFixture.lead("n1", status: .rejected, source: "google-ads"),
        ]
    }

    @Test("by source: counts, ratios, odd and even medians, revenue per currency")
    func bySource() throws {
        let rows = Funnel(grouping: .source).rows(try Self.leads())
        #expect(rows.map(\.group) == ["facebook-il", "website"])
        // facebook-il: 4 leads, 2 opportunities (m1 won, m2 lost): 2/4 = 0.5 and 1/(1+1) = 0.5.
        // Days to close [2, 5]: even count, (2 + 5) / 2 = 3.5.
        let facebook = rows[0]
        #expect(facebook.leads == 4 && facebook.opportunities == 2 && facebook.won == 1 && facebook.lost == 1)
        #expect(facebook.leadToOpportunity == 0.5 && facebook.opportunityToWon == 0.5)
        #expect(facebook.medianDaysToClose == 3.5)
        #expect(facebook.wonRevenue == ["ILS": 2_000])
        // website without test and rejected: l1…l5 = 5 leads, l2…l5 = 4 opportunities: 4/5 = 0.8;
        // won l3, l4, lost l5: 2/(2+1) = 2/3. Days [10, 3.5, 20] sorted [3.5, 10, 20]: odd count, 10.
        let website = rows[1]
        #expect(website.leads == 5 && website.opportunities == 4 && website.won == 2 && website.lost == 1)
        #expect(website.leadToOpportunity == 0.8)
        #expect(approximately(website.opportunityToWon, 2.0 / 3.0))
        #expect(website.medianDaysToClose == 10)
        #expect(website.wonRevenue == ["ILS": 10_000, "USD": 500])
    }

    @Test("test and rejected leads count only when asked for")
    func inclusion() throws {
        let rows = Funnel(grouping: .source, includeTest: true, includeRejected: true).rows(try Self.leads())
        #expect(rows.map(\.group) == ["facebook-il", "google-ads", "website"])
        // google-ads: one rejected lead, no opportunity: 0/1, no outcome, no median.
        #expect(rows[1].leads == 1 && rows[1].leadToOpportunity == 0 && rows[1].opportunityToWon == nil && rows[1].medianDaysToClose == nil)
        // website: + l6 (rejected) + l7 (test, won in 1 day, 999 ILS): 7 leads, 5 opportunities, 3 won, 1 lost.
        // Days [1, 3.5, 10, 20]: (3.5 + 10) / 2 = 6.75. ILS revenue 10000 + 999 = 10999.
        let website = rows[2]
        #expect(website.leads == 7 && website.opportunities == 5 && website.won == 3 && website.lost == 1)
        #expect(website.opportunityToWon == 0.75)
        #expect(website.medianDaysToClose == 6.75)
        #expect(website.wonRevenue == ["ILS": 10_999, "USD": 500])

        let onlyTest = Funnel(grouping: .source, includeTest: true).rows(try Self.leads())
        #expect(onlyTest.map(\.leads) == [4, 6])
    }

    @Test("by campaign: leads without one form the first group")
    func byCampaign() throws {
        let rows = Funnel(grouping: .campaign).rows(try Self.leads())
        #expect(rows.map(\.group) == [nil, "winter"])
        // winter: l2 open and l3 won in 10 days: 2 leads, 2 opportunities, 1/(1+0) = 1.
        #expect(rows[1].leads == 2 && rows[1].opportunities == 2 && rows[1].opportunityToWon == 1 && rows[1].medianDaysToClose == 10)
    }

    @Test("by criteria and product, from the lead's columns")
    func byCriteria() throws {
        let rows = Funnel(grouping: .criteria).rows(try Self.leads())
        // Plain leads carry no criteria in this fixture; every opportunity is crm@3.
        #expect(rows.map(\.group) == [nil, "crm@3"])
        #expect(rows[1].opportunities == 6)
        #expect(Funnel(grouping: .product).rows(try Self.leads()).map(\.group) == [nil, "crm"])
    }

    @Test("tallies counted elsewhere (in SQL) give the same rows, a group's parts added up")
    func fromCounts() throws {
        // The by-source tallies of `leads()` without test and rejected leads, website in two parts.
        let counts = [
            FunnelCounts(group: "website", leads: 2, opportunities: 2, won: 1, lost: 1, daysToClose: [20, 3.5], wonRevenue: ["USD": 500]),
            FunnelCounts(group: "facebook-il", leads: 4, opportunities: 2, won: 1, lost: 1, daysToClose: [5, 2], wonRevenue: ["ILS": 2_000]),
            FunnelCounts(group: "website", leads: 3, opportunities: 2, won: 1, daysToClose: [10], wonRevenue: ["ILS": 10_000]),
        ]
        let funnel = Funnel(grouping: .source)
        #expect(funnel.rows(counts: counts) == funnel.rows(try Self.leads()))
        #expect(funnel.rows(counts: counts).map(\.medianDaysToClose) == [3.5, 10])
        #expect(funnel.rows(counts: []) == [])
    }

    @Test("medians", arguments: [
        ([Double](), nil),
        ([7], 7),
        ([9, 1, 5], 5),
        ([4, 1, 3, 2], 2.5),
    ] as [([Double], Double?)])
    func median(_ values: [Double], _ expected: Double?) {
        #expect(Funnel.median(values) == expected)
    }
}
