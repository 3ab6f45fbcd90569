import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import MetaLeadAdsSource

/// The first pending draft of the vendor webhook sample.
func pendingDraft() async throws -> LeadDraft {
    try #require(try await validSource().receive(post(try fixture("meta_leadgen_webhook.json"))).first)
}

@Test func completesAPendingDraftFromTheVendorRetrievalSample() async throws {
    // shared/fixtures/vendor/meta_lead_retrieval_response.json: Meta's GET /{lead-id} example.
    let graph = StubGraph(body: try fixture("meta_lead_retrieval_response.json"))
    let source = try validSource(fetcher: graph)
    let pending = try await pendingDraft()
    let completed = try await source.complete(pending)
    #expect(
        completed.fields == [
            RawField("car_make", "Honda"), RawField("full_name", "Joe Example"), RawField("email", "joe@example.com"),
            RawField("selected_dealer", "99213450"), RawField("page_id", "123123123"), RawField("form_id", "12312312312"),
            RawField("ad_id", "12312312312"), RawField("adgroup_id", "12312312312"),
        ])
    #expect(completed.externalID == "123123123123")
    #expect(completed.receivedAt == Date(timeIntervalSince1970: 1_425_113_354))  // 2015-02-28T08:49:14+0000
    #expect(completed.rawPayload == pending.rawPayload)
    let (canonical, _) = MetaLeadAdsSource.defaultFieldMap.resolve(completed.fields)
    #expect(canonical[.email] == "joe@example.com")
    #expect(canonical[.fullName] == "Joe Example")
    #expect(canonical[.form] == "12312312312")
}

@Test func readsTheLeadWithTheTokenAndItsProof() async throws {
    let graph = StubGraph(body: "{}")
    let source = try validSource([entry(6, "graph_url", "https://graph.example.test/v25.0/")], fetcher: graph)
    _ = try await source.complete(try await pendingDraft())
    let url = try #require(await graph.urls.first)
    // appsecret_proof worked out with Python's hmac: HMAC-SHA256(key "meta-app-secret", "EAAB-page-token"), hex.
    #expect(
        url == "https://graph.example.test/v25.0/123123123123?fields=\(MetaLeadAdsSource.defaultGraphFields)"
            + "&access_token=EAAB-page-token&appsecret_proof=a0fb354b5a2f3355f0cfc1afa2edcf082ed39952558b7e98ec7b67a7095d8545")
}

@Test func escapesWhatItPutsInTheURL() async throws {
    let graph = StubGraph(body: "{}")
    let source = try validSource([entry(6, "graph_fields", "field_data,campaign_name")], fetcher: graph)
    let pending = LeadDraft(fields: [RawField("_pending_fetch", "meta")], externalID: "1/2?x=&y", receivedAt: receivedAt)
    _ = try await source.complete(pending)
    let url = try #require(await graph.urls.first)
    #expect(url.hasPrefix("https://graph.facebook.com/v25.0/1%2F2%3Fx%3D%26y?fields=field_data,campaign_name&access_token="))
}

@Test func readsCustomDisclaimerResponses() async throws {
    // shared/fixtures/vendor/meta_lead_custom_disclaimer_responses.json
    let source = try validSource(fetcher: StubGraph(body: try fixture("meta_lead_custom_disclaimer_responses.json")))
    let completed = try await source.complete(try await pendingDraft())
    #expect(completed.fields.prefix(2) == [RawField("disclaimer_optional_1", "true"), RawField("disclaimer_optional_2", "false")])
}

@Test func keepsHebrewAnswersAndJoinsSeveralValues() async throws {
    let body = """
        {"id":"1","created_time":"2026-11-28T10:00:00+0000","field_data":[
          {"name":"full_name","values":["דנה כהן"]},
          {"name":"phone_number","values":["+972541234567"]},
          {"name":"מה_התקציב_שלך?","values":["בין 10 ל-20 אלף ₪"]},
          {"name":"interests","values":["CRM","ERP","שיווק"]},
          {"name":"empty","values":[]},
          {"name":"","values":["nameless"]}
        ],"campaign_name":"חורף 2026","ad_name":"וידאו 1","adset_name":"תל אביב","campaign_id":120212345678901234,"adset_id":"120212345678901235","platform":"ig","is_organic":false}
        """
    let completed = try await validSource(fetcher: StubGraph(body: body)).complete(try await pendingDraft())
    #expect(
        Array(completed.fields.prefix(11)) == [
            RawField("full_name", "דנה כהן"), RawField("phone_number", "+972541234567"), RawField("מה_התקציב_שלך?", "בין 10 ל-20 אלף ₪"),
            RawField("interests", "CRM, ERP, שיווק"), RawField("campaign_name", "חורף 2026"), RawField("campaign_id", "120212345678901234"),
            RawField("adset_name", "תל אביב"), RawField("adset_id", "120212345678901235"), RawField("ad_name", "וידאו 1"),
            RawField("platform", "ig"), RawField("is_organic", "false"),
        ])
    #expect(!completed.fields.contains { $0.key == "_pending_fetch" })
    let (canonical, _) = MetaLeadAdsSource.defaultFieldMap.resolve(completed.fields)
    #expect(canonical[.campaign] == "חורף 2026")
    #expect(canonical[.phone] == "+972541234567")
}

