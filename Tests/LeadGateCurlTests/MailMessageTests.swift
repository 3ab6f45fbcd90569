import Foundation
import LeadGateCurl
import Testing

/// The header block of a rendered message, unfolded, one field per element.
func headerFields(of message: [UInt8]) throws -> [String] {
    let text = String(decoding: message, as: UTF8.self)
    let end = try #require(text.range(of: "\r\n\r\n"))
    return text[..<end.lowerBound].replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n")
}

/// The text of `=?UTF-8?B?...?=` words separated by folding white space, as an RFC 2047 reader joins them.
func decodeEncodedWords(_ value: String) throws -> String {
    var bytes: [UInt8] = []
    for word in value.split(whereSeparator: { $0 == " " || $0 == "\r" || $0 == "\n" }) {
        #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
        let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        bytes += try #require(Data(base64Encoded: String(payload)))
    }
    return try #require(String(bytes: bytes, encoding: .utf8))
}

let dana = MailAddress("dana@acme.co.il", name: "דנה כהן")
let leadgate = MailAddress("leads@acme.co.il", name: "LeadGate")
let saturday = Date(timeIntervalSince1970: 1_795_860_000)

@Suite("RFC 5322 messages")
struct MailMessageTests {
    static let expectedFields = [
        "Date", "From", "To", "Reply-To", "Subject", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding",
    ]

    /// Where a lead's own text lands in a notification: the subject and the Reply-To display name.
    @Test("CR, LF and other controls in free text never start a header", arguments: [
        "x\r\nBcc: all@evil.example",
        "x\nBcc: all@evil.example",
        "x\rBcc: all@evil.example",
        "x\r\n\r\nInjected body",
        "x\u{85}Bcc: all@evil.example",
        "דנה\r\nBcc: all@evil.example",
    ])
    func injection(_ attack: String) throws {
        let lead = try #require(MailAddress("lead@example.com", name: attack))
        let mail = MailMessage(
            from: try #require(leadgate), to: [try #require(dana)], replyTo: lead, subject: "New lead: \(attack)",
            body: "Name: \(attack)", date: saturday, messageID: "dlv_1@acme.co.il")
        let rendered = mail.rendered()
        let fields = try headerFields(of: rendered)

        #expect(fields.compactMap { $0.split(separator: ":").first.map(String.init) } == Self.expectedFields)
        #expect(!fields.contains { $0.lowercased().hasPrefix("bcc") })
        // Every CR is part of a CRLF and every LF ends one: no bare line break for a lenient reader to split on.
        let text = String(decoding: rendered, as: UTF8.self)
        #expect(text.replacingOccurrences(of: "\r\n", with: "").allSatisfy { $0 != "\r" && $0 != "\n" })
    }

    @Test("a short ASCII subject stays readable")
    func plainSubject() throws {
        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "New lead: Dana Cohen", body: "", date: saturday)
        #expect(try headerFields(of: mail.rendered()).contains("Subject: New lead: Dana Cohen"))
    }

    @Test("a Hebrew subject is RFC 2047 B-encoded in words of at most 75 characters, folded within 76", arguments: [
        "ליד חדש",
        "ליד חדש מהאתר: דנה כהן, 054-1234567 — מעוניינת בהצעת מחיר לחבילת CRM לעשרים משתמשים",
        "New lead: Ünal Çelik from İstanbul asks for a quote for the enterprise plan with SSO",
        "=?UTF-8?B?ZXZpbA==?= is text here, not an encoded word",
    ])
    func encodedSubject(_ subject: String) throws {
        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: subject, body: "", date: saturday)
        let text = String(decoding: mail.rendered(), as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject:") })
        var subjectLines = [lines[start]]
        for line in lines[(start + 1)...] {
            guard line.hasPrefix(" ") else { break }
            subjectLines.append(line)
        }
        for line in subjectLines { #expect(line.utf8.count <= 76) }
        let words = subjectLines.joined(separator: " ").dropFirst("Subject:".count).split(separator: " ")
        for word in words { #expect(word.utf8.count <= 75) }
        #expect(try decodeEncodedWords(words.joined(separator: " ")) == subject)
    }

    @Test("display names are left plain, quoted or encoded as they need", arguments: [
        ("Dana Cohen", "From: Dana Cohen <dana@acme.co.il>"),
        ("Cohen, Dana", #"From: "Cohen, Dana" <dana@acme.co.il>"#),
        (#"Dana "D" Co\hen"#, #"From: "Dana \"D\" Co\\hen" <dana@acme.co.il>"#),
        ("דנה", "From: =?UTF-8?B?15PXoNeU?= <dana@acme.co.il>"),
        ("  ", "From: dana@acme.co.il"),
    ])
    func displayNames(name: String, header: String) throws {
        let from = try #require(MailAddress("dana@acme.co.il", name: name))
        let mail = MailMessage(from: from, to: [from], subject: "x", body: "", date: saturday)
        #expect(try headerFields(of: mail.rendered()).contains(header))
    }

    @Test("only plain local@domain addresses are accepted", arguments: [
        ("dana@acme.co.il", true),
        ("a.b+tag@x-y.example", true),
        ("dana@acme.co.il\r\nRCPT TO:<all@evil.example>", false),
        ("dana@acme.co.il>\r\nDATA", false),
        ("Dana <dana@acme.co.il>", false),
        ("dana@acme.co.il,all@evil.example", false),
        ("a b@acme.co.il", false),
        ("no-at-sign", false),
        ("a@b@acme.co.il", false),
        ("@acme.co.il", false),
        ("dana@", false),
        ("דנה@acme.co.il", false),
    ])
    func addresses(address: String, valid: Bool) {
        #expect((MailAddress(address) != nil) == valid)
    }

    @Test("date, message id and body encoding")
    func fixedParts() throws {
        let mail = MailMessage(
            from: try #require(leadgate), to: [try #require(dana)], subject: "x", body: "שלום\nline 2\r\nline 3\r",
            date: saturday, messageID: "dlv_01J\r\nBcc: all@evil.example")
        let text = String(decoding: mail.rendered(), as: UTF8.self)
        let fields = try headerFields(of: mail.rendered())
        #expect(fields.contains("Date: Sat, 28 Nov 2026 10:00:00 +0000"))
        #expect(fields.contains("Message-ID: <dlv_01JBccall@evil.example>"))
        #expect(fields.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(fields.contains("Content-Transfer-Encoding: base64"))

        let body = try #require(text.components(separatedBy: "\r\n\r\n").last)
        let lines = body.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        for line in lines { #expect(line.utf8.count <= 76) }
        let decoded = try #require(Data(base64Encoded: lines.joined()))
        #expect(String(decoding: decoded, as: UTF8.self) == "שלום\r\nline 2\r\nline 3\r\n")
    }

    @Test("a generated message id is unique and at the sender's domain")
    func generatedMessageID() throws {
        let first = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "x", body: "", date: saturday)
        let second = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "x", body: "", date: saturday)
        #expect(first.messageID != second.messageID)
        #expect(first.messageID.hasSuffix("@acme.co.il"))
    }
}
