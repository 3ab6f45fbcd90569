import Foundation
import LeadGateCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The header fields of one MIME entity (RFC 5322 §2.2), read over the message's own byte buffer: a field
/// keeps the range of its value, and values are unfolded and decoded only when asked for.
public struct MIMEHeaders: Sendable {
    /// One header field: its name as written and where its value lies in the buffer (continuation lines included).
    public struct Field: Sendable, Hashable {
        public let name: String
        public let valueRange: Range<Int>
    }

    /// The fields in the order written.
    public let fields: [Field]
    let bytes: [UInt8]

    init(bytes: [UInt8], fields: [Field]) {
        self.bytes = bytes
        self.fields = fields
    }

    /// No fields at all.
    public static let empty = MIMEHeaders(bytes: [], fields: [])

    /// Parses a header block on its own (SendGrid's `headers` field, say); reading stops at the first blank line.
    public init(parsing bytes: [UInt8]) {
        let block = bytes.withUnsafeBufferPointer { buffer in
            MIMEHeaders.parseBlock(buffer, from: 0, to: buffer.count, maxFields: MIMELimits().maxHeaderFields) { _ in false }
        }
        self.init(bytes: bytes, fields: block.fields)
    }

    /// Whether a field called `name` is present (names ignore case).
    public func contains(_ name: String) -> Bool {
        fields.contains { UnicodeText.equalsIgnoringASCIICase($0.name, name) }
    }

    /// The first value of `name`, unfolded and trimmed, with encoded words left as they are. Raw 8-bit bytes
    /// (RFC 6532) are read as UTF-8, or in `fallback` (default windows-1252) when they are not valid UTF-8.
    public func rawValue(_ name: String, fallback: Charset? = nil) -> String? {
        field(named: name).map { rawValue(of: $0, fallback: fallback) }
    }

    /// Every value of `name`, in order, as `rawValue` reads them.
    public func rawValues(_ name: String, fallback: Charset? = nil) -> [String] {
        fields.filter { UnicodeText.equalsIgnoringASCIICase($0.name, name) }.map { rawValue(of: $0, fallback: fallback) }
    }

    /// The first value of `name` as text: unfolded, trimmed and with RFC 2047 encoded words decoded. For
    /// unstructured fields such as `Subject`; parse address fields from `rawValue` with `MIMEMailbox`.
    public func text(_ name: String, fallback: Charset? = nil) -> DecodedText? {
        rawValue(name, fallback: fallback).map(MIMEEncodedWord.decode)
    }

    /// `field`'s value: line breaks of folding removed, surrounding whitespace trimmed.
    public func rawValue(of field: Field, fallback: Charset? = nil) -> String {
        rawValue(of: field) { fallback }
    }

    /// The first field called `name`.
    func field(named name: String) -> Field? {
        fields.first { UnicodeText.equalsIgnoringASCIICase($0.name, name) }
    }

    /// As `rawValue(of:fallback:)`, asking for the fallback only when the bytes need one.
    func rawValue(of field: Field, fallback: () -> Charset?) -> String {
        var unfolded: [UInt8] = []
        unfolded.reserveCapacity(field.valueRange.count)
        var isASCII = true
        for byte in bytes[field.valueRange] where byte != MIMEByte.cr && byte != MIMEByte.lf {
            unfolded.append(byte)
            if byte >= 0x80 { isASCII = false }
        }
        let start = unfolded.firstIndex { !MIMEByte.isBlank($0) } ?? unfolded.endIndex
        let end = (unfolded.lastIndex { !MIMEByte.isBlank($0) }).map { $0 + 1 } ?? start
        let trimmed = unfolded[start..<max(start, end)]
        if isASCII { return String(decoding: trimmed, as: UTF8.self) }
        if let text = String(validating: trimmed, as: UTF8.self) { return text }
        let charset = fallback() ?? MIMEByte.westernFallback
        return (try? charset.decode(trimmed, mode: .lenient).text) ?? String(decoding: trimmed, as: UTF8.self)
    }
}

