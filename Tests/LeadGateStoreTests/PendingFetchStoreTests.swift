import Foundation
import LeadGateCore
import Testing
@testable import LeadGateStore

/// A Meta notification as the adapter drafts it: ids only, marked `_pending_fetch`.
private func pendingRecord(leadgenID: String, at date: Date = t0) -> IntakeRecord {
    record(source: "facebook", externalID: leadgenID, at: date, window: nil, fields: [pendingFetchField: "meta", "page_id": "77"])
}

/// The same lead with the platform's answers, completing pending lead `id`.
private func completion(of id: String, leadgenID: String, email: String, name: String) -> IntakeRecord {
    var completed = record(source: "facebook", email: email, name: name, externalID: leadgenID, window: nil, fields: ["page_id": "77"])
    completed.leadID = id
    completed.completing = id
    completed.payload = Array("graph answer".utf8)
    return completed
}

@Suite struct PendingFetchStoreTests {
    @Test func aPendingLeadIsQueuedForItsFetchAndShowsItsState() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let pending = try await store.commit([pendingRecord(leadgenID: "12345678901234567")])[0]
        #expect(pending.status == .pendingFetch)
        let lead = try #require(try await store.lead(id: pending.leadID))
        #expect(lead.fetch == FetchStatus(state: .waiting, attempts: 0, nextAttemptAt: t0))

