import Foundation

/// A value the criteria can test: a canonical contact field, a sender's own field (`fields.<key>`),
/// or one derived from the lead and its arrival.
///
/// `hour` and `weekday` are the received time in the time zone of the evaluation's context (the server's).
/// `weekday` is a lower-case English day name (`sunday` ... `saturday`); numbers are not accepted for it,
/// because 0, 1 and 7 mean different days in different conventions and a silent misreading is worse
/// than an error. `fields.<key>` looks the key up exactly as the sender (or the field map) named it.
public enum CriteriaField: Sendable, Hashable {
    case fullName, firstName, lastName, email, phone, company, jobTitle, country, city
    case custom(String)
    case emailDomain, emailFree, phoneCountry, phoneType
    case source, sourceType, campaign, utmSource, utmMedium, utmCampaign, utmTerm, utmContent
    case hour, weekday

    /// Every field but `fields.<key>`.
    private static let derivedAndCanonical: [CriteriaField] = [
        .fullName, .firstName, .lastName, .email, .phone, .company, .jobTitle, .country, .city,
        .emailDomain, .emailFree, .phoneCountry, .phoneType,
        .source, .sourceType, .campaign, .utmSource, .utmMedium, .utmCampaign, .utmTerm, .utmContent,
        .hour, .weekday,
    ]

    private static let named = Dictionary(uniqueKeysWithValues: derivedAndCanonical.map { ($0.name, $0) })

    /// Every name a condition may use besides `fields.<key>`, sorted, for error messages.
    public static let knownNames: [String] = named.keys.sorted()

    /// The field a config names, or nil when there is no such field.
    public init?(name: String) {
        if name.hasPrefix("fields.") {
            let key = String(name.dropFirst("fields.".count))
            guard !key.isEmpty else { return nil }
            self = .custom(key)
        } else if let field = Self.named[name] {
            self = field
        } else {
            return nil
        }
    }

    /// The name as written in config.
    public var name: String {
        switch self {
        case .fullName: "full_name"
        case .firstName: "first_name"
        case .lastName: "last_name"
        case .email: "email"
        case .phone: "phone"
        case .company: "company"
        case .jobTitle: "job_title"
        case .country: "country"
        case .city: "city"
        case .custom(let key): "fields." + key
        case .emailDomain: "email_domain"
        case .emailFree: "email_free"
        case .phoneCountry: "phone_country"
        case .phoneType: "phone_type"
        case .source: "source"
        case .sourceType: "source_type"
        case .campaign: "campaign"
        case .utmSource: "utm_source"
        case .utmMedium: "utm_medium"
        case .utmCampaign: "utm_campaign"
        case .utmTerm: "utm_term"
        case .utmContent: "utm_content"
        case .hour: "hour"
        case .weekday: "weekday"
        }
    }

    /// What kind of value the field holds, which decides the operators it takes.
    var kind: Kind {
        switch self {
        case .emailFree: .bool
        case .hour: .number(0...23)
        case .weekday: .choice(Weekday.names)
        case .phoneType: .choice(["mobile", "landline", "toll_free", "voip", "unknown"])
        case .country, .phoneCountry: .countryCode
        default: .text
        }
    }

    enum Kind: Equatable {
        case text
        /// Text that is always an ISO 3166-1 alpha-2 code after normalization.
        case countryCode
        case bool
        case number(ClosedRange<Int>)
        case choice([String])
    }

    /// The value as the lead holds it; empty text counts as missing.
    func value(in lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> FieldValue {
        switch self {
        case .fullName: .text(lead.contact.fullName)
        case .firstName: .text(lead.contact.firstName)
        case .lastName: .text(lead.contact.lastName)
        case .email: .text(lead.contact.email)
        case .phone: .text(lead.contact.phone)
        case .company: .text(lead.contact.company)
        case .jobTitle: .text(lead.contact.jobTitle)
        case .country: .text(lead.contact.country)
        case .city: .text(lead.contact.city)
        case .custom(let key): .text(scratch.field(key, of: lead))
        case .emailDomain: .text(scratch.emailDomain(lead))
        case .emailFree: scratch.emailDomain(lead).map { .bool(scratch.context.freeEmailDomains.contains(domain: $0)) } ?? .missing
        case .phoneCountry: .text(lead.phoneRegion)
        case .phoneType: .text(lead.phoneLineType?.rawValue)
        case .source: .text(lead.attribution.source)
        case .sourceType: .text(lead.attribution.sourceType)
        case .campaign: .text(lead.attribution.campaign)
        case .utmSource: .text(lead.attribution.utmSource)
        case .utmMedium: .text(lead.attribution.utmMedium)
        case .utmCampaign: .text(lead.attribution.utmCampaign)
        case .utmTerm: .text(lead.attribution.utmTerm)
        case .utmContent: .text(lead.attribution.utmContent)
        case .hour: .number(scratch.localTime().hour)
        case .weekday: .text(Weekday.names[scratch.localTime().weekday])
        }
    }
}

/// One field's value during an evaluation.
enum FieldValue {
    case missing
    case text(String)
    case bool(Bool)
    case number(Int)

