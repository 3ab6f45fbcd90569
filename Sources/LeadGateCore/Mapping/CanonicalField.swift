/// The fields LeadGate knows by name. Everything else a sender tells us is kept under `fields` by its own key.
public enum CanonicalField: String, Sendable, Hashable, CaseIterable, Codable {
    case fullName = "full_name"
    case firstName = "first_name"
    case lastName = "last_name"
    case email
    case phone
    case company
    case jobTitle = "job_title"
    case country
    case city
    case message
    case consent
    case landingURL = "landing_url"
    case referrer
    case campaign
    case form
    case utmSource = "utm_source"
    case utmMedium = "utm_medium"
    case utmCampaign = "utm_campaign"
    case utmTerm = "utm_term"
    case utmContent = "utm_content"
    case gclid
    case fbclid
    case externalID = "external_id"
}

/// One key/value pair exactly as the sender named it.
public struct RawField: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
