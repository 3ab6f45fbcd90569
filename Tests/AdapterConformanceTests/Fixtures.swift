import Foundation
import GoogleAdsSource
import LeadGateCore
import LeadGateSourceKit
import LinkedInLeadsSource
import MetaLeadAdsSource
import TikTokLeadsSource
import WebFormSource

/// Every push adapter the gateway ships, each with its valid-request builder.
let allFixtures: [AdapterFixture] = [webForm, googleAds, metaLeadAds, linkedInLeads, tiktokLeads]

/// Keys no adapter knows: a nested object at the top level, a scalar inside the lead.
let unknownTop = #""zz_unknown_top":{"nested":[1,"x",null,{"deep":true}]},"#
let unknownInner = #""zz_unknown_inner":17,"#

let webForm = AdapterFixture(
    description: "web_form",
    makeSource: { _ in
        try configured([("hmac_secret", "conformance-secret")]) { try WebFormSource(name: "website", config: $0, services: SourceServices()) }
    },
    payload: { text, id, unknown in
        Array(#"{\#(unknown ? unknownTop : "")"ref":\#(json(id)),"email":"\#(contactEmail)","message":\#(json(text))}"#.utf8)
    },
    signed: { request($0, headers: [("X-LeadGate-Signature", hexHMAC($0, key: "conformance-secret"))]) },
    forged: { request($0, headers: [("X-LeadGate-Signature", hexHMAC($0, key: "conformance-secreT"))]) },
    unsigned: { request($0, headers: []) }
)

let googleAds = AdapterFixture(
    description: "google_ads",
    makeSource: { _ in try configured([("key", "conformance-key")]) { try GoogleAdsSource(name: "google-ads", config: $0, services: SourceServices()) } },
    payload: { text, id, unknown in
        Array(
            """
            {"lead_id":\(json(id)),"google_key":"conformance-key",\(unknown ? unknownTop : "")"is_test":false,"user_column_data":[
              {"column_id":"EMAIL","column_name":"Email","string_value":"\(contactEmail)"},
              {\(unknown ? unknownInner : "")"column_id":"QUESTION_1","column_name":"message","string_value":\(json(text))}]}
            """.utf8)
    },
    signed: { request($0, headers: []) },
    forged: { request(replacing("conformance-key", with: "conformance-kez", in: $0), headers: []) },
    unsigned: { request(replacing(#""google_key":"conformance-key","#, with: "", in: $0), headers: []) }
)

let metaLeadAds = AdapterFixture(
    description: "meta_lead_ads",
    makeSource: { text in
        let answer = #"{"id":"1","field_data":[{"name":"email","values":["\#(contactEmail)"]},{"name":"message","values":[\#(json(text))]}]}"#
        return try configured([("verify_token", "v"), ("app_secret", "conformance-secret"), ("page_access_token", "t")]) {
            try MetaLeadAdsSource(name: "facebook", config: $0, services: SourceServices(http: CannedAnswer(body: Array(answer.utf8))))
        }
    },
    payload: { _, id, unknown in
        Array(
            #"{\#(unknown ? unknownTop : "")"object":"page","entry":[{"id":"1","time":1438292065,"changes":[{"field":"leadgen","value":{\#(unknown ? unknownInner : "")"leadgen_id":\#(json(id)),"page_id":"1","created_time":1440120384}}]}]}"#
                .utf8)
    },
    signed: { request($0, headers: [("X-Hub-Signature-256", "sha256=" + hexHMAC($0, key: "conformance-secret"))]) },
    forged: { request($0, headers: [("X-Hub-Signature-256", "sha256=" + hexHMAC($0, key: "conformance-secreT"))]) },
    unsigned: { request($0, headers: []) }
)

let linkedInLeads = AdapterFixture(
    description: "linkedin_leads",
    makeSource: { text in
        let answer = """
            {"submittedAt":1689894599288,"formResponse":{"answers":[
              {"questionId":1,"answerDetails":{"textQuestionAnswer":{"answer":"\(contactEmail)"}}},
              {"questionId":2,"answerDetails":{"textQuestionAnswer":{"answer":\(json(text))}}}]},
             "form":{"content":{"questions":[{"questionId":1,"predefinedField":"EMAIL"},{"questionId":2,"question":{"localized":{"en_US":"message"}}}]}}}
            """
        return try configured([("client_secret", "conformance-secret"), ("access_token", "t"), ("api_version", "202601")]) {
            try LinkedInLeadsSource(name: "linkedin", config: $0, services: SourceServices(http: CannedAnswer(body: Array(answer.utf8))))
        }
    },
    payload: { _, id, unknown in
        Array(
            #"{\#(unknown ? unknownTop : "")"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:\#(id)","owner":{\#(unknown ? unknownInner : "")"sponsoredAccount":"urn:li:sponsoredAccount:1"},"leadAction":"CREATED","occurredAt":1689894599288}"#
                .utf8)
    },
    signed: { request($0, headers: [("X-LI-Signature", hexHMAC(Array("hmacsha256=".utf8) + $0, key: "conformance-secret"))]) },
    forged: { request($0, headers: [("X-LI-Signature", hexHMAC($0, key: "conformance-secret"))]) },
    unsigned: { request($0, headers: []) }
)

/// `body` with `text` replaced (Google's key travels in the body).
func replacing(_ text: String, with replacement: String, in body: [UInt8]) -> [UInt8] {
    Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: text, with: replacement).utf8)
}

/// TikTok's clock for the fixture: one second after the signature's `t=`.
let tiktokSignedAt = 1_633_174_587

let tiktokLeads = AdapterFixture(
    description: "tiktok_leads",
    makeSource: { _ in
        let clock = Date(timeIntervalSince1970: TimeInterval(tiktokSignedAt + 1))
        return try configured([("secret", "conformance-secret")]) { try TikTokLeadsSource(name: "tiktok", config: $0, services: SourceServices(now: { clock })) }
    },
    payload: { text, id, unknown in
        Array(
            #"{\#(unknown ? unknownTop : "")"lead_id":\#(json(id)),"field_data":[{"field_name":"email","field_value":"\#(contactEmail)"},{\#(unknown ? unknownInner : "")"field_name":"message","field_value":\#(json(text))}]}"#
                .utf8)
    },
    signed: { request($0, headers: [("TikTok-Signature", "t=\(tiktokSignedAt),s=" + hexHMAC(Array("\(tiktokSignedAt).".utf8) + $0, key: "conformance-secret"))]) },
    forged: { request($0, headers: [("TikTok-Signature", "t=\(tiktokSignedAt),s=" + hexHMAC($0, key: "conformance-secret"))]) },
    unsigned: { request($0, headers: []) }
)
