import Foundation
import LeadGateCore
import Testing

import LeadGateSourceKit

private let importedAt = Date(timeIntervalSince1970: 1_800_000_000)

private func exportRows(
    _ bytes: [UInt8], chunkSize: Int = 1 << 20, options: LeadExportOptions = LeadExportOptions(importedAt: importedAt)
) throws -> (reader: LeadExportReader, rows: [ExportRow]) {
    let reader = try LeadExportReader(try CSVReader(bytes: bytes, chunkSize: chunkSize), options: options)
    var rows: [ExportRow] = []
    while let row = try reader.next() { rows.append(row) }
    return (reader, rows)
}

private func exportRows(_ text: String, options: LeadExportOptions = LeadExportOptions(importedAt: importedAt)) throws -> [ExportRow] {
    try exportRows(Array(text.utf8), options: options).rows
}

private extension ExportRow {
    var draft: LeadDraft? {
        if case .draft(_, let draft) = self { return draft }
        return nil
    }

    var line: Int {
        switch self {
        case .draft(let line, _), .problem(let line, _): line
        }
    }

    var message: String? {
        if case .problem(_, let message) = self { return message }
        return nil
    }
}

/// Meta's "Download leads" as Ads Manager gives it: UTF-16LE with a mark, tab-separated, CRLF, ids and phones
/// with their type prefixes, a Hebrew question, a time an Excel round trip left without its offset, a row of
/// empty cells as spreadsheets leave them, and a row with nothing but its id.
private let metaExport =
    "id\tcreated_time\tad_id\tad_name\tadset_id\tadset_name\tcampaign_id\tcampaign_name\tform_id\tform_name\tis_organic\tplatform\t"
    + "full_name\tphone_number\temail\tמה התקציב שלך?\tlead_status\r\n"
    + "l:10234567890123457\t2026-03-01T10:15:30+0200\tag:120210000000000017\tמודעה 1\tas:120210000000000018\t\"קהל ת\"\"א\"\t"
    + "c:120210000000000019\tWinter Promo\tf:987654321098765\tטופס חורף\t0\tfb\tדנה כהן\tp:+972541234567\tdana@acme.co.il\t"
    + "20,000-50,000\tCREATED\r\n"
    + "l:10234567890123458\t3/1/2026 10:15\tag:120210000000000017\tמודעה 1\t\t\t\t\t\t\t1\tig\tمحمد خليل\tp:054-123 4567\t\t\t\r\n"
    + "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\r\n"
    + "l:10234567890123459\t2026-03-02T08:00:00Z\r\n"

@Test func readsAMetaExport() throws {
    let bytes = ImportSample.utf16(metaExport)
    for chunkSize in [1 << 20, 3, 7] {
        let (reader, rows) = try exportRows(bytes, chunkSize: chunkSize)
        #expect(reader.platform == .meta)
        #expect(reader.csv.encoding == .utf16LittleEndian && reader.csv.delimiter == .tab)
        #expect(reader.header.count == 17 && reader.header[15] == "מה התקציב שלך?")
        try #require(rows.count == 3)

        let first = try #require(rows[0].draft)
        #expect(rows[0].line == 2)
        #expect(first.externalID == "10234567890123457")
        #expect(first.receivedAt == ImportSample.date("2026-03-01T08:15:30Z"))
        #expect(!first.isTest)
        #expect(first.fields == [
            RawField("ad_id", "120210000000000017"), RawField("ad_name", "מודעה 1"), RawField("adset_id", "120210000000000018"),
            RawField("adset_name", "קהל ת\"א"), RawField("campaign_id", "120210000000000019"), RawField("campaign_name", "Winter Promo"),
            RawField("form_id", "987654321098765"), RawField("form_name", "טופס חורף"), RawField("is_organic", "0"),
            RawField("platform", "fb"), RawField("full_name", "דנה כהן"), RawField("phone_number", "+972541234567"),
            RawField("email", "dana@acme.co.il"), RawField("מה התקציב שלך?", "20,000-50,000"), RawField("lead_status", "CREATED"),
        ])

        let second = try #require(rows[1].draft)
        #expect(rows[1].line == 3)
        #expect(second.externalID == "10234567890123458")
        #expect(second.receivedAt == ImportSample.date("2026-03-01T10:15:00Z"))
        #expect(second.fields.first { $0.key == "phone_number" }?.value == "054-123 4567")
        #expect(second.fields.first { $0.key == "full_name" }?.value == "محمد خليل")
        #expect(!second.fields.contains { $0.key == "email" })

        // Line 4 is empty cells only: skipped without a word.
        #expect(rows[2].line == 5)
        #expect(rows[2].message?.contains("only its id, time or test flag") == true)
        #expect(reader.bytesRead == bytes.count)
    }
}

