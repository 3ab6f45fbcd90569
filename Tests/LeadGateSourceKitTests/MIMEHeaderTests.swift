import Foundation
import Testing

import LeadGateSourceKit

private func headers(_ text: String) -> MIMEHeaders {
    MIMEHeaders(parsing: Array(text.utf8))
}

@Test(arguments: [
    // RFC 5322 §2.2.3: a folded value is unfolded by removing the line breaks only.
    ("Subject: a long\r\n subject\r\n\tline\r\n\r\nbody", "Subject", "a long subject\tline"),
    ("subject: lower-case name\r\n\r\n", "SUBJECT", "lower-case name"),
    // Obsolete syntax: whitespace before the colon.
    ("Subject : spaced\r\n\r\n", "Subject", "spaced"),
    ("X-Empty:\r\nSubject: after empty\r\n\r\n", "X-Empty", ""),
    ("Subject: bare LF\n folded\n\nbody", "Subject", "bare LF folded"),
    ("Subject:   padded   \r\n\r\n", "Subject", "padded"),
    // The first of two is the value.
    ("Subject: one\r\nSubject: two\r\n\r\n", "Subject", "one"),
])
func mimeUnfoldsHeaderValues(block: String, name: String, expected: String) {
    #expect(headers(block).rawValue(name) == expected)
}

@Test func mimeHeaderReadingStopsAtBlankLineOrNonHeaderLine() {
    let parsed = headers("From: a@b.co\r\nTo: c@d.co\r\n\r\nSubject: in the body\r\n")
    #expect(parsed.fields.map(\.name) == ["From", "To"])
    #expect(parsed.rawValue("Subject") == nil)
    let broken = headers("From: a@b.co\r\nthis is not a header\r\nTo: c@d.co\r\n")
    #expect(broken.fields.map(\.name) == ["From"])
}

@Test func mimeReadsRawUTF8Headers() {
    // RFC 6532: internationalized headers are raw UTF-8.
    let parsed = headers("Subject: פנייה חדשה\r\nFrom: דנה <dana@acme.co.il>\r\n\r\n")
    #expect(parsed.text("Subject")?.text == "פנייה חדשה")
    #expect(parsed.rawValue("From") == "דנה <dana@acme.co.il>")
}

@Test func mimeReadsRaw8BitHeadersInTheFallbackCharset() throws {
    // An old Outlook writing windows-1255 bytes straight into the Subject: "שלום".
    var bytes = Array("Subject: ".utf8) + [0xF9, 0xEC, 0xE5, 0xED] + Array("\r\n\r\n".utf8)
    let parsed = MIMEHeaders(parsing: bytes)
    #expect(parsed.rawValue("Subject", fallback: Charset(label: "windows-1255")) == "שלום")
    // Without a hint the bytes still decode (as windows-1252), never fail.
    #expect(parsed.rawValue("Subject") == "ùìåí")
    bytes = Array("Subject: ".utf8) + [0xFF, 0xFE] + Array("\r\n".utf8)
    #expect(MIMEHeaders(parsing: bytes).rawValue("Subject") == "ÿþ")
}

@Test func mimeDecodesEncodedWordsInTextButNotInRawValues() {
    let parsed = headers("Subject: =?UTF-8?B?16nXnNeV150=?= world\r\n\r\n")
    #expect(parsed.rawValue("Subject") == "=?UTF-8?B?16nXnNeV150=?= world")
    #expect(parsed.text("Subject")?.text == "שלום world")
    #expect(parsed.contains("subject"))
    #expect(!parsed.contains("From"))
}
