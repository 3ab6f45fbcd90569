import Foundation
import GRDB
import LeadGateCore

/// A record with what can be worked out before the writer: its decision and its JSON.
struct PreparedIntake: Sendable {
    var record: IntakeRecord
    /// The submission's own decision, which stands when the submission makes a new lead.
    var decision: LeadDecision
    /// The submission's normalized lead as JSON, the lead's body when the lead is new. (A touch keeps
    /// its raw payload; what it added to an existing lead is merged into that lead's body.)
    var bodyJSON: String
    /// The decision's qualification as the store keeps it (`StoredQualification`), when the lead is new.
    var storedQualification: [UInt8]?
    var search: String

    init(_ record: IntakeRecord) {
        self.record = record
        self.decision = IntakeWriter.decide(record.lead, rejection: record.rejection, qualifier: record.qualifier, at: record.receivedAt)
        self.bodyJSON = StoredLeadBody(record.lead).json()
        self.storedQualification = decision.qualification.map(StoredQualification.encoded)
        self.search = SQLiteSchema.searchText(record.lead.contact)
    }
}

extension StoredLeadBody {
    init(_ lead: NormalizedLead) {
        self.init(
            contact: lead.contact, attribution: lead.attribution, fields: lead.fields, consent: lead.consent,
            problems: lead.problems, phoneType: lead.phoneLineType, phoneRegion: lead.phoneRegion
        )
    }
}

/// The stored state of a lead the writer may change.
private struct ExistingLead {
    var id: String
    var status: LeadStatus
    var body: StoredLeadBody
    var product: String?
    var owner: String?
    var opportunity: Opportunity?
}

/// The identify, qualify-again, assign and commit stages for one submission, inside the writer's
/// transaction. Because every intake passes through the one writer, the look-ups, the round-robin
/// counters and the inserts cannot race: fifty identical concurrent posts make one lead, and two
/// hundred concurrent opportunities are dealt out in strict turn.
struct IntakeWriter {
    let db: Database
    let ruleNames: RuleNames
    /// The round-robin counters this transaction has drawn from, saved once at its end (`saveTurns`).
    private let turns = Turns()

    init(db: Database, ruleNames: RuleNames) {
        self.db = db
        self.ruleNames = ruleNames
    }

    /// Each product's next turn as this transaction has advanced it: read on its first draw, then counted in memory.
    /// A list, not a dictionary: a transaction draws for one product or a few, and the name compares by identity
    /// first (the decision's product is the catalog's own string), where a dictionary hashes it on every draw.
    private final class Turns {
        var next: [(product: String, turn: UInt64)] = []
    }

    /// Who history rows written by the pipeline name as the actor.
    static let pipelineActor = "leadgate"

    static func decide(_ lead: NormalizedLead, rejection: String?, qualifier: (any LeadQualifier)?, at date: Date) -> LeadDecision {
        if let rejection { return LeadDecision(status: .rejected, rejectReason: rejection) }
        // A deletion for a lead never seen is kept, refused, so a later notification of it stays out.
        if lead.fields[deletedAtSourceField] != nil { return LeadDecision(status: .rejected, rejectReason: "deleted_at_source") }
        // Ids only, answers to come: kept as is, not qualified, not matched to a person yet.
        if lead.fields[pendingFetchField] != nil { return LeadDecision(status: .pendingFetch) }
        if let qualifier { return qualifier.qualify(lead, receivedAt: date) }
        return lead.contact.isReachable ? LeadDecision(status: .lead) : LeadDecision(status: .rejected, rejectReason: "no_contact")
    }

    func write(_ prepared: PreparedIntake) throws -> IntakeOutcome {
        guard let pendingID = prepared.record.completing else { return try store(prepared) }
        guard let notification = try removePending(pendingID) else {
            // Completed already (another attempt won): what it became is the answer.
            let row = try Row.fetchOne(db, sql: "SELECT status, reject_reason FROM leads WHERE id = ?", arguments: [pendingID])
            return IntakeOutcome(
                leadID: pendingID, status: row.flatMap { LeadStatus(rawValue: $0["status"]) } ?? .lead, kind: .replay,
                rejectReason: row?["reject_reason"])
        }
        var completed = prepared
        completed.record.touchID = notification.id
        completed.record.payload = notification.payload
        completed.record.contentType = notification.contentType
        return try store(completed)
    }

