import Foundation
import LeadGateCore

/// Leads and conditions for the criteria tests.
enum CriteriaFixture {
    /// 2026-11-28T10:00:00Z: a Saturday, 12:00 in Jerusalem (UTC+2 in winter).
    static let received = Date(timeIntervalSince1970: 1_795_860_000)
    static let jerusalem = TimeZone(identifier: "Asia/Jerusalem") ?? .gmt

    /// The design's sample lead (דנה כהן of Acme, from the website), changed by `change`.
    static func input(_ change: (inout CriteriaInput) -> Void = { _ in }) -> CriteriaInput {
        let contact = Contact(
            fullName: "דנה כהן", firstName: "דנה", lastName: "כהן", email: "dana@acme.co.il", phone: "+972541234567",
            company: "Acme בע״מ", jobTitle: "COO", country: "IL", city: "Tel Aviv"
        )
        var attribution = Attribution(source: "website", sourceType: "web_form")
        attribution.campaign = "winter-promo"
        attribution.utmSource = "google"
        attribution.utmMedium = "cpc"
        attribution.utmCampaign = "winter-promo"
        attribution.utmTerm = "crm software"
        attribution.utmContent = "banner-a"
        var input = CriteriaInput(
            contact: contact, attribution: attribution,
            fields: [
                "budget": "₪20,000", "employees": "50", "product": "crm", "message": "מעוניין בהצעת מחיר למערכת CRM",
                "guess": "around 20", "empty": "", "cafe": "cafe\u{301}",
            ],
            phoneLineType: .mobile, phoneRegion: "IL",
            receivedAt: received, timeZone: jerusalem, freeEmailDomains: .shipped
        )
        change(&input)
        return input
    }

    static func test(_ field: String, _ op: ConditionOperator, _ value: ConditionValue, caseSensitive: Bool = false) throws -> Condition {
        try Condition(field: field, op, value, caseSensitive: caseSensitive)
    }

    static func bare(_ items: String...) -> ConditionValue {
        .list(items.map(ConditionValue.bare))
    }
}
