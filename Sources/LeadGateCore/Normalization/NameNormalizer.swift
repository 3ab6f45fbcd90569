import Foundation

/// Cleans personal names and derives full ⇄ first/last.
public enum NameNormalizer {
    /// NFC, whitespace (including NBSP, tabs, newlines, zero-width and bidi marks) folded to single spaces, trimmed; nil when empty.
    ///
    /// Zero-width joiners and non-joiners are kept between two letters: Persian and Indic spellings need them.
    public static func clean(_ raw: String) -> String? {
        // Most names are letters and plain spaces: folding the spaces is all there is to do (and NFC keeps them).
        if raw.unicodeScalars.allSatisfy(isPlain) {
            let words = raw.split(separator: " ")
            return words.isEmpty ? nil : words.joined(separator: " ")
        }
        let scalars = Array(raw.unicodeScalars)
        var cleaned = String.UnicodeScalarView()
        var pendingSpace = false
        for (index, scalar) in scalars.enumerated() {
            let properties = scalar.properties
            if properties.isWhitespace {
                pendingSpace = !cleaned.isEmpty
                continue
            }
            switch properties.generalCategory {
            case .format:
                let isJoiner = scalar == "\u{200C}" || scalar == "\u{200D}"
                let betweenLetters = cleaned.last.map(isLetterOrMark) == true
                    && index + 1 < scalars.count && isLetterOrMark(scalars[index + 1])
                if !(isJoiner && betweenLetters) { continue }
            case .control:
                continue
            default:
                break
            }
            if pendingSpace {
                cleaned.append(" ")
                pendingSpace = false
            }
            cleaned.append(scalar)
        }
        // Composed last: dropping an invisible mark can bring a letter and its accent together.
        return cleaned.isEmpty ? nil : UnicodeText.nfc(String(cleaned))
    }

    /// A scalar NFC leaves alone that is neither whitespace (other than the plain space), a control nor a format
    /// character (soft hyphen, bidi marks, zero-width joiners): the inert letters of `UnicodeText.isInert`.
    static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0xA1...0xAC, 0xAE...0xFF: true
        case 0x100...: UnicodeText.isInert(scalar)
        default: false
        }
    }

    /// Splits a full name into first and last (the last word is the last name; a single word is the first name only).
    ///
    /// `Cohen, Dana` is read as last, first. Chinese, Japanese and Korean names put the family name first
    /// when written with a space (`山田 太郎`); written without one (`王小明`) they cannot be split without
    /// guessing, so the whole name is the first name.
    public static func split(fullName: String) -> (first: String?, last: String?) {
        guard let name = clean(fullName) else { return (nil, nil) }
        let commaParts = name.split(omittingEmptySubsequences: false) { $0 == "," || $0 == "\u{060C}" }
        if commaParts.count == 2, let last = clean(String(commaParts[0])), let first = clean(String(commaParts[1])) {
            return (first, last)
        }
        let words = name.split(separator: " ")
        guard words.count > 1 else { return (name, nil) }
        if isEastAsian(name) {
            return (words.dropFirst().joined(separator: " "), String(words[0]))
        }
        return (words.dropLast().joined(separator: " "), String(words[words.count - 1]))
    }

    /// Joins first and last into a full name; family name first, with no space, for Chinese, Japanese and Korean names.
    public static func join(first: String?, last: String?) -> String? {
        switch (first.flatMap(clean), last.flatMap(clean)) {
        case (nil, nil): return nil
        case (let first?, nil): return first
        case (nil, let last?): return last
        case (let first?, let last?):
            return isEastAsian(first) && isEastAsian(last) ? last + first : first + " " + last
        }
    }

    private static func isLetterOrMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// True when every letter is Han, kana or Hangul.
    private static func isEastAsian(_ text: String) -> Bool {
        var sawLetter = false
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            switch scalar.value {
            case 0x1100...0x11FF, 0x3005...0x3007, 0x3040...0x30FF, 0x3130...0x318F, 0x31F0...0x31FF, 0x3400...0x4DBF,
                 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
                sawLetter = true
            default:
                return false
            }
        }
        return sawLetter
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace of any kind (NBSP, thin and ideographic spaces, line breaks).
    func trimmingUnicodeWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
