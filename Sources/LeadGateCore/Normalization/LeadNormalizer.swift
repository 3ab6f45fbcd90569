import Foundation

/// A lead after the normalize stage: canonical contact, attribution and consent, the sender's other
/// fields, and every value that could not be normalized with the reason why.
public struct NormalizedLead: Sendable, Hashable {
    public var contact: Contact
    public var attribution: Attribution
    public var consent: Consent
    public var fields: [String: String]
    public var externalID: String?
    public var phoneLineType: PhoneLineType?
    /// ISO alpha-2 region of the phone number's calling code.
    public var phoneRegion: String?
    public var phoneKnownRange: Bool?
    public var problems: [NormalizationProblem]

    public init(
        contact: Contact, attribution: Attribution, consent: Consent = Consent(), fields: [String: String] = [:],
        externalID: String? = nil, phoneLineType: PhoneLineType? = nil, phoneRegion: String? = nil,
        phoneKnownRange: Bool? = nil, problems: [NormalizationProblem] = []
    ) {
        self.contact = contact
        self.attribution = attribution
        self.consent = consent
        self.fields = fields
        self.externalID = externalID
        self.phoneLineType = phoneLineType
        self.phoneRegion = phoneRegion
        self.phoneKnownRange = phoneKnownRange
        self.problems = problems
    }

    /// The identity that deduplicates people: the normalized email, else the E.164 phone.
    public var identity: String? {
        if let email = contact.email { return "email:" + email.lowercased() }
        if let phone = contact.phone { return "phone:" + phone }
        return nil
    }
}

/// Where a submission came from, as the normalize stage needs to know it.
public struct IntakeContext: Sendable, Hashable {
    public var source: String
    public var sourceType: String
    /// ISO alpha-2 region for phone numbers written without a country code.
    public var defaultRegion: String?
    public var receivedAt: Date
    /// The page the form was on, when the transport tells it (the HTTP `Referer` of a browser post).
    public var referrer: String?

    public init(source: String, sourceType: String, defaultRegion: String?, receivedAt: Date, referrer: String? = nil) {
        self.source = source
        self.sourceType = sourceType
        self.defaultRegion = defaultRegion
        self.receivedAt = receivedAt
        self.referrer = referrer
    }
}

/// The normalize stage: field map, then each canonical value cleaned. Pure.
public struct LeadNormalizer: Sendable {
    public var fieldMap: FieldMap

    public init(fieldMap: FieldMap) {
        self.fieldMap = fieldMap
    }

