import Foundation
import GRDB
import LeadGateCore

/// A record with what the writer stores already encoded.
struct PreparedIntake: Sendable {
    var record: IntakeRecord
    /// The submission's normalized lead as JSON, the lead's body when the lead is new. (A touch keeps
    /// its raw payload; what it added to an existing lead is merged into that lead's body.)
    var bodyJSON: String
    var search: String

    init(_ record: IntakeRecord) throws {
        self.record = record
        self.bodyJSON = try IntakeWriter.json(StoredLeadBody(record.lead))
        self.search = SQLiteSchema.searchText(record.lead.contact)
    }
}

extension StoredLeadBody {
    init(_ lead: NormalizedLead) {
        self.init(contact: lead.contact, attribution: lead.attribution, fields: lead.fields, consent: lead.consent, problems: lead.problems)
    }
}

/// The identify and commit stages for one submission, inside the writer's transaction. Because every
/// intake passes through the one writer, the look-ups and the inserts cannot race: fifty identical
/// concurrent posts make one lead.
struct IntakeWriter {
    let db: Database

    func write(_ prepared: PreparedIntake) throws -> IntakeOutcome {
        let record = prepared.record
        if let replay = try findReplay(of: record) { return replay }
        let received = SQLiteSchema.millis(record.receivedAt)
        if record.status != .rejected, let existing = try findPerson(record.lead) {
            try addTouch(prepared, to: existing.id)
            var body = existing.body
            Self.merge(record.lead, into: &body)
            try db.execute(
                sql: "UPDATE leads SET body = ?, search = ?, email_key = ?, phone = ?, updated_at = MAX(updated_at, ?) WHERE id = ?",
                arguments: [
                    try Self.json(body), SQLiteSchema.searchText(body.contact), body.contact.email?.lowercased(),
                    body.contact.phone, received, existing.id,
                ]
            )
            return IntakeOutcome(leadID: existing.id, status: existing.status, kind: .touched)
        }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO leads (id, status, reject_reason, email_key, phone, source, source_type, campaign, is_test,
                               search, body, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [
            record.leadID, record.status.rawValue, record.rejectReason,
            record.status == .rejected ? nil : record.lead.contact.email?.lowercased(),
            record.status == .rejected ? nil : record.lead.contact.phone,
            record.source, record.lead.attribution.sourceType, record.lead.attribution.campaign, record.isTest,
            prepared.search, prepared.bodyJSON, received, received,
        ])
        try addTouch(prepared, to: record.leadID)
        return IntakeOutcome(leadID: record.leadID, status: record.status, kind: .created)
    }

    /// The same submission seen before: same external id from the same source, or the same content within the window.
    private func findReplay(of record: IntakeRecord) throws -> IntakeOutcome? {
        let row: Row?
        if let externalID = record.lead.externalID {
            row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT l.id, l.status FROM touches t JOIN leads l ON l.id = t.lead_id
                    WHERE t.source = ? AND t.external_id = ?
                    """),
                arguments: [record.source, externalID]
            )
        } else if let since = record.dedupeSince {
            row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT l.id, l.status FROM touches t JOIN leads l ON l.id = t.lead_id
                    WHERE t.source = ? AND t.content_hash = ? AND t.received_at >= ?
                    ORDER BY t.received_at DESC LIMIT 1
                    """),
                arguments: [record.source, record.contentHash, SQLiteSchema.millis(since)]
            )
        } else {
            row = nil
        }
        guard let row, let status = LeadStatus(rawValue: row["status"]) else { return nil }
        return IntakeOutcome(leadID: row["id"], status: status, kind: .replay)
    }

    /// The existing lead of the same person: same email; else same phone when either side has no email.
    private func findPerson(_ lead: NormalizedLead) throws -> (id: String, status: LeadStatus, body: StoredLeadBody)? {
        var row: Row?
        if let email = lead.contact.email?.lowercased() {
            row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, status, body FROM leads WHERE email_key = ? AND status != 'rejected' ORDER BY id LIMIT 1"),
                arguments: [email]
            )
        }
        if row == nil, let phone = lead.contact.phone {
            let requireNoEmail = lead.contact.email != nil
            row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT id, status, body FROM leads
                    WHERE phone = ? AND status != 'rejected' AND (? = 0 OR email_key IS NULL) ORDER BY id LIMIT 1
                    """),
                arguments: [phone, requireNoEmail]
            )
        }
        guard let row, let status = LeadStatus(rawValue: row["status"]) else { return nil }
        let text: String = row["body"]
        let body = try LeadJSON.decoder().decode(StoredLeadBody.self, from: Data(text.utf8))
        return (row["id"], status, body)
    }

    private func addTouch(_ prepared: PreparedIntake, to leadID: String) throws {
        let record = prepared.record
        try db.cachedStatement(sql: """
            INSERT INTO touches (id, lead_id, source, external_id, content_hash, received_at, content_type, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                record.touchID, leadID, record.source, record.lead.externalID, record.contentHash,
                SQLiteSchema.millis(record.receivedAt), record.contentType, Data(record.payload),
            ])
    }

    /// A later touch fills what the lead did not know yet; what it knew stays (the first answer is kept,
    /// later answers are in the touch).
    static func merge(_ new: NormalizedLead, into body: inout StoredLeadBody) {
        func fill(_ keyPath: WritableKeyPath<Contact, String?>) {
            if body.contact[keyPath: keyPath] == nil { body.contact[keyPath: keyPath] = new.contact[keyPath: keyPath] }
        }
        fill(\.fullName); fill(\.firstName); fill(\.lastName); fill(\.email); fill(\.phone); fill(\.phoneExtension)
        fill(\.company); fill(\.jobTitle); fill(\.country); fill(\.city)
        body.fields.merge(new.fields) { old, _ in old }
        if new.consent.marketing != nil { body.consent = new.consent }
    }

    static func json(_ body: StoredLeadBody) throws -> String {
        body.json()
    }
}
