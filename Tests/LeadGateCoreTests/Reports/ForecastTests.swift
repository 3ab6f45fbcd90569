import Foundation
import Testing
@testable import LeadGateCore

@Suite("Revenue forecast")
struct ForecastTests {
    /// Quarters in UTC; crm has the standard stages (new 0.1, contacted 0.2, proposal 0.5, negotiation 0.8)
    /// and a 45-day cycle; negotiation is a commit stage.
    static func forecast(by grouping: ForecastGrouping, probabilities: StageProbabilities = StageProbabilities(configured: ["crm": .standard])) -> Forecast {
        Forecast(
            calendar: PeriodCalendar(period: .quarter, timeZone: ReportFixture.utc), grouping: grouping,
            probabilities: probabilities, commitStages: ["negotiation"], cycleDays: ["crm": 45]
        )
    }

    static func pipeline() throws -> [ReportLead] {
        [
            // Stored probability 0.99 is stale: proposal weighs 0.5 by the table.
            try ReportFixture.opportunity("o1", stage: "proposal", amount: 10_000, currency: "ILS", probability: 0.99, expectedClose: "2026-02-15", owner: "dana"),
            try ReportFixture.opportunity("o2", stage: "negotiation", amount: 20_000, currency: "ILS", expectedClose: "2026-03-31", owner: "avi"),
            try ReportFixture.opportunity("o3", stage: "negotiation", amount: 3_000, currency: "USD", expectedClose: "2026-03-01", owner: "dana"),
            // Won counts by closedAt (Q1), not by its expected close (Q2).
            try ReportFixture.opportunity("o4", stage: StageTable.won, amount: 7_000, currency: "ILS", expectedClose: "2026-05-01",
                                          closedAt: "2026-03-20T10:00:00Z", owner: "dana"),
            try ReportFixture.opportunity("o5", stage: StageTable.lost, amount: 4_000, currency: "ILS", expectedClose: "2026-03-01",
                                          closedAt: "2026-04-02T08:00:00Z", owner: "avi"),
            // No expected close: created 2026-02-20 + 45 days = 2026-04-06 (8 days to Feb 28, 31 in March, 6 in April): Q2.
            try ReportFixture.opportunity("o6", stage: "new", amount: 6_000, currency: "ILS", created: "2026-02-20T12:00:00Z"),
            // A product with no table and no cycle: its own probability (0.3), its creation day (Q1).
            try ReportFixture.opportunity("o7", stage: "new", amount: 1_000, currency: "ILS", probability: 0.3,
                                          created: "2026-03-30T12:00:00Z", product: "other", owner: "avi"),
            try ReportFixture.opportunity("test", stage: "negotiation", amount: 99_999, currency: "ILS", expectedClose: "2026-02-01", isTest: true),
            try ReportFixture.lead("plain"),
            // Q3: outside the range.
            try ReportFixture.opportunity("o10", stage: "negotiation", amount: 50_000, currency: "ILS", expectedClose: "2026-07-15"),
            // No amount and no currency: counted, under "-", adding nothing.
            try ReportFixture.opportunity("o11", stage: "new", amount: nil, currency: nil, expectedClose: "2026-01-10"),
        ]
    }

    @Test("org: open, weighted, won, lost, commit and best case per quarter and currency")
    func organisation() throws {
        let report = try #require(Self.forecast(by: .org).report(try Self.pipeline(), from: "2026-01-01", to: "2026-06-30"))
        #expect(report.buckets.map(\.label) == ["2026-Q1", "2026-Q2"])
        #expect(report.rows.map { "\($0.period) \($0.currency)" } == ["2026-Q1 -", "2026-Q1 ILS", "2026-Q1 USD", "2026-Q2 ILS"])
        #expect(report.rows.allSatisfy { $0.group == nil })

        let none = report.rows[0]
        #expect(none.openCount == 1 && none.openPipeline == 0 && none.weightedPipeline == 0 && none.bestCase == 0)

        // Q1 ILS open: o1 10000 + o2 20000 + o7 1000 = 31000 (3 opportunities).
        // Weighted: 10000 × 0.5 + 20000 × 0.8 + 1000 × 0.3 = 5000 + 16000 + 300 = 21300.
        // Won: o4 7000. Commit: 7000 + 20000 (o2 in negotiation) = 27000. Best case: 7000 + 31000 = 38000.
        let ils = report.rows[1]
        #expect(ils.openCount == 3)
        #expect(approximately(ils.openPipeline, 31_000))
        #expect(approximately(ils.weightedPipeline, 21_300))
        #expect(ils.wonCount == 1 && approximately(ils.wonAmount, 7_000))
        #expect(approximately(ils.commit, 27_000))
        #expect(approximately(ils.bestCase, 38_000))
        #expect(ils.lostCount == 0)

        // Q1 USD, never added to ILS: o3 3000 × 0.8 = 2400; commit 0 + 3000; best case 3000.
        let usd = report.rows[2]
        #expect(usd.openCount == 1 && approximately(usd.openPipeline, 3_000) && approximately(usd.weightedPipeline, 2_400))
        #expect(approximately(usd.commit, 3_000) && approximately(usd.bestCase, 3_000) && usd.wonAmount == 0)

        // Q2 ILS: o6 6000 × 0.1 = 600 weighted; o5 lost (closed Apr 2); commit 0 (new is not a commit stage).
        let second = report.rows[3]
        #expect(second.openCount == 1 && approximately(second.openPipeline, 6_000) && approximately(second.weightedPipeline, 600))
        #expect(second.lostCount == 1 && second.wonCount == 0)
        #expect(second.commit == 0 && approximately(second.bestCase, 6_000))
    }

