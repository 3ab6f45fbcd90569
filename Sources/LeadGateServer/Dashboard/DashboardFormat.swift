import Foundation

/// How the dashboard writes text, numbers, amounts and times.
///
/// Written out by hand rather than through locale formatters: Israeli Hebrew and English group digits
/// the same way (`12,500.5`), and ICU's output (which spaces and bidi marks it inserts) changes between
/// versions, which the page's tests would then chase.
enum DashboardFormat {
    /// `text` safe inside an element or a double- or single-quoted attribute.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A count with thousands separators: `12,345`.
    static func count(_ value: Int) -> String {
        grouped(String(value.magnitude), negative: value < 0)
    }

    /// An amount rounded to whole units, with its currency code on the side the language reads it:
    /// `ILS 12,500` in English, `12,500 ILS` in Hebrew (which an RTL line shows with the number first).
    static func amount(_ value: Double, _ currency: String, _ language: DashboardLanguage) -> String {
        let number = decimal(value, fractionDigits: 0)
        return language == .hebrew ? "\(number) \(currency)" : "\(currency) \(number)"
    }

    /// A ratio as a percentage with at most one decimal: `0.4` → `40%`, `0.125` → `12.5%`.
    static func percent(_ ratio: Double) -> String {
        ratio.isFinite ? decimal(ratio * 100, fractionDigits: 1) + "%" : "—"
    }

    /// An axis label: `0.5`, `900`, `12.5K`, `2M`.
    static func compact(_ value: Double) -> String {
        switch value.magnitude {
        case 1_000_000...: decimal(value / 1_000_000, fractionDigits: 1) + "M"
        case 1_000...: decimal(value / 1_000, fractionDigits: 1) + "K"
        default: decimal(value, fractionDigits: 1)
        }
    }

    /// A coordinate or size in an SVG attribute: at most two decimals, no exponent.
    static func svg(_ value: Double) -> String {
        decimal(value, fractionDigits: 2, grouping: false)
    }

    /// ISO 8601 day and minute in `timeZone`: `2026-07-14 09:05`.
    static func timestamp(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d",
            parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0
        )
    }

    /// `value` with up to `fractionDigits` decimals, trailing zeros dropped, the integer part grouped.
    private static func decimal(_ value: Double, fractionDigits: Int, grouping: Bool = true) -> String {
        guard value.isFinite else { return "—" }
        var text = String(format: "%.\(fractionDigits)f", value.magnitude)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        let negative = value < 0 && text.contains(where: { $0 != "0" && $0 != "." })
        let parts = text.split(separator: ".", maxSplits: 1)
        let integer = grouping ? grouped(String(parts[0]), negative: negative) : (negative ? "-" : "") + parts[0]
        return parts.count == 2 ? "\(integer).\(parts[1])" : integer
    }

    /// Digits with a comma every three from the right.
    private static func grouped(_ digits: String, negative: Bool) -> String {
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return negative ? "-" + result : result
    }
}