/// A Google Ads lead form download, as UTF-8 CSV with Excel's byte-order mark.
private let googleExport = """
    \u{FEFF}Lead ID,Lead submit time,Campaign ID,Campaign,Ad group ID,Form ID,Gclid,Full name,Email,Phone number,Company name,What is your budget?,Is test
    TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ,2026-03-01 10:15:30+02:00,21234567890,Brand Search IL,151234567890,75123456789,Cj0KCQiA-abc_DEF,Avi Levi,avi@example.com,+972 54-123-4567,Acme Ltd,"$10,000+",FALSE
    LD-2,2024-09-26T12:30:00Z,21234567890,Brand Search IL,,75123456789,,Test User,test@example.com,,,,TRUE
    """

@Test func readsAGoogleExport() throws {
    let (reader, rows) = try exportRows(Array(googleExport.utf8))
    #expect(reader.platform == .google)
    #expect(reader.header.first == "Lead ID")
    try #require(rows.count == 2)
    let first = try #require(rows[0].draft)
    #expect(first.externalID == "TeSter-123-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    #expect(first.receivedAt == ImportSample.date("2026-03-01T08:15:30Z"))
    #expect(!first.isTest)
    // The keys GoogleAdsSource gives the same lead from the webhook.
    #expect(first.fields == [
        RawField("campaign", "21234567890"), RawField("campaign_name", "Brand Search IL"), RawField("adgroup_id", "151234567890"),
        RawField("form", "75123456789"), RawField("gclid", "Cj0KCQiA-abc_DEF"), RawField("full_name", "Avi Levi"),
        RawField("email", "avi@example.com"), RawField("phone", "+972 54-123-4567"), RawField("company", "Acme Ltd"),
        RawField("What is your budget?", "$10,000+"),
    ])
    let second = try #require(rows[1].draft)
    #expect(second.isTest)
    #expect(second.receivedAt == ImportSample.date("2024-09-26T12:30:00Z"))
}

/// A LinkedIn Campaign Manager lead download.
private let linkedInExport = """
    Lead ID,Submitted At,First Name,Last Name,Email Address,Phone Number,Company Name,Job Title,Country,LinkedIn Profile URL,Campaign ID,Campaign Name,Form ID,Form Name,Lead Type,Test Lead,מה גודל החברה?
    5d7c3b1e-2a4f-4d8b-9c1e-7f6a5b4c3d2e,1772352930000,Dana,Cohen,dana@acme.co.il,+972541234567,Acme,COO,IL,https://www.linkedin.com/in/dana,123456789,Q1 ABM,7234246,Demo request,SPONSORED,false,11-50
    urn:li:leadGenFormResponse:abc-2,2026-03-01 08:15:30 UTC,Ori,,ori@acme.co.il,,,,,,,,,,,true,
    """

@Test func readsALinkedInExport() throws {
    let rows = try exportRows(linkedInExport)
    try #require(rows.count == 2)
    let first = try #require(rows[0].draft)
    // The URNs LinkedInLeadsSource carries, so the file's lead and the notification's are one.
    #expect(first.externalID == "urn:li:leadGenFormResponse:5d7c3b1e-2a4f-4d8b-9c1e-7f6a5b4c3d2e")
    #expect(first.receivedAt == ImportSample.date("2026-03-01T08:15:30Z"))
    #expect(!first.isTest)
    #expect(first.fields == [
        RawField("first_name", "Dana"), RawField("last_name", "Cohen"), RawField("email", "dana@acme.co.il"),
        RawField("phone", "+972541234567"), RawField("company", "Acme"), RawField("job_title", "COO"), RawField("country", "IL"),
        RawField("linkedin_profile", "https://www.linkedin.com/in/dana"), RawField("campaign", "urn:li:sponsoredCampaign:123456789"),
        RawField("campaign_name", "Q1 ABM"), RawField("form_id", "urn:li:leadGenForm:7234246"), RawField("form_name", "Demo request"),
        RawField("lead_type", "SPONSORED"), RawField("מה גודל החברה?", "11-50"),
    ])
    let second = try #require(rows[1].draft)
    #expect(second.externalID == "urn:li:leadGenFormResponse:abc-2")
    #expect(second.isTest)
    #expect(second.receivedAt == ImportSample.date("2026-03-01T08:15:30Z"))
}

