import Foundation
import LeadGateSourceKit
import Testing

@testable import TikTokLeadsSource

/// The receive time every test request carries.
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)
let secret = "tt-app-secret"
/// The `t=` of TikTok's documented header example, and the clock 13 seconds later.
let signedAt = 1_633_174_587
let now = Date(timeIntervalSince1970: 1_633_174_600)

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// `key: value` on `line` of a source block: the key at column 5, the value after `key: `.
func entry(_ line: Int, _ key: String, _ value: String) -> ConfigEntry {
    ConfigEntry(key: key, keyMark: mark(line, 5), value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

/// A source built from `entries` the way the loader does it (the block starts at line 2), and every config error.
func makeSource(_ entries: [ConfigEntry], clock: Date = now) throws -> (source: TikTokLeadsSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try TikTokLeadsSource(name: "tiktok", config: section, services: SourceServices(now: { clock }))
    section.finish()
    return (source, diagnostics.sorted)
}

func validSource(_ extra: [ConfigEntry] = [], clock: Date = now) throws -> TikTokLeadsSource {
    let (source, errors) = try makeSource([entry(3, "secret", secret)] + extra, clock: clock)
    try #require(errors.isEmpty, "\(errors)")
    return source
}

/// `body` POSTed with `TikTok-Signature: t=...,s=<hex HMAC of "t." + body>` as TikTok documents it, or with `signature`, or unsigned.
func post(_ body: String, signature: String? = nil, signed: Bool = true, header: String = "TikTok-Signature", method: String = "POST") -> InboundRequest {
    let bytes = Array(body.utf8)
    var headers = [(name: "Content-Type", value: "application/json")]
    if signed {
        let digest = Signature.hmacSHA256(Array("\(signedAt).".utf8) + bytes, key: Array(secret.utf8))
        headers.append((name: header, value: signature ?? "t=\(signedAt),s=\(Signature.hexEncoded(digest))"))
    }
    return InboundRequest(method: method, path: "/ingest/tiktok", headers: headers, body: bytes, remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}
