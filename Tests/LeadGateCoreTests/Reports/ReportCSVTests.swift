import Foundation
import Testing
@testable import LeadGateCore

@Suite("Report CSV")
struct ReportCSVTests {
    @Test("forecast rows: header, quoted names, two decimals")
    func forecast() {
        var hebrew = ForecastRow(period: "2026-Q1", group: "כהן, דנה", currency: "ILS")
        hebrew.openCount = 2
        hebrew.openPipeline = 1_234_567.5
        hebrew.weightedPipeline = 1_000.125
        hebrew.commit = 20_000
        hebrew.bestCase = 1_241_567.5
        hebrew.wonCount = 1
        hebrew.wonAmount = 7_000
        let quoted = ForecastRow(period: "2026-Q1", group: "Avi \"the closer\"\nLevi", currency: "USD")
        let none = ForecastRow(period: "2026-Q2", group: nil, currency: "-")
        #expect(ReportCSV.forecast([hebrew, quoted, none]) == """
            period,group,currency,open_count,open_pipeline,weighted_pipeline,commit,best_case,won_count,won_amount,lost_count\r
            2026-Q1,"כהן, דנה",ILS,2,1234567.50,1000.13,20000.00,1241567.50,1,7000.00,0\r
            2026-Q1,"Avi ""the closer""
            Levi",USD,0,0.00,0.00,0.00,0.00,0,0.00,0\r
            2026-Q2,,-,0,0.00,0.00,0.00,0.00,0,0.00,0\r

            """)
    }

    @Test("funnel rows: ratios to four places, one revenue column per currency")
    func funnel() throws {
        let rows = Funnel(grouping: .source).rows([
            try ReportFixture.opportunity("a", stage: StageTable.won, amount: 1_500, currency: "ILS", closedAt: "2026-01-08T09:00:00Z", source: "טופס, אתר"),
            try ReportFixture.opportunity("b", stage: StageTable.lost, amount: 1, currency: "ILS", closedAt: "2026-01-06T09:00:00Z", source: "טופס, אתר"),
            try ReportFixture.opportunity("c", stage: "new", amount: 1, currency: "ILS", source: "טופס, אתר"),
            try ReportFixture.lead("d", source: "api"),
            try ReportFixture.opportunity("e", stage: StageTable.won, amount: 99.999, currency: "USD", closedAt: "2026-01-05T21:00:00Z", source: "api"),
        ])
        // api: 2 leads, 1 opportunity won after 12 hours (0.5 days), 99.999 USD → 100.00.
        // טופס, אתר: 3 leads, all opportunities; won 1 of 2 closed; days [3, 1] → 2.
        #expect(ReportCSV.funnel(rows) == """
            group,leads,opportunities,won,lost,lead_to_opportunity,opportunity_to_won,median_days_to_close,won_revenue_ILS,won_revenue_USD\r
            api,2,1,1,0,0.5000,1.0000,0.50,0.00,100.00\r
            "טופס, אתר",3,3,1,1,1.0000,0.5000,2.00,1500.00,0.00\r

            """)
    }

    @Test("fixed-point numbers", arguments: [
        (0.0, 2, "0.00"), (1_234_567.5, 2, "1234567.50"), (-2.5, 2, "-2.50"), (-0.001, 2, "0.00"),
        (2.0 / 3.0, 4, "0.6667"), (0.05, 4, "0.0500"), (1e12, 2, "1000000000000.00"), (.nan, 2, ""),
    ] as [(Double, Int, String)])
    func fixed(_ value: Double, _ places: Int, _ text: String) {
        #expect(ReportCSV.fixed(value, places) == text)
    }
}