@Test func aDraftThatIsNotPendingComesBackAsItIs() async throws {
    let graph = StubGraph(body: "{}")
    let draft = LeadDraft(fields: [RawField("email", "a@b.co")], externalID: "1", receivedAt: receivedAt)
    #expect(try await validSource(fetcher: graph).complete(draft) == draft)
    #expect(await graph.urls.isEmpty)
}

@Test func withoutAnHTTPClientTheConfigurationMustBeFixed() async throws {
    let error = try await #require(throws: GraphError.self) { try await validSource().complete(try await pendingDraft()) }
    #expect(error.recovery == .fixConfiguration)
    #expect(!error.isRetryable)
}

@Test func aPendingDraftWithoutAnIDIsGivenUp() async throws {
    let pending = LeadDraft(fields: [RawField("_pending_fetch", "meta")], receivedAt: receivedAt)
    let error = try await #require(throws: GraphError.self) { try await validSource(fetcher: StubGraph(body: "{}")).complete(pending) }
    #expect(error.recovery == .giveUp)
}

/// Graph API error answers, https://developers.facebook.com/docs/graph-api/guides/error-handling
let graphErrors: [(status: Int, body: String, code: Int?, recovery: FetchRecovery)] = [
    (400, #"{"error":{"message":"(#200) Requires pages_manage_ads permission to manage the object","type":"OAuthException","code":200,"fbtrace_id":"AbC"}}"#, 200, .fixConfiguration),
    (400, #"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}"#, 190, .fixConfiguration),
    (400, #"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","is_transient":true,"code":4,"fbtrace_id":"AbC"}}"#, 4, .retryLater),
    (400, #"{"error":{"message":"(#17) User request limit reached","type":"OAuthException","code":17,"error_subcode":2446079}}"#, 17, .retryLater),
    (400, #"{"error":{"message":"(#32) Page request limit reached","type":"OAuthException","code":32}}"#, 32, .retryLater),
    (400, #"{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613}}"#, 613, .retryLater),
    (400, #"{"error":{"message":"There have been too many calls from this ad-account.","type":"OAuthException","code":80004}}"#, 80004, .retryLater),
    (500, #"{"error":{"message":"An unexpected error has occurred.","type":"OAuthException","code":2,"is_transient":true}}"#, 2, .retryLater),
    (400, #"{"error":{"message":"Unsupported get request. Object with ID '1' does not exist","type":"GraphMethodException","code":100,"error_subcode":33}}"#, 100, .giveUp),
    (400, #"{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":"190"}}"#, 190, .fixConfiguration),
    (502, "<html>Bad Gateway</html>", nil, .retryLater),
    (429, "", nil, .retryLater),
    (403, "", nil, .fixConfiguration),
    (404, "{}", nil, .giveUp),
]

@Test(arguments: graphErrors)
func sortsGraphErrors(status: Int, body: String, code: Int?, recovery: FetchRecovery) async throws {
    let source = try validSource(fetcher: StubGraph(status: status, body: body))
    let error = try await #require(throws: GraphError.self) { try await source.complete(try await pendingDraft()) }
    #expect(error.status == status)
    #expect(error.code == code)
    #expect(error.recovery == recovery)
    #expect(error.isRetryable == (recovery == .retryLater))
    #expect(!error.message.isEmpty)
}

@Test func readsTheDetailsOfAGraphError() {
    let body = #"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463}}"#
    let error = GraphError(status: 400, body: Array(body.utf8))
    #expect(error.type == "OAuthException")
    #expect(error.subcode == 463)
    #expect(error.description == "Graph API 400 (code 190, subcode 463): Error validating access token")
}

@Test func anAnswerThatIsNotALeadIsRetried() async throws {
    let source = try validSource(fetcher: StubGraph(body: "<html>captive portal</html>"))
    let error = try await #require(throws: GraphError.self) { try await source.complete(try await pendingDraft()) }
    #expect(error.status == 200)
    #expect(error.recovery == .retryLater)
}

@Test func aFetcherErrorIsPassedOn() async throws {
    struct Unreachable: Error {}
    struct FailingGraph: HTTPFetching {
        func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8]) { throw Unreachable() }
    }
    let source = try validSource(fetcher: FailingGraph())
    await #expect(throws: Unreachable.self) { try await source.complete(try await pendingDraft()) }
}
