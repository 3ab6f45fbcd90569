import Testing
@testable import LeadGateCore

@Suite struct CountryNormalizerTests {
    static let names: [(raw: String, code: String)] = [
        // Codes, any case.
        ("IL", "IL"), ("il", "IL"), (" us ", "US"), ("ISR", "IL"), ("usa", "US"), ("Gbr", "GB"), ("DEU", "DE"),
        ("RUS", "RU"), ("UKR", "UA"), ("IND", "IN"), ("xk", "XK"),
        // English names and aliases.
        ("Israel", "IL"), ("ISRAEL", "IL"), ("United States", "US"), ("United States of America", "US"),
        ("U.S.A.", "US"), ("U.S.", "US"), ("America", "US"), ("UK", "GB"), ("U.K.", "GB"), ("United Kingdom", "GB"),
        ("Great Britain", "GB"), ("England", "GB"), ("Scotland", "GB"), ("Russia", "RU"), ("Russian Federation", "RU"),
        ("South Korea", "KR"), ("Korea, South", "KR"), ("Korea, Republic of", "KR"), ("North Korea", "KP"), ("Czechia", "CZ"),
        ("Czech Republic", "CZ"), ("The Netherlands", "NL"), ("Holland", "NL"), ("Ivory Coast", "CI"),
        ("Cote d'Ivoire", "CI"), ("Côte d’Ivoire", "CI"), ("Bosnia & Herzegovina", "BA"), ("Trinidad & Tobago", "TT"),
        ("Guinea-Bissau", "GW"), ("Guinea Bissau", "GW"), ("Equatorial Guinea", "GQ"), ("Niger", "NE"), ("Nigeria", "NG"),
        ("Dominica", "DM"), ("Dominican Republic", "DO"), ("DR Congo", "CD"), ("Congo", "CG"), ("Vietnam", "VN"),
        ("Viet Nam", "VN"), ("Turkey", "TR"), ("Türkiye", "TR"), ("Turkiye", "TR"), ("UAE", "AE"),
        ("Iran, Islamic Republic of", "IR"), ("Taiwan", "TW"), ("Burma", "MM"), ("Swaziland", "SZ"),
        ("Saint Lucia", "LC"), ("St. Lucia", "LC"), ("Åland Islands", "AX"), ("Curacao", "CW"), ("Réunion", "RE"),
        ("Palestine", "PS"), ("Kosovo", "XK"), ("Georgia", "GE"), ("Macedonia", "MK"),
        // Hebrew.
        ("ישראל", "IL"), ("מדינת ישראל", "IL"), ("ארצות הברית", "US"), ("ארה\"ב", "US"), ("ארה״ב", "US"),
        ("בריטניה", "GB"), ("אנגליה", "GB"), ("צרפת", "FR"), ("גרמניה", "DE"), ("רוסיה", "RU"), ("אוקראינה", "UA"),
        ("הודו", "IN"), ("סין", "CN"), ("יפן", "JP"), ("איטליה", "IT"), ("ספרד", "ES"), ("הולנד", "NL"),
        ("שוויץ", "CH"), ("צ'כיה", "CZ"), ("צ׳כיה", "CZ"), ("קפריסין", "CY"), ("טורקיה", "TR"), ("מצרים", "EG"),
        ("ירדן", "JO"), ("איחוד האמירויות", "AE"), ("קנדה", "CA"), ("ברזיל", "BR"), ("אוסטרליה", "AU"),
        ("דרום אפריקה", "ZA"), ("יִשְׂרָאֵל", "IL"), ("יוון", "GR"), ("\u{200F}ישראל\u{200F}", "IL"),
        // Arabic, with and without hamza and harakat.
        ("إسرائيل", "IL"), ("اسرائيل", "IL"), ("مِصْر", "EG"), ("الأردن", "JO"), ("الاردن", "JO"),
        ("السعودية", "SA"), ("الإمارات", "AE"), ("فلسطين", "PS"), ("لبنان", "LB"), ("المغرب", "MA"),
        ("الولايات المتحدة", "US"), ("روسيا", "RU"), ("فرنسا", "FR"), ("ألمانيا", "DE"),
        // Russian.
        ("Россия", "RU"), ("россия", "RU"), ("РФ", "RU"), ("Израиль", "IL"), ("США", "US"), ("Украина", "UA"),
        ("Беларусь", "BY"), ("Белоруссия", "BY"), ("Казахстан", "KZ"), ("Германия", "DE"), ("Великобритания", "GB"),
        ("Соединенные Штаты Америки", "US"), ("Молдавия", "MD"),
        // Native names.
        ("Deutschland", "DE"), ("España", "ES"), ("Espana", "ES"), ("France", "FR"), ("Italia", "IT"), ("Україна", "UA"),
        ("Österreich", "AT"), ("Osterreich", "AT"), ("Schweiz", "CH"), ("Suisse", "CH"), ("Nederland", "NL"),
        ("Polska", "PL"), ("Česko", "CZ"), ("Magyarország", "HU"), ("România", "RO"), ("Ελλάδα", "GR"),
        ("Sverige", "SE"), ("Suomi", "FI"), ("Brasil", "BR"), ("México", "MX"), ("日本", "JP"), ("中国", "CN"),
        ("대한민국", "KR"), ("भारत", "IN"), ("საქართველო", "GE"), ("Éire", "IE"),
    ]

    @Test(arguments: names)
    func finds(_ row: (raw: String, code: String)) {
        #expect(CountryNormalizer.isoCode(for: row.raw) == row.code)
    }

    @Test(arguments: ["", "  ", "Atlantis", "Tel Aviv", "XX", "ZZZ", "Europe", "N/A", "-", "123"])
    func doesNotGuess(_ raw: String) {
        #expect(CountryNormalizer.isoCode(for: raw) == nil)
    }

    @Test func everyISOCountryIsFoundByBothCodesAndItsName() throws {
        let lines = CountryNames.iso.split(separator: "\n")
        #expect(lines.count == 250)
        for line in lines {
            let code = String(line.prefix(2))
            #expect(CountryNormalizer.isoCode(for: code) == code)
            #expect(CountryNormalizer.isoCode(for: String(line.dropFirst(3).prefix(3))) == code)
            let name = try #require(line.dropFirst(7).split(separator: "|").first)
            #expect(CountryNormalizer.isoCode(for: String(name)) == code, "\(name)")
        }
    }

    @Test func everyPhoneRegionIsACountry() {
        for region in CallingCodes.byRegion.keys where region != "AC" && region != "TA" {
            #expect(CountryNormalizer.isoCode(for: region) == region, "\(region)")
        }
    }
}
