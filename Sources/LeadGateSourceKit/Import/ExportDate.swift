import Foundation

/// The submission times that ad platforms write in their lead exports, and what spreadsheets make of them.
///
/// Read: ISO 8601 with `T` or a space, seconds and fractions optional, and an offset `Z`, `+0200`, `+02:00`,
/// `+02`, `UTC` or `GMT` (Meta `2026-03-01T10:15:30+0200`; Google `2026-03-01 10:15:30+02:00` and
/// `2024-09-26T12:30:00Z`); a date alone; slashed dates `3/1/2026 10:15`, `3/1/26 1:05 PM` (month first unless
/// `dayFirst`); dotted dates `1.3.2026 10:15` (always day first); Unix seconds or milliseconds (LinkedIn's
/// `submittedAt`); and Excel serial day numbers such as `46082.427`. A time without an offset is in `timeZone`.
enum ExportDate {
    /// The moment `text` (without surrounding spaces) names; nil when it is none of the forms above.
    static func parse(_ text: String, timeZone: TimeZone, dayFirst: Bool) -> Date? {
        var cursor = DateCursor(Array(text.utf8))
        if let number = cursor.plainNumber() { return numericDate(number, timeZone: timeZone) }
        guard let date = cursor.calendarDate(dayFirst: dayFirst),
            (1...12).contains(date.month), (1...daysIn(month: date.month, year: date.year)).contains(date.day),
            let seconds = cursor.timeOfDay(), let offset = cursor.offset(), cursor.isAtEnd
        else { return nil }
        let local = Double(daysSinceEpoch(year: date.year, month: date.month, day: date.day) * 86_400) + seconds
        guard case .seconds(let offsetSeconds) = offset else { return localDate(local, in: timeZone) }
        return Date(timeIntervalSince1970: local - Double(offsetSeconds))
    }

    /// Unix seconds (9 to 10 digits) or milliseconds (12 to 13), or an Excel serial day (days since 1899-12-30,
    /// local time) between 1954 and 2119; nil for other numbers, which are not dates.
    private static func numericDate(_ value: Double, timeZone: TimeZone) -> Date? {
        if value >= 1e8, value.rounded() == value {
            return Date(timeIntervalSince1970: value >= 1e11 ? value / 1000 : value)
        }
        guard (20_000..<80_000).contains(value) else { return nil }
        let excelEpoch = Double(daysSinceEpoch(year: 1899, month: 12, day: 30) * 86_400)
        return localDate(excelEpoch + (value * 86_400).rounded(), in: timeZone)
    }

    /// The moment a wall-clock time (`local` seconds, as if it were UTC) names in `timeZone`.
    private static func localDate(_ local: Double, in timeZone: TimeZone) -> Date {
        let guess = local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
        return Date(timeIntervalSince1970: local - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: guess))))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// A position in the ASCII of a date being read.
private struct DateCursor {
    let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }
    private var next: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// The whole text as a number when it is digits with at most one decimal point.
    func plainNumber() -> Double? {
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 == 0x2E || (0x30...0x39).contains($0) }),
            bytes.filter({ $0 == 0x2E }).count <= 1
        else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// `yyyy-mm-dd` (or with `/` or `.`), `m/d/yyyy`, `d/m/yyyy` when `dayFirst`, `d.m.yyyy`; two-digit years are 20yy.
    mutating func calendarDate(dayFirst: Bool) -> (year: Int, month: Int, day: Int)? {
        guard let first = number(maxDigits: 4), let separator = next, [0x2D, 0x2F, 0x2E].contains(separator) else { return nil }
        index += 1
        guard let second = number(maxDigits: 2), skip(separator) else { return nil }
        if first.digits == 4 {
            guard let day = number(maxDigits: 2) else { return nil }
            return (first.value, second.value, day.value)
        }
        guard first.digits <= 2, let year = number(maxDigits: 4), year.digits == 2 || year.digits == 4 else { return nil }
        let fullYear = year.digits == 2 ? 2000 + year.value : year.value
        return separator == 0x2E || dayFirst ? (fullYear, second.value, first.value) : (fullYear, first.value, second.value)
    }

    /// Seconds into the day of an optional `Thh:mm[:ss[.fff]]` or ` h:mm [AM|PM]`; 0 without a time, nil when malformed.
    mutating func timeOfDay() -> Double? {
        if next == 0x54 || next == 0x74 {
            index += 1
        } else {
            let start = index
            _ = skip(0x2C)
            skipSpaces()
            guard let byte = next, (0x30...0x39).contains(byte) else {
                // A date alone, perhaps with an offset after it.
                index = start
                return 0
            }
        }
        guard let hour = number(maxDigits: 2), skip(0x3A), let minute = number(maxDigits: 2), minute.digits == 2, minute.value < 60 else {
            return nil
        }
        var seconds = 0.0
        if skip(0x3A) {
            guard let second = number(maxDigits: 2), second.digits == 2, second.value <= 60 else { return nil }
            seconds = Double(second.value)
            if skip(0x2E) {
                let fractionStart = index
                guard let fraction = number(maxDigits: 9) else { return nil }
                seconds += Double(fraction.value) / pow(10, Double(index - fractionStart))
                while let byte = next, (0x30...0x39).contains(byte) { index += 1 }
            }
        }
        skipSpaces()
        var hours = hour.value
        let afternoon = word("pm")
        if afternoon || word("am") {
            guard (1...12).contains(hours) else { return nil }
            hours = hours % 12 + (afternoon ? 12 : 0)
        }
        guard hours < 24 else { return nil }
        return Double(hours * 3600 + minute.value * 60) + seconds
    }

    enum Offset {
        /// The text names no offset: the time is local.
        case none
        case seconds(Int)
    }

    /// The UTC offset after the time (`Z`, `UTC`, `GMT`, `+02:00`, `+0200`, `+02`, `GMT+2`); nil when malformed.
    mutating func offset() -> Offset? {
        skipSpaces()
        if word("z") { return .seconds(0) }
        let named = word("utc") || word("gmt")
        guard let sign = next, sign == 0x2B || sign == 0x2D else { return named ? .seconds(0) : Offset.none }
        index += 1
        guard let hours = number(maxDigits: 2), hours.value <= 14 else { return nil }
        var minutes = 0
        if skip(0x3A) || next.map({ (0x30...0x39).contains($0) }) == true {
            guard let value = number(maxDigits: 2), value.digits == 2, value.value < 60 else { return nil }
            minutes = value.value
        }
        let seconds = hours.value * 3600 + minutes * 60
        skipSpaces()
        return .seconds(sign == 0x2D ? -seconds : seconds)
    }

    private mutating func number(maxDigits: Int) -> (value: Int, digits: Int)? {
        var value = 0
        var digits = 0
        while digits < maxDigits, let byte = next, (0x30...0x39).contains(byte) {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        return digits == 0 ? nil : (value, digits)
    }

    private mutating func skip(_ byte: UInt8) -> Bool {
        guard next == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpaces() {
        while next == 0x20 { index += 1 }
    }

    /// Consumes `word` (lower-case ASCII) in any case.
    private mutating func word(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] | 0x20 != word.utf8Start[offset] {
            return false
        }
        index += count
        return true
    }
}
