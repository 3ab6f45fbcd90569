import Foundation
import GRDB
import LeadGateCore
import Testing
@testable import LeadGateStore

private let day: TimeInterval = 86_400

private func instant(_ text: String) throws -> Date {
    try #require(try? Date(text, strategy: .iso8601))
}

/// Commits one plain lead created `at`, and returns its id.
private func add(
    _ store: SQLiteLeadStore, _ email: String, source: String = "website", at date: Date = t0, isTest: Bool = false, rejected: Bool = false
) async throws -> String {
    var intake = record(source: source, email: email, at: date, rejection: rejected ? "honeypot" : nil)
    intake.isTest = isTest
    return try await store.commit([intake])[0].leadID
}

/// What a CRM reports through the admin API: the lead is an opportunity of `crm` in `stage`, as of `at`.
private func move(
    _ store: SQLiteLeadStore, _ id: String, at date: Date, owner: String? = nil, stage: String?, amount: Double? = nil,
    currency: String? = "ILS", expectedClose: String? = nil, closedAt: Date? = nil
) async throws {
    let updated = try await store.update(leadID: id, actor: "crm", at: date, recordedAt: date, routes: NotificationRoutes()) { lead in
        var state = LeadState(of: lead)
        guard let stage else {
            state.status = .lead
            state.opportunity = nil
            return state
        }
        state.status = .opportunity
        state.product = "crm"
        if let owner { state.owner = owner }
        var opportunity = state.opportunity ?? Opportunity(stage: stage, amount: nil, currency: nil, probability: 0, expectedClose: nil)
        opportunity.stage = stage
        if let amount { opportunity.amount = amount }
        opportunity.currency = currency
        if let expectedClose { opportunity.expectedClose = expectedClose }
        opportunity.closedAt = closedAt
        opportunity.manual = true
        state.opportunity = opportunity
        return state
    }
    #expect(updated != nil)
}

@Suite struct ReportStoreTests {
    /// website: w1 lead; w2 open (dana); w3 won 10 days after creation, 10 000 ILS (dana); w4 lost after 4 days (avi);
    /// w5 a test lead won after 1 day, 999 ILS (avi); w6 rejected. facebook-il: f1 lead; f2 won after 2 days, 2 000 USD (avi).
    /// All created at t0; f3 a plain facebook-il lead a day later.
    static func funnelStore() async throws -> SQLiteLeadStore {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        _ = try await add(store, "w1@acme.co.il")
        let w2 = try await add(store, "w2@acme.co.il")
        try await move(store, w2, at: t0 + day, owner: "dana", stage: "proposal", amount: 5_000)
        let w3 = try await add(store, "w3@acme.co.il")
        try await move(store, w3, at: t0 + 10 * day, owner: "dana", stage: StageTable.won, amount: 10_000, closedAt: t0 + 10 * day)
        let w4 = try await add(store, "w4@acme.co.il")
        try await move(store, w4, at: t0 + 4 * day, owner: "avi", stage: StageTable.lost, amount: 3_000, closedAt: t0 + 4 * day)
        let w5 = try await add(store, "w5@acme.co.il", isTest: true)
        try await move(store, w5, at: t0 + day, owner: "avi", stage: StageTable.won, amount: 999, closedAt: t0 + day)
        _ = try await add(store, "w6@acme.co.il", rejected: true)
        _ = try await add(store, "f1@acme.co.il", source: "facebook-il")
        let f2 = try await add(store, "f2@acme.co.il", source: "facebook-il")
        try await move(store, f2, at: t0 + 2 * day, owner: "avi", stage: StageTable.won, amount: 2_000, currency: "USD", closedAt: t0 + 2 * day)
        _ = try await add(store, "f3@acme.co.il", source: "facebook-il", at: t0 + day)
        return store
    }

    struct Expected: Sendable, CustomTestStringConvertible {
        var group: String?
        var leads: Int
        var opportunities: Int
        var won: Int
        var lost: Int
        var median: Double?
        var revenue: [String: Double]

        var testDescription: String { group ?? "no group" }
    }

