import Foundation

/// How long a report bucket is: `quarter`, `half` or `year`.
public enum ReportPeriod: String, Sendable, Hashable, CaseIterable, Codable {
    case quarter, half, year

    var months: Int {
        switch self {
        case .quarter: 3
        case .half: 6
        case .year: 12
        }
    }
}

/// One bucket of a report: a stable label and the days it covers, both ends included.
public struct PeriodBucket: Sendable, Hashable, Encodable {
    /// `2026-Q1`, `2026-H2`, `2026`; in a fiscal year, `FY2027-Q1`, `FY2027-H1`, `FY2027`.
    public let label: String
    /// The first day, `YYYY-MM-DD`.
    public let start: String
    /// The last day, `YYYY-MM-DD`.
    public let end: String
}

/// Maps dates and days to quarters, halves or years, calendar or fiscal, in one time zone.
///
/// A fiscal year (`fiscalYearStartMonth` > 1) is labelled by the calendar year in which it ENDS: with a
/// start in April, April 2026 ... March 2027 is `FY2027`, and April 2026 is in `FY2027-Q1`. A calendar
/// year (start month 1) has plain labels (`2026-Q1`). Days are `YYYY-MM-DD` as `CalendarDay` writes them.
public struct PeriodCalendar: Sendable, Hashable {
    public let period: ReportPeriod
    /// The month (1...12) the fiscal year starts in; 1 for calendar years.
    public let fiscalYearStartMonth: Int
    /// The zone in which a `Date` falls on a day (the server's).
    public let timeZone: TimeZone

    /// A calendar of `period` buckets; `fiscalYearStartMonth` must be 1...12 (`ForecastSettings` checks the config's).
    public init(period: ReportPeriod, fiscalYearStartMonth: Int = 1, timeZone: TimeZone) {
        precondition((1...12).contains(fiscalYearStartMonth), "fiscal year start month \(fiscalYearStartMonth) is not 1...12")
        self.period = period
        self.fiscalYearStartMonth = fiscalYearStartMonth
        self.timeZone = timeZone
    }

    /// The bucket `date` falls in, on its day in `timeZone`; nil only outside years 0...9999.
    public func bucket(containing date: Date) -> PeriodBucket? {
        key(of: date).map(bucket(for:))
    }

    /// The bucket of `day` (`YYYY-MM-DD`); nil when it is not such a day.
    public func bucket(containingDay day: String) -> PeriodBucket? {
        key(ofDay: day).map(bucket(for:))
    }

    /// Every bucket from the one containing `from` to the one containing `to`, in order (empty when
    /// `to` is before `from`); nil when either is not a `YYYY-MM-DD` day.
    public func buckets(from: String, to: String) -> [PeriodBucket]? {
        keys(from: from, to: to).map { $0.map(bucket(for:)) }
    }

    // MARK: - Keys: what aggregation uses per row (no strings built)

    /// The buckets' keys from `from` to `to`, as `buckets(from:to:)`.
    func keys(from: String, to: String) -> [BucketKey]? {
        guard let first = key(ofDay: from), let last = key(ofDay: to) else { return nil }
        // Valid `YYYY-MM-DD` days sort as text in time order.
        guard from <= to else { return [] }
        var keys: [BucketKey] = []
        var key = first
        while key <= last {
            keys.append(key)
            key = next(after: key)
        }
        return keys
    }

    func key(of date: Date) -> BucketKey? {
        key(ofDay: CalendarDay.string(date, in: timeZone))
    }

    func key(ofDay day: String) -> BucketKey? {
        guard let parts = DayParts(day) else { return nil }
        let offset = (parts.month - fiscalYearStartMonth + 12) % 12
        let startYear = parts.month >= fiscalYearStartMonth ? parts.year : parts.year - 1
        return BucketKey(year: startYear + endYearShift, index: offset / period.months)
    }

    func bucket(for key: BucketKey) -> PeriodBucket {
        let prefix = fiscalYearStartMonth == 1 ? "\(key.year)" : "FY\(key.year)"
        let label = switch period {
        case .quarter: "\(prefix)-Q\(key.index + 1)"
        case .half: "\(prefix)-H\(key.index + 1)"
        case .year: prefix
        }
        // Months counted from January of the year the fiscal year starts in.
        let firstMonth = (key.year - endYearShift) * 12 + (fiscalYearStartMonth - 1) + key.index * period.months
        let lastMonth = firstMonth + period.months - 1
        let lastYear = lastMonth / 12, lastMonthOfYear = lastMonth % 12 + 1
        return PeriodBucket(
            label: label,
            start: DayParts(year: firstMonth / 12, month: firstMonth % 12 + 1, day: 1).string,
            end: DayParts(year: lastYear, month: lastMonthOfYear, day: DayParts.days(inMonth: lastMonthOfYear, of: lastYear)).string
        )
    }

    func next(after key: BucketKey) -> BucketKey {
        key.index + 1 < 12 / period.months ? BucketKey(year: key.year, index: key.index + 1) : BucketKey(year: key.year + 1, index: 0)
    }

    /// A fiscal year that starts after January ends in the next calendar year, which names it.
    private var endYearShift: Int { fiscalYearStartMonth == 1 ? 0 : 1 }
}

/// A bucket as aggregation keys it: the year that labels it and its position in that year.
struct BucketKey: Hashable, Comparable, Sendable {
    var year: Int
    var index: Int

    static func < (lhs: BucketKey, rhs: BucketKey) -> Bool {
        (lhs.year, lhs.index) < (rhs.year, rhs.index)
    }
}

/// A `YYYY-MM-DD` day read without `Calendar`: reports read one per opportunity.
struct DayParts: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Nil unless `text` is four, two and two ASCII digits joined by `-`, naming a real day.
    init?(_ text: String) {
        var fields = (0, 0, 0)
        var digits = 0
        for (position, byte) in text.utf8.enumerated() {
            if position == 4 || position == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard position < 10, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let value = Int(byte - UInt8(ascii: "0"))
            switch position {
            case 0..<4: fields.0 = fields.0 * 10 + value
            case 5..<7: fields.1 = fields.1 * 10 + value
            default: fields.2 = fields.2 * 10 + value
            }
            digits += 1
        }
        guard digits == 8, (1...12).contains(fields.1), (1...Self.days(inMonth: fields.1, of: fields.0)).contains(fields.2) else { return nil }
        self.init(year: fields.0, month: fields.1, day: fields.2)
    }

    /// Proleptic Gregorian month lengths, as `CalendarDay` counts.
    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    var string: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}
