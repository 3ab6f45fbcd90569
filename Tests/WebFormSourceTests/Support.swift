import Foundation
import LeadGateSourceKit
import Testing

@testable import WebFormSource

/// The receive time every test request carries.
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)

/// One `key: value` line of a hand-built source block: the key at column 5 of its line, the value after `key: `.
struct ConfigLine {
    var key: String
    var value: ConfigValue
}

func mark(_ line: Int, _ column: Int) -> ConfigMark {
    ConfigMark(file: "leadgate.yaml", line: line, column: column)
}

/// `key: value` on `line`, as a YAML loader would mark it.
func line(_ line: Int, _ key: String, _ value: String) -> ConfigLine {
    ConfigLine(key: key, value: .scalar(value, mark(line, 5 + key.count + 2), quoted: false))
}

/// `key:` on `line` followed by one `- item` per line at column 9.
func list(_ line: Int, _ key: String, _ items: [String]) -> ConfigLine {
    let values = items.enumerated().map { index, item in ConfigValue.scalar(item, mark(line + 1 + index, 9), quoted: false) }
    return ConfigLine(key: key, value: .sequence(values, mark(line + 1, 7)))
}

/// A web-form source built from `lines` the way the loader does it, and every config error it caused.
func makeSource(_ lines: [ConfigLine]) throws -> (source: WebFormSource, errors: [ConfigError]) {
    let diagnostics = ConfigDiagnostics()
    let entries = lines.map { ConfigEntry(key: $0.key, keyMark: mark($0.value.mark.line, 5), value: $0.value) }
    let section = ConfigSection(.mapping(entries, mark(2, 5)), path: "sources[0]", diagnostics: diagnostics)
    let source = try WebFormSource(name: "website", config: section, services: SourceServices())
    section.finish()
    return (source, diagnostics.sorted)
}

/// A source whose config must be valid.
func validSource(_ lines: [ConfigLine]) throws -> WebFormSource {
    let (source, errors) = try makeSource(lines)
    try #require(errors.isEmpty, "\(errors)")
    return source
}

func request(
    _ method: String = "POST", contentType: String? = "application/x-www-form-urlencoded", body: [UInt8] = Array("name=Dana".utf8),
    headers: [(String, String)] = []
) -> InboundRequest {
    let all = (contentType.map { [("Content-Type", $0)] } ?? []) + headers
    return InboundRequest(
        method: method, path: "/ingest/website", headers: all.map { (name: $0.0, value: $0.1) }, body: body, remoteAddress: "127.0.0.1",
        receivedAt: receivedAt)
}

/// The value of header `name` (ignoring case) in `headers`.
func value(_ name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
}

/// A file under the project's shared fixtures (`../shared/fixtures/` beside the project root).
func fixture(_ name: String) throws -> [UInt8] {
    let projectRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/vendor/\(name)")
    return Array(try Data(contentsOf: url))
}
