import Foundation
import GRDB
import LeadGateCore

/// The forecast's and the funnel's reads. They go through covering indexes (`leads_funnel_source` of `v3-reports`,
/// `leads_owner_reports` of `v8-owner-reports`), so the leads' bodies are never read, and they decode no JSON.
extension SQLiteLeadStore {
    public func forecastLeads(fromDay: String, toDay: String) async throws -> [ReportLead] {
        guard let from = ReportSQL.utcStart(of: fromDay), let to = ReportSQL.utcStart(of: toDay) else {
            throw StoreError(code: "invalid_day", message: "forecast days are YYYY-MM-DD, found '\(fromDay)' and '\(toDay)'")
        }
        // A day of slack either side: whatever the caller's zone (UTC-12 to UTC+14), its days lie inside.
        let day: Int64 = 86_400_000
        let lower = SQLiteSchema.millis(from) - day, upper = SQLiteSchema.millis(to) + 2 * day
        return try await pool.read { db in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: ReportSQL.forecast), arguments: [lower, upper, fromDay, toDay])
            var leads: [ReportLead] = []
            while let row = try rows.next() { leads.append(try ReportSQL.lead(from: row)) }
            return leads
        }
    }

    public func funnelCounts(grouping: FunnelGrouping, includeTest: Bool, includeRejected: Bool, since: Date?, until: Date?) async throws -> [FunnelCounts] {
        let bounds = [
            since.map { ("created_at >= ?", SQLiteSchema.millis($0)) }, until.map { ("created_at < ?", SQLiteSchema.millis($0)) },
        ].compactMap { $0 }
        let created = bounds.map(\.0), arguments = StatementArguments(bounds.map(\.1))
        // Two reads at once, on two connections: each is one walk of its own index, and they take about as long.
        // Each has its own snapshot, so a lead written in between may be in one and not the other: the report is
        // as of a few milliseconds earlier or later, never wrong by more than that lead.
        async let totals = pool.read { db in
            var counts: [String?: FunnelCounts] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: ReportSQL.funnelTotals(grouping, created: created)), arguments: arguments)
            while let row = try rows.next() {
                let isTest: Bool = row[1], status: String = row[2]
                if isTest && !includeTest || status == LeadStatus.rejected.rawValue && !includeRejected { continue }
                let group: String? = row[0]
                counts[group, default: FunnelCounts(group: group)].leads += row[3]
                if status == LeadStatus.opportunity.rawValue { counts[group, default: FunnelCounts(group: group)].opportunities += row[4] }
            }
            return Array(counts.values)
        }
        async let outcomes = pool.read { db in
            var counts: [String?: FunnelCounts] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: ReportSQL.funnelOutcomes(grouping, created: created, includeTest: includeTest)), arguments: arguments
            )
            while let row = try rows.next() {
                let group: String? = row[0]
                counts[group, default: FunnelCounts(group: group)].addOutcome(
                    won: row[1], amount: row[3], currency: row[2], daysToClose: (row[4] as Int64?).map { Double($0) / 86_400_000 }
                )
            }
            return Array(counts.values)
        }
        return try await totals + outcomes
    }

    public func forecastLeadsAsOf(cutoff: Date) async throws -> [(lead: ReportLead, changes: [LeadChange])] {
        let millis = SQLiteSchema.millis(cutoff)
        return try await pool.read { db in
            var later: [String: [LeadChange]] = [:]
            let changes = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT lead_id, at, field, old_value, new_value FROM lead_history WHERE at >= ? ORDER BY at, id"),
                arguments: [millis]
            )
            while let row = try changes.next() {
                let leadID: String = row[0]
                later[leadID, default: []].append(LeadChange(
                    leadID: leadID, at: SQLiteSchema.date(row[1]), field: row[2], oldValue: row[3], newValue: row[4]
                ))
            }
            // The opportunities of now, and the leads a later change of stage or status may have made one then.
            let leads = try Row.fetchCursor(
                db.cachedStatement(sql: ReportSQL.asOf),
                arguments: [millis, millis, millis]
            )
            var result: [(lead: ReportLead, changes: [LeadChange])] = []
            while let row = try leads.next() {
                let lead = try ReportSQL.lead(from: row)
                result.append((lead, later[lead.id] ?? []))
            }
            return result
        }
    }

    public func stageObservations() async throws -> [StageObservation] {
        try await pool.read { db in
            var closed: [ClosedOpportunity] = []
            var positions: [String: Int] = [:]
            let opportunities = try Row.fetchCursor(db.cachedStatement(sql: ReportSQL.closedOpportunities))
            while let row = try opportunities.next() {
                positions[row[0]] = closed.count
                closed.append(ClosedOpportunity(product: row[1], won: row[2]))
            }
            // In the table's order, not the lead's: a sort by lead would cost more than finding each one's first change.
            let changes = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT lead_id, at, id, old_value, new_value FROM lead_history WHERE field = 'stage'
                """))
            while let row = try changes.next() {
                guard let position = positions[row[0]] else { continue }
                closed[position].add(at: row[1], id: row[2], from: row[3], to: row[4])
            }
            return closed.flatMap { opportunity in
                opportunity.stages.map { StageObservation(product: opportunity.product, stage: $0, won: opportunity.won) }
            }
        }
    }

    public func saveForecastSnapshots(_ snapshots: [ForecastSnapshot], takenAt: Date) async throws {
        let taken = SQLiteSchema.millis(takenAt)
        try await pool.write { db in
            // The unique index treats a missing group as a group of its own, so REPLACE finds the row to replace.
            let statement = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO forecast_snapshots
                    (period, grouping, group_name, currency, weighted, commit_amount, best_case, taken_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for snapshot in snapshots {
                try statement.execute(arguments: [
                    snapshot.period, snapshot.grouping.rawValue, snapshot.group, snapshot.currency, snapshot.weighted,
                    snapshot.commit, snapshot.bestCase, taken,
                ])
            }
        }
    }

    public func forecastSnapshots(grouping: ForecastGrouping) async throws -> [ForecastSnapshot] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT period, group_name, currency, weighted, commit_amount, best_case FROM forecast_snapshots
                    WHERE grouping = ? ORDER BY period, group_name, currency
                    """),
                arguments: [grouping.rawValue]
            ).map { row in
                ForecastSnapshot(
                    period: row[0], grouping: grouping, group: row[1], currency: row[2], weighted: row[3], commit: row[4], bestCase: row[5]
                )
            }
        }
    }

    /// How SQLite plans `sql` (the details of EXPLAIN QUERY PLAN, joined by `; `): tests pin the report reads to their indexes.
    func queryPlan(_ sql: String) async throws -> String {
        try await pool.read { db in
            // Planned with every parameter NULL (the report SQL has no `?` but its parameters).
            let parameters = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.count { $0 == "?" }))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: parameters)
                .map { $0["detail"] as String? ?? "" }.joined(separator: "; ")
        }
    }
}

