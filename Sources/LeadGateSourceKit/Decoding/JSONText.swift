import Foundation
import LeadGateCore

/// A JSON string, number or boolean as text. Platforms send ids as strings or as numbers; `JSONDecoder` reads
/// an integer as Int64 or Decimal (38 digits), never through Double, so ids past 2^53 keep every digit.
public struct JSONText: Codable, Hashable, Sendable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let flag = try? container.decode(Bool.self) {
            text = flag ? "true" : "false"
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else {
            text = "\(try container.decode(Decimal.self))"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Whether the text is a yes: `true`, `"true"`, `1`, `"1"` (platforms disagree on how to send a flag).
    public var isTrue: Bool {
        ["true", "1", "yes"].contains(text.lowercased())
    }

    /// The moment the text names: Unix seconds, Unix milliseconds (any value past the year 5138 in seconds),
    /// or ISO 8601 such as `2015-02-28T08:49:14+0000`; nil for anything else.
    public var date: Date? {
        if let number = Double(text), number.isFinite, number > 0 {
            return Date(timeIntervalSince1970: number >= 1e11 ? number / 1000 : number)
        }
        return ISO8601DateFormatter().date(from: text)
    }
}

/// Reading a platform's JSON document into its Codable shape, with errors that say where it went wrong.
public enum VendorJSON {
    /// `bytes` decoded as `T`. `authenticated` says whether the sender passed authentication, which decides
    /// whether the refused request is quarantined; `what` names the document in messages.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String = "the body", authenticated: Bool) throws(SourceError) -> T {
        guard !bytes.isEmpty else {
            throw SourceError(status: 400, code: "empty_body", message: "\(what) is empty; a JSON object was expected", authenticated: authenticated)
        }
        do {
            return try LeadJSON.decoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            let (code, message) = describe(error, what: what)
            throw SourceError(status: 400, code: code, message: message, authenticated: authenticated)
        } catch {
            throw SourceError(status: 400, code: "invalid_json", message: "\(what) is not JSON: \(error)", authenticated: authenticated)
        }
    }

    private static func describe(_ error: DecodingError, what: String) -> (code: String, message: String) {
        func place(_ path: [any CodingKey]) -> String {
            guard !path.isEmpty else { return what }
            return path.reduce("") { text, key in
                key.intValue.map { "\(text)[\($0)]" } ?? (text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)")
            }
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return ("invalid_json", "\(what) is not valid JSON")
        case .dataCorrupted(let context):
            return ("unexpected_json", "\(place(context.codingPath)): \(context.debugDescription)")
        case .typeMismatch(_, let context):
            return ("unexpected_json", "\(place(context.codingPath)): \(context.debugDescription)")
        case .valueNotFound(_, let context):
            return ("unexpected_json", "\(place(context.codingPath)) is null")
        case .keyNotFound(let key, let context):
            return ("missing_field", "\(place(context.codingPath)) has no '\(key.stringValue)'")
        @unknown default:
            return ("unexpected_json", "\(what) does not have the expected shape: \(error)")
        }
    }
}
