import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import GoogleAdsSource

// MARK: - the vendor sample

@Test func readsTheReconstructedVendorSample() async throws {
    // shared/fixtures/vendor: first keys from Google's testing page, the rest from third-party copies (see SOURCES.md).
    let drafts = try await validSource().receive(post(try fixture("google_ads_lead_form_webhook_RECONSTRUCTED.json")))
    let gclid = "Cj0KCQjwit_8BRCoARIsAIx3Rj7g-AeL6z35IWb6VYiZUygtTfwD3hDlgSGmY-XTTlK3lfV1wcuIwIAaAmMxEALw_wcB"
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("full_name", "FirstName LastName"), RawField("phone", "1-650-555-0123"), RawField("email", "test@example.com"),
                    RawField("gclid", gclid), RawField("campaign", "123456"), RawField("form", "123456789"), RawField("adgroup_id", "0"),
                    RawField("creative_id", "0"),
                ],
                externalID: gclid, receivedAt: receivedAt, isTest: true)
        ])
}

@Test func theSampleMapsToCanonicalFields() async throws {
    let drafts = try await validSource().receive(post(try fixture("google_ads_lead_form_webhook_RECONSTRUCTED.json")))
    let (canonical, extra) = GoogleAdsSource.defaultFieldMap.resolve(try #require(drafts.first).fields)
    #expect(canonical[.email] == "test@example.com")
    #expect(canonical[.phone] == "1-650-555-0123")
    #expect(canonical[.fullName] == "FirstName LastName")
    #expect(canonical[.gclid]?.hasPrefix("Cj0KCQjw") == true)
    #expect(canonical[.campaign] == "123456")
    #expect(canonical[.form] == "123456789")
    #expect(extra == ["adgroup_id": "0", "creative_id": "0"])
}

// MARK: - the key

@Test(arguments: [
    (#"{"lead_id":"1","google_key":"testkey"}"#, true),
    (#"{"lead_id":"1","Google_key":"testkey"}"#, true),  // the spelling of Google's own test samples
    (#"{"lead_id":"1","google_key":"testkey "}"#, false),
    (#"{"lead_id":"1","google_key":"TESTKEY"}"#, false),
    (#"{"lead_id":"1","google_key":""}"#, false),
    (#"{"lead_id":"1","google_key":"testke"}"#, false),
    (#"{"lead_id":"1","google_key":"testkeytestkey"}"#, false),
])
func checksTheKey(body: String, accepted: Bool) async throws {
    let source = try validSource()
    if accepted {
        #expect(try await source.receive(post(body)).map(\.externalID) == ["1"])
    } else {
        let error = try await refusal(body, source: source)
        #expect(error.status == 401)
        #expect(error.code == "unauthorized")
        #expect(!error.authenticated)
        #expect(error.message.contains("does not match"))
    }
}

@Test func aMissingKeyIsUnauthorized() async throws {
    let error = try await refusal(#"{"lead_id":"1","user_column_data":[]}"#)
    #expect(error.status == 401)
    #expect(error.message.contains("no google_key"))
    #expect(!error.authenticated)
}

@Test func aKeySentAsANumberIsComparedAsText() async throws {
    let (source, errors) = try makeSource([entry(3, "key", "12345678901234567890")])
    try #require(errors.isEmpty)
    let drafts = try await source.receive(post(#"{"lead_id":"7","google_key":12345678901234567890}"#))
    #expect(drafts.map(\.externalID) == ["7"])
}

// MARK: - ids

@Test(arguments: [
    (#""lead_id":"TeSt_LeAd-1""#, "TeSt_LeAd-1"),
    (#""lead_id":12345"#, "12345"),
    (#""lead_id":12345678901234567"#, "12345678901234567"),  // 17 digits, past 2^53
    (#""lead_id":9007199254740993"#, "9007199254740993"),  // 2^53 + 1: a Double would say ...992
    (#""lead_id":123456789012345678901234567890"#, "123456789012345678901234567890"),
])
func keepsTheLeadIDAsText(member: String, expected: String) async throws {
    let drafts = try await validSource().receive(post(#"{\#(member),"google_key":"testkey"}"#))
    #expect(drafts.map(\.externalID) == [expected])
}

@Test func idsAsStringsOrNumbersGiveTheSameDraft() async throws {
    let source = try validSource()
    let numbers = #"{"lead_id":98765432109876543,"campaign_id":12345678901234567,"form_id":42,"adgroup_id":7,"creative_id":8,"asset_group_id":9,"google_key":"testkey"}"#
    let strings = #"{"lead_id":"98765432109876543","campaign_id":"12345678901234567","form_id":"42","adgroup_id":"7","creative_id":"8","asset_group_id":"9","google_key":"testkey"}"#
    let fromNumbers = try await source.receive(post(numbers))
    #expect(fromNumbers == (try await source.receive(post(strings))))
    #expect(
        fromNumbers.first?.fields == [
            RawField("campaign", "12345678901234567"), RawField("form", "42"), RawField("adgroup_id", "7"), RawField("creative_id", "8"),
            RawField("asset_group_id", "9"),
        ])
}

@Test func missingOptionalKeysAreLeftOut() async throws {
    let drafts = try await validSource().receive(post(#"{"google_key":"testkey","user_column_data":[{"column_id":"EMAIL","string_value":"a@b.co"}]}"#))
    #expect(drafts == [LeadDraft(fields: [RawField("email", "a@b.co")], receivedAt: receivedAt)])
}

@Test func aColumnWithoutAValueIsSkipped() async throws {
    let body = #"{"google_key":"testkey","user_column_data":[{"column_id":"EMAIL"},{"column_id":"PHONE_NUMBER","string_value":null},{"column_id":"CITY","string_value":"חיפה"}]}"#
    #expect(try await validSource().receive(post(body)).first?.fields == [RawField("city", "חיפה")])
}

// MARK: - columns

@Test(arguments: [
    ("FULL_NAME", "Full Name", "full_name"), ("FIRST_NAME", nil, "first_name"), ("GIVEN_NAME", "Given name", "first_name"),
    ("LAST_NAME", nil, "last_name"), ("FAMILY_NAME", nil, "last_name"), ("EMAIL", "User Email", "email"),
    ("WORK_EMAIL", "Work email", "work_email"), ("PHONE_NUMBER", "User Phone", "phone"), ("WORK_PHONE", nil, "work_phone"),
    ("COMPANY_NAME", nil, "company"), ("JOB_TITLE", nil, "job_title"), ("CITY", nil, "city"), ("COUNTRY", nil, "country"),
    ("POSTAL_CODE", "Zip", "postal_code"), ("STREET_ADDRESS", nil, "street_address"), ("REGION", nil, "region"),
    // Qualifying and custom questions are named as the form asks them.
    ("QUESTION_1234", "What is your budget?", "What is your budget?"), ("VEHICLE_MODEL", "Which model?", "Which model?"),
    ("QUESTION_5678", nil, "question_5678"), ("QUESTION_5678", "  ", "question_5678"), (nil, nil, "unnamed_column"),
] as [(String?, String?, String)])
func namesColumns(id: String?, label: String?, expected: String) {
    let column = UserColumn(column_id: id.map(JSONText.init), column_name: label.map(JSONText.init), string_value: JSONText("x"))
    #expect(GoogleAdsSource.fieldName(of: column) == expected)
}

@Test func keepsHebrewAndOtherScriptsIntact() async throws {
    let body = """
        {"lead_id":"he-1","google_key":"testkey","user_column_data":[
          {"column_id":"FULL_NAME","column_name":"שם מלא","string_value":"דנה כהן"},
          {"column_id":"QUESTION_1","column_name":"מה התקציב שלך?","string_value":"בין 10 ל-20 אלף ₪"},
          {"column_id":"QUESTION_2","column_name":"ما هي ميزانيتك؟","string_value":"محمد عبد الله"},
          {"column_id":"QUESTION_3","column_name":"Город","string_value":"Санкт-Петербург"},
          {"column_id":"QUESTION_4","column_name":"会社","string_value":"株式会社テスト \\u05d0"}
        ]}
        """
    let drafts = try await validSource().receive(post(body))
    #expect(
        drafts.first?.fields == [
            RawField("full_name", "דנה כהן"), RawField("מה התקציב שלך?", "בין 10 ל-20 אלף ₪"), RawField("ما هي ميزانيتك؟", "محمد عبد الله"),
            RawField("Город", "Санкт-Петербург"), RawField("会社", "株式会社テスト א"),
        ])
}

@Test func workEmailAndPhoneFeedTheContactWhenThereIsNoOther() {
    let map = GoogleAdsSource.defaultFieldMap
    let workOnly = map.resolve([RawField("work_email", "dana@acme.co.il"), RawField("work_phone", "03-6101800")])
    #expect(workOnly.canonical[.email] == "dana@acme.co.il")
    #expect(workOnly.canonical[.phone] == "03-6101800")
    let both = map.resolve([RawField("email", "dana@gmail.com"), RawField("work_email", "dana@acme.co.il")])
    #expect(both.canonical[.email] == "dana@gmail.com")
    #expect(both.extra["work_email"] == "dana@acme.co.il")
}

// MARK: - test leads and unknown keys

@Test(arguments: [
    (#","is_test":true"#, true), (#","is_test":"true""#, true), (#","is_test":1"#, true),
    (#","is_test":false"#, false), (#","is_test":null"#, false), ("", false),
])
func marksTestLeads(member: String, isTest: Bool) async throws {
    let drafts = try await validSource().receive(post(#"{"lead_id":"t","google_key":"testkey"\#(member)}"#))
    #expect(drafts.map(\.isTest) == [isTest])
}

@Test func ignoresUnknownKeys() async throws {
    let source = try validSource()
    let plain = #"{"lead_id":"u1","google_key":"testkey","user_column_data":[{"column_id":"EMAIL","string_value":"a@b.co"}]}"#
    let extended = """
        {"lead_id":"u1","google_key":"testkey","api_version":"1.0","lead_submit_time":"2026-11-28 10:00:00+0000",
         "lead_stage":"NEW","future":{"nested":[1,{"deep":null}]},
         "user_column_data":[{"column_id":"EMAIL","string_value":"a@b.co","column_type":"EMAIL","answer_ids":[1,2]}]}
        """
    #expect(try await source.receive(post(extended)) == (try await source.receive(post(plain))))
}

// MARK: - refusals

@Test(arguments: [
    ("", "empty_body", false),
    ("not json", "invalid_json", false),
    (#"[{"lead_id":"1","google_key":"testkey"}]"#, "unexpected_json", false),
    (#"{"lead_id":"1","google_key":"testkey","user_column_data":"EMAIL=a@b.co"}"#, "unexpected_json", true),
    (#"{"lead_id":"1","google_key":"testkey","user_column_data":[{"column_id":"EMAIL","string_value":{"v":"a@b.co"}}]}"#, "unexpected_json", true),
    (#"{"lead_id":{"id":1},"google_key":"testkey"}"#, "unexpected_json", true),
])
func refusesBodiesItCannotRead(body: String, code: String, authenticated: Bool) async throws {
    let error = try await refusal(body)
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.authenticated == authenticated)
    #expect(!error.message.isEmpty)
}

@Test func acceptsTheTrailingCommaOfGoogleDocsSamples() async throws {
    // https://developers.google.com/google-ads/webhook/docs/samples ends its objects with `"google_key":"...",}`.
    let drafts = try await validSource().receive(post(#"{"lead_id":"1","google_key":"testkey",}"#))
    #expect(drafts.map(\.externalID) == ["1"])
}

@Test func namesWhereTheShapeIsWrong() async throws {
    let error = try await refusal(#"{"lead_id":"1","google_key":"testkey","user_column_data":[{"column_id":"EMAIL","string_value":{"v":"a"}}]}"#)
    #expect(error.message.hasPrefix("user_column_data[0].string_value"), "\(error.message)")
}

@Test func refusesOtherMethods() async throws {
    let error = try await #require(throws: SourceError.self) { try await validSource().receive(post("{}", method: "PUT")) }
    #expect(error.status == 405)
    #expect(try await validSource().handshake(post("", method: "GET")) == nil)
}

@Test func readsALargeLeadWithoutTrouble() async throws {
    let long = String(repeating: "שלום עולם ", count: 100_000)
    let body = #"{"lead_id":"big","google_key":"testkey","user_column_data":[{"column_id":"QUESTION_1","column_name":"notes","string_value":"\#(long)"}]}"#
    #expect(try await validSource().receive(post(body)).first?.fields == [RawField("notes", long)])
}