    static func text(_ value: String?) -> FieldValue {
        guard let value, !value.isEmpty else { return .missing }
        return .text(value)
    }

    /// The value as a reason shows it.
    var shown: String? {
        switch self {
        case .missing: nil
        case .text(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): String(number)
        }
    }
}

/// The names `weekday` takes.
enum Weekday {
    /// Index 0 is Sunday, as the week starts in Israel and the US.
    static let names = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
}

/// What the criteria read besides the lead: when it arrived, and the settings derived fields need.
public struct CriteriaContext: Sendable {
    public var receivedAt: Date
    /// The zone `hour` and `weekday` are told in: the server's.
    public var timeZone: TimeZone
    public var freeEmailDomains: FreeEmailDomains

    public init(receivedAt: Date, timeZone: TimeZone, freeEmailDomains: FreeEmailDomains) {
        self.receivedAt = receivedAt
        self.timeZone = timeZone
        self.freeEmailDomains = freeEmailDomains
    }

    /// Hour (0–23) and weekday (0 = Sunday) of `receivedAt` in `timeZone`.
    fileprivate var localTime: (hour: Int, weekday: Int) {
        // Plain arithmetic on the zone's offset at that instant: a Calendar per evaluation costs far more.
        let seconds = Int(receivedAt.timeIntervalSince1970.rounded(.down)) + UTCOffset.seconds(in: timeZone, at: receivedAt)
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        // 1 January 1970 was a Thursday (4 when Sunday is 0).
        return (second / 3600, ((day % 7) + 7 + 4) % 7)
    }
}

/// What the criteria look at: a normalized lead and its context, as a test or a backtest holds them.
///
/// The intake does not build one: it lends the engine its own lead and a context (`CatalogQualifier`), where an input
/// would copy the lead's every string in and release them again, about a hundred atomic reference counts a lead.
@dynamicMemberLookup
public struct CriteriaInput: Sendable {
    public var lead: NormalizedLead
    public var context: CriteriaContext

    /// An input from parts, e.g. a lead made up by a test.
    public init(
        contact: Contact, attribution: Attribution, fields: [String: String] = [:],
        phoneLineType: PhoneLineType? = nil, phoneRegion: String? = nil,
        receivedAt: Date, timeZone: TimeZone, freeEmailDomains: FreeEmailDomains
    ) {
        self.init(
            NormalizedLead(contact: contact, attribution: attribution, fields: fields, phoneLineType: phoneLineType, phoneRegion: phoneRegion),
            receivedAt: receivedAt, timeZone: timeZone, freeEmailDomains: freeEmailDomains
        )
    }

    /// The input for a normalized lead, e.g. a stored lead replayed by a backtest.
    public init(_ lead: NormalizedLead, receivedAt: Date, timeZone: TimeZone, freeEmailDomains: FreeEmailDomains) {
        self.lead = lead
        self.context = CriteriaContext(receivedAt: receivedAt, timeZone: timeZone, freeEmailDomains: freeEmailDomains)
    }

    /// The lead's parts (`input.contact`, `input.fields`, ...), read and changed in place.
    public subscript<Value>(dynamicMember path: WritableKeyPath<NormalizedLead, Value>) -> Value {
        get { lead[keyPath: path] }
        set { lead[keyPath: path] = newValue }
    }

    /// The context's parts (`input.receivedAt`, `input.timeZone`, `input.freeEmailDomains`).
    public subscript<Value>(dynamicMember path: WritableKeyPath<CriteriaContext, Value>) -> Value {
        get { context[keyPath: path] }
        set { context[keyPath: path] = newValue }
    }

    /// A scratch for one evaluation of this input.
    func scratch(recording: EvaluationScratch.Recording = .trace) -> EvaluationScratch {
        EvaluationScratch(context, recording: recording)
    }
}

extension Contact {
    /// The part after the last `@` of the email, lower-cased.
    fileprivate var emailDomain: String? {
        guard let email else { return nil }
        let domain = email.lendingUTF8 { bytes in
            bytes.lastIndex(of: UInt8(ascii: "@")).map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
        }
        guard let domain, !domain.isEmpty else { return nil }
        return CriteriaText.folded(domain, caseSensitive: false)
    }
}

/// The working state of the evaluations of one lead: its context, what the field tests saw, as much of it as the
/// caller keeps, and the derived values several rules share, computed at most once. The qualify stage routes,
/// evaluates, prices and assigns a lead with one.
struct EvaluationScratch {
    /// How much of what the tests saw is kept.
    enum Recording {
        /// Nothing: only whether the condition holds counts (routing, assignment rules).
        case nothing
        /// Only the first note: a rule over one field shows that field's value, the same whichever test ran.
        case firstNote
        /// Every test's field, value and note, in the order they ran.
        case trace
    }

