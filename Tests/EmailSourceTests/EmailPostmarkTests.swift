import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

private let basic = "Basic " + Data("postmark:hunter2hunter2".utf8).base64EncodedString()

private func postmarkSource() throws -> EmailSource {
    try validSource([line(3, "provider", "postmark"), line(4, "username", "postmark"), line(5, "password", "hunter2hunter2")])
}

private func postmark(_ body: [UInt8], authorization: String? = basic, contentType: String = "application/json") -> InboundRequest {
    post(contentType: contentType, body: body, query: [], headers: authorization.map { [("Authorization", $0)] } ?? [])
}

/// Postmark's published sample: the letter is the message, FromFull the contact, the Date sane.
@Test func emailReadsPostmarkSample() async throws {
    let body = try fixture("vendor/postmark_inbound_webhook.json")
    let later = Date(timeIntervalSince1970: 1_407_000_000)
    var request = postmark(body)
    request.receivedAt = later
    let drafts = try await postmarkSource().receive(request)
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("message", "This is a test text body."), RawField("subject", "Test subject"),
                    RawField("email", "replyto@postmarkapp.com"),
                ],
                externalID: "73e6d360-66eb-11e1-8e72-a8904824019b", receivedAt: Date(timeIntervalSince1970: 1_406_925_932))
        ])
}

@Test func emailPostmarkPrefersTheMailsOwnMessageIDAndReadsHTMLTables() async throws {
    let json = """
        {"FromFull": {"Email": "dana@acme.co.il", "Name": "דנה כהן"}, "Subject": "טופס", "MessageID": "postmark-id",
         "TextBody": "", "HtmlBody": "<table><tr><td>טלפון</td><td>054-1234567</td></tr><tr><td>חברה</td><td>אקמה</td></tr></table>",
         "Headers": [{"Name": "X-Spam-Status", "Value": "No"}, {"Name": "Message-ID", "Value": "<own@acme.co.il>"}]}
        """
    let lead = try #require(try await postmarkSource().receive(postmark(Array(json.utf8))).first)
    #expect(
        lead.fields == [
            RawField("טלפון", "054-1234567"), RawField("חברה", "אקמה"), RawField("subject", "טופס"), RawField("email", "dana@acme.co.il"),
            RawField("full_name", "דנה כהן"),
        ])
    #expect(lead.externalID == "own@acme.co.il")
}

@Test(arguments: [
    nil, "Basic " + Data("postmark:wrong".utf8).base64EncodedString(), "Basic " + Data("other:hunter2hunter2".utf8).base64EncodedString(),
    "Basic !!!", "Bearer hunter2hunter2",
])
func emailPostmarkNeedsBasicAuth(authorization: String?) async throws {
    do {
        _ = try await postmarkSource().receive(postmark(Array("{}".utf8), authorization: authorization))
        Issue.record("accepted")
    } catch let error as SourceError {
        #expect(error.status == 401)
        #expect(!error.authenticated)
    }
}

@Test(arguments: [
    (Array("{\"TextBody\": ".utf8), "application/json", "invalid_json"),
    (Array("[{}, {}]".utf8), "application/json", "unexpected_json"),
    (Array("a=b".utf8), "application/x-www-form-urlencoded", "unsupported_media_type"),
])
func emailPostmarkRefusesWhatItCannotRead(body: [UInt8], contentType: String, code: String) async throws {
    do {
        _ = try await postmarkSource().receive(postmark(body, contentType: contentType))
        Issue.record("accepted")
    } catch let error as SourceError {
        #expect(error.code == code)
        #expect(error.authenticated)
    }
}
