import Foundation
import GRDB
import LeadGateCore
import Testing
@testable import LeadGateStore

/// A fresh database file in its own temporary folder.
func temporaryDatabasePath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-store-\(UUID().uuidString)")
    return directory.appendingPathComponent("test.sqlite").path
}

/// The path of a store an earlier version left: migrated up to `migration` only, with `seed` written into it.
func databaseMigrated(upTo migration: String, seed: @escaping @Sendable (Database) throws -> Void) async throws -> String {
    let path = temporaryDatabasePath()
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let queue = try DatabaseQueue(path: path)
    try SQLiteSchema.migrator.migrate(queue, upTo: migration)
    try await queue.write(seed)
    return path
}

let t0 = Date(timeIntervalSince1970: 1_764_324_000) // 2025-11-28T10:00:00Z

func record(
    source: String = "website", email: String? = nil, phone: String? = nil, name: String? = nil,
    externalID: String? = nil, hash: String? = nil, at date: Date = t0, window: TimeInterval? = 600,
    rejection: String? = nil, qualifier: (any LeadQualifier)? = nil, fields: [String: String] = [:]
) -> IntakeRecord {
    var contact = Contact(fullName: name, email: email, phone: phone)
    contact.firstName = name.map { String($0.split(separator: " ").first ?? "") }
    let lead = NormalizedLead(
        contact: contact, attribution: Attribution(source: source, sourceType: "web_form"),
        fields: fields, externalID: externalID
    )
    return IntakeRecord(
        leadID: LeadID.make(prefix: "ld_", at: date), touchID: LeadID.make(prefix: "tc_", at: date), source: source,
        lead: lead, rejection: rejection, qualifier: qualifier, receivedAt: date,
        contentHash: hash ?? UUID().uuidString, dedupeSince: window.map { date.addingTimeInterval(-$0) },
        payload: Array("payload".utf8), contentType: "application/json"
    )
}

