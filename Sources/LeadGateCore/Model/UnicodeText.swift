import Foundation

/// Text helpers on the hot path: ASCII takes a fast path, everything else goes through Foundation's
/// Unicode tables. (Bridging to NSString for every field of every lead was a tenth of ingest CPU.)
public enum UnicodeText {
    /// `text` in Unicode NFC. ASCII is already NFC and is returned as is.
    public static func nfc(_ text: String) -> String {
        text.unicodeScalars.allSatisfy(isInert) ? text : text.precomposedStringWithCanonicalMapping
    }

    /// Scalars that NFC never changes and that never combine with a neighbour: ASCII, Latin-1, the
    /// Cyrillic, Hebrew and Arabic letters and digits, CJK ideographs and common punctuation. Text made of
    /// these alone is already NFC; anything else (a combining mark, Hangul jamo...) takes Foundation's path.
    static func isInert(_ scalar: Unicode.Scalar) -> Bool {
        isInert(scalar.value)
    }

    /// `isInert` of the scalar whose value is `scalar`.
    static func isInert(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x00...0xFF, 0x0400...0x0482, 0x048A...0x04FF, 0x05BE, 0x05C0, 0x05C3, 0x05C6, 0x05D0...0x05F4,
             0x060C, 0x061B, 0x061F, 0x0621...0x064A, 0x0660...0x066D, 0x2010...0x2027, 0x2030...0x205E, 0x20AA, 0x20AC,
             0x4E00...0x9FFF:
            return true
        default:
            return false
        }
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

    /// Lower-cased NFC, for case-insensitive matching and search keys: the criteria's folding. Text of ASCII and
    /// scripts without case (Hebrew, Arabic) is lower-cased on its bytes; only other text pays for the standard
    /// library's lowering (which took about 40,000 instructions a lead, 8 % of an intake, for a Hebrew name).
    public static func foldedCase(_ text: String) -> String {
        CriteriaText.folded(text, caseSensitive: false)
    }

    /// `text` with its ASCII capitals A-Z lower-cased byte by byte and every other byte kept: what
    /// `lowercased()` gives for ASCII, or for text whose other characters have no case, without its
    /// Unicode machinery.
    static func lowercasedASCII(_ text: String) -> String {
        String(unsafeUninitializedCapacity: text.utf8.count) { buffer in
            var count = 0
            for byte in text.utf8 {
                buffer[count] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
    }

    /// True when every byte is ASCII.
    public static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// ASCII case-insensitive equality (header names, media types), without Foundation.
    public static func equalsIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var right = rhs.utf8.makeIterator()
        for a in lhs.utf8 {
            guard let b = right.next() else { return false }
            if a == b { continue }
            let folded = a | 0x20
            guard folded == b | 0x20, folded >= 0x61, folded <= 0x7A else { return false }
        }
        return true
    }
}

extension String {
    /// Calls `body` with the string's UTF-8, lent in place. `withUTF8` is `mutating` (it may have to
    /// make the string contiguous), so calling it on a value that is not a `var` copies the string
    /// first, a retain and a release; a native string, as every lead's is, lends its bytes without one.
    /// Inlinable: the store calls it too, and a generic call across modules looks up its result type's
    /// metadata at run time on every call.
    @inlinable @inline(__always)
    package func lendingUTF8<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var text = self
        return text.withUTF8(body)
    }
}
