import Foundation

/// How criteria compare text: canonical composition (NFC), lower case unless asked otherwise, and
/// substring search on the UTF-8 of two composed strings.
///
/// Each step first checks whether it has anything to do: lead text arrives composed from the
/// normalize stage and is mostly ASCII or caseless Hebrew, and Foundation's composition and the
/// standard library's lowering cost hundreds of nanoseconds even on text they leave unchanged.
enum CriteriaText {
    static func isASCII(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in bytes.allSatisfy { $0 < 0x80 } }
    }

    /// `text` in NFC.
    static func composed(_ text: String) -> String {
        isASCII(text) ? text : composedNonASCII(text)
    }

    private static func composedNonASCII(_ text: String) -> String {
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) {
            var contiguous = text
            contiguous.makeContiguousUTF8()
            var span = contiguous.utf8Span
            // The quick check answers "yes" or "not sure"; "not sure" takes the full path.
            if span.checkForNFC(quickCheck: true) { return contiguous }
        }
        return text.precomposedStringWithCanonicalMapping
    }

    /// `text` composed and, unless `caseSensitive`, lower-cased.
    static func folded(_ text: String, caseSensitive: Bool) -> String {
        var text = text
        // 0 for ASCII without capitals, 1 for ASCII with some, 2 for anything beyond ASCII.
        let shape = text.withUTF8 { bytes in
            var shape = 0
            for byte in bytes {
                if byte >= 0x80 { return 2 }
                if byte &- 0x41 < 26 { shape = 1 }
            }
            return shape
        }
        if shape == 2 {
            let composed = composedNonASCII(text)
            return caseSensitive || !hasCase(composed) ? composed : composed.lowercased()
        }
        return caseSensitive || shape == 0 ? text : UnicodeText.lowercasedASCII(text)
    }

    /// False when lower-casing cannot change `text`: no ASCII capital, and nothing outside ASCII but
    /// scripts and symbols without case (Hebrew, Arabic, punctuation, currency signs, CJK).
    private static func hasCase(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: return true
            case 0...0x7F, 0x0590...0x06FF, 0x2010...0x206F, 0x20A0...0x20CF, 0x3000...0x9FFF: continue
            default: return true
            }
        }
        return false
    }

    /// True when `needle` occurs in `haystack`; both must be composed (and folded alike).
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var haystack = haystack
        var needle = needle
        // withUTF8 lends the bytes of a native string without copying them.
        return haystack.withUTF8 { bytes in
            needle.withUTF8 { pattern in
                guard let first = pattern.first else { return true }
                guard bytes.count >= pattern.count else { return false }
                var start = 0
                let last = bytes.count - pattern.count
                while start <= last {
                    if bytes[start] == first {
                        var offset = 1
                        while offset < pattern.count, bytes[start + offset] == pattern[offset] { offset += 1 }
                        if offset == pattern.count { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