/// A won or lost opportunity and the stages its history shows, read in any order.
private struct ClosedOpportunity {
    var product: String
    var won: Bool
    /// The first stage change (by effective time, then as recorded) and the stage it left: where it opened.
    /// An opportunity opened on arrival has no row of its own; a first change from none opened it, naming it as `to`.
    private var first: (at: Int64, id: Int64, from: String?)?
    /// Mostly one or two: an array beats a set here, a hundred thousand times over.
    private var movedTo: [String] = []

    init(product: String, won: Bool) {
        self.product = product
        self.won = won
    }

    mutating func add(at: Int64, id: Int64, from: String?, to: String?) {
        if first.map({ (at, id) < ($0.at, $0.id) }) ?? true { first = (at, id, from) }
        if let to, !movedTo.contains(to) { movedTo.append(to) }
    }

    /// The distinct open stages it was seen at, sorted.
    var stages: [String] {
        var seen = movedTo
        if let opening = first?.from, !seen.contains(opening) { seen.append(opening) }
        return seen.filter { $0 != StageTable.won && $0 != StageTable.lost }.sorted()
    }
}

/// The report reads' SQL (apart, so tests can check how SQLite plans it), and how their rows are mapped.
enum ReportSQL {
    /// The leads with a stage, read from the index that holds every column a report reads of them (`v8-owner-reports`).
    /// Named, because the index serves the owner's list first: without statistics, SQLite would plan a report's
    /// `status = ?` over `leads_status` and read each row, body and all.
    static let opportunities = "leads INDEXED BY leads_owner_reports"

