import Testing
@testable import LeadGateCore

struct AttributionCase: CustomTestStringConvertible, Sendable {
    let url: String
    let expected: [String: String]
    var testDescription: String { url }
}

@Suite struct AttributionParserTests {
    static let cases: [AttributionCase] = [
        AttributionCase(
            url: "https://acme.co.il/lp?utm_source=google&utm_medium=cpc&utm_campaign=winter-promo",
            expected: ["utm_source": "google", "utm_medium": "cpc", "utm_campaign": "winter-promo"]
        ),
        AttributionCase(
            url: "https://acme.co.il/?gclid=Cj0KCQiA&fbclid=IwAR2x&msclkid=abc123&ttclid=tt1&li_fat_id=li1&gbraid=gb1&wbraid=wb1&twclid=tw1&yclid=ya1",
            expected: [
                "gclid": "Cj0KCQiA", "fbclid": "IwAR2x", "msclkid": "abc123", "ttclid": "tt1", "li_fat_id": "li1",
                "gbraid": "gb1", "wbraid": "wb1", "twclid": "tw1", "yclid": "ya1",
            ]
        ),
        // Hebrew campaign name, percent-encoded UTF-8.
        AttributionCase(
            url: "https://acme.co.il/lp?utm_campaign=%D7%9E%D7%91%D7%A6%D7%A2%20%D7%97%D7%95%D7%A8%D7%A3&utm_source=facebook",
            expected: ["utm_campaign": "מבצע חורף", "utm_source": "facebook"]
        ),
        AttributionCase(url: "/contact/?utm_source=newsletter&utm_medium=email", expected: ["utm_source": "newsletter", "utm_medium": "email"]),
        AttributionCase(url: "lp.html?utm_term=crm+software+israel", expected: ["utm_term": "crm software israel"]),
        AttributionCase(url: "https://acme.co.il/?UTM_Source=Google&Utm_Medium=CPC", expected: ["utm_source": "Google", "utm_medium": "CPC"]),
        // Single-page apps keep parameters after the hash.
        AttributionCase(url: "https://app.acme.co.il/#/signup?utm_source=tiktok&ttclid=E.C.P.x", expected: ["utm_source": "tiktok", "ttclid": "E.C.P.x"]),
        AttributionCase(url: "https://acme.co.il/lp#utm_source=linkedin&utm_medium=social", expected: ["utm_source": "linkedin", "utm_medium": "social"]),
        AttributionCase(url: "https://acme.co.il/lp?utm_source=google#pricing", expected: ["utm_source": "google"]),
        AttributionCase(url: "https://acme.co.il/lp?utm_source=google#/?utm_source=bing&utm_medium=cpc", expected: ["utm_source": "google", "utm_medium": "cpc"]),
        // Copied out of HTML with the ampersands still escaped.
        AttributionCase(url: "https://acme.co.il/?utm_source=google&amp;utm_medium=cpc", expected: ["utm_source": "google", "utm_medium": "cpc"]),
        AttributionCase(url: "utm_source=fb&utm_campaign=spring", expected: ["utm_source": "fb", "utm_campaign": "spring"]),
        AttributionCase(url: "https://acme.co.il/?utm_source=&utm_medium=cpc&ref=partner&page=2", expected: ["utm_medium": "cpc"]),
        AttributionCase(url: "https://acme.co.il/?utm_source=google&utm_source=bing", expected: ["utm_source": "google"]),
        AttributionCase(url: "https://acme.co.il/?utm_content=50%25+off", expected: ["utm_content": "50% off"]),
        // Broken encodings are kept as sent rather than dropped or crashing.
        AttributionCase(url: "https://acme.co.il/?utm_campaign=100%&utm_term=%E2%82", expected: ["utm_campaign": "100%", "utm_term": "%E2%82"]),
        AttributionCase(url: "http://[::1:bad url?utm_source=x y&&=&utm_medium", expected: ["utm_source": "x y"]),
        AttributionCase(url: "https://acme.co.il/thanks", expected: [:]),
        AttributionCase(url: "", expected: [:]),
        AttributionCase(url: "?#?&=", expected: [:]),
    ]

    @Test(arguments: cases)
    func extracts(_ row: AttributionCase) {
        #expect(AttributionParser.trackingParameters(in: row.url) == row.expected)
    }
}
