import Foundation
import GRDB
import LeadGateCore
import Synchronization

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
    /// Reads `json()`'s output back through the gateway's own JSON parser (every delivery and every read of a
    /// lead reads a body, and `JSONDecoder` was most of that); members it does not know are skipped. The same as
    /// `Codable`'s reading (`StoredLeadBodyJSONTests` holds them together).
    init(json: String) throws {
        func corrupt(_ what: String) -> StoreError {
            StoreError(code: "corrupt_row", message: "a stored lead body \(what)")
        }
        /// Reads the next value as an object, member by member; anything else is corrupt.
        func object(_ parser: inout JSONParser, _ what: String, _ member: (inout JSONParser, String) throws -> Void) throws {
            guard try parser.nextIsObject() else { throw corrupt("has \(try kind(&parser)) for \(what)") }
            try parser.readObject(member)
        }
        func kind(_ parser: inout JSONParser) throws -> String {
            try parser.readScalar().kindName
        }
        func text(_ parser: inout JSONParser, _ what: String) throws -> String? {
            switch try parser.readScalar() {
            case .text(let text): return text
            case .null: return nil
            case let other: throw corrupt("has \(other.kindName) for \(what)")
            }
        }
        func texts(_ parser: inout JSONParser, _ what: String) throws -> [String: String] {
            var dictionary: [String: String] = [:]
            try object(&parser, what) { parser, key in dictionary[key] = try text(&parser, what) }
            return dictionary
        }
        var contact = Contact()
        var attribution = Attribution(source: "", sourceType: "")
        var source: String?, sourceType: String?
        var fields: [String: String] = [:]
        var consent = Consent()
        var problems: [NormalizationProblem] = []
        var phoneType: PhoneLineType?
        var phoneRegion: String?
        // Read in one pass, no tree built: every delivery and every read of a lead reads a body.
        var parser = JSONParser(reading: Array(json.utf8))
        do {
            try object(&parser, "the body") { parser, key in
                switch key {
                case "contact":
                    try object(&parser, key) { parser, key in
                        if let field = Self.contactFields[key] { contact[keyPath: field] = try text(&parser, key) } else { try parser.skipValue() }
                    }
                case "attribution":
                    try object(&parser, key) { parser, key in
                        switch key {
                        case "source": source = try text(&parser, key)
                        case "source_type": sourceType = try text(&parser, key)
                        case "click_ids": attribution.clickIDs = try texts(&parser, key)
                        default:
                            if let field = Self.attributionFields[key] { attribution[keyPath: field] = try text(&parser, key) } else { try parser.skipValue() }
                        }
                    }
                case "fields":
                    fields = try texts(&parser, key)
                case "consent":
                    try object(&parser, key) { parser, key in
                        switch (key, try parser.readScalar()) {
                        case ("marketing", .bool(let flag)): consent.marketing = flag
                        case ("at", .text(let time)):
                            guard let date = try? Date(time, strategy: .iso8601) else { throw corrupt("has consent time '\(time)'") }
                            consent.at = date
                        case ("marketing", .null), ("at", .null): break
                        case ("marketing", let value), ("at", let value):
                            throw corrupt("has \(value.kindName) for consent \(key)")
                        default: break
                        }
                    }
                case "problems":
                    guard try parser.nextIsArray() else { throw corrupt("has \(try kind(&parser)) for problems") }
                    try parser.readArray { parser in
                        var field: String?, reason: String?
                        try object(&parser, key) { parser, member in
                            switch member {
                            case "field": field = try text(&parser, "field")
                            case "reason": reason = try text(&parser, "reason")
                            default: try parser.skipValue()
                            }
                        }
                        problems.append(NormalizationProblem(field: field ?? "", reason: reason ?? ""))
                    }
                case "phone_type":
                    phoneType = try text(&parser, key).flatMap(PhoneLineType.init(rawValue:))
                case "phone_region":
                    phoneRegion = try text(&parser, key)
                default:
                    try parser.skipValue()
                }
            }
            try parser.finish()
        } catch let error as JSONParser.SyntaxError {
            throw corrupt("is not JSON: \(error.message) at byte \(error.offset)")
        }
        guard let source, let sourceType else { throw corrupt("has no attribution source") }
        attribution.source = source
        attribution.sourceType = sourceType
        self.init(
            contact: contact, attribution: attribution, fields: fields, consent: consent, problems: problems,
            phoneType: phoneType, phoneRegion: phoneRegion
        )
    }

    private static let contactFields: [String: any WritableKeyPath<Contact, String?> & Sendable] = [
        "full_name": \.fullName, "first_name": \.firstName, "last_name": \.lastName, "email": \.email, "phone": \.phone,
        "phone_extension": \.phoneExtension, "company": \.company, "job_title": \.jobTitle, "country": \.country, "city": \.city,
    ]
    private static let attributionFields: [String: any WritableKeyPath<Attribution, String?> & Sendable] = [
        "campaign": \.campaign, "utm_source": \.utmSource, "utm_medium": \.utmMedium, "utm_campaign": \.utmCampaign,
        "utm_term": \.utmTerm, "utm_content": \.utmContent, "gclid": \.gclid, "fbclid": \.fbclid,
        "landing_url": \.landingURL, "referrer": \.referrer, "form": \.form,
    ]

    /// The body as JSON, written directly (it is written on every intake); `init(json:)` reads it back.
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

