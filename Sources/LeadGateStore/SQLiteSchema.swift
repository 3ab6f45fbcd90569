import Foundation
import GRDB
import LeadGateCore

/// The lead's JSON body as stored: everything of the canonical lead that is not an indexed column.
struct StoredLeadBody: Codable, Equatable {
    var contact: Contact
    var attribution: Attribution
    var fields: [String: String]
    var consent: Consent
    var problems: [NormalizationProblem]
}

extension StoredLeadBody {
    /// The body as JSON, written directly (it is written on every intake); `Codable` reads it back.
    func json() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("contact")
        writer.beginObject()
        writer.field("full_name", contact.fullName)
        writer.field("first_name", contact.firstName)
        writer.field("last_name", contact.lastName)
        writer.field("email", contact.email)
        writer.field("phone", contact.phone)
        writer.field("phone_extension", contact.phoneExtension)
        writer.field("company", contact.company)
        writer.field("job_title", contact.jobTitle)
        writer.field("country", contact.country)
        writer.field("city", contact.city)
        writer.endObject()
        writer.key("attribution")
        writer.beginObject()
        writer.field("source", attribution.source)
        writer.field("source_type", attribution.sourceType)
        writer.field("campaign", attribution.campaign)
        writer.field("utm_source", attribution.utmSource)
        writer.field("utm_medium", attribution.utmMedium)
        writer.field("utm_campaign", attribution.utmCampaign)
        writer.field("utm_term", attribution.utmTerm)
        writer.field("utm_content", attribution.utmContent)
        writer.field("gclid", attribution.gclid)
        writer.field("fbclid", attribution.fbclid)
        writer.field("click_ids", attribution.clickIDs)
        writer.field("landing_url", attribution.landingURL)
        writer.field("referrer", attribution.referrer)
        writer.field("form", attribution.form)
        writer.endObject()
        writer.field("fields", fields)
        writer.key("consent")
        writer.beginObject()
        writer.field("marketing", consent.marketing)
        writer.field("at", consent.at)
        writer.endObject()
        writer.key("problems")
        writer.beginArray()
        for problem in problems {
            writer.beginObject()
            writer.field("field", problem.field)
            writer.field("reason", problem.reason)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.string
    }
}

/// Tables, migrations and row mapping of the SQLite store.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-leads-touches-quarantine") { db in
            try db.execute(sql: """
                CREATE TABLE leads (
                    id TEXT PRIMARY KEY NOT NULL,
                    status TEXT NOT NULL,
                    reject_reason TEXT,
                    email_key TEXT,
                    phone TEXT,
                    source TEXT NOT NULL,
                    source_type TEXT NOT NULL,
                    campaign TEXT,
                    is_test INTEGER NOT NULL DEFAULT 0,
                    search TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX leads_email ON leads(email_key) WHERE email_key IS NOT NULL;
                CREATE INDEX leads_phone ON leads(phone) WHERE phone IS NOT NULL;
                CREATE INDEX leads_status ON leads(status, id);
                CREATE INDEX leads_source ON leads(source, id);
                CREATE TABLE touches (
                    id TEXT PRIMARY KEY NOT NULL,
                    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    external_id TEXT,
                    content_hash TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    content_type TEXT,
                    payload BLOB NOT NULL
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX touches_external ON touches(source, external_id) WHERE external_id IS NOT NULL;
                CREATE INDEX touches_content ON touches(source, content_hash, received_at);
                CREATE INDEX touches_lead ON touches(lead_id, received_at);
                CREATE TABLE quarantine (
                    id TEXT PRIMARY KEY NOT NULL,
                    source TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    headers TEXT NOT NULL,
                    body BLOB NOT NULL,
                    replayed_at INTEGER
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Lower-cased, NFC text that `q` searches.
    static func searchKey(_ text: String) -> String {
        UnicodeText.foldedCase(text)
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    static func searchText(_ contact: Contact) -> String {
        searchKey([contact.fullName, contact.email, contact.phone, contact.company].compactMap { $0 }.joined(separator: " "))
    }

    static func lead(from row: Row, touches: [TouchSummary]) throws -> Lead {
        let bodyText: String = row["body"]
        let body = try LeadJSON.decoder().decode(StoredLeadBody.self, from: Data(bodyText.utf8))
        let statusText: String = row["status"]
        guard let status = LeadStatus(rawValue: statusText) else {
            throw StoreError(code: "corrupt_row", message: "lead \(row["id"] as String? ?? "?") has unknown status '\(statusText)'")
        }
        return Lead(
            id: row["id"], status: status, rejectReason: row["reject_reason"], contact: body.contact,
            attribution: body.attribution, fields: body.fields, consent: body.consent, problems: body.problems,
            isTest: row["is_test"], touches: touches, createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"])
        )
    }

    static func touches(of leadID: String, in db: Database) throws -> [TouchSummary] {
        try Row.fetchAll(
            db, sql: "SELECT id, source, external_id, received_at FROM touches WHERE lead_id = ? ORDER BY received_at, id",
            arguments: [leadID]
        ).map { row in
            TouchSummary(id: row["id"], source: row["source"], externalID: row["external_id"], receivedAt: date(row["received_at"]))
        }
    }
}
