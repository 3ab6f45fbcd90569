import Foundation

/// Trims, validates and lower-cases the domain of email addresses.
public enum EmailNormalizer {
    /// The normalized address, or why `raw` is not one.
    ///
    /// Accepts what senders wrap addresses in: surrounding space (NBSP too), invisible bidi marks, `<…>`,
    /// `Name <addr>` and a `mailto:` prefix. The local part keeps its case (RFC 5321 lets servers tell case
    /// apart); the domain is lower-cased, and an internationalized domain stays in Unicode (NFC), not Punycode.
    /// Likely typos such as `gmail.con` are valid addresses and are kept as written: guessing would
    /// send mail to someone else.
    public static func normalize(_ raw: String) -> Result<String, NormalizationProblem> {
        if let address = plainAddress(raw) { return .success(address) }
        return normalizeInFull(raw)
    }

    /// The address most forms send, checked on its bytes: printable ASCII with nothing around it but spaces,
    /// valid as written. Nil for anything else, which `normalizeInFull` unwraps, checks and words the problem of.
    /// What it accepts, `normalizeInFull` accepts too, as the same text (`EmailNormalizerTests` checks it on
    /// generated addresses); it exists because this runs on every intake.
    static func plainAddress(_ raw: String) -> String? {
        raw.lendingUTF8 { bytes -> String? in
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 { end -= 1 }
            // The local part: no space, control or non-ASCII byte, no special, no dot at an end or twice in a row.
            var at = start
            var previous: UInt8 = 0
            while at < end, bytes[at] != UInt8(ascii: "@") {
                let byte = bytes[at]
                guard byte > 0x20, byte < 0x7F, !isLocalSpecial(byte) else { return nil }
                if byte == UInt8(ascii: "."), at == start || previous == byte { return nil }
                previous = byte
                at += 1
            }
            guard at < end, at > start, at - start <= 64, previous != UInt8(ascii: ".") else { return nil }
            // The domain, lower-cased: letters, digits and hyphens in labels of 1 to 63, at least two labels.
            let domainStart = at + 1
            guard end - domainStart <= 253 else { return nil }
            var address = [UInt8](bytes[start...at])
            address.reserveCapacity(end - start)
            var labelStart = domainStart
            var labels = 0
            var tldIsLetters = true
            for index in domainStart...end {
                let byte = index < end ? bytes[index] | (bytes[index] &- 0x41 < 26 ? 0x20 : 0) : UInt8(ascii: ".")
                if byte == UInt8(ascii: ".") {
                    let length = index - labelStart
                    guard length > 0, length <= 63, address[address.count - 1] != UInt8(ascii: "-"),
                          address[address.count - length] != UInt8(ascii: "-") else { return nil }
                    labels += 1
                    if index == end { break }
                    labelStart = index + 1
                    tldIsLetters = true
                } else if byte &- 0x61 < 26 {
                    // a letter
                } else if byte &- 0x30 < 10 || byte == UInt8(ascii: "-") {
                    tldIsLetters = false
                } else {
                    return nil
                }
                address.append(byte)
            }
            let tld = address[(address.count - (end - labelStart))...]
            let isPunycode = tld.count > 4 && tld.starts(with: "xn--".utf8)
            guard labels >= 2, isPunycode || (tldIsLetters && tld.count >= 2) else { return nil }
            return String(decoding: address, as: UTF8.self)
        }
    }

    /// Every address, and the reason one is not valid.
    static func normalizeInFull(_ raw: String) -> Result<String, NormalizationProblem> {
        let address = unwrap(raw)
        if address.isEmpty { return failure("is empty") }
        if address.unicodeScalars.contains(where: \.properties.isWhitespace) { return failure("contains spaces") }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        if parts.count == 1 { return failure("missing @") }
        if parts.count > 2 { return failure("more than one @") }
        let local = parts[0]
        if let problem = localPartProblem(local) { return failure(problem) }
        // UTS 46 maps full-width letters and ideographic full stops in domains, as browsers do.
        let domain = parts[1].utf8.allSatisfy { $0 < 0x80 }
            ? parts[1].lowercased()
            : parts[1].precomposedStringWithCompatibilityMapping.lowercased().replacingOccurrences(of: "\u{3002}", with: ".")
        if let problem = domainProblem(domain) { return failure(problem) }
        return .success(local + "@" + domain)
    }

