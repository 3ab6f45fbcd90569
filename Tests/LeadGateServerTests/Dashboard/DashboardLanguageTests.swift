import Foundation
import Testing
@testable import LeadGateServer

@Suite struct DashboardLanguageTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var acceptLanguage: String?
        var configured: String?
        var expected: DashboardLanguage
        var testDescription: String { "\(acceptLanguage ?? "nil") / \(configured ?? "nil") → \(expected.rawValue)" }
    }

    static let cases: [Case] = [
        Case(acceptLanguage: nil, configured: nil, expected: .english),
        Case(acceptLanguage: nil, configured: "he", expected: .hebrew),
        Case(acceptLanguage: "", configured: "he", expected: .hebrew),
        // Chrome on an Israeli phone.
        Case(acceptLanguage: "he-IL,he;q=0.9,en-US;q=0.8,en;q=0.7", configured: nil, expected: .hebrew),
        // Firefox in English on the same machine.
        Case(acceptLanguage: "en-US,en;q=0.9,he;q=0.8", configured: "he", expected: .english),
        Case(acceptLanguage: "HE-il", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "he_IL", configured: nil, expected: .hebrew),
        // Java and old Android still send the withdrawn code for Hebrew.
        Case(acceptLanguage: "iw-IL", configured: nil, expected: .hebrew),
        Case(acceptLanguage: " he-IL ; q=0.8 , en ; q=0.7", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "en;q=0.5, he;q=0.8", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "en-GB;q=0.3, en;q=0.9, he;q=0.5", configured: nil, expected: .english),
        Case(acceptLanguage: "fr-FR, fr;q=0.9", configured: nil, expected: .english),
        Case(acceptLanguage: "fr-FR, fr;q=0.9", configured: "he", expected: .hebrew),
        Case(acceptLanguage: "fr, he;q=0.1", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "*", configured: "he", expected: .hebrew),
        Case(acceptLanguage: "*", configured: nil, expected: .english),
        Case(acceptLanguage: "*;q=0.5, he;q=0.1", configured: nil, expected: .english),
        Case(acceptLanguage: "*, en;q=0", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "*, he", configured: nil, expected: .hebrew),
        // Equal q: the earlier range.
        Case(acceptLanguage: "en, he", configured: "he", expected: .english),
        Case(acceptLanguage: "he, en", configured: nil, expected: .hebrew),
        // A refused language is not served, even when configured, if the other one is not refused.
        Case(acceptLanguage: "he;q=0", configured: "he", expected: .english),
        Case(acceptLanguage: "he;q=0, en;q=0", configured: "he", expected: .hebrew),
        // Malformed or out-of-range q: the range is ignored.
        Case(acceptLanguage: "en;q=abc, he;q=0.2", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "en;q=1.5, he", configured: nil, expected: .hebrew),
        Case(acceptLanguage: "en;Q=0.2, he;q=0.3", configured: nil, expected: .hebrew),
        Case(acceptLanguage: nil, configured: "iw", expected: .hebrew),
        Case(acceptLanguage: nil, configured: "HE", expected: .hebrew),
        Case(acceptLanguage: nil, configured: "de", expected: .english),
    ]

    @Test(arguments: cases)
    func negotiates(_ row: Case) {
        #expect(DashboardLanguage.negotiate(acceptLanguage: row.acceptLanguage, configured: row.configured) == row.expected)
    }

    @Test func directionFollowsTheLanguage() {
        #expect(DashboardLanguage.hebrew.direction == "rtl")
        #expect(DashboardLanguage.english.direction == "ltr")
        #expect(DashboardLanguage.hebrew.rawValue == "he")
        #expect(DashboardLanguage.english.rawValue == "en")
    }

    /// Every string exists in both languages, none is left in English on the Hebrew page.
    @Test func everyStringIsTranslated() {
        let english = Mirror(reflecting: DashboardText.english).children.map { ($0.label ?? "?", $0.value as? String ?? "") }
        let hebrew = Mirror(reflecting: DashboardText.hebrew).children.map { ($0.label ?? "?", $0.value as? String ?? "") }
        #expect(english.count == hebrew.count)
        #expect(english.count > 40)
        for ((key, englishText), (_, hebrewText)) in zip(english, hebrew) {
            #expect(!englishText.isEmpty, "\(key)")
            #expect(hebrewText != englishText, "\(key) is not translated")
            #expect(hebrewText.unicodeScalars.contains { (0x05D0...0x05EA).contains($0.value) }, "\(key): \(hebrewText)")
        }
    }
}
