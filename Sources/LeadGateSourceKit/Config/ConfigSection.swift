import Foundation

/// Collects every config problem so they are all reported at once.
public final class ConfigDiagnostics {
    public private(set) var errors: [ConfigError] = []

    public init() {}

    public func error(_ message: String, at mark: ConfigMark) {
        errors.append(ConfigError(message, at: mark))
    }

    /// The errors in file order.
    public var sorted: [ConfigError] {
        errors.sorted { ($0.mark.file, $0.mark.line, $0.mark.column) < ($1.mark.file, $1.mark.line, $1.mark.column) }
    }
}

/// Reads one mapping of the config: typed accessors that report wrong types and missing keys, and
/// `finish()` that reports every key nobody read as unknown. Used while loading, on one thread.
public final class ConfigSection {
    /// Dotted path of this mapping, e.g. `sources[0]`, for messages.
    public let path: String
    public let mark: ConfigMark
    public let diagnostics: ConfigDiagnostics
    private let entries: [ConfigEntry]
    private var consumed: Set<String> = []

    public init(_ value: ConfigValue, path: String, diagnostics: ConfigDiagnostics) {
        self.path = path
        self.mark = value.mark
        self.diagnostics = diagnostics
        switch value {
        case .mapping(let entries, _):
            self.entries = entries
            var seen: Set<String> = []
            for entry in entries where !seen.insert(entry.key).inserted {
                diagnostics.error("duplicate key '\(entry.key)' in \(path)", at: entry.keyMark)
            }
        case .null:
            self.entries = []
        default:
            self.entries = []
            diagnostics.error("\(path) must be a mapping, found \(value.kindName)", at: value.mark)
        }
    }

    /// Every key of the mapping, in file order.
    public var keys: [String] { entries.map(\.key) }

    /// The raw node under `key`, marking it read.
    public func value(_ key: String) -> ConfigValue? {
        consumed.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .null = entry.value { return nil }
        return entry.value
    }

    /// The mark of `key`'s value, or of this mapping when the key is absent.
    public func mark(of key: String) -> ConfigMark {
        entries.first { $0.key == key }?.value.mark ?? mark
    }

    /// Reports a problem with `key` (at its value, or at this mapping when absent).
    public func error(_ key: String, _ message: String) {
        diagnostics.error(message, at: mark(of: key))
    }

    private func missing(_ key: String) {
        diagnostics.error("\(path) is missing required key '\(key)'", at: mark)
    }

