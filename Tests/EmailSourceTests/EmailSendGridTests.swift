import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

private func sendGridSource() throws -> EmailSource {
    try validSource([line(3, "provider", "sendgrid"), line(4, "secret", secret)])
}

/// A multipart/form-data body with boundary `xYzZY`, SendGrid's; each value is raw bytes.
private func formData(_ fields: [(name: String, value: [UInt8])]) -> [UInt8] {
    var body: [UInt8] = []
    for field in fields {
        body += Array("--xYzZY\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n".utf8) + field.value + Array("\r\n".utf8)
    }
    return body + Array("--xYzZY--\r\n".utf8)
}

private let formType = "multipart/form-data; boundary=xYzZY"

/// SendGrid's own sample post (default mode), as published (LF) and as sent (CRLF).
@Test(arguments: [false, true])
func emailReadsSendGridSamplePost(crlf: Bool) async throws {
    var body = try fixture("vendor/sendgrid_inbound_parse_default.multipart.txt")
    if crlf { body = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8) }
    let drafts = try await sendGridSource().receive(post(contentType: formType, body: body))
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("message", "Hello Twilio SendGrid!"), RawField("subject", "Testing non-raw"),
                    RawField("email", "test@example.com"), RawField("full_name", "Example User"),
                ],
                // The sample's Date (2016) is older than a year: the receipt time stands.
                receivedAt: receivedAt)
        ])
}

@Test func emailReadsSendGridFieldsInTheirDeclaredCharsets() async throws {
    // `text` in windows-1255 ("שם: דנה" / "טלפון: 054"), `subject` in UTF-8, as the charsets field says.
    let text: [UInt8] = [0xF9, 0xED, 0x3A, 0x20, 0xE3, 0xF0, 0xE4, 0x0D, 0x0A, 0xE8, 0xEC, 0xF4, 0xE5, 0xEF] + Array(": 054".utf8)
    let body = formData([
        ("headers", Array("Message-ID: <sg-1@acme.co.il>\r\nDate: Sat, 28 Nov 2026 09:15:02 +0200\r\nReply-To: dana@acme.co.il\r\n".utf8)),
        ("from", Array("WordPress <wordpress@acme.co.il>".utf8)),
        ("subject", Array("פנייה חדשה".utf8)),
        ("text", text),
        ("charsets", Array(#"{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"windows-1255"}"#.utf8)),
    ])
    let lead = try #require(try await sendGridSource().receive(post(contentType: formType, body: body)).first)
    #expect(
        lead.fields == [
            RawField("שם", "דנה"), RawField("טלפון", "054"), RawField("subject", "פנייה חדשה"), RawField("email", "dana@acme.co.il"),
        ])
    #expect(lead.externalID == "sg-1@acme.co.il")
    #expect(lead.receivedAt == Date(timeIntervalSince1970: 1_795_850_102))
    #expect(lead.rawPayload == nil)
}

@Test func emailReadsSendGridRawMode() async throws {
    // The whole message in `email`, with raw 8-bit windows-1255 bytes that are not UTF-8.
    let mime = Array("Message-ID: <raw-1@acme.co.il>\r\nFrom: dana@acme.co.il\r\nContent-Type: text/plain; charset=windows-1255\r\n\r\n".utf8)
        + [0xF9, 0xED, 0x3A, 0x20, 0xE3, 0xF0, 0xE4, 0x0D, 0x0A] + Array("Phone: 054".utf8)
    let body = formData([("to", Array("leads@acme.co.il".utf8)), ("email", mime), ("charsets", Array("{}".utf8))])
    let lead = try #require(try await sendGridSource().receive(post(contentType: formType, body: body)).first)
    #expect(lead.fields == [RawField("שם", "דנה"), RawField("Phone", "054"), RawField("email", "dana@acme.co.il")])
    #expect(lead.externalID == "raw-1@acme.co.il")
}

@Test func emailSendGridNeedsTheSecret() async throws {
    let body = formData([("from", Array("a@b.co".utf8)), ("text", Array("hi".utf8))])
    let basic = "Basic " + Data("sendgrid:\(secret)".utf8).base64EncodedString()
    #expect(try await sendGridSource().receive(post(contentType: formType, body: body, query: [], headers: [("Authorization", basic)])).count == 1)
    for query in [[("key", "guess-guess-guess")], []] {
        do {
            _ = try await sendGridSource().receive(post(contentType: formType, body: body, query: query))
            Issue.record("accepted without the secret")
        } catch let error as SourceError {
            #expect(error.status == 401)
            #expect(!error.authenticated)
        }
    }
}

@Test(arguments: [
    (formType, formData([("dkim", Array("none".utf8))]), "missing_field"),
    ("multipart/form-data", formData([("text", Array("x".utf8))]), "missing_boundary"),
    (formType, Array("no boundary lines at all".utf8), "boundary_not_found"),
    ("application/json", Array("{}".utf8), "unsupported_media_type"),
    (formType, formData([("email", Array("not mail".utf8))]), "malformed_mime"),
])
func emailSendGridRefusesWhatItCannotRead(contentType: String, body: [UInt8], code: String) async throws {
    do {
        _ = try await sendGridSource().receive(post(contentType: contentType, body: body))
        Issue.record("accepted")
    } catch let error as SourceError {
        #expect(error.code == code)
        // Authenticated by the URL's key, so it is quarantined.
        #expect(error.authenticated)
    }
}
