/// A `matches` pattern that is only literal text: one text or alternatives of texts, perhaps anchored
/// (`^(test|asdf)`, `(?i)(ceo|vp|מנכ"ל)`, `@acme\.co\.il$`). Criteria write such patterns more often than
/// any other, and a search for them on a value's own bytes costs a small part of a regular-expression
/// engine's search.
///
/// It answers only where the answer is the engine's for certain: for plain text (see `CriteriaText.Form`),
/// where folding a case is lowering ASCII capitals, as it is for the engine's case-insensitive matching.
/// Any other value, and a value a `$` might match before its final line break, go to the engine.
struct LiteralPattern {
    private let alternatives: PackedTexts
    private let anchoredAtStart: Bool
    private let anchoredAtEnd: Bool
    private let caseInsensitive: Bool

    /// The literal form of `pattern` (composed), or nil when it is anything more than literal text.
    ///
    /// Taken: an optional leading `(?i)`, an optional `^`, one text or `|`-separated texts (in `(...)`
    /// or `(?:...)` when anchored), an optional `$`. A text may hold any character but the engine's
    /// operators; a `\` makes an operator literal, and the marks people escape out of habit (`-/@#"'`
    /// and a space). Every text must be non-empty and plain.
    init?(_ pattern: String, caseSensitive: Bool) {
        var rest = Substring(pattern)
        var caseInsensitive = !caseSensitive
        if rest.hasPrefix("(?i)") {
            caseInsensitive = true
            rest = rest.dropFirst(4)
        }
        let anchoredAtStart = rest.first == "^"
        if anchoredAtStart { rest = rest.dropFirst() }
        // A `$` ending an escape (`\$`) is literal: literal text is read below, escapes and all.
        var anchoredAtEnd = false
        if rest.last == "$", !Self.endsEscaped(rest.dropLast()) {
            anchoredAtEnd = true
            rest = rest.dropLast()
        }
        var grouped = false
        if rest.last == ")", !Self.endsEscaped(rest.dropLast()) {
            if rest.hasPrefix("(?:") {
                rest = rest.dropFirst(3).dropLast()
            } else if rest.hasPrefix("(") {
                rest = rest.dropFirst().dropLast()
            } else {
                return nil
            }
            grouped = true
        }
        guard let texts = Self.texts(rest) else { return nil }
        // `^a|b` is `(^a)|b`: an anchor outside a group binds to one alternative only.
        if texts.count > 1, !grouped, anchoredAtStart || anchoredAtEnd { return nil }
        var folded: [String] = []
        for text in texts {
            let form = CriteriaText.form(text)
            guard !text.isEmpty, form.isPlain else { return nil }
            folded.append(caseInsensitive && form.hasASCIICapitals ? UnicodeText.lowercasedASCII(text) : text)
        }
        self.alternatives = PackedTexts(folded)
        self.anchoredAtStart = anchoredAtStart
        self.anchoredAtEnd = anchoredAtEnd
        self.caseInsensitive = caseInsensitive
    }

    /// The texts of `|`-separated literal text, unescaped; nil at an operator.
    private static func texts(_ source: Substring) -> [String]? {
        var texts: [String] = []
        var current = ""
        var escaped = false
        for character in source {
            if escaped {
                // `\.` and the like are literal; `\d`, `\b`, `\u...` are not.
                guard Self.escapable.contains(character) else { return nil }
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "|":
                texts.append(current)
                current = ""
            case "^", "$", ".", "?", "*", "+", "(", ")", "[", "]", "{", "}": return nil
            default: current.append(character)
            }
        }
        guard !escaped else { return nil }
        texts.append(current)
        return texts
    }

    /// What a `\` makes literal here: the engine's operators and the marks people escape out of habit.
    private static let escapable = Set(#"\^$.|?*+()[]{}-/@#"' "#)

    /// True when `text` ends in an unpaired `\`, which escapes the character after it.
    private static func endsEscaped(_ text: Substring) -> Bool {
        text.reversed().prefix { $0 == "\\" }.count % 2 == 1
    }

    /// Whether the pattern is found in `bytes` (UTF-8 of the form `form`); nil when only the engine can tell.
    func found(in bytes: UnsafeBufferPointer<UInt8>, form: CriteriaText.Form) -> Bool? {
        guard form.isPlain else { return nil }
        // `$` also matches before a line break that ends the text.
        if anchoredAtEnd, let last = bytes.last, (0x0A...0x0D).contains(last) { return nil }
        let lowering = caseInsensitive && form.hasASCIICapitals
        return alternatives.contains { text in
            switch (anchoredAtStart, anchoredAtEnd) {
            case (true, true):
                CriteriaText.equals(bytes, text, lowering: lowering)
            case (true, false):
                bytes.count >= text.count && CriteriaText.equals(UnsafeBufferPointer(rebasing: bytes.prefix(text.count)), text, lowering: lowering)
            case (false, true):
                bytes.count >= text.count && CriteriaText.equals(UnsafeBufferPointer(rebasing: bytes.suffix(text.count)), text, lowering: lowering)
            case (false, false):
                CriteriaText.contains(bytes, text, lowering: lowering)
            }
        }
    }
}