@Suite struct SQLiteLeadStoreTests {
    @Test func commitsAndReadsBackALeadWithItsTouch() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let outcomes = try await store.commit([record(email: "dana@acme.co.il", phone: "+972541234567", name: "דנה כהן")])
        let outcome = try #require(outcomes.first)
        #expect(outcome.kind == .created)
        let lead = try #require(try await store.lead(id: outcome.leadID))
        #expect(lead.contact.fullName == "דנה כהן")
        #expect(lead.contact.email == "dana@acme.co.il")
        #expect(lead.status == .lead)
        #expect(lead.touches.count == 1)
        #expect(lead.createdAt == t0)
    }

    @Test func sameExternalIDIsAReplay() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(email: "a@x.com", externalID: "sub-1")])[0]
        let second = try await store.commit([record(email: "other@y.com", externalID: "sub-1", at: t0.addingTimeInterval(86_400))])[0]
        #expect(second.kind == .replay)
        #expect(second.leadID == first.leadID)
        let lead = try #require(try await store.lead(id: first.leadID))
        #expect(lead.touches.count == 1)
    }

    @Test func submissionsWithTheirOwnIDAreReplaysByIDNeverByContent() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(email: "a@x.com", externalID: "lead-1", hash: "same")])[0]
        // Another id with the same content a minute later is another submission (the platform said so).
        let other = try await store.commit([record(email: "a@x.com", externalID: "lead-2", hash: "same", at: t0 + 60)])[0]
        #expect(other.kind == .touched)
        #expect(other.leadID == first.leadID)
        // Without an id, the content decides, against submissions without an id only.
        let noID = try await store.commit([record(email: "b@x.com", hash: "same", at: t0 + 120)])[0]
        #expect(noID.kind == .created)
        let again = try await store.commit([record(email: "b@x.com", hash: "same", at: t0 + 180)])[0]
        #expect(again.kind == .replay)
        #expect(again.leadID == noID.leadID)
    }

    @Test func externalIDsAreScopedBySource() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(source: "a", email: "p@x.com", externalID: "1")])[0]
        let second = try await store.commit([record(source: "b", email: "q@x.com", externalID: "1")])[0]
        #expect(second.kind == .created)
        #expect(second.leadID != first.leadID)
    }

    @Test func sameContentInsideTheWindowIsAReplayAndOutsideIsANewTouch() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(email: "a@x.com", hash: "h1")])[0]
        let inside = try await store.commit([record(email: "a@x.com", hash: "h1", at: t0.addingTimeInterval(599))])[0]
        #expect(inside.kind == .replay)
        let outside = try await store.commit([record(email: "a@x.com", hash: "h1", at: t0.addingTimeInterval(1300))])[0]
        #expect(outside.kind == .touched)
        #expect(outside.leadID == first.leadID)
        #expect(try await store.lead(id: first.leadID)?.touches.count == 2)
    }

    @Test func sameEmailInAnyCaseIsANewTouchOnTheSameLead() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let first = try await store.commit([record(email: "Dana@Acme.co.il", name: "Dana")])[0]
        let second = try await store.commit([record(email: "dana@acme.co.il", phone: "+972541234567", at: t0.addingTimeInterval(5))])[0]
        #expect(second.kind == .touched)
        #expect(second.leadID == first.leadID)
        let lead = try #require(try await store.lead(id: first.leadID))
        #expect(lead.contact.phone == "+972541234567", "a later touch fills what the lead did not know")
        #expect(lead.contact.fullName == "Dana")
        #expect(lead.updatedAt == t0.addingTimeInterval(5))
    }

    @Test func phoneMatchesOnlyWhenAnEmailDoesNotTellThePeopleApart() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let phoneOnly = try await store.commit([record(phone: "+972541234567")])[0]
        let withEmail = try await store.commit([record(email: "a@x.com", phone: "+972541234567", at: t0.addingTimeInterval(1))])[0]
        #expect(withEmail.leadID == phoneOnly.leadID, "the phone-only lead learns its email")
        let otherPerson = try await store.commit([record(email: "b@y.com", phone: "+972541234567", at: t0.addingTimeInterval(2))])[0]
        #expect(otherPerson.kind == .created, "a different email at the same office phone is another person")
    }

    @Test func aPhoneManyPeopleShareFindsTheEarliestLeadWithoutAnEmailOnly() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let office = "+97235550000"
        let people = try await store.commit((0..<40).map { record(email: "p\($0)@acme.com", phone: office, at: t0.addingTimeInterval(Double($0))) })
        #expect(people.allSatisfy { $0.kind == .created }, "forty emails at one office phone are forty people")
        let newcomer = try await store.commit([record(email: "new@acme.com", phone: office, at: t0.addingTimeInterval(50))])[0]
        #expect(newcomer.kind == .created)
        // Without an email, the phone is all there is: the earliest of them is the person.
        let caller = try await store.commit([record(phone: office, at: t0.addingTimeInterval(60))])[0]
        #expect(caller.kind == .touched)
        #expect(caller.leadID == people[0].leadID)
        // A rejected submission at a phone comes first but is no one: the lead without an email after it is the person.
        let rejected = try await store.commit([record(phone: "+97235550001", at: t0.addingTimeInterval(69), rejection: "honeypot")])[0]
        #expect(rejected.kind == .created)
        let bare = try await store.commit([record(phone: "+97235550001", at: t0.addingTimeInterval(70))])[0]
        #expect(bare.kind == .created, "a rejected submission is no one's identity")
        let learned = try await store.commit([record(email: "solo@acme.com", phone: "+97235550001", at: t0.addingTimeInterval(80))])[0]
        #expect(learned.leadID == bare.leadID, "the phone-only lead learns its email")
        let stranger = try await store.commit([record(email: "other@acme.com", phone: "+97235550001", at: t0.addingTimeInterval(90))])[0]
        #expect(stranger.kind == .created, "once it has an email, the phone no longer makes it anyone else")
    }

    @Test func aLookUpByPhoneReadsOnlyItsIndexUntilItsFirstLead() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        // In index order, stopping at the first lead: no sort, and no other index that would read every row of the phone.
        #expect(try await store.queryPlan(IntakeWriter.personByPhone(hasEmail: true)) == "SEARCH leads USING INDEX leads_phone_bare (phone=?)")
        #expect(try await store.queryPlan(IntakeWriter.personByPhone(hasEmail: false)) == "SEARCH leads USING INDEX leads_phone (phone=?)")
    }

    @Test func anEmailTwoLeadsShareIsTheLeadWithTheLowestIdReadFromItsIndexWithoutASort() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        #expect(try await store.queryPlan(IntakeWriter.personByEmail) == "SEARCH leads USING INDEX leads_email (email_key=?)")
        let stored = try await store.commit([record(email: "dana@acme.co.il", at: t0.addingTimeInterval(60))])[0]
        // Identity by email never makes two leads of one email; a store edited by hand, or older, may hold them. The
        // row written second has the lower id (an earlier arrival), so the row id's order and the id's disagree.
        let earlier = LeadID.make(prefix: "ld_", at: t0)
        try await store.pool.write { db in
            try db.execute(sql: """
                INSERT INTO leads (id, status, email_key, source, source_type, search, body, created_at, updated_at)
                SELECT ?, status, email_key, source, source_type, search, body, created_at, updated_at FROM leads WHERE id = ?
                """, arguments: [earlier, stored.leadID])
        }
        let touch = try await store.commit([record(email: "Dana@Acme.co.il", at: t0.addingTimeInterval(120))])[0]
        #expect(touch.kind == .touched)
        #expect(touch.leadID == earlier)
        // Rejected, the lead with the lower id is no one's identity: the other lead is.
        try await store.pool.write { db in try db.execute(sql: "UPDATE leads SET status = 'rejected' WHERE id = ?", arguments: [earlier]) }
        let next = try await store.commit([record(email: "dana@acme.co.il", at: t0.addingTimeInterval(180))])[0]
        #expect(next.kind == .touched)
        #expect(next.leadID == stored.leadID)
        // An email no lead has finds no one.
        let stranger = try await store.commit([record(email: "noa@acme.co.il", at: t0.addingTimeInterval(240))])[0]
        #expect(stranger.kind == .created)
    }

    @Test func rejectedSubmissionsNeverMergeIntoRealLeads() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let real = try await store.commit([record(email: "a@x.com")])[0]
        let bot = try await store.commit([record(email: "a@x.com", at: t0.addingTimeInterval(1), rejection: "honeypot")])[0]
        #expect(bot.kind == .created)
        #expect(bot.leadID != real.leadID)
        let again = try await store.commit([record(email: "a@x.com", at: t0.addingTimeInterval(2))])[0]
        #expect(again.leadID == real.leadID)
        #expect(try await store.lead(id: bot.leadID)?.rejectReason == "honeypot")
    }

    @Test func fiftyConcurrentIdenticalSubmissionsMakeOneLead() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let outcomes = try await withThrowingTaskGroup(of: IntakeOutcome.self) { group in
            for _ in 0..<50 {
                group.addTask { try await store.commit([record(email: "same@x.com", hash: "same-form")])[0] }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outcomes.map(\.leadID)).count == 1)
        #expect(outcomes.filter { $0.kind == .created }.count == 1)
        #expect(outcomes.filter { $0.kind == .replay }.count == 49)
        #expect(try await store.leads(LeadQuery(limit: 100)).leads.count == 1)
    }

    @Test func concurrentDistinctSubmissionsAreAllCommitted() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<300 {
                group.addTask { try await store.commit([record(email: "p\(index)@x.com")])[0].leadID }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 300)
        var seen = Set<String>()
        var cursor: String?
        repeat {
            let page = try await store.leads(LeadQuery(after: cursor, limit: 100))
            for lead in page.leads { #expect(seen.insert(lead.id).inserted, "no lead appears on two pages") }
            cursor = page.next
        } while cursor != nil
        #expect(seen == ids)
    }

    @Test func aFailingRecordDoesNotTakeOthersInTheSameBatchDown() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        var clash = record(email: "a@x.com")
        let first = try await store.commit([clash])[0]
        clash.lead.contact.email = "b@x.com"
        clash.contentHash = "other"
        // Same lead id again: the primary key refuses it, and only this caller sees the error.
        let results = await withTaskGroup(of: (Bool, Result<[IntakeOutcome], any Error>).self) { group in
            let clashing = clash
            group.addTask { (true, await Result(catching: { try await store.commit([clashing]) })) }
            group.addTask { (false, await Result(catching: { try await store.commit([record(email: "c@x.com")]) })) }
            return await group.reduce(into: [Bool: Result<[IntakeOutcome], any Error>]()) { $0[$1.0] = $1.1 }
        }
        #expect(throws: (any Error).self) { try results[true]?.get() }
        #expect(try results[false]?.get().first?.kind == .created)
        #expect(try await store.lead(id: first.leadID)?.contact.email == "a@x.com")
    }

    @Test func filtersByStatusSourceSinceAndText() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        _ = try await store.commit([
            record(source: "website", email: "dana@acme.co.il", name: "דנה כהן"),
            record(source: "landing", email: "avi@acme.co.il", name: "Avi Levi", at: t0.addingTimeInterval(3600)),
            record(source: "website", email: nil, at: t0.addingTimeInterval(7200)),
        ])
        #expect(try await store.leads(LeadQuery(status: .rejected)).leads.count == 1)
        #expect(try await store.leads(LeadQuery(source: "website")).leads.count == 2)
        #expect(try await store.leads(LeadQuery(since: t0.addingTimeInterval(1800))).leads.count == 2)
        let hebrew = try await store.leads(LeadQuery(text: "כהן")).leads
        #expect(hebrew.map(\.contact.email) == ["dana@acme.co.il"])
        #expect(try await store.leads(LeadQuery(text: "LEVI")).leads.first?.contact.fullName == "Avi Levi")
        #expect(try await store.leads(LeadQuery(text: "100%")).leads.isEmpty, "LIKE wildcards are matched literally")
    }

    @Test func quarantineKeepsTheRequestWhole() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let body: [UInt8] = [0x7B, 0xFF, 0x00, 0x22]
        let entry = QuarantineEntry(
            id: "qr_1", source: "website", receivedAt: t0, code: "invalid_json", message: "bad",
            method: "POST", path: "/ingest/website", headers: ["content-type": "application/json"], body: body
        )
        try await store.quarantine(entry)
        #expect(try await store.quarantined(limit: 10) == [entry])
    }

    @Test func committedLeadsSurviveReopening() async throws {
        let path = temporaryDatabasePath()
        var id = ""
        do {
            let store = try SQLiteLeadStore(path: path)
            id = try await store.commit([record(email: "keep@x.com")])[0].leadID
        }
        let reopened = try SQLiteLeadStore(path: path)
        #expect(try await reopened.lead(id: id)?.contact.email == "keep@x.com")
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

@Suite struct SQLiteDurabilityTests {
    @Test func theWriterRunsInWALWithSynchronousFull() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        #expect(try await store.writerPragma("journal_mode") == "wal")
        #expect(try await store.writerPragma("synchronous") == "2", "2 is FULL: every commit syncs the WAL")
        // Intakes commit in NORMAL and are flushed apart; the connection is FULL again for every other write.
        _ = try await store.commit([record(email: "dana@acme.co.il")])
        #expect(try await store.writerPragma("synchronous") == "2")
        let relaxed = try SQLiteLeadStore(path: temporaryDatabasePath(), synchronous: .normal)
        #expect(try await relaxed.writerPragma("synchronous") == "1")
    }
}

