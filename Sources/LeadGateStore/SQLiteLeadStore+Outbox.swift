import Foundation
import GRDB
import LeadGateCore

extension SQLiteLeadStore {
    /// Claims a batch (arguments: lease end, now, now, now, limit) and returns it, `deliveryColumns` then `seq`; the
    /// bodies are read apart (`outbox_bodies`).
    /// Channels turned off (410) and channels a receiver asked to wait (`channel_pauses`) are left out.
    ///
    /// The due rows are walked in `outbox_due`'s order, only as far as the batch needs. Without `INDEXED BY` the
    /// planner took `outbox_status` and sorted every pending row for each batch: a backlog of 20,000 made each claim
    /// read all of them, and draining it cost in proportion to its square.
    static let claimSQL = """
        UPDATE outbox SET claimed_until = ? WHERE seq IN (
            SELECT seq FROM outbox INDEXED BY outbox_due
            WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
              AND channel NOT IN (SELECT channel FROM disabled_channels)
              AND channel NOT IN (SELECT channel FROM channel_pauses WHERE until > ?)
            ORDER BY next_attempt_at, seq LIMIT ?)
        RETURNING \(deliveryColumns), seq
        """

    public func claimDeliveries(now: Date, leaseUntil: Date, limit: Int) async throws -> [Delivery] {
        let moment = SQLiteSchema.millis(now)
        return try await pool.write { db in
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: Self.claimSQL), arguments: [SQLiteSchema.millis(leaseUntil), moment, moment, moment, limit])
            var claimed: [(seq: Int64, delivery: Delivery)] = []
            while let row = try rows.next() {
                claimed.append((seq: row[Self.deliveryColumnCount], delivery: try Self.delivery(row)))
            }
            let bodies = try db.cachedStatement(sql: "SELECT body FROM outbox_bodies WHERE seq = ?")
            for index in claimed.indices {
                claimed[index].delivery.payload = try bodies.stepRaw({ $0.int(claimed[index].seq) }, read: { $0.blob(0) }) ?? nil
            }
            // RETURNING gives no order: the due order is restored here.
            return claimed
                .sorted { ($0.delivery.nextAttemptAt, $0.seq) < ($1.delivery.nextAttemptAt, $1.seq) }
                .map(\.delivery)
        }
    }

    public func releaseDeliveryLeases() async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL")
        }
    }

    public func recordAttempts(_ records: [AttemptRecord], releasing released: [String]) async throws {
        guard !records.isEmpty || !released.isEmpty else { return }
        try await pool.write { db in
            for record in records { try Self.record(record, in: db) }
            if !released.isEmpty {
                try db.execute(
                    sql: "UPDATE outbox SET claimed_until = NULL WHERE id IN \(SQLiteSchema.inList)", arguments: [SQLiteSchema.jsonArray(released)])
            }
        }
    }

    private static func record(_ record: AttemptRecord, in db: Database) throws {
        let attempt = record.attempt
        let at = SQLiteSchema.millis(attempt.at)
        try db.cachedStatement(sql: """
            INSERT INTO delivery_attempts (delivery_id, at, status, latency_ms, error, response) VALUES (?, ?, ?, ?, ?, ?)
            """).executeRaw {
                $0.text(record.deliveryID); $0.int(at); $0.int(attempt.status); $0.int(attempt.latencyMilliseconds)
                $0.text(attempt.error); $0.text(attempt.response)
            }
        let status: DeliveryStatus
        var next = at
        switch record.outcome {
        case .delivered:
            status = .delivered
        case .retry(let date):
            status = .failed
            next = SQLiteSchema.millis(date)
        case .dead:
            status = .dead
        case .disableChannel(let reason):
            status = .dead
            try db.execute(
                sql: """
                    INSERT INTO disabled_channels (channel, at, reason) SELECT channel, ?, ? FROM outbox WHERE id = ?
                    ON CONFLICT(channel) DO NOTHING
                    """,
                arguments: [at, reason, record.deliveryID]
            )
        }
        try db.cachedStatement(sql: """
            UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL,
                last_status = ?, last_error = ?, updated_at = ?
            WHERE id = ?
            """).executeRaw {
                $0.text(status.rawValue); $0.int(next); $0.int(attempt.status); $0.text(attempt.error); $0.int(at)
                $0.text(record.deliveryID)
            }
        if let payload = record.payload {
            // A body once kept is never replaced: every later attempt sends the same bytes.
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox_bodies (seq, body) SELECT seq, ? FROM outbox WHERE id = ?").executeRaw {
                $0.blob(payload); $0.text(record.deliveryID)
            }
        }
        if let until = record.pauseChannelUntil {
            let end = SQLiteSchema.millis(until)
            // The longer of two pauses stands.
            try db.execute(
                sql: """
                    INSERT INTO channel_pauses (channel, until, reason) SELECT channel, ?, ? FROM outbox WHERE id = ?
                    ON CONFLICT(channel) DO UPDATE SET until = MAX(until, excluded.until), reason = excluded.reason
                    """,
                arguments: [end, "the receiver answered \(attempt.status ?? 0) with Retry-After on delivery \(record.deliveryID)", record.deliveryID]
            )
            // The channel's deliveries due at the refusal are due when the pause ends, as they will be sent: the list
            // shows it, and a claim's walk of `outbox_due` stops before them instead of passing over the whole held
            // backlog each time (20,000 held rows made every claim take 5 ms, four times a second while idle). Only
            // those due: the other requests in flight answer 429 too, and each would move the same backlog again. The
            // pause's own row keeps out what is queued during it.
            try db.execute(
                sql: """
                    UPDATE outbox SET next_attempt_at = ?
                    WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? AND channel = (SELECT channel FROM outbox WHERE id = ?)
                    """,
                arguments: [end, at, record.deliveryID]
            )
        }
    }

    public func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [Delivery] {
        try await pool.read { db in
            let filter = status == nil ? "" : "WHERE o.status = ?"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.deliveryColumns), b.body FROM outbox o LEFT JOIN outbox_bodies b ON b.seq = o.seq
                    \(filter) ORDER BY o.seq DESC LIMIT ?
                    """,
                arguments: status.map { [$0.rawValue, limit] } ?? [limit])
            return try rows.map { row in
                var delivery = try Self.delivery(row)
                delivery.payload = (row[Self.deliveryColumnCount] as Data?).map { [UInt8]($0) }
                return delivery
            }
        }
    }

    public func attempts(deliveryID: String) async throws -> [DeliveryAttempt] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY id", arguments: [deliveryID]).map { row in
                DeliveryAttempt(
                    at: SQLiteSchema.date(row["at"]), status: row["status"], latencyMilliseconds: row["latency_ms"] ?? 0,
                    error: row["error"], response: row["response"]
                )
            }
        }
    }

    public func retryDelivery(id: String, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'pending', next_attempt_at = ?, claimed_until = NULL, updated_at = ?
                    WHERE id = ? AND status != 'delivered'
                    """,
                arguments: [SQLiteSchema.millis(now), SQLiteSchema.millis(now), id]
            )
            if db.changesCount > 0 {
                // A manual replay also turns the channel back on, and ends a pause the receiver asked for: what the
                // pause held (due by its end) is due now.
                try db.execute(sql: "DELETE FROM disabled_channels WHERE channel = (SELECT channel FROM outbox WHERE id = ?)", arguments: [id])
                try db.execute(
                    sql: """
                        UPDATE outbox SET next_attempt_at = ?
                        WHERE status IN ('pending', 'failed') AND channel = (SELECT channel FROM outbox WHERE id = ?)
                          AND next_attempt_at <= (SELECT until FROM channel_pauses WHERE channel = outbox.channel)
                        """,
                    arguments: [SQLiteSchema.millis(now), id])
                try db.execute(sql: "DELETE FROM channel_pauses WHERE channel = (SELECT channel FROM outbox WHERE id = ?)", arguments: [id])
                return true
            }
            return false
        }
    }

    public func pausedChannels(at now: Date) async throws -> [String: ChannelPause] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, until, reason FROM channel_pauses WHERE until > ?", arguments: [SQLiteSchema.millis(now)])
                .reduce(into: [:]) { $0[$1["channel"]] = ChannelPause(until: SQLiteSchema.date($1["until"]), reason: $1["reason"]) }
        }
    }

    public func disabledChannels() async throws -> [String: String] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, reason FROM disabled_channels").reduce(into: [:]) { $0[$1["channel"]] = $1["reason"] }
        }
    }

    /// The columns `delivery(_:)` reads, by position (see `SQLiteSchema.leadColumns`). The body is not one of them.
    static let deliveryColumns = "id, channel, event, lead_id, status, attempts, next_attempt_at, last_status, last_error, created_at"
    static let deliveryColumnCount = SQLiteSchema.columnCount(deliveryColumns)

    /// A delivery from a row that starts with `deliveryColumns`.
    static func delivery(_ row: Row) throws -> Delivery {
        let id: String = row[0]
        let eventText: String = row[2]
        let statusText: String = row[4]
        guard let event = LeadEvent(rawValue: eventText), let status = DeliveryStatus(rawValue: statusText) else {
            throw StoreError(code: "corrupt_row", message: "delivery \(id) has event '\(eventText)', status '\(statusText)'")
        }
        return Delivery(
            id: id, channel: row[1], event: event, leadID: row[3], status: status, attempts: row[5],
            nextAttemptAt: SQLiteSchema.date(row[6]), payload: nil, lastStatus: row[7], lastError: row[8], createdAt: SQLiteSchema.date(row[9])
        )
    }
}