@Test(arguments: [
    (["id", "created_time", "ad_id", "adset_name", "form_id", "full_name", "phone_number"], ExportPlatform.meta),
    (["Lead ID", "Lead submit time", "Gclid", "Full name"], .google),
    (["lead_id", "submission_date_time", "gcl_id", "EMAIL"], .google),
    (["First Name", "Last Name", "Email Address", "Submitted At", "Lead Type"], .linkedin),
    (["name", "email", "phone", "date"], .generic),
    // One Meta name and one Google name: neither stands out.
    (["id", "created_time", "gclid"], .generic),
])
func detectsPlatform(header: [String], platform: ExportPlatform) {
    #expect(ExportPlatform.detect(header: header) == platform)
}

@Test(arguments: [
    ("meta_lead_ads", ExportPlatform?.some(.meta)), ("google_ads", .google), ("linkedin_leads", .linkedin), ("web_form", nil),
])
func platformOfSourceType(type: String, platform: ExportPlatform?) {
    #expect(ExportPlatform(sourceType: type) == platform)
}

@Test func givenPlatformOverridesTheHeader() throws {
    // A Meta-looking header read as generic keeps the prefixes and the header names.
    let options = LeadExportOptions(importedAt: importedAt, platform: .generic)
    let rows = try exportRows("id,created_time,phone_number\nl:1,2026-03-01T08:15:30Z,p:+972541234567\n", options: options)
    let draft = try #require(rows.first?.draft)
    #expect(draft.externalID == "l:1")
    #expect(draft.fields == [RawField("phone_number", "p:+972541234567")])
}

@Test(arguments: [
    ("l:12345678901234567", "12345678901234567"),
    ("12345678901234567", "12345678901234567"),
    // 2^63 + 1: past every integer type, still every digit.
    ("l:9223372036854775809", "9223372036854775809"),
    ("lead:not-an-id", "lead:not-an-id"),
])
func metaIDsStayExactText(cell: String, id: String) throws {
    let rows = try exportRows("id,created_time,email\n\(cell),2026-03-01T08:15:30Z,a@b.co\n")
    #expect(rows.first?.draft?.externalID == id)
}

@Test(arguments: [
    ("p:+972541234567", "+972541234567"),
    ("p:054-123 4567", "054-123 4567"),
    ("p:(03) 610.1800", "(03) 610.1800"),
    // Only a phone loses its prefix: an answer that merely starts with "p:" is kept as typed.
    ("p:lan B", "p:lan B"),
    ("p:", "p:"),
])
func metaPhonePrefixIsDropped(cell: String, value: String) throws {
    let rows = try exportRows("id,created_time,custom_answer\nl:1,2026-03-01T08:15:30Z,\(cell)\n")
    #expect(rows.first?.draft?.fields == [RawField("custom_answer", value)])
}

@Test func problemRowsAreReportedAndLaterRowsStillComeOut() throws {
    let text = """
        lead_id,date,email,note
        A1,2026-03-01T08:15:30Z,a1@x.co,"first
        note"
        A2,2026-03-01T08:15:30Z,a2@x.co,bad"quote
        A3,2026-03-01T08:15:30Z,a3@x.co,one,two
        A4,yesterday,a4@x.co,
        A5,2026-03-01T08:15:30Z,a5@x.co,trailing empties,,,
        A6,,a6@x.co,no date
        ,,,
        A7
        A8,2026-03-01T08:15:30Z,a8@x.co,"never closed
        A9,2026-03-01T08:15:30Z,a9@x.co,
        """
    let rows = try exportRows(text)
    try #require(rows.count == 8)
    #expect(rows.map(\.line) == [2, 4, 5, 6, 7, 8, 10, 11])
    #expect(rows[0].draft?.fields.last == RawField("note", "first\nnote"))
    #expect(rows[1].message?.contains("quote") == true)
    #expect(rows[2].message == "the row has 5 fields but the header has 4 columns")
    #expect(rows[3].message?.contains("date 'yesterday' is not a date") == true)
    #expect(rows[4].draft?.externalID == "A5")
    // No time in the row: the import's own.
    #expect(rows[5].draft?.receivedAt == importedAt)
    #expect(rows[6].message?.contains("only its id") == true)
    #expect(rows[7].message?.contains("the quote opened on line 11 is never closed (the rest of the file, to line 12") == true)
}