    /// `write` once a completion has its notification: a replay, a touch of a known person or a new lead.
    /// (Apart so that a submission, nearly every write, is not copied whole for the completion's sake.)
    private func store(_ prepared: PreparedIntake) throws -> IntakeOutcome {
        let record = prepared.record
        if record.lead.fields[deletedAtSourceField] != nil, let deleted = try markDeleted(record) { return deleted }
        if let replay = try findReplay(of: record) { return replay }
        if prepared.decision.status != .rejected, prepared.decision.status != .pendingFetch, let existing = try findPerson(record.lead) {
            return try touch(existing, with: prepared)
        }
        let decision = prepared.decision
        let owner = try assignOwner(decision)
        if let qualification = decision.qualification { try ruleNames.record(qualification, in: db) }
        let received = SQLiteSchema.millis(record.receivedAt)
        let opportunity = decision.opportunity
        let rejected = decision.status == .rejected || decision.status == .pendingFetch
        try db.cachedStatement(sql: """
            INSERT INTO leads (id, status, reject_reason, email_key, phone, source, source_type, campaign, is_test,
                               search, body, product, owner, score, criteria, qualification,
                               stage, amount, currency, probability, expected_close, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).executeRaw {
                $0.text(record.leadID); $0.text(decision.status.rawValue); $0.text(decision.rejectReason)
                $0.text(rejected ? nil : record.lead.contact.email?.lowercased()); $0.text(rejected ? nil : record.lead.contact.phone)
                $0.text(record.source); $0.text(record.lead.attribution.sourceType); $0.text(record.lead.attribution.campaign)
                $0.bool(record.isTest); $0.text(prepared.search); $0.text(prepared.bodyJSON); $0.text(decision.product); $0.text(owner)
                $0.int(decision.qualification?.score); $0.text(decision.qualification?.criteria); $0.blob(prepared.storedQualification)
                $0.text(opportunity?.stage); $0.double(opportunity?.amount); $0.text(opportunity?.currency)
                $0.double(opportunity?.probability); $0.text(opportunity?.expectedClose); $0.int(received); $0.int(received)
            }
        try addTouch(prepared, to: record.leadID)
        // An opportunity opened on arrival needs no history row: `history(leadID:)` derives that first
        // entry from the lead (one write less on every qualified intake).
        let events: [LeadEvent]
        switch decision.status {
        case .rejected: events = [.rejected]
        case .lead: events = [.lead]
        case .opportunity: events = [.lead, .opportunity]
        case .pendingFetch:
            events = []
            try db.cachedStatement(sql: """
                INSERT INTO pending_fetches (lead_id, source, state, next_attempt_at, updated_at) VALUES (?, ?, 'waiting', ?, ?)
                """).execute(arguments: [record.leadID, record.source, received, received])
        }
        // The bodies are rendered from the lead as just written, made from what is in hand rather than read back.
        try Self.enqueue(events, leadID: record.leadID, at: record.receivedAt, routes: record.routes, in: db) {
            let at = SQLiteSchema.date(received)
            return Lead(
                id: record.leadID, status: decision.status, rejectReason: decision.rejectReason, contact: record.lead.contact,
                attribution: record.lead.attribution, fields: record.lead.fields, consent: record.lead.consent,
                problems: record.lead.problems, isTest: record.isTest, product: decision.product, qualification: decision.qualification,
                owner: owner, opportunity: opportunity,
                touches: [TouchSummary(id: record.touchID, source: record.source, externalID: record.lead.externalID, receivedAt: at)],
                createdAt: at, updatedAt: at)
        }
        return IntakeOutcome(leadID: record.leadID, status: decision.status, kind: .created, rejectReason: decision.rejectReason)
    }

    /// A new touch on a known person: merge what it adds, then qualify the merged lead by the current
    /// criteria. An opportunity a person moved stays as it is; an opportunity never loses its owner or stage
    /// to a re-qualification that still says opportunity.
    private func touch(_ existing: ExistingLead, with prepared: PreparedIntake) throws -> IntakeOutcome {
        let record = prepared.record
        try addTouch(prepared, to: existing.id)
        var body = existing.body
        Self.merge(record.lead, into: &body)
        let received = SQLiteSchema.millis(record.receivedAt)

        var status = existing.status
        var rejectReason: String?
        var product = existing.product
        var owner = existing.owner
        var opportunity = existing.opportunity
        var qualification: Qualification?
        var opened = false
        if let qualifier = record.qualifier, existing.opportunity?.manual != true {
            let merged = body.normalized
            let decision = qualifier.qualify(merged, receivedAt: record.receivedAt)
            qualification = decision.qualification
            if let qualification { try ruleNames.record(qualification, in: db) }
            product = decision.product ?? product
            if decision.status == .opportunity {
                if opportunity == nil {
                    opened = true
                    opportunity = decision.opportunity
                    owner = try owner ?? assignOwner(decision)
                    try history(existing.id, at: record.receivedAt, field: "stage", from: nil, to: opportunity?.stage)
                }
            } else if opportunity != nil {
                try history(existing.id, at: record.receivedAt, field: "stage", from: opportunity?.stage, to: nil)
                opportunity = nil
            }
            if decision.status != status {
                try history(existing.id, at: record.receivedAt, field: "status", from: status.rawValue, to: decision.status.rawValue)
            }
            status = decision.status
            rejectReason = decision.rejectReason
        }
        try db.execute(
            sql: """
                UPDATE leads SET body = ?, search = ?, email_key = ?, phone = ?, status = ?, reject_reason = ?,
                    product = ?, owner = ?, score = COALESCE(?, score), criteria = COALESCE(?, criteria),
                    qualification = COALESCE(?, qualification), stage = ?, amount = ?, currency = ?, probability = ?,
                    expected_close = ?, updated_at = MAX(updated_at, ?)
                WHERE id = ?
                """,
            arguments: [
                body.json(), SQLiteSchema.searchText(body.contact), body.contact.email?.lowercased(), body.contact.phone,
                status.rawValue, rejectReason, product, owner, qualification?.score, qualification?.criteria,
                qualification.map { Data(StoredQualification.encoded($0)) }, opportunity?.stage, opportunity?.amount, opportunity?.currency,
                opportunity?.probability, opportunity?.expectedClose, received, existing.id,
            ]
        )
        if opened { try enqueue([.opportunity], leadID: existing.id, at: record.receivedAt, routes: record.routes) }
        return IntakeOutcome(leadID: existing.id, status: status, kind: .touched, rejectReason: rejectReason)
    }

    /// The owner of a new opportunity; products that assign by turns draw their counter here.
    private func assignOwner(_ decision: LeadDecision) throws -> String? {
        guard decision.status == .opportunity, let product = decision.product, let assignment = decision.assignment else { return nil }
        return assignment.owner(counter: assignment.byTurns ? try nextTurn(of: product) : 0)
    }

    /// One outbox row per channel subscribed to each of `events`, in this transaction: acknowledged means queued.
    /// Call it once the lead's row is written: each body is rendered from the lead as this transaction leaves it.
    func enqueue(_ events: [LeadEvent], leadID: String, at date: Date, routes: NotificationRoutes) throws {
        try Self.enqueue(events, leadID: leadID, at: date, routes: routes, ruleNames: ruleNames, in: db)
    }

    static func enqueue(
        _ events: [LeadEvent], leadID: String, at date: Date, routes: NotificationRoutes, ruleNames: RuleNames, in db: Database
    ) throws {
        try enqueue(events, leadID: leadID, at: date, routes: routes, in: db) { try SQLiteSchema.lead(id: leadID, ruleNames: ruleNames, in: db) }
    }

    /// `enqueue`, with the lead the bodies are rendered from given by `read` (called at most once, and only when a
    /// channel renders).
    static func enqueue(
        _ events: [LeadEvent], leadID: String, at date: Date, routes: NotificationRoutes, in db: Database, lead read: () throws -> Lead?
    ) throws {
        let now = SQLiteSchema.millis(date)
        var lead: Lead?
        for event in events {
            for channel in routes.channels(for: event) {
                let id = LeadID.make(prefix: "msg_", at: date)
                try db.cachedStatement(sql: """
                    INSERT INTO outbox (id, channel, event, lead_id, status, next_attempt_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
                    """).execute(arguments: [id, channel, event.rawValue, leadID, now, now, now])
                let seq = db.lastInsertedRowID
                guard let renderer = routes.renderer else { continue }
                if lead == nil { lead = try read() }
                guard let lead, let body = renderer.body(of: event, lead: lead, channel: channel, deliveryID: id, at: date) else { continue }
                try db.cachedStatement(sql: "INSERT INTO outbox_bodies (seq, body) VALUES (?, ?)").executeRaw {
                    $0.int(seq); $0.blob(body)
                }
            }
        }
    }

    /// The product's assignment count so far, advanced by one. The count is read once per transaction and
    /// saved once at its end (`saveTurns`), in the same transaction as the leads it dealt: fair across restarts,
    /// without a write and a read of the counter for every opportunity.
    private func nextTurn(of product: String) throws -> UInt64 {
        if let index = turns.next.firstIndex(where: { $0.product == product }) {
            defer { turns.next[index].turn += 1 }
            return turns.next[index].turn
        }
        let stored = try db.cachedStatement(sql: "SELECT next FROM assignment_counters WHERE product = ?")
            .stepRaw({ $0.text(product) }, read: { $0.int(0) })
        let current = UInt64(max(0, stored ?? 0))
        turns.next.append((product, current + 1))
        return current
    }

    /// Saves the counters this transaction advanced; call it last, inside the transaction (one upsert per
    /// product and batch, not per opportunity).
    func saveTurns() throws {
        for (product, next) in turns.next {
            try db.cachedStatement(sql: """
                INSERT INTO assignment_counters (product, next) VALUES (?, ?) ON CONFLICT(product) DO UPDATE SET next = excluded.next
                """).executeRaw { $0.text(product); $0.int(Int64(next)) }
        }
        turns.next.removeAll()
    }

    private func history(_ leadID: String, at date: Date, field: String, from old: String?, to new: String?) throws {
        try db.cachedStatement(sql: """
            INSERT INTO lead_history (lead_id, at, recorded_at, actor, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [leadID, SQLiteSchema.millis(date), SQLiteSchema.millis(date), Self.pipelineActor, field, old, new])
    }

    /// Clears the way for the completion of pending lead `id`: the pending lead and its notification touch are
    /// deleted, and the completed record takes over that id, touch id and payload (returned here). Nil when the
    /// lead is no longer pending.
    private func removePending(_ id: String) throws -> (id: String, payload: [UInt8], contentType: String?)? {
        guard try String.fetchOne(db, sql: "SELECT status FROM leads WHERE id = ?", arguments: [id]) == LeadStatus.pendingFetch.rawValue,
              let touch = try Row.fetchOne(
                db, sql: "SELECT id, payload, content_type FROM touches WHERE lead_id = ? ORDER BY seq LIMIT 1", arguments: [id])
        else { return nil }
        try db.execute(sql: "DELETE FROM leads WHERE id = ?", arguments: [id])
        let payload: Data = touch["payload"]
        return (touch["id"], [UInt8](payload), touch["content_type"])
    }

    /// Marks the lead of a deletion notice (same source and external id) deleted at the source; nil when no such lead.
    private func markDeleted(_ record: IntakeRecord) throws -> IntakeOutcome? {
        guard let externalID = record.lead.externalID, let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT l.id, l.status, l.reject_reason, l.deleted_at_source FROM touches t JOIN leads l ON l.id = t.lead_id
                WHERE t.source = ? AND t.external_id = ?
                """),
            arguments: [record.source, externalID]
        ), let status = LeadStatus(rawValue: row["status"]) else { return nil }
        let id: String = row["id"]
        let outcome = IntakeOutcome(leadID: id, status: status, kind: .replay, rejectReason: row["reject_reason"])
        if (row["deleted_at_source"] as Int64?) != nil { return outcome }
        let at = SQLiteSchema.millis(record.receivedAt)
        try db.execute(sql: "UPDATE leads SET deleted_at_source = ?, updated_at = MAX(updated_at, ?) WHERE id = ?", arguments: [at, at, id])
        // Nothing left to fetch for a lead the person took back.
        try db.execute(
            sql: "UPDATE pending_fetches SET state = 'gave_up', last_error = 'deleted at the source', updated_at = ? WHERE lead_id = ?",
            arguments: [at, id])
        try history(id, at: record.receivedAt, field: "deleted_at_source", from: nil, to: ISO8601DateFormatter().string(from: record.receivedAt))
        return IntakeOutcome(leadID: id, status: status, kind: .touched, rejectReason: row["reject_reason"])
    }

    /// The same submission seen before: same external id from the same source, or the same content within the window.
    private func findReplay(of record: IntakeRecord) throws -> IntakeOutcome? {
        func outcome(_ row: RawRow) -> IntakeOutcome? {
            guard let id = row.text(0), let status = row.text(1).flatMap(LeadStatus.init(rawValue:)) else { return nil }
            return IntakeOutcome(leadID: id, status: status, kind: .replay, rejectReason: row.text(2))
        }
        if let externalID = record.lead.externalID {
            return try db.cachedStatement(sql: """
                SELECT l.id, l.status, l.reject_reason FROM touches t JOIN leads l ON l.id = t.lead_id
                WHERE t.source = ? AND t.external_id = ?
                """).stepRaw({ $0.text(record.source); $0.text(externalID) }, read: outcome) ?? nil
        }
        guard let since = record.dedupeSince else { return nil }
        return try db.cachedStatement(sql: """
            SELECT l.id, l.status, l.reject_reason FROM touches t JOIN leads l ON l.id = t.lead_id
            WHERE t.source = ? AND t.content_hash = ? AND t.received_at >= ? AND t.external_id IS NULL
            ORDER BY t.received_at DESC LIMIT 1
            """).stepRaw({ $0.text(record.source); $0.text(record.contentHash); $0.int(SQLiteSchema.millis(since)) }, read: outcome) ?? nil
    }

    /// The lead with the lowest id of an email, not rejected. An aggregate rather than `ORDER BY id LIMIT 1`, which opened
    /// a sorter for every look-up, nearly all of them for an email no lead has (about 22,000 instructions each, 5 % of
    /// an intake). SQLite takes a bare column beside a single `min()` from the row holding the minimum; no row gives
    /// one row of NULLs.
    static let personByEmail = "SELECT seq, min(id) FROM leads WHERE email_key = ? AND status != 'rejected'"

    /// The earliest lead with a phone, of leads without an email when the newcomer has one (a phone shared by
    /// people with emails, an office's or a made-up `050-0000000`, is no one's identity). Each is walked in its
    /// index's order and stops at its first lead that is not rejected: the rows of a phone's other leads are
    /// never read, however many share it.
    static func personByPhone(hasEmail: Bool) -> String {
        hasEmail
            ? "SELECT seq FROM leads INDEXED BY leads_phone_bare WHERE phone = ? AND email_key IS NULL AND status != 'rejected' ORDER BY seq LIMIT 1"
            : "SELECT seq FROM leads INDEXED BY leads_phone WHERE phone = ? AND status != 'rejected' ORDER BY seq LIMIT 1"
    }

    /// The existing lead of the same person: same email; else same phone when either side has no email.
    private func findPerson(_ lead: NormalizedLead) throws -> ExistingLead? {
        // Most intakes are new people: the look-ups find the lead's row id first, and only a match reads the row.
        var seq: Int64?
        if let email = lead.contact.email?.lowercased() {
            seq = try db.cachedStatement(sql: Self.personByEmail).stepRaw({ $0.text(email) }, read: { $0.optionalInt(0) }) ?? nil
        }
        if seq == nil, let phone = lead.contact.phone {
            seq = try db.cachedStatement(sql: Self.personByPhone(hasEmail: lead.contact.email != nil))
                .stepRaw({ $0.text(phone) }, read: { $0.int(0) })
        }
        guard let seq else { return nil }
        let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT id, status, body, product, owner, \(SQLiteSchema.opportunityColumns) FROM leads WHERE seq = ?
                """),
            arguments: [seq]
        )
        guard let row, let status = LeadStatus(rawValue: row[1]) else { return nil }
        let body = try StoredLeadBody(json: row[2] as String)
        return ExistingLead(
            id: row[0], status: status, body: body, product: row[3], owner: row[4],
            opportunity: SQLiteSchema.opportunity(from: row, at: 5)
        )
    }

