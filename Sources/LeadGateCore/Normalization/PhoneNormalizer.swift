/// What kind of line a number is, where the numbering plan tells.
public enum PhoneLineType: String, Sendable, Hashable, Codable {
    case mobile, landline, tollFree = "toll_free", voip, unknown
}

/// A telephone number in E.164, with what could be told about it.
public struct PhoneNumber: Sendable, Hashable, Codable {
    /// `+` and digits, e.g. `+972541234567`.
    public var e164: String
    /// Digits of an extension written after the number (`ext. 12`, `x12`, `#12`), kept apart.
    public var phoneExtension: String?
    /// ISO 3166-1 alpha-2 region of the number, when the calling code tells it (`+1` says `US` unless the area code is Canadian).
    public var region: String?
    public var lineType: PhoneLineType
    /// False when the number has the right shape for its region but a numbering-plan table calls the range unassigned.
    public var isKnownRange: Bool

    public init(e164: String, phoneExtension: String? = nil, region: String?, lineType: PhoneLineType, isKnownRange: Bool) {
        self.e164 = e164
        self.phoneExtension = phoneExtension
        self.region = region
        self.lineType = lineType
        self.isKnownRange = isKnownRange
    }
}

/// Turns phone numbers as people write them into E.164.
public enum PhoneNormalizer {
    /// Normalizes `raw` using `defaultRegion` (ISO alpha-2) for numbers written without a country code.
    ///
    /// Digits of any script (Arabic-Indic, Persian, full-width) count as digits; bidi and zero-width marks are
    /// ignored; an extension after the number is kept apart. The country code may be written with `+`, an
    /// international prefix (`00`, `011` from NANP, `810` from Russia) or, when the length leaves no doubt, bare.
    /// Calling codes without a numbering plan here are accepted in E.164 shape with `lineType` `.unknown`.
    public static func normalize(_ raw: String, defaultRegion: String?) -> Result<PhoneNumber, NormalizationProblem> {
        let written: WrittenPhone
        switch WrittenPhone.read(raw) {
        case .success(let value): written = value
        case .failure(let problem): return .failure(problem)
        }
        let digits = Substring(written.digits)
        let result = written.hasPlus
            ? international(digits)
            : national(digits, defaultRegion: defaultRegion?.uppercased())
        return result.map { number in
            var number = number
            number.phoneExtension = written.phoneExtension
            return number
        }
    }

    static func problem(_ reason: String) -> NormalizationProblem {
        NormalizationProblem(field: "phone", reason: reason)
    }

    /// `digits` after `+` or an international prefix: calling code, then the national number.
    private static func international(_ digits: Substring) -> Result<PhoneNumber, NormalizationProblem> {
        guard let (code, region) = CallingCodes.split(digits) else {
            if digits.first == "0" { return .failure(problem("a country calling code cannot start with 0")) }
            return .failure(problem("unknown country calling code +\(digits.prefix(3))"))
        }
        let national = digits.dropFirst(code.count)
        if let plan = PhoneNumberingPlan.byCallingCode[code] {
            return interpret(national, plan: plan, after: "after +\(code)")
        }
        // E.164 allows 15 digits in all; the shortest numbers in use (Niue, Tokelau) have 7.
        guard (7...15).contains(digits.count) else {
            let amount = digits.count < 7 ? "too few" : "too many"
            return .failure(problem("\(amount) digits for +\(code) (expected 7–15 with the country code, got \(digits.count))"))
        }
        return .success(PhoneNumber(e164: "+" + digits, region: region, lineType: .unknown, isKnownRange: true))
    }

    /// Digits written without `+`: an international prefix, a national number of the default region, or a
    /// calling code written bare.
    private static func national(_ digits: Substring, defaultRegion: String?) -> Result<PhoneNumber, NormalizationProblem> {
        guard let region = defaultRegion else {
            if let prefix = ["00", "011"].first(where: { digits.hasPrefix($0) }) {
                return international(digits.dropFirst(prefix.count))
            }
            if let number = withBareCallingCode(digits) { return .success(number) }
            return .failure(problem("no country code and no default region"))
        }
        guard let code = CallingCodes.byRegion[region] else {
            return .failure(problem("no country code, and the default region '\(region)' is not an ISO region with a calling code"))
        }
        let plan = PhoneNumberingPlan.byCallingCode[code]
        if let prefix = (plan?.internationalPrefixes ?? ["00"]).first(where: { digits.hasPrefix($0) }) {
            return international(digits.dropFirst(prefix.count))
        }
        guard let plan else {
            if let number = withBareCallingCode(digits) { return .success(number) }
            return .failure(problem("no country code, and there are no numbering rules for \(region): write it as +\(code) and the number"))
        }
        let asNational = interpret(digits, plan: plan, after: "")
        if case .success = asNational { return asNational }
        if digits.hasPrefix(code) {
            let withCode = interpret(digits.dropFirst(code.count), plan: plan, after: "after \(code)")
            if case .success = withCode { return withCode }
            if digits.count > plan.maxLength { return withCode }
        }
        if let number = withBareCallingCode(digits) { return .success(number) }
        return asNational
    }

    /// `digits` as a national number of `plan`, written without a trunk prefix or with one.
    private static func interpret(_ digits: Substring, plan: PhoneNumberingPlan, after: String) -> Result<PhoneNumber, NormalizationProblem> {
        let asWritten = plan.classify(digits, context: after)
        if case .success = asWritten { return asWritten }
        for trunk in plan.trunkPrefixes where digits.hasPrefix(trunk) {
            let context = after.isEmpty ? "after the trunk \(trunk)" : "\(after) and the trunk \(trunk)"
            let stripped = plan.classify(digits.dropFirst(trunk.count), context: context)
            if case .success = stripped { return stripped }
            // The trunk reading explains the failure better when no national number can start that way.
            if plan.range(for: digits) == nil || digits.count > plan.maxLength { return stripped }
        }
        return asWritten
    }

