import Foundation
import GRDB
import LeadGateCore
import Testing
@testable import LeadGateStore

/// The outbox as the delivery worker uses it: claim a batch in due order, read its leads in one go, keep
/// payloads, record attempts in one transaction.
@Suite struct OutboxStoreTests {
    /// A store with `count` leads, each with one pending `lead` delivery to `crm`, received a second apart.
    static func store(leads count: Int) async throws -> (SQLiteLeadStore, [String]) {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        var ids: [String] = []
        for index in 0..<count {
            var intake = record(email: "lead\(index)@example.com", name: "ליד \(index)", at: t0.addingTimeInterval(Double(index)))
            intake.routes = NotificationRoutes([.lead: ["crm"]])
            ids.append(try await store.commit([intake])[0].leadID)
        }
        return (store, ids)
    }

    @Test func claimsTheDueInOrderAndNotTwiceWhileLeased() async throws {
        let (store, ids) = try await Self.store(leads: 5)
        let now = t0.addingTimeInterval(60)
        let first = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 3)
        #expect(first.map(\.leadID) == Array(ids.prefix(3)))
        let second = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 3)
        #expect(second.map(\.leadID) == Array(ids.suffix(2)), "leased rows are not claimed again")
        #expect(try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 3).isEmpty)
        // Once the lease has run out, the rows are due again.
        let later = now.addingTimeInterval(121)
        #expect(try await store.claimDeliveries(now: later, leaseUntil: later.addingTimeInterval(120), limit: 10).count == 5)
    }

    @Test func theClaimWalksTheDueIndexInsteadOfSortingTheBacklog() async throws {
        let (store, _) = try await Self.store(leads: 3)
        let rows = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteLeadStore.claimSQL, arguments: [2, 1, 1, 1, 256]).map { $0["detail"] as String }
        }
        #expect(rows.contains { $0.contains("USING INDEX outbox_due") }, "\(rows)")
        #expect(!rows.contains { $0.contains("TEMP B-TREE") }, "a claim must not sort the whole backlog: \(rows)")
    }

    @Test func readsTheLeadsOfABatchWithTheirTouches() async throws {
        let (store, ids) = try await Self.store(leads: 3)
        var again = record(email: "lead1@example.com", at: t0.addingTimeInterval(30))
        again.routes = NotificationRoutes()
        _ = try await store.commit([again])
        // Ids go to SQLite as one JSON array: one that needs escaping finds nothing and breaks nothing.
        let leads = try await store.leads(ids: ids + ["ld_missing", "ld_\"quoted\"\\ שלום"])
        #expect(leads.count == 3)
        for id in ids {
            let single = try #require(try await store.lead(id: id))
            #expect(leads[id] == single, "the batch read gives what the single read gives")
        }
        #expect(leads[ids[1]]?.touches.count == 2)
        #expect(try await store.leads(ids: []).isEmpty)
        // A page of the listing reads its touches the same batched way.
        let page = try await store.leads(LeadQuery(limit: 10)).leads
        #expect(page.count == 3)
        for lead in page { #expect(lead == leads[lead.id]) }
    }

    @Test func recordsAttemptsAndKeepsTheFirstPayload() async throws {
        let (store, _) = try await Self.store(leads: 3)
        let now = t0.addingTimeInterval(60)
        let due = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10)
        let retryAt = now.addingTimeInterval(30)
        func attempt(_ status: Int?) -> DeliveryAttempt {
            DeliveryAttempt(at: now, status: status, latencyMilliseconds: 3, error: status == nil ? "refused" : nil, response: nil)
        }
        try await store.recordAttempts([
            AttemptRecord(deliveryID: due[0].id, attempt: attempt(200), outcome: .delivered),
            AttemptRecord(deliveryID: due[1].id, attempt: attempt(nil), outcome: .retry(at: retryAt), payload: Array("first".utf8)),
            AttemptRecord(deliveryID: due[2].id, attempt: attempt(410), outcome: .disableChannel(reason: "gone"), payload: Array("gone".utf8)),
        ], releasing: [])
        // The retry's next attempt: a body is kept once, never replaced.
        try await store.recordAttempts([
            AttemptRecord(deliveryID: due[1].id, attempt: attempt(500), outcome: .retry(at: retryAt), payload: Array("second".utf8)),
        ], releasing: [])
        let all = Dictionary(uniqueKeysWithValues: try await store.deliveries(status: nil, limit: 10).map { ($0.id, $0) })
        #expect(all[due[0].id]?.status == .delivered)
        #expect(all[due[0].id]?.payload == nil, "a delivered body is not written back")
        #expect(all[due[1].id]?.payload == Array("first".utf8), "a payload once kept is never replaced")
        #expect(all[due[2].id]?.payload == Array("gone".utf8))
        #expect(all[due[1].id]?.status == .failed)
        #expect(all[due[1].id]?.nextAttemptAt == retryAt)
        #expect(all[due[1].id]?.attempts == 2)
        #expect(all[due[2].id]?.status == .dead)
        #expect(try await store.disabledChannels() == ["crm": "gone"])
        #expect(try await store.attempts(deliveryID: due[1].id).map(\.error) == ["refused", nil])
        // The channel is off: even the one due for a retry is not claimed.
        #expect(try await store.claimDeliveries(now: retryAt, leaseUntil: retryAt.addingTimeInterval(120), limit: 10).isEmpty)
    }

    @Test func aPausedChannelIsNotClaimedUntilThePauseEndsAndReleasedRowsAreDueAtOnce() async throws {
        let (store, _) = try await Self.store(leads: 4)
        let now = t0.addingTimeInterval(60)
        let due = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10)
        #expect(due.count == 4)
        let pauseEnd = now.addingTimeInterval(30)
        let busy = DeliveryAttempt(at: now, status: 429, latencyMilliseconds: 2, error: nil, response: nil)
        // One answered 429 with Retry-After; the other three were claimed and never sent: their leases end now.
        try await store.recordAttempts(
            [AttemptRecord(deliveryID: due[0].id, attempt: busy, outcome: .retry(at: pauseEnd), payload: Array("body".utf8), pauseChannelUntil: pauseEnd)],
            releasing: due[1...].map(\.id))
        // A shorter pause asked later does not cut the first one short.
        try await store.recordAttempts(
            [AttemptRecord(deliveryID: due[0].id, attempt: busy, outcome: .retry(at: pauseEnd), pauseChannelUntil: now.addingTimeInterval(5))],
            releasing: [])
        let during = now.addingTimeInterval(29)
        #expect(try await store.claimDeliveries(now: during, leaseUntil: during.addingTimeInterval(120), limit: 10).isEmpty)
        // What the pause holds is listed as due when it ends.
        #expect(try await store.deliveries(status: nil, limit: 10).allSatisfy { $0.nextAttemptAt == pauseEnd })
        // Once it ends, all four are due: the released three at once (not when their 120 s leases would have ended).
        let claimed = try await store.claimDeliveries(now: pauseEnd, leaseUntil: pauseEnd.addingTimeInterval(120), limit: 10)
        #expect(Set(claimed.map(\.id)) == Set(due.map(\.id)))
        #expect(claimed.first { $0.id == due[0].id }?.attempts == 2)
        #expect(claimed.filter { $0.id != due[0].id }.allSatisfy { $0.attempts == 0 }, "a released delivery spent no attempt")
    }

    @Test func theOtherRefusalsOfAPauseLeaveTheHeldBacklogWhereTheFirstPutIt() async throws {
        let (store, _) = try await Self.store(leads: 4)
        let now = t0.addingTimeInterval(60)
        let due = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 2)
        let first = now.addingTimeInterval(60), second = now.addingTimeInterval(61)
        // Two requests in flight both answer 429, a second apart: the pause ends with the later one.
        for (delivery, end) in [(due[0], first), (due[1], second)] {
            let busy = DeliveryAttempt(at: end.addingTimeInterval(-60), status: 429, latencyMilliseconds: 2, error: nil, response: nil)
            try await store.recordAttempts(
                [AttemptRecord(deliveryID: delivery.id, attempt: busy, outcome: .retry(at: end), pauseChannelUntil: end)], releasing: [])
        }
        let held = try await store.deliveries(status: .pending, limit: 10)
        #expect(held.count == 2)
        #expect(held.allSatisfy { $0.nextAttemptAt == first }, "the second refusal does not move the backlog again")
        #expect(try await store.pausedChannels(at: now)["crm"]?.until == second)
        #expect(try await store.claimDeliveries(now: first, leaseUntil: first.addingTimeInterval(120), limit: 10).isEmpty)
        #expect(try await store.claimDeliveries(now: second, leaseUntil: second.addingTimeInterval(120), limit: 10).count == 4)
    }

    @Test func aManualRetryEndsAPause() async throws {
        let (store, _) = try await Self.store(leads: 2)
        let now = t0.addingTimeInterval(60)
        let due = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10)
        let busy = DeliveryAttempt(at: now, status: 503, latencyMilliseconds: 2, error: nil, response: nil)
        let hourLater = now.addingTimeInterval(3600)
        try await store.recordAttempts(
            [AttemptRecord(deliveryID: due[0].id, attempt: busy, outcome: .retry(at: hourLater), pauseChannelUntil: hourLater)],
            releasing: [due[1].id])
        #expect(try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10).isEmpty)
        let paused = try await store.pausedChannels(at: now)
        #expect(paused["crm"]?.until == hourLater)
        #expect(paused["crm"]?.reason == "the receiver answered 503 with Retry-After on delivery \(due[0].id)")
        #expect(try await store.pausedChannels(at: hourLater).isEmpty, "a pause that has run out is not listed")
        #expect(try await store.retryDelivery(id: due[0].id, now: now))
        #expect(try await store.pausedChannels(at: now).isEmpty)
        #expect(Set(try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10).map(\.id)) == Set(due.map(\.id)))
    }

    /// Renders a body from what it is given: the event, the lead's status, owner, stage and touches, the delivery id
    /// and the time. Channel `late` renders nothing (its deliveries are rendered at their first attempt).
    struct StateRenderer: NotificationBodyRenderer {
        func body(of event: LeadEvent, lead: Lead, channel: String, deliveryID: String, at date: Date) -> [UInt8]? {
            guard channel != "late" else { return nil }
            let facts = [
                event.rawValue, lead.status.rawValue, lead.owner ?? "-", lead.opportunity?.stage ?? "-", "\(lead.touches.count)",
                deliveryID, "\(Int(date.timeIntervalSince(t0)))",
            ]
            return Array(facts.joined(separator: " ").utf8)
        }
    }

    /// Each body is the lead as the transaction of its event leaves it, written with the outbox row: a new lead's, a
    /// touch's that opens the opportunity (the owner dealt in that transaction), and a change's (the stage it moved to).
    @Test func eachBodyIsRenderedFromTheLeadAsItsEventLeftIt() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let routes = NotificationRoutes([.lead: ["crm", "late"], .opportunity: ["crm"], .stageChanged: ["crm"]], renderer: StateRenderer())
        var first = record(email: "ron@acme.co.il", qualifier: try catalogQualifier())
        first.routes = routes
        let id = try await store.commit([first])[0].leadID
        var second = record(email: "ron@acme.co.il", phone: "+972541111111", at: t0.addingTimeInterval(60), qualifier: try catalogQualifier())
        second.routes = routes
        #expect(try await store.commit([second])[0].status == .opportunity, "the phone of the second touch makes 50 points")
        let moved = t0.addingTimeInterval(120)
        _ = try await store.update(leadID: id, actor: "avi", at: moved, recordedAt: moved, routes: routes) { lead in
            var state = LeadState(of: lead)
            state.opportunity?.stage = "proposal"
            return state
        }
        let now = t0.addingTimeInterval(3600)
        let due = try await store.claimDeliveries(now: now, leaseUntil: now.addingTimeInterval(120), limit: 10)
        #expect(due.map { "\($0.event.rawValue)>\($0.channel)" } == ["lead>crm", "lead>late", "opportunity>crm", "stage_changed>crm"])
        let bodies = due.map { $0.payload.map { String(decoding: $0, as: UTF8.self) } }
        #expect(bodies == [
            "lead lead - - 1 \(due[0].id) 0",
            nil,
            "opportunity opportunity dana new 2 \(due[2].id) 60",
            "stage_changed opportunity dana proposal 2 \(due[3].id) 120",
        ])
        // The listing shows the same bodies.
        let listed = Dictionary(uniqueKeysWithValues: try await store.deliveries(status: nil, limit: 10).map { ($0.id, $0.payload) })
        #expect(due.map { listed[$0.id] ?? nil } == due.map(\.payload))
    }

    /// A new lead's bodies are rendered from the lead as written, made in the writer from what it has in hand: the same
    /// lead, to the byte, as a read of the store gives (a rejected one, a lead, an opportunity with its owner and reasons).
    @Test func aNewLeadsBodyIsTheLeadAsTheStoreReadsIt() async throws {
        struct WholeLead: NotificationBodyRenderer {
            func body(of event: LeadEvent, lead: Lead, channel: String, deliveryID: String, at date: Date) -> [UInt8]? {
                try? LeadJSON.bytes(lead)
            }
        }
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let routes = NotificationRoutes([.lead: ["crm"], .opportunity: ["crm"], .rejected: ["crm"]], renderer: WholeLead())
        var opportunity = record(
            email: "Dana@Acme.co.il", phone: "+972541234567", name: "דנה כהן", externalID: "fb-1", at: t0.addingTimeInterval(0.0004),
            qualifier: try catalogQualifier(), fields: ["תקציב": "20,000 ₪", "utm_source": "פייסבוק"])
        opportunity.lead.consent = Consent(marketing: true, at: t0.addingTimeInterval(-0.25))
        opportunity.lead.problems = [NormalizationProblem(field: "phone_2", reason: "not a phone number")]
        opportunity.isTest = true
        var lead = record(email: "noa@gmail.com", name: "Noa", at: t0.addingTimeInterval(1.2345), qualifier: try catalogQualifier())
        var rejected = record(email: "x@mailinator.com", at: t0.addingTimeInterval(2), qualifier: try catalogQualifier())
        opportunity.routes = routes; lead.routes = routes; rejected.routes = routes
        let outcomes = try await store.commit([opportunity, lead, rejected])
        #expect(outcomes.map(\.status) == [.opportunity, .lead, .rejected])
        let due = try await store.claimDeliveries(now: t0.addingTimeInterval(60), leaseUntil: t0.addingTimeInterval(180), limit: 10)
        #expect(due.count == 4)
        for delivery in due {
            let stored = try #require(try await store.lead(id: delivery.leadID))
            #expect(delivery.payload == (try LeadJSON.bytes(stored)), "\(delivery.event) of \(stored.status)")
        }
        #expect(try await store.lead(id: outcomes[0].leadID)?.owner == "dana")
    }

    /// A store written by a version that kept bodies in the outbox row (rendered at a failed first attempt) opens
    /// with those bodies kept apart, and its deliveries send them.
    @Test func bodiesKeptInTheOutboxRowsByAnEarlierVersionMoveApart() async throws {
        let path = try await databaseMigrated(upTo: "v5-channel-pauses") { db in
            try db.execute(sql: """
                INSERT INTO outbox (id, channel, event, lead_id, status, attempts, next_attempt_at, payload, created_at, updated_at)
                VALUES ('msg_kept', 'crm', 'lead', 'ld_1', 'failed', 1, 0, CAST('{"kept":"שלום"}' AS BLOB), 0, 0),
                       ('msg_none', 'crm', 'lead', 'ld_2', 'pending', 0, 0, NULL, 0, 0)
                """)
        }
        let store = try SQLiteLeadStore(path: path)
        let due = try await store.claimDeliveries(now: t0, leaseUntil: t0.addingTimeInterval(120), limit: 10)
        #expect(due.map(\.id) == ["msg_kept", "msg_none"])
        #expect(due.map { $0.payload.map { String(decoding: $0, as: UTF8.self) } } == [#"{"kept":"שלום"}"#, nil])
        let columns = try await store.pool.read { db in try db.columns(in: "outbox").map(\.name) }
        #expect(!columns.contains("payload"))
    }
}
