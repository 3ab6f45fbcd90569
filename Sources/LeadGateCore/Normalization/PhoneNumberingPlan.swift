/// A run of national numbers that share leading digits: how long they are and what kind of line they are.
struct PhoneRange: Sendable {
    let prefix: String
    let lengths: ClosedRange<Int>
    let lineType: PhoneLineType
    /// False for ranges of the right shape that the plan has not given out: such numbers are still normalized.
    let isAssigned: Bool
}

/// How the national numbers of one calling code are written and which ranges are which.
///
/// Only the countries LeadGate's users deal with most have a plan; any other calling code is accepted
/// in E.164 shape without range checks. The ranges are deliberately coarse (leading digits and length):
/// they tell the line type and catch typos, not whether a single block has been given to an operator.
struct PhoneNumberingPlan: Sendable {
    let region: String
    let callingCode: String
    /// Digits dialled before a national number inside the country (`0` in most of Europe, `8` in Russia, `1` in NANP).
    let trunkPrefixes: [String]
    /// Digits dialled before a calling code to call abroad from this country.
    let internationalPrefixes: [String]
    /// What the leading digits are called in messages ("area codes" for NANP).
    let leadingDigitsName: String
    let maxLength: Int
    private let ranges: [PhoneRange]
    /// Regions sharing the calling code, by leading national digits (NANP area codes, Kazakhstan in +7).
    private let regionByLeadingDigits: [String: String]
    private let regionDigitsCount: Int
    private let isNANP: Bool

    private init(
        region: String, callingCode: String, trunk: [String], international: [String] = ["00"],
        ranges: [[PhoneRange]], regionByLeadingDigits: [String: String] = [:], isNANP: Bool = false
    ) {
        self.region = region
        self.callingCode = callingCode
        self.trunkPrefixes = trunk
        self.internationalPrefixes = international
        self.isNANP = isNANP
        self.leadingDigitsName = isNANP ? "area codes" : "numbers"
        // Longest prefix first, so `1800` wins over `1` and `7624` over `7`.
        self.ranges = ranges.joined().sorted { $0.prefix.count > $1.prefix.count }
        self.maxLength = self.ranges.map(\.lengths.upperBound).max() ?? 0
        self.regionByLeadingDigits = regionByLeadingDigits
        self.regionDigitsCount = regionByLeadingDigits.keys.first?.count ?? 0
    }

    /// The regions other than `region` that numbers of this calling code can belong to.
    var sharingRegions: Set<String> { Set(regionByLeadingDigits.values) }

    /// The range a national significant number falls in, if the plan has one for its leading digits.
    func range(for nsn: Substring) -> PhoneRange? {
        ranges.first { nsn.hasPrefix($0.prefix) }
    }

    /// The number for `nsn` (a national significant number: no trunk, no calling code), or why it is not one.
    /// `context` says how the digits were written, for the message: "after the trunk 0", "after +972".
    func classify(_ nsn: Substring, context: String) -> Result<PhoneNumber, NormalizationProblem> {
        guard !nsn.isEmpty else { return .failure(PhoneNormalizer.problem("no number \(context)")) }
        guard let range = range(for: nsn) else {
            return .failure(PhoneNormalizer.problem("\(region) \(leadingDigitsName) do not start with \(unmatchedPrefix(of: nsn))\(context.isEmpty ? "" : " " + context)"))
        }
        if !range.lengths.contains(nsn.count) {
            let expected = range.lengths.count == 1 ? "\(range.lengths.lowerBound)" : "\(range.lengths.lowerBound)–\(range.lengths.upperBound)"
            let written = context.isEmpty ? "" : " " + context
            let amount = nsn.count < range.lengths.lowerBound ? "too few" : "too many"
            return .failure(PhoneNormalizer.problem("\(amount) digits for \(region) (expected \(expected)\(written), got \(nsn.count))"))
        }
        var isAssigned = range.isAssigned
        if isNANP {
            let digits = Array(nsn.utf8)
            // The exchange (central office code) follows the same rule as the area code: 2-9 first.
            guard digits[3] >= UInt8(ascii: "2") else {
                return .failure(PhoneNormalizer.problem("US exchange codes (the 3 digits after the area code) do not start with 0 or 1"))
            }
            let areaIsService = digits[1] == UInt8(ascii: "1") && digits[2] == UInt8(ascii: "1")
            let areaIsReserved = digits[1] == UInt8(ascii: "9")
            let exchangeIsService = digits[4] == UInt8(ascii: "1") && digits[5] == UInt8(ascii: "1")
            let isFictional = nsn.dropFirst(3).hasPrefix("55501")
            if areaIsService || areaIsReserved || exchangeIsService || isFictional { isAssigned = false }
        }
        let region = regionByLeadingDigits[String(nsn.prefix(regionDigitsCount))] ?? region
        return .success(PhoneNumber(
            e164: "+" + callingCode + nsn, region: region, lineType: range.lineType, isKnownRange: isAssigned
        ))
    }

