import Foundation

/// A forecast row as stored when its bucket starts, to be compared with what was won by its end.
public struct ForecastSnapshot: Sendable, Hashable, Codable {
    /// The bucket's label (`2026-Q2`).
    public var period: String
    public var grouping: ForecastGrouping
    public var group: String?
    public var currency: String
    public var weighted: Double
    public var commit: Double
    public var bestCase: Double

    /// A snapshot as stored.
    public init(period: String, grouping: ForecastGrouping, group: String?, currency: String, weighted: Double, commit: Double, bestCase: Double) {
        self.period = period
        self.grouping = grouping
        self.group = group
        self.currency = currency
        self.weighted = weighted
        self.commit = commit
        self.bestCase = bestCase
    }

    /// The snapshot of `row` of a forecast grouped by `grouping`.
    public init(_ row: ForecastRow, grouping: ForecastGrouping) {
        self.init(
            period: row.period, grouping: grouping, group: row.group, currency: row.currency,
            weighted: row.weightedPipeline, commit: row.commit, bestCase: row.bestCase
        )
    }

    enum CodingKeys: String, CodingKey {
        case period, grouping, group, currency, weighted, commit, bestCase = "best_case"
    }
}

/// How far one bucket's weighted forecast was from what was won.
public struct AccuracyRow: Sendable, Hashable, Encodable {
    public var period: String
    public var group: String?
    public var currency: String
    /// The weighted pipeline snapshotted at the bucket's start.
    public var forecast: Double
    /// What was won in the bucket.
    public var actual: Double
    /// actual − forecast: positive when more was won than forecast.
    public var error: Double { actual - forecast }
    /// |actual − forecast| / actual, as a fraction (0.25 is 25 %); nil when nothing was won.
    public var absolutePercentageError: Double? { actual == 0 ? nil : abs(actual - forecast) / actual }

    enum CodingKeys: String, CodingKey {
        case period, group, currency, forecast, actual, error, absolutePercentageError = "absolute_percentage_error"
    }

    /// The stored figures and the derived `error` and `absolute_percentage_error` (left out when nil).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(period, forKey: .period)
        try container.encodeIfPresent(group, forKey: .group)
        try container.encode(currency, forKey: .currency)
        try container.encode(forecast, forKey: .forecast)
        try container.encode(actual, forKey: .actual)
        try container.encode(error, forKey: .error)
        try container.encodeIfPresent(absolutePercentageError, forKey: .absolutePercentageError)
    }
}

/// Compares stored forecast snapshots with actual wins.
public enum ForecastAccuracy {
    /// One row per bucket, group and currency of `grouping` (`org` for the organisation, `owner` per rep).
    ///
    /// `actuals` are rows of a forecast by the same grouping; their `wonAmount` is what was won. A bucket
    /// counts only when it has a snapshot of `grouping`; within it, a group or currency won without a
    /// snapshot row was forecast at 0, and a snapshot row with nothing won has actual 0. Rows are sorted
    /// by period label (labels of one calendar sort in time order), group (nil first), currency.
    public static func rows(snapshots: [ForecastSnapshot], actuals: some Sequence<ForecastRow>, grouping: ForecastGrouping) -> [AccuracyRow] {
        var rows: [AccuracyKey: AccuracyRow] = [:]
        var periods: Set<String> = []
        for snapshot in snapshots where snapshot.grouping == grouping {
            let key = AccuracyKey(period: snapshot.period, group: snapshot.group, currency: snapshot.currency)
            rows[key, default: AccuracyRow(period: key.period, group: key.group, currency: key.currency, forecast: 0, actual: 0)]
                .forecast += snapshot.weighted
            periods.insert(snapshot.period)
        }
        for actual in actuals where periods.contains(actual.period) {
            let key = AccuracyKey(period: actual.period, group: actual.group, currency: actual.currency)
            rows[key, default: AccuracyRow(period: key.period, group: key.group, currency: key.currency, forecast: 0, actual: 0)]
                .actual += actual.wonAmount
        }
        return rows.values.sorted { lhs, rhs in
            if lhs.period != rhs.period { return lhs.period < rhs.period }
            if lhs.group != rhs.group { return groupPrecedes(lhs.group, rhs.group) }
            return lhs.currency < rhs.currency
        }
    }
}

private struct AccuracyKey: Hashable {
    var period: String
    var group: String?
    var currency: String
}
