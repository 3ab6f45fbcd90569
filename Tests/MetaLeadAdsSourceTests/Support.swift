import Foundation
import LeadGateSourceKit
import Testing

@testable import MetaLeadAdsSource

/// The receive time every test request carries.
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)
let appSecret = "meta-app-secret"

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// `key: value` on `line` of a source block: the key at column 5, the value after `key: `.
func entry(_ line: Int, _ key: String, _ value: String) -> ConfigEntry {
    ConfigEntry(key: key, keyMark: mark(line, 5), value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

/// The three required keys, on lines 3 to 5.
let requiredEntries = [
    entry(3, "verify_token", "meatyhamhock"), entry(4, "app_secret", appSecret), entry(5, "page_access_token", "EAAB-page-token"),
]

/// A source built from `entries` the way the loader does it (the block starts at line 2), and every config error.
func makeSource(_ entries: [ConfigEntry], fetcher: (any HTTPFetching)? = nil) throws -> (source: MetaLeadAdsSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try MetaLeadAdsSource(name: "facebook-il", config: section, services: SourceServices(http: fetcher))
    section.finish()
    return (source, diagnostics.sorted)
}

func validSource(_ extra: [ConfigEntry] = [], fetcher: (any HTTPFetching)? = nil) throws -> MetaLeadAdsSource {
    let (source, errors) = try makeSource(requiredEntries + extra, fetcher: fetcher)
    try #require(errors.isEmpty, "\(errors)")
    return source
}

/// `body` POSTed with `X-Hub-Signature-256` as Meta makes it, or with `signature` instead, or unsigned.
func post(_ body: [UInt8], signature: String? = nil, signed: Bool = true, method: String = "POST") -> InboundRequest {
    var headers = [(name: "Content-Type", value: "application/json")]
    if signed {
        let valid = "sha256=" + Signature.hexEncoded(Signature.hmacSHA256(body, key: Array(appSecret.utf8)))
        headers.append((name: "X-Hub-Signature-256", value: signature ?? valid))
    }
    return InboundRequest(method: method, path: "/ingest/facebook-il", headers: headers, body: body, remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}

func post(_ body: String, signature: String? = nil, signed: Bool = true) -> InboundRequest {
    post(Array(body.utf8), signature: signature, signed: signed)
}

func get(query: [(String, String)]) -> InboundRequest {
    InboundRequest(method: "GET", path: "/ingest/facebook-il", query: query.map { (name: $0.0, value: $0.1) }, receivedAt: receivedAt)
}

/// A notification with one leadgen change whose value is `value` (a JSON object's members).
func notification(_ value: String) -> String {
    #"{"object":"page","entry":[{"id":"153125381133","time":1438292065,"changes":[{"field":"leadgen","value":{\#(value)}}]}]}"#
}

/// Answers every GET with `answer` and remembers what was asked.
actor StubGraph: HTTPFetching {
    let answer: (status: Int, body: [UInt8])
    private(set) var urls: [String] = []

    init(status: Int = 200, body: String) {
        answer = (status, Array(body.utf8))
    }

    init(status: Int = 200, body: [UInt8]) {
        answer = (status, body)
    }

    func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8]) {
        urls.append(url)
        return answer
    }
}

/// A file of the shared vendor fixtures (`../shared/fixtures/vendor/` beside the project root).
func fixture(_ name: String) throws -> [UInt8] {
    let projectRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/vendor/\(name)")
    return Array(try Data(contentsOf: url))
}
