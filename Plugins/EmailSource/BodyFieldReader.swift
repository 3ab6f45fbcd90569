import Foundation
import LeadGateCore

/// Reads the `Label: value` lines a form mailer writes (in English, Hebrew or any script) into raw fields
/// keyed by the label as written; the field map then says which label is which canonical field.
///
/// A line is a field when its label is short (at most 6 words, 48 characters), starts with a letter and holds
/// no sentence punctuation; `:`, a full-width `：` or a tab (table cells from HTML) separate it from the
/// value. A message-like field (`Message`, `הודעה`, ...) or a label with nothing after it takes the lines that
/// follow, up to the next field or a signature line (`-- `). Text counts as a form only with a label the field
/// map knows or at least three fields; anything else is a letter, not a form.
enum BodyFieldReader {
    /// The fields of `text`, or nil when it is not a form.
    static func fields(in text: String, fieldMap: FieldMap) -> [RawField]? {
        var fields: [(label: String, lines: [Substring], takes: Continuation)] = []
        var current: Int?
        var known = false
        for line in lines(of: text) {
            if isSignatureDelimiter(line) {
                current = nil
                continue
            }
            if let (label, value) = labelLine(line) {
                let field = fieldMap.canonicalField(for: label)
                known = known || field != nil
                let takes: Continuation = field == .message || isMessageLike(label) ? .paragraphs : (value.isEmpty ? .block : .nothing)
                fields.append((label, value.isEmpty ? [] : [value], takes))
                current = fields.count - 1
                continue
            }
            guard let index = current else { continue }
            let blank = fields[index].takes == .paragraphs || trimmed(line).isEmpty
            switch fields[index].takes {
            case .paragraphs:
                fields[index].lines.append(line)
            case .block where !blank:
                fields[index].lines.append(line)
            case .block, .nothing:
                current = nil
            }
        }
        guard known || fields.count >= 3 else { return nil }
        return fields.map { RawField($0.label, joined($0.lines)) }
    }

    /// What the lines after a field's line belong to.
    private enum Continuation {
        /// Every line, blank ones included: a message.
        case paragraphs
        /// The lines up to a blank one: a value written under its label.
        case block
        case nothing
    }

