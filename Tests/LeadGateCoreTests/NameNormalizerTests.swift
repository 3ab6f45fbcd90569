import Foundation
import Testing
@testable import LeadGateCore

@Suite struct NameNormalizerTests {
    static let cleaned: [(raw: String, clean: String?)] = [
        ("Dana Cohen", "Dana Cohen"),
        ("  Dana   Cohen  ", "Dana Cohen"),
        ("Dana\tCohen\n", "Dana Cohen"),
        ("Dana\r\nCohen", "Dana Cohen"),
        ("Dana\u{00A0}Cohen", "Dana Cohen"),
        ("Dana\u{2009}\u{202F}Cohen", "Dana Cohen"),
        ("Dana\u{3000}Cohen", "Dana Cohen"),
        ("דנה כהן", "דנה כהן"),
        ("\u{200F}דנה\u{00A0}כהן\u{200F}", "דנה כהן"),
        ("\u{202B}דנה כהן\u{202C}", "דנה כהן"),
        ("\u{2067}شريف أحمد\u{2069}", "شريف أحمد"),
        ("Иван\u{200B} Петров", "Иван Петров"),
        ("\u{FEFF}Ольга Сергеевна Иванова", "Ольга Сергеевна Иванова"),
        ("王小明", "王小明"),
        ("山田\u{3000}太郎", "山田 太郎"),
        ("김민수", "김민수"),
        ("José", "José"),
        // Decomposed é (e + U+0301) comes out composed.
        ("Jose\u{0301}", "José"),
        ("Zoe\u{200B}\u{0308}", "Zoë"),
        // Persian keeps its zero-width non-joiner inside a word.
        ("نیک\u{200C}نام", "نیک\u{200C}نام"),
        ("\u{200C}Dana", "Dana"),
        ("", nil),
        ("   ", nil),
        ("\u{200F}\u{200E}\u{00A0}", nil),
        ("\n\t", nil),
    ]

    @Test(arguments: cleaned)
    func clean(_ row: (raw: String, clean: String?)) {
        #expect(NameNormalizer.clean(row.raw) == row.clean)
    }

    @Test func cleanKeepsNonLatinTextByteForByte() {
        for name in ["דנה כהן", "مُحَمَّد", "Ёлка Щукина", "王小明", "홍길동", "שָׁלוֹם"] {
            let cleaned = NameNormalizer.clean(name)
            #expect(cleaned.map { Array($0.utf8) } == Array(name.precomposedStringWithCanonicalMapping.utf8))
        }
    }

    static let splits: [(full: String, first: String?, last: String?)] = [
        ("Dana Cohen", "Dana", "Cohen"),
        ("דנה כהן", "דנה", "כהן"),
        ("  דנה   כהן ", "דנה", "כהן"),
        ("Mary Ann Smith", "Mary Ann", "Smith"),
        ("אבי בן דוד", "אבי בן", "דוד"),
        ("Иван Петров", "Иван", "Петров"),
        ("محمد علي", "محمد", "علي"),
        ("Cohen, Dana", "Dana", "Cohen"),
        ("כהן, דנה", "דנה", "כהן"),
        ("Ben David, Avi", "Avi", "Ben David"),
        ("Madonna", "Madonna", nil),
        ("דנה", "דנה", nil),
        ("王小明", "王小明", nil),
        ("김민수", "김민수", nil),
        ("山田 太郎", "太郎", "山田"),
        ("王 小明", "小明", "王"),
        ("", nil, nil),
        ("\u{200F}", nil, nil),
    ]

    @Test(arguments: splits)
    func split(_ row: (full: String, first: String?, last: String?)) {
        let parts = NameNormalizer.split(fullName: row.full)
        #expect(parts.first == row.first)
        #expect(parts.last == row.last)
    }

    static let joins: [(first: String?, last: String?, full: String?)] = [
        ("Dana", "Cohen", "Dana Cohen"),
        ("דנה", "כהן", "דנה כהן"),
        (" דנה ", "\u{200F}כהן", "דנה כהן"),
        ("Dana", nil, "Dana"),
        (nil, "Cohen", "Cohen"),
        ("Dana", "  ", "Dana"),
        (nil, nil, nil),
        ("", "", nil),
        ("小明", "王", "王小明"),
        ("Иван", "Петров", "Иван Петров"),
    ]

    @Test(arguments: joins)
    func join(_ row: (first: String?, last: String?, full: String?)) {
        #expect(NameNormalizer.join(first: row.first, last: row.last) == row.full)
    }
}
