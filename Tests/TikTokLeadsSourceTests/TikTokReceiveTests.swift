import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import TikTokLeadsSource

/// A lead, and its signatures worked out with Python's hmac under the key "tt-app-secret".
let vectorBody =
    #"{"lead_id":"7350000000000000001","form_id":"7349999999999999999","field_data":[{"field_name":"name","field_value":"Dana Cohen"}],"create_time":1633174500}"#
/// HMAC-SHA256 of "1633174587." + body, hex (TikTok's documented scheme).
let vectorTimestampedHex = "86a03c8da8bb37dfae96c90f9ed92ba1390374a39a05299c36fff0201fe15dda"
/// HMAC-SHA256 of the body alone, base64.
let vectorBodyBase64 = "BL9j7R4/uYqt2cOF5hv7IWsAQWnFSrGI+MGSitOn7tc="

// MARK: - signatures

@Test func checksTheDocumentedSchemeAgainstAKnownVector() async throws {
    let drafts = try await validSource().receive(post(vectorBody, signature: "t=\(signedAt),s=\(vectorTimestampedHex)"))
    #expect(
        drafts == [
            LeadDraft(
                fields: [RawField("name", "Dana Cohen"), RawField("form_id", "7349999999999999999")], externalID: "7350000000000000001",
                receivedAt: Date(timeIntervalSince1970: 1_633_174_500))
        ])
}

@Test func theSchemeIsConfigurable() async throws {
    let bodyBase64 = try validSource([entry(4, "signed_payload", "body"), entry(5, "signature_encoding", "base64"), entry(6, "signature_header", "X-TT-Sign")])
    let request = post(vectorBody, signature: vectorBodyBase64, header: "X-TT-Sign")
    #expect(try await bodyBase64.receive(request).map(\.externalID) == ["7350000000000000001"])
    // The same signature in the default header is not looked at.
    let error = try await #require(throws: SourceError.self) { try await bodyBase64.receive(post(vectorBody, signature: vectorBodyBase64)) }
    #expect(error.message.contains("no X-TT-Sign header"))
}

@Test func aBareSignatureHeaderIsTheSignature() async throws {
    let source = try validSource([entry(4, "signed_payload", "body")])
    let hex = Signature.hexEncoded(Signature.hmacSHA256(Array(vectorBody.utf8), key: Array(secret.utf8)))
    #expect(try await source.receive(post(vectorBody, signature: hex)).count == 1)
    #expect(try await source.receive(post(vectorBody, signature: "s=\(hex)")).count == 1)
}

@Test(arguments: [
    "t=\(signedAt),s=\(vectorTimestampedHex.dropLast())0",
    "t=\(signedAt + 1),s=\(vectorTimestampedHex)",  // the timestamp is signed
    "s=\(vectorTimestampedHex),t=\(signedAt),s=00",
    "t=\(signedAt),s=",
])
func refusesABadSignature(header: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(vectorBody, signature: header)) }
    #expect(error.status == 401)
    #expect(error.code == "signature_mismatch")
    #expect(!error.authenticated)
}

@Test(arguments: [vectorTimestampedHex, "s=\(vectorTimestampedHex)", "t=soon,s=\(vectorTimestampedHex)"])
func refusesASignatureWithoutItsTimestamp(header: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(vectorBody, signature: header)) }
    #expect(error.status == 401)
    #expect(error.code == "unauthorized")
    #expect(error.message.contains("t=<unix seconds>"))
}

@Test func refusesAMissingSignature() async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(vectorBody, signed: false)) }
    #expect(error.status == 401)
    #expect(error.message.contains("no TikTok-Signature header"))
}