@Test func emptyOrBrokenHeaderIsAnError() {
    #expect(throws: CSVReadError.self) { try exportRows([]) }
    #expect(throws: CSVReadError.self) { try exportRows(Array("\"id,email\nx".utf8)) }
}

/// Times as the platforms and spreadsheets write them (see ExportDate for where each comes from).
@Test(arguments: [
    ("2026-03-01T10:15:30+0200", "UTC", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01T08:15:30Z", "UTC", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01T08:15:30+00:00", "Asia/Jerusalem", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01 10:15:30+02:00", "UTC", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01T03:15:30-05", "UTC", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01 08:15:30 UTC", "Asia/Jerusalem", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01 10:15:30 GMT+2", "UTC", false, "2026-03-01T08:15:30Z"),
    ("2026-03-01", "UTC", false, "2026-03-01T00:00:00Z"),
    ("2026/03/01 08:15", "UTC", false, "2026-03-01T08:15:00Z"),
    ("3/1/2026 10:15", "UTC", false, "2026-03-01T10:15:00Z"),
    // Israel is UTC+2 in winter and UTC+3 in summer.
    ("3/1/2026 10:15", "Asia/Jerusalem", false, "2026-03-01T08:15:00Z"),
    ("7/1/2026 10:15:30", "Asia/Jerusalem", false, "2026-07-01T07:15:30Z"),
    ("1/3/2026 10:15", "UTC", true, "2026-03-01T10:15:00Z"),
    ("1.3.2026 10:15", "UTC", false, "2026-03-01T10:15:00Z"),
    ("3/1/26 1:05 PM", "UTC", false, "2026-03-01T13:05:00Z"),
    ("12/1/2026 12:00 AM", "UTC", false, "2026-12-01T00:00:00Z"),
    ("2/29/2028 23:59", "UTC", false, "2028-02-29T23:59:00Z"),
    ("1772352930", "UTC", false, "2026-03-01T08:15:30Z"),
    ("1772352930000", "UTC", false, "2026-03-01T08:15:30Z"),
    ("46082.4270833333", "UTC", false, "2026-03-01T10:15:00Z"),
])
func readsSubmissionTime(text: String, zone: String, dayFirst: Bool, iso: String) throws {
    let options = LeadExportOptions(importedAt: importedAt, timeZone: try #require(TimeZone(identifier: zone)), dayFirst: dayFirst)
    let rows = try exportRows("email,date\na@b.co,\(text)\n", options: options)
    #expect(rows.first?.draft?.receivedAt == ImportSample.date(iso))
}

@Test(arguments: [
    "13/1/2026 10:15", "2026-02-30", "2/29/2027", "2026-03-01T", "3/1/2026 25:00", "3/1/2026 13:00 PM", "12345",
    "2026-03-01 10:15 +25:00", "2026-03-01 10:15 tomorrow", "yesterday", "3/1",
])
func refusesWhatIsNotATime(text: String) throws {
    let rows = try exportRows("email,date\na@b.co,\(text)\n")
    #expect(rows.first?.message?.contains("is not a date") == true)
}

@Test func readsAHundredThousandRowFile() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lead-export-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: url) }
    var text = "id,created_time,full_name,email,phone_number\n"
    text.reserveCapacity(100_000 * 80)
    for index in 1...100_000 {
        text += "l:\(10_000_000_000_000_000 + index),2026-03-01T10:15:30+0200,\"Lead \(index)\",lead\(index)@x.co,p:+97254\(1_000_000 + index)\n"
    }
    try Data(text.utf8).write(to: url)
    let reader = try LeadExportReader(try CSVReader(path: url.path, chunkSize: 65_536), options: LeadExportOptions(importedAt: importedAt))
    var drafts = 0
    var last: ExportRow?
    while let row = try reader.next() {
        if row.draft != nil { drafts += 1 }
        last = row
    }
    #expect(drafts == 100_000)
    #expect(last?.line == 100_001)
    let draft = try #require(last?.draft)
    #expect(draft.externalID == "10000000000100000")
    #expect(draft.fields == [RawField("full_name", "Lead 100000"), RawField("email", "lead100000@x.co"), RawField("phone_number", "+972541100000")])
    #expect(reader.bytesRead == text.utf8.count)
}
