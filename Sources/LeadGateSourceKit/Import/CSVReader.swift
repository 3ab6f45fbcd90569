import Foundation

/// The character between the fields of a CSV record.
public enum CSVDelimiter: UInt8, Sendable, Hashable, CaseIterable {
    case comma = 0x2C
    /// Meta's "Download leads" files and Excel's "Unicode text".
    case tab = 0x09
    /// Excel's "CSV" in locales whose decimal separator is a comma.
    case semicolon = 0x3B
}

/// One record of a CSV file, or why it could not be read.
public enum CSVRow: Sendable, Hashable {
    /// The fields of a record that starts on physical line `line` (1-based).
    case fields(line: Int, [String])
    /// A record that breaks the format; reading goes on with the next one.
    case malformed(line: Int, message: String)
}

/// Reads CSV records one at a time (RFC 4180), from a file of any size in constant memory.
///
/// Quoted fields may hold delimiters, `""` and line breaks; records end at CRLF, LF or a lone CR, the last one
/// with or without a line break. Empty lines are skipped. Text is UTF-8 (a byte-order mark is dropped) or UTF-16
/// with or without a byte-order mark, converted to UTF-8 a chunk at a time. Without `delimiter`, the header line
/// decides: a tab when it has at least as many tabs as commas, else a comma, else a semicolon when it has one.
///
/// A malformed record (a stray quote inside an unquoted field, text after a closing quote, bytes that are not
/// UTF-8, a record longer than `maxRecordBytes`) comes out as `.malformed` with its line, and reading goes on. A
/// quote left open swallows the rest of the file: it is reported once, at the line where its record starts.
/// The reader holds the current chunk and the current record, never the file.
public final class CSVReader {
    /// The encoding the file was found in.
    public let encoding: CSVEncoding
    /// The delimiter given or found in the header line.
    public let delimiter: CSVDelimiter
    private let text: CSVTextInput
    private let maxRecordBytes: Int
    private var buffer: [UInt8] = []
    private var scanner: CSVScanner
    private var ended = false

    /// Bytes of the file read so far, for a progress bar (the reader reads one chunk ahead).
    public var bytesRead: Int { text.bytesRead }

    /// Reads the file at `path`, `chunkSize` bytes at a time. Throws when it cannot be opened or read.
    public convenience init(
        path: String, delimiter: CSVDelimiter? = nil, chunkSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20
    ) throws(CSVReadError) {
        try self.init(ByteInput(path: path, chunkSize: chunkSize), delimiter: delimiter, maxRecordBytes: maxRecordBytes)
    }

    /// Reads `bytes`, handed to the parser `chunkSize` at a time as a file would be.
    public convenience init(
        bytes: [UInt8], delimiter: CSVDelimiter? = nil, chunkSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20
    ) throws(CSVReadError) {
        try self.init(ByteInput(bytes: bytes, chunkSize: chunkSize), delimiter: delimiter, maxRecordBytes: maxRecordBytes)
    }

    private init(_ input: ByteInput, delimiter: CSVDelimiter?, maxRecordBytes: Int) throws(CSVReadError) {
        text = try CSVTextInput(input)
        encoding = text.encoding
        self.maxRecordBytes = max(maxRecordBytes, 1)
        if let delimiter {
            self.delimiter = delimiter
        } else {
            self.delimiter = try Self.detectDelimiter(text, buffer: &buffer, limit: self.maxRecordBytes)
        }
        scanner = CSVScanner(delimiter: self.delimiter.rawValue)
    }

