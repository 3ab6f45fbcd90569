import Foundation

/// Forecast and funnel rows as RFC 4180 CSV: a header row, CRLF line ends, a field quoted when it holds a
/// comma, a quote or a line break. Numbers use `.` and no grouping whatever the locale: amounts with 2
/// decimals, ratios with 4, days with 2; an absent value (no group, no ratio) is an empty field.
public enum ReportCSV {
    /// The forecast's rows, one line each.
    public static func forecast(_ rows: [ForecastRow]) -> String {
        var lines = [[
            "period", "group", "currency", "open_count", "open_pipeline", "weighted_pipeline", "commit", "best_case",
            "won_count", "won_amount", "lost_count",
        ]]
        for row in rows {
            lines.append([
                row.period, row.group ?? "", row.currency, String(row.openCount), fixed(row.openPipeline, 2),
                fixed(row.weightedPipeline, 2), fixed(row.commit, 2), fixed(row.bestCase, 2),
                String(row.wonCount), fixed(row.wonAmount, 2), String(row.lostCount),
            ])
        }
        return text(lines)
    }

    /// The funnel's rows, one line each, with a `won_revenue_<CUR>` column per currency any row has.
    public static func funnel(_ rows: [FunnelRow]) -> String {
        let currencies = Set(rows.flatMap(\.wonRevenue.keys)).sorted()
        var lines = [[
            "group", "leads", "opportunities", "won", "lost", "lead_to_opportunity", "opportunity_to_won", "median_days_to_close",
        ] + currencies.map { "won_revenue_\($0)" }]
        for row in rows {
            let counts: [String] = [row.group ?? "", String(row.leads), String(row.opportunities), String(row.won), String(row.lost)]
            let ratios: [String] = [
                row.leadToOpportunity.map { fixed($0, 4) } ?? "", row.opportunityToWon.map { fixed($0, 4) } ?? "",
                row.medianDaysToClose.map { fixed($0, 2) } ?? "",
            ]
            lines.append(counts + ratios + currencies.map { fixed(row.wonRevenue[$0] ?? 0, 2) })
        }
        return text(lines)
    }

    private static func text(_ lines: [[String]]) -> String {
        lines.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    private static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `value` rounded half away from zero to `places` decimals, written without `Locale`.
    static func fixed(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "" }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        // Beyond Int64 the cents no longer exist in a Double anyway.
        guard scaled < 9e18 else { return String(format: "%.\(places)f", value) }
        let units = Int64(scaled)
        let fraction = String(units % scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        return "\(sign)\(units / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