/// How a lead's qualification is stored: the criteria id and score in their own columns, the rest as a
/// compact blob in rule order — a format byte, the decision, the rule that rejected, then for each rule a flags
/// byte (passed, has a value, has a note), its points and its value and note — every number a LEB128 varint, every
/// text its UTF-8 length and bytes. Rule names are stored once per criteria version (`criteria_rules`), not on every
/// lead: with twenty rules they were two thirds of a lead's row. Written on every qualified intake, so it is bytes
/// copied, not JSON escaped and numbers printed (rows from before it, JSON text
/// `{"d": decision, "x": rejected_by, "r": [[passed, points, value, note], ...]}`, are still read).
enum StoredQualification {
    /// The blob's first byte; a JSON row begins with `{`.
    static let format: UInt8 = 1
    private static let passed: UInt8 = 1, hasValue: UInt8 = 2, hasNote: UInt8 = 4

    /// Written on every qualified intake: sized first, then written in place, each text copied straight from its
    /// UTF-8 (an array grown by appends paid for its checks and a generic copy of every value).
    static func encoded(_ qualification: Qualification) -> [UInt8] {
        let reasons = qualification.reasons
        // Upper bound: a varint takes at most 10 bytes.
        var capacity = 1 + 10 + qualification.decision.rawValue.utf8.count + 1 + 10 + (qualification.rejectedBy?.utf8.count ?? 0) + 10
        for index in reasons.indices {
            capacity += 1 + 10 + (reasons[index].value.map { 10 + $0.utf8.count } ?? 0) + (reasons[index].note.map { 10 + $0.utf8.count } ?? 0)
        }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var writer = BlobWriter(buffer: buffer)
            writer.byte(format)
            writer.text(qualification.decision.rawValue)
            if let rejectedBy = qualification.rejectedBy {
                writer.byte(1)
                writer.text(rejectedBy)
            } else {
                writer.byte(0)
            }
            writer.number(UInt64(reasons.count))
            for index in reasons.indices {
                let points = Int64(reasons[index].points)
                var flags: UInt8 = reasons[index].passed ? passed : 0
                if reasons[index].value != nil { flags |= hasValue }
                if reasons[index].note != nil { flags |= hasNote }
                writer.byte(flags)
                // Zigzag: points may be negative.
                writer.number(UInt64(bitPattern: points << 1 ^ points >> 63))
                if let value = reasons[index].value { writer.text(value) }
                if let note = reasons[index].note { writer.text(note) }
            }
            count = writer.offset
        }
    }

    /// Writes into a buffer sized beforehand (`encoded` computes the bound).
    private struct BlobWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var offset = 0

        mutating func byte(_ value: UInt8) {
            buffer[offset] = value
            offset += 1
        }

        mutating func number(_ number: UInt64) {
            var number = number
            while number >= 0x80 {
                byte(UInt8(truncatingIfNeeded: number) | 0x80)
                number >>= 7
            }
            byte(UInt8(number))
        }

        mutating func text(_ text: String) {
            text.lendingUTF8 { utf8 in
                number(UInt64(utf8.count))
                guard let base = utf8.baseAddress else { return }
                UnsafeMutableRawPointer(buffer.baseAddress! + offset).copyMemory(from: base, byteCount: utf8.count)
                offset += utf8.count
            }
        }
    }

    /// A stored qualification, in either form: the blob, or JSON text from before it.
    static func decode(_ stored: DatabaseValue, criteria: String, score: Int, names: [String]) throws -> Qualification? {
        switch stored.storage {
        case .blob(let data): try decode(Array(data), criteria: criteria, score: score, names: names)
        case .string(let json): try decode(json, criteria: criteria, score: score, names: names)
        case .null: nil
        case .int64, .double: throw corrupt(criteria, "is a number")
        }
    }

    /// The error for a stored qualification that cannot be read, in either form.
    private static func corrupt(_ criteria: String, _ what: String) -> StoreError {
        StoreError(code: "corrupt_row", message: "the stored qualification of \(criteria) \(what)")
    }

    static func decode(_ bytes: [UInt8], criteria: String, score: Int, names: [String]) throws -> Qualification {
        func corrupt(_ what: String) -> StoreError { Self.corrupt(criteria, what) }
        var offset = 0
        func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw corrupt("ends early, at byte \(offset)") }
            defer { offset += 1 }
            return bytes[offset]
        }
        func number() throws -> UInt64 {
            var number: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                // The tenth byte holds the 64th bit only: anything more would be dropped, not read.
                guard shift < 63 || (shift == 63 && next <= 1) else { throw corrupt("has a number too long at byte \(offset)") }
                number |= UInt64(next & 0x7f) << shift
                if next < 0x80 { return number }
                shift += 7
            }
        }
        func text() throws -> String {
            let count = try number()
            guard count <= UInt64(bytes.count - offset) else { throw corrupt("ends early, in a text at byte \(offset)") }
            defer { offset += Int(count) }
            return String(decoding: bytes[offset..<offset + Int(count)], as: UTF8.self)
        }
        guard try byte() == format else { throw corrupt("has an unknown format") }
        let decisionText = try text()
        guard let decision = LeadStatus(rawValue: decisionText) else { throw corrupt("has the unknown decision '\(decisionText)'") }
        let rejectedBy: String?
        switch try byte() {
        case 0: rejectedBy = nil
        case 1: rejectedBy = try text()
        case let flag: throw corrupt("has \(flag) where the rejecting rule's flag belongs, at byte \(offset - 1)")
        }
        let count = try number()
        // Each rule takes at least two bytes: a count beyond that is not a count.
        guard count <= UInt64(bytes.count - offset) / 2 else { throw corrupt("counts \(count) rules in \(bytes.count) bytes") }
        var reasons: [QualificationReason] = []
        reasons.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let flags = try byte()
            guard flags & ~(passed | hasValue | hasNote) == 0 else { throw corrupt("has the unknown flags \(flags) for rule \(index + 1)") }
            let zigzag = try number()
            let points = Int(truncatingIfNeeded: Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1))
            let value = flags & hasValue != 0 ? try text() : nil
            let note = flags & hasNote != 0 ? try text() : nil
            reasons.append(QualificationReason(
                rule: index < names.count ? names[index] : "rule \(index + 1)", passed: flags & passed != 0,
                points: points, value: value, note: note
            ))
        }
        guard offset == bytes.count else { throw corrupt("has \(bytes.count - offset) bytes after its last rule") }
        return Qualification(criteria: criteria, score: score, decision: decision, rejectedBy: rejectedBy, reasons: reasons)
    }

    /// The JSON text rows were written as before the blob.
    static func decode(_ json: String, criteria: String, score: Int, names: [String]) throws -> Qualification {
        func corrupt(_ what: String) -> StoreError { Self.corrupt(criteria, what) }
        let root: JSONValue
        do throws(JSONParser.SyntaxError) {
            root = try JSONParser.parse(Array(json.utf8))
        } catch {
            throw corrupt("is not JSON: \(error.message) at byte \(error.offset)")
        }
        guard case .object(let members) = root else { throw corrupt("is \(root.kindName)") }
        var decision: LeadStatus?, rejectedBy: String?, reasons: [QualificationReason] = []
        for (key, value) in members {
            switch (key, value) {
            case ("d", .string(let text)):
                guard let status = LeadStatus(rawValue: text) else { throw corrupt("has the unknown decision '\(text)'") }
                decision = status
            case ("x", .string(let text)): rejectedBy = text
            case ("r", .array(let rules)):
                for (index, (rule, _)) in rules.enumerated() {
                    guard case .array(let cells) = rule else { throw corrupt("has \(rule.kindName) for rule \(index + 1)") }
                    // [passed, points, value, note]: numbers as written, value and note text or null, trailing ones left out.
                    func cell(_ position: Int) -> JSONValue { position < cells.count ? cells[position].value : .null }
                    func number(_ position: Int) -> Int { if case .number(let text) = cell(position) { Int(text) ?? 0 } else { 0 } }
                    func text(_ position: Int) -> String? { if case .string(let text) = cell(position) { text } else { nil } }
                    reasons.append(QualificationReason(
                        rule: index < names.count ? names[index] : "rule \(index + 1)", passed: number(0) == 1,
                        points: number(1), value: text(2), note: text(3)
                    ))
                }
            default: break
            }
        }
        guard let decision else { throw corrupt("has no decision") }
        return Qualification(criteria: criteria, score: score, decision: decision, rejectedBy: rejectedBy, reasons: reasons)
    }
}

