import Foundation

/// Where a lead stands: qualified, kept, or refused (spam, invalid) but still kept with its reasons.
public enum LeadStatus: String, Sendable, Codable, CaseIterable {
    case opportunity
    case lead
    case rejected
    /// A platform notification that carries ids only (Meta, LinkedIn): stored as soon as it arrives, its
    /// answers still to be fetched from the platform. Never dropped.
    case pendingFetch = "pending_fetch"
}

/// The field an adapter sets on a draft that carries ids only (status `pending_fetch`), naming what must fetch its answers.
public let pendingFetchField = "_pending_fetch"

/// The field an adapter sets (`true`) on a draft that says the person deleted the lead at the platform (LinkedIn's
/// `DELETED` action): the lead with the same external id is marked deleted at the source.
public let deletedAtSourceField = "_deleted_at_source"

/// Where the platform fetch of a `pending_fetch` lead stands: visible on the lead, so none is silently stuck.
public struct FetchStatus: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Not tried yet, or failed in a way that may pass (throttled, outage): tried again at `nextAttemptAt`.
        case waiting
        /// The platform refused the source's credentials or permissions: retried, slowly, until someone fixes the config.
        case needsConfiguration = "needs_configuration"
        /// The platform said the request can never succeed (the lead is gone): no more attempts.
        case gaveUp = "gave_up"
    }

    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The platform's HTTP status of the last attempt; 0 when no answer came.
    public var lastStatus: Int?
    public var lastError: String?

    public init(state: State, attempts: Int, nextAttemptAt: Date?, lastStatus: Int? = nil, lastError: String? = nil) {
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
    }

    enum CodingKeys: String, CodingKey {
        case state, attempts, nextAttemptAt = "next_attempt_at", lastStatus = "last_status", lastError = "last_error"
    }
}

/// How to reach a person, after normalization.
public struct Contact: Sendable, Hashable, Codable {
    public var fullName: String?
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?
    public var phoneExtension: String?
    public var company: String?
    public var jobTitle: String?
    public var country: String?
    public var city: String?

    public init(
        fullName: String? = nil, firstName: String? = nil, lastName: String? = nil,
        email: String? = nil, phone: String? = nil, phoneExtension: String? = nil,
        company: String? = nil, jobTitle: String? = nil, country: String? = nil, city: String? = nil
    ) {
        self.fullName = fullName
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.phoneExtension = phoneExtension
        self.company = company
        self.jobTitle = jobTitle
        self.country = country
        self.city = city
    }

    /// True when there is any way to reach the person.
    public var isReachable: Bool { email != nil || phone != nil }

    enum CodingKeys: String, CodingKey {
        case fullName = "full_name", firstName = "first_name", lastName = "last_name"
        case email, phone, phoneExtension = "phone_extension", company, jobTitle = "job_title", country, city
    }
}

/// Where a lead came from: the source, the campaign and the click ids found on the way.
public struct Attribution: Sendable, Hashable, Codable {
    public var source: String
    public var sourceType: String
    public var campaign: String?
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?
    public var utmTerm: String?
    public var utmContent: String?
    public var gclid: String?
    public var fbclid: String?
    /// Other click ids (msclkid, ttclid, li_fat_id, gbraid, wbraid...), by parameter name.
    public var clickIDs: [String: String]
    public var landingURL: String?
    public var referrer: String?
    public var form: String?

    public init(source: String, sourceType: String) {
        self.source = source
        self.sourceType = sourceType
        self.clickIDs = [:]
    }

    enum CodingKeys: String, CodingKey {
        case source, sourceType = "source_type", campaign
        case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign"
        case utmTerm = "utm_term", utmContent = "utm_content"
        case gclid, fbclid, clickIDs = "click_ids", landingURL = "landing_url", referrer, form
    }
}

/// What the person agreed to, and when.
public struct Consent: Sendable, Hashable, Codable {
    public var marketing: Bool?
    public var at: Date?

    public init(marketing: Bool? = nil, at: Date? = nil) {
        self.marketing = marketing
        self.at = at
    }
}

/// One intake event of a lead, as it is listed on the lead.
public struct TouchSummary: Sendable, Hashable, Codable {
    public var id: String
    public var source: String
    public var externalID: String?
    public var receivedAt: Date

    public init(id: String, source: String, externalID: String?, receivedAt: Date) {
        self.id = id
        self.source = source
        self.externalID = externalID
        self.receivedAt = receivedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, source, externalID = "external_id", receivedAt = "received_at"
    }
}

/// The canonical lead, as the admin API returns it.
public struct Lead: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var status: LeadStatus
    /// Why a lead was rejected (`honeypot`, `unreachable`...), when it was.
    public var rejectReason: String?
    public var contact: Contact
    public var attribution: Attribution
    /// Everything the sender told us that has no canonical place, by the sender's own key.
    public var fields: [String: String]
    public var consent: Consent
    /// Values the sender gave that could not be normalized, with the reason (the raw value is kept in `fields`).
    public var problems: [NormalizationProblem]
    /// A test submission from the platform: kept, left out of reports.
    public var isTest: Bool
    /// The product the lead was routed to, when products are configured.
    public var product: String?
    /// How the criteria decided, with one reason per rule.
    public var qualification: Qualification?
    /// The sales rep the lead is assigned to.
    public var owner: String?
    public var opportunity: Opportunity?
    public var touches: [TouchSummary]
    public var createdAt: Date
    public var updatedAt: Date
    /// For a `pending_fetch` lead: how fetching its answers goes.
    public var fetch: FetchStatus?
    /// When the platform said the person deleted the lead there (LinkedIn `DELETED`).
    public var deletedAtSource: Date?

    public init(
        id: String, status: LeadStatus, rejectReason: String? = nil, contact: Contact,
        attribution: Attribution, fields: [String: String], consent: Consent, problems: [NormalizationProblem] = [],
        isTest: Bool = false, product: String? = nil, qualification: Qualification? = nil, owner: String? = nil,
        opportunity: Opportunity? = nil, touches: [TouchSummary], createdAt: Date, updatedAt: Date,
        fetch: FetchStatus? = nil, deletedAtSource: Date? = nil
    ) {
        self.id = id
        self.status = status
        self.rejectReason = rejectReason
        self.contact = contact
        self.attribution = attribution
        self.fields = fields
        self.consent = consent
        self.problems = problems
        self.isTest = isTest
        self.product = product
        self.qualification = qualification
        self.owner = owner
        self.opportunity = opportunity
        self.touches = touches
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.fetch = fetch
        self.deletedAtSource = deletedAtSource
    }

    enum CodingKeys: String, CodingKey {
        case id, status, rejectReason = "reject_reason", contact, attribution, fields, consent, problems
        case isTest = "is_test", product, qualification, owner, opportunity, touches
        case createdAt = "created_at", updatedAt = "updated_at", fetch, deletedAtSource = "deleted_at_source"
    }
}
