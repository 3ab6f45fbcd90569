import Foundation
import Testing
@testable import LeadGateCore

@Suite("Forecast accuracy")
struct ForecastAccuracyTests {
    static func actuals(by grouping: ForecastGrouping) throws -> [ForecastRow] {
        let won = [
            try ReportFixture.opportunity("w1", stage: StageTable.won, amount: 8_000, currency: "ILS", closedAt: "2026-04-10T09:00:00Z", owner: "dana"),
            try ReportFixture.opportunity("w2", stage: StageTable.won, amount: 4_500, currency: "ILS", closedAt: "2026-06-30T09:00:00Z", owner: "avi"),
            try ReportFixture.opportunity("w3", stage: StageTable.won, amount: 1_000, currency: "EUR", closedAt: "2026-05-01T09:00:00Z", owner: "dana"),
            // Q3 has no snapshot: left out.
            try ReportFixture.opportunity("w4", stage: StageTable.won, amount: 5_000, currency: "ILS", closedAt: "2026-07-01T09:00:00Z", owner: "dana"),
        ]
        let forecast = Forecast(
            calendar: PeriodCalendar(period: .quarter, timeZone: ReportFixture.utc), grouping: grouping,
            probabilities: StageProbabilities(configured: [:]), commitStages: [], cycleDays: [:]
        )
        return try #require(forecast.report(won, from: "2026-04-01", to: "2026-09-30")).rows
    }

    static let snapshots = [
        ForecastSnapshot(period: "2026-Q2", grouping: .org, group: nil, currency: "ILS", weighted: 10_000, commit: 11_000, bestCase: 30_000),
        ForecastSnapshot(period: "2026-Q2", grouping: .org, group: nil, currency: "USD", weighted: 2_000, commit: 0, bestCase: 5_000),
        ForecastSnapshot(period: "2026-Q2", grouping: .owner, group: "dana", currency: "ILS", weighted: 4_000, commit: 4_000, bestCase: 9_000),
    ]

    @Test("per org: error and absolute percentage error per currency")
    func organisation() throws {
        let rows = ForecastAccuracy.rows(snapshots: Self.snapshots, actuals: try Self.actuals(by: .org), grouping: .org)
        #expect(rows.map(\.currency) == ["EUR", "ILS", "USD"])
        // EUR: won 1000, no snapshot row in a snapshotted quarter, so forecast 0: error 1000, APE 1000 / 1000 = 1.
        #expect(rows[0].forecast == 0 && rows[0].actual == 1_000 && rows[0].error == 1_000 && rows[0].absolutePercentageError == 1)
        // ILS: won 8000 + 4500 = 12500 against 10000: error 2500, APE 2500 / 12500 = 0.2.
        #expect(rows[1].forecast == 10_000 && rows[1].actual == 12_500 && rows[1].error == 2_500)
        #expect(approximately(rows[1].absolutePercentageError, 0.2))
        // USD: nothing won against 2000: error −2000, APE undefined.
        #expect(rows[2].actual == 0 && rows[2].error == -2_000 && rows[2].absolutePercentageError == nil)
        #expect(rows.allSatisfy { $0.period == "2026-Q2" && $0.group == nil })
    }

    @Test("per owner: only owner snapshots, matched by owner")
    func byOwner() throws {
        let rows = ForecastAccuracy.rows(snapshots: Self.snapshots, actuals: try Self.actuals(by: .owner), grouping: .owner)
        #expect(rows.map { "\($0.group ?? "nil") \($0.currency)" } == ["avi ILS", "dana EUR", "dana ILS"])
        // dana ILS: won 8000 against 4000: error 4000, APE 4000 / 8000 = 0.5. avi: forecast 0, won 4500.
        #expect(rows[2].forecast == 4_000 && rows[2].actual == 8_000 && rows[2].error == 4_000 && rows[2].absolutePercentageError == 0.5)
        #expect(rows[0].forecast == 0 && rows[0].actual == 4_500)
    }

    @Test("a snapshot keeps a forecast row's figures")
    func snapshotOfRow() throws {
        let row = try #require(try Self.actuals(by: .org).first)
        // Q2 EUR: w3 won 1000, so commit and best case are 1000 and nothing is open to weigh.
        #expect(ForecastSnapshot(row, grouping: .org) == ForecastSnapshot(
            period: "2026-Q2", grouping: .org, group: nil, currency: "EUR", weighted: 0, commit: 1_000, bestCase: 1_000
        ))
    }
}