@Suite struct StoredLeadBodyJSONTests {
    @Test func theHandWrittenJSONReadsBackAsTheSameBody() throws {
        var attribution = Attribution(source: "website", sourceType: "web_form")
        attribution.utmCampaign = "חורף \"2026\"\\sale"
        attribution.clickIDs = ["msclkid": "abc", "ttclid": "x\ny"]
        attribution.landingURL = "https://acme.co.il/lp?a=1&b=2"
        attribution.campaign = "winter"
        attribution.utmSource = "google"
        attribution.utmMedium = "cpc"
        attribution.utmTerm = "crm"
        attribution.utmContent = "ad-7"
        attribution.gclid = "g-1"
        attribution.fbclid = "f-1"
        attribution.referrer = "https://www.google.com/"
        attribution.form = "contact"
        var body = StoredLeadBody(
            contact: Contact(fullName: "דנה כהן", firstName: "דנה", lastName: "כהן", email: "dana@acme.co.il",
                             phone: "+972541234567", phoneExtension: "12", company: "Acme \u{1}Ltd", jobTitle: "COO",
                             country: "IL", city: "תל אביב"),
            attribution: attribution,
            fields: ["budget": "20,000 ₪", "message": "שלום\r\n\tעולם 😀", "王": "小明"],
            consent: Consent(marketing: true, at: Date(timeIntervalSince1970: 1_764_324_000)),
            problems: [NormalizationProblem(field: "country", reason: "'Atlantis' is not a country")]
        )
        body.phoneType = .mobile
        body.phoneRegion = "IL"
        let decoded = try LeadJSON.decoder().decode(StoredLeadBody.self, from: Data(body.json().utf8))
        #expect(decoded == body)
        let foundation = try LeadJSON.decoder().decode(StoredLeadBody.self, from: LeadJSON.encoder().encode(body))
        #expect(foundation == decoded, "the writer and JSONEncoder say the same thing")
        #expect(try StoredLeadBody(json: body.json()) == body, "the parser reads the writer back")
        #expect(try StoredLeadBody(json: String(decoding: LeadJSON.encoder().encode(body), as: UTF8.self)) == body)
        let empty = StoredLeadBody(contact: Contact(), attribution: Attribution(source: "s", sourceType: "t"), fields: [:], consent: Consent(), problems: [])
        #expect(try LeadJSON.decoder().decode(StoredLeadBody.self, from: Data(empty.json().utf8)) == empty)
        #expect(try StoredLeadBody(json: empty.json()) == empty)
    }