    /// Counts tabs, commas and semicolons outside quotes on the first non-empty line.
    private static func detectDelimiter(_ text: CSVTextInput, buffer: inout [UInt8], limit: Int) throws(CSVReadError) -> CSVDelimiter {
        var counts: [UInt8: Int] = [:]
        var quoted = false
        var index = 0
        var sawText = false
        scan: while true {
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if !quoted, byte == CSVScanner.lineFeed || byte == CSVScanner.carriageReturn {
                    // Leading empty lines are skipped by the reader too.
                    if sawText { break scan }
                    continue
                }
                if byte == CSVScanner.quote {
                    quoted.toggle()
                } else if !quoted, byte == 0x09 || byte == 0x2C || byte == 0x3B {
                    counts[byte, default: 0] += 1
                }
                sawText = true
            }
            guard index < limit, try text.read(into: &buffer) else { break }
        }
        let tabs = counts[0x09] ?? 0
        let commas = counts[0x2C] ?? 0
        if tabs > 0, tabs >= commas { return .tab }
        if commas == 0, counts[0x3B] != nil { return .semicolon }
        return .comma
    }

    /// The next record, or nil at the end of the file. Throws only when the file cannot be read.
    public func next() throws(CSVReadError) -> CSVRow? {
        while !ended {
            let outcome = buffer.withUnsafeBufferPointer { scanner.scan($0) }
            switch outcome {
            case .record:
                let row = scanner.skipping ? nil : buffer.withUnsafeBufferPointer { scanner.row(in: $0) }
                scanner.beginRecord()
                if let row { return row }
            case .needMore:
                var tooLong: CSVRow?
                if !scanner.skipping, scanner.position - scanner.recordStart > maxRecordBytes {
                    tooLong = .malformed(line: scanner.recordLine, message: scanner.tooLongMessage(limit: maxRecordBytes))
                    scanner.skipping = true
                }
                // Drop what is done with. A record being skipped keeps only the byte before the scan position, which
                // tells whether an LF inside quotes follows a CR.
                let consumed = scanner.skipping ? max(scanner.position - 1, 0) : scanner.recordStart
                if consumed > 0 {
                    buffer.removeSubrange(0..<consumed)
                    scanner.shift(by: consumed)
                }
                if try !text.read(into: &buffer) {
                    ended = true
                    let last = buffer.withUnsafeBufferPointer { scanner.finish(in: $0) }
                    return tooLong ?? last
                }
                if let tooLong { return tooLong }
            }
        }
        return nil
    }
}

/// The RFC 4180 state machine over the reader's buffer. Indices are into that buffer; `shift(by:)` moves them
/// when the reader drops the bytes before the current record.
struct CSVScanner {
    static let quote: UInt8 = 0x22
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D

    enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted, afterQuoted
    }

    enum Outcome {
        case record, needMore
    }

    /// A field's bytes; `escaped` when it holds `""` pairs to fold.
    struct Span {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    let delimiter: UInt8
    private(set) var recordStart = 0
    private(set) var position = 0
    private var fieldStart = 0
    private var quotedEnd = 0
    private var escaped = false
    private var state = State.fieldStart
    private var spans: [Span] = []
    private var problem: String?
    /// The physical line at `position`, and where the current record and its open quote started.
    private var line = 1
    private(set) var recordLine = 1
    private var quoteLine = 1
    /// A CR ended the last record at the end of the buffer: an LF next is part of that line break.
    private var skipLineFeed = false
    /// The record is over the size limit and already reported: scanned to its end, not kept.
    var skipping = false

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    mutating func beginRecord() {
        recordStart = position
        recordLine = line
        spans.removeAll(keepingCapacity: true)
        state = .fieldStart
        problem = nil
        skipping = false
    }

    mutating func shift(by offset: Int) {
        recordStart -= offset
        position -= offset
        fieldStart -= offset
        quotedEnd -= offset
        for index in spans.indices {
            spans[index].start -= offset
            spans[index].end -= offset
        }
    }

    /// Scans from `position` to the end of the current record (`.record`, `position` past its line break) or
    /// of the buffer (`.needMore`).
    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        let end = bytes.count
        var index = position
        defer { position = index }
        if skipLineFeed {
            guard index < end else { return .needMore }
            if bytes[index] == Self.lineFeed {
                index += 1
                recordStart = index
            }
            skipLineFeed = false
        }
        let delimiter = self.delimiter
        while index < end {
            switch state {
            case .fieldStart:
                if bytes[index] == Self.quote {
                    index += 1
                    fieldStart = index
                    escaped = false
                    quoteLine = line
                    state = .quoted
                    continue
                }
                fieldStart = index
                state = .unquoted
                fallthrough
            case .unquoted:
                var byte: UInt8 = 0
                while index < end {
                    byte = bytes[index]
                    // Letters and most text are above ';', the highest byte that can end an unquoted field.
                    if byte > 0x3B || (byte != delimiter && byte != Self.lineFeed && byte != Self.carriageReturn && byte != Self.quote) {
                        index += 1
                    } else {
                        break
                    }
                }
                guard index < end else { return .needMore }
                if byte == delimiter {
                    addField(Span(start: fieldStart, end: index, escaped: false))
                    index += 1
                    state = .fieldStart
                } else if byte == Self.quote {
                    note("a quote (\") inside an unquoted field; a field with quotes must be quoted whole, its quotes doubled")
                    index += 1
                } else {
                    addField(Span(start: fieldStart, end: index, escaped: false))
                    index = endLine(bytes, at: index)
                    return .record
                }
            case .quoted:
                while index < end {
                    let byte = bytes[index]
                    if byte == Self.quote { break }
                    // A line break inside quotes is text, but it still starts a new physical line.
                    if byte == Self.carriageReturn || (byte == Self.lineFeed && bytes[index - 1] != Self.carriageReturn) { line += 1 }
                    index += 1
                }
                guard index < end else { return .needMore }
                index += 1
                state = .quoteInQuoted
            case .quoteInQuoted:
                if bytes[index] == Self.quote {
                    escaped = true
                    index += 1
                    state = .quoted
                } else {
                    quotedEnd = index - 1
                    state = .afterQuoted
                }
            case .afterQuoted:
                let byte = bytes[index]
                if byte == delimiter {
                    addField(Span(start: fieldStart, end: quotedEnd, escaped: escaped))
                    index += 1
                    state = .fieldStart
                } else if byte == Self.lineFeed || byte == Self.carriageReturn {
                    addField(Span(start: fieldStart, end: quotedEnd, escaped: escaped))
                    index = endLine(bytes, at: index)
                    return .record
                } else {
                    note("text after the closing quote of a field")
                    state = .unquoted
                }
            }
        }
        return .needMore
    }

    /// The end of the input: the last record, if one is open. Nil when the file ended with a line break.
    mutating func finish(in bytes: UnsafeBufferPointer<UInt8>) -> CSVRow? {
        guard !skipping else { return nil }
        switch state {
        case .fieldStart:
            if spans.isEmpty { return nil }
            addField(Span(start: position, end: position, escaped: false))
        case .unquoted:
            addField(Span(start: fieldStart, end: position, escaped: false))
        case .quoteInQuoted:
            addField(Span(start: fieldStart, end: position - 1, escaped: escaped))
        case .afterQuoted:
            addField(Span(start: fieldStart, end: quotedEnd, escaped: escaped))
        case .quoted:
            let endsWithBreak = position > 0 && (bytes[position - 1] == Self.lineFeed || bytes[position - 1] == Self.carriageReturn)
            let lastLine = endsWithBreak ? line - 1 : line
            let rest = lastLine == quoteLine ? "" : " (the rest of the file, to line \(lastLine), was read as one field)"
            return .malformed(line: recordLine, message: "the quote opened on line \(quoteLine) is never closed\(rest)")
        }
        state = .fieldStart
        return row(in: bytes)
    }

    func tooLongMessage(limit: Int) -> String {
        let hint = state == .quoted ? "; is the quote opened on line \(quoteLine) ever closed?" : ""
        return "the record is longer than \(limit) bytes\(hint)"
    }

    /// The finished record as text; nil for an empty line.
    func row(in bytes: UnsafeBufferPointer<UInt8>) -> CSVRow? {
        if let problem { return .malformed(line: recordLine, message: problem) }
        if spans.count == 1, spans[0].start == spans[0].end { return nil }
        var fields: [String] = []
        fields.reserveCapacity(spans.count)
        for span in spans {
            let text: String?
            if span.escaped {
                var unescaped: [UInt8] = []
                unescaped.reserveCapacity(span.end - span.start)
                var index = span.start
                while index < span.end {
                    let byte = bytes[index]
                    unescaped.append(byte)
                    index += byte == Self.quote ? 2 : 1
                }
                text = String(validating: unescaped, as: UTF8.self)
            } else {
                let field = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
                // ASCII needs no validation; String(validating:) is not specialized and costs a metadata lookup per call.
                text = field.reduce(0, |) < 0x80 ? String(decoding: field, as: UTF8.self) : String(validating: field, as: UTF8.self)
            }
            guard let text else {
                return .malformed(
                    line: recordLine,
                    message: "field \(fields.count + 1) is not UTF-8 text (was the file saved in a legacy code page such as "
                        + "windows-1255? Save it as \"CSV UTF-8\")")
            }
            fields.append(text)
        }
        return .fields(line: recordLine, fields)
    }

    private mutating func addField(_ span: Span) {
        if !skipping { spans.append(span) }
    }

    /// Keeps the first problem of a record; says where when the record spans several lines.
    private mutating func note(_ message: String) {
        guard problem == nil else { return }
        problem = line == recordLine ? message : "\(message) (on line \(line))"
    }

    /// Steps over the line break at `index` (CRLF, LF or CR) and counts the line.
    private mutating func endLine(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        line += 1
        guard bytes[index] == Self.carriageReturn else { return index + 1 }
        if index + 1 < bytes.count {
            return bytes[index + 1] == Self.lineFeed ? index + 2 : index + 1
        }
        skipLineFeed = true
        return index + 1
    }
}
