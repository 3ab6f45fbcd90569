import Foundation
import Testing
@testable import LeadGateCore

@Suite struct LeadNormalizerTests {
    let normalizer = LeadNormalizer(fieldMap: .common)
    let receivedAt = Date(timeIntervalSince1970: 1_795_000_000)

    func context(region: String? = "IL", referrer: String? = nil) -> IntakeContext {
        IntakeContext(source: "website", sourceType: "web_form", defaultRegion: region, receivedAt: receivedAt, referrer: referrer)
    }

    @Test func hebrewFormLabels() {
        let lead = normalizer.normalize([
            RawField("שם מלא", "\u{200F}דנה\u{00A0}כהן "),
            RawField("טלפון", "054-123 4567"),
            RawField("אימייל", " Dana@Acme.CO.IL "),
            RawField("חברה", "אקמה בע\"מ"),
            RawField("מדינה", "ישראל"),
            RawField("עיר", "תל אביב"),
            RawField("הודעה", " מעוניינת בהצעת מחיר "),
            RawField("אישור דיוור", "מאשר/ת"),
            RawField("תקציב", "20000"),
        ], context: context())

        #expect(lead.problems.isEmpty)
        #expect(lead.contact.fullName == "דנה כהן")
        #expect(lead.contact.firstName == "דנה")
        #expect(lead.contact.lastName == "כהן")
        #expect(lead.contact.phone == "+972541234567")
        #expect(lead.phoneLineType == .mobile)
        #expect(lead.phoneKnownRange == true)
        #expect(lead.contact.email == "Dana@acme.co.il")
        #expect(lead.contact.company == "אקמה בע\"מ")
        #expect(lead.contact.country == "IL")
        #expect(lead.contact.city == "תל אביב")
        #expect(lead.fields["message"] == "מעוניינת בהצעת מחיר")
        #expect(lead.fields["תקציב"] == "20000")
        #expect(lead.consent == Consent(marketing: true, at: receivedAt))
        #expect(lead.identity == "email:dana@acme.co.il")
    }

    /// Elementor Pro posts `form_fields[<id>]`; custom ids stay under the sender's key.
    @Test func elementorBracketedKeys() {
        let lead = normalizer.normalize([
            RawField("form_fields[name]", "Ivan Petrov"),
            RawField("form_fields[email]", "ivan@example.ru"),
            RawField("form_fields[phone]", "+7 916 123-45-67"),
            RawField("form_fields[field_8c1f2a]", "CRM for 20 seats"),
            RawField("form_id", "contact-2"),
        ], context: context())

        #expect(lead.problems.isEmpty)
        #expect(lead.contact.email == "ivan@example.ru")
        #expect(lead.contact.phone == "+79161234567")
        #expect(lead.contact.firstName == "Ivan")
        #expect(lead.contact.lastName == "Petrov")
        #expect(lead.attribution.form == "contact-2")
        #expect(lead.fields["form_fields[field_8c1f2a]"] == "CRM for 20 seats")
    }

    @Test func invalidValuesAreKeptWithTheirProblem() throws {
        let lead = normalizer.normalize([
            RawField("email", " dana@gmail "),
            RawField("phone", "*6789"),
            RawField("country", "Atlantis"),
            RawField("name", "Dana"),
        ], context: context())

        #expect(lead.contact.email == nil)
        #expect(lead.contact.phone == nil)
        #expect(lead.contact.country == nil)
        #expect(lead.fields["email"] == "dana@gmail")
        #expect(lead.fields["phone"] == "*6789")
        #expect(lead.fields["country"] == "Atlantis")
        let email = try #require(lead.problems.first { $0.field == "email" })
        #expect(email.reason.contains("no dot"))
        let phone = try #require(lead.problems.first { $0.field == "phone" })
        #expect(phone.reason.contains("star number"))
        #expect(lead.problems.contains { $0.field == "country" })
        #expect(lead.identity == nil)
    }

    @Test func trackingFromTheLandingURLAndReferrer() {
        let lead = normalizer.normalize([
            RawField("email", "dana@acme.co.il"),
            RawField("page_url", "https://acme.co.il/lp?utm_source=google&utm_medium=cpc&utm_campaign=%D7%97%D7%95%D7%A8%D7%A3&gclid=Cj0KCQ&msclkid=m1"),
            RawField("utm_medium", "paid-search"),
        ], context: context(referrer: "https://www.google.com/?utm_term=crm+israel"))

        #expect(lead.attribution.utmSource == "google")
        #expect(lead.attribution.utmMedium == "paid-search")
        #expect(lead.attribution.utmCampaign == "חורף")
        #expect(lead.attribution.campaign == "חורף")
        #expect(lead.attribution.utmTerm == "crm israel")
        #expect(lead.attribution.gclid == "Cj0KCQ")
        #expect(lead.attribution.clickIDs == ["msclkid": "m1"])
        #expect(lead.attribution.referrer == "https://www.google.com/?utm_term=crm+israel")
    }

    @Test func fullNameFromFirstAndLast() {
        let lead = normalizer.normalize([
            RawField("first_name", "  Олег "),
            RawField("last_name", "Шевченко"),
            RawField("tel", "050 123 4567"),
        ], context: context(region: "UA"))

        #expect(lead.contact.fullName == "Олег Шевченко")
        #expect(lead.contact.phone == "+380501234567")
        #expect(lead.identity == "phone:+380501234567")
    }

    @Test func phoneExtensionAndNoDefaultRegion() {
        let national = normalizer.normalize([RawField("phone", "03-6101800 שלוחה 12")], context: context(region: nil))
        #expect(national.contact.phone == nil)
        #expect(national.problems.first?.reason.contains("no default region") == true)

        let international = normalizer.normalize([RawField("phone", "+972 3 610 1800 ext. 12")], context: context(region: nil))
        #expect(international.contact.phone == "+97236101800")
        #expect(international.contact.phoneExtension == "12")
        #expect(international.phoneLineType == .landline)
    }
}