    /// The shortest prefix of `nsn` that no range begins with, to name in a message.
    private func unmatchedPrefix(of nsn: Substring) -> Substring {
        var length = 1
        while length < nsn.count, ranges.contains(where: { $0.prefix.hasPrefix(nsn.prefix(length)) }) {
            length += 1
        }
        return nsn.prefix(length)
    }
}

extension PhoneNumberingPlan {
    /// Plans by calling code.
    static let byCallingCode: [String: PhoneNumberingPlan] = {
        let plans = [israel, nanp, unitedKingdom, germany, france, russia, ukraine, india]
        return Dictionary(uniqueKeysWithValues: plans.map { ($0.callingCode, $0) })
    }()

    private static func ranges(_ prefixes: String, _ lengths: ClosedRange<Int>, _ lineType: PhoneLineType, assigned: Bool = true) -> [PhoneRange] {
        prefixes.split(separator: " ").map {
            PhoneRange(prefix: String($0), lengths: lengths, lineType: lineType, isAssigned: assigned)
        }
    }

    private static let israel = PhoneNumberingPlan(region: "IL", callingCode: "972", trunk: ["0"], ranges: [
        ranges("50 51 52 53 54 55 56 58 59", 9...9, .mobile),
        ranges("57", 9...9, .mobile, assigned: false),
        ranges("2 3 4 8 9", 8...8, .landline),
        ranges("72 73 74 76 77 78 79", 9...9, .voip),
        ranges("70 71 75", 9...9, .voip, assigned: false),
        // 1-800 and 1-801 are free to the caller, 1-700 is shared cost; all are written without a trunk 0.
        ranges("1700 1800 1801", 10...10, .tollFree),
        ranges("1599 1900 1919", 10...10, .unknown),
        ranges("6", 8...9, .unknown, assigned: false),
    ])

    private static let nanp = PhoneNumberingPlan(
        region: "US", callingCode: "1", trunk: ["1"], international: ["011", "00"],
        ranges: [
            ranges("800 833 844 855 866 877 888", 10...10, .tollFree),
            // Mobile and landline numbers share the same area codes in NANP: the number cannot tell.
            ranges("2 3 4 5 6 7 8 9", 10...10, .unknown),
        ],
        regionByLeadingDigits: nanpAreaCodeRegions, isNANP: true
    )

    private static let unitedKingdom = PhoneNumberingPlan(region: "GB", callingCode: "44", trunk: ["0"], ranges: [
        ranges("1", 9...10, .landline),
        ranges("2", 10...10, .landline),
        ranges("71 72 73 74 75 77 78 79 7624", 10...10, .mobile),
        ranges("70 76", 10...10, .unknown),
        ranges("800", 9...10, .tollFree),
        ranges("808", 10...10, .tollFree),
        ranges("3 5 84 87 9", 10...10, .unknown),
        ranges("4 6 8", 10...10, .unknown, assigned: false),
    ])

