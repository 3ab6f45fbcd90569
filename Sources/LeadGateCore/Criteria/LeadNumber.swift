/// Reads amounts as people type them into forms: `20,000`, `20000 ₪`, `₪20,000`, `$20k`, `1.5M`, `20 000`.
///
/// A dot is always the decimal point (as in Israel and the US); a comma, a space or an apostrophe
/// separates thousands and must be followed by groups of exactly three digits, so `1,5` and
/// `20-30` are not numbers. One currency sign or code may stand before or after the number, and a
/// `k` or `m` suffix multiplies by a thousand or a million. Anything with other words in it
/// (`around 20`, `lots`) is not a number.
public enum LeadNumber {
    /// The number written in `text`, or nil when it is not plainly a number.
    public static func parse(_ text: String) -> Double? {
        var rest = trimmed(Substring(text))
        var sign = 1.0
        if let first = rest.first, first == "-" || first == "−" || first == "+" {
            sign = first == "+" ? 1 : -1
            rest = trimmed(rest.dropFirst())
        }
        rest = trimmed(withoutCurrency(rest))
        var multiplier = 1.0
        if let last = rest.last, let scale = suffixScale(last) {
            multiplier = scale
            rest = trimmed(rest.dropLast())
        }
        guard let body = plainNumber(rest) else { return nil }
        return sign * body * multiplier
    }

    private static func suffixScale(_ character: Character) -> Double? {
        switch character {
        case "k", "K": 1_000
        case "m", "M": 1_000_000
        default: nil
        }
    }

    /// Signs and codes people put next to amounts; codes are matched without regard to case.
    private static let currencyPrefixes: [String] = ["us$", "₪", "$", "€", "£", "ils", "nis", "usd", "eur", "gbp"]
    private static let currencySuffixes: [String] = [
        "₪", "$", "€", "£", "ש״ח", "ש\"ח", "שח", "שקלים", "שקל", "ils", "nis", "usd", "eur", "gbp",
    ]

    private static func withoutCurrency(_ text: Substring) -> Substring {
        let lowered = text.lowercased()
        for prefix in currencyPrefixes where lowered.hasPrefix(prefix) {
            return text.dropFirst(prefix.count)
        }
        for suffix in currencySuffixes where lowered.hasSuffix(suffix) {
            return text.dropLast(suffix.count)
        }
        return text
    }

    private static func trimmed(_ text: Substring) -> Substring {
        guard let start = text.firstIndex(where: { !$0.isWhitespace }),
              let end = text.lastIndex(where: { !$0.isWhitespace })
        else { return text[text.endIndex...] }
        return text[start...end]
    }

    /// Digits with optional thousands groups and an optional decimal part; nil for anything else.
    private static func plainNumber(_ text: Substring) -> Double? {
        var digits = ""
        var separator: Character?
        var groupLength = 0
        var groups = 0
        var sawPoint = false
        var fractionDigits = 0
        for character in text {
            if let ascii = character.asciiValue, (48...57).contains(ascii) {
                digits.append(character)
                if sawPoint { fractionDigits += 1 } else { groupLength += 1 }
            } else if character == "." {
                guard !sawPoint, groups == 0 || groupLength == 3 else { return nil }
                sawPoint = true
                digits.append(".")
            } else if character == "," || character == "'" || character.isWhitespace {
                // Thousands separators: one kind per number, never after the decimal point.
                let kind: Character = character.isWhitespace ? " " : character
                guard !sawPoint, separator == nil || separator == kind else { return nil }
                guard groups == 0 ? (1...3).contains(groupLength) : groupLength == 3 else { return nil }
                separator = kind
                groups += 1
                groupLength = 0
            } else {
                return nil
            }
        }
        if groups > 0, !sawPoint, groupLength != 3 { return nil }
        if sawPoint, fractionDigits == 0 { return nil }
        guard digits.contains(where: \.isNumber), let value = Double(digits), value.isFinite else { return nil }
        return value
    }
}