    @Test("owner: one row per owner, the unassigned first")
    func byOwner() throws {
        let report = try #require(Self.forecast(by: .owner).report(try Self.pipeline(), from: "2026-01-01", to: "2026-06-30"))
        #expect(report.rows.map { "\($0.period) \($0.group ?? "nil") \($0.currency)" } == [
            "2026-Q1 nil -", "2026-Q1 avi ILS", "2026-Q1 dana ILS", "2026-Q1 dana USD", "2026-Q2 nil ILS", "2026-Q2 avi ILS",
        ])
        // avi, Q1 ILS: o2 20000 + o7 1000 = 21000 open; 16000 + 300 = 16300 weighted; commit 20000.
        let avi = report.rows[1]
        #expect(approximately(avi.openPipeline, 21_000) && approximately(avi.weightedPipeline, 16_300) && approximately(avi.commit, 20_000))
        // dana, Q1 ILS: o1 10000 open (5000 weighted) and o4 won 7000: commit 7000, best case 17000.
        let dana = report.rows[2]
        #expect(approximately(dana.weightedPipeline, 5_000) && approximately(dana.commit, 7_000) && approximately(dana.bestCase, 17_000))
    }

    @Test("a range inside a quarter counts the whole quarter; a bad day is refused")
    func ranges() throws {
        let forecast = Self.forecast(by: .org)
        let report = try #require(forecast.report(try Self.pipeline(), from: "2026-03-15", to: "2026-03-15"))
        #expect(report.buckets == [PeriodBucket(label: "2026-Q1", start: "2026-01-01", end: "2026-03-31")])
        #expect(report.rows.map(\.currency) == ["-", "ILS", "USD"])
        #expect(forecast.report(try Self.pipeline(), from: "2026-01-01", to: "2026-06-31") == nil)
        #expect(forecast.report(try Self.pipeline(), from: "2026-07-01", to: "2026-01-01") == ForecastReport(buckets: [], rows: []))
    }

    @Test("learned probabilities weigh the pipeline")
    func learned() throws {
        // proposal learned from 2 of 2 won: (2 + 10 × 0.5) / 12 = 7/12; o1 weighs 10000 × 7/12 = 5833.33…
        let observations = [StageObservation(product: "crm", stage: "proposal", won: true), StageObservation(product: "crm", stage: "proposal", won: true)]
        let probabilities = StageProbabilities(configured: ["crm": .standard], learnedFrom: observations)
        let leads = [try ReportFixture.opportunity("o1", stage: "proposal", amount: 10_000, currency: "ILS", expectedClose: "2026-02-15")]
        let report = try #require(Self.forecast(by: .org, probabilities: probabilities).report(leads, from: "2026-01-01", to: "2026-03-31"))
        #expect(approximately(report.rows.first?.weightedPipeline, 10_000 * 7 / 12))
    }

    @Test("a close near midnight counts in the quarter of the server's day")
    func zone() throws {
        // Won 2026-03-31T22:30Z: 01:30 on April 1 in Jerusalem (UTC+3), so Q2 there and Q1 in UTC.
        let won = [try ReportFixture.opportunity("w", stage: StageTable.won, amount: 500, currency: "EUR", closedAt: "2026-03-31T22:30:00Z")]
        for (zone, label) in [(try ReportFixture.jerusalem(), "2026-Q2"), (ReportFixture.utc, "2026-Q1")] {
            let forecast = Forecast(
                calendar: PeriodCalendar(period: .quarter, timeZone: zone), grouping: .org,
                probabilities: StageProbabilities(configured: [:]), commitStages: [], cycleDays: [:]
            )
            let report = try #require(forecast.report(won, from: "2026-01-01", to: "2026-06-30"))
            #expect(report.rows.map(\.period) == [label])
            #expect(report.rows.first?.wonAmount == 500)
        }
    }

    @Test("200,000 opportunities in one pass")
    func volume() throws {
        // 4 currencies × 4 quarters × 5 owners; amounts 1...200000: Σ = 200000 × 200001 / 2 = 20000100000.
        let currencies = ["ILS", "USD", "EUR", "GBP"]
        let created = try ReportFixture.date("2026-01-05T09:00:00Z")
        let leads = (1...200_000).map { index in
            ReportLead(
                id: "o\(index)", status: .opportunity, product: "crm", owner: "rep\(index % 5)", source: "website", createdAt: created,
                opportunity: Opportunity(
                    stage: "proposal", amount: Double(index), currency: currencies[index % 4], probability: 0.5,
                    expectedClose: ["2026-02-01", "2026-05-01", "2026-08-01", "2026-11-01"][index / 4 % 4]
                )
            )
        }
        let report = try #require(Self.forecast(by: .owner).report(leads, from: "2026-01-01", to: "2026-12-31"))
        #expect(report.rows.count == 4 * 4 * 5)
        #expect(report.rows.map(\.openCount).reduce(0, +) == 200_000)
        #expect(report.rows.map(\.openPipeline).reduce(0, +) == 20_000_100_000)
    }
}
