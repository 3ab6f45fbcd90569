import Foundation

/// Turns country names and codes into ISO 3166-1 alpha-2.
public enum CountryNormalizer {
    /// The alpha-2 code for `raw` (an alpha-2 or alpha-3 code, an English, Hebrew, Arabic, Russian or native name), or nil.
    ///
    /// Matching ignores case, diacritics (niqqud and harakat too), punctuation (`U.S.A.`, `ארה"ב`) and a leading "the".
    public static func isoCode(for raw: String) -> String? {
        codeByKey[matchKey(raw)]
    }

    /// Every code and name folded by `matchKey`, built once.
    static let codeByKey: [String: String] = {
        var table: [String: String] = [:]
        func add(_ name: Substring, _ code: String) {
            let key = matchKey(String(name))
            assert(table[key] == nil || table[key] == code, "country name '\(name)' given to both \(table[key] ?? "") and \(code)")
            table[key] = code
        }
        for line in CountryNames.iso.split(separator: "\n") {
            let code = String(line.prefix(2))
            add(line.prefix(2), code)
            add(line.dropFirst(3).prefix(3), code)
            for name in line.dropFirst(7).split(separator: "|") { add(name, code) }
        }
        for table in [CountryNames.aliases, CountryNames.hebrew, CountryNames.arabic, CountryNames.russian, CountryNames.native] {
            for line in table.split(separator: "\n") {
                let code = String(line.prefix(2))
                for name in line.dropFirst(3).split(separator: "|") { add(name, code) }
            }
        }
        return table
    }()

    /// Lower case without diacritics or punctuation, words separated by single spaces, no leading "the".
    static func matchKey(_ raw: String) -> String {
        var key = String.UnicodeScalarView()
        var pendingSpace = false
        func append(_ scalar: Unicode.Scalar) {
            if pendingSpace, !key.isEmpty { key.append(" ") }
            pendingSpace = false
            key.append(scalar)
        }
        for scalar in raw.decomposedStringWithCompatibilityMapping.lowercased().unicodeScalars {
            switch scalar.properties.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .otherLetter, .decimalNumber:
                append(scalar)
            case .spaceSeparator, .dashPunctuation, .openPunctuation, .closePunctuation, .lineSeparator, .paragraphSeparator:
                pendingSpace = true
            case .otherPunctuation where scalar == "," || scalar == "/" || scalar == "\u{060C}":
                pendingSpace = true
            case .otherPunctuation where scalar == "&":
                pendingSpace = true
                "and".unicodeScalars.forEach(append)
                pendingSpace = true
            default:
                // Accents, niqqud, harakat, tatweel, apostrophes, quotes, gershayim, dots, bidi marks.
                if scalar.properties.isWhitespace { pendingSpace = true }
            }
        }
        let folded = String(key)
        return folded.hasPrefix("the ") ? String(folded.dropFirst(4)) : folded
    }
}