    private static let germany = PhoneNumberingPlan(region: "DE", callingCode: "49", trunk: ["0"], ranges: [
        ranges("15", 10...11, .mobile),
        ranges("16 17", 10...11, .mobile),
        ranges("800", 10...12, .tollFree),
        ranges("180 900", 7...11, .unknown),
        // German area codes are 2 to 5 digits and subscriber numbers vary with them: only the total is bounded.
        ranges("2 3 4 5 6 7 8 9", 5...13, .landline),
        ranges("1", 5...13, .unknown, assigned: false),
    ])

    private static let france = PhoneNumberingPlan(region: "FR", callingCode: "33", trunk: ["0"], ranges: [
        ranges("1 2 3 4 5", 9...9, .landline),
        ranges("6 7", 9...9, .mobile),
        ranges("800 801 802 803 804 805", 9...9, .tollFree),
        ranges("8", 9...9, .unknown),
        ranges("9", 9...9, .voip),
    ])

    private static let russia = PhoneNumberingPlan(
        region: "RU", callingCode: "7", trunk: ["8", "0"], international: ["810", "00"],
        ranges: [
            ranges("9", 10...10, .mobile),
            ranges("3 4 8", 10...10, .landline),
            ranges("800", 10...10, .tollFree),
            ranges("6 7", 10...10, .unknown),
            ranges("1 2 5", 10...10, .unknown, assigned: false),
        ],
        regionByLeadingDigits: ["6": "KZ", "7": "KZ"]
    )

    private static let ukraine = PhoneNumberingPlan(region: "UA", callingCode: "380", trunk: ["0"], ranges: [
        ranges("39 50 63 66 67 68 73 77 9", 9...9, .mobile),
        ranges("89", 9...9, .voip),
        ranges("800", 9...9, .tollFree),
        ranges("3 4 5 6", 9...9, .landline),
        ranges("1 2 7 8", 9...9, .unknown, assigned: false),
    ])

    private static let india = PhoneNumberingPlan(region: "IN", callingCode: "91", trunk: ["0"], ranges: [
        ranges("6 7 8 9", 10...10, .mobile),
        ranges("1800", 10...11, .tollFree),
        ranges("1 2 3 4 5", 10...10, .landline),
    ])

    /// NANP area codes outside the United States. Canada's list is the geographic codes in service;
    /// the others are the Caribbean and Pacific members, so that `phone_country` does not call them US.
    private static let nanpAreaCodeRegions: [String: String] = {
        let table = """
        CA 204 226 236 249 250 257 263 289 306 343 354 365 367 368 382 403 416 418 428 431 437 438 450 460 468 \
        474 506 514 519 548 579 581 584 587 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 \
        867 873 879 902 905 942
        AG 268
        AI 264
        AS 684
        BB 246
        BM 441
        BS 242
        DM 767
        DO 809 829 849
        GD 473
        GU 671
        JM 658 876
        KN 869
        KY 345
        LC 758
        MP 670
        MS 664
        PR 787 939
        SX 721
        TC 649
        TT 868
        VC 784
        VG 284
        VI 340
        """
        var regions: [String: String] = [:]
        for line in table.split(separator: "\n") {
            let words = line.split(separator: " ")
            for code in words.dropFirst() { regions[String(code)] = String(words[0]) }
        }
        return regions
    }()
}

/// The ITU-T E.164 country calling codes and the region each belongs to.
enum CallingCodes {
    /// The calling code `digits` start with (codes are prefix-free, so at most one matches) and its region,
    /// nil for the non-geographic codes (international freephone, satellite networks).
    static func split(_ digits: Substring) -> (code: String, region: String?)? {
        for length in 1...3 where digits.count >= length {
            let code = String(digits.prefix(length))
            if let region = regionByCode[code] { return (code, region) }
            if nonGeographic.contains(code) { return (code, nil) }
        }
        return nil
    }

