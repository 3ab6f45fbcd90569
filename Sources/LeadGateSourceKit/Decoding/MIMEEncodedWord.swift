import Foundation
import LeadGateCore

/// RFC 2047 encoded words (`=?charset?B?...?=`, `=?charset?Q?...?=`) in header text.
///
/// Tolerant as mail clients are: lower-case `b`/`q` and hex, missing base64 padding, words inside quoted
/// strings and words touching other text are decoded too. Whitespace between two adjacent encoded words
/// is dropped (RFC 2047 §6.2), and adjacent words in one charset are decoded together, so a multi-byte
/// character split across two words comes out whole. Unknown charsets and invalid bytes decode with U+FFFD
/// and a warning; text that only looks like an encoded word is kept as written.
public enum MIMEEncodedWord {
    /// `text` with every encoded word decoded.
    public static func decode(_ text: String) -> DecodedText {
        text.lendingUTF8 { decode(utf8: $0) }
    }

    private struct Word {
        var charset: Substring
        var bytes: [UInt8]
        var range: Range<Int>
    }

    private static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> DecodedText {
        guard containsWordStart(input) else { return DecodedText(text: String(decoding: input, as: UTF8.self)) }
        var output = ""
        var warnings: [String] = []
        var pending: (charset: Substring, bytes: [UInt8])?

        func flush() {
            guard let run = pending else { return }
            pending = nil
            do {
                let decoded = try Charset.decode(run.bytes, label: String(run.charset), mode: .lenient)
                output += decoded.text
                warnings += decoded.warnings.map { "encoded word: \($0)" }
            } catch {
                output += String(decoding: run.bytes, as: UTF8.self)
            }
        }

        var literalStart = 0
        var index = 0
        while index + 1 < input.count {
            guard input[index] == MIMEByte.equals, input[index + 1] == UInt8(ascii: "?"), let word = word(in: input, at: index) else {
                index += 1
                continue
            }
            let literal = UnsafeBufferPointer(rebasing: input[literalStart..<index])
            let onlyWhitespace = literal.allSatisfy { MIMEByte.isBlank($0) || $0 == MIMEByte.cr || $0 == MIMEByte.lf }
            if let run = pending, onlyWhitespace {
                if run.charset.lowercased() == word.charset.lowercased() {
                    pending?.bytes += word.bytes
                } else {
                    flush()
                    pending = (word.charset, word.bytes)
                }
            } else {
                flush()
                output += String(decoding: literal, as: UTF8.self)
                pending = (word.charset, word.bytes)
            }
            literalStart = word.range.upperBound
            index = word.range.upperBound
        }
        flush()
        output += String(decoding: UnsafeBufferPointer(rebasing: input[literalStart...]), as: UTF8.self)
        return DecodedText(text: output, warnings: warnings)
    }

    private static func containsWordStart(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 1 < input.count {
            if input[index] == MIMEByte.equals, input[index + 1] == UInt8(ascii: "?") { return true }
            index += 1
        }
        return false
    }

    /// The encoded word starting at `start` (at `=?`), or nil when the text there is not one. Every scan
    /// stops at the next `?`, so failed attempts cost no more than the text they pass over.
    private static func word(in input: UnsafeBufferPointer<UInt8>, at start: Int) -> Word? {
        let question = UInt8(ascii: "?")
        var index = start + 2
        let charsetStart = index
        while index < input.count, input[index] != question {
            let byte = input[index]
            guard byte > 32, byte < 127, index - charsetStart < 64 else { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < input.count, input[index + 2] == question else { return nil }
        let label = String(decoding: UnsafeBufferPointer(rebasing: input[charsetStart..<index]), as: UTF8.self)
        // RFC 2231 §5: a language may follow the charset after '*'.
        let charset = label.split(separator: "*", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let encoding = input[index + 1] | 0x20
        guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q"), !charset.isEmpty else { return nil }
        index += 3
        let textStart = index
        while index < input.count, input[index] != question {
            let byte = input[index]
            // Spaces are not allowed in an encoded word, but some senders leave them in Q text.
            guard byte >= 32, byte < 127 else { return nil }
            index += 1
        }
        guard index + 1 < input.count, input[index + 1] == MIMEByte.equals else { return nil }
        let text = input[textStart..<index]
        let bytes =
            encoding == UInt8(ascii: "b")
            ? MIMETransferEncoding.decodeBase64(UnsafeBufferPointer(rebasing: text))
            : decodeQ(UnsafeBufferPointer(rebasing: text))
        return Word(charset: charset, bytes: bytes, range: start..<(index + 2))
    }

    /// RFC 2047 §4.2: `_` is a space, `=XX` a byte; anything else is itself.
    private static func decodeQ(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        Hex.unescaped(text, escape: MIMEByte.equals, space: UInt8(ascii: "_"))
    }
}
