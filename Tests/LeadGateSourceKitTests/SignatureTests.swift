import Testing

import LeadGateSourceKit

/// RFC 4231 test case 2: key "Jefe".
private let rfc4231Message = Array("what do ya want for nothing?".utf8)
private let rfc4231Key = Array("Jefe".utf8)
private let rfc4231MAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

@Test func computesHMACSHA256() {
    #expect(Signature.hexEncoded(Signature.hmacSHA256(rfc4231Message, key: rfc4231Key)) == rfc4231MAC)
}

private let hexCases: [(header: String, valid: Bool)] = [
    (rfc4231MAC, true),
    ("sha256=" + rfc4231MAC, true),  // Meta's X-Hub-Signature-256 form
    ("SHA256=" + rfc4231MAC.uppercased(), true),
    (" " + rfc4231MAC + " ", true),
    (String(rfc4231MAC.dropLast()) + "4", false),  // last digit changed
    (String(rfc4231MAC.dropLast(2)), false),  // truncated
    ("sha1=" + rfc4231MAC, false),
    ("not hex at all", false),
    ("", false),
]

@Test(arguments: hexCases)
func checksHexSignature(header: String, valid: Bool) {
    #expect(Signature.isValidHMACSHA256(hex: header, message: rfc4231Message, key: rfc4231Key) == valid)
}

@Test func checksBase64Signature() throws {
    let mac = Signature.hmacSHA256(rfc4231Message, key: rfc4231Key)
    let standard = Signature.base64Encoded(mac)
    #expect(standard == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=")
    let urlSafeUnpadded = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
    #expect(Signature.isValidHMACSHA256(base64: standard, message: rfc4231Message, key: rfc4231Key))
    #expect(Signature.isValidHMACSHA256(base64: urlSafeUnpadded, message: rfc4231Message, key: rfc4231Key))
    #expect(!Signature.isValidHMACSHA256(base64: standard, message: rfc4231Message + [0x20], key: rfc4231Key))
    #expect(!Signature.isValidHMACSHA256(base64: "!!!", message: rfc4231Message, key: rfc4231Key))
}

@Test func hexAndBase64RoundTrip() throws {
    let bytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF]
    #expect(Signature.hexEncoded(bytes) == "00017f80abff")
    #expect(Signature.hexDecoded("00017F80abFF") == bytes)
    #expect(Signature.hexDecoded("abc") == nil)
    #expect(Signature.hexDecoded("zz") == nil)
    #expect(Signature.hexDecoded("") == [])
    #expect(Signature.base64Decoded(Signature.base64Encoded(bytes)) == bytes)
    #expect(Signature.base64Decoded("A") == nil)
}

@Test(arguments: [
    ("s3cret", "s3cret", true),
    ("s3cret", "s3cret ", false),
    ("s3cret", "s3cre", false),
    ("s3cret", "", false),
    ("", "", true),
    ("סוד", "סוד", true),
])
func comparesSecrets(lhs: String, rhs: String, equal: Bool) {
    #expect(Signature.constantTimeEquals(lhs, rhs) == equal)
    #expect(Signature.constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8)) == equal)
}