        let claimed = try await store.claimPendingFetches(now: t0, leaseUntil: t0.addingTimeInterval(300), limit: 10)
        #expect(claimed.map(\.leadID) == [pending.leadID])
        #expect(claimed.first?.externalID == "12345678901234567")
        #expect(claimed.first?.fields[pendingFetchField] == "meta")
        // Leased: not handed out again until the lease ends.
        #expect(try await store.claimPendingFetches(now: t0.addingTimeInterval(299), leaseUntil: t0.addingTimeInterval(600), limit: 10).isEmpty)
        #expect(try await store.claimPendingFetches(now: t0.addingTimeInterval(300), leaseUntil: t0.addingTimeInterval(600), limit: 10).count == 1)
        #expect(try await store.pendingFetchCounts() == ["facebook": [.waiting: 1]])
    }

    @Test func aFailureIsRecordedOnTheLeadAndDelaysTheNextAttempt() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let pending = try await store.commit([pendingRecord(leadgenID: "1")])[0]
        let retry = t0.addingTimeInterval(60)
        let status = FetchStatus(state: .needsConfiguration, attempts: 1, nextAttemptAt: retry, lastStatus: 400, lastError: "Graph API 400 (code 200)")
        try await store.recordFetchFailure(leadID: pending.leadID, status: status, at: t0)
        #expect(try await store.lead(id: pending.leadID)?.fetch == status)
        #expect(try await store.claimPendingFetches(now: t0.addingTimeInterval(59), leaseUntil: retry, limit: 10).isEmpty)
        #expect(try await store.claimPendingFetches(now: retry, leaseUntil: retry.addingTimeInterval(300), limit: 10).first?.attempts == 1)
        #expect(try await store.pendingFetchCounts() == ["facebook": [.needsConfiguration: 1]])

        try await store.recordFetchFailure(
            leadID: pending.leadID, status: FetchStatus(state: .gaveUp, attempts: 2, nextAttemptAt: nil, lastStatus: 404, lastError: "gone"), at: t0)
        #expect(try await store.claimPendingFetches(now: t0.addingTimeInterval(86_400 * 365), leaseUntil: t0, limit: 10).isEmpty)
        #expect(try await store.lead(id: pending.leadID)?.status == .pendingFetch)
    }

    @Test func completionTurnsThePendingLeadIntoTheLeadUnderTheSameID() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let pending = try await store.commit([pendingRecord(leadgenID: "555")])[0]
        let outcome = try await store.commit([completion(of: pending.leadID, leadgenID: "555", email: "dana@acme.co.il", name: "דנה כהן")])[0]
        #expect(outcome.leadID == pending.leadID)
        #expect(outcome.kind == .created)
        #expect(outcome.status == .lead)
        let lead = try #require(try await store.lead(id: pending.leadID))
        #expect(lead.status == .lead)
        #expect(lead.contact.fullName == "דנה כהן")
        #expect(lead.fetch == nil)
        #expect(lead.touches.map(\.externalID) == ["555"])
        #expect(try await store.pendingFetchCounts().isEmpty)
        // The notification stays the touch's payload.
        #expect(try await store.pool.read { db in try Data.fetchOne(db, sql: "SELECT payload FROM touches") } == Data("payload".utf8))

        // A second completion of the same lead (a retried attempt) changes nothing.
        let again = try await store.commit([completion(of: pending.leadID, leadgenID: "555", email: "x@y.com", name: "Other")])[0]
        #expect(again.kind == .replay)
        #expect(try await store.lead(id: pending.leadID)?.contact.email == "dana@acme.co.il")
        // A replayed notification is still a replay of the completed lead.
        #expect(try await store.commit([pendingRecord(leadgenID: "555")])[0] == IntakeOutcome(leadID: pending.leadID, status: .lead, kind: .replay))
    }

    @Test func aCompletedLeadOfAKnownPersonBecomesATouchOfThatPerson() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let known = try await store.commit([record(email: "dana@acme.co.il", name: "Dana")])[0]
        let pending = try await store.commit([pendingRecord(leadgenID: "777")])[0]
        let outcome = try await store.commit([completion(of: pending.leadID, leadgenID: "777", email: "DANA@acme.co.il", name: "Dana K")])[0]
        #expect(outcome.kind == .touched)
        #expect(outcome.leadID == known.leadID)
        #expect(try await store.lead(id: pending.leadID) == nil)
        #expect(try await store.lead(id: known.leadID)?.touches.compactMap(\.externalID) == ["777"])
    }

    @Test func aDeletionAtTheSourceMarksTheLeadAndStopsItsFetch() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let pending = try await store.commit([pendingRecord(leadgenID: "urn:li:leadGenFormResponse:9")])[0]
        let deletedAt = t0.addingTimeInterval(3600)
        let deletion = record(source: "facebook", externalID: "urn:li:leadGenFormResponse:9", at: deletedAt, window: nil, fields: [deletedAtSourceField: "true"])
        let outcome = try await store.commit([deletion])[0]
        #expect(outcome.leadID == pending.leadID)
        #expect(outcome.kind == .touched)
        let lead = try #require(try await store.lead(id: pending.leadID))
        #expect(lead.deletedAtSource == deletedAt)
        #expect(lead.fetch?.state == .gaveUp)
        #expect(try await store.history(leadID: pending.leadID).contains { $0.field == "deleted_at_source" })
        // The same deletion again is a replay.
        #expect(try await store.commit([deletion])[0].kind == .replay)

        // A deletion of a lead never seen is kept as a rejected lead, and keeps a later notification of it out.
        let unknown = try await store.commit([
            record(source: "facebook", externalID: "urn:li:leadGenFormResponse:10", window: nil, fields: [deletedAtSourceField: "true"]),
        ])[0]
        #expect(unknown.status == .rejected)
        #expect(unknown.rejectReason == "deleted_at_source")
        #expect(try await store.commit([pendingRecord(leadgenID: "urn:li:leadGenFormResponse:10")])[0].kind == .replay)
    }

    @Test func cursorsAreSavedPerSource() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        #expect(try await store.cursor(source: "inbox") == nil)
        try await store.saveCursor("1732:5", source: "inbox", at: t0)
        try await store.saveCursor("1732:9", source: "inbox", at: t0)
        try await store.saveCursor("1:1", source: "other", at: t0)
        #expect(try await store.cursor(source: "inbox") == "1732:9")
    }
}