    /// A number that starts with the calling code of a country that has a plan, written without `+`.
    /// Only numbers in assigned ranges are taken: a bare code is a weak signal and must not swallow typos.
    private static func withBareCallingCode(_ digits: Substring) -> PhoneNumber? {
        for plan in PhoneNumberingPlan.byCallingCode.values where digits.hasPrefix(plan.callingCode) {
            let after = "after \(plan.callingCode)"
            if case .success(let number) = interpret(digits.dropFirst(plan.callingCode.count), plan: plan, after: after),
               number.isKnownRange {
                return number
            }
        }
        return nil
    }
}

/// A phone number as written, reduced to its digits: whether it had `+`, and its extension.
struct WrittenPhone {
    var digits: String
    var hasPlus: Bool
    var phoneExtension: String?

    /// Words that introduce an extension after a number, lower-cased.
    private static let extensionMarkers: [[Unicode.Scalar]] = [
        "extension", "extn", "ext", "x", "#", "poste", "שלוחה", "добавочный", "доб", "تحويلة",
    ].map { Array($0.unicodeScalars) }

    static func read(_ raw: String) -> Result<WrittenPhone, NormalizationProblem> {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(raw.unicodeScalars.count)
        for scalar in raw.unicodeScalars {
            if let canonical = canonical(scalar) { scalars.append(canonical) }
        }
        var main = scalars[...]
        if main.starts(with: "tel:".unicodeScalars) { main = main.dropFirst(4) }
        let phoneExtension = splitExtension(&main)
        while let last = main.last, last == " " || last == ";" || last == "," { main = main.dropLast() }

        var digits = ""
        var hasPlus = false
        var index = main.startIndex
        while index < main.endIndex {
            let scalar = main[index]
            index += 1
            switch scalar {
            case "0"..."9":
                digits.unicodeScalars.append(scalar)
            case "+":
                if hasPlus || !digits.isEmpty {
                    return .failure(PhoneNormalizer.problem("'+' can only come once, before the country code"))
                }
                hasPlus = true
            case "(":
                // "+44 (0)20…": the 0 in parentheses is the trunk prefix, dialled only from inside the country.
                if main[index...].starts(with: ["0", ")"]) { index += 2 }
            case " ", "-", ".", "/", ")", "[", "]", "'", "\"":
                // Quotes come from spreadsheets, where a leading ' keeps the 0 of "'054…" from being dropped.
                continue
            case "*":
                // "*6789" (or "6789*" when a right-to-left form flips it) is a short service code.
                if (2...5).contains(main.filter(\.isASCIIDigit).count) {
                    return .failure(PhoneNormalizer.problem("is a star number (a short service code), not a phone number"))
                }
                return .failure(PhoneNormalizer.problem("contains '*'"))
            default:
                if scalar.properties.isAlphabetic { return .failure(PhoneNormalizer.problem("contains letters")) }
                return .failure(PhoneNormalizer.problem("contains '\(scalar)'"))
            }
        }
        if digits.isEmpty {
            return .failure(PhoneNormalizer.problem(main.isEmpty && phoneExtension == nil ? "is empty" : "has no digits"))
        }
        return .success(WrittenPhone(digits: digits, hasPlus: hasPlus, phoneExtension: phoneExtension))
    }

    /// The scalar to read in place of `scalar`: digits of every script as ASCII, full-width forms as ASCII,
    /// any space as " ", any dash as "-", letters lower-cased; nil for invisible format and control characters.
    private static func canonical(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x41...0x5A: return Unicode.Scalar(UInt8(scalar.value + 0x20))
        case 0x20...0x7E: return scalar
        case 0xFF01...0xFF5E: return Unicode.Scalar(scalar.value - 0xFEE0).flatMap(canonical)
        case 0x2212: return "-"
        default: break
        }
        let properties = scalar.properties
        if properties.numericType == .decimal, let value = properties.numericValue {
            return Unicode.Scalar(UInt8(ascii: "0") + UInt8(value))
        }
        if properties.isWhitespace { return " " }
        switch properties.generalCategory {
        case .format, .control: return nil
        case .dashPunctuation: return "-"
        default: break
        }
        if properties.isUppercase, let lower = properties.lowercaseMapping.unicodeScalars.first { return lower }
        return scalar
    }

    /// Removes an extension (`ext. 12`, `x12`, `#12`, `שלוחה 12`, `доб. 12`) from the end of `main` and returns its digits.
    private static func splitExtension(_ main: inout ArraySlice<Unicode.Scalar>) -> String? {
        var end = main.endIndex
        while end > main.startIndex, main[end - 1] == " " { end -= 1 }
        var start = end
        while start > main.startIndex, main[start - 1].isASCIIDigit { start -= 1 }
        guard start < end, end - start <= 7 else { return nil }
        var markerEnd = start
        while markerEnd > main.startIndex, " .:=-".unicodeScalars.contains(main[markerEnd - 1]) { markerEnd -= 1 }
        let before = main[..<markerEnd]
        for marker in extensionMarkers where before.count > marker.count && before.suffix(marker.count).elementsEqual(marker) {
            let markerStart = markerEnd - marker.count
            if marker[0].properties.isAlphabetic, main[markerStart - 1].properties.isAlphabetic { continue }
            let digits = String(String.UnicodeScalarView(main[start..<end]))
            main = main[..<markerStart]
            return digits
        }
        return nil
    }
}

private extension Unicode.Scalar {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
