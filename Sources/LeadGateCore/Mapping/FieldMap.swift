import Foundation

/// Which source keys feed each canonical field. Keys match loosely: case, surrounding space, and the
/// separators `-`, `_`, `.` and space are ignored, and a bracketed key such as `form_fields[email]`
/// also matches by its innermost name.
public struct FieldMap: Sendable, Hashable {
    /// Canonical field ← source keys, in order of preference.
    public private(set) var aliases: [CanonicalField: [String]]
    private var lookup: [String: CanonicalField]

    public init(_ aliases: [CanonicalField: [String]]) {
        self.aliases = [:]
        self.lookup = [:]
        for field in CanonicalField.allCases {
            if let keys = aliases[field] { set(field, to: keys) }
        }
    }

    /// Replaces the source keys of `field` (a per-source override in config), keeping the canonical name itself.
    public mutating func set(_ field: CanonicalField, to keys: [String]) {
        for (key, mapped) in lookup where mapped == field { lookup[key] = nil }
        aliases[field] = keys
        for key in [field.rawValue] + keys {
            lookup[Self.matchKey(key)] = field
        }
    }

    /// This map with `overrides` applied field by field.
    public func overriding(with overrides: [CanonicalField: [String]]) -> FieldMap {
        var copy = self
        for (field, keys) in overrides { copy.set(field, to: keys) }
        return copy
    }

    /// The canonical field a source key feeds, if any.
    public func canonicalField(for key: String) -> CanonicalField? {
        let match = Self.matchKey(key)
        if let field = lookup[match] { return field }
        if let inner = Self.innermostBracketed(key) { return lookup[Self.matchKey(inner)] }
        return nil
    }

    /// Splits raw fields into canonical values (first non-empty value wins) and the rest, by the sender's key.
    public func resolve(_ raw: [RawField]) -> (canonical: [CanonicalField: String], extra: [String: String]) {
        var canonical: [CanonicalField: String] = [:]
        var extra: [String: String] = [:]
        for field in raw {
            let target = canonicalField(for: field.key)
            let isBlank = UnicodeText.isBlank(field.value)
            if let target, canonical[target] == nil, !isBlank {
                canonical[target] = field.value
            } else if extra[field.key] == nil, target == nil || !isBlank {
                // A second value for a canonical field is kept, not dropped.
                extra[field.key] = field.value
            }
        }
        return (canonical, extra)
    }

    static func matchKey(_ key: String) -> String {
        // Most keys are ASCII (`full_name`, `Email`): folded byte by byte, without Foundation's case mapping.
        if UnicodeText.isASCII(key) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(key.utf8.count)
            for byte in key.utf8 {
                switch byte {
                case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: " "), UInt8(ascii: "\t"): continue
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
                default: bytes.append(byte)
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var out = ""
        out.reserveCapacity(key.utf8.count)
        for scalar in UnicodeText.foldedCase(key).unicodeScalars {
            switch scalar {
            case "-", "_", ".", " ", "\t", "\u{00A0}": continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func innermostBracketed(_ key: String) -> String? {
        guard key.hasSuffix("]"), let open = key.lastIndex(of: "[") else { return nil }
        let inner = key[key.index(after: open)..<key.index(before: key.endIndex)]
        return inner.isEmpty ? nil : String(inner)
    }
}

extension FieldMap {
    /// The common map plus an ad platform's work email and phone keys, taken when the lead gives no personal ones.
    public static func commonWithWorkContacts(email: String = "work_email", phone: String = "work_phone") -> FieldMap {
        var map = FieldMap.common
        map.set(.email, to: (map.aliases[.email] ?? []) + [email])
        map.set(.phone, to: (map.aliases[.phone] ?? []) + [phone])
        return map
    }

    /// Names that forms, form builders and CRMs commonly give to contact fields, in English and Hebrew:
    /// Contact Form 7 (`your-name`), Elementor (`form_fields[name]`), HubSpot (`firstname`),
    /// Salesforce Web-to-Lead (`first_name`, `mobile`, `title`, `description`, `lead_source`).
    public static let common = FieldMap([
        .fullName: ["name", "fullname", "full name", "your-name", "contact_name", "שם", "שם מלא", "الاسم", "имя"],
        .firstName: ["first_name", "firstname", "fname", "given_name", "שם פרטי"],
        .lastName: ["last_name", "lastname", "lname", "surname", "family_name", "שם משפחה"],
        .email: ["email", "e-mail", "email_address", "your-email", "mail", "אימייל", "דוא\"ל", "דואל", "מייל", "דואר אלקטרוני", "البريد الإلكتروني", "почта"],
        .phone: ["phone", "tel", "telephone", "phone_number", "mobile", "mobile_phone", "cell", "your-phone", "your-tel", "טלפון", "נייד", "פלאפון", "מספר טלפון", "الهاتف", "телефон"],
        .company: ["company", "company_name", "organization", "organisation", "business", "חברה", "שם החברה", "компания"],
        .jobTitle: ["job_title", "jobtitle", "title", "position", "role", "תפקיד"],
        .country: ["country", "country_code", "מדינה", "страна"],
        .city: ["city", "town", "עיר", "город"],
        .message: ["message", "your-message", "comments", "comment", "description", "notes", "inquiry", "enquiry", "הודעה", "תוכן ההודעה", "הערות", "сообщение"],
        .consent: ["consent", "marketing_consent", "opt_in", "optin", "newsletter", "gdpr", "accept_marketing", "הסכמה", "אישור דיוור"],
        .landingURL: ["landing_url", "landing_page", "page_url", "url", "page", "_wp_http_referer", "source_url"],
        .referrer: ["referrer", "referer", "http_referer"],
        .campaign: ["campaign", "campaign_name", "lead_source", "קמפיין"],
        .form: ["form", "form_name", "form_id", "formname"],
        .utmSource: ["utm_source"], .utmMedium: ["utm_medium"], .utmCampaign: ["utm_campaign"],
        .utmTerm: ["utm_term"], .utmContent: ["utm_content"],
        .gclid: ["gclid"], .fbclid: ["fbclid"],
        .externalID: ["external_id", "submission_id", "lead_id", "entry_id"],
    ])
}
