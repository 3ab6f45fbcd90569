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

    /// Ids drawn at once on many threads share one buffer of kernel random bytes: none may repeat.
    @Test func idsMadeConcurrentlyInOneMillisecondAreUnique() async {
        let instant = Date(timeIntervalSince1970: 1_700_000_000)
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<5_000).map { _ in LeadID.make(prefix: "tc_", at: instant) } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(ids.count == 40_000)
        #expect(Set(ids).count == ids.count)
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

    @Test(arguments: [
        ("Dana@ACME.co.il", "dana@acme.co.il"),
        ("already lower 123", "already lower 123"),
        ("ZIP-90210 @[]`{}", "zip-90210 @[]`{}"),
        ("שלום Dana", "שלום dana"),
        ("מנכ\"ל ACME בע״מ", "מנכ\"ל acme בע״מ"),
        ("\u{5E9}\u{5C1}\u{5B8}LOM", "\u{5E9}\u{5C1}\u{5B8}lom"),
        ("\u{627}\u{653} Ali", "\u{622} ali"),
        ("ИВАН Петров", "иван петров"),
        ("Straße", "straße"),
        ("", ""),
    ])
    func foldedCaseLowersAndComposes(_ text: String, _ expected: String) {
        #expect(UnicodeText.foldedCase(text) == expected)
    }

    /// The ASCII byte path must give what Foundation gives: generated strings near its edges (the bytes around
    /// A-Z, non-ASCII letters with case, combining marks) agree with NFC then `lowercased()`.
    @Test func foldedCaseAgreesWithFoundation() {
        var generator = SeededGenerator(seed: 0x5eed_f01d)
        let alphabet: [String] = [
            "@", "A", "M", "Z", "[", "`", "a", "z", "{", "0", " ", "-", "א", "ת", "\u{5B8}", "״", "ب", "\u{653}", "ا", "₪", "Ж", "ж",
            "ß", "İ", "e\u{301}", "É", "中",
        ]
        var asciiWithCapitals = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            if text.utf8.allSatisfy({ $0 < 0x80 }), text.utf8.contains(where: { $0 &- 0x41 < 26 }) { asciiWithCapitals += 1 }
            #expect(UnicodeText.foldedCase(text) == text.precomposedStringWithCanonicalMapping.lowercased(), "\(text.debugDescription)")
        }
        #expect(asciiWithCapitals > 100)
    }
}

@Suite struct CalendarDayTests {
    @Test func matchesFoundationsCalendarAcrossZonesLeapDaysAndCenturies() throws {
        let zones = ["Asia/Jerusalem", "America/Los_Angeles", "Pacific/Kiritimati", "UTC", "Asia/Kolkata"].compactMap(TimeZone.init(identifier:))
        var generator = SeededGenerator(seed: 7)
        var instants = [
            -2_208_988_800.0, // 1900-01-01
            951_782_400, 951_868_799, // 2000-02-29, the last second of it
            1_709_164_800, // 2024-02-29
            4_107_542_400, // 2100-03-01
            -86_401,
        ]
        instants += (0..<500).map { _ in Double(generator.next() % 8_000_000_000) - 2_000_000_000 }
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for instant in instants {
                let date = Date(timeIntervalSince1970: instant)
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                let expected = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
                #expect(CalendarDay.string(date, in: zone) == expected, "\(instant) in \(zone.identifier)")
            }
        }
    }

    @Test(arguments: [("2024-02-29", true), ("2023-02-29", false), ("2100-02-29", false), ("2000-02-29", true), ("2027-13-01", false), ("2027-1-01", false), ("", false)])
    func validatesDays(text: String, valid: Bool) {
        #expect(CalendarDay.isValid(text) == valid)
    }
}
