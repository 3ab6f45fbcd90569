import Foundation
import LeadGateSourceKit
import Testing

@testable import GoogleAdsSource

/// The receive time every test request carries.
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// `key: value` on `line` of a source block: the key at column 5, the value after `key: `.
func entry(_ line: Int, _ key: String, _ value: String) -> ConfigEntry {
    ConfigEntry(key: key, keyMark: mark(line, 5), value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

/// A source built from `entries` the way the loader does it (the block starts at line 2), and every config error.
func makeSource(_ entries: [ConfigEntry]) throws -> (source: GoogleAdsSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try GoogleAdsSource(name: "google-ads", config: section, services: SourceServices())
    section.finish()
    return (source, diagnostics.sorted)
}

/// A source with the key `testkey` (the placeholder of the reconstructed sample).
func validSource() throws -> GoogleAdsSource {
    let (source, errors) = try makeSource([entry(3, "key", "testkey")])
    try #require(errors.isEmpty, "\(errors)")
    return source
}

func post(_ body: String, method: String = "POST") -> InboundRequest {
    post(Array(body.utf8), method: method)
}

func post(_ body: [UInt8], method: String = "POST") -> InboundRequest {
    InboundRequest(
        method: method, path: "/ingest/google-ads", headers: [(name: "Content-Type", value: "application/json")], body: body,
        remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}

/// The error `body` is refused with (the test fails when it is accepted).
func refusal(_ body: String, source: GoogleAdsSource? = nil) async throws -> SourceError {
    let source = try source ?? validSource()
    return try await #require(throws: SourceError.self) { try await source.receive(post(body)) }
}

/// A file of the shared vendor fixtures (`../shared/fixtures/vendor/` beside the project root).
func fixture(_ name: String) throws -> [UInt8] {
    let projectRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/vendor/\(name)")
    return Array(try Data(contentsOf: url))
}
