import Crypto
import Foundation
import LeadGateCore

/// HMAC-SHA256 signatures, their hex and base64 forms, and constant-time comparison of secrets, for the
/// adapters that authenticate senders (web forms, Meta `X-Hub-Signature-256`, LinkedIn, Mailgun, Standard Webhooks).
public enum Signature {
    /// The HMAC-SHA256 of `message` under `key`. For one key and many messages, `HMACKey` keys once.
    public static func hmacSHA256(_ message: some DataProtocol, key: some ContiguousBytes) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Whether `signature` is the HMAC-SHA256 of `message` under `key`; compared in constant time.
    public static func isValidHMACSHA256(_ signature: some ContiguousBytes, message: some DataProtocol, key: some ContiguousBytes) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: message, using: SymmetricKey(data: key))
    }

    /// Whether `header` is the hex HMAC-SHA256 of `message` under `key`. Either case; an optional `sha256=` prefix
    /// (Meta, GitHub) and surrounding whitespace are accepted. False for text that is not hex.
    public static func isValidHMACSHA256(hex header: String, message: some DataProtocol, key: some ContiguousBytes) -> Bool {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.lowercased().hasPrefix("sha256=") { text = text.dropFirst("sha256=".count) }
        guard let signature = hexDecoded(text) else { return false }
        return isValidHMACSHA256(signature, message: message, key: key)
    }

    /// Whether `header` is the base64 (standard or URL-safe, padded or not) HMAC-SHA256 of `message` under `key`.
    public static func isValidHMACSHA256(base64 header: String, message: some DataProtocol, key: some ContiguousBytes) -> Bool {
        guard let signature = base64Decoded(header.trimmingCharacters(in: .whitespaces)) else { return false }
        return isValidHMACSHA256(signature, message: message, key: key)
    }

    /// Whether two secrets are equal, in time that does not tell where they differ or how long the expected one is
    /// (both are hashed first, so the comparison is always of 32 bytes).
    public static func constantTimeEquals(_ lhs: some DataProtocol, _ rhs: some DataProtocol) -> Bool {
        let left = SHA256.hash(data: lhs)
        let right = SHA256.hash(data: rhs)
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// Whether two secret strings are equal, by their UTF-8 bytes, in constant time.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
    }

    /// Lower-case hex of `bytes`.
    public static func hexEncoded(_ bytes: some Sequence<UInt8>) -> String {
        Hex.encoded(bytes)
    }

    /// The bytes of hex text in either case; nil for an odd length or a non-hex character.
    public static func hexDecoded(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = Hex.value(utf8[index]), let low = Hex.value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Standard padded base64 of `bytes` (RFC 4648, section 4).
    public static func base64Encoded(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.underestimatedCount + 2) / 3 * 4)
        var group: UInt32 = 0
        var count = 0
        func emit(_ characters: Int) {
            for shift in stride(from: 18, through: 18 - 6 * (characters - 1), by: -6) {
                out.append(base64Alphabet[Int(group >> UInt32(shift) & 0x3F)])
            }
        }
        for byte in bytes {
            group = group << 8 | UInt32(byte)
            count += 1
            if count == 3 {
                emit(4)
                group = 0
                count = 0
            }
        }
        if count > 0 {
            group <<= 8 * UInt32(3 - count)
            emit(count + 1)
            out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - count))
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The bytes of base64 text, standard or URL-safe alphabet, with or without `=` padding; nil when invalid.
    public static func base64Decoded(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = standard.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { standard += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}

/// An HMAC-SHA256 key made ready once, for a key that signs many messages (a webhook secret): swift-crypto's HMAC is
/// keyed here (its inner and outer pads hashed), and each message continues from a copy of it instead of keying afresh.
///
/// `@unchecked Sendable`: the keyed state is never mutated after `init`; each signature works on its own copy (the hash
/// contexts copy themselves on first write when shared).
public struct HMACKey: @unchecked Sendable {
    private let keyed: HMAC<SHA256>

    public init(_ key: some ContiguousBytes) {
        keyed = HMAC(key: SymmetricKey(data: key))
    }

    /// The HMAC-SHA256 of the concatenation of `parts`, without concatenating them.
    public func authenticationCode(_ parts: UnsafeRawBufferPointer...) -> HashedAuthenticationCode<SHA256> {
        var hmac = keyed
        for part in parts { hmac.update(data: part) }
        return hmac.finalize()
    }
}
