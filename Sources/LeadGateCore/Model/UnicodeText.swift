import Foundation

/// Text helpers on the hot path: ASCII takes a fast path, everything else goes through Foundation's
/// Unicode tables. (Bridging to NSString for every field of every lead was a tenth of ingest CPU.)
public enum UnicodeText {
    /// `text` in Unicode NFC. ASCII is already NFC and is returned as is.
    public static func nfc(_ text: String) -> String {
        isASCII(text) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// `text` without leading and trailing whitespace and newlines (Unicode's White_Space, NBSP included).
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// True when `text` is empty or only whitespace.
    public static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// NFC, trimmed: how free text is kept (never re-encoded otherwise).
    public static func cleaned(_ text: String) -> String {
        trimmed(nfc(text))
    }

    /// Lower-cased NFC, for case-insensitive matching and search keys.
    public static func foldedCase(_ text: String) -> String {
        isASCII(text) ? text.lowercased() : text.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// True when every byte is ASCII.
    public static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// ASCII case-insensitive equality (header names, media types), without Foundation.
    public static func equalsIgnoringASCIICase(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
        let left = lhs.utf8
        let right = rhs.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
