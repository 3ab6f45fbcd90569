import CSQLiteWAL
import Foundation
import GRDB
import GRDBSQLite
import LeadGateCore

/// How SQLite syncs to disk. `full` (the default) makes every acknowledged commit survive power loss.
public enum SQLiteSynchronous: String, Sendable {
    case full = "FULL"
    case normal = "NORMAL"
}

/// The embedded store: SQLite through GRDB, WAL, one writer that group-commits concurrent intakes.
public final class SQLiteLeadStore: LeadStore {
    let pool: DatabasePool
    private let committer: GroupCommitter<PreparedIntake, IntakeOutcome>
    private let ruleNames = RuleNames()
    /// Called by the writer connection after each commit (`WALCheckpointer.install`), so it lives as long as the pool.
    private let checkpointer: WALCheckpointer

    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    public convenience init(path: String, synchronous: SQLiteSynchronous = .full) throws {
        try self.init(path: path, synchronous: synchronous, checkpoints: WALCheckpointPolicy.Thresholds())
    }

    init(path: String, synchronous: SQLiteSynchronous, checkpoints: WALCheckpointPolicy.Thresholds) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        // Every connection of the process opens through it (the system's VFS, WAL writes gathered per commit).
        let vfs = leadgate_wal_vfs_register()
        guard vfs == SQLITE_OK else {
            throw StoreError(code: "sqlite_vfs", message: "SQLite refused LeadGate's VFS (error \(vfs))")
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
        let checkpointer = try WALCheckpointer(path: path, thresholds: checkpoints)
        // Set on the one writer connection after the pool is open: GRDB switches WAL pools to NORMAL
        // while opening, which would acknowledge commits that a power cut could still take back.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // In place of SQLite's auto-checkpoint, which copies the whole log on the writer.
            checkpointer.install(on: db)
            // A small writer cache (4 MiB), because a commit can walk all of it. While it splits a b-tree
            // page, SQLite (3.40) parks a page under the number after the lock-byte page's; until the file
            // reaches 1 GiB that number lies past its end, and the commit that follows walks the whole page
            // cache to drop pages past the end (`pcache1TruncateUnsafe`): 7 % of ingest CPU with 32 MiB.
            // Look-ups that miss read from the OS's cache; both gateways under the same load at once took
            // 5 % more leads with 4 MiB than with 32 MiB (`scripts/bench/pair.sh`).
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        try SQLiteSchema.migrator.migrate(pool)
        self.pool = pool
        self.checkpointer = checkpointer
        let ruleNames = self.ruleNames
        // With FULL, intakes commit without the commit's own fsync and the WAL is flushed off the
        // writer's path (see `WALFile`), which is the same durability for every answered intake.
        let wal = synchronous == .full ? WALFile(databasePath: path) : nil
        var sync: GroupCommitter<PreparedIntake, IntakeOutcome>.Sync?
        if let wal { sync = { try wal.flush() } }
        let flushedApart = wal != nil
        self.committer = GroupCommitter(sync: sync) { groups in
            SQLiteLeadStore.write(groups, to: pool, ruleNames: ruleNames, flushedApart: flushedApart)
        }
    }

    public func commit(_ records: [IntakeRecord]) async throws -> [IntakeOutcome] {
        guard !records.isEmpty else { return [] }
        // Encoding happens here, on the caller's task, so the one writer only looks up and inserts.
        return try await committer.submit(records.map(PreparedIntake.init))
    }

