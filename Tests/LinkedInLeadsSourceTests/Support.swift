import Foundation
import LeadGateSourceKit
import Testing

@testable import LinkedInLeadsSource

/// The receive time every test request carries.
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)
let clientSecret = "li-client-secret"

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// `key: value` on `line` of a source block: the key at column 5, the value after `key: `.
func entry(_ line: Int, _ key: String, _ value: String) -> ConfigEntry {
    ConfigEntry(key: key, keyMark: mark(line, 5), value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

/// The three required keys, on lines 3 to 5.
let requiredEntries = [entry(3, "client_secret", clientSecret), entry(4, "access_token", "AQX-token"), entry(5, "api_version", "202601")]

/// A source built from `entries` the way the loader does it (the block starts at line 2), and every config error.
func makeSource(_ entries: [ConfigEntry], fetcher: (any HTTPFetching)? = nil) throws -> (source: LinkedInLeadsSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try LinkedInLeadsSource(name: "linkedin", config: section, services: SourceServices(http: fetcher))
    section.finish()
    return (source, diagnostics.sorted)
}

func validSource(_ extra: [ConfigEntry] = [], fetcher: (any HTTPFetching)? = nil) throws -> LinkedInLeadsSource {
    let (source, errors) = try makeSource(requiredEntries + extra, fetcher: fetcher)
    try #require(errors.isEmpty, "\(errors)")
    return source
}

/// `body` POSTed with `X-LI-Signature` as LinkedIn makes it (hex HMAC of "hmacsha256=" + body), or with `signature`, or unsigned.
func post(_ body: String, signature: String? = nil, signed: Bool = true, method: String = "POST") -> InboundRequest {
    let bytes = Array(body.utf8)
    var headers = [(name: "Content-Type", value: "application/json")]
    if signed {
        let valid = Signature.hexEncoded(Signature.hmacSHA256(Array("hmacsha256=".utf8) + bytes, key: Array(clientSecret.utf8)))
        headers.append((name: "X-LI-Signature", value: signature ?? valid))
    }
    return InboundRequest(method: method, path: "/ingest/linkedin", headers: headers, body: bytes, remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}

/// A lead notification; `members` replaces the defaults.
func notification(action: String = "CREATED", _ members: String? = nil) -> String {
    let defaults = #""leadGenForm":"urn:li:versionedLeadGenForm:(urn:li:leadGenForm:7234246,1)","owner":{"sponsoredAccount":"urn:li:sponsoredAccount:1234567"},"leadType":"SPONSORED","occurredAt":1689894599288"#
    return #"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:249592fc-d272-44ba-a7db-c2bdce579507-6","leadAction":"\#(action)",\#(members ?? defaults)}"#
}

/// Answers every GET with `answer` and remembers what was asked.
actor StubLinkedIn: HTTPFetching {
    let answer: (status: Int, body: [UInt8])
    private(set) var requests: [(url: String, headers: [(name: String, value: String)])] = []

    init(status: Int = 200, body: String) {
        answer = (status, Array(body.utf8))
    }

    func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8]) {
        requests.append((url, headers))
        return answer
    }
}