    /// The lines of `text`, split at LF bytes (grapheme breaking is the slow part of reading a body); a CR left at
    /// a line's end is trimmed like any other whitespace.
    private static func lines(of text: String) -> [Substring] {
        var text = text
        let offsets = text.withUTF8 { bytes in bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") } }
        let utf8 = text.utf8
        var lines: [Substring] = []
        lines.reserveCapacity(offsets.count + 1)
        var start = utf8.startIndex
        var startOffset = 0
        for offset in offsets {
            let end = utf8.index(start, offsetBy: offset - startOffset)
            lines.append(text[start..<end])
            start = utf8.index(after: end)
            startOffset = offset + 1
        }
        lines.append(text[start...])
        return lines
    }

    /// Label and value of a field line, or nil.
    static func labelLine(_ line: Substring) -> (label: String, value: Substring)? {
        // Most lines of a letter have no separator at all: a byte scan rules them out (0xEF starts the full-width colon).
        guard line.utf8.contains(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "\t") || $0 == 0xEF }) else { return nil }
        var text = trimmed(line)
        // Bullets and quote marks of replies and forwarded mail.
        while let first = text.unicodeScalars.first, "-*•·>–".unicodeScalars.contains(first) {
            let rest = text.unicodeScalars.dropFirst()
            guard first == ">" || rest.first == " " || rest.first == "*" else { break }
            text = trimmed(Substring(rest))
        }
        guard let (separator, after) = separator(in: text) else { return nil }
        var label = text[..<separator]
        // Markdown bold (`**Name**:`) and required markers (`Name*:`).
        while let last = label.unicodeScalars.last, last == "*" || last == "_" || isPadding(last) { label = Substring(label.unicodeScalars.dropLast()) }
        while let first = label.unicodeScalars.first, first == "*" || first == "_" { label = Substring(label.unicodeScalars.dropFirst()) }
        var value = trimmed(text[after...])
        if text.utf8[separator] == UInt8(ascii: "\t"), value.utf8.first == UInt8(ascii: ":") { value = trimmed(value.dropFirst()) }
        guard isLabel(label), !value.hasPrefix("//") else { return nil }
        return (String(label), value)
    }

    /// Where the first separator starts and where what follows it starts: `:` (but not between digits, a time
    /// like `10:30`), a tab, or the full-width `：`.
    private static func separator(in text: Substring) -> (String.Index, String.Index)? {
        let utf8 = text.utf8
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            switch byte {
            case UInt8(ascii: "\t"):
                return (index, next)
            case UInt8(ascii: ":"):
                let betweenDigits = isDigit(previous) && next < utf8.endIndex && isDigit(utf8[next])
                if !betweenDigits { return (index, next) }
            case 0xEF where utf8[next...].starts(with: [0xBC, 0x9A]):
                return (index, utf8.index(next, offsetBy: 2))
            default:
                break
            }
            previous = byte
            index = next
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLabel(_ label: Substring) -> Bool {
        let scalars = label.unicodeScalars
        guard let first = scalars.first, first.properties.isAlphabetic, scalars.count <= 48 else { return false }
        guard label.utf8.filter({ $0 == UInt8(ascii: " ") }).count < 6 else { return false }
        guard label.utf8.count > 6 || !["http", "https", "ftp", "mailto", "cid", "data", "file"].contains(label.lowercased()) else { return false }
        return scalars.allSatisfy { scalar in
            if scalar.isASCII { return labelASCII[Int(scalar.value)] }
            let properties = scalar.properties
            return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
                || scalar == "״" || scalar == "׳"
        }
    }

    /// ASCII allowed in a label: letters, digits, and the punctuation labels use (`E-mail`, `דוא"ל`, `Company (optional)`).
    private static let labelASCII: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_'\"/.()&#?+".utf8 { table[Int(byte)] = true }
        return table
    }()

    private static let messageWords = [
        "message", "comment", "enquiry", "inquiry", "question", "הודעה", "הערות", "הערה", "פנייה", "פניה", "תוכן", "שאלה",
    ].map { Array($0.utf8) }

    /// Whether the label names free text. A byte search: the labels are short, and the library searchers cost
    /// more to set up than this costs to run.
    private static func isMessageLike(_ label: String) -> Bool {
        let folded = Array(label.lowercased().utf8)
        return messageWords.contains { word in
            folded.count >= word.count && (0...(folded.count - word.count)).contains { folded[$0..<($0 + word.count)].elementsEqual(word) }
        }
    }

    /// `-- ` (RFC 3676 §4.3) and the bare `--`, `__`, `—` lines that form footers start with.
    private static func isSignatureDelimiter(_ line: Substring) -> Bool {
        // 0xE2 starts the dash '—'; other lines are ruled out by their first byte.
        guard let first = line.utf8.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }),
            first == UInt8(ascii: "-") || first == UInt8(ascii: "_") || first == 0xE2
        else { return false }
        let text = trimmed(line)
        return text == "--" || text == "—" || (text.utf8.count >= 2 && text.utf8.allSatisfy { $0 == UInt8(ascii: "_") })
    }

    /// The lines of a value joined, without blank lines before or after.
    private static func joined(_ lines: [Substring]) -> String {
        var lines = lines.map(trimmed)[...]
        while lines.first?.isEmpty == true { lines = lines.dropFirst() }
        while lines.last?.isEmpty == true { lines = lines.dropLast() }
        return lines.joined(separator: "\n")
    }

    /// Whitespace and bidirectional marks (Hebrew mail is full of them) trimmed from both ends.
    static func trimmed(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isPadding($0) }), let last = scalars.lastIndex(where: { !isPadding($0) }) else { return "" }
        return Substring(scalars[start...last])
    }

    private static func isPadding(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" || scalar == "\u{0B}" || scalar == "\u{0C}" }
        return scalar.properties.isWhitespace || bidiControls.contains(scalar.value)
    }

    private static let bidiControls: Set<UInt32> = [0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF]
}
