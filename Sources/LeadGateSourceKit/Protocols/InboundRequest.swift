import Foundation
import LeadGateCore

/// An HTTP request as an adapter sees it: a plain value, so adapters are tested without a server.
public struct InboundRequest: Sendable {
    public var method: String
    public var path: String
    /// Query parameters in order, percent-decoded.
    public var query: [(name: String, value: String)]
    /// Header fields in order; look them up with `header(_:)`, which ignores case.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var remoteAddress: String?
    public var receivedAt: Date

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        remoteAddress: String? = nil, receivedAt: Date
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
    }

    /// The first value of header `name`, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { UnicodeText.equalsIgnoringASCIICase($0.name, name) }?.value
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The parsed `Content-Type` header, if any.
    public var contentType: MediaType? {
        header("Content-Type").flatMap(MediaType.init(parsing:))
    }
}

/// A response an adapter writes itself (handshakes, redirects); everything else the server answers.
public struct InboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response (Meta's `hub.challenge` echo, for one).
    public static func text(_ text: String, status: Int = 200) -> InboundResponse {
        InboundResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }
}

/// A media type with its parameters, e.g. `multipart/form-data; boundary=x` or `text/plain; charset=windows-1255`.
public struct MediaType: Sendable, Hashable {
    /// `type/subtype`, lower-cased.
    public var essence: String
    /// Parameters with lower-cased names; quoted values unquoted.
    public var parameters: [String: String]

    public init(essence: String, parameters: [String: String] = [:]) {
        self.essence = essence.lowercased()
        self.parameters = parameters
    }

    /// Parses a `Content-Type` value; nil when it has no `type/subtype`.
    public init?(parsing raw: String) {
        var parts = MediaType.splitParameters(raw)
        guard !parts.isEmpty else { return nil }
        let essence = UnicodeText.trimmed(parts.removeFirst()).lowercased()
        guard essence.utf8.contains(UInt8(ascii: "/")), !essence.hasPrefix("/"), !essence.hasSuffix("/") else { return nil }
        var parameters: [String: String] = [:]
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = UnicodeText.trimmed(String(part[..<equals])).lowercased()
            var value = UnicodeText.trimmed(String(part[part.index(after: equals)...]))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            if parameters[name] == nil { parameters[name] = value }
        }
        self.essence = essence
        self.parameters = parameters
    }

    /// The `charset` parameter, lower-cased.
    public var charset: String? { parameters["charset"]?.lowercased() }

    /// Splits at `;` outside quotes.
    private static func splitParameters(_ raw: String) -> [String] {
        // The usual header, ASCII with nothing quoted, is split on its bytes.
        if raw.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\"") }) {
            var parts: [String] = []
            var start = raw.utf8.startIndex
            for index in raw.utf8.indices where raw.utf8[index] == UInt8(ascii: ";") {
                parts.append(String(decoding: raw.utf8[start..<index], as: UTF8.self))
                start = raw.utf8.index(after: index)
            }
            parts.append(String(decoding: raw.utf8[start...], as: UTF8.self))
            return parts
        }
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in raw {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\" where quoted:
                current.append(character)
                escaped = true
            case "\"":
                quoted.toggle()
                current.append(character)
            case ";" where !quoted:
                parts.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        parts.append(current)
        return parts.filter { !UnicodeText.isBlank($0) }
    }
}
