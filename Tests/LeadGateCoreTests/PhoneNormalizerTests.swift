import Testing
@testable import LeadGateCore

/// One number as people write it, and what it must normalize to.
struct PhoneCase: CustomTestStringConvertible, Sendable {
    let raw: String
    let region: String?
    let e164: String
    let lineType: PhoneLineType
    let country: String?
    var phoneExtension: String? = nil
    var isKnownRange = true

    var testDescription: String { "\(raw) [\(region ?? "no region")]" }
}

/// One input that is not a phone number, and words its reason must contain.
struct PhoneFailure: CustomTestStringConvertible, Sendable {
    let raw: String
    let region: String?
    let reasonMentions: [String]

    var testDescription: String { "\(raw) [\(region ?? "no region")]" }
}

@Suite struct PhoneNormalizerTests {
    static let israel: [PhoneCase] = [
        PhoneCase(raw: "03-6101800", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL"),
        PhoneCase(raw: "054-123 4567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "0541234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "+972 54 1234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "+972-54-123-4567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "+972 (0)54 1234567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "+972 054 1234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "00972541234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "00972541234567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "972541234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "972541234567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "972-054-1234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "541234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "(03) 610-1800", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL"),
        PhoneCase(raw: "054.123.4567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "054 - 123 - 4567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "(+972) 54-1234567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        // CSV exports from spreadsheets keep the leading 0 with a quote.
        PhoneCase(raw: "'0541234567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "052/3456789", region: "IL", e164: "+972523456789", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "058-7654321", region: "IL", e164: "+972587654321", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "02-6234567", region: "IL", e164: "+97226234567", lineType: .landline, country: "IL"),
        PhoneCase(raw: "04-8123456", region: "IL", e164: "+97248123456", lineType: .landline, country: "IL"),
        PhoneCase(raw: "08-9123456", region: "IL", e164: "+97289123456", lineType: .landline, country: "IL"),
        PhoneCase(raw: "09-7654321", region: "IL", e164: "+97297654321", lineType: .landline, country: "IL"),
        PhoneCase(raw: "1-800-123-456", region: "IL", e164: "+9721800123456", lineType: .tollFree, country: "IL"),
        PhoneCase(raw: "1800123456", region: "IL", e164: "+9721800123456", lineType: .tollFree, country: "IL"),
        PhoneCase(raw: "1-700-50-50-50", region: "IL", e164: "+9721700505050", lineType: .tollFree, country: "IL"),
        PhoneCase(raw: "077-1234567", region: "IL", e164: "+972771234567", lineType: .voip, country: "IL"),
        PhoneCase(raw: "072-2345678", region: "IL", e164: "+972722345678", lineType: .voip, country: "IL"),
        PhoneCase(raw: "073-7654321", region: "IL", e164: "+972737654321", lineType: .voip, country: "IL"),
        // Right shape, but no operator has 057 or 070: normalized all the same, flagged for the criteria.
        PhoneCase(raw: "057-1234567", region: "IL", e164: "+972571234567", lineType: .mobile, country: "IL", isKnownRange: false),
        PhoneCase(raw: "070-1234567", region: "IL", e164: "+972701234567", lineType: .voip, country: "IL", isKnownRange: false),
        PhoneCase(raw: "054\u{00A0}123\u{00A0}4567", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "054\u{2009}123\u{202F}4567\t", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        // Hebrew pages wrap numbers in bidi marks and embeddings.
        PhoneCase(raw: "\u{200F}054-1234567\u{200F}", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "\u{202B}03-6101800\u{202C}", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL"),
        PhoneCase(raw: "\u{2067}+972 54 123 4567\u{2069}", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "\u{200E}+\u{200E}972-54-1234567", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "٠٥٤١٢٣٤٥٦٧", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "۰۵۴-۱۲۳۴۵۶۷", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "٠٣–٦١٠١٨٠٠", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL"),
        PhoneCase(raw: "０５４－１２３４５６７", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "＋９７２ ５４ １２３ ４５６７", region: nil, e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "054-1234567 ext 12", region: "IL", e164: "+972541234567", lineType: .mobile, country: "IL", phoneExtension: "12"),
        PhoneCase(raw: "03-6101800 ext. 205", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "205"),
        PhoneCase(raw: "03-6101800x12", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "12"),
        PhoneCase(raw: "03-6101800 #12", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "12"),
        PhoneCase(raw: "03-6101800 שלוחה 12", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "12"),
        PhoneCase(raw: "\u{200F}03-6101800 שלוחה: 4\u{200F}", region: "IL", e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "4"),
        PhoneCase(raw: "tel:+972-3-610-1800;ext=44", region: nil, e164: "+97236101800", lineType: .landline, country: "IL", phoneExtension: "44"),
        PhoneCase(raw: "+972 54 123 4567", region: "US", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "011 972 54 123 4567", region: "US", e164: "+972541234567", lineType: .mobile, country: "IL"),
        PhoneCase(raw: "054-1234567", region: "il", e164: "+972541234567", lineType: .mobile, country: "IL"),
    ]

    static let northAmerica: [PhoneCase] = [
        PhoneCase(raw: "(212) 736-5000", region: "US", e164: "+12127365000", lineType: .unknown, country: "US"),
        PhoneCase(raw: "212-736-5000", region: "US", e164: "+12127365000", lineType: .unknown, country: "US"),
        PhoneCase(raw: "1-212-736-5000", region: "US", e164: "+12127365000", lineType: .unknown, country: "US"),
        PhoneCase(raw: "+1 212 736 5000 x 123", region: nil, e164: "+12127365000", lineType: .unknown, country: "US", phoneExtension: "123"),
        PhoneCase(raw: "(212) 555-0123", region: "US", e164: "+12125550123", lineType: .unknown, country: "US", isKnownRange: false),
        PhoneCase(raw: "+1 (416) 555-2671", region: "IL", e164: "+14165552671", lineType: .unknown, country: "CA"),
        PhoneCase(raw: "613.555.7890", region: "CA", e164: "+16135557890", lineType: .unknown, country: "CA"),
        PhoneCase(raw: "604 681 2000", region: "US", e164: "+16046812000", lineType: .unknown, country: "CA"),
        PhoneCase(raw: "+1 876 927 1234", region: nil, e164: "+18769271234", lineType: .unknown, country: "JM"),
        PhoneCase(raw: "1-800-642-7676", region: "US", e164: "+18006427676", lineType: .tollFree, country: "US"),
        PhoneCase(raw: "+1 911 234 5678", region: nil, e164: "+19112345678", lineType: .unknown, country: "US", isKnownRange: false),
        PhoneCase(raw: "0044 20 7946 0000", region: "US", e164: "+442079460000", lineType: .landline, country: "GB"),
        PhoneCase(raw: "011 44 20 7946 0000", region: "US", e164: "+442079460000", lineType: .landline, country: "GB"),
    ]

    static let europeAndIndia: [PhoneCase] = [
        PhoneCase(raw: "07911 123456", region: "GB", e164: "+447911123456", lineType: .mobile, country: "GB"),
        PhoneCase(raw: "+44 (0)20 7946 0000", region: nil, e164: "+442079460000", lineType: .landline, country: "GB"),
        PhoneCase(raw: "020 7946 0000", region: "GB", e164: "+442079460000", lineType: .landline, country: "GB"),
        PhoneCase(raw: "0161 496 0000", region: "GB", e164: "+441614960000", lineType: .landline, country: "GB"),
        PhoneCase(raw: "0800 123 4567", region: "GB", e164: "+448001234567", lineType: .tollFree, country: "GB"),
        PhoneCase(raw: "0044 7911 123456", region: "IL", e164: "+447911123456", lineType: .mobile, country: "GB"),
        PhoneCase(raw: "447911123456", region: "IL", e164: "+447911123456", lineType: .mobile, country: "GB"),
        PhoneCase(raw: "0151 12345678", region: "DE", e164: "+4915112345678", lineType: .mobile, country: "DE"),
        PhoneCase(raw: "+49 (0)170 1234567", region: nil, e164: "+491701234567", lineType: .mobile, country: "DE"),
        PhoneCase(raw: "0176/12345678", region: "DE", e164: "+4917612345678", lineType: .mobile, country: "DE"),
        PhoneCase(raw: "030 1234567", region: "DE", e164: "+49301234567", lineType: .landline, country: "DE"),
        PhoneCase(raw: "+49 30 123456", region: nil, e164: "+4930123456", lineType: .landline, country: "DE"),
        PhoneCase(raw: "0049 89 12345678", region: "IL", e164: "+498912345678", lineType: .landline, country: "DE"),
        PhoneCase(raw: "07531 12345", region: "DE", e164: "+49753112345", lineType: .landline, country: "DE"),
        PhoneCase(raw: "0800 1234567", region: "DE", e164: "+498001234567", lineType: .tollFree, country: "DE"),
        PhoneCase(raw: "06 12 34 56 78", region: "FR", e164: "+33612345678", lineType: .mobile, country: "FR"),
        PhoneCase(raw: "07 81 23 45 67", region: "FR", e164: "+33781234567", lineType: .mobile, country: "FR"),
        PhoneCase(raw: "+33 1 42 68 53 00", region: nil, e164: "+33142685300", lineType: .landline, country: "FR"),
        PhoneCase(raw: "01.42.68.53.00", region: "FR", e164: "+33142685300", lineType: .landline, country: "FR"),
        PhoneCase(raw: "09 70 12 34 56", region: "FR", e164: "+33970123456", lineType: .voip, country: "FR"),
        PhoneCase(raw: "0 800 123 456", region: "FR", e164: "+33800123456", lineType: .tollFree, country: "FR"),
        PhoneCase(raw: "8 (495) 123-45-67", region: "RU", e164: "+74951234567", lineType: .landline, country: "RU"),
        PhoneCase(raw: "8 916 123-45-67", region: "RU", e164: "+79161234567", lineType: .mobile, country: "RU"),
        PhoneCase(raw: "89161234567", region: "RU", e164: "+79161234567", lineType: .mobile, country: "RU"),
        PhoneCase(raw: "+7 916 123 45 67", region: nil, e164: "+79161234567", lineType: .mobile, country: "RU"),
        PhoneCase(raw: "+7 (495) 123-45-67 доб. 123", region: nil, e164: "+74951234567", lineType: .landline, country: "RU", phoneExtension: "123"),
        PhoneCase(raw: "8-800-555-35-35", region: "RU", e164: "+78005553535", lineType: .tollFree, country: "RU"),
        PhoneCase(raw: "0 495 123 45 67", region: "RU", e164: "+74951234567", lineType: .landline, country: "RU"),
        PhoneCase(raw: "+7 701 123 4567", region: "RU", e164: "+77011234567", lineType: .unknown, country: "KZ"),
        PhoneCase(raw: "050 123 4567", region: "UA", e164: "+380501234567", lineType: .mobile, country: "UA"),
        PhoneCase(raw: "067-123-45-67", region: "UA", e164: "+380671234567", lineType: .mobile, country: "UA"),
        PhoneCase(raw: "+380 93 123 45 67", region: nil, e164: "+380931234567", lineType: .mobile, country: "UA"),
        PhoneCase(raw: "+380 44 123 4567", region: "IL", e164: "+380441234567", lineType: .landline, country: "UA"),
        PhoneCase(raw: "(044) 123-45-67", region: "UA", e164: "+380441234567", lineType: .landline, country: "UA"),
        PhoneCase(raw: "098765 43210", region: "IN", e164: "+919876543210", lineType: .mobile, country: "IN"),
        PhoneCase(raw: "+91 98765 43210", region: nil, e164: "+919876543210", lineType: .mobile, country: "IN"),
        PhoneCase(raw: "9876543210", region: "IN", e164: "+919876543210", lineType: .mobile, country: "IN"),
        PhoneCase(raw: "+91-7012345678", region: "IL", e164: "+917012345678", lineType: .mobile, country: "IN"),
        PhoneCase(raw: "011 2345 6789", region: "IN", e164: "+911123456789", lineType: .landline, country: "IN"),
        PhoneCase(raw: "1800 123 4567", region: "IN", e164: "+9118001234567", lineType: .tollFree, country: "IN"),
    ]

    /// Calling codes without a plan here: accepted in E.164 shape, region from the ITU table.
    static let elsewhere: [PhoneCase] = [
        PhoneCase(raw: "+39 06 1234 5678", region: "IL", e164: "+390612345678", lineType: .unknown, country: "IT"),
        PhoneCase(raw: "0039 06 1234 5678", region: "IL", e164: "+390612345678", lineType: .unknown, country: "IT"),
        PhoneCase(raw: "+34 612 34 56 78", region: nil, e164: "+34612345678", lineType: .unknown, country: "ES"),
        PhoneCase(raw: "+86 138 0013 8000", region: nil, e164: "+8613800138000", lineType: .unknown, country: "CN"),
        PhoneCase(raw: "+81 3-1234-5678", region: nil, e164: "+81312345678", lineType: .unknown, country: "JP"),
        PhoneCase(raw: "+82 10-1234-5678", region: nil, e164: "+821012345678", lineType: .unknown, country: "KR"),
        PhoneCase(raw: "+971 50 123 4567", region: "IL", e164: "+971501234567", lineType: .unknown, country: "AE"),
        PhoneCase(raw: "+970 59 912 3456", region: "IL", e164: "+970599123456", lineType: .unknown, country: "PS"),
        PhoneCase(raw: "+55 11 91234-5678", region: nil, e164: "+5511912345678", lineType: .unknown, country: "BR"),
        PhoneCase(raw: "+61 2 9876 5432", region: nil, e164: "+61298765432", lineType: .unknown, country: "AU"),
        PhoneCase(raw: "+852 2123 4567", region: nil, e164: "+85221234567", lineType: .unknown, country: "HK"),
        PhoneCase(raw: "+683 4002", region: nil, e164: "+6834002", lineType: .unknown, country: "NU"),
        PhoneCase(raw: "+800 1234 5678", region: nil, e164: "+80012345678", lineType: .unknown, country: nil),
    ]

    @Test(arguments: israel + northAmerica + europeAndIndia + elsewhere)
    func normalizes(_ row: PhoneCase) throws {
        let number = try PhoneNormalizer.normalize(row.raw, defaultRegion: row.region).get()
        #expect(number.e164 == row.e164)
        #expect(number.lineType == row.lineType)
        #expect(number.region == row.country)
        #expect(number.phoneExtension == row.phoneExtension)
        #expect(number.isKnownRange == row.isKnownRange)
    }

    static let failures: [PhoneFailure] = [
        PhoneFailure(raw: "*6789", region: "IL", reasonMentions: ["star number"]),
        PhoneFailure(raw: "\u{200F}6789*", region: "IL", reasonMentions: ["star number"]),
        PhoneFailure(raw: "", region: "IL", reasonMentions: ["empty"]),
        PhoneFailure(raw: "\u{200F} \u{00A0}", region: "IL", reasonMentions: ["empty"]),
        PhoneFailure(raw: "( ) -", region: "IL", reasonMentions: ["no digits"]),
        PhoneFailure(raw: "call me", region: "IL", reasonMentions: ["contains letters"]),
        PhoneFailure(raw: "054-123456a", region: "IL", reasonMentions: ["contains letters"]),
        PhoneFailure(raw: "1-800-FLOWERS", region: "US", reasonMentions: ["contains letters"]),
        PhoneFailure(raw: "נייד 054-1234567", region: "IL", reasonMentions: ["contains letters"]),
        PhoneFailure(raw: "054-1234567, 03-6101800", region: "IL", reasonMentions: ["contains ','"]),
        PhoneFailure(raw: "054+1234567", region: "IL", reasonMentions: ["'+'", "country code"]),
        PhoneFailure(raw: "0541234", region: "IL", reasonMentions: ["too few digits for IL (expected 9 after the trunk 0, got 6)"]),
        PhoneFailure(raw: "05-1234567", region: "IL", reasonMentions: ["too few digits for IL", "expected 9 after the trunk 0"]),
        PhoneFailure(raw: "03-610180", region: "IL", reasonMentions: ["too few digits for IL", "expected 8 after the trunk 0"]),
        PhoneFailure(raw: "054-12345678", region: "IL", reasonMentions: ["too many digits for IL", "expected 9"]),
        PhoneFailure(raw: "+972 54 123 456", region: nil, reasonMentions: ["too few digits for IL (expected 9 after +972, got 8)"]),
        PhoneFailure(raw: "01-2345678", region: "IL", reasonMentions: ["IL numbers do not start with 12 after the trunk 0"]),
        PhoneFailure(raw: "00000000", region: "IL", reasonMentions: ["calling code cannot start with 0"]),
        PhoneFailure(raw: "541234567", region: nil, reasonMentions: ["no country code and no default region"]),
        PhoneFailure(raw: "054-1234567", region: nil, reasonMentions: ["no country code and no default region"]),
        PhoneFailure(raw: "054-1234567", region: "XX", reasonMentions: ["'XX'", "region"]),
        PhoneFailure(raw: "06 12 34 56 78", region: "IT", reasonMentions: ["no numbering rules for IT", "+39"]),
        PhoneFailure(raw: "+972", region: nil, reasonMentions: ["no number after +972"]),
        PhoneFailure(raw: "+999 123456789", region: nil, reasonMentions: ["unknown country calling code +999"]),
        PhoneFailure(raw: "+0541234567", region: "IL", reasonMentions: ["calling code cannot start with 0"]),
        PhoneFailure(raw: "555-1234", region: "US", reasonMentions: ["too few digits for US (expected 10, got 7)"]),
        PhoneFailure(raw: "(012) 345-6789", region: "US", reasonMentions: ["US area codes do not start with 0"]),
        PhoneFailure(raw: "(212) 055-1234", region: "US", reasonMentions: ["exchange", "0 or 1"]),
        PhoneFailure(raw: "+1 212 555 0123 4567", region: nil, reasonMentions: ["too many digits for US"]),
        PhoneFailure(raw: "+44 20 7946 00", region: nil, reasonMentions: ["too few digits for GB", "after +44"]),
        PhoneFailure(raw: "0612 345", region: "FR", reasonMentions: ["too few digits for FR", "expected 9"]),
        PhoneFailure(raw: "8 495 123 45", region: "RU", reasonMentions: ["too few digits for RU", "expected 10"]),
        PhoneFailure(raw: "050 123 45", region: "UA", reasonMentions: ["too few digits for UA", "expected 9"]),
        PhoneFailure(raw: "98765 4321", region: "IN", reasonMentions: ["too few digits for IN", "expected 10"]),
        PhoneFailure(raw: "+39 1234", region: nil, reasonMentions: ["too few digits for +39"]),
        PhoneFailure(raw: "+39 1234 5678 9012 3456", region: nil, reasonMentions: ["too many digits for +39"]),
        // Webflow sends phone answers as JSON numbers; this one is the docs' sample, a fictional 555-000 number.
        PhoneFailure(raw: "15550000000", region: "US", reasonMentions: ["exchange"]),
    ]

    @Test(arguments: failures)
    func refuses(_ row: PhoneFailure) {
        let result = PhoneNormalizer.normalize(row.raw, defaultRegion: row.region)
        guard case .failure(let problem) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(problem.field == "phone")
        for word in row.reasonMentions {
            #expect(problem.reason.contains(word), "reason: \(problem.reason)")
        }
    }

    @Test func everyPlanRegionAndSharingRegionHasItsCallingCode() {
        for plan in PhoneNumberingPlan.byCallingCode.values {
            #expect(CallingCodes.byRegion[plan.region] == plan.callingCode)
            for region in plan.sharingRegions {
                #expect(CallingCodes.byRegion[region] == plan.callingCode, "\(region)")
            }
        }
    }
}
