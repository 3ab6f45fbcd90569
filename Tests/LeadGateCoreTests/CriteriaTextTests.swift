import Foundation
import Testing
@testable import LeadGateCore

/// `CriteriaText.form` reads ASCII eight bytes at a time. These hold it to a reading of the text's
/// scalars one by one, for every length around the word size and every position of the byte that matters.
@Suite("Criteria text form")
struct CriteriaTextTests {
    /// The form by the scalars, with the scan's own tests of each: plain when every scalar is an ASCII capital or
    /// inert and caseless; capitals only counted for plain text (the scan stops at the first scalar that is not).
    static func expectedForm(_ text: String) -> (isPlain: Bool, hasASCIICapitals: Bool) {
        let capital: ClosedRange<UInt32> = 0x41...0x5A
        let isPlain = text.unicodeScalars.allSatisfy { scalar in
            capital.contains(scalar.value) || (UnicodeText.isInert(scalar) && !CriteriaText.hasCase(scalar.value))
        }
        return (isPlain, text.unicodeScalars.contains { capital.contains($0.value) })
    }

    /// ASCII around the capitals' edges (`@` before `A`, `[` after `Z`, the lower-case letters, DEL),
    /// Hebrew, a Latin-1 capital and a combining accent.
    static let probes = ["A", "Z", "@", "[", "`", "a", "z", "{", "\u{7F}", "5", " ", "ש", "É", "e\u{0301}"]

    @Test("the form read a word at a time is the form read scalar by scalar", arguments: probes)
    func wordAtATime(_ probe: String) {
        for length in 0...25 {
            for position in 0..<max(length, 1) {
                var scalars = Array(repeating: "x", count: length)
                if length > 0 { scalars[position] = probe }
                let text = scalars.joined()
                let form = CriteriaText.form(text)
                let expected = Self.expectedForm(text)
                #expect(form.isPlain == expected.isPlain, "\(text.debugDescription)")
                if expected.isPlain {
                    #expect(form.hasASCIICapitals == expected.hasASCIICapitals, "\(text.debugDescription)")
                }
            }
        }
    }

    @Test("a capital is found after any run of ASCII, and a scalar that is not plain after any run of capitals")
    func mixed() {
        for length in 0...24 {
            let run = String(repeating: "q", count: length)
            #expect(CriteriaText.form(run + "Q").hasASCIICapitals)
            #expect(!CriteriaText.form(run + "q").hasASCIICapitals)
            #expect(!CriteriaText.form(String(repeating: "Q", count: length) + "é").isPlain)
            #expect(CriteriaText.form(String(repeating: "Q", count: length) + "דנה").isPlain)
        }
    }

    /// The scan's own tests of each scalar, held to Foundation and the standard library: a scalar that counts as plain
    /// (inert, no case) is left as it is by NFC and by lower-casing, alone or after an ASCII letter. The search key and
    /// the criteria fold such text on its bytes, so a scalar wrongly called plain would go unfolded.
    @Test("every scalar of the Basic Multilingual Plane that counts as plain is its own NFC and its own lower case")
    func plainScalarsAreTheirOwnFolding() {
        var plain = 0
        for value in UInt32(0x80)...0xFFFF {
            guard let scalar = Unicode.Scalar(value), UnicodeText.isInert(scalar), !CriteriaText.hasCase(value) else { continue }
            plain += 1
            let text = "a" + String(scalar)
            #expect(text.lowercased() == text, "U+\(String(value, radix: 16, uppercase: true))")
            #expect(text.precomposedStringWithCanonicalMapping == text, "U+\(String(value, radix: 16, uppercase: true))")
        }
        // Hebrew and Arabic letters, punctuation, ₪ and € and the CJK ideographs: the ranges the scan lets through.
        #expect(plain > 20_000)
    }
}