    /// A `ReportLead`'s columns, mapped by position by `lead(from:)`: hundreds of thousands of rows a report.
    static let list = """
        id, status, is_test, product, owner, source, campaign, criteria, created_at,
        stage, amount, currency, probability, expected_close, closed_at, manual
        """

    /// Bound to the lowest and the first excluded `closed_at` of a closed opportunity that counts.
    static let forecast = """
        SELECT \(list) FROM \(opportunities)
        WHERE stage IS NOT NULL AND status = 'opportunity' AND is_test = 0
          AND (stage IN ('won', 'lost') AND (closed_at IS NULL OR (closed_at >= ? AND closed_at < ?))
               OR stage NOT IN ('won', 'lost') AND (expected_close IS NULL OR expected_close BETWEEN ? AND ?))
        """

    /// The opportunities of now created before a cutoff, and the leads a later change of stage or status may have made
    /// one then (bound to the cutoff three times).
    static let asOf = """
        SELECT \(list) FROM \(opportunities) WHERE stage IS NOT NULL AND created_at < ?
        UNION ALL
        SELECT \(list) FROM leads WHERE stage IS NULL AND created_at < ? AND id IN (
            SELECT lead_id FROM lead_history WHERE at >= ? AND field IN ('stage', 'status'))
        """

    /// Each won or lost opportunity of a product, for the stages it went through.
    static let closedOpportunities = """
        SELECT id, product, stage = 'won' FROM \(opportunities)
        WHERE stage IN ('won', 'lost') AND status = 'opportunity' AND is_test = 0 AND product IS NOT NULL
        """

    /// Leads and opportunities per group, test and status. Grouped by the filters too rather than filtered row
    /// by row: over `leads_funnel_source` that is one walk in index order, and the few groups are filtered after.
    static func funnelTotals(_ grouping: FunnelGrouping, created: [String]) -> String {
        let column = column(of: grouping)
        return """
            SELECT \(column), is_test, status, COUNT(*), COUNT(stage) FROM leads
            \(created.isEmpty ? "" : "WHERE " + created.joined(separator: " AND "))
            GROUP BY \(column), is_test, status
            """
    }

    /// The won and lost opportunities one by one, for their days to close and won amounts.
    static func funnelOutcomes(_ grouping: FunnelGrouping, created: [String], includeTest: Bool) -> String {
        let conditions = ["stage IN ('won', 'lost')", "status = 'opportunity'"] + created + (includeTest ? [] : ["is_test = 0"])
        return """
            SELECT \(column(of: grouping)), stage = 'won', currency, amount, closed_at - created_at FROM \(opportunities)
            WHERE \(conditions.joined(separator: " AND "))
            """
    }

    static func lead(from row: Row) throws -> ReportLead {
        let statusText: String = row[1]
        guard let status = LeadStatus(rawValue: statusText) else {
            throw StoreError(code: "corrupt_row", message: "lead \(row[0] as String? ?? "?") has unknown status '\(statusText)'")
        }
        var opportunity: Opportunity?
        if let stage: String = row[9] {
            opportunity = Opportunity(
                stage: stage, amount: row[10], currency: row[11], probability: row[12] ?? 0, expectedClose: row[13],
                closedAt: (row[14] as Int64?).map(SQLiteSchema.date), manual: row[15]
            )
        }
        return ReportLead(
            id: row[0], status: status, isTest: row[2], product: row[3], owner: row[4], source: row[5], campaign: row[6],
            criteria: row[7], createdAt: SQLiteSchema.date(row[8]), opportunity: opportunity
        )
    }

    static func column(of grouping: FunnelGrouping) -> String {
        switch grouping {
        case .source: "source"
        case .campaign: "campaign"
        case .product: "product"
        case .criteria: "criteria"
        case .owner: "owner"
        }
    }

    /// Midnight UTC starting `day` (`YYYY-MM-DD`); nil when it is not such a day.
    static func utcStart(of day: String) -> Date? {
        guard CalendarDay.isValid(day) else { return nil }
        return try? Date(day + "T00:00:00Z", strategy: .iso8601)
    }
}
