import Foundation
import Testing

import LeadGateSourceKit

/// RFC 4231 test case 2: key "Jefe".
private let rfc4231Message = Array("what do ya want for nothing?".utf8)
private let rfc4231Key = Array("Jefe".utf8)
private let rfc4231MAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"

@Test func computesHMACSHA256() {
    #expect(Signature.hexEncoded(Signature.hmacSHA256(rfc4231Message, key: rfc4231Key)) == rfc4231MAC)
}

/// A key made ready once signs like a fresh one, message after message: each signature starts from copies of the keyed
/// state, so one message leaves nothing behind for the next, also when several tasks sign at once. RFC 4231 case 6 has a
/// key longer than SHA-256's block (hashed first), case 2 a short one (padded).
@Test func keyedOnceSignsEveryMessageAfresh() async throws {
    let longKey = [UInt8](repeating: 0xAA, count: 131)
    let longMessage = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
    let key = HMACKey(rfc4231Key)
    let long = HMACKey(longKey)
    func hex(_ key: HMACKey, _ parts: [UInt8]...) -> String {
        let code: [UInt8] = parts.count == 1
            ? parts[0].withUnsafeBytes { Array(key.authenticationCode($0)) }
            : parts[0].withUnsafeBytes { first in parts[1].withUnsafeBytes { Array(key.authenticationCode(first, $0)) } }
        return Signature.hexEncoded(code)
    }
    #expect(hex(key, rfc4231Message) == rfc4231MAC)
    #expect(hex(long, longMessage) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    // In two parts, and again after another message: the same code.
    #expect(hex(key, Array(rfc4231Message[..<10]), Array(rfc4231Message[10...])) == rfc4231MAC)
    #expect(hex(key, Array("another message".utf8)) == Signature.hexEncoded(Signature.hmacSHA256(Array("another message".utf8), key: rfc4231Key)))
    #expect(hex(key, rfc4231Message) == rfc4231MAC)
    let concurrent = await withTaskGroup(of: String.self) { group in
        for index in 0..<64 {
            group.addTask { index.isMultiple(of: 2) ? hex(key, rfc4231Message) : hex(long, longMessage) }
        }
        return await group.reduce(into: Set<String>()) { $0.insert($1) }
    }
    #expect(concurrent == [rfc4231MAC, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"])
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
    // RFC 4648's vectors: every remainder of the length by three, with its padding.
    for (text, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")] {
        #expect(Signature.base64Encoded(Array(text.utf8)) == encoded)
    }
    // Every length up to 64 over every byte value, as Foundation encodes it: from an array, from bytes in place, and
    // from a sequence with no contiguous storage.
    let all = (0..<256).map { UInt8(($0 * 151 + 7) % 256) }
    for length in 0...64 {
        let bytes = Array(all[(length * 3) % 192..<(length * 3) % 192 + length])
        let expected = Data(bytes).base64EncodedString()
        #expect(Signature.base64Encoded(bytes) == expected, "\(length) bytes")
        #expect(bytes.withUnsafeBytes(Signature.base64Encoded) == expected, "\(length) bytes")
        #expect(Signature.base64Encoded(bytes.lazy.map { $0 }) == expected, "\(length) bytes")
    }
    let everyByte = (0...255).map(UInt8.init)
    #expect(Signature.base64Encoded(everyByte) == Data(everyByte).base64EncodedString())
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