    let context: CriteriaContext
    var recording: Recording
    var trace: [Observation] = []
    var firstNote: String?
    private var cachedEmailDomain: String??
    private var cachedLocalTime: (hour: Int, weekday: Int)?
    private var lastNumber: (field: CriteriaField, value: Double?)?
    private var lastField: (key: String, value: String?)?

    init(_ context: CriteriaContext, recording: Recording = .trace) {
        self.context = context
        self.recording = recording
    }

    /// Keeps what one test saw, as far as `recording` asks.
    mutating func record(_ field: CriteriaField, _ value: FieldValue, _ note: String?) {
        switch recording {
        case .nothing: break
        case .firstNote: if firstNote == nil { firstNote = note }
        case .trace: trace.append(Observation(field: field, value: value.shown, note: note))
        }
    }

    /// `text`, the value of `field`, read as a number; a range (`gte` and `lt`) reads it once.
    mutating func number(_ field: CriteriaField, _ text: String) -> Double? {
        if let lastNumber, lastNumber.field == field { return lastNumber.value }
        let value = LeadNumber.parse(text)
        lastNumber = (field, value)
        return value
    }

    /// The sender's field `key`; a range, or rules in a row over one field, look it up once.
    mutating func field(_ key: String, of lead: NormalizedLead) -> String? {
        if let lastField, lastField.key == key { return lastField.value }
        let value = Self.value(of: key, in: lead.fields)
        lastField = (key, value)
        return value
    }

    /// `fields[key]`. A form's own fields are a handful: comparing each key costs less than hashing `key`
    /// (SipHash, a few hundred instructions) for the look-up.
    private static func value(of key: String, in fields: [String: String]) -> String? {
        guard fields.count <= 8 else { return fields[key] }
        for (name, value) in fields where name == key { return value }
        return nil
    }

    mutating func emailDomain(_ lead: NormalizedLead) -> String? {
        if let cachedEmailDomain { return cachedEmailDomain }
        let domain = lead.contact.emailDomain
        cachedEmailDomain = .some(domain)
        return domain
    }

    mutating func localTime() -> (hour: Int, weekday: Int) {
        if let cachedLocalTime { return cachedLocalTime }
        let time = context.localTime
        cachedLocalTime = time
        return time
    }
}

/// The domains of free mailbox providers, for `email_free`.
///
/// A pattern is a domain (`gmail.com`) or a name followed by `.*` (`yahoo.*`), which matches that
/// name under any top-level or country domain (`yahoo.com`, `yahoo.co.il`).
public struct FreeEmailDomains: Sendable, Hashable {
    private var exact: Set<String>
    private var prefixes: [String]

    /// The list LeadGate ships: international providers and the Israeli ISPs' mailboxes.
    public static let shipped = FreeEmailDomains(trusted: [
        "gmail.com", "googlemail.com", "yahoo.*", "ymail.com", "rocketmail.com", "hotmail.*", "outlook.com",
        "outlook.co.il", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.*",
        "web.de", "mail.com", "protonmail.com", "proton.me", "zoho.com", "yandex.ru", "yandex.com",
        "mail.ru", "inbox.ru", "bk.ru", "list.ru", "qq.com", "163.com", "126.com",
        "walla.co.il", "walla.com", "012.net.il", "netvision.net.il", "bezeqint.net", "zahav.net.il",
        "inter.net.il", "smile.net.il", "013.net", "013net.net", "barak.net.il", "gold.net.il",
    ])

    private init(trusted patterns: [String]) {
        exact = Set(patterns.filter { !$0.hasSuffix(".*") })
        prefixes = patterns.filter { $0.hasSuffix(".*") }.map { String($0.dropLast()) }
    }

    /// This list and `patterns`; each pattern is checked and reported by its index when malformed.
    public func adding(_ patterns: [String]) throws(CriteriaError) -> FreeEmailDomains {
        var problems: [CriteriaProblem] = []
        var lowered: [String] = []
        for (index, pattern) in patterns.enumerated() {
            let candidate = pattern.trimmingCharacters(in: .whitespaces).lowercased()
            if Self.isPattern(candidate) {
                lowered.append(candidate)
            } else {
                problems.append(CriteriaProblem(
                    "'\(pattern)' is not a mail domain such as example.com or a pattern such as yahoo.*", index: index
                ))
            }
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        var result = self
        result.exact.formUnion(lowered.filter { !$0.hasSuffix(".*") })
        result.prefixes += lowered.filter { $0.hasSuffix(".*") }.map { String($0.dropLast()) }
        return result
    }

    private static func isPattern(_ candidate: String) -> Bool {
        var labels = candidate.split(separator: ".", omittingEmptySubsequences: false)
        if labels.last == "*" {
            labels.removeLast()
        } else if labels.count < 2 {
            return false
        }
        return !labels.isEmpty && labels.allSatisfy { label in
            !label.isEmpty && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    /// True when `domain` (lower-case) belongs to a free mailbox provider.
    public func contains(domain: String) -> Bool {
        exact.contains(domain) || prefixes.contains { domain.hasPrefix($0) }
    }
}
