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
        if let encoded = bytes.withContiguousStorageIfAvailable({ base64Encoded(UnsafeRawBufferPointer($0)) }) { return encoded }
        return Array(bytes).withUnsafeBytes(base64Encoded)
    }

    /// Standard base64 with `=` padding, written straight into the string (a signature on every delivery).
    public static func base64Encoded(_ bytes: UnsafeRawBufferPointer) -> String {
        let length = (bytes.count + 2) / 3 * 4
        guard length > 0 else { return "" }
        return String(unsafeUninitializedCapacity: length) { out in
            base64Alphabet.withUnsafeBufferPointer { alphabet in
                var written = 0
                var index = 0
                while index < bytes.count {
                    let remaining = bytes.count - index
                    let group = UInt32(bytes[index]) << 16
                        | (remaining > 1 ? UInt32(bytes[index + 1]) << 8 : 0)
                        | (remaining > 2 ? UInt32(bytes[index + 2]) : 0)
                    out[written] = alphabet[Int(group >> 18 & 0x3F)]
                    out[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                    out[written + 2] = remaining > 1 ? alphabet[Int(group >> 6 & 0x3F)] : UInt8(ascii: "=")
                    out[written + 3] = remaining > 2 ? alphabet[Int(group & 0x3F)] : UInt8(ascii: "=")
                    written += 4
                    index += 3
                }
            }
            return length
        }
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
