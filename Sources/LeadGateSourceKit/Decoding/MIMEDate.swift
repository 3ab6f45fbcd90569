import Foundation

/// Dates of mail headers (RFC 5322 §3.3, with the obsolete forms of §4.3), without Foundation's formatters.
///
/// Takes what mailers really send: no day name, no seconds, two- and three-digit years, zone names (`GMT`,
/// `EST`, military letters, unknown ones as UTC), `+02:00` with a colon, comments such as `(PDT)`, and the
/// asctime order `Sat Nov 28 09:15:02 2026`. A date that does not exist (31 February, 25:00) is nil.
public enum MIMEDate {
    /// The instant `text` names, or nil when it is not a date.
    public static func parse(_ text: String) -> Date? {
        var day: Int?
        var month: Int?
        var year: Int?
        var time: (hour: Int, minute: Int, second: Int)?
        var offset: Int?
        for token in tokens(text) {
            guard let first = token.first else { continue }
            if isDigit(first), token.contains(colon) {
                guard time == nil, let parsed = parseTime(token) else { return nil }
                time = parsed
            } else if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
                guard let parsed = parseOffset(token.dropFirst(), negative: first == UInt8(ascii: "-")) else { return nil }
                offset = parsed
            } else if token.allSatisfy(isDigit) {
                guard token.count <= 4, let number = number(token) else { return nil }
                if token.count <= 2, day == nil {
                    day = number
                } else if year == nil {
                    year = token.count == 4 ? number : (token.count == 3 ? 1900 + number : (number < 50 ? 2000 + number : 1900 + number))
                } else {
                    return nil
                }
            } else if let number = monthNumber(token) {
                if month == nil { month = number }
            } else if let zone = zoneOffset(token) {
                if offset == nil, time != nil { offset = zone }
            }
            // Anything else (a day name) is ignored.
        }
        guard let day, let month, let year, let time, (1900...9999).contains(year) else { return nil }
        guard (1...daysIn(month: month, year: year)).contains(day), time.hour < 24, time.minute < 60, time.second <= 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + time.hour * 3_600 + time.minute * 60 + time.second - (offset ?? 0)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let colon = UInt8(ascii: ":")

    /// Words of the date (bytes) with comments removed and commas as separators.
    private static func tokens(_ text: String) -> [ArraySlice<UInt8>] {
        var cleaned: [UInt8] = []
        var depth = 0
        for byte in text.utf8.prefix(200) {
            switch byte {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth = max(0, depth - 1)
            case UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): if depth == 0 { cleaned.append(UInt8(ascii: " ")) }
            default: if depth == 0 { cleaned.append(byte) }
            }
        }
        return cleaned.split(separator: UInt8(ascii: " "))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The value of ASCII digits (at most four).
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func parseTime(_ token: ArraySlice<UInt8>) -> (hour: Int, minute: Int, second: Int)? {
        let pieces = token.split(separator: colon, omittingEmptySubsequences: false)
        guard (2...3).contains(pieces.count), pieces.allSatisfy({ (1...2).contains($0.count) }) else { return nil }
        let numbers = pieces.compactMap(number)
        guard numbers.count == pieces.count else { return nil }
        return (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 0)
    }

    /// `0200`, `02:00` or `02` after the sign, in seconds east of UTC.
    private static func parseOffset(_ digits: ArraySlice<UInt8>, negative: Bool) -> Int? {
        let plain = digits.filter { $0 != colon }[...]
        guard plain.count == 2 || plain.count == 4, let value = number(plain) else { return nil }
        let (hours, minutes) = plain.count == 2 ? (value, 0) : (value / 100, value % 100)
        guard hours <= 18, minutes < 60 else { return nil }
        let seconds = hours * 3_600 + minutes * 60
        return negative ? -seconds : seconds
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { Array($0.utf8) }
    private static let zoneHours: [String: Int] = ["EDT": -4, "EST": -5, "CDT": -5, "CST": -6, "MDT": -6, "MST": -7, "PDT": -7, "PST": -8]

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    /// `Nov` or `November`, any case.
    private static func monthNumber(_ token: ArraySlice<UInt8>) -> Int? {
        guard token.count >= 3, token.allSatisfy(isLetter) else { return nil }
        let prefix = token.prefix(3).map { $0 | 0x20 }
        return months.firstIndex(of: prefix).map { $0 + 1 }
    }

    /// RFC 5322 §4.3 zone names; other letters (military zones, `IST`) are read as UTC, as §4.3 advises.
    private static func zoneOffset(_ token: ArraySlice<UInt8>) -> Int? {
        guard token.count <= 5, token.allSatisfy(isLetter) else { return nil }
        let name = String(decoding: token.map { $0 & ~0x20 }, as: UTF8.self)
        return (zoneHours[name] ?? 0) * 3_600
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        case 1...12: 31
        default: 0
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = shifted / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
