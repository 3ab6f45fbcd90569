import Foundation
import LeadGateCore
import Testing
@testable import LeadGateStore

/// A catalog of one product: business emails with a phone are opportunities, dealt round robin to three reps.
func catalogQualifier(owners: [String] = ["dana", "avi", "noa"], threshold: Int = 50) throws -> CatalogQualifier {
    let rules = [
        try Rule(name: "spam", when: Condition(field: "email_domain", .in, .list([.bare("mailinator.com")])), reject: true),
        try Rule(name: "business-email", when: Condition(field: "email_free", .equals, .bare("false")), points: 30),
        try Rule(name: "has-phone", when: Condition(field: "phone", .present, .bare("true")), points: 20),
    ]
    let product = try Product(
        name: "crm", match: nil, deal: Deal(amount: 1000, currency: "ILS", cycleDays: 30), stages: .standard,
        criteria: Criteria(product: "crm", version: 1, threshold: threshold, rules: rules),
        assignment: .roundRobin(owners)
    )
    return CatalogQualifier(catalog: try ProductCatalog(products: [product]), timeZone: TimeZone(identifier: "Asia/Jerusalem") ?? .current)
}

@Suite struct QualificationStoreTests {
    @Test func anOpportunityIsStoredWithItsQualificationOwnerAndOpeningState() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        let outcome = try await store.commit([record(email: "dana@acme.co.il", phone: "+972541234567", qualifier: qualifier)])[0]
        #expect(outcome.status == .opportunity)
        let lead = try #require(try await store.lead(id: outcome.leadID))
        #expect(lead.product == "crm")
        #expect(lead.owner == "dana")
        #expect(lead.qualification?.criteria == "crm@1")
        #expect(lead.qualification?.score == 50)
        #expect(lead.qualification?.reasons.map(\.rule) == ["spam", "business-email", "has-phone"])
        #expect(lead.opportunity == Opportunity(stage: "new", amount: 1000, currency: "ILS", probability: 0.1, expectedClose: "2025-12-28"))
        #expect(try await store.history(leadID: outcome.leadID).map(\.field) == ["stage"])
    }

    @Test func rejectRulesAndFreeMailDecide() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        let spam = try await store.commit([record(email: "x@mailinator.com", phone: "+972541234567", qualifier: qualifier)])[0]
        #expect(spam.status == .rejected)
        #expect(spam.rejectReason == "spam")
        let free = try await store.commit([record(email: "x@gmail.com", phone: "+972541234568", qualifier: qualifier)])[0]
        #expect(free.status == .lead)
        #expect(try await store.lead(id: free.leadID)?.owner == nil, "only opportunities get an owner")
    }

    @Test func roundRobinIsFairUnderTwoHundredConcurrentIntakesAndAcrossRestarts() async throws {
        let path = temporaryDatabasePath()
        let qualifier = try catalogQualifier()
        do {
            let store = try SQLiteLeadStore(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        _ = try await store.commit([record(email: "p\(index)@acme.co.il", phone: "+97254\(String(format: "%07d", index))", qualifier: qualifier)])
                    }
                }
                try await group.waitForAll()
            }
            let owners = try await store.leads(LeadQuery(limit: 500)).leads.compactMap(\.owner)
            let counts = Dictionary(grouping: owners, by: { $0 }).mapValues(\.count)
            #expect(owners.count == 200)
            #expect(counts.values.max()! - counts.values.min()! <= 1, "200 across 3 reps is 67/67/66: \(counts)")
        }
        let reopened = try SQLiteLeadStore(path: path)
        let next = try await reopened.commit([record(email: "after@acme.co.il", phone: "+972549999999", qualifier: qualifier)])[0]
        // 200 turns were dealt (dana, avi, noa, ...): turn 201 continues the cycle where it stopped.
        #expect(try await reopened.lead(id: next.leadID)?.owner == ["dana", "avi", "noa"][200 % 3])
    }

    @Test func twoProductsInOneCommitEachDealInTheirOwnTurn() async throws {
        // Routed by source: each product keeps its own count, drawn and saved within the one transaction.
        func product(_ name: String, source: String, owners: [String]) throws -> Product {
            try Product(
                name: name, match: Condition(field: "source", .equals, .bare(source)), deal: Deal(amount: 1000, currency: "ILS", cycleDays: 30),
                stages: .standard, criteria: Criteria(product: name, version: 1, threshold: 0, rules: [
                    Rule(name: "reachable", when: Condition(field: "phone", .present, .bare("true")), points: 1),
                ]),
                assignment: .roundRobin(owners)
            )
        }
        let catalog = try ProductCatalog(products: [
            product("crm", source: "website", owners: ["dana", "avi", "noa"]), product("erp", source: "expo", owners: ["moshe", "rina"]),
        ])
        let qualifier = CatalogQualifier(catalog: catalog, timeZone: TimeZone(identifier: "Asia/Jerusalem") ?? .current)
        let path = temporaryDatabasePath()
        let sources = ["website", "expo", "expo", "website", "expo", "website", "website", "expo"]
        let records = sources.enumerated().map { index, source in
            record(source: source, email: "p\(index)@acme.co.il", phone: "+97254111\(String(format: "%04d", index))", qualifier: qualifier)
        }
        let store = try SQLiteLeadStore(path: path)
        let outcomes = try await store.commit(records)
        var owners: [String] = []
        for outcome in outcomes { owners.append(try #require(try await store.lead(id: outcome.leadID)?.owner)) }
        #expect(owners == ["dana", "moshe", "rina", "avi", "moshe", "noa", "dana", "rina"])
        let reopened = try SQLiteLeadStore(path: path)
        let next = try await reopened.commit([
            record(source: "expo", email: "later@acme.co.il", phone: "+972541119999", qualifier: qualifier),
            record(source: "website", email: "later2@acme.co.il", phone: "+972541119998", qualifier: qualifier),
        ])
        #expect(try await reopened.lead(id: next[0].leadID)?.owner == "moshe", "erp dealt 4 turns: the fifth is moshe's")
        #expect(try await reopened.lead(id: next[1].leadID)?.owner == "avi", "crm dealt 4 turns: the fifth is avi's")
    }

    @Test func aNewTouchUpgradesALeadButNeverDowngradesAnOpportunityAPersonMoved() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        let first = try await store.commit([record(email: "ron@acme.co.il", qualifier: qualifier)])[0]
        #expect(first.status == .lead, "30 points: below the threshold")
        let second = try await store.commit([record(email: "ron@acme.co.il", phone: "+972541111111", at: t0.addingTimeInterval(60), qualifier: qualifier)])[0]
        #expect(second.leadID == first.leadID)
        #expect(second.status == .opportunity, "the phone from the second touch makes 50")
        let upgraded = try #require(try await store.lead(id: first.leadID))
        #expect(upgraded.owner == "dana")
        // The qualification the touch stored is the merged lead's, value by value.
        #expect(upgraded.qualification?.score == 50)
        #expect(upgraded.qualification?.reasons == [
            QualificationReason(rule: "spam", passed: false, points: 0, value: "acme.co.il"),
            QualificationReason(rule: "business-email", passed: true, points: 30, value: "false"),
            QualificationReason(rule: "has-phone", passed: true, points: 20, value: "+972541111111"),
        ])

        // A person moves it; stricter criteria arrive; a new touch must not take it back.
        _ = try await store.update(leadID: first.leadID, actor: "avi", at: t0.addingTimeInterval(120), recordedAt: t0.addingTimeInterval(120), routes: NotificationRoutes()) { lead in
            var state = LeadState(of: lead)
            state.opportunity?.stage = "proposal"
            state.opportunity?.manual = true
            return state
        }
        let strict = try catalogQualifier(threshold: 90)
        let third = try await store.commit([record(email: "ron@acme.co.il", at: t0.addingTimeInterval(180), qualifier: strict)])[0]
        #expect(third.status == .opportunity)
        #expect(try await store.lead(id: first.leadID)?.opportunity?.stage == "proposal")
    }

    /// Stores written before the blob hold each qualification as JSON text: such a row reads back the same.
    @Test func aQualificationStoredAsJSONByAnEarlierVersionReadsBack() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let outcome = try await store.commit([record(email: "old@acme.co.il", phone: "+972543333333", qualifier: try catalogQualifier())])[0]
        let written = try #require(try await store.lead(id: outcome.leadID)?.qualification)
        try await store.pool.write { db in
            try db.execute(
                sql: "UPDATE leads SET qualification = ? WHERE id = ?",
                arguments: [#"{"d":"opportunity","r":[[0,0,"acme.co.il"],[1,30,"false"],[1,20,"+972543333333"]]}"#, outcome.leadID])
        }
        #expect(try await store.lead(id: outcome.leadID)?.qualification == written)
    }

    @Test func anUntouchedOpportunityFollowsTheCurrentCriteria() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(email: "gal@acme.co.il", phone: "+972542222222", qualifier: try catalogQualifier())])[0]
        #expect(first.status == .opportunity)
        let again = try await store.commit([record(email: "gal@acme.co.il", at: t0.addingTimeInterval(900), qualifier: try catalogQualifier(threshold: 90))])[0]
        #expect(again.status == .lead)
        let lead = try #require(try await store.lead(id: first.leadID))
        #expect(lead.opportunity == nil)
        #expect(try await store.history(leadID: first.leadID).map(\.field) == ["stage", "stage", "status"])
    }

    @Test func updatesWriteOneHistoryRowPerChangedFieldWithTheTrueDate() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let id = try await store.commit([record(email: "a@acme.co.il", phone: "+972543333333", qualifier: try catalogQualifier())])[0].leadID
        let happened = t0.addingTimeInterval(86_400)
        let recorded = t0.addingTimeInterval(10 * 86_400)
        let updated = try await store.update(leadID: id, actor: "crm-sync", at: happened, recordedAt: recorded, routes: NotificationRoutes()) { lead in
            var state = LeadState(of: lead)
            state.opportunity?.stage = "won"
            state.opportunity?.amount = 1500
            state.opportunity?.closedAt = happened
            state.owner = "noa"
            return state
        }
        #expect(updated?.opportunity?.closedAt == happened)
        let rows = try await store.history(leadID: id).filter { $0.actor == "crm-sync" }
        #expect(Set(rows.map(\.field)) == ["stage", "amount", "owner"])
        #expect(rows.allSatisfy { $0.at == happened && $0.recordedAt == recorded })
        #expect(rows.first { $0.field == "amount" }.map { [$0.from, $0.to] } == ["1000", "1500"])
        #expect(try await store.update(leadID: "ld_missing", actor: "x", at: t0, recordedAt: t0, routes: NotificationRoutes()) { LeadState(of: $0) } == nil)
        // A change to nothing writes nothing and answers the lead as a read does, touches and all.
        let unchanged = try await store.update(leadID: id, actor: "x", at: t0, recordedAt: recorded, routes: NotificationRoutes()) { LeadState(of: $0) }
        #expect(unchanged == (try await store.lead(id: id)))
        #expect(unchanged?.touches.count == 1)
        #expect(try await store.history(leadID: id).filter { $0.actor == "x" }.isEmpty)
    }

    @Test func aRefusedUpdateChangesNothing() async throws {
        struct Refused: Error {}
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let id = try await store.commit([record(email: "b@acme.co.il", phone: "+972544444444", qualifier: try catalogQualifier())])[0].leadID
        await #expect(throws: Refused.self) {
            _ = try await store.update(leadID: id, actor: "x", at: t0, recordedAt: t0, routes: NotificationRoutes()) { _ in throw Refused() }
        }
        #expect(try await store.lead(id: id)?.opportunity?.stage == "new")
        #expect(try await store.history(leadID: id).count == 1)
    }

    @Test func criteriaChangedWithoutAVersionBumpAreRefused() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        try await store.registerCriteria(product: "crm", version: 1, rulesHash: "aaaa", at: t0)
        try await store.registerCriteria(product: "crm", version: 1, rulesHash: "aaaa", at: t0)
        try await store.registerCriteria(product: "crm", version: 2, rulesHash: "bbbb", at: t0)
        await #expect {
            try await store.registerCriteria(product: "crm", version: 1, rulesHash: "cccc", at: t0)
        } throws: { error in
            (error as? StoreError)?.code == "criteria_changed" && "\(error)".contains("raise criteria.version")
        }
    }

    @Test func replayYieldsTheProductsLeadsWithTheirOutcomes() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let qualifier = try catalogQualifier()
        let won = try await store.commit([record(email: "w@acme.co.il", phone: "+972545555555", qualifier: qualifier)])[0].leadID
        _ = try await store.commit([record(email: "l@gmail.com", at: t0.addingTimeInterval(5), qualifier: qualifier)])
        _ = try await store.update(leadID: won, actor: "x", at: t0, recordedAt: t0, routes: NotificationRoutes()) { lead in
            var state = LeadState(of: lead)
            state.opportunity?.stage = "won"
            return state
        }
        let seen = ReplayLog()
        try await store.replay(product: "crm", since: nil) { seen.add($0) }
        #expect(seen.all.map(\.lead.contact.email) == ["w@acme.co.il", "l@gmail.com"])
        #expect(seen.all.map { $0.opportunity?.stage } == ["won", nil])
        #expect(seen.all.first?.lead.phoneLineType == nil || seen.all.first?.lead.contact.phone == "+972545555555")
    }
}

/// Collects replayed leads from the store's callback.
final class ReplayLog: @unchecked Sendable {
    // @unchecked: written only from the store's one read callback, read after it returns.
    private(set) var all: [ReplayLead] = []
    func add(_ lead: ReplayLead) { all.append(lead) }
}