    /// Writes every group of a batch in one transaction. Should any group fail, that transaction is rolled
    /// back and the groups are written again one transaction each, so only the failing caller sees an error.
    /// `flushedApart`: the group committer flushes the WAL itself, so these commits skip their fsync.
    private static func write(
        _ groups: [[PreparedIntake]], to pool: DatabasePool, ruleNames: RuleNames, flushedApart: Bool
    ) -> [Result<[IntakeOutcome], any Error>] {
        func transaction(_ groups: [[PreparedIntake]]) throws -> [[IntakeOutcome]] {
            try pool.writeWithoutTransaction { db in
                let writer = IntakeWriter(db: db, ruleNames: ruleNames)
                var outcomes: [[IntakeOutcome]] = []
                func commit() throws {
                    try db.inTransaction {
                        outcomes = try groups.map { try $0.map { try writer.write($0) } }
                        try writer.saveTurns()
                        return .commit
                    }
                }
                guard flushedApart else {
                    try commit()
                    return outcomes
                }
                // NORMAL for this transaction only: every other write of the connection stays FULL. Both statements
                // cached: parsed anew for every batch, they made glibc's malloc consolidate its small chunks each time
                // (SQLite's parser takes more than 1 KiB).
                try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
                let committed = Result { try commit() }
                try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
                try committed.get()
                return outcomes
            }
        }
        do {
            return try transaction(groups).map { .success($0) }
        } catch {
            ruleNames.forgetRecorded()
            guard groups.count > 1 else { return [.failure(error)] }
        }
        var results: [Result<[IntakeOutcome], any Error>] = []
        for records in groups {
            do {
                results.append(.success(try transaction([records])[0]))
            } catch {
                ruleNames.forgetRecorded()
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
        try await pool.read { db in try SQLiteSchema.lead(id: id, ruleNames: ruleNames, in: db) }
    }

    public func leads(ids: [String]) async throws -> [String: Lead] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            let touches = try SQLiteSchema.touches(ofLeads: ids, in: db)
            var leads: [String: Lead] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT \(SQLiteSchema.leadColumns) FROM leads WHERE id IN \(SQLiteSchema.inList)"),
                arguments: [SQLiteSchema.jsonArray(ids)])
            while let row = try rows.next() {
                let lead = try SQLiteSchema.lead(from: row, touches: touches[row[0]] ?? [], ruleNames: ruleNames, in: db)
                leads[lead.id] = lead
            }
            return leads
        }
    }

    public func leads(_ query: LeadQuery) async throws -> LeadPage {
        let limit = max(1, min(query.limit, 500))
        let (sql, arguments) = Self.listSQL(query, limit: limit)
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let page = rows.prefix(limit)
            let touches = try SQLiteSchema.touches(ofLeads: page.map { $0[0] }, in: db)
            let leads = try page.map { row in
                try SQLiteSchema.lead(from: row, touches: touches[row[0]] ?? [], ruleNames: ruleNames, in: db)
            }
            return LeadPage(leads: leads, next: rows.count > limit ? leads.last?.id : nil)
        }
    }

    /// The list's statement and its arguments: a page of `limit` leads and one more (to tell whether a next page
    /// exists), newest id first, each filter ANDed. Apart, so tests can check how SQLite plans each filter.
    static func listSQL(_ query: LeadQuery, limit: Int) -> (sql: String, arguments: StatementArguments) {
        var clauses: [String] = []
        var arguments = StatementArguments()
        func filter(_ clause: String, _ value: some DatabaseValueConvertible) {
            clauses.append(clause)
            _ = arguments.append(contentsOf: [value])
        }
        if let status = query.status { filter("status = ?", status.rawValue) }
        if let source = query.source { filter("source = ?", source) }
        if let product = query.product { filter("product = ?", product) }
        if let owner = query.owner { filter("owner = ?", owner) }
        if let since = query.since { filter("created_at >= ?", SQLiteSchema.millis(since)) }
        if let text = query.text?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            filter("search LIKE ? ESCAPE '\\'", "%" + SQLiteSchema.likeEscaped(SQLiteSchema.searchKey(text)) + "%")
        }
        if let after = query.after { filter("id < ?", after) }
        _ = arguments.append(contentsOf: [limit + 1])
        let conditions = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return ("SELECT \(SQLiteSchema.leadColumns) FROM leads \(conditions) ORDER BY id DESC LIMIT ?", arguments)
    }

    public func update(
        leadID: String, actor: String, at date: Date, recordedAt: Date, routes: NotificationRoutes,
        _ change: @escaping @Sendable (Lead) throws -> LeadState
    ) async throws -> Lead? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(SQLiteSchema.leadColumns) FROM leads WHERE id = ?", arguments: [leadID]) else { return nil }
            var lead = try SQLiteSchema.lead(from: row, touches: [], ruleNames: ruleNames, in: db)
            let old = LeadState(of: lead)
            let new = try change(lead)
            guard new != old else {
                // Nothing changed: the lead as read, with its touches (its body is not parsed again).
                lead.touches = try SQLiteSchema.touches(of: leadID, in: db)
                return lead
            }
            let tracked: [(String, String?, String?)] = [
                ("status", old.status.rawValue, new.status.rawValue),
                ("product", old.product, new.product),
                ("owner", old.owner, new.owner),
                ("stage", old.opportunity?.stage, new.opportunity?.stage),
                ("amount", old.opportunity?.amount.map(Self.amountText), new.opportunity?.amount.map(Self.amountText)),
                ("currency", old.opportunity?.currency, new.opportunity?.currency),
                ("expected_close", old.opportunity?.expectedClose, new.opportunity?.expectedClose),
            ]
            for (field, from, to) in tracked where from != to {
                try db.execute(
                    sql: "INSERT INTO lead_history (lead_id, at, recorded_at, actor, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [leadID, SQLiteSchema.millis(date), SQLiteSchema.millis(recordedAt), actor, field, from, to]
                )
            }
            let opportunity = new.opportunity
            try db.execute(
                sql: """
                    UPDATE leads SET status = ?, reject_reason = ?, product = ?, owner = ?, stage = ?, amount = ?, currency = ?,
                        probability = ?, expected_close = ?, closed_at = ?, manual = ?, updated_at = MAX(updated_at, ?)
                    WHERE id = ?
                    """,
                arguments: [
                    new.status.rawValue, new.rejectReason, new.product, new.owner, opportunity?.stage, opportunity?.amount,
                    opportunity?.currency, opportunity?.probability, opportunity?.expectedClose,
                    opportunity?.closedAt.map(SQLiteSchema.millis), opportunity?.manual ?? false, SQLiteSchema.millis(recordedAt), leadID,
                ]
            )
            if new.status == .opportunity, old.status != .opportunity {
                try IntakeWriter.enqueue([.opportunity], leadID: leadID, at: recordedAt, routes: routes, ruleNames: ruleNames, in: db)
            } else if let stage = opportunity?.stage, old.opportunity?.stage != nil, stage != old.opportunity?.stage {
                try IntakeWriter.enqueue([.stageChanged], leadID: leadID, at: recordedAt, routes: routes, ruleNames: ruleNames, in: db)
            }
            return try SQLiteSchema.lead(id: leadID, ruleNames: ruleNames, in: db)
        }
    }

    public func replay(product: String, since: Date?, _ body: @escaping @Sendable (ReplayLead) throws -> Void) async throws {
        try await pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT body, created_at, \(SQLiteSchema.opportunityColumns)
                    FROM leads WHERE product = ? AND created_at >= ? AND is_test = 0 ORDER BY id
                    """,
                arguments: [product, since.map(SQLiteSchema.millis) ?? Int64.min]
            )
            while let row = try rows.next() {
                let stored = try StoredLeadBody(json: row[0] as String)
                try body(ReplayLead(
                    lead: stored.normalized, receivedAt: SQLiteSchema.date(row[1]),
                    opportunity: SQLiteSchema.opportunity(from: row, at: 2)
                ))
            }
        }
    }

    /// `20000` rather than `20000.0` in history rows.
    static func amountText(_ amount: Double) -> String {
        amount == amount.rounded() && abs(amount) < 1e15 ? String(Int64(amount)) : String(amount)
    }

    public func history(leadID: String) async throws -> [HistoryEntry] {
        try await pool.read { db in
            var entries = try Row.fetchAll(
                db, sql: "SELECT * FROM lead_history WHERE lead_id = ? ORDER BY at, id", arguments: [leadID]
            ).map { row in
                HistoryEntry(
                    at: SQLiteSchema.date(row["at"]), recordedAt: SQLiteSchema.date(row["recorded_at"]), actor: row["actor"],
                    field: row["field"], from: row["old_value"], to: row["new_value"]
                )
            }
            // An opportunity opened on arrival has no row for it (see IntakeWriter.write): its first stage is
            // the `from` of its first stage change, else the stage it is in now.
            let stages = entries.filter { $0.field == "stage" }
            if stages.first?.from != nil || stages.isEmpty,
               let row = try Row.fetchOne(db, sql: "SELECT stage, created_at FROM leads WHERE id = ?", arguments: [leadID]),
               let opened = stages.first?.from ?? (row["stage"] as String?) {
                let created = SQLiteSchema.date(row["created_at"])
                entries.insert(HistoryEntry(at: created, recordedAt: created, actor: IntakeWriter.pipelineActor, field: "stage", from: nil, to: opened), at: 0)
            }
            return entries
        }
    }

    public func registerCriteria(product: String, version: Int, rulesHash: String, at date: Date) async throws {
        try await pool.write { db in
            if let known = try String.fetchOne(
                db, sql: "SELECT rules_hash FROM criteria_versions WHERE product = ? AND version = ?", arguments: [product, version]
            ) {
                guard known == rulesHash else {
                    throw StoreError(
                        code: "criteria_changed",
                        message: "the criteria of product '\(product)' changed but still say version \(version) "
                            + "(rules hash \(known) when first used, \(rulesHash) now): raise criteria.version so leads keep "
                            + "saying which rules decided them"
                    )
                }
                return
            }
            try db.execute(
                sql: "INSERT INTO criteria_versions (product, version, rules_hash, registered_at) VALUES (?, ?, ?, ?)",
                arguments: [product, version, rulesHash, SQLiteSchema.millis(date)]
            )
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
