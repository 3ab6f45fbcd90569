import Foundation
import LeadGateCore
import LeadGateSourceKit
import LeadGateStore

/// What an import did, row by row.
public struct ImportSummary: Sendable {
    /// Data rows read (the header not counted).
    public var rows = 0
    /// New leads.
    public var created = 0
    /// Rows that were a new touch of a person already known.
    public var merged = 0
    /// Rows already imported or received (same id, or same content in the source's window).
    public var duplicates = 0
    /// Rows stored as rejected leads, by reason.
    public var rejected: [String: Int] = [:]
    /// Rows that could not be read, with their line numbers (the first `problemLimit` kept; all counted).
    public var problems: [(line: Int, message: String)] = []
    public var problemCount = 0
    static let problemLimit = 1000

    mutating func add(_ outcomes: [DraftOutcome]) {
        for outcome in outcomes {
            switch outcome.kind {
            case .created: created += 1
            case .touched: merged += 1
            case .replay: duplicates += 1
            }
            if outcome.kind != .replay, outcome.status == .rejected {
                rejected[outcome.rejectReason ?? "rejected", default: 0] += 1
            }
        }
    }
}

/// `leadgate import`: an ad platform's CSV export of leads through the same pipeline as live traffic (normalize,
/// dedupe, qualify, assign, commit), each lead dated by the platform's creation time. Rows go in batches, a few
/// batches in flight so normalization runs on every core while the writer commits; a row that cannot be read is
/// reported with its line number and the import goes on.
public struct CSVImporter: Sendable {
    public let pipeline: IntakePipeline
    public let source: ConfiguredSource
    public var batchSize = 500
    public var batchesInFlight = 4

    public init(pipeline: IntakePipeline, source: ConfiguredSource) {
        self.pipeline = pipeline
        self.source = source
    }

    /// Imports `path`; `progress` is called with the bytes read so far after each batch.
    public func run(path: String, options: LeadExportOptions, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> ImportSummary {
        let reader = try LeadExportReader(CSVReader(path: path), options: options)
        let request = InboundRequest(method: "IMPORT", path: path, headers: [("Content-Type", "text/csv")], receivedAt: options.importedAt)
        var summary = ImportSummary()
        try await withThrowingTaskGroup(of: [DraftOutcome].self) { group in
            var inFlight = 0
            var batch: [LeadDraft] = []
            batch.reserveCapacity(batchSize)
            func submit() async throws {
                if inFlight == batchesInFlight, let outcomes = try await group.next() {
                    summary.add(outcomes)
                    inFlight -= 1
                }
                let drafts = batch
                group.addTask { try await pipeline.process(drafts, from: source, request: request) }
                inFlight += 1
                batch.removeAll(keepingCapacity: true)
                progress(reader.bytesRead)
            }
            while let row = try reader.next() {
                switch row {
                case .draft(let line, var draft):
                    summary.rows += 1
                    draft.rawPayload = Self.payload(of: draft, line: line)
                    batch.append(draft)
                    if batch.count == batchSize { try await submit() }
                case .problem(let line, let message):
                    summary.rows += 1
                    summary.problemCount += 1
                    if summary.problems.count < ImportSummary.problemLimit { summary.problems.append((line, message)) }
                }
            }
            if !batch.isEmpty { try await submit() }
            for try await outcomes in group { summary.add(outcomes) }
        }
        progress(reader.bytesRead)
        return summary
    }

    /// The row as the touch keeps it: its line and its fields as read.
    static func payload(of draft: LeadDraft, line: Int) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("line")
        writer.int(line)
        writer.key("fields")
        writer.beginObject()
        for field in draft.fields {
            writer.key(field.key)
            writer.string(field.value)
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