    private func addTouch(_ prepared: PreparedIntake, to leadID: String) throws {
        let record = prepared.record
        try db.cachedStatement(sql: """
            INSERT INTO touches (id, lead_id, source, external_id, content_hash, received_at, content_type, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).executeRaw {
                $0.text(record.touchID); $0.text(leadID); $0.text(record.source); $0.text(record.lead.externalID)
                $0.text(record.contentHash); $0.int(SQLiteSchema.millis(record.receivedAt)); $0.text(record.contentType)
                $0.blob(record.payload)
            }
    }

    /// A later touch fills what the lead did not know yet; what it knew stays (the first answer is kept,
    /// later answers are in the touch's payload).
    static func merge(_ new: NormalizedLead, into body: inout StoredLeadBody) {
        func fill(_ keyPath: WritableKeyPath<Contact, String?>) {
            if body.contact[keyPath: keyPath] == nil { body.contact[keyPath: keyPath] = new.contact[keyPath: keyPath] }
        }
        fill(\.fullName); fill(\.firstName); fill(\.lastName); fill(\.email); fill(\.phone); fill(\.phoneExtension)
        fill(\.company); fill(\.jobTitle); fill(\.country); fill(\.city)
        if body.phoneType == nil, body.contact.phone == new.contact.phone {
            body.phoneType = new.phoneLineType
            body.phoneRegion = new.phoneRegion
        }
        body.fields.merge(new.fields) { old, _ in old }
        if new.consent.marketing != nil { body.consent = new.consent }
    }
}