    /// Normalizes one submission. Values that cannot be normalized stay in `fields` under their
    /// canonical name, and `problems` says why; nothing the sender sent is dropped.
    public func normalize(_ raw: [RawField], context: IntakeContext, externalID: String? = nil) -> NormalizedLead {
        let (canonical, extra) = fieldMap.resolve(raw)
        var fields = extra.reduce(into: [String: String]()) { result, pair in
            result[pair.key] = Self.cleanText(pair.value)
        }
        var problems: [NormalizationProblem] = []
        var contact = Contact()

        if let raw = canonical[.email] {
            switch EmailNormalizer.normalize(raw) {
            case .success(let email): contact.email = email
            case .failure(let problem):
                problems.append(problem)
                fields[CanonicalField.email.rawValue] = Self.cleanText(raw)
            }
        }
        var lineType: PhoneLineType?
        var phoneRegion: String?
        var knownRange: Bool?
        if let raw = canonical[.phone] {
            switch PhoneNormalizer.normalize(raw, defaultRegion: context.defaultRegion) {
            case .success(let number):
                contact.phone = number.e164
                contact.phoneExtension = number.phoneExtension
                lineType = number.lineType
                phoneRegion = number.region
                knownRange = number.isKnownRange
            case .failure(let problem):
                problems.append(problem)
                fields[CanonicalField.phone.rawValue] = Self.cleanText(raw)
            }
        }

        contact.fullName = canonical[.fullName].flatMap(NameNormalizer.clean)
        contact.firstName = canonical[.firstName].flatMap(NameNormalizer.clean)
        contact.lastName = canonical[.lastName].flatMap(NameNormalizer.clean)
        if contact.fullName == nil {
            contact.fullName = NameNormalizer.join(first: contact.firstName, last: contact.lastName)
        } else if contact.firstName == nil, contact.lastName == nil, let full = contact.fullName {
            let parts = NameNormalizer.split(fullName: full)
            contact.firstName = parts.first
            contact.lastName = parts.last
        }
        contact.company = canonical[.company].flatMap(NameNormalizer.clean)
        contact.jobTitle = canonical[.jobTitle].flatMap(NameNormalizer.clean)
        contact.city = canonical[.city].flatMap(NameNormalizer.clean)
        if let raw = canonical[.country] {
            if let code = CountryNormalizer.isoCode(for: raw) {
                contact.country = code
            } else {
                problems.append(NormalizationProblem(field: "country", reason: "'\(raw)' is not a country name or ISO code"))
                fields[CanonicalField.country.rawValue] = Self.cleanText(raw)
            }
        }
        if let message = canonical[.message] {
            fields[CanonicalField.message.rawValue] = Self.cleanText(message)
        }

        let attribution = Self.attribution(canonical, context: context)
        var consent = Consent()
        if let raw = canonical[.consent] {
            consent.marketing = ConsentParser.parse(raw)
            if consent.marketing == nil {
                problems.append(NormalizationProblem(field: "consent", reason: "'\(raw)' is neither yes nor no"))
                fields[CanonicalField.consent.rawValue] = Self.cleanText(raw)
            } else {
                consent.at = context.receivedAt
            }
        }

        return NormalizedLead(
            contact: contact, attribution: attribution, consent: consent, fields: fields,
            externalID: externalID ?? canonical[.externalID].map(Self.cleanText),
            phoneLineType: lineType, phoneRegion: phoneRegion, phoneKnownRange: knownRange, problems: problems
        )
    }

    /// Text kept as sent, only composed to NFC and trimmed: Hebrew, Arabic and CJK come out as they came in.
    static func cleanText(_ raw: String) -> String {
        UnicodeText.cleaned(raw)
    }

    static func attribution(_ canonical: [CanonicalField: String], context: IntakeContext) -> Attribution {
        var attribution = Attribution(source: context.source, sourceType: context.sourceType)
        attribution.landingURL = canonical[.landingURL].map(cleanText)
        attribution.referrer = canonical[.referrer].map(cleanText) ?? context.referrer
        attribution.form = canonical[.form].map(cleanText)
        // URL parameters first (landing page, then referrer); explicit form fields win over both.
        var tracking: [String: String] = [:]
        for url in [attribution.referrer, attribution.landingURL].compactMap({ $0 }) {
            tracking.merge(AttributionParser.trackingParameters(in: url)) { _, new in new }
        }
        let explicit: [(CanonicalField, String)] = [
            (.utmSource, "utm_source"), (.utmMedium, "utm_medium"), (.utmCampaign, "utm_campaign"),
            (.utmTerm, "utm_term"), (.utmContent, "utm_content"), (.gclid, "gclid"), (.fbclid, "fbclid"),
        ]
        for (field, key) in explicit {
            if let value = canonical[field] { tracking[key] = cleanText(value) }
        }
        attribution.utmSource = tracking.removeValue(forKey: "utm_source")
        attribution.utmMedium = tracking.removeValue(forKey: "utm_medium")
        attribution.utmCampaign = tracking.removeValue(forKey: "utm_campaign")
        attribution.utmTerm = tracking.removeValue(forKey: "utm_term")
        attribution.utmContent = tracking.removeValue(forKey: "utm_content")
        attribution.gclid = tracking.removeValue(forKey: "gclid")
        attribution.fbclid = tracking.removeValue(forKey: "fbclid")
        attribution.clickIDs = tracking
        attribution.campaign = canonical[.campaign].map(cleanText) ?? attribution.utmCampaign
        return attribution
    }
}
