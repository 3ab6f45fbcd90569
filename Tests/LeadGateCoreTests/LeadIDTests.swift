import Foundation
import Testing
@testable import LeadGateCore

@Suite struct LeadIDTests {
    @Test func idsSortByTimeAndAreUnique() {
        let early = Date(timeIntervalSince1970: 1_700_000_000)
        let late = early.addingTimeInterval(0.002)
        let ids = (0..<10_000).map { LeadID.make(prefix: "ld_", at: $0 < 5_000 ? early : late) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("ld_") && $0.count == 29 })
        let earlier = ids[0..<5_000].max() ?? ""
        let later = ids[5_000...].min() ?? ""
        #expect(earlier < later, "a later millisecond sorts after every id of an earlier one")
    }

    @Test func theTimePartEncodesMilliseconds() {
        var generator = SeededGenerator(seed: 1)
        let id = LeadID.make(prefix: "", at: Date(timeIntervalSince1970: 0), using: &generator)
        #expect(id.hasPrefix("0000000000"))
        let later = LeadID.make(prefix: "", at: Date(timeIntervalSince1970: 0.031), using: &generator)
        #expect(later.hasPrefix("000000000Z"), "31 ms is the last Crockford digit")
    }
}

/// A deterministic generator for tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct UnicodeTextTests {
    @Test(arguments: [
        ("abc", "abc"), ("דנה כהן", "דנה כהן"), ("Иван", "Иван"), ("王小明", "王小明"),
        ("e\u{301}", "\u{E9}"), ("\u{5E9}\u{5C1}", "\u{FB2A}".decomposedStringWithCanonicalMapping.precomposedStringWithCanonicalMapping),
        ("\u{1100}\u{1161}", "\u{AC00}"), ("\u{2000}", "\u{2002}"), ("И\u{306}", "Й"),
    ])
    func nfcMatchesFoundation(input: String, expected: String) {
        #expect(Array(UnicodeText.nfc(input).unicodeScalars) == Array(expected.unicodeScalars))
        #expect(Array(UnicodeText.nfc(input).unicodeScalars) == Array(input.precomposedStringWithCanonicalMapping.unicodeScalars))
    }

    @Test func trimsUnicodeWhitespaceOnly() {
        #expect(UnicodeText.trimmed("\u{A0} דנה \n") == "דנה")
        #expect(UnicodeText.trimmed("   ") == "")
        #expect(UnicodeText.isBlank(" \t\u{A0}"))
        #expect(!UnicodeText.isBlank(" x "))
    }

    @Test func headerNamesCompareIgnoringASCIICaseOnly() {
        #expect(UnicodeText.equalsIgnoringASCIICase("Content-Type", "content-type"))
        #expect(!UnicodeText.equalsIgnoringASCIICase("Content-Type", "content-typf"))
        #expect(!UnicodeText.equalsIgnoringASCIICase("@", "`"), "only letters fold")
        #expect(!UnicodeText.equalsIgnoringASCIICase("a", "ab"))
    }
}