@Test(arguments: [
    (Date(timeIntervalSince1970: 1_633_174_587 + 301), nil, false),
    (Date(timeIntervalSince1970: 1_633_174_587 - 301), nil, false),
    (Date(timeIntervalSince1970: 1_633_174_587 + 299), nil, true),
    (Date(timeIntervalSince1970: 1_633_174_587 + 3_000), "1h", true),
    (Date(timeIntervalSince1970: 1_633_174_587 + 86_400 * 365), "0", true),  // 0 turns the check off
    (Date(timeIntervalSince1970: 1_633_174_587 + 1), "500ms", false),
] as [(Date, String?, Bool)])
func refusesStaleSignatures(clock: Date, tolerance: String?, accepted: Bool) async throws {
    let source = try validSource(tolerance.map { [entry(4, "timestamp_tolerance", $0)] } ?? [], clock: clock)
    let request = post(vectorBody, signature: "t=\(signedAt),s=\(vectorTimestampedHex)")
    if accepted {
        #expect(try await source.receive(request).count == 1)
    } else {
        let error = try await #require(throws: SourceError.self) { try await source.receive(request) }
        #expect(error.status == 401)
        #expect(error.code == "stale_signature")
    }
}

// MARK: - payload shapes

@Test func readsTikToksWebhookEnvelope() async throws {
    let content = #"{\"lead_id\":\"7350000000000000002\",\"fields\":[{\"name\":\"email\",\"value\":\"dana@acme.co.il\"}]}"#
    let body = #"{"client_key":"aw123","event":"lead.create","create_time":1633174550,"user_openid":"x","content":"\#(content)"}"#
    let drafts = try await validSource().receive(post(body))
    #expect(
        drafts == [
            LeadDraft(
                fields: [RawField("email", "dana@acme.co.il")], externalID: "7350000000000000002", receivedAt: Date(timeIntervalSince1970: 1_633_174_550))
        ])
}

@Test func readsALeadUnderData() async throws {
    let body = #"{"data":{"lead_id":1,"answers":[{"question":"Phone number","answer":"054-123 4567"}],"advertiser_id":7000000000000000001}}"#
    let drafts = try await validSource().receive(post(body))
    #expect(drafts.first?.fields == [RawField("Phone number", "054-123 4567"), RawField("advertiser_id", "7000000000000000001")])
    #expect(drafts.first?.receivedAt == receivedAt)
}

