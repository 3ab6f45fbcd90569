import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import MetaLeadAdsSource

// MARK: - verification handshake

/// The query of the request line of the verbatim sample (shared/fixtures/vendor/meta_webhook_verification_request.http).
func sampleVerificationQuery() throws -> [(String, String)] {
    let requestLine = try #require(String(decoding: try fixture("meta_webhook_verification_request.http"), as: UTF8.self).split(separator: "\n").first)
    let target = try #require(requestLine.split(separator: " ").dropFirst().first)
    let query = try #require(target.split(separator: "?", maxSplits: 1).last)
    return query.split(separator: "&").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }
}

@Test func answersTheSampleVerificationRequest() async throws {
    let response = try #require(try await validSource().handshake(get(query: try sampleVerificationQuery())))
    #expect(response.status == 200)
    #expect(response.body == Array("1158201444".utf8))
    #expect(response.headers.first { $0.name == "Content-Type" }?.value.hasPrefix("text/plain") == true)
}

@Test(arguments: ["meatyhamhockX", "MEATYHAMHOCK", "", "meaty"])
func refusesAWrongVerifyToken(token: String) async throws {
    let request = get(query: [("hub.mode", "subscribe"), ("hub.challenge", "1158201444"), ("hub.verify_token", token)])
    let error = try await #require(throws: SourceError.self) { try await validSource().handshake(request) }
    #expect(error.status == 403)
    #expect(error.code == "verify_token_mismatch")
}

@Test(arguments: [
    ([("hub.challenge", "1"), ("hub.verify_token", "meatyhamhock")], "hub.mode"),
    ([("hub.mode", "subscribe"), ("hub.challenge", "1")], "hub.verify_token"),
    ([("hub.mode", "subscribe"), ("hub.verify_token", "meatyhamhock")], "hub.challenge"),
    ([], "hub.mode, hub.verify_token, hub.challenge"),
])
func refusesAVerificationWithMissingParameters(query: [(String, String)], named: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().handshake(get(query: query)) }
    #expect(error.status == 400)
    #expect(error.code == "missing_parameter")
    #expect(error.message.contains("has no \(named)"), "\(error.message)")
}

@Test func answersOnlyTheSubscribeMode() async throws {
    let request = get(query: [("hub.mode", "unsubscribe"), ("hub.challenge", "1"), ("hub.verify_token", "meatyhamhock")])
    let error = try await #require(throws: SourceError.self) { try await validSource().handshake(request) }
    #expect(error.status == 400)
    #expect(error.code == "unsupported_mode")
}

@Test func aPostIsNotAHandshake() async throws {
    #expect(try await validSource().handshake(post(notification(#""leadgen_id":"1""#))) == nil)
}

// MARK: - signatures

