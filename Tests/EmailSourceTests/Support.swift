import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

/// The receive time every test request carries: 2026-11-28T10:00:00Z.
let receivedAt = Date(timeIntervalSince1970: 1_795_860_000)

/// A secret long enough for the config check.
let secret = "s3cret-shared-key-0123"

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// One `key: value` of a hand-built source block, on its own line.
struct ConfigLine {
    var key: String
    var value: ConfigValue
}

func line(_ line: Int, _ key: String, _ value: String) -> ConfigLine {
    ConfigLine(key: key, value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

func list(_ line: Int, _ key: String, _ items: [String]) -> ConfigLine {
    let values = items.enumerated().map { index, item in ConfigValue.scalar(item, mark(line + 1 + index, 9), quoted: false) }
    return ConfigLine(key: key, value: .sequence(values, mark(line + 1, 7)))
}

/// An email source built from `lines` the way the loader does it, and every config error it caused.
func makeSource(_ lines: [ConfigLine], now: @escaping @Sendable () -> Date = { receivedAt }) throws -> (source: EmailSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let entries = lines.map { ConfigEntry(key: $0.key, keyMark: mark($0.value.mark.line, 5), value: $0.value) }
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try EmailSource(name: "sales-inbox", config: section, services: SourceServices(now: now))
    section.finish()
    return (source, diagnostics.sorted)
}

/// A source whose config must be valid.
func validSource(_ lines: [ConfigLine], now: @escaping @Sendable () -> Date = { receivedAt }) throws -> EmailSource {
    let (source, errors) = try makeSource(lines, now: now)
    try #require(errors.isEmpty, "\(errors)")
    return source
}

/// The default raw-MIME source with the shared secret.
func rawSource(_ extra: [ConfigLine] = []) throws -> EmailSource {
    try validSource([line(3, "secret", secret)] + extra)
}

func post(
    contentType: String?, body: [UInt8], query: [(String, String)] = [("key", secret)], headers: [(String, String)] = []
) -> InboundRequest {
    let all = (contentType.map { [("Content-Type", $0)] } ?? []) + headers
    return InboundRequest(
        method: "POST", path: "/ingest/sales-inbox", query: query.map { (name: $0.0, value: $0.1) },
        headers: all.map { (name: $0.0, value: $0.1) }, body: body, remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}

/// `lines` joined with CRLF, as mail travels.
func crlf(_ lines: [String]) -> [UInt8] {
    Array(lines.joined(separator: "\r\n").utf8)
}

/// A message with `headers`, a blank line and `body` (CRLF line ends).
func message(_ headers: [String], _ body: [String]) -> [UInt8] {
    crlf(headers + [""] + body)
}

/// The one draft of `bytes` read by `source` (the raw-MIME source by default).
func draft(_ bytes: [UInt8], source: EmailSource? = nil, at time: Date = receivedAt) throws -> LeadDraft {
    let drafts = try (source ?? rawSource()).drafts(fromMIME: bytes, receivedAt: time)
    try #require(drafts.count == 1)
    return try #require(drafts.first)
}

/// The value of the first field called `key`.
func value(_ key: String, in draft: LeadDraft) -> String? {
    draft.fields.first { $0.key == key }?.value
}

/// A file under the project's shared fixtures (`../shared/fixtures/` beside the project root).
func fixture(_ path: String) throws -> [UInt8] {
    let projectRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/\(path)")
    return Array(try Data(contentsOf: url))
}

/// Bytes encoded by Python's codecs for `text` in a legacy charset are written out in the tests; this turns
/// them into quoted-printable for a message body.
func quotedPrintable(_ bytes: [UInt8]) -> String {
    bytes.map { byte in
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=") ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
    }.joined()
}
