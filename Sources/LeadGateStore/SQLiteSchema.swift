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
    /// What the phone number told about itself, kept so the lead can be qualified again.
    var phoneType: PhoneLineType?
    var phoneRegion: String?

    enum CodingKeys: String, CodingKey {
        case contact, attribution, fields, consent, problems, phoneType = "phone_type", phoneRegion = "phone_region"
    }

    /// The lead as the qualify stage sees it.
    var normalized: NormalizedLead {
        NormalizedLead(
            contact: contact, attribution: attribution, consent: consent, fields: fields,
            phoneLineType: phoneType, phoneRegion: phoneRegion, problems: problems
        )
    }
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
        writer.field("phone_type", phoneType?.rawValue)
        writer.field("phone_region", phoneRegion)
        writer.endObject()
        return writer.string
    }
}

extension Qualification {
    /// The qualification as JSON, written directly (it is written on every intake); `Codable` reads it back.
    func json() -> String {
        var writer = JSONWriter(capacity: 128 + 96 * reasons.count)
        writer.beginObject()
        writer.field("criteria", criteria)
        writer.key("score")
        writer.int(score)
        writer.field("decision", decision.rawValue)
        writer.field("rejected_by", rejectedBy)
        writer.key("reasons")
        writer.beginArray()
        for reason in reasons {
            writer.beginObject()
            writer.field("rule", reason.rule)
            writer.key("passed")
            writer.bool(reason.passed)
            writer.key("points")
            writer.int(reason.points)
            writer.field("value", reason.value)
            writer.field("note", reason.note)
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
                    product TEXT,
                    owner TEXT,
                    score INTEGER,
                    criteria TEXT,
                    qualification TEXT,
                    stage TEXT,
                    amount REAL,
                    currency TEXT,
                    probability REAL,
                    expected_close TEXT,
                    closed_at INTEGER,
                    manual INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX leads_product ON leads(product, id) WHERE product IS NOT NULL;
                CREATE INDEX leads_owner ON leads(owner, id) WHERE owner IS NOT NULL;
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
                CREATE TABLE lead_history (
                    id INTEGER PRIMARY KEY,
                    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
                    at INTEGER NOT NULL,
                    recorded_at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    field TEXT NOT NULL,
                    old_value TEXT,
                    new_value TEXT
                );
                CREATE INDEX lead_history_lead ON lead_history(lead_id, at);
                CREATE TABLE assignment_counters (
                    product TEXT PRIMARY KEY NOT NULL,
                    next INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE criteria_versions (
                    product TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    rules_hash TEXT NOT NULL,
                    registered_at INTEGER NOT NULL,
                    PRIMARY KEY (product, version)
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
        let qualification = try (row["qualification"] as String?).map {
            try LeadJSON.decoder().decode(Qualification.self, from: Data($0.utf8))
        }
        return Lead(
            id: row["id"], status: status, rejectReason: row["reject_reason"], contact: body.contact,
            attribution: body.attribution, fields: body.fields, consent: body.consent, problems: body.problems,
            isTest: row["is_test"], product: row["product"], qualification: qualification, owner: row["owner"],
            opportunity: opportunity(from: row), touches: touches,
            createdAt: date(row["created_at"]), updatedAt: date(row["updated_at"])
        )
    }

    static func opportunity(from row: Row) -> Opportunity? {
        guard let stage: String = row["stage"] else { return nil }
        return Opportunity(
            stage: stage, amount: row["amount"], currency: row["currency"], probability: row["probability"] ?? 0,
            expectedClose: row["expected_close"], closedAt: (row["closed_at"] as Int64?).map(date), manual: row["manual"]
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