/// Rule names per criteria id, read once from `criteria_rules`.
final class RuleNames: Sendable {
    private let cache = Mutex<[String: [String]]>([:])
    /// Criteria ids this process inserted in a transaction that may not have committed yet.
    private let recorded = Mutex<Set<String>>([])

    func names(of criteria: String, in db: Database) throws -> [String] {
        if let known = cache.withLock({ $0[criteria] }) { return known }
        let text = try String.fetchOne(db, sql: "SELECT names FROM criteria_rules WHERE criteria = ?", arguments: [criteria]) ?? "[]"
        let names = try LeadJSON.decoder().decode([String].self, from: Data(text.utf8))
        if !names.isEmpty { cache.withLock { $0[criteria] = names } }
        return names
    }

    /// Records the names of `qualification`'s criteria the first time this process writes one.
    func record(_ qualification: Qualification, in db: Database) throws {
        guard !recorded.withLock({ $0.contains(qualification.criteria) }) else { return }
        let names = qualification.reasons.map(\.rule)
        let json = String(decoding: try LeadJSON.encoder().encode(names), as: UTF8.self)
        try db.execute(sql: "INSERT OR IGNORE INTO criteria_rules (criteria, names) VALUES (?, ?)", arguments: [qualification.criteria, json])
        recorded.withLock { _ = $0.insert(qualification.criteria) }
    }

