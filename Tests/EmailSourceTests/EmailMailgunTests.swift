import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

private let signingKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
private let token = "2b90a03befc0b98ae2b641b0080850cada918a2d2f670e0141"

private func mailgunSource(_ extra: [ConfigLine] = []) throws -> EmailSource {
    try validSource([line(3, "provider", "mailgun"), line(4, "signing_key", signingKey)] + extra)
}

/// Mailgun's signature: hex HMAC-SHA256 of timestamp + token under the signing key.
private func signature(_ timestamp: String, _ token: String = token, key: String = signingKey) -> String {
    Signature.hexEncoded(Signature.hmacSHA256(Array((timestamp + token).utf8), key: Array(key.utf8)))
}

private func urlencoded(_ fields: [(String, String)]) -> [UInt8] {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let pairs = fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
    return Array(pairs.joined(separator: "&").utf8)
}

private let now = Int(receivedAt.timeIntervalSince1970)

/// What a parsed-mode route posts, signed at `timestamp`.
private func parsedPost(timestamp: Int = now, signature sign: String? = nil, extra: [(String, String)] = []) -> [(String, String)] {
    [
        ("recipient", "leads@acme.co.il"), ("sender", "bounce+x@forms.example.com"), ("from", "Forms <noreply@forms.example.com>"),
        ("subject", "פנייה חדשה"), ("body-plain", "Name: Dana Cohen\r\nPhone: 054-1234567\r\n"), ("body-html", "<p>Name: Dana Cohen</p>"),
        ("Message-Id", "<mg-1@forms.example.com>"), ("Reply-To", "Dana Cohen <dana@acme.co.il>"),
        ("timestamp", String(timestamp)), ("token", token), ("signature", sign ?? signature(String(timestamp))),
    ] + extra
}

@Test func emailReadsMailgunParsedPost() async throws {
    let body = urlencoded(parsedPost())
    let lead = try #require(try await mailgunSource().receive(post(contentType: "application/x-www-form-urlencoded", body: body, query: [])).first)
    #expect(
        lead.fields == [
            RawField("Name", "Dana Cohen"), RawField("Phone", "054-1234567"), RawField("subject", "פנייה חדשה"), RawField("email", "dana@acme.co.il"),
        ])
    #expect(lead.externalID == "mg-1@forms.example.com")
}

@Test func emailReadsMailgunHeadersFromTheMessageHeadersList() async throws {
    // Only `message-headers` carries Message-Id and Date here.
    var fields = parsedPost().filter { !["Message-Id", "Reply-To"].contains($0.0) }
    fields.append(("message-headers", #"[["Message-Id", "<listed@x.co>"], ["Date", "Sat, 28 Nov 2026 09:15:02 +0200"], ["Reply-To", "avi@x.co"]]"#))
    let lead = try #require(try await mailgunSource().receive(post(contentType: "application/x-www-form-urlencoded", body: urlencoded(fields), query: [])).first)
    #expect(lead.externalID == "listed@x.co")
    #expect(lead.receivedAt == Date(timeIntervalSince1970: 1_795_850_102))
    #expect(value("email", in: lead) == "avi@x.co")
}

@Test func emailReadsMailgunRawMIMEPostInMultipart() async throws {
    let timestamp = String(now)
    let mime = Array("Message-ID: <mime-1@x.co>\r\nFrom: Dana <dana@acme.co.il>\r\nSubject: =?UTF-8?B?16nXnNeV150=?=\r\n\r\nPhone: 054\r\nCompany: Acme\r\n".utf8)
    var body: [UInt8] = []
    for (name, value) in [("timestamp", Array(timestamp.utf8)), ("token", Array(token.utf8)), ("signature", Array(signature(timestamp).utf8)), ("body-mime", mime)] {
        body += Array("--mg\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8) + value + Array("\r\n".utf8)
    }
    body += Array("--mg--\r\n".utf8)
    let lead = try #require(try await mailgunSource().receive(post(contentType: "multipart/form-data; boundary=mg", body: body, query: [])).first)
    #expect(
        lead.fields == [
            RawField("Phone", "054"), RawField("Company", "Acme"), RawField("subject", "שלום"), RawField("email", "dana@acme.co.il"),
            RawField("full_name", "Dana"),
        ])
    #expect(lead.externalID == "mime-1@x.co")
}

@Test(arguments: [
    // Wrong key, wrong token, tampered hex, not hex.
    (parsedPost(signature: signature(String(now), key: "another-key")), "signature_mismatch"),
    (parsedPost(signature: signature(String(now), "other-token")), "signature_mismatch"),
    (parsedPost(signature: "00" + String(signature(String(now)).dropFirst(2))), "signature_mismatch"),
    (parsedPost(signature: "not hex"), "signature_mismatch"),
    // Validly signed, but older or newer than the 5-minute tolerance: a replay.
    (parsedPost(timestamp: now - 301), "stale_timestamp"),
    (parsedPost(timestamp: now + 301), "stale_timestamp"),
    (parsedPost().filter { $0.0 != "signature" }, "signature_missing"),
    (parsedPost().filter { $0.0 != "timestamp" }, "signature_missing"),
])
func emailMailgunRefusesBadSignatures(fields: [(String, String)], code: String) async throws {
    do {
        _ = try await mailgunSource().receive(post(contentType: "application/x-www-form-urlencoded", body: urlencoded(fields), query: []))
        Issue.record("accepted")
    } catch let error as SourceError {
        #expect(error.code == code)
        #expect(error.status == 401)
        #expect(!error.authenticated)
    }
}

@Test func emailMailgunToleranceIsConfigurableAndUsesTheInjectedClock() async throws {
    let fields = parsedPost(timestamp: now - 301)
    let request = post(contentType: "application/x-www-form-urlencoded", body: urlencoded(fields), query: [])
    #expect(try await mailgunSource([line(5, "timestamp_tolerance", "10m")]).receive(request).count == 1)
    // The same post checked by a clock six minutes earlier is fresh.
    let earlier = try mailgunSource(now: { receivedAt.addingTimeInterval(-360) })
    #expect(try await earlier.receive(request).count == 1)
}

@Test func emailMailgunBodyThatCannotBeReadIsNotQuarantined() async throws {
    // Before the signature is checked nothing is trusted: a garbled body is refused, not kept.
    for (type, body) in [("multipart/form-data", Array("x".utf8)), ("text/plain", Array("x".utf8))] {
        do {
            _ = try await mailgunSource().receive(post(contentType: type, body: body, query: []))
            Issue.record("accepted")
        } catch let error as SourceError {
            #expect(!error.authenticated)
        }
    }
}

private func mailgunSource(now: @escaping @Sendable () -> Date) throws -> EmailSource {
    try validSource([line(3, "provider", "mailgun"), line(4, "signing_key", signingKey)], now: now)
}
