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
        // Works on the UTF-8 bytes: criteria parse the same few fields for every lead, and
        // Character-level trimming and matching cost more than the whole rest of a comparison.
        text.lendingUTF8(parse(bytes:))
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var text = bytes[...]
        trim(&text)
        var sign = 1.0
        if let first = text.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            text = text.dropFirst()
        } else if text.starts(with: minusSign) {
            sign = -1
            text = text.dropFirst(minusSign.count)
        }
        trim(&text)
        stripCurrency(&text)
        trim(&text)
        var multiplier = 1.0
        switch text.last {
        case UInt8(ascii: "k"), UInt8(ascii: "K"): multiplier = 1_000
        case UInt8(ascii: "m"), UInt8(ascii: "M"): multiplier = 1_000_000
        default: break
        }
        if multiplier != 1 {
            text = text.dropLast()
            trim(&text)
        }
        guard let body = plainNumber(text) else { return nil }
        return sign * body * multiplier
    }

    private static let minusSign = Array("−".utf8)

    /// Signs and codes people put next to amounts; codes are matched without regard to case.
    private static let currencyPrefixes = PackedTexts(["us$", "₪", "$", "€", "£", "ils", "nis", "usd", "eur", "gbp"])
    private static let currencySuffixes = PackedTexts([
        "₪", "$", "€", "£", "ש״ח", "ש\"ח", "שח", "שקלים", "שקל", "ils", "nis", "usd", "eur", "gbp",
    ])

    private static func stripCurrency(_ text: inout Slice<UnsafeBufferPointer<UInt8>>) {
        // Most amounts start and end with a digit: no sign or code to look for.
        let isDigit = { (byte: UInt8?) in byte.map { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ?? true }
        if isDigit(text.first), isDigit(text.last) { return }
        let bytes = UnsafeBufferPointer(rebasing: text)
        var length = 0
        if currencyPrefixes.contains(where: { code in
            length = code.count
            return bytes.count >= length && CriteriaText.equals(UnsafeBufferPointer(rebasing: bytes.prefix(length)), code, lowering: true)
        }) {
            text = text.dropFirst(length)
        } else if currencySuffixes.contains(where: { code in
            length = code.count
            return bytes.count >= length && CriteriaText.equals(UnsafeBufferPointer(rebasing: bytes.suffix(length)), code, lowering: true)
        }) {
            text = text.dropLast(length)
        }
    }

    /// Length of the space (ASCII, no-break, or one of the typographic spaces U+2000–U+200A, U+202F) at `index`, or 0.
    private static func spaceLength(_ text: Slice<UnsafeBufferPointer<UInt8>>, at index: Int) -> Int {
        let byte = text[index]
        if byte == 0x20 || byte == 0x09 { return 1 }
        if byte == 0xC2, index + 1 < text.endIndex, text[index + 1] == 0xA0 { return 2 }
        if byte == 0xE2, index + 2 < text.endIndex, text[index + 1] == 0x80, (0x80...0x8A).contains(text[index + 2]) || text[index + 2] == 0xAF {
            return 3
        }
        return 0
    }

    private static func trim(_ text: inout Slice<UnsafeBufferPointer<UInt8>>) {
        while !text.isEmpty {
            let length = spaceLength(text, at: text.startIndex)
            if length == 0 { break }
            text = text.dropFirst(length)
        }
        while !text.isEmpty {
            var start = text.endIndex - 1
            while start > text.startIndex, text[start] & 0xC0 == 0x80 { start -= 1 }
            guard spaceLength(text, at: start) == text.endIndex - start else { break }
            text = text[text.startIndex..<start]
        }
    }

    /// Digits with optional thousands groups and an optional decimal part; nil for anything else.
    private static func plainNumber(_ text: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
        var mantissa: UInt64 = 0
        var digitCount = 0
        var separator: UInt8?
        var groupLength = 0
        var groups = 0
        var sawPoint = false
        var fractionDigits = 0
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            let space = spaceLength(text, at: index)
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                // Past 15 digits a Double is no longer exact; no one types such an amount.
                guard digitCount < 15 else { return nil }
                mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                digitCount += 1
                if sawPoint { fractionDigits += 1 } else { groupLength += 1 }
                index += 1
            } else if byte == UInt8(ascii: ".") {
                guard !sawPoint, groups == 0 || groupLength == 3 else { return nil }
                sawPoint = true
                index += 1
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "'") || space > 0 {
                // Thousands separators: one kind per number, never after the decimal point.
                let kind = space > 0 ? UInt8(ascii: " ") : byte
                guard !sawPoint, separator == nil || separator == kind else { return nil }
                guard groups == 0 ? (1...3).contains(groupLength) : groupLength == 3 else { return nil }
                separator = kind
                groups += 1
                groupLength = 0
                index += max(space, 1)
            } else {
                return nil
            }
        }
        if groups > 0, !sawPoint, groupLength != 3 { return nil }
        guard digitCount > 0, !(sawPoint && fractionDigits == 0) else { return nil }
        // Both operands are exact, so one division rounds correctly, as parsing the decimal text would.
        var scale = 1.0
        for _ in 0..<fractionDigits { scale *= 10 }
        return Double(mantissa) / scale
    }
}