    /// After a rolled-back transaction: what it recorded must be written again.
    func forgetRecorded() {
        recorded.withLock { $0.removeAll() }
    }
}

/// Tables, migrations and row mapping of the SQLite store.
enum SQLiteSchema {
    /// Leads, touches and quarantine are rowid tables: their rows (a JSON body, a raw payload) are too
    /// large for WITHOUT ROWID b-trees, which would spill nearly every row to an overflow page.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-leads-touches-quarantine") { db in
            try db.execute(sql: """
                CREATE TABLE leads (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
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
                );
                CREATE INDEX leads_product ON leads(product, id) WHERE product IS NOT NULL;
                CREATE INDEX leads_owner ON leads(owner, id) WHERE owner IS NOT NULL;
                CREATE INDEX leads_email ON leads(email_key) WHERE email_key IS NOT NULL;
                CREATE INDEX leads_phone ON leads(phone) WHERE phone IS NOT NULL;
                CREATE INDEX leads_status ON leads(status, id);
                CREATE INDEX leads_source ON leads(source, id);
                CREATE TABLE touches (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    lead_id TEXT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    external_id TEXT,
                    content_hash TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    content_type TEXT,
                    payload BLOB NOT NULL
                );
                CREATE UNIQUE INDEX touches_external ON touches(source, external_id) WHERE external_id IS NOT NULL;
                CREATE INDEX touches_content ON touches(source, content_hash, received_at);
                CREATE INDEX touches_lead ON touches(lead_id, received_at);
                CREATE TABLE quarantine (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    message TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    headers TEXT NOT NULL,
                    body BLOB NOT NULL,
                    replayed_at INTEGER
                );
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
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    channel TEXT NOT NULL,
                    event TEXT NOT NULL,
                    lead_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    claimed_until INTEGER,
                    payload BLOB,
                    last_status INTEGER,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status IN ('pending', 'failed');
                CREATE INDEX outbox_status ON outbox(status, seq);
                CREATE TABLE delivery_attempts (
                    id INTEGER PRIMARY KEY,
                    delivery_id TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    status INTEGER,
                    latency_ms INTEGER,
                    error TEXT,
                    response TEXT
                );
                CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);
                CREATE TABLE disabled_channels (
                    channel TEXT PRIMARY KEY NOT NULL,
                    at INTEGER NOT NULL,
                    reason TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE criteria_rules (
                    criteria TEXT PRIMARY KEY NOT NULL,
                    names TEXT NOT NULL
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
        migrator.registerMigration("v2-fetches-cursors-deletions") { db in
            try db.execute(sql: """
                ALTER TABLE leads ADD COLUMN deleted_at_source INTEGER;
                CREATE TABLE pending_fetches (
                    lead_id TEXT PRIMARY KEY NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_status INTEGER,
                    last_error TEXT,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX pending_fetches_due ON pending_fetches(next_attempt_at) WHERE state != 'gave_up';
                CREATE TABLE source_cursors (
                    source TEXT PRIMARY KEY NOT NULL,
                    cursor TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-reports") { db in
            // Reports read these indexes only, never the leads' rows (with their bodies, the table is twenty times their
            // size): every opportunity with all a forecast reads of it (partial: only leads with a stage pay for it), and
            // what the funnel counts per source, in the order it groups by (one walk, no sort, no filter per row).
            try db.execute(sql: """
                CREATE INDEX leads_opportunities ON leads(
                    status, is_test, stage, closed_at, created_at, product, owner, source, campaign, criteria,
                    amount, currency, probability, expected_close, manual, id
                ) WHERE stage IS NOT NULL;
                CREATE INDEX leads_funnel_source ON leads(source, is_test, status, stage, created_at);
                CREATE TABLE forecast_snapshots (
                    id INTEGER PRIMARY KEY,
                    period TEXT NOT NULL,
                    grouping TEXT NOT NULL,
                    group_name TEXT,
                    currency TEXT NOT NULL,
                    weighted REAL NOT NULL,
                    commit_amount REAL NOT NULL,
                    best_case REAL NOT NULL,
                    taken_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX forecast_snapshots_key
                    ON forecast_snapshots(grouping, period, currency, group_name IS NULL, IFNULL(group_name, ''));
                """)
        }
        // Submissions with their own id are replays by that id, never by content: their touches leave the
        // content-hash index (one random B-tree write less per platform lead; measured by scripts/bench/import.sh).
        migrator.registerMigration("v4-content-hash-without-ids") { db in
            try db.execute(sql: """
                DROP INDEX touches_content;
                CREATE INDEX touches_content ON touches(source, content_hash, received_at) WHERE external_id IS NULL;
                """)
        }
        // A receiver that answers 429 or 503 with Retry-After asks the whole channel to wait, not one delivery.
        migrator.registerMigration("v5-channel-pauses") { db in
            try db.execute(sql: """
                CREATE TABLE channel_pauses (
                    channel TEXT PRIMARY KEY NOT NULL,
                    until INTEGER NOT NULL,
                    reason TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        // Bodies are rendered when their event is queued and kept apart from the outbox rows: a claim and a record
        // rewrite those rows' pages, which a body of ~700 bytes in each would make five times as many (measured by
        // scripts/bench/deliver-pair.sh). Bodies kept by earlier versions (rendered at a failed first attempt) move.
        migrator.registerMigration("v6-outbox-bodies") { db in
            try db.execute(sql: """
                CREATE TABLE outbox_bodies (
                    seq INTEGER PRIMARY KEY,
                    body BLOB NOT NULL
                );
                INSERT INTO outbox_bodies (seq, body) SELECT seq, payload FROM outbox WHERE payload IS NOT NULL;
                ALTER TABLE outbox DROP COLUMN payload;
                """)
        }
        // A newcomer with an email matches by phone only leads without one: those have an index of their own, so a
        // phone many leads share (an office's, a made-up one) costs a look-up, not a read of every lead behind it.
        migrator.registerMigration("v7-phone-without-email") { db in
            try db.execute(sql: """
                CREATE INDEX leads_phone_bare ON leads(phone) WHERE phone IS NOT NULL AND email_key IS NULL;
                """)
        }
        // The owner's leads and what the reports read, in one covering index: every lead with an owner or a stage, in the
        // owner list's order (owner, then id). Apart, the opportunities' index and `(owner, id)` were two index writes for
        // every opportunity an intake opens, where this is one: about 10,000 instructions a qualified intake less
        // (scripts/bench/intake.sh). The reports walk this one whole: the forecast read nearly all of the old index anyway,
        // but the funnel's won and lost were two of its ranges and are a filter here (a report of a million leads 5-10 %
        // slower, README). SQLite, without statistics, would plan them over `leads_status` and read every row, so they
        // name it (`ReportSQL.opportunities`). An opportunity without an owner sorts first, under NULL.
        migrator.registerMigration("v8-owner-reports") { db in
            try db.execute(sql: """
                DROP INDEX leads_opportunities;
                DROP INDEX leads_owner;
                CREATE INDEX leads_owner_reports ON leads(
                    owner, id, status, is_test, stage, closed_at, created_at, product, source, campaign, criteria,
                    amount, currency, probability, expected_close, manual
                ) WHERE owner IS NOT NULL OR stage IS NOT NULL;
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

    /// `IN` over the strings of one parameter, a JSON array (`jsonArray`): one cached statement for any number of ids,
    /// where `IN (?, ?, ...)` built and prepared a statement for every batch of deliveries and every page.
    static let inList = "(SELECT value FROM json_each(?))"

    static func jsonArray(_ strings: [String]) -> String {
        var writer = JSONWriter(capacity: 2 + strings.count * 32)
        writer.beginArray()
        for string in strings { writer.string(string) }
        writer.endArray()
        return writer.string
    }

    /// The columns `lead(from:)` reads, in the order it reads them. Rows are read by position: GRDB finds a column by
    /// name by lower-casing every column name of the row, which was most of reading a page or a batch of deliveries.
    static let leadColumns = """
        id, status, reject_reason, body, is_test, product, owner, score, criteria, qualification, created_at, updated_at, \
        deleted_at_source, \(opportunityColumns)
        """
    /// The columns `opportunity(from:at:)` reads, from its first position on.
    static let opportunityColumns = "stage, amount, currency, probability, expected_close, closed_at, manual"
    /// Where `opportunityColumns` start in `leadColumns`: they come last.
    private static let leadOpportunityPosition = columnCount(leadColumns) - columnCount(opportunityColumns)

    /// How many columns a list such as `leadColumns` names.
    static func columnCount(_ columns: String) -> Int {
        columns.split(separator: ",").count
    }

    /// A lead from a row of `leadColumns`.
    static func lead(from row: Row, touches: [TouchSummary], ruleNames: RuleNames, in db: Database) throws -> Lead {
        let id: String = row[0]
        let statusText: String = row[1]
        guard let status = LeadStatus(rawValue: statusText) else {
            throw StoreError(code: "corrupt_row", message: "lead \(id) has unknown status '\(statusText)'")
        }
        let body = try StoredLeadBody(json: row[3] as String)
        var qualification: Qualification?
        if let criteria: String = row[8] {
            qualification = try StoredQualification.decode(
                row[9], criteria: criteria, score: row[7] ?? 0, names: ruleNames.names(of: criteria, in: db)
            )
        }
        return Lead(
            id: id, status: status, rejectReason: row[2], contact: body.contact,
            attribution: body.attribution, fields: body.fields, consent: body.consent, problems: body.problems,
            isTest: row[4], product: row[5], qualification: qualification, owner: row[6],
            opportunity: opportunity(from: row, at: leadOpportunityPosition), touches: touches,
            createdAt: date(row[10]), updatedAt: date(row[11]),
            fetch: status == .pendingFetch ? try fetchStatus(of: id, in: db) : nil,
            deletedAtSource: (row[12] as Int64?).map(date)
        )
    }

    /// Lead `id` with its touches, as this connection sees it; nil when there is none.
    static func lead(id: String, ruleNames: RuleNames, in db: Database) throws -> Lead? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(leadColumns) FROM leads WHERE id = ?"), arguments: [id]) else {
            return nil
        }
        return try lead(from: row, touches: touches(of: id, in: db), ruleNames: ruleNames, in: db)
    }

    static func fetchStatus(of leadID: String, in db: Database) throws -> FetchStatus? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT state, attempts, next_attempt_at, last_status, last_error FROM pending_fetches WHERE lead_id = ?",
            arguments: [leadID]
        ) else { return nil }
        let state = FetchStatus.State(rawValue: row["state"]) ?? .waiting
        return FetchStatus(
            state: state, attempts: row["attempts"], nextAttemptAt: state == .gaveUp ? nil : date(row["next_attempt_at"]),
            lastStatus: row["last_status"], lastError: row["last_error"]
        )
    }