    static let funnelCases: [(FunnelGrouping, Bool, [Expected])] = [
        // facebook-il: f1 f2 f3, f2 won in 2 days. website: w1...w4; w3 won in 10 days, w4 lost in 4: median 7.
        (.source, false, [
            Expected(group: "facebook-il", leads: 3, opportunities: 1, won: 1, lost: 0, median: 2, revenue: ["USD": 2_000]),
            Expected(group: "website", leads: 4, opportunities: 3, won: 1, lost: 1, median: 7, revenue: ["ILS": 10_000]),
        ]),
        // With w5 (test, won in 1 day, 999 ILS) and w6 (rejected): website days [1, 4, 10], median 4.
        (.source, true, [
            Expected(group: "facebook-il", leads: 3, opportunities: 1, won: 1, lost: 0, median: 2, revenue: ["USD": 2_000]),
            Expected(group: "website", leads: 6, opportunities: 4, won: 2, lost: 1, median: 4, revenue: ["ILS": 10_999]),
        ]),
        // Owners only on opportunities: w1, f1, f3 have none. avi: w4 lost in 4 days, f2 won in 2.
        (.owner, false, [
            Expected(group: nil, leads: 3, opportunities: 0, won: 0, lost: 0, median: nil, revenue: [:]),
            Expected(group: "avi", leads: 2, opportunities: 2, won: 1, lost: 1, median: 3, revenue: ["USD": 2_000]),
            Expected(group: "dana", leads: 2, opportunities: 2, won: 1, lost: 0, median: 10, revenue: ["ILS": 10_000]),
        ]),
        // w6 is rejected before anyone owns it: it joins the leads without an owner; w5 joins avi.
        (.owner, true, [
            Expected(group: nil, leads: 4, opportunities: 0, won: 0, lost: 0, median: nil, revenue: [:]),
            Expected(group: "avi", leads: 3, opportunities: 3, won: 2, lost: 1, median: 2, revenue: ["ILS": 999, "USD": 2_000]),
            Expected(group: "dana", leads: 2, opportunities: 2, won: 1, lost: 0, median: 10, revenue: ["ILS": 10_000]),
        ]),
    ]

    @Test("funnel tallies by source and owner, test and rejected leads only when asked for", arguments: funnelCases)
    func funnelCounts(_ grouping: FunnelGrouping, _ includeBoth: Bool, _ expected: [Expected]) async throws {
        let store = try await Self.funnelStore()
        let counts = try await store.funnelCounts(grouping: grouping, includeTest: includeBoth, includeRejected: includeBoth, since: nil, until: nil)
        let rows = Funnel(grouping: grouping).rows(counts: counts)
        #expect(rows.map(\.group) == expected.map(\.group))
        for (row, expected) in zip(rows, expected) {
            #expect(row.leads == expected.leads, "\(expected)")
            #expect(row.opportunities == expected.opportunities, "\(expected)")
            #expect(row.won == expected.won && row.lost == expected.lost, "\(expected)")
            #expect(row.medianDaysToClose == expected.median, "\(expected)")
            #expect(row.wonRevenue == expected.revenue, "\(expected)")
        }
    }

    @Test("test leads without rejected ones, and the other way round")
    func eachExclusionAlone() async throws {
        let store = try await Self.funnelStore()
        let withTest = try await store.funnelCounts(grouping: .source, includeTest: true, includeRejected: false, since: nil, until: nil)
        #expect(Funnel(grouping: .source).rows(counts: withTest).map(\.leads) == [3, 5])
        let withRejected = try await store.funnelCounts(grouping: .source, includeTest: false, includeRejected: true, since: nil, until: nil)
        #expect(Funnel(grouping: .source).rows(counts: withRejected).map(\.leads) == [3, 5])
        #expect(Funnel(grouping: .source).rows(counts: withRejected)[1].won == 1, "w5 is a test lead")
    }

    @Test("the creation window is since ≤ created < until")
    func creationWindow() async throws {
        let store = try await Self.funnelStore()
        let later = try await store.funnelCounts(grouping: .source, includeTest: false, includeRejected: false, since: t0 + 1, until: nil)
        #expect(Funnel(grouping: .source).rows(counts: later).map(\.group) == ["facebook-il"])
        #expect(later.map(\.leads) == [1])
        let first = try await store.funnelCounts(grouping: .source, includeTest: false, includeRejected: false, since: t0, until: t0 + day)
        let rows = Funnel(grouping: .source).rows(counts: first)
        #expect(rows.map(\.leads) == [2, 4], "f3, created at t0 + 1 day, is out")
        #expect(rows[1].medianDaysToClose == 7)
    }