@Test func readsABatchOfLeadsUnderData() async throws {
    let leads = (0..<200).map { #"{"lead_id":\#(7_350_000_000_000_000_000 + $0),"user_data":{"email":"l\#($0)@acme.co.il"}}"# }
    let drafts = try await validSource().receive(post(#"{"data":[\#(leads.joined(separator: ","))],"create_time":1633174500}"#))
    #expect(drafts.count == 200)
    #expect(drafts.map(\.externalID) == (0..<200).map { String(7_350_000_000_000_000_000 + $0) })
    #expect(drafts[199].fields == [RawField("email", "l199@acme.co.il")])
    #expect(drafts.allSatisfy { $0.receivedAt == Date(timeIntervalSince1970: 1_633_174_500) })
}

@Test(arguments: [
    #""field_data":[{"field_name":"email","field_value":"a@b.co"}]"#,
    #""fields":[{"name":"email","value":"a@b.co"}]"#,
    #""answers":[{"label":"email","values":["a@b.co"]}]"#,
    #""leads":[{"field_name":"email","field_value":"a@b.co"}]"#,
    #""user_data":{"email":"a@b.co"}"#,
    #""fields":{"email":"a@b.co"}"#,
    #""answers":[{"key":"email","answer":"a@b.co"},{"key":"no value"},{"value":"no name"}]"#,
])
func readsTheAnswersInEachKnownShape(member: String) async throws {
    let drafts = try await validSource().receive(post(#"{"lead_id":"1",\#(member)}"#))
    #expect(drafts.first?.fields == [RawField("email", "a@b.co")])
}

@Test func keepsTheAdContextAndFeedsTheCanonicalFields() async throws {
    let body = """
        {"lead_id":"9","campaign_name":"חורף","campaign_id":1800000000000000001,"adgroup_id":"1800000000000000002","adgroup_name":"ת\\"א",
         "ad_id":1800000000000000003,"ad_name":"v1","form_id":7349999999999999999,"form_name":"טופס","page_id":"p1","advertiser_id":"a1",
         "field_data":[{"field_name":"name","field_value":"דנה כהן"},{"field_name":"phone_number","field_value":"+972541234567"}]}
        """
    let fields = try #require(try await validSource().receive(post(body)).first).fields
    #expect(
        fields == [
            RawField("name", "דנה כהן"), RawField("phone_number", "+972541234567"), RawField("form_name", "טופס"),
            RawField("form_id", "7349999999999999999"), RawField("campaign_name", "חורף"), RawField("campaign_id", "1800000000000000001"),
            RawField("adgroup_name", "ת\"א"), RawField("adgroup_id", "1800000000000000002"), RawField("ad_name", "v1"),
            RawField("ad_id", "1800000000000000003"), RawField("advertiser_id", "a1"), RawField("page_id", "p1"),
        ])
    let (canonical, _) = FieldMap.common.resolve(fields)
    #expect(canonical[.fullName] == "דנה כהן")
    #expect(canonical[.phone] == "+972541234567")
    #expect(canonical[.campaign] == "חורף")
    #expect(canonical[.form] == "טופס")
}

@Test(arguments: [
    (#","is_test":true"#, true), (#","test_lead":"true""#, true), (#","is_test":1"#, true),
    (#","is_test":false"#, false), (#","test_lead":0"#, false), ("", false),
])
func marksTestLeads(member: String, isTest: Bool) async throws {
    let drafts = try await validSource().receive(post(#"{"lead_id":"1"\#(member)}"#))
    #expect(drafts.map(\.isTest) == [isTest])
}

@Test(arguments: ["12345678901234567", "9007199254740993", "18446744073709551617"])
func keepsEveryDigitOfABigNumericID(id: String) async throws {
    #expect(try await validSource().receive(post(#"{"lead_id":\#(id)}"#)).map(\.externalID) == [id])
}

@Test func anIDUnderIdIsTheExternalID() async throws {
    #expect(try await validSource().receive(post(#"{"id":"x1"}"#)).map(\.externalID) == ["x1"])
}

@Test func ignoresUnknownKeys() async throws {
    let source = try validSource()
    let plain = #"{"lead_id":"1","field_data":[{"field_name":"email","field_value":"a@b.co"}]}"#
    let extended = #"{"lead_id":"1","zz":{"deep":[1,null]},"version":"2.0","field_data":[{"field_name":"email","field_value":"a@b.co","field_id":"f1","type":{"x":1}}]}"#
    #expect(try await source.receive(post(extended)) == (try await source.receive(post(plain))))
}

@Test(arguments: [
    (#"{"field_data":[]}"#, "missing_field", "the lead has no lead_id"),
    (#"{"data":[{"lead_id":"1"},{"lead_id":""}]}"#, "missing_field", "lead 1 has no lead_id"),
    (#"{"content":"{\"content\":\"{}\"}"}"#, "unexpected_json", "another content string"),
    (#"{"content":"not json"}"#, "invalid_json", "the content string is not valid JSON"),
    ("", "empty_body", "empty"),
    ("[1]", "unexpected_json", "the body"),
])
func refusesSignedBodiesItCannotRead(body: String, code: String, mentions: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(body)) }
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.authenticated)
    #expect(error.message.contains(mentions), "\(error.message)")
}

@Test func anEmptyBatchGivesNoDrafts() async throws {
    #expect(try await validSource().receive(post(#"{"data":[]}"#)).isEmpty)
}

@Test func refusesOtherMethods() async throws {
    let request = post("{}", method: "GET")
    #expect(try await validSource().handshake(request) == nil)
    #expect(try await #require(throws: SourceError.self) { try await validSource().receive(request) }.status == 405)
}
