import Foundation
import GRDB
import LeadGateCore

/// Pending platform fetches and pull-source cursors.
extension SQLiteLeadStore {
    public func claimPendingFetches(now: Date, leaseUntil: Date, limit: Int) async throws -> [PendingFetch] {
        try await pool.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE pending_fetches SET next_attempt_at = ?
                    WHERE lead_id IN (
                        SELECT lead_id FROM pending_fetches WHERE state != 'gave_up' AND next_attempt_at <= ?
                        ORDER BY next_attempt_at LIMIT ?)
                    RETURNING lead_id, source, attempts
                    """,
                arguments: [SQLiteSchema.millis(leaseUntil), SQLiteSchema.millis(now), limit]
            )
            return try rows.compactMap { claimed -> PendingFetch? in
                let leadID: String = claimed["lead_id"]
                guard let lead = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT l.body, l.created_at, l.is_test,
                               (SELECT external_id FROM touches WHERE lead_id = l.id ORDER BY seq LIMIT 1) AS external_id
                        FROM leads l WHERE l.id = ?
                        """,
                    arguments: [leadID]
                ) else { return nil }
                let body: String = lead["body"]
                let stored = try StoredLeadBody(json: body)
                return PendingFetch(
                    leadID: leadID, source: claimed["source"], externalID: lead["external_id"], fields: stored.fields,
                    receivedAt: SQLiteSchema.date(lead["created_at"]), isTest: lead["is_test"], attempts: claimed["attempts"]
                )
            }
        }
    }

    public func recordFetchFailure(leadID: String, status: FetchStatus, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE pending_fetches SET state = ?, attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ?
                    WHERE lead_id = ?
                    """,
                arguments: [
                    status.state.rawValue, status.attempts, SQLiteSchema.millis(status.nextAttemptAt ?? date), status.lastStatus,
                    status.lastError, SQLiteSchema.millis(date), leadID,
                ]
            )
        }
    }

    public func pendingFetchCounts() async throws -> [String: [FetchStatus.State: Int]] {
        try await pool.read { db in
            var counts: [String: [FetchStatus.State: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT source, state, COUNT(*) AS n FROM pending_fetches GROUP BY source, state") {
                guard let state = FetchStatus.State(rawValue: row["state"]) else { continue }
                counts[row["source"], default: [:]][state] = row["n"]
            }
            return counts
        }
    }

    public func cursor(source: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT cursor FROM source_cursors WHERE source = ?", arguments: [source])
        }
    }

    public func saveCursor(_ cursor: String, source: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO source_cursors (source, cursor, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                    """,
                arguments: [source, cursor, SQLiteSchema.millis(date)]
            )
        }
    }
}