    @Test("forecast leads: open ones expected to close in the window, closed ones within a day of it, no test leads")
    func forecastWindow() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        var ids: [String: String] = [:]
        for name in ["open", "openLater", "early", "edgeStart", "edgeEnd", "late", "noClose", "test", "plain", "demoted"] {
            ids[name] = try await add(store, "\(name)@acme.co.il", isTest: name == "test")
        }
        func id(_ name: String) throws -> String { try #require(ids[name]) }
        try await move(store, id("open"), at: t0, owner: "dana", stage: "proposal", amount: 7_500, expectedClose: "2026-03-31")
        // Expected to close after the window: no bucket of this forecast can hold it.
        try await move(store, id("openLater"), at: t0, stage: "proposal", amount: 8_000, expectedClose: "2026-04-01")
        try await move(store, id("test"), at: t0, stage: "proposal", amount: 1)
        // The window 2026-01-01...2026-03-31 is read from 2025-12-31T00:00Z to 2026-04-02T00:00Z.
        try await move(store, id("early"), at: t0, stage: StageTable.won, amount: 1, closedAt: try instant("2025-12-30T23:59:59Z"))
        try await move(store, id("edgeStart"), at: t0, stage: StageTable.won, amount: 2, closedAt: try instant("2025-12-31T00:00:00Z"))
        try await move(store, id("edgeEnd"), at: t0, stage: StageTable.lost, amount: 3, closedAt: try instant("2026-04-01T23:59:59Z"))
        try await move(store, id("late"), at: t0, stage: StageTable.lost, amount: 4, closedAt: try instant("2026-04-02T00:00:00Z"))
        try await move(store, id("noClose"), at: t0, stage: StageTable.won, amount: 5)
        try await move(store, id("demoted"), at: t0, stage: "new")
        try await move(store, id("demoted"), at: t0 + day, stage: nil)

        let leads = try await store.forecastLeads(fromDay: "2026-01-01", toDay: "2026-03-31")
        let expected = try ["open", "edgeStart", "edgeEnd", "noClose"].map(id)
        #expect(Set(leads.map(\.id)) == Set(expected))
        let open = try #require(leads.first { $0.id == ids["open"] })
        #expect(open.status == .opportunity && !open.isTest)
        #expect(open.owner == "dana" && open.product == "crm" && open.source == "website" && open.createdAt == t0)
        #expect(open.opportunity == Opportunity(
            stage: "proposal", amount: 7_500, currency: "ILS", probability: 0, expectedClose: "2026-03-31", manual: true
        ))
        let edgeStart = try instant("2025-12-31T00:00:00Z")
        #expect(leads.first { $0.id == ids["edgeStart"] }?.opportunity?.closedAt == edgeStart)

        await #expect(throws: StoreError.self) { try await store.forecastLeads(fromDay: "2026-02-30", toDay: "2026-03-31") }
    }

    @Test("as of a cutoff: the leads then, each with its later changes in effective order")
    func asOf() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        // a: opened on arrival (no history row), to proposal, then — recorded in the other order — owner and win.
        let a = try await store.commit([record(email: "a@acme.co.il", phone: "+972541000001", qualifier: qualifier)])[0].leadID
        try await move(store, a, at: t0 + day, stage: "proposal")
        try await move(store, a, at: t0 + 25 * day, owner: "noa", stage: "proposal")
        try await move(store, a, at: t0 + 20 * day, stage: StageTable.won, amount: 3_000, closedAt: t0 + 20 * day)
        // b: an opportunity at the cutoff, a plain lead again since.
        let b = try await add(store, "b@acme.co.il")
        try await move(store, b, at: t0 + 2 * day, owner: "avi", stage: "new", amount: 800)
        try await move(store, b, at: t0 + 30 * day, stage: nil)
        // e: an opportunity only for a while before the cutoff; d: never one; c: created after the cutoff.
        let e = try await add(store, "e@acme.co.il")
        try await move(store, e, at: t0 + day, stage: "new")
        try await move(store, e, at: t0 + 3 * day, stage: nil)
        _ = try await add(store, "d@acme.co.il")
        let c = try await store.commit([record(email: "c@acme.co.il", phone: "+972541000003", at: t0 + 15 * day, qualifier: qualifier)])[0].leadID

        let asOf = try #require(AsOfDay(day: "2025-12-07", timeZone: TimeZone(identifier: "UTC") ?? .gmt))
        #expect(asOf.cutoff == t0 + 10 * day - 10 * 3_600)
        let result = try await store.forecastLeadsAsOf(cutoff: asOf.cutoff)
        #expect(Set(result.map(\.lead.id)) == [a, b])
        #expect(!result.map(\.lead.id).contains(c))

        let aChanges = try #require(result.first { $0.lead.id == a }?.changes)
        #expect(aChanges.map(\.field) == ["stage", "amount", "owner"], "by effective time, then as recorded")
        #expect(aChanges.map(\.at) == [t0 + 20 * day, t0 + 20 * day, t0 + 25 * day])
        #expect(aChanges.first.map { [$0.oldValue, $0.newValue] } == ["proposal", "won"])
        let bChanges = try #require(result.first { $0.lead.id == b }?.changes)
        #expect(bChanges.allSatisfy { $0.at == t0 + 30 * day && $0.leadID == b })
        #expect(bChanges.map(\.field).contains("status"))

        // Rebuilt, they are the opportunities of that day.
        let then = result.compactMap { asOf.state(of: $0.lead, changes: $0.changes) }
        #expect(then.first { $0.id == a }?.opportunity?.stage == "proposal")
        #expect(then.first { $0.id == a }?.opportunity?.closedAt == nil)
        #expect(then.first { $0.id == b }?.status == .opportunity)
        #expect(then.first { $0.id == b }?.opportunity?.stage == "new")
    }

    @Test("stage observations: the opening stage and each stage moved to, once per closed opportunity")
    func observations() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        func opened(_ email: String, _ phone: String, isTest: Bool = false) async throws -> String {
            var intake = record(email: email, phone: phone, qualifier: qualifier)
            intake.isTest = isTest
            return try await store.commit([intake])[0].leadID
        }
        // x: new → proposal → won.
        let x = try await opened("x@acme.co.il", "+972542000001")
        try await move(store, x, at: t0 + day, stage: "proposal")
        try await move(store, x, at: t0 + 2 * day, stage: StageTable.won, closedAt: t0 + 2 * day)
        // y: new → lost.
        let y = try await opened("y@acme.co.il", "+972542000002")
        try await move(store, y, at: t0 + day, stage: StageTable.lost, closedAt: t0 + day)
        // z: new → contacted → new → won: new counts once.
        let z = try await opened("z@acme.co.il", "+972542000003")
        try await move(store, z, at: t0 + day, stage: "contacted")
        try await move(store, z, at: t0 + 2 * day, stage: "new")
        try await move(store, z, at: t0 + 3 * day, stage: StageTable.won, closedAt: t0 + 3 * day)
        // p: a plain lead promoted straight into proposal, then lost.
        let p = try await add(store, "p@acme.co.il")
        try await move(store, p, at: t0 + day, stage: "proposal")
        try await move(store, p, at: t0 + 2 * day, stage: StageTable.lost, closedAt: t0 + 2 * day)
        // Left out: one still open, and a test lead's win.
        let open = try await opened("o@acme.co.il", "+972542000004")
        try await move(store, open, at: t0 + day, stage: "negotiation")
        let test = try await opened("t@acme.co.il", "+972542000005", isTest: true)
        try await move(store, test, at: t0 + day, stage: StageTable.won, closedAt: t0 + day)

        func key(_ observation: StageObservation) -> String { "\(observation.product) \(observation.stage) \(observation.won)" }
        let observations = try await store.stageObservations()
        #expect(observations.map(key).sorted() == [
            "crm contacted true", "crm new false", "crm new true", "crm new true", "crm proposal false", "crm proposal true",
        ])
    }

    @Test("forecast snapshots round-trip, and a snapshot of the same period, grouping, group and currency replaces the old one")
    func snapshots() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        func snapshot(_ grouping: ForecastGrouping, _ group: String?, _ currency: String, _ weighted: Double, period: String = "2026-Q2") -> ForecastSnapshot {
            ForecastSnapshot(period: period, grouping: grouping, group: group, currency: currency, weighted: weighted, commit: weighted / 2, bestCase: weighted * 3)
        }
        try await store.saveForecastSnapshots([
            snapshot(.org, nil, "USD", 2_000), snapshot(.org, nil, "ILS", 10_000),
            snapshot(.owner, "dana", "ILS", 4_000), snapshot(.owner, nil, "ILS", 500),
        ], takenAt: t0)
        #expect(try await store.forecastSnapshots(grouping: .org) == [snapshot(.org, nil, "ILS", 10_000), snapshot(.org, nil, "USD", 2_000)])
        #expect(try await store.forecastSnapshots(grouping: .owner) == [snapshot(.owner, nil, "ILS", 500), snapshot(.owner, "dana", "ILS", 4_000)])
        #expect(try await store.forecastSnapshots(grouping: .product) == [])

        try await store.saveForecastSnapshots([
            snapshot(.org, nil, "ILS", 12_000), snapshot(.owner, nil, "ILS", 600), snapshot(.org, nil, "ILS", 9_000, period: "2026-Q3"),
        ], takenAt: t0 + day)
        #expect(try await store.forecastSnapshots(grouping: .org) == [
            snapshot(.org, nil, "ILS", 12_000), snapshot(.org, nil, "USD", 2_000), snapshot(.org, nil, "ILS", 9_000, period: "2026-Q3"),
        ])
        #expect(try await store.forecastSnapshots(grouping: .owner) == [snapshot(.owner, nil, "ILS", 600), snapshot(.owner, "dana", "ILS", 4_000)])
    }

    @Test("the report reads walk covering indexes, never the leads' rows; the owner's list shares the reports' index")
    func queryPlans() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let reports = "SCAN leads USING COVERING INDEX leads_owner_reports"
        #expect(try await store.queryPlan(ReportSQL.forecast) == reports)
        #expect(try await store.queryPlan(ReportSQL.closedOpportunities) == reports)
        #expect(try await store.queryPlan(ReportSQL.asOf).hasPrefix("COMPOUND QUERY; LEFT-MOST SUBQUERY; \(reports); UNION ALL"))
        for created in [[], ["created_at >= ?", "created_at < ?"]] {
            #expect(try await store.queryPlan(ReportSQL.funnelTotals(.source, created: created)) == "SCAN leads USING COVERING INDEX leads_funnel_source")
            for grouping in [FunnelGrouping.owner, .product, .campaign, .criteria, .source] {
                for includeTest in [false, true] {
                    let plan = try await store.queryPlan(ReportSQL.funnelOutcomes(grouping, created: created, includeTest: includeTest))
                    #expect(plan == reports, "\(grouping), \(created), \(includeTest)")
                }
            }
        }
        // The owner's list walks the same index in its order (newest id first, no sort), from the cursor's id on.
        func listPlan(_ query: LeadQuery) async throws -> String {
            try await store.queryPlan(SQLiteLeadStore.listSQL(query, limit: 50).sql)
        }
        #expect(try await listPlan(LeadQuery(owner: "dana")) == "SEARCH leads USING INDEX leads_owner_reports (owner=?)")
        #expect(try await listPlan(LeadQuery(owner: "dana", after: "ld_1")) == "SEARCH leads USING INDEX leads_owner_reports (owner=? AND id<?)")
        #expect(try await listPlan(LeadQuery(product: "crm")) == "SEARCH leads USING INDEX leads_product (product=?)")
    }

    /// A store made before the owner's index took the reports' columns opens with one index in place of the two, and
    /// both reads find what they found: an opportunity without an owner, and an owner's lead that is no opportunity.
    @Test func aStoreWithTheOwnerAndOpportunityIndexesApartOpensWithOneIndexForBoth() async throws {
        let path = try await databaseMigrated(upTo: "v7-phone-without-email") { db in
            let body = #"{"contact":{},"attribution":{"source":"website","source_type":"web_form"}}"#
            try db.execute(sql: """
                INSERT INTO leads (id, status, source, source_type, search, body, product, owner, stage, amount, currency,
                                   probability, created_at, updated_at)
                VALUES ('ld_1', 'opportunity', 'website', 'web_form', '', ?1, 'crm', NULL, 'proposal', 5000, 'ILS', 0.5, 0, 0),
                       ('ld_2', 'lead', 'website', 'web_form', '', ?1, 'crm', 'dana', NULL, NULL, NULL, NULL, 0, 0),
                       ('ld_3', 'opportunity', 'website', 'web_form', '', ?1, 'crm', 'dana', 'new', 15000, 'ILS', 0.1, 0, 0)
                """, arguments: [body])
        }
        let store = try SQLiteLeadStore(path: path)
        let indexes = try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' AND name LIKE 'leads_o%'")
        }
        #expect(indexes == ["leads_owner_reports"])
        #expect(try await store.leads(LeadQuery(owner: "dana")).leads.map(\.id) == ["ld_3", "ld_2"])
        #expect(try await store.leads(LeadQuery(owner: "dana", after: "ld_3")).leads.map(\.id) == ["ld_2"])
        let open = try await store.forecastLeads(fromDay: "1969-01-01", toDay: "2100-01-01")
        #expect(open.map(\.id).sorted() == ["ld_1", "ld_3"])
        #expect(open.first { $0.id == "ld_1" }?.owner == nil)
    }
}