/// Why a header block stopped.
enum MIMEHeaderEnding {
    /// At the blank line before the body.
    case blankLine
    /// At a line that is neither a field nor a continuation: the body starts there.
    case missingBlankLine
    /// At a boundary delimiter line: the part has no body.
    case delimiter
    /// At the end of the input.
    case endOfInput
}

/// A parsed header block and where the body after it starts.
struct MIMEHeaderBlock {
    var fields: [MIMEHeaders.Field]
    var bodyStart: Int
    var ending: MIMEHeaderEnding
    /// Fields past the limit were left out.
    var truncated: Bool
}

extension MIMEHeaders {
    /// Reads header fields from `start` up to the blank line (RFC 5322 §2.1), a line that is not a field, or a line
    /// for which `isDelimiter` holds. CRLF and bare LF both end lines; continuation lines start with space or tab.
    static func parseBlock(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, maxFields: Int, isDelimiter: (Int) -> Bool
    ) -> MIMEHeaderBlock {
        var fields: [Field] = []
        var truncated = false
        var current: (name: String, valueStart: Int, valueEnd: Int)?
        func flush() {
            guard let field = current else { return }
            current = nil
            if fields.count < maxFields {
                fields.append(Field(name: field.name, valueRange: field.valueStart..<field.valueEnd))
            } else {
                truncated = true
            }
        }

        var lineStart = start
        while lineStart < end {
            let lineEnd = MIMEByte.lineEnd(buffer, from: lineStart, to: end)
            var contentEnd = lineEnd
            if contentEnd > lineStart, buffer[contentEnd - 1] == MIMEByte.cr { contentEnd -= 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            if contentEnd == lineStart {
                flush()
                return MIMEHeaderBlock(fields: fields, bodyStart: next, ending: .blankLine, truncated: truncated)
            }
            let first = buffer[lineStart]
            if first == MIMEByte.dash, isDelimiter(lineStart) {
                flush()
                return MIMEHeaderBlock(fields: fields, bodyStart: lineStart, ending: .delimiter, truncated: truncated)
            }
            if MIMEByte.isBlank(first), current != nil {
                current?.valueEnd = contentEnd
                lineStart = next
                continue
            }
            var nameEnd = lineStart
            while nameEnd < contentEnd, MIMEByte.isFieldNameByte(buffer[nameEnd]) { nameEnd += 1 }
            var colon = nameEnd
            // RFC 5322 §4.5.1 (obsolete syntax): whitespace between the name and the colon.
            while colon < contentEnd, MIMEByte.isBlank(buffer[colon]) { colon += 1 }
            guard nameEnd > lineStart, colon < contentEnd, buffer[colon] == MIMEByte.colon else {
                flush()
                return MIMEHeaderBlock(fields: fields, bodyStart: lineStart, ending: .missingBlankLine, truncated: truncated)
            }
            flush()
            let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[lineStart..<nameEnd]), as: UTF8.self)
            current = (name, colon + 1, contentEnd)
            lineStart = next
        }
        flush()
        return MIMEHeaderBlock(fields: fields, bodyStart: end, ending: .endOfInput, truncated: truncated)
    }
}

/// Byte constants and scans shared by the MIME readers.
enum MIMEByte {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let dash = UInt8(ascii: "-")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")

    /// What 8-bit text with no usable charset label is read as: Latin-1's superset, which decodes any byte.
    static let westernFallback = Charset(label: "windows-1252") ?? .utf8

    static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Field names as written in practice: RFC 7230 token characters. RFC 5322 also allows `{`, `"`, `@` and
    /// the like, which no mailer uses and which would let `{"json": 1}` pass for a header.
    static func isFieldNameByte(_ byte: UInt8) -> Bool { fieldNameBytes[Int(byte)] }

    private static let fieldNameBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// The index of the next LF at or after `from`, or `end` when there is none (memchr: this is the hot loop).
    @inline(__always)
    static func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Int {
        guard from < end, let base = buffer.baseAddress else { return end }
        guard let found = memchr(base + from, Int32(lf), end - from) else { return end }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