    static let regionByCode: [String: String] = {
        var table: [String: String] = [:]
        for entry in assignments.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = entry.split(separator: ":")
            if parts.count == 2 { table[String(parts[0])] = String(parts[1]) }
        }
        return table
    }()

    private static let nonGeographic: Set<String> = ["800", "808", "870", "878", "881", "882", "883", "888", "979"]

    /// Calling code by region, including regions that share another's code (Canada +1, Kazakhstan +7, Jersey +44).
    static let byRegion: [String: String] = {
        var table: [String: String] = [:]
        for (code, region) in regionByCode { table[region] = code }
        for plan in PhoneNumberingPlan.byCallingCode.values {
            for region in plan.sharingRegions { table[region] = plan.callingCode }
        }
        for (region, code) in sharedCodes { table[region] = code }
        return table
    }()

    /// Regions that share a calling code without a plan telling them apart.
    private static let sharedCodes: [(String, String)] = [
        ("GG", "44"), ("JE", "44"), ("IM", "44"), ("SJ", "47"), ("CX", "61"), ("CC", "61"), ("VA", "39"),
        ("EH", "212"), ("YT", "262"), ("TA", "290"), ("AX", "358"), ("BL", "590"), ("MF", "590"), ("BQ", "599"),
    ]

    /// `code:region` for every geographic calling code.
    private static let assignments = """
    1:US 7:RU 20:EG 27:ZA 30:GR 31:NL 32:BE 33:FR 34:ES 36:HU 39:IT 40:RO 41:CH 43:AT 44:GB 45:DK 46:SE 47:NO
    48:PL 49:DE 51:PE 52:MX 53:CU 54:AR 55:BR 56:CL 57:CO 58:VE 60:MY 61:AU 62:ID 63:PH 64:NZ 65:SG 66:TH
    81:JP 82:KR 84:VN 86:CN 90:TR 91:IN 92:PK 93:AF 94:LK 95:MM 98:IR
    211:SS 212:MA 213:DZ 216:TN 218:LY 220:GM 221:SN 222:MR 223:ML 224:GN 225:CI 226:BF 227:NE 228:TG 229:BJ
    230:MU 231:LR 232:SL 233:GH 234:NG 235:TD 236:CF 237:CM 238:CV 239:ST 240:GQ 241:GA 242:CG 243:CD 244:AO
    245:GW 246:IO 247:AC 248:SC 249:SD 250:RW 251:ET 252:SO 253:DJ 254:KE 255:TZ 256:UG 257:BI 258:MZ 260:ZM
    261:MG 262:RE 263:ZW 264:NA 265:MW 266:LS 267:BW 268:SZ 269:KM 290:SH 291:ER 297:AW 298:FO 299:GL
    350:GI 351:PT 352:LU 353:IE 354:IS 355:AL 356:MT 357:CY 358:FI 359:BG 370:LT 371:LV 372:EE 373:MD 374:AM
    375:BY 376:AD 377:MC 378:SM 379:VA 380:UA 381:RS 382:ME 383:XK 385:HR 386:SI 387:BA 389:MK
    420:CZ 421:SK 423:LI
    500:FK 501:BZ 502:GT 503:SV 504:HN 505:NI 506:CR 507:PA 508:PM 509:HT 590:GP 591:BO 592:GY 593:EC 594:GF
    595:PY 596:MQ 597:SR 598:UY 599:CW
    670:TL 672:NF 673:BN 674:NR 675:PG 676:TO 677:SB 678:VU 679:FJ 680:PW 681:WF 682:CK 683:NU 685:WS 686:KI
    687:NC 688:TV 689:PF 690:TK 691:FM 692:MH
    850:KP 852:HK 853:MO 855:KH 856:LA 880:BD 886:TW
    960:MV 961:LB 962:JO 963:SY 964:IQ 965:KW 966:SA 967:YE 968:OM 970:PS 971:AE 972:IL 973:BH 974:QA 975:BT
    976:MN 977:NP 992:TJ 993:TM 994:AZ 995:GE 996:KG 998:UZ
    """
}
