import Testing
@testable import LeadGateCore

@Suite struct ConsentParserTests {
    static let answers: [(raw: String, consent: Bool?)] = [
        ("yes", true), ("Yes", true), (" YES ", true), ("y", true), ("true", true), ("TRUE", true), ("1", true),
        ("on", true), ("checked", true), ("agree", true), ("accepted", true), ("I agree", true), ("ok", true),
        // Contact Form 7 and Gravity Forms send the checkbox label itself.
        ("I agree to receive marketing emails", true), ("I accept the privacy policy.", true),
        ("Yes, please keep me informed", true), ("[\"yes\"]", true), ("✓", true),
        ("כן", true), ("מאשר", true), ("מאשרת", true), ("מאשר/ת", true), ("אני מאשר/ת קבלת דיוור", true),
        ("מאשרת קבלת חומר פרסומי", true), ("מסכים", true), ("\u{200F}כן\u{200F}", true),
        ("да", true), ("Да", true), ("Я согласен на обработку данных", true),
        ("نعم", true), ("أوافق", true), ("oui", true), ("Ja", true), ("nein", false),
        ("no", false), ("No", false), ("n", false), ("false", false), ("0", false), ("off", false), ("unchecked", false),
        ("declined", false), ("No thanks", false), ("I do not agree", false), ("I don't want emails", false),
        ("לא", false), ("לא מאשר", false), ("לא מעוניינת", false), ("אני לא מאשר קבלת דיוור", false),
        ("нет", false), ("Нет", false), ("не согласен", false), ("لا", false),
        ("", nil), ("   ", nil), ("maybe", nil), ("later", nil), ("2", nil), ("yesterday", nil), ("nothing", nil),
        ("לאומי", nil), ("Ongoing", nil),
    ]

    @Test(arguments: answers)
    func reads(_ row: (raw: String, consent: Bool?)) {
        #expect(ConsentParser.parse(row.raw) == row.consent)
    }
}
