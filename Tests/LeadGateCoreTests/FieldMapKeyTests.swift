import Testing
@testable import LeadGateCore

/// Keys match whatever their case and separators; ASCII keys take a byte-by-byte path that must agree with the
/// Unicode one.
@Test("field keys fold case and drop - _ . spaces and tabs", arguments: [
    ("Full_Name", "fullname"), ("E-Mail", "email"), ("phone.number", "phonenumber"), ("  Your Phone\t", "yourphone"),
    ("UTM_SOURCE", "utmsource"), ("שם מלא", "שםמלא"), ("ÉMAIL", "émail"), ("Почта", "почта"), ("first\u{00A0}name", "firstname"),
])
func matchKeys(key: String, expected: String) {
    #expect(FieldMap.matchKey(key) == expected)
    #expect(FieldMap.common.canonicalField(for: "Full_Name") == .fullName)
}