    private static func failure(_ reason: String) -> Result<String, NormalizationProblem> {
        .failure(NormalizationProblem(field: "email", reason: reason))
    }

    /// `raw` without what surrounds an address: space, invisible marks, `mailto:`, `<>`, a display name.
    private static func unwrap(_ raw: String) -> String {
        // Byte checks: String's `contains` and `lowercased` go through Foundation here, on every intake.
        if raw.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), !raw.utf8.contains(UInt8(ascii: "<")),
           !raw.utf8.prefix(7).lazy.map({ $0 | 0x20 }).elementsEqual("mailto:".utf8) {
            return String(Substring(raw).trimmingUnicodeWhitespace())
        }
        var scalars = String.UnicodeScalarView()
        let composed = raw.utf8.allSatisfy { $0 < 0x80 } ? raw : raw.precomposedStringWithCanonicalMapping
        for scalar in composed.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .format || (category == .control && !scalar.properties.isWhitespace) { continue }
            scalars.append(scalar == "\u{FF20}" ? "@" : scalar)
        }
        var address = Substring(String(scalars)).trimmingUnicodeWhitespace()
        // `Dana <dana@acme.co.il>` (RFC 5322 name-addr) and bare `<dana@acme.co.il>`.
        if address.hasSuffix(">"), let open = address.lastIndex(of: "<") {
            address = address[address.index(after: open)..<address.index(before: address.endIndex)].trimmingUnicodeWhitespace()
        }
        if address.prefix(7).lowercased() == "mailto:" {
            address = address.dropFirst(7)
            if let query = address.firstIndex(of: "?") { address = address[..<query] }
            address = address.trimmingUnicodeWhitespace()
        }
        return String(address)
    }

    private static func localPartProblem(_ local: Substring) -> String? {
        if local.isEmpty { return "nothing before the @" }
        if local.utf8.count > 64 { return "the part before the @ is longer than 64 characters" }
        if local.hasPrefix(".") || local.hasSuffix(".") { return "the part before the @ starts or ends with a dot" }
        if zip(local.utf8, local.utf8.dropFirst()).contains(where: { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }) {
            return "the part before the @ has two dots in a row"
        }
        if let special = local.unicodeScalars.first(where: { $0.isASCII && isLocalSpecial(UInt8($0.value)) }) {
            return "the part before the @ contains '\(special)'"
        }
        return nil
    }

    /// The characters RFC 5322 allows in a local part only when quoted (a switch: hashing each one into a set cost more).
    private static func isLocalSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "<"),
             UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
            true
        default:
            false
        }
    }

    private static func domainProblem(_ domain: String) -> String? {
        if domain.isEmpty { return "nothing after the @" }
        if domain.hasPrefix("[") { return "an IP address instead of a domain is not accepted" }
        if domain.utf8.count > 253 { return "domain is longer than 253 characters" }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count == 1 { return "domain '\(domain)' has no dot" }
        if labels.contains(where: \.isEmpty) { return "domain '\(domain)' has an empty label (a dot at an end, or two in a row)" }
        for label in labels {
            if label.unicodeScalars.count > 63 { return "domain label '\(label)' is longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "domain label '\(label)' starts or ends with a hyphen" }
            if let bad = label.unicodeScalars.first(where: { !isLabelScalar($0) }) {
                return "domain '\(domain)' contains '\(bad)'"
            }
        }
        let tld = labels[labels.count - 1]
        let isPunycode = tld.hasPrefix("xn--") && tld.count > 4
        let isLetters = tld.unicodeScalars.count >= 2 && tld.unicodeScalars.allSatisfy { isTLDScalar($0) }
        if !isPunycode && !isLetters { return "domain '\(domain)' does not end in a top-level domain ('\(tld)' is not one)" }
        return nil
    }

    /// LDH for ASCII; letters, marks and digits of any script for internationalized labels.
    private static func isLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
        }
        return isTLDScalar(scalar) || scalar.properties.numericType == .decimal
    }

    private static func isTLDScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return ("a"..."z").contains(scalar) }
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .otherLetter, .modifierLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }
}