    @Test func aBodyWithoutItsSourceOrCutShortIsAnError() throws {
        let whole = StoredLeadBody(contact: Contact(email: "a@b.co"), attribution: Attribution(source: "s", sourceType: "t"), fields: [:], consent: Consent(), problems: []).json()
        #expect(throws: (any Error).self) { try StoredLeadBody(json: String(whole.dropLast())) }
        #expect(throws: (any Error).self) { try StoredLeadBody(json: #"{"contact": {}}"#) }
        // Members a newer writer adds are stepped over.
        let newer = #"{"attribution": {"source": "s", "source_type": "t", "x": [1, {"y": null}]}, "score": 1.5e3, "tags": ["a"], "fields": {}}"#
        #expect(try StoredLeadBody(json: newer).attribution.source == "s")
        #expect(throws: StoreError.self) { try StoredLeadBody(json: #"{"attribution": {"source": "s", "source_type": "t"}, "consent": {"marketing": "yes"}}"#) }
    }

    /// A body that does not have the stored shape names what is wrong with it, and where.
    @Test(arguments: [
        (#"[]"#, "has an array for the body"),
        (#"{"contact": "x", "attribution": {"source": "s", "source_type": "t"}}"#, "has a string for contact"),
        (#"{"contact": {"email": 5}, "attribution": {"source": "s", "source_type": "t"}}"#, "has a number for email"),
        (#"{"attribution": {"source": "s", "source_type": "t", "click_ids": [1]}}"#, "has an array for click_ids"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "problems": {}}"#, "has an object for problems"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "problems": [{"field": ["f"]}]}"#, "has an array for field"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "fields": {"a": true}}"#, "has a boolean for fields"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "consent": {"at": "yesterday"}}"#, "has consent time 'yesterday'"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "consent": {"marketing": {}}}"#, "has an object for consent marketing"),
        (#"{"attribution": {"source": "s", "source_type": "t"}} x"#, "is not JSON: unexpected 'x' after the JSON value at byte 53"),
        (#"{"attribution": {"source": "s\u12"}}"#, "is not JSON: \\u must be followed by four hex digits at byte 33"),
        (#"{"attribution": {"source": "s", "source_type": "t"}, "contact": {"city": "a"#, "is not JSON: the string that starts here is not closed at byte 73"),
        (#"{"attribution": {"source": "s"}}"#, "has no attribution source"),
    ])
    func aCorruptBodyIsNamedExactly(json: String, message: String) {
        #expect {
            try StoredLeadBody(json: json)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == "corrupt_row" && error.message == "a stored lead body " + message
        }
    }

    /// Escapes take the parser's slow path; the strings around them come out whole.
    @Test func escapedTextInABodyReadsBack() throws {
        let json = #"{"attribution": {"source": "s", "source_type": "t"}, "contact": {"full_name": "Dana \"D\" Cohen\\Levi \u05d3\u05e0\u05d4 \ud83d\ude00", "city": "\/x", "company": "עכו"}}"#
        let body = try StoredLeadBody(json: json)
        #expect(body.contact.fullName == "Dana \"D\" Cohen\\Levi דנה 😀")
        #expect(body.contact.city == "/x")
        #expect(body.contact.company == "עכו")
    }

    @Test func theStoredQualificationReadsBackRuleByRule() throws {
        let reasons = [
            QualificationReason(rule: "budget", passed: true, points: 20, value: "₪20,000", note: nil),
            QualificationReason(rule: "spam", passed: false, points: 0, value: nil, note: "not \"seen\""),
            QualificationReason(rule: "penalty", passed: true, points: -5, value: "דחוף\n", note: nil),
            QualificationReason(rule: "named", passed: false, points: 0, value: nil, note: nil),
        ]
        let qualification = Qualification(criteria: "crm@3", score: 15, decision: .opportunity, rejectedBy: nil, reasons: reasons)
        let blob = StoredQualification.encoded(qualification)
        let names = reasons.map(\.rule)
        #expect(try StoredQualification.decode(blob, criteria: "crm@3", score: 15, names: names) == qualification)
        #expect(try StoredQualification.decode(Data(blob).databaseValue, criteria: "crm@3", score: 15, names: names) == qualification)
        let rejected = Qualification(criteria: "crm@3", score: 0, decision: .rejected, rejectedBy: "spam", reasons: reasons)
        #expect(try StoredQualification.decode(StoredQualification.encoded(rejected), criteria: "crm@3", score: 0, names: names) == rejected)
        // Points far from zero either way survive the varint.
        let extremes = Qualification(criteria: "crm@3", score: 0, decision: .lead, rejectedBy: nil, reasons: [
            QualificationReason(rule: "a", passed: true, points: Int(Int32.max)), QualificationReason(rule: "b", passed: true, points: -1_000_000),
        ])
        #expect(try StoredQualification.decode(StoredQualification.encoded(extremes), criteria: "crm@3", score: 0, names: ["a", "b"]) == extremes)
        // Rules the names do not cover are numbered; broken blobs are errors, not empty qualifications.
        #expect(try StoredQualification.decode(blob, criteria: "crm@3", score: 15, names: []).reasons.map(\.rule) == ["rule 1", "rule 2", "rule 3", "rule 4"])
        var unknownDecision = blob
        unknownDecision[2] = UInt8(ascii: "x")
        // "lead", then a rejecting flag that is neither 0 nor 1; then one rule with flags no version writes; then a count too
        // large; then one rule whose points run past 64 bits (a tenth byte of 2).
        let lead: [UInt8] = [StoredQualification.format, 4, 108, 101, 97, 100]
        let overflowing = lead + [0, 1, 0] + [UInt8](repeating: 0xff, count: 9) + [2]
        for broken in [
            Array(blob.dropLast()), blob + [0], [2] + blob.dropFirst(), unknownDecision, lead + [2, 0], lead + [0, 1, 8, 0], lead + [0, 0x7f],
            overflowing,
        ] {
            #expect(throws: StoreError.self) { try StoredQualification.decode(broken, criteria: "crm@3", score: 0, names: names) }
        }
        #expect(throws: StoreError.self) { try StoredQualification.decode(7.databaseValue, criteria: "crm@3", score: 0, names: names) }
        #expect(try StoredQualification.decode(DatabaseValue.null, criteria: "crm@3", score: 0, names: names) == nil)
    }

    /// Rows written before the blob hold JSON text; they read back the same, through the column's value as stored.
    @Test func aStoredQualificationWrittenAsJSONStillReadsBack() throws {
        let names = ["budget", "spam", "penalty", "named"]
        let json = #"{"d":"opportunity","r":[[1,20,"₪20,000"],[0,0,null,"not \"seen\""],[1,-5,"דחוף\n"],[0,0]]}"#
        let qualification = try #require(try StoredQualification.decode(json.databaseValue, criteria: "crm@3", score: 15, names: names))
        #expect(qualification == Qualification(criteria: "crm@3", score: 15, decision: .opportunity, rejectedBy: nil, reasons: [
            QualificationReason(rule: "budget", passed: true, points: 20, value: "₪20,000", note: nil),
            QualificationReason(rule: "spam", passed: false, points: 0, value: nil, note: "not \"seen\""),
            QualificationReason(rule: "penalty", passed: true, points: -5, value: "דחוף\n", note: nil),
            QualificationReason(rule: "named", passed: false, points: 0, value: nil, note: nil),
        ]))
        let rejected = #"{"d":"rejected","x":"spam","r":[]}"#
        #expect(try StoredQualification.decode(rejected, criteria: "crm@3", score: 0, names: names).rejectedBy == "spam")
        for broken in [String(json.dropLast()), #"{"r": []}"#, #"{"d": "maybe", "r": []}"#, #"{"d": "lead", "r": [1]}"#] {
            #expect(throws: StoreError.self) { try StoredQualification.decode(broken, criteria: "crm@3", score: 0, names: names) }
        }
    }
}