    /// The opportunity of a row holding `opportunityColumns` from position `first` on; nil without a stage.
    static func opportunity(from row: Row, at first: Int) -> Opportunity? {
        guard let stage: String = row[first] else { return nil }
        return Opportunity(
            stage: stage, amount: row[first + 1], currency: row[first + 2], probability: row[first + 3] ?? 0,
            expectedClose: row[first + 4], closedAt: (row[first + 5] as Int64?).map(date), manual: row[first + 6]
        )
    }

    static func touches(of leadID: String, in db: Database) throws -> [TouchSummary] {
        try touches(ofLeads: [leadID], in: db)[leadID] ?? []
    }

    /// The touches of each of these leads, oldest first, in one query (a page of leads, a batch of deliveries).
    static func touches(ofLeads ids: [String], in db: Database) throws -> [String: [TouchSummary]] {
        guard !ids.isEmpty else { return [:] }
        var touches: [String: [TouchSummary]] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: """
                SELECT lead_id, id, source, external_id, received_at FROM touches WHERE lead_id IN \(inList)
                ORDER BY lead_id, received_at, id
                """),
            arguments: [jsonArray(ids)])
        while let row = try rows.next() {
            touches[row[0], default: []].append(TouchSummary(id: row[1], source: row[2], externalID: row[3], receivedAt: date(row[4])))
        }
        return touches
    }
}
