import Foundation
import Testing

import LeadGateSourceKit

/// What a record should come out as; a malformed one is matched by its line and a phrase of its message.
/// Internal because a test function takes it as an argument.
enum CSVExpectedRow: Sendable, CustomStringConvertible {
    case fields(Int, [String])
    case malformed(Int, containing: String)

    func matches(_ row: CSVRow) -> Bool {
        switch (self, row) {
        case (.fields(let line, let fields), .fields(let rowLine, let rowFields)): line == rowLine && fields == rowFields
        case (.malformed(let line, let phrase), .malformed(let rowLine, let message)): line == rowLine && message.contains(phrase)
        default: false
        }
    }

    var description: String {
        switch self {
        case .fields(let line, let fields): "\(line): \(fields)"
        case .malformed(let line, let phrase): "\(line): malformed …\(phrase)…"
        }
    }
}

private func readRows(_ bytes: [UInt8], chunkSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20) throws -> [CSVRow] {
    let reader = try CSVReader(bytes: bytes, chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    var rows: [CSVRow] = []
    while let row = try reader.next() { rows.append(row) }
    return rows
}

private func expectRows(_ rows: [CSVRow], _ expected: [CSVExpectedRow], chunkSize: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let matches = rows.count == expected.count && zip(expected, rows).allSatisfy { $0.matches($1) }
    #expect(matches, "chunk size \(chunkSize): got \(rows), expected \(expected)", sourceLocation: sourceLocation)
}

private let recordCases: [(name: String, input: String, expected: [CSVExpectedRow])] = [
    ("plain, trailing newline", "a,b\n1,2\n", [.fields(1, ["a", "b"]), .fields(2, ["1", "2"])]),
    ("no trailing newline", "a,b\n1,2", [.fields(1, ["a", "b"]), .fields(2, ["1", "2"])]),
    ("CRLF", "a,b\r\n1,2\r\n", [.fields(1, ["a", "b"]), .fields(2, ["1", "2"])]),
    ("CR only (old Mac Excel)", "a,b\r1,2\r3,4", [.fields(1, ["a", "b"]), .fields(2, ["1", "2"]), .fields(3, ["3", "4"])]),
    (
        "quotes, delimiters and doubled quotes inside quotes", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\"\",\"\"\"\"\n",
        [.fields(1, ["a", "b"]), .fields(2, ["x, y", "say \"hi\""]), .fields(3, ["", "\""])]
    ),
    (
        "line breaks inside quotes move the following line numbers", "h\n\"line1\nline2\"\nnext\n\"a\r\nb\rc\"\nlast",
        [.fields(1, ["h"]), .fields(2, ["line1\nline2"]), .fields(4, ["next"]), .fields(5, ["a\r\nb\rc"]), .fields(8, ["last"])]
    ),
    ("trailing delimiter", "a,b,\n1,2,\n3,4,", [.fields(1, ["a", "b", ""]), .fields(2, ["1", "2", ""]), .fields(3, ["3", "4", ""])]),
    (
        "empty lines skipped, counted", "\n\na,b\n\n1,2\n\r\n\n3,4\n\n",
        [.fields(3, ["a", "b"]), .fields(5, ["1", "2"]), .fields(8, ["3", "4"])]
    ),
    ("UTF-8 byte-order mark dropped", "\u{FEFF}id,שם\n1,דנה", [.fields(1, ["id", "שם"]), .fields(2, ["1", "דנה"])]),
    ("semicolons when the header has no comma", "a;b\n1,5;2\n", [.fields(1, ["a", "b"]), .fields(2, ["1,5", "2"])]),
    ("commas win over semicolons", "a,b;c\n1,2;3", [.fields(1, ["a", "b;c"]), .fields(2, ["1", "2;3"])]),
    ("tabs win a tie with commas", "a\tb,c\n1\t2,3", [.fields(1, ["a", "b,c"]), .fields(2, ["1", "2,3"])]),
    ("delimiters inside quoted header names are not counted", "\"a,b,c\"\tx\n1\t2", [.fields(1, ["a,b,c", "x"]), .fields(2, ["1", "2"])]),
    ("spaces are data", " a , b \n", [.fields(1, [" a ", " b "])]),
    ("one column", "email\nx@y.co\n\nz@y.co", [.fields(1, ["email"]), .fields(2, ["x@y.co"]), .fields(4, ["z@y.co"])]),
    (
        "Hebrew, Arabic, Russian and emoji intact", "שם,الاسم,имя\nדנה כהן,مرحبا,Привет 👋🏽",
        [.fields(1, ["שם", "الاسم", "имя"]), .fields(2, ["דנה כהן", "مرحبا", "Привет 👋🏽"])]
    ),
    (
        "a stray quote spoils its record only", "a,b\n1,x\"y\n3,4\n",
        [.fields(1, ["a", "b"]), .malformed(2, containing: "quote (\") inside an unquoted field"), .fields(3, ["3", "4"])]
    ),
    (
        "text after a closing quote", "a,b\n\"ab\"c,d\n5,6",
        [.fields(1, ["a", "b"]), .malformed(2, containing: "text after the closing quote"), .fields(3, ["5", "6"])]
    ),
    (
        "a problem deep in a multi-line record is placed", "a,b\n\"x\ny\",z\"w\n5,6",
        [.fields(1, ["a", "b"]), .malformed(2, containing: "(on line 3)"), .fields(4, ["5", "6"])]
    ),
    (
        "an unterminated quote swallows the rest, reported once", "a,b\n1,\"open\n2,3\n4,5\n",
        [.fields(1, ["a", "b"]), .malformed(2, containing: "the quote opened on line 2 is never closed (the rest of the file, to line 4")]
    ),
    ("a quote closed at the very end", "a,\"b\"", [.fields(1, ["a", "b"])]),
]

@Test(arguments: recordCases)
func readsRecords(name: String, input: String, expected: [CSVExpectedRow]) throws {
    // Every chunk size splits the input somewhere else: inside quotes, between CR and LF, inside a multi-byte character.
    for chunkSize in [1 << 20, 1, 2, 3, 5, 7, 16] {
        expectRows(try readRows(Array(input.utf8), chunkSize: chunkSize), expected, chunkSize: chunkSize)
    }
}

@Test(arguments: [
    (false, true, CSVEncoding.utf16LittleEndian), (true, true, .utf16BigEndian), (false, false, .utf16LittleEndian),
    (true, false, .utf16BigEndian),
])
func readsUTF16(bigEndian: Bool, mark: Bool, encoding: CSVEncoding) throws {
    let bytes = ImportSample.utf16(sampleUTF16Text, bigEndian: bigEndian, mark: mark)
    let expected: [CSVExpectedRow] = [
        .fields(1, ["full_name", "city", "note"]),
        .fields(2, ["דנה כהן", "תל אביב", "שלום"]),
        .fields(3, ["محمد", "حيفا", "مرحبا"]),
        .fields(4, ["Иван", "Хайфа", "emoji 👋🏽\nand a second line"]),
        .fields(6, ["\u{FEFF}zero-width", "no-break", "space"]),
    ]
    // Odd chunk sizes split code units; small ones split surrogate pairs.
    for chunkSize in [1 << 20, 1, 2, 3, 5, 7, 9] {
        let reader = try CSVReader(bytes: bytes, chunkSize: chunkSize)
        #expect(reader.encoding == encoding)
        #expect(reader.delimiter == .tab)
        var rows: [CSVRow] = []
        while let row = try reader.next() { rows.append(row) }
        expectRows(rows, expected, chunkSize: chunkSize)
        #expect(reader.bytesRead == bytes.count)
    }
}

/// As Meta's "Download leads" writes it: tab-separated, CRLF, a U+FEFF mid-file that must stay text.
private let sampleUTF16Text =
    "full_name\tcity\tnote\r\nדנה כהן\tתל אביב\tשלום\r\nمحمد\tحيفا\tمرحبا\r\nИван\tХайфа\t\"emoji 👋🏽\nand a second line\"\r\n"
    + "\u{FEFF}zero-width\tno-break\tspace\r\n"

@Test func invalidUTF8IsReportedPerRecord() throws {
    // windows-1255 "שלום" in a UTF-8 file: the row is reported, the next is read.
    let bytes = Array("name,city\n".utf8) + [0xF9, 0xEC, 0xE5, 0xED] + Array(",x\nדנה,y\n".utf8)
    let rows = try readRows(bytes)
    expectRows(
        rows, [.fields(1, ["name", "city"]), .malformed(2, containing: "not UTF-8"), .fields(3, ["דנה", "y"])], chunkSize: 1 << 20)
}

@Test func givenDelimiterIsUsed() throws {
    let reader = try CSVReader(bytes: Array("a\tb;c\n".utf8), delimiter: .semicolon)
    #expect(try reader.next() == .fields(line: 1, ["a\tb", "c"]))
}

@Test func emptyInputHasNoRecords() throws {
    for bytes in [[], [0xEF, 0xBB, 0xBF], Array("\n\r\n\n".utf8), [0xFF, 0xFE]] as [[UInt8]] {
        #expect(try readRows(bytes).isEmpty)
    }
}

@Test func recordOverTheLimitIsReportedOnceAndSkipped() throws {
    let closed = "a\n\"" + String(repeating: "x", count: 300) + "\"\nb\n"
    expectRows(
        try readRows(Array(closed.utf8), chunkSize: 16, maxRecordBytes: 64),
        [.fields(1, ["a"]), .malformed(2, containing: "longer than 64 bytes"), .fields(3, ["b"])], chunkSize: 16)
    let open = "a\n\"" + String(repeating: "x\n", count: 300)
    expectRows(
        try readRows(Array(open.utf8), chunkSize: 16, maxRecordBytes: 64),
        [.fields(1, ["a"]), .malformed(2, containing: "is the quote opened on line 2 ever closed?")], chunkSize: 16)
}

@Test func readsAFileInChunks() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-reader-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: url) }
    var text = "id,note\r\n"
    for index in 1...2000 { text += "\(index),\"multi\r\nline \(index)\"\r\n" }
    try Data(text.utf8).write(to: url)
    let reader = try CSVReader(path: url.path, chunkSize: 1000)
    var count = 0
    var last: CSVRow?
    while let row = try reader.next() {
        count += 1
        last = row
    }
    #expect(count == 2001)
    #expect(last == .fields(line: 4000, ["2000", "multi\r\nline 2000"]))
    #expect(reader.bytesRead == text.utf8.count)
}

@Test func missingFileIsAnError() {
    #expect(throws: CSVReadError.self) { try CSVReader(path: "/nonexistent/leads.csv") }
}
