import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import LinkedInLeadsSource

// MARK: - endpoint validation

@Test func answersTheValidationChallenge() async throws {
    let request = InboundRequest(
        method: "GET", path: "/ingest/linkedin", query: [(name: "challengeCode", value: "f3c5b8e2-7d4a-4f1b-9c6e-2a8d0b1e5f47")],
        receivedAt: receivedAt)
    let response = try #require(try await validSource().handshake(request))
    #expect(response.status == 200)
    #expect(response.headers.first { $0.name == "Content-Type" }?.value == "application/json")
    let answer = try JSONDecoder().decode([String: String].self, from: Data(response.body))
    // Worked out with Python's hmac: HMAC-SHA256(key "li-client-secret", the challenge code), hex.
    #expect(
        answer == [
            "challengeCode": "f3c5b8e2-7d4a-4f1b-9c6e-2a8d0b1e5f47",
            "challengeResponse": "7107ab0605fea458316651847a2842a3910c568f302135a3ad9ff11df0075edf",
        ])
}

@Test(arguments: [[], [(name: "challengeCode", value: "")], [(name: "applicationId", value: "1")]])
func refusesAValidationWithoutAChallenge(query: [(name: String, value: String)]) async throws {
    let request = InboundRequest(method: "GET", path: "/ingest/linkedin", query: query, receivedAt: receivedAt)
    let error = try await #require(throws: SourceError.self) { try await validSource().handshake(request) }
    #expect(error.status == 400)
    #expect(error.code == "missing_parameter")
}

@Test func aPostIsNotAHandshake() async throws {
    #expect(try await validSource().handshake(post(notification())) == nil)
}

// MARK: - signatures

/// A notification as LinkedIn documents its members, and its X-LI-Signature worked out with Python's hmac:
/// HMAC-SHA256(key "li-client-secret", "hmacsha256=" + body), hex.
let signedBody =
    #"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6","leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)","owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567"},"leadType":"SPONSORED","leadAction":"CREATED","occurredAt":1689894599288}"#
let signedBodySignature = "5e27d41c5316a9dce83d60d8aba08d094ba06159fb1796eedcd311e6f6d4ccb6"

@Test(arguments: [signedBodySignature, signedBodySignature.uppercased(), "hmacsha256=\(signedBodySignature)", " \(signedBodySignature) "])
func checksTheSignatureOfThePrefixedBody(header: String) async throws {
    let drafts = try await validSource().receive(post(signedBody, signature: header))
    #expect(drafts.map(\.externalID) == ["urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6"])
}

@Test(arguments: [
    "505b1aa882b5b6272172929c0bd7b094431aa95f9edbe8b325a59742d3d42343",  // HMAC of the body alone, without "hmacsha256="
    "5e27d41c5316a9dce83d60d8aba08d094ba06159fb1796eedcd311e6f6d4ccb7",
    "sha256=5e27d41c5316a9dce83d60d8aba08d094ba06159fb1796eedcd311e6f6d4ccb6",
    "", "zz",
])
func refusesABadSignature(header: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(signedBody, signature: header)) }
    #expect(error.status == 401)
    #expect(error.code == "signature_mismatch")
    #expect(!error.authenticated)
}

@Test func refusesAMissingSignature() async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(signedBody, signed: false)) }
    #expect(error.status == 401)
    #expect(error.message.contains("X-LI-Signature"))
}

// MARK: - notifications

@Test func aCreatedLeadIsPending() async throws {
    let drafts = try await validSource().receive(post(signedBody, signature: signedBodySignature))
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("_pending_fetch", "linkedin"), RawField("form_id", "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)"),
                    RawField("lead_type", "SPONSORED"), RawField("sponsored_account", "urn:li:sponsoredAccount:1234567"),
                ],
                externalID: "urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6",
                receivedAt: Date(timeIntervalSince1970: 1_689_894_599.288))
        ])
}

@Test func aDeletedLeadIsMarkedForThePipeline() async throws {
    let drafts = try await validSource().receive(post(notification(action: "DELETED")))
    let draft = try #require(drafts.first)
    #expect(drafts.count == 1)
    #expect(draft.fields.first == RawField("_deleted_at_source", "true"))
    #expect(!draft.fields.contains { $0.key == "_pending_fetch" })
    #expect(draft.externalID == "urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6")
}

@Test func readsOrganicLeadsWithTheirAssociatedEntity() async throws {
    let members = #""leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:42,3)","owner":{"organization":"urn:li:organization:11223344"},"associatedEntity":{"event":"urn:li:event:7100000000000000001","extra":{"not":"a scalar"}},"leadType":"EVENT","occurredAt":"1689894599288""#
    let drafts = try await validSource().receive(post(notification(members)))
    #expect(
        drafts.first?.fields == [
            RawField("_pending_fetch", "linkedin"), RawField("form_id", "urn:li:versionedLeadGenForm:(urn:li:leadGenForm:42,3)"),
            RawField("lead_type", "EVENT"), RawField("organization", "urn:li:organization:11223344"),
            RawField("associated_event", "urn:li:event:7100000000000000001"),
        ])
    #expect(drafts.first?.receivedAt == Date(timeIntervalSince1970: 1_689_894_599.288))
}

@Test func missingOptionalKeysAreLeftOut() async throws {
    let body = #"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:1","leadAction":"CREATED"}"#
    let drafts = try await validSource().receive(post(body))
    #expect(drafts == [LeadDraft(fields: [RawField("_pending_fetch", "linkedin")], externalID: "urn:li:leadGenFormResponse:1", receivedAt: receivedAt)])
}

@Test func otherEventTypesAreSkipped() async throws {
    let body = #"{"type":"ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS","notifications":[{"notificationId":1,"action":"LIKE"}]}"#
    #expect(try await validSource().receive(post(body)).isEmpty)
}

@Test func ignoresUnknownKeys() async throws {
    let source = try validSource()
    let extended = notification(
        #""leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)","owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567","future":[1]},"leadType":"SPONSORED","occurredAt":1689894599288,"notificationId":99,"zz":{"a":null}"#)
    #expect(try await source.receive(post(extended)) == (try await source.receive(post(notification()))))
}

@Test(arguments: [
    (#"{"type":"LEAD_ACTION","leadAction":"CREATED"}"#, "missing_field"),
    (#"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:1","leadAction":"UPDATED"}"#, "unexpected_json"),
    (#"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:1"}"#, "unexpected_json"),
    (#"{"type":"LEAD_ACTION","leadGenFormResponse":{"id":1},"leadAction":"CREATED"}"#, "unexpected_json"),
    ("", "empty_body"), ("[]", "unexpected_json"), ("{", "invalid_json"),
])
func refusesSignedNotificationsItCannotRead(body: String, code: String) async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post(body)) }
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.authenticated)
}

@Test func refusesOtherMethods() async throws {
    let request = post("{}", method: "DELETE")
    #expect(try await validSource().handshake(request) == nil)
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(request) }
    #expect(error.status == 405)
}
