import Foundation
import GRDB
import LeadGateCore

/// How SQLite syncs to disk. `full` (the default) makes every acknowledged commit survive power loss.
public enum SQLiteSynchronous: String, Sendable {
    case full = "FULL"
    case normal = "NORMAL"
}

/// The embedded store: SQLite through GRDB, WAL, one writer that group-commits concurrent intakes.
public final class SQLiteLeadStore: LeadStore {
    private let pool: DatabasePool
    private let committer: GroupCommitter<PreparedIntake, IntakeOutcome>

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public init(path: String, synchronous: SQLiteSynchronous = .full) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Small pages: an intake dirties a few leaf pages at random places (email, phone and content
            // indexes), and every dirty page goes to the WAL whole; 2 KiB measured best in the ingest benchmark.
            try db.execute(sql: "PRAGMA page_size = 2048")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the one writer connection after the pool is open: GRDB switches WAL pools to NORMAL
        // while opening, which would acknowledge commits that a power cut could still take back.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
        }
        try SQLiteSchema.migrator.migrate(pool)
        self.pool = pool
        self.committer = GroupCommitter { groups in
            await SQLiteLeadStore.write(groups, to: pool)
        }
    }

    public func commit(_ records: [IntakeRecord]) async throws -> [IntakeOutcome] {
        guard !records.isEmpty else { return [] }
        // Encoding happens here, on the caller's task, so the one writer only looks up and inserts.
        return try await committer.submit(try records.map(PreparedIntake.init))
    }

    /// Writes every group of a batch in one transaction. Should any group fail, that transaction is rolled
    /// back and the groups are written again one transaction each, so only the failing caller sees an error.
    private static func write(_ groups: [[PreparedIntake]], to pool: DatabasePool) async -> [Result<[IntakeOutcome], any Error>] {
        do {
            return try await pool.write { db in
                let writer = IntakeWriter(db: db)
                return try groups.map { records in .success(try records.map { try writer.write($0) }) }
            }
        } catch {
            guard groups.count > 1 else { return [.failure(error)] }
        }
        var results: [Result<[IntakeOutcome], any Error>] = []
        for records in groups {
            do {
                results.append(.success(try await pool.write { db in
                    let writer = IntakeWriter(db: db)
                    return try records.map { try writer.write($0) }
                }))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    public func quarantine(_ entry: QuarantineEntry) async throws {
        let headers = try String(decoding: LeadJSON.encoder().encode(entry.headers), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql: """
                INSERT INTO quarantine (id, source, received_at, code, message, method, path, headers, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [
                    entry.id, entry.source, SQLiteSchema.millis(entry.receivedAt), entry.code, entry.message,
                    entry.method, entry.path, headers, Data(entry.body),
                ]
            )
        }
    }

    public func quarantined(limit: Int) async throws -> [QuarantineEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM quarantine ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                let headersJSON: String = row["headers"]
                let headers = (try? LeadJSON.decoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
                let body: Data = row["body"]
                return QuarantineEntry(
                    id: row["id"], source: row["source"], receivedAt: SQLiteSchema.date(row["received_at"]),
                    code: row["code"], message: row["message"], method: row["method"], path: row["path"],
                    headers: headers, body: [UInt8](body)
                )
            }
        }
    }

    public func lead(id: String) async throws -> Lead? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM leads WHERE id = ?", arguments: [id]) else { return nil }
            return try SQLiteSchema.lead(from: row, touches: SQLiteSchema.touches(of: id, in: db))
        }
    }

    public func leads(_ query: LeadQuery) async throws -> LeadPage {
        let limit = max(1, min(query.limit, 500))
        return try await pool.read { db in
            var clauses: [String] = []
            var arguments = StatementArguments()
            if let status = query.status {
                clauses.append("status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let source = query.source {
                clauses.append("source = ?")
                _ = arguments.append(contentsOf: [source])
            }
            if let since = query.since {
                clauses.append("created_at >= ?")
                _ = arguments.append(contentsOf: [SQLiteSchema.millis(since)])
            }
            if let text = query.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
                clauses.append("search LIKE ? ESCAPE '\\'")
                _ = arguments.append(contentsOf: ["%" + SQLiteSchema.likeEscaped(SQLiteSchema.searchKey(text)) + "%"])
            }
            if let after = query.after {
                clauses.append("id < ?")
                _ = arguments.append(contentsOf: [after])
            }
            let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM leads \(filter) ORDER BY id DESC LIMIT ?", arguments: arguments)
            var leads = try rows.prefix(limit).map { row in
                try SQLiteSchema.lead(from: row, touches: [])
            }
            for index in leads.indices {
                leads[index].touches = try SQLiteSchema.touches(of: leads[index].id, in: db)
            }
            return LeadPage(leads: leads, next: rows.count > limit ? leads.last?.id : nil)
        }
    }

    /// `PRAGMA name` as the writer connection sees it (tests check durability settings with it).
    func writerPragma(_ name: String) async throws -> String? {
        try await pool.write { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
