import Foundation

/// A small streaming JSON writer for the documents written on every intake and every delivery (the stored lead
/// body, the ingest answer, a lead for a webhook), where `JSONEncoder`'s Codable machinery was a tenth of the CPU.
/// Everything else goes through `LeadJSON`'s coders. Strings, numbers and dates come out byte for byte as
/// `LeadJSON.encoder()` writes them; keys come out in the order they are written.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// The document as a String.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"key":`; the next value written is its value.
    public mutating func key(_ key: String) {
        separate()
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ value: String) {
        separate()
        writeString(value)
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    public mutating func int(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A number as `JSONEncoder` writes it: the shortest digits that read back the same, without a trailing `.0`
    /// (`1500`, `0.1`, `-0`, `1e+21`). JSON has no NaN or infinity (`JSONEncoder` throws for them): they come out as `null`.
    public mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        separate()
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// An ISO 8601 time with whole seconds, in UTC, as `JSONEncoder`'s `.iso8601` writes it: `2026-11-29T07:30:00Z`,
    /// the fraction of a second dropped (rounded down, also before 1970).
    public mutating func date(_ value: Date) {
        let interval = value.timeIntervalSinceReferenceDate
        // Between the Gregorian reform (1582-10-15) and the year 10000 the digits are computed here: formatting
        // was most of a lead's encoding time. Outside it Foundation's calendar is Julian, or the year has five digits.
        guard interval >= -13_197_600_000, interval < 252_423_993_600 else { return string(value.formatted(.iso8601)) }
        separate()
        let seconds = Int64(interval.rounded(.down)) + 978_307_200
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CalendarDay.civil(fromDays: days)
        bytes.append(UInt8(ascii: "\""))
        appendDigits(year, 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, 2)
        bytes.append(contentsOf: "Z\"".utf8)
    }

    /// `"key": value` for each present value; nil values are left out, as `JSONEncoder` does.
    public mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func field(_ name: String, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bool(value)
    }

    /// `"key": 42`, left out when nil.
    public mutating func field(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    /// `"key": 0.5`, left out when nil.
    public mutating func field(_ name: String, _ value: Double?) {
        guard let value else { return }
        key(name)
        double(value)
    }

    public mutating func field(_ name: String, _ value: Date?) {
        guard let value else { return }
        key(name)
        date(value)
    }

    /// A string-to-string object in key order: by UTF-8 bytes, as `JSONEncoder`'s `.sortedKeys` sorts them
    /// (not `String`'s `<`, which compares canonical equivalents: `é` and `e\u{301}` differ in bytes).
    public mutating func field(_ name: String, _ value: [String: String]) {
        key(name)
        beginObject()
        for (entryKey, entryValue) in value.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(entryKey)
            string(entryValue)
        }
        endObject()
    }

    /// A comma before a value or key, unless it opens its container, follows its key, or starts the document:
    /// the last byte written tells which (a stack of flags was a tenth of writing a lead).
    private mutating func separate() {
        switch bytes.last {
        case nil, UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: ":"): break
        default: bytes.append(UInt8(ascii: ","))
        }
    }

    /// `value` in exactly `width` decimal digits, zero-padded; `value` is not negative and fits.
    private mutating func appendDigits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// The string in quotes, escaped as `JSONEncoder` escapes it: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, the
    /// other controls below 0x20 as `\u00xx`; DEL, `/` and everything beyond ASCII as they are.
    private mutating func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        text.lendingUTF8 { utf8 in
            // Runs that need no escape (nearly all of a lead) are copied whole.
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                index &+= 1
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index &- 1]))
                runStart = index
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 15)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
