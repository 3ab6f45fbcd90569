import Foundation
import Testing
@testable import LeadGateCore

@Suite("Forecast as of a past day")
struct AsOfDayTests {
    /// The end of 2026-03-31 in Jerusalem (UTC+3 since 2026-03-27): 2026-03-31T21:00:00Z.
    static func endOfMarch() throws -> AsOfDay {
        try #require(AsOfDay(day: "2026-03-31", timeZone: ReportFixture.jerusalem()))
    }

    static func change(_ lead: String, _ at: String, _ field: String, _ old: String?, _ new: String?) throws -> LeadChange {
        LeadChange(leadID: lead, at: try ReportFixture.date(at), field: field, oldValue: old, newValue: new)
    }

    @Test("the cutoff is the next local midnight")
    func cutoff() throws {
        #expect(try Self.endOfMarch().cutoff == ReportFixture.date("2026-03-31T21:00:00Z"))
        #expect(try AsOfDay(day: "2026-03-31", timeZone: ReportFixture.utc)?.cutoff == ReportFixture.date("2026-04-01T00:00:00Z"))
        #expect(AsOfDay(day: "2026-02-30", timeZone: ReportFixture.utc) == nil)
    }

    @Test("later stage moves are undone newest first; later amounts too; earlier changes stay")
    func stageAndAmount() throws {
        let now = try ReportFixture.opportunity(
            "a", stage: "negotiation", amount: 25_000, currency: "ILS", probability: 0.8, expectedClose: "2026-06-10", created: "2026-03-01T08:00:00Z"
        )
        let history = [
            try Self.change("a", "2026-03-10T09:00:00Z", "stage", "new", "contacted"),
            // 23:30 local on March 31: still that day.
            try Self.change("a", "2026-03-31T20:30:00Z", "expected_close", "2026-05-01", "2026-06-10"),
            // 00:30 local on April 1 (21:30Z, still March 31 in UTC): after the day.
            try Self.change("a", "2026-03-31T21:30:00Z", "amount", "20000", "25000"),
            try Self.change("a", "2026-04-02T09:00:00Z", "stage", "contacted", "proposal"),
            try Self.change("a", "2026-04-05T09:00:00Z", "stage", "proposal", "negotiation"),
            try Self.change("b", "2026-04-06T09:00:00Z", "stage", "won", "lost"),
        ]
        let then = try #require(try Self.endOfMarch().state(of: now, changes: history))
        // Newest first: negotiation → proposal → contacted (oldest first would end at proposal).
        #expect(then.opportunity?.stage == "contacted")
        #expect(then.opportunity?.amount == 20_000)
        #expect(then.opportunity?.expectedClose == "2026-06-10")
        #expect(then.opportunity?.currency == "ILS")
    }

    @Test("a lead created after the day is absent; one created that evening is there")
    func created() throws {
        let day = try Self.endOfMarch()
        let late = try ReportFixture.opportunity("late", stage: "new", amount: 1, currency: "ILS", created: "2026-03-31T21:00:00Z")
        let evening = try ReportFixture.opportunity("evening", stage: "new", amount: 1, currency: "ILS", created: "2026-03-31T20:59:59Z")
        #expect(day.state(of: late, changes: []) == nil)
        #expect(day.state(of: evening, changes: []) == evening)
    }

    @Test("a win after the day is still open then, its close date unknown")
    func laterWin() throws {
        let now = try ReportFixture.opportunity(
            "c", stage: StageTable.won, amount: 9_000, currency: "USD", expectedClose: "2026-04-30", closedAt: "2026-04-10T12:00:00Z",
            owner: "avi"
        )
        let history = [
            try Self.change("c", "2026-04-10T12:00:00Z", "stage", "negotiation", StageTable.won),
            try Self.change("c", "2026-04-01T06:00:00Z", "owner", "dana", "avi"),
        ]
        let then = try #require(try Self.endOfMarch().state(of: now, changes: history.sorted { $0.at < $1.at }))
        #expect(then.opportunity?.stage == "negotiation")
        #expect(then.opportunity?.closedAt == nil)
        #expect(then.owner == "dana")
    }

    @Test("qualified after the day: a plain lead then; taken away after it: an opportunity then")
    func statusChanges() throws {
        let day = try Self.endOfMarch()
        let promoted = try ReportFixture.opportunity("d", stage: "new", amount: 5_000, currency: "ILS")
        let promotion = [
            try Self.change("d", "2026-04-03T09:00:00Z", "status", "lead", "opportunity"),
            try Self.change("d", "2026-04-03T09:00:00Z", "stage", nil, "new"),
        ]
        let before = try #require(day.state(of: promoted, changes: promotion))
        #expect(before.status == .lead)
        #expect(before.opportunity == nil)

        let demoted = try ReportFixture.lead("e")
        let demotion = [
            try Self.change("e", "2026-04-20T09:00:00Z", "status", "opportunity", "lead"),
            try Self.change("e", "2026-04-20T09:00:00Z", "stage", "contacted", nil),
        ]
        let still = try #require(day.state(of: demoted, changes: demotion))
        #expect(still.status == .opportunity)
        #expect(still.opportunity?.stage == "contacted")
        #expect(still.opportunity?.amount == nil)
    }

    @Test("the forecast as of the day sees nothing known later")
    func forecastAsOf() throws {
        // Now: negotiation 25000 ILS (0.8). On March 31: proposal 20000 (0.5): weighted 10000, not 20000.
        let now = try ReportFixture.opportunity("a", stage: "negotiation", amount: 25_000, currency: "ILS", expectedClose: "2026-05-20")
        let history = [
            try Self.change("a", "2026-04-02T09:00:00Z", "amount", "20000", "25000"),
            try Self.change("a", "2026-04-05T09:00:00Z", "stage", "proposal", "negotiation"),
        ]
        let created = try ReportFixture.opportunity("b", stage: "new", amount: 1_000, currency: "ILS", expectedClose: "2026-05-20", created: "2026-04-08T09:00:00Z")
        let day = try Self.endOfMarch()
        let states = [now, created].compactMap { day.state(of: $0, changes: history) }
        let forecast = Forecast(
            calendar: PeriodCalendar(period: .quarter, timeZone: try ReportFixture.jerusalem()), grouping: .org,
            probabilities: StageProbabilities(configured: ["crm": .standard]), commitStages: ["negotiation"], cycleDays: [:]
        )
        let row = try #require(forecast.report(states, from: "2026-04-01", to: "2026-06-30")?.rows.first)
        #expect(row.openCount == 1)
        #expect(row.openPipeline == 20_000)
        #expect(approximately(row.weightedPipeline, 10_000))
        #expect(row.commit == 0)
    }
}
