import Testing
@testable import LeadGateCore

@Suite("Hex")
struct HexTests {
    @Test("escapes decode to their bytes, the space byte to a space, anything else stays as it is", arguments: [
        ("a%20b+c", UInt8(ascii: "%"), UInt8(ascii: "+") as UInt8?, "a b c"),
        ("a+b", UInt8(ascii: "%"), nil, "a+b"),                                   // RFC 2231 sections: + is itself
        ("%D7%93%d7%a0%D7%94", UInt8(ascii: "%"), nil, "דנה"),                     // either case
        ("100%", UInt8(ascii: "%"), nil, "100%"),                                 // an escape cut short is kept
        ("%ZZ%4", UInt8(ascii: "%"), nil, "%ZZ%4"),
        ("%", UInt8(ascii: "%"), nil, "%"),
        ("", UInt8(ascii: "%"), nil, ""),
        ("New_enquiry_=E2=80=94", UInt8(ascii: "="), UInt8(ascii: "_") as UInt8?, "New enquiry —"),  // RFC 2047 Q
        ("a%20b", UInt8(ascii: "="), UInt8(ascii: "_") as UInt8?, "a%20b"),
    ] as [(String, UInt8, UInt8?, String)])
    func unescaped(encoded: String, escape: UInt8, space: UInt8?, decoded: String) {
        let bytes = Array(encoded.utf8)
        #expect(String(decoding: Hex.unescaped(bytes[...], escape: escape, space: space), as: UTF8.self) == decoded)
        // A slice that does not start at 0 reads the same.
        let padded = Array("xx".utf8) + bytes
        #expect(String(decoding: Hex.unescaped(padded[2...], escape: escape, space: space), as: UTF8.self) == decoded)
    }
}
