import Testing
import LeadGateCore

@Suite("LeadNumber")
struct CriteriaNumberTests {
    @Test("amounts as people write them", arguments: [
        ("20000", 20_000.0),
        ("20,000", 20_000),
        ("20000 ₪", 20_000),
        ("₪20,000", 20_000),
        ("₪ 20,000", 20_000),
        ("$20k", 20_000),
        ("20K", 20_000),
        ("1.5M", 1_500_000),
        ("1.5 m", 1_500_000),
        ("20 000", 20_000),
        ("20\u{00A0}000", 20_000),            // no-break space, as spreadsheets export it
        ("1,234,567.89", 1_234_567.89),
        ("20,000 ש״ח", 20_000),
        ("20000 ש\"ח", 20_000),
        ("15000 שקלים", 15_000),
        ("20k ₪", 20_000),
        ("USD 500", 500),
        ("ILS 20,000", 20_000),
        ("500 usd", 500),
        ("€1.200", 1.2),                      // a dot is the decimal point, as in Israel
        ("-5", -5),
        ("+7", 7),
        (".5", 0.5),
        ("  42  ", 42),
        ("0", 0),
        ("1'000'000", 1_000_000),
    ] as [(String, Double)])
    func number(text: String, expected: Double) {
        #expect(LeadNumber.parse(text) == expected)
    }

    @Test("text that is not plainly a number", arguments: [
        "around 20", "lots", "", "  ", "20-30", "1,5", "20,00", "1,2345", "20.000.000", "5.", "k", "$",
        "20 k m", "1,000 000", "20kk", "1e5", "twenty", "20 אלף", "₪", "12.5.2026", "~20", "20+",
    ])
    func notNumber(text: String) {
        #expect(LeadNumber.parse(text) == nil)
    }
}
