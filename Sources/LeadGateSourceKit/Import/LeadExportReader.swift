import Foundation
import LeadGateCore

/// How to read a lead export.
public struct LeadExportOptions: Sendable {
    /// Whose export the file is; nil to tell from its header row.
    public var platform: ExportPlatform?
    /// The zone of times written without an offset (what a spreadsheet leaves of `created_time`).
    public var timeZone: TimeZone
    /// Read `3/1/2026` as 3 January rather than 1 March (spreadsheets in day-first locales).
    public var dayFirst: Bool
    /// The `receivedAt` of rows that carry no time of their own (no time column, or an empty cell).
    public var importedAt: Date

    /// Options with the import's own time, which is the caller's clock (tests pass a fixed one).
    public init(importedAt: Date, platform: ExportPlatform? = nil, timeZone: TimeZone = .gmt, dayFirst: Bool = false) {
        self.platform = platform
        self.timeZone = timeZone
        self.dayFirst = dayFirst
        self.importedAt = importedAt
    }
}

/// One data row of a lead export, by the physical line (1-based) where it starts.
public enum ExportRow: Sendable, Hashable {
    /// A lead to put through the pipeline.
    case draft(line: Int, LeadDraft)
    /// A row that yields no lead, and why; the rows after it are still read.
    case problem(line: Int, message: String)
}

/// Turns the CSV lead export of an ad platform (Meta, Google Ads, LinkedIn) or any CSV of leads into drafts,
/// one row at a time, so that a file of a million rows is read in constant memory.
///
/// ```swift
/// let reader = try LeadExportReader(try CSVReader(path: file), options: LeadExportOptions(importedAt: now))
/// while let row = try reader.next() {
///     switch row {
///     case .draft(let line, let draft): ...      // into the pipeline; `reader.bytesRead` for progress
///     case .problem(let line, let message): ...  // report "file:line: message", go on
///     }
/// }
/// ```
/// The first record is the header. Each data row becomes a `LeadDraft` with the platform's lead id as
/// `externalID` (ids stay text, every digit kept), its submission time as `receivedAt`, its test flag as `isTest`,
/// and every other non-blank cell as a `RawField` keyed as the platform's webhook or API path keys it (see
/// `ExportColumns`), so that the source's field map reads both alike. Rows whose cells are all blank (spreadsheets
/// leave them) are skipped. A problem row is: a malformed CSV record, a row with more non-blank cells than the
/// header has columns, a time that cannot be read, or a row with nothing but its id, time or test flag.
public final class LeadExportReader {
    /// The CSV being read.
    public let csv: CSVReader
    /// The platform given, or the one the header looks like.
    public let platform: ExportPlatform
    /// The header row as written, trimmed (a stray byte-order mark removed).
    public let header: [String]
    private let columns: [ExportColumn]
    private let options: LeadExportOptions

    /// Bytes of the file read so far, for a progress bar.
    public var bytesRead: Int { csv.bytesRead }

    /// Reads the header row. Throws when the file cannot be read, is empty, or its header row is malformed.
    public init(_ csv: CSVReader, options: LeadExportOptions) throws(CSVReadError) {
        self.csv = csv
        self.options = options
        switch try csv.next() {
        case nil:
            throw CSVReadError("the file is empty: a header row naming the columns was expected")
        case .malformed(let line, let message)?:
            throw CSVReadError("the header row (line \(line)) is malformed: \(message)")
        case .fields(_, let names)?:
            header = names.map { UnicodeText.trimmed($0.replacingOccurrences(of: "\u{FEFF}", with: "")) }
        }
        platform = options.platform ?? ExportPlatform.detect(header: header)
        columns = ExportColumns.columns(of: header, platform: platform)
    }

    /// The next data row, or nil at the end of the file. Throws only when the file cannot be read.
    public func next() throws(CSVReadError) -> ExportRow? {
        while let row = try csv.next() {
            switch row {
            case .malformed(let line, let message):
                return .problem(line: line, message: message)
            case .fields(let line, let values):
                if let result = exportRow(line: line, values: values) { return result }
            }
        }
        return nil
    }

    /// The row's draft or problem; nil for a row of blank cells.
    private func exportRow(line: Int, values: [String]) -> ExportRow? {
        if values.count > columns.count, let last = values.lastIndex(where: { !Self.isBlank($0) }), last >= columns.count {
            return .problem(line: line, message: "the row has \(last + 1) fields but the header has \(columns.count) columns")
        }
        var fields: [RawField] = []
        var externalID: String?
        var receivedAt: Date?
        var isTest = false
        var blank = true
        for (value, column) in zip(values, columns) where !Self.isBlank(value) {
            blank = false
            switch column.role {
            case .field(let key):
                fields.append(RawField(key, ExportColumns.clean(value, as: column.form)))
            case .externalID:
                externalID = ExportColumns.clean(Self.trimmed(value), as: column.form)
            case .isTest:
                isTest = JSONText(Self.trimmed(value)).isTrue
            case .submittedAt:
                guard let date = ExportDate.parse(Self.trimmed(value), timeZone: options.timeZone, dayFirst: options.dayFirst) else {
                    return .problem(
                        line: line,
                        message: "\(column.header) '\(value)' is not a date LeadGate reads (such as 2026-03-01T10:15:30+0200 or 3/1/2026 10:15)")
                }
                receivedAt = date
            }
        }
        if blank { return nil }
        guard !fields.isEmpty else {
            return .problem(line: line, message: "the row has no answers or attribution, only its id, time or test flag")
        }
        return .draft(line: line, LeadDraft(fields: fields, externalID: externalID, receivedAt: receivedAt ?? options.importedAt, isTest: isTest))
    }

    /// Ids and times are usually ASCII without spaces around them, which need no Unicode tables either.
    private static func trimmed(_ value: String) -> String {
        guard let first = value.utf8.first, let last = value.utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 else {
            return UnicodeText.trimmed(value)
        }
        return value
    }

    /// Blank cells are common (every unanswered question); ASCII text is told apart without Unicode tables.
    private static func isBlank(_ value: String) -> Bool {
        guard let first = value.utf8.first else { return true }
        if first > 0x20, first < 0x80 { return false }
        return UnicodeText.isBlank(value)
    }
}
