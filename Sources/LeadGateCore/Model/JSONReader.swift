import Foundation

/// A pull reader for the JSON the gateway stores itself (what `JSONWriter` writes), for the reads on hot
/// paths where `JSONDecoder`'s generic machinery was most of the cost (every delivery reads its lead).
///
/// The grammar is JSON's, strictly: objects, arrays, strings with every escape (surrogate pairs included),
/// numbers, `true`, `false`, `null`, whitespace anywhere between tokens. A document that breaks it throws
/// `JSONReader.Malformed` with the byte offset; values of another type than asked throw too.
public struct JSONReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "malformed JSON at byte \(offset): \(message)" }
    }

    private let bytes: [UInt8]
    private var index = 0

    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Throws unless only whitespace is left.
    public mutating func end() throws {
        skipWhitespace()
        guard index == bytes.count else { throw malformed("text after the document") }
    }

    /// Calls `body` with each member's key, positioned at its value, which `body` must read or skip.
    public mutating func members(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return }
        repeat {
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Calls `body` positioned at each element of an array, which `body` must read or skip.
    public mutating func elements(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if take(UInt8(ascii: "]")) { return }
        repeat {
            try body(&self)
            skipWhitespace()
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// Consumes a `null` if one is next.
    public mutating func null() -> Bool {
        skipWhitespace()
        guard bytes[index...].starts(with: "null".utf8) else { return false }
        index += 4
        return true
    }

    public mutating func string() throws -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let start = index
        // Most strings have no escape: decoded straight from the document.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
            guard bytes[index] >= 0x20 else { throw malformed("a control character inside a string") }
            index += 1
        }
        guard index < bytes.count else { throw malformed("an unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
        }
        var utf8 = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw malformed("an unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try unescape(into: &utf8)
            case ..<0x20:
                throw malformed("a control character inside a string")
            default:
                utf8.append(byte)
            }
        }
    }

    public mutating func optionalString() throws -> String? {
        null() ? nil : try string()
    }

    public mutating func bool() throws -> Bool {
        skipWhitespace()
        if bytes[index...].starts(with: "true".utf8) {
            index += 4
            return true
        }
        if bytes[index...].starts(with: "false".utf8) {
            index += 5
            return false
        }
        throw malformed("expected true or false")
    }

    public mutating func optionalBool() throws -> Bool? {
        null() ? nil : try bool()
    }

    /// An object of string values (`fields`, `click_ids`).
    public mutating func stringDictionary() throws -> [String: String] {
        var dictionary: [String: String] = [:]
        try members { reader, key in dictionary[key] = try reader.string() }
        return dictionary
    }

    /// An ISO 8601 time as `JSONWriter.date` writes it (and `JSONDecoder`'s `.iso8601` reads it).
    public mutating func date() throws -> Date {
        let offset = index
        let text = try string()
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw Malformed(offset: offset, message: "'\(text)' is not an ISO 8601 time")
        }
        return date
    }

    public mutating func optionalDate() throws -> Date? {
        null() ? nil : try date()
    }

    /// Steps over the next value, whatever it is (members a newer writer added).
    public mutating func skipValue() throws {
        skipWhitespace()
        guard index < bytes.count else { throw malformed("a value is missing") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try members { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["): try elements { try $0.skipValue() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"):
            guard null() else { throw malformed("expected null") }
        default:
            let start = index
            while index < bytes.count, Self.isNumberByte(bytes[index]) { index += 1 }
            guard index > start, Double(String(decoding: bytes[start..<index], as: UTF8.self)) != nil else {
                throw Malformed(offset: start, message: "expected a value")
            }
        }
    }

    // MARK: Bytes

    private mutating func unescape(into utf8: inout [UInt8]) throws {
        guard index < bytes.count else { throw malformed("an unterminated escape") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate takes the low one that must follow.
                guard bytes[index...].starts(with: "\\u".utf8) else { throw malformed("a lone surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw malformed("a lone surrogate")
            }
            utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw malformed("an unknown escape")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw malformed("a short \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard take(byte) else { throw malformed("expected '\(Character(Unicode.Scalar(byte)))'") }
    }

    private func malformed(_ message: String) -> Malformed {
        Malformed(offset: index, message: message)
    }
}
