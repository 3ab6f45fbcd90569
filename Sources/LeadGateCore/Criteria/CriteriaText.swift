import Foundation

/// How criteria compare text: canonical composition (NFC), lower case unless asked otherwise, and
/// substring search on the UTF-8 of two composed strings.
///
/// Lead text arrives composed from the normalize stage and is mostly ASCII, Hebrew or Arabic, where
/// composing changes nothing and lower-casing changes only the ASCII capitals. One pass over the
/// UTF-8 tells such *plain* text apart; it is compared on its own bytes, lower-cased as they are
/// read, instead of being copied lower-cased first. Anything else (a combining mark, Latin or
/// Cyrillic letters beyond ASCII) goes through Foundation's composition and the standard library's
/// lowering, which cost hundreds of nanoseconds even on text they leave unchanged.
enum CriteriaText {
    /// What folding does to a text.
    struct Form {
        /// Composed already, and lower-casing changes at most its ASCII capitals.
        var isPlain = true
        var hasASCIICapitals = false
    }

    /// The form of the UTF-8 `bytes` (which must be valid UTF-8, as a string's are).
    static func form(_ bytes: UnsafeBufferPointer<UInt8>) -> Form {
        var form = Form()
        var index = 0
        // Eight ASCII bytes at a time, as long as they are ASCII: most of a lead's text is. Adding
        // 0x3F to a byte under 0x80 sets its top bit from 0x41 ('A') up, adding 0x25 from 0x5B (past
        // 'Z'), and neither carries into the next byte: a capital sets the first and not the second.
        if let base = bytes.baseAddress {
            let ascii: UInt64 = 0x8080_8080_8080_8080
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if word & ascii != 0 { break }
                if (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & ascii != 0 { form.hasASCIICapitals = true }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte &- 0x41 < 26 { form.hasASCIICapitals = true }
                index += 1
                continue
            }
            let scalar = scalar(in: bytes, at: &index)
            guard UnicodeText.isInert(scalar), !hasCase(scalar) else {
                form.isPlain = false
                return form
            }
        }
        return form
    }

    /// The scalar whose UTF-8 starts at `index` of `bytes` (valid UTF-8), moving `index` past it.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> UInt32 {
        let lead = bytes[index]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        var scalar = length == 1 ? UInt32(lead) : UInt32(lead) & (0x7F >> length)
        for offset in 1..<length {
            scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        index += length
        return scalar
    }

    static func form(_ text: String) -> Form {
        text.lendingUTF8(form)
    }

    /// `text` in NFC.
    static func composed(_ text: String) -> String {
        form(text).isPlain ? text : composedNonPlain(text)
    }

    /// `text`, known not to be plain, in NFC.
    static func composedNonPlain(_ text: String) -> String {
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
        let form = form(text)
        if form.isPlain {
            return caseSensitive || !form.hasASCIICapitals ? text : UnicodeText.lowercasedASCII(text)
        }
        let composed = composedNonPlain(text)
        return caseSensitive || !composed.unicodeScalars.contains(where: { hasCase($0.value) }) ? composed : composed.lowercased()
    }

    /// False when lower-casing cannot change `scalar`: not an ASCII capital, and, beyond ASCII, a
    /// script or symbol without case (Hebrew, Arabic, punctuation, currency signs, CJK).
    static func hasCase(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x41...0x5A: true
        case 0...0x7F, 0x0590...0x06FF, 0x2010...0x206F, 0x20A0...0x20CF, 0x3000...0x9FFF: false
        default: true
        }
    }

    /// True when `text`, folded, passes `test` with one of `folded` (texts folded alike). `test` is
    /// given the bytes of the folded text, those of one of `folded`, and whether to lower-case the
    /// first's ASCII capitals as it reads them: plain text lends its own bytes, other text is folded first.
    @inline(__always)
    static func any(
        of folded: PackedTexts, _ text: String, caseSensitive: Bool,
        _ test: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, _ lowering: Bool) -> Bool
    ) -> Bool {
        let plain = text.lendingUTF8 { bytes -> Bool? in
            let form = form(bytes)
            guard form.isPlain else { return nil }
            let lowering = !caseSensitive && form.hasASCIICapitals
            return folded.contains { test(bytes, $0, lowering) }
        }
        if let plain { return plain }
        var composed = Self.folded(text, caseSensitive: caseSensitive)
        return composed.withUTF8 { bytes in folded.contains { test(bytes, $0, false) } }
    }

    /// `byte`, lower-cased if it is an ASCII capital and `lowering`.
    @inline(__always)
    private static func lowered(_ byte: UInt8, _ lowering: Bool) -> UInt8 {
        lowering && byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// True when `bytes`, lower-cased as they are read if `lowering`, are `other`.
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ other: UnsafeBufferPointer<UInt8>, lowering: Bool) -> Bool {
        guard bytes.count == other.count else { return false }
        for index in 0..<bytes.count where lowered(bytes[index], lowering) != other[index] { return false }
        return true
    }

    /// True when `needle` occurs in `bytes`, lower-cased as they are read if `lowering`; both must be
    /// composed (and the needle folded as the bytes are, or will be by `lowering`).
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, lowering: Bool) -> Bool {
        guard let first = needle.first else { return true }
        guard bytes.count >= needle.count else { return false }
        var start = 0
        let last = bytes.count - needle.count
        while start <= last {
            if lowered(bytes[start], lowering) == first {
                var offset = 1
                while offset < needle.count, lowered(bytes[start + offset], lowering) == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}

/// Texts kept as UTF-8 in one buffer, so that trying each costs no retain of its own.
struct PackedTexts: Sendable {
    private let bytes: [UInt8]
    /// Where each text ends in `bytes`; each starts where the one before ends.
    private let ends: [Int]

    init(_ texts: some Sequence<String>) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for text in texts {
            bytes += text.utf8
            ends.append(bytes.count)
        }
        self.bytes = bytes
        self.ends = ends
    }

    /// True when `test` holds for the UTF-8 of one of the texts, tried in order.
    @inline(__always)
    func contains(where test: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                if test(UnsafeBufferPointer(rebasing: all[start..<end])) { return true }
                start = end
            }
            return false
        }
    }
}
