import Testing
@testable import LeadGateCore

/// `matches` patterns that are only literal text are searched on the value's bytes, without the
/// regular-expression engine. These hold that search to the engine's own answers, value by value.
@Suite("Literal patterns")
struct CriteriaPatternTests {
    struct PatternCase: Sendable, CustomTestStringConvertible {
        var pattern: String
        var caseSensitive = false
        /// Whether the pattern is taken as literal text.
        var literal: Bool
        var testDescription: String { "\(pattern)\(caseSensitive ? " (case sensitive)" : "") literal: \(literal)" }
    }

    static let cases: [PatternCase] = [
        PatternCase(pattern: "^(test|asdf|qwerty)", literal: true),
        PatternCase(pattern: "(?i)(ceo|cto|vp|director|מנכ\"ל)", literal: true),
        PatternCase(pattern: "(?i)(ceo|cto|vp)", caseSensitive: true, literal: true),     // the inline flag wins
        PatternCase(pattern: "(?:vp|ceo)$", literal: true),
        PatternCase(pattern: "ceo$", literal: true),
        PatternCase(pattern: "^ceo$", literal: true),
        PatternCase(pattern: "^CEO", caseSensitive: true, literal: true),
        PatternCase(pattern: "test", literal: true),
        PatternCase(pattern: "vp|ceo|מנהל", literal: true),
        PatternCase(pattern: "^דנה", literal: true),
        PatternCase(pattern: "@acme\\.co\\.il$", literal: true),
        PatternCase(pattern: "a\\.b", literal: true),
        PatternCase(pattern: "a\\+b|\\(c\\)", literal: true),
        PatternCase(pattern: "\\$5", literal: true),
        PatternCase(pattern: "50\\$$", literal: true),
        PatternCase(pattern: "\\-1\\/2", literal: true),
        PatternCase(pattern: "x\\@acme|a\\ b|\\#tag|\\\"q\\\"", literal: true),
        PatternCase(pattern: "#tag|\"q\"|₪", literal: true),
        // Anything more goes to the engine.
        PatternCase(pattern: "^vp|ceo", literal: false),           // the anchor binds to `vp` only
        PatternCase(pattern: "vp|ceo$", literal: false),
        PatternCase(pattern: "^(test|)", literal: false),          // an empty alternative matches anything
        PatternCase(pattern: "a.b", literal: false),
        PatternCase(pattern: "\\d+", literal: false),
        PatternCase(pattern: "\\bceo\\b", literal: false),
        PatternCase(pattern: "(ceo)(vp)", literal: false),
        PatternCase(pattern: "(?x)c e o", literal: false),
        PatternCase(pattern: "^🔥 hot", literal: false),            // an emoji is not plain text
        PatternCase(pattern: "^café", literal: false),              // nor is a Latin-1 letter
        PatternCase(pattern: "\\Qceo$\\E", literal: false),                 // the engine's own quoting
    ]

    /// Values across the cases the literal search tells apart: case, position, Hebrew, line breaks, and
    /// text that is not plain (which the engine answers).
    static let values = [
        "test user", "Test User", "a test", "TEST", "contest", "asdf", "qwerty!", "", "CEO", "ceo", "the ceo", "CEO\n",
        "ceo\r\n", "ceo\n ", "vp sales", "VP מכירות", "head of VP", "מנכ\"ל החברה", "מנכ״ל", "דנה כהן", "שלום דנה",
        "x@acme.co.il", "X@ACME.CO.IL", "x@acme.co.il.evil", "a.b", "a-b", "aXb", "a+b", "(c)", "c", "price $5",
        "50$", "50$\n", "-1/2", "x@acme", "a b", "#tag", "\"q\"", "₪", "director of it", "Ünïcode TEST", "\u{212A}CEO",
        "🔥 hot lead", "café", "cafe\u{0301}", "מנהל מכירות",
    ]

    @Test("a literal pattern answers as the engine does", arguments: cases)
    func agreesWithEngine(_ pattern: PatternCase) throws {
        let fast = try #require(TextPattern(pattern.pattern, caseSensitive: pattern.caseSensitive))
        let engine = try #require(TextPattern(pattern.pattern, caseSensitive: pattern.caseSensitive, literal: false))
        #expect((fast.literal != nil) == pattern.literal)
        #expect(engine.literal == nil)
        for value in Self.values {
            #expect(fast.matches(value) == engine.matches(value), "\(value)")
        }
    }

    @Test("literal patterns, answer by answer", arguments: [
        ("^(test|asdf|qwerty)", "Test User", true),
        ("^(test|asdf|qwerty)", "a test", false),
        ("(?i)(ceo|cto|vp|director|מנכ\"ל)", "מנכ\"ל החברה", true),
        ("(?i)(ceo|cto|vp|director|מנכ\"ל)", "Head of Sales", false),
        ("@acme\\.co\\.il$", "X@ACME.CO.IL", true),
        ("@acme\\.co\\.il$", "x@acme.co.il.evil", false),
        ("ceo$", "CEO\n", true),                                    // `$` before a final line break
        ("50\\$$", "50$", true),
        ("a\\.b", "aXb", false),
    ])
    func answers(_ pattern: String, _ value: String, _ expected: Bool) throws {
        let compiled = try #require(TextPattern(pattern, caseSensitive: false))
        #expect(compiled.literal != nil)
        #expect(compiled.matches(value) == expected)
    }
}