    /// The scalar under `key`; reports a missing required key, or a node of another kind.
    private func scalar(_ key: String, expected: String, required: Bool = false) -> (String, ConfigMark)? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .scalar(let text, let mark, _) = node else {
            diagnostics.error("\(path).\(key) must be \(expected), found \(node.kindName)", at: node.mark)
            return nil
        }
        return (text, mark)
    }

    /// A string value; reports a missing required key.
    public func string(_ key: String, required: Bool = false) -> String? {
        scalar(key, expected: "a string", required: required)?.0
    }

    /// A required, non-empty string such as a secret or token; an empty one is reported (an unset `${VAR}`
    /// with an empty default looks like that). Returns "" when missing or empty, after reporting.
    public func secret(_ key: String) -> String {
        guard let text = string(key, required: true) else { return "" }
        if text.isEmpty {
            error(key, "\(path).\(key) is empty (if it comes from ${VAR}, is the variable set?)")
        }
        return text
    }

    /// An integer value.
    public func int(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        guard let (text, mark) = scalar(key, expected: "an integer", required: required) else { return nil }
        guard let number = Int(text.replacingOccurrences(of: "_", with: "")) else {
            diagnostics.error("\(path).\(key) must be an integer, found '\(text)'", at: mark)
            return nil
        }
        if let range, !range.contains(number) {
            diagnostics.error("\(path).\(key) must be between \(range.lowerBound) and \(range.upperBound), found \(number)", at: mark)
            return nil
        }
        return number
    }

    /// A number value (integer or decimal).
    public func double(_ key: String, required: Bool = false) -> Double? {
        guard let (text, mark) = scalar(key, expected: "a number", required: required) else { return nil }
        guard let number = Double(text.replacingOccurrences(of: "_", with: "")), number.isFinite else {
            diagnostics.error("\(path).\(key) must be a number, found '\(text)'", at: mark)
            return nil
        }
        return number
    }

    /// A boolean: true/false, yes/no, on/off.
    public func bool(_ key: String) -> Bool? {
        guard let (text, mark) = scalar(key, expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            diagnostics.error("\(path).\(key) must be true or false, found '\(text)'", at: mark)
            return nil
        }
    }

    /// A duration such as `10m`, `90s`, `1h`, `500ms` (a bare number is seconds).
    public func duration(_ key: String) -> Duration? {
        guard let (text, mark) = scalar(key, expected: "a duration") else { return nil }
        guard let duration = ConfigSection.parseDuration(text) else {
            diagnostics.error("\(path).\(key) must be a duration like 30s, 10m or 1h, found '\(text)'", at: mark)
            return nil
        }
        return duration
    }

    /// A byte size such as `1MiB`, `512KB`, `2mb` (a bare number is bytes).
    public func byteSize(_ key: String) -> Int? {
        guard let (text, mark) = scalar(key, expected: "a size") else { return nil }
        guard let size = ConfigSection.parseByteSize(text) else {
            diagnostics.error("\(path).\(key) must be a size like 512KiB or 1MiB, found '\(text)'", at: mark)
            return nil
        }
        return size
    }

    /// A list of strings; a single scalar is taken as a list of one.
    public func stringList(_ key: String) -> [String]? {
        guard let node = value(key) else { return nil }
        return ConfigSection.strings(node, path: "\(path).\(key)", diagnostics: diagnostics)
    }

    /// A nested mapping.
    public func section(_ key: String, required: Bool = false) -> ConfigSection? {
        guard let node = value(key) else {
            if required { missing(key) }
            return nil
        }
        guard case .mapping = node else {
            diagnostics.error("\(path).\(key) must be a mapping, found \(node.kindName)", at: node.mark)
            return nil
        }
        return ConfigSection(node, path: "\(path).\(key)", diagnostics: diagnostics)
    }

    /// A list of mappings.
    public func sections(_ key: String) -> [ConfigSection]? {
        guard let node = value(key) else { return nil }
        guard case .sequence(let items, _) = node else {
            diagnostics.error("\(path).\(key) must be a list, found \(node.kindName)", at: node.mark)
            return nil
        }
        return items.enumerated().map { index, item in
            ConfigSection(item, path: "\(path).\(key)[\(index)]", diagnostics: diagnostics)
        }
    }

    /// Marks keys as read without reading them (keys another layer handles).
    public func consume(_ keys: String...) {
        consumed.formUnion(keys)
    }

    /// Reports every key nobody read as unknown, naming the keys this mapping takes.
    public func finish(known: [String]? = nil) {
        for entry in entries where !consumed.contains(entry.key) {
            let allowed = (known ?? consumed.sorted()).joined(separator: ", ")
            diagnostics.error("unknown key '\(entry.key)' in \(path) (known keys: \(allowed))", at: entry.keyMark)
        }
    }

    /// The strings of a scalar or list node, reporting anything else.
    public static func strings(_ node: ConfigValue, path: String, diagnostics: ConfigDiagnostics) -> [String]? {
        switch node {
        case .scalar(let text, _, _):
            return [text]
        case .sequence(let items, _):
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard case .scalar(let text, _, _) = item else {
                    diagnostics.error("\(path)[\(index)] must be a string, found \(item.kindName)", at: item.mark)
                    continue
                }
                out.append(text)
            }
            return out
        default:
            diagnostics.error("\(path) must be a list of strings, found \(node.kindName)", at: node.mark)
            return nil
        }
    }

    /// Parses `10m`, `90s`, `1h`, `500ms`, `2d`; a bare number is seconds.
    public static func parseDuration(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            if let value = Double(number), value >= 0, value.isFinite { return .milliseconds(Int64(value * scale * 1000)) }
            if suffix == "ms" { continue }
            return nil
        }
        if let value = Double(trimmed), value >= 0, value.isFinite { return .milliseconds(Int64(value * 1000)) }
        return nil
    }

    /// Parses `1MiB`, `512KB`, `2mb`, `100`; binary and decimal prefixes both mean powers of 1024.
    public static func parseByteSize(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Int)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30),
            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
        ]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value >= 0, value * Double(scale) < Double(Int.max / 2) else { return nil }
            return Int(value * Double(scale))
        }
        guard let value = Int(trimmed), value >= 0 else { return nil }
        return value
    }
}