@Test func readsTheVendorSampleAsPendingDrafts() async throws {
    // shared/fixtures/vendor/meta_leadgen_webhook.json: Meta's PHP example as JSON, ids as JSON numbers.
    let drafts = try await validSource().receive(post(try fixture("meta_leadgen_webhook.json")))
    let ids = [("page_id", "123123123"), ("form_id", "12312312312"), ("ad_id", "12312312312"), ("adgroup_id", "12312312312")].map { RawField($0.0, $0.1) }
    #expect(drafts.map(\.externalID) == ["123123123123", "123123123124"])
    #expect(drafts.allSatisfy { $0.fields == [RawField("_pending_fetch", "meta")] + ids })
    #expect(drafts.allSatisfy { $0.receivedAt == Date(timeIntervalSince1970: 1_440_120_384) && !$0.isTest && $0.rejection == nil })
    // Each draft keeps its own change as its payload, ids as strings.
    struct StoredChange: Decodable {
        var field: String
        var value: [String: String]
    }
    let stored = try LeadJSON.decoder().decode(StoredChange.self, from: Data(try #require(drafts.first?.rawPayload)))
    #expect(stored.field == "leadgen")
    #expect(stored.value["leadgen_id"] == "123123123123")
    #expect(stored.value["created_time"] == "1440120384")
}

@Test func checksTheSignatureAgainstAKnownVector() async throws {
    // Worked out with Python's hmac: HMAC-SHA256(key "meta-app-secret", the body below), hex.
    let body = #"{"object":"page","entry":[]}"#
    let vector = "5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ed"
    let source = try validSource()
    #expect(try await source.receive(post(body, signature: "sha256=\(vector)")).isEmpty)
    #expect(try await source.receive(post(body, signature: "sha256=\(vector.uppercased())")).isEmpty)
}

@Test(arguments: [
    ("sha256=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ee", "signature_mismatch"),  // last digit changed
    ("sha256=", "signature_mismatch"),
    ("sha1=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb", "signature_mismatch"),
    ("sha256=not hex at all", "signature_mismatch"),
])
func refusesABadSignature(header: String, code: String) async throws {
    let request = post(#"{"object":"page","entry":[]}"#, signature: header)
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(request) }
    #expect(error.status == 401)
    #expect(error.code == code)
    #expect(!error.authenticated)
}

@Test func refusesAMissingSignature() async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(notification(#""leadgen_id":"1""#), signed: false)) }
    #expect(error.status == 401)
    #expect(error.code == "unauthorized")
    #expect(error.message.contains("X-Hub-Signature-256"))
}

@Test func theSignatureCoversTheRawBytes() async throws {
    // The same JSON with other whitespace is another body: a signature of one does not pass for the other.
    let compact = Array(notification(#""leadgen_id":"1""#).utf8)
    let spaced = Array(notification(#" "leadgen_id" : "1" "#).utf8)
    let signatureOfCompact = "sha256=" + Signature.hexEncoded(Signature.hmacSHA256(compact, key: Array(appSecret.utf8)))
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(spaced, signature: signatureOfCompact)) }
    #expect(error.code == "signature_mismatch")
}

// MARK: - ids and batches

@Test func idsAsStringsOrNumbersGiveTheSameDraft() async throws {
    let source = try validSource()
    let numbers = notification(#""leadgen_id":123123123123,"page_id":123123123,"form_id":12312312312,"ad_id":1,"adgroup_id":2,"created_time":1440120384"#)
    let strings = notification(#""leadgen_id":"123123123123","page_id":"123123123","form_id":"12312312312","ad_id":"1","adgroup_id":"2","created_time":"1440120384""#)
    let fromNumbers = try await source.receive(post(numbers))
    #expect(fromNumbers == (try await source.receive(post(strings))))
    #expect(fromNumbers.first?.receivedAt == Date(timeIntervalSince1970: 1_440_120_384))
}

@Test(arguments: ["12345678901234567", "9007199254740993", "18446744073709551617", "120212345678901234"])
func keepsEveryDigitOfABigNumericID(id: String) async throws {
    let drafts = try await validSource().receive(post(notification(#""leadgen_id":\#(id),"page_id":\#(id)"#)))
    #expect(drafts.map(\.externalID) == [id])
    #expect(drafts.first?.fields.last == RawField("page_id", id))
}

@Test func fallsBackToTheEntryTimeThenTheReceiveTime() async throws {
    let source = try validSource()
    let withEntryTime = try await source.receive(post(notification(#""leadgen_id":"1""#)))
    #expect(withEntryTime.first?.receivedAt == Date(timeIntervalSince1970: 1_438_292_065))
    #expect(withEntryTime.first?.fields == [RawField("_pending_fetch", "meta")])
    let bare = #"{"entry":[{"changes":[{"field":"leadgen","value":{"leadgen_id":"2"}}]}]}"#
    #expect(try await source.receive(post(bare)).first?.receivedAt == receivedAt)
}

@Test func makesOneDraftPerChangeOfABatchOf500() async throws {
    // Meta batches changes (up to 1000 a request); 5 entries of 100 here.
    let entries = (0..<5).map { page in
        let changes = (0..<100).map { index in
            #"{"field":"leadgen","value":{"leadgen_id":\#(90_000_000_000_000_000 + page * 100 + index),"page_id":\#(page),"created_time":1440120384}}"#
        }
        return #"{"id":"\#(page)","time":1438292065,"changes":[\#(changes.joined(separator: ","))]}"#
    }
    let body = #"{"object":"page","entry":[\#(entries.joined(separator: ","))]}"#
    let drafts = try await validSource().receive(post(body))
    #expect(drafts.count == 500)
    #expect(drafts.map(\.externalID) == (0..<500).map { String(90_000_000_000_000_000 + $0) })
    #expect(Set(drafts.compactMap(\.rawPayload)).count == 500)
    #expect(drafts[250].fields.contains(RawField("page_id", "2")))
}

@Test func skipsChangesOfOtherFields() async throws {
    let body = """
        {"object":"page","entry":[{"id":"1","time":1438292065,"changes":[
          {"field":"feed","value":"a post was edited"},
          {"field":"leadgen","value":{"leadgen_id":"7"}},
          {"field":"mention","value":[1,2,{"x":null}]},
          {"field":"leadgen_fat","value":{"leadgen_id":"8"}}
        ]}]}
        """
    #expect(try await validSource().receive(post(body)).map(\.externalID) == ["7"])
}

@Test func aNotificationWithoutLeadsGivesNoDrafts() async throws {
    #expect(try await validSource().receive(post(#"{"object":"page","entry":[{"id":"1","time":1,"changes":[]}]}"#)).isEmpty)
    #expect(try await validSource().receive(post(#"{"object":"page"}"#)).isEmpty)
}

@Test func ignoresUnknownKeys() async throws {
    let source = try validSource()
    let plain = notification(#""leadgen_id":"5","page_id":"6""#)
    let extended = #"{"object":"page","zz":{"a":[1]},"entry":[{"id":"1","uid":"x","time":1438292065,"changes":[{"field":"leadgen","extra":1,"value":{"leadgen_id":"5","page_id":"6","future_id":9,"nested":{"k":[true]}}}]}]}"#
    #expect(try await source.receive(post(extended)) == (try await source.receive(post(plain))))
}

@Test func refusesAWholeBatchWhenALeadgenChangeHasNoID() async throws {
    let body = #"{"object":"page","entry":[{"id":"1","changes":[{"field":"leadgen","value":{"leadgen_id":"1"}},{"field":"leadgen","value":{"page_id":"2"}}]}]}"#
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(body)) }
    #expect(error.status == 400)
    #expect(error.code == "missing_field")
    #expect(error.authenticated)  // signed: quarantined whole, replayable
    #expect(error.message.contains("entry[0].changes[1]"))
}

@Test(arguments: [
    ("", "empty_body"), ("{", "invalid_json"), ("[]", "unexpected_json"), (#"{"entry":{"id":1}}"#, "unexpected_json"),
    (#"{"entry":[{"changes":[{"field":"leadgen","value":"123"}]}]}"#, "unexpected_json"),
])
func refusesSignedBodiesItCannotRead(body: String, code: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(body)) }
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.authenticated)
}

@Test func refusesOtherMethods() async throws {
    let request = post(Array("{}".utf8), method: "PUT")
    #expect(try await validSource().handshake(request) == nil)
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(request) }
    #expect(error.status == 405)
}
