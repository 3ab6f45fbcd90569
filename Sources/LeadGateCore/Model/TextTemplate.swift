import Foundation

/// `{{path.to.value}}` templates over a JSON-like value: notification subjects, bodies and custom webhook
/// bodies. Deliberately small (no sections, no partials): a missing value renders empty. Values are
/// escaped for where they land, so a lead's text can never break the JSON or add a mail header.
public struct TextTemplate: Sendable, Hashable {
    public enum Escaping: Sendable, Hashable {
        /// Inside a JSON string literal.
        case json
        /// A single header line: CR, LF and other controls become spaces.
        case headerLine
        /// Plain text, as is.
        case none
    }

    private enum Piece: Sendable, Hashable {
        case text(String)
        case value([String])
    }

    private let pieces: [Piece]

    public init(_ source: String) {
        var pieces: [Piece] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            pieces.append(.text(String(rest[..<open.lowerBound])))
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                pieces.append(.text(String(rest[open.lowerBound...])))
                rest = ""
                break
            }
            let path = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            pieces.append(.value(path.split(separator: ".").map(String.init)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    /// Renders over `context` (nested `[String: Any]` as JSONSerialization makes them).
    public func render(_ context: [String: Any], escaping: Escaping) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let text): return text
            case .value(let path): return Self.escape(Self.lookup(path, in: context), escaping)
            }
        }.joined()
    }

    static func lookup(_ path: [String], in context: [String: Any]) -> String {
        var current: Any? = context
        for key in path {
            current = (current as? [String: Any])?[key]
        }
        guard let value = current, !(value is NSNull) else { return "" }
        switch value {
        case let text as String: return text
        case let flag as Bool where type(of: value) == Bool.self: return flag ? "true" : "false"
        case let number as NSNumber:
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 1e15 ? String(Int64(double)) : String(double)
        default: return "\(value)"
        }
    }

    static func escape(_ text: String, _ escaping: Escaping) -> String {
        switch escaping {
        case .none:
            return text
        case .headerLine:
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
        case .json:
            var writer = JSONWriter()
            writer.string(text)
            return String(writer.string.dropFirst().dropLast())
        }
    }
}
