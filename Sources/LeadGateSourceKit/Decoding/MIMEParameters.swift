import Foundation
import LeadGateCore

/// A header value made of a token and `name=value` parameters: `Content-Type` and `Content-Disposition`
/// (RFC 2045 §5.1, RFC 2183), with RFC 2231 parameters (`name*=charset'lang'%XX`, continuations `name*0`,
/// `name*1*`, ...) joined and decoded.
///
/// Tolerant of what senders write: comments in parentheses, whitespace around `=`, a missing `;` after the
/// token, unquoted values with spaces, and RFC 2047 encoded words in `name`/`filename` (Outlook).
public struct MIMEParameterizedValue: Sendable, Hashable {
    /// The leading token, lower-cased: `text/plain`, `attachment`.
    public var token: String
    /// Parameters by lower-cased name; an RFC 2231 form wins over a plain one of the same name.
    public var parameters: [String: String]

    public init(token: String, parameters: [String: String] = [:]) {
        self.token = token
        self.parameters = parameters
    }

    /// Parses a raw (unfolded) header value.
    public init(parsing raw: String) {
        var reader = ParameterReader(Array(raw.utf8))
        token = reader.readToken().lowercased()
        var plain: [String: String] = [:]
        var sections: [String: [(number: Int, extended: Bool, value: String)]] = [:]
        while let (name, value) = reader.readParameter() {
            guard let star = name.firstIndex(of: "*") else {
                if plain[name] == nil { plain[name] = value }
                continue
            }
            let base = String(name[..<star])
            var suffix = name[name.index(after: star)...]
            guard !base.isEmpty else { continue }
            if suffix.isEmpty {
                sections[base, default: []].append((0, true, value))
                continue
            }
            let extended = suffix.hasSuffix("*")
            if extended { suffix = suffix.dropLast() }
            // Section numbers past a few hundred are an attack, not a file name.
            guard let number = Int(suffix), (0...999).contains(number) else { continue }
            sections[base, default: []].append((number, extended, value))
        }
        for (name, parts) in sections {
            plain[name] = Self.joinSections(parts)
        }
        for name in ["name", "filename"] {
            if let value = plain[name], value.utf8.contains(UInt8(ascii: "?")) { plain[name] = MIMEEncodedWord.decode(value).text }
        }
        parameters = plain
    }

    /// RFC 2231 §3-4: sections in number order; the first extended one may name a charset; extended
    /// sections are percent-encoded bytes of that charset, plain sections are taken as they are.
    private static func joinSections(_ parts: [(number: Int, extended: Bool, value: String)]) -> String {
        let sorted = parts.sorted { $0.number < $1.number }
        var label: String?
        var bytes: [UInt8] = []
        for (position, section) in sorted.enumerated() {
            var value = Substring(section.value)
            if section.extended, position == 0 {
                let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    if !pieces[0].isEmpty { label = String(pieces[0]) }
                    value = pieces[2]
                }
            }
            let raw = Array(value.utf8)
            bytes += section.extended ? Hex.unescaped(raw[...], escape: UInt8(ascii: "%")) : raw
        }
        return (try? Charset.decode(bytes, label: label, mode: .lenient).text) ?? String(decoding: bytes, as: UTF8.self)
    }
}

/// Reads a token and then `name=value` pairs from header bytes.
private struct ParameterReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func readToken() -> String {
        skipSpaceAndComments()
        let start = index
        while index < bytes.count, !isSeparator(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// The next parameter with its name lower-cased and its value unquoted; nil at the end.
    mutating func readParameter() -> (String, String)? {
        while true {
            skipSpaceAndComments()
            while index < bytes.count, bytes[index] == UInt8(ascii: ";") {
                index += 1
                skipSpaceAndComments()
            }
            guard index < bytes.count else { return nil }
            let nameStart = index
            while index < bytes.count, !isSeparator(bytes[index]), bytes[index] != UInt8(ascii: "=") { index += 1 }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
            skipSpaceAndComments()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "="), !name.isEmpty else {
                // A word without `=`: skip to the next parameter.
                if index == nameStart { index += 1 }
                continue
            }
            index += 1
            skipSpaceAndComments()
            return (name, readValue())
        }
    }

    private mutating func readValue() -> String {
        guard index < bytes.count else { return "" }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            var value: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                value.append(bytes[index])
                index += 1
            }
            index += 1
            return String(decoding: value, as: UTF8.self)
        }
        // Unquoted: up to the next `;`, without a trailing comment (`us-ascii (Plain text)`) or whitespace.
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: ";") { index += 1 }
        var end = index
        if let open = bytes[start..<end].firstIndex(of: UInt8(ascii: "(")), open > start { end = open }
        while end > start, MIMEByte.isBlank(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ";") || MIMEByte.isBlank(byte) || byte == UInt8(ascii: "(")
    }

    /// Whitespace and RFC 5322 comments, which nest.
    private mutating func skipSpaceAndComments() {
        while index < bytes.count {
            if MIMEByte.isBlank(bytes[index]) {
                index += 1
            } else if bytes[index] == UInt8(ascii: "(") {
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "("): depth += 1
                    case UInt8(ascii: ")"): depth -= 1
                    case UInt8(ascii: "\\"): index += 1
                    default: break
                    }
                    index += 1
                    if depth == 0 { break }
                }
            } else {
                return
            }
        }
    }
}
