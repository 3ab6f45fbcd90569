import Foundation
import LeadGateCore

/// The ad platform whose lead export a CSV file is: it decides which columns hold the lead's id, time and
/// test flag, and which raw field keys the other columns become.
public enum ExportPlatform: String, Sendable, Hashable, CaseIterable {
    /// Meta Lead Ads (Facebook, Instagram): Ads Manager / Business Suite "Download leads", Leads Center export.
    case meta
    /// Google Ads lead form assets: "Download leads" from the asset report.
    case google
    /// LinkedIn Lead Gen Forms: Campaign Manager "Download leads".
    case linkedin
    /// Any other CSV: headers are kept as field keys.
    case generic

    /// The platform whose exports a source `type` takes (`meta_lead_ads`, `google_ads`, `linkedin_leads`); nil
    /// for other types, whose files are read as `generic` or by their header.
    public init?(sourceType: String) {
        switch sourceType {
        case "meta_lead_ads": self = .meta
        case "google_ads": self = .google
        case "linkedin_leads": self = .linkedin
        default: return nil
        }
    }

    /// The platform a header row looks like: the one with the most of its own column names, or `generic` when
    /// none (or a tie) stands out.
    public static func detect(header: [String]) -> ExportPlatform {
        let keys = Set(header.map(ExportColumns.matchKey))
        let scores = ExportColumns.signatures.map { platform, names in (platform, names.filter(keys.contains).count) }
        let best = scores.max { $0.1 < $1.1 }
        guard let best, best.1 > 0, scores.filter({ $0.1 == best.1 }).count == 1 else { return .generic }
        return best.0
    }
}

/// What one column of an export holds.
enum ColumnRole: Hashable {
    /// The platform's lead id: the draft's external id.
    case externalID
    /// When the lead was submitted: the draft's `receivedAt`.
    case submittedAt
    /// Whether it is a test lead: the draft's `isTest`.
    case isTest
    /// A raw field under `key`.
    case field(String)
}

/// How a value is cleaned before it is kept.
enum ValueForm: Hashable {
    case text
    /// Meta writes `p:+972541234567` for phone answers; the `p:` goes, other text stays as typed.
    case metaAnswer
    /// Meta writes `l:123`, `ag:123`, `as:123`, `c:123`, `f:123` for lead, ad, ad set, campaign and form ids.
    case metaID
    /// A bare LinkedIn id becomes the URN the API path carries, e.g. `urn:li:leadGenForm:` + id.
    case linkedInURN(String)
}

/// One column: its header as written, its role, and how its values are cleaned.
struct ExportColumn: Hashable {
    var header: String
    var role: ColumnRole
    var form: ValueForm
}

/// Header names of each platform's export, and the raw field keys they become.
///
/// Sources, and how sure each is:
/// - Meta: the "Download leads" file (TSV from `leadgen_export_csv_url`, CSV or UTF-16 TSV from Ads Manager) has
///   the Graph API lead fields as headers, `id, created_time, ad_id, ad_name, adset_id, adset_name, campaign_id,
///   campaign_name, form_id, form_name, is_organic, platform`, then one column per question by its key
///   (`full_name`, `email`, `phone_number`, custom questions by their text), sometimes `inbox_url`, `lead_status`
///   (https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving ; `is_organic` 1/0). Ids are
///   written `l:`, `ag:`, `as:`, `c:`, `f:` + digits and phones `p:+...` (as seen in exports; not documented). The
///   headers are already the keys `MetaLeadAdsSource.complete(_:)` gives, so they are kept as they are.
/// - Google: the webhook's names (`lead_id`, `lead_submit_time`, `gcl_id`, `campaign_id`, `form_id`,
///   `adgroup_id`, `creative_id`, `asset_group_id`, `is_test`, `lead_stage`;
///   https://developers.google.com/google-ads/webhook/docs/implementation), the API's `submission_date_time`
///   (`yyyy-mm-dd hh:mm:ss+hh:mm`) and `gclid`, and the UI download's title-case headings (`Lead ID`, `Lead submit
///   time`, `Submission date`, `Full name`, `Phone number`, `Campaign ID`, `Is test`, ...). The UI headings are not
///   documented anywhere public: they are a sensible alias set. Keys follow `GoogleAdsSource`: standard columns
///   by the names the field map knows, `gclid`, `campaign` (the campaign id), `form` (the form id).
/// - LinkedIn: the API's `submittedAt` (epoch ms) and `testLead`, and the Campaign Manager download's headings
///   (`First Name`, `Last Name`, `Email Address`, `Phone Number`, `Company Name`, `Job Title`, `LinkedIn Profile
///   URL`, `Submitted At` / `Date`, `Lead Type`, `Campaign Name`, `Form Name`, ...), again an undocumented alias
///   set. Keys follow `LinkedInLeadsSource`: predefined questions by the names the field map knows, `form_name`,
///   `campaign`, `creative`, `form_id`, `lead_type`; bare ids become the URNs the API path carries, so a lead
///   imported from a file and the same lead from a notification share `(source, external_id)`.
/// Headers match loosely (case, spaces, `_`, `-`, `.` ignored); any other column is a raw field under its header
/// as written (a Hebrew question stays Hebrew), for the source's field map to place.
enum ExportColumns {
    static let signatures: [(ExportPlatform, Set<String>)] = [
        (.meta, ["createdtime", "isorganic", "adsetid", "adsetname", "inboxurl"]),
        (.google, ["leadsubmittime", "gclid", "googleclickid", "submissiondatetime", "assetgroupid", "adgroupid", "adgroupname", "leadstage"]),
        (.linkedin, ["submittedat", "leadtype", "testlead", "linkedinprofile", "linkedinprofileurl", "linkedinprofilelink", "leadgenformresponse"]),
    ]

    /// Names of the id, time and test columns, whatever the platform (they do not clash between platforms).
    static let roles: [String: ColumnRole] = {
        var roles: [String: ColumnRole] = [:]
        for name in ["id", "leadid", "leadgenid", "leadgenformresponse", "responseid", "externalid", "submissionid"] { roles[name] = .externalID }
        for name in [
            "createdtime", "createdat", "created", "leadsubmittime", "submissiondatetime", "submissiondate", "submissiontime",
            "submittime", "submittedat", "submittedon", "submitted", "leadcreated", "leaddate", "date", "timestamp",
        ] { roles[name] = .submittedAt }
        for name in ["istest", "test", "testlead", "istestlead"] { roles[name] = .isTest }
        return roles
    }()

    static let googleKeys: [String: String] = [
        "fullname": "full_name", "name": "full_name", "firstname": "first_name", "givenname": "first_name", "lastname": "last_name",
        "familyname": "last_name", "email": "email", "emailaddress": "email", "useremail": "email", "workemail": "work_email",
        "phone": "phone", "phonenumber": "phone", "userphone": "phone", "workphone": "work_phone", "workphonenumber": "work_phone",
        "company": "company", "companyname": "company", "jobtitle": "job_title", "city": "city", "country": "country",
        "postalcode": "postal_code", "zipcode": "postal_code", "streetaddress": "street_address", "region": "region", "state": "region",
        "province": "region", "gclid": "gclid", "googleclickid": "gclid", "campaignid": "campaign", "campaignname": "campaign_name",
        "campaign": "campaign_name", "formid": "form", "formname": "form_name", "adgroupid": "adgroup_id", "adgroupname": "adgroup_name",
        "creativeid": "creative_id", "adid": "creative_id", "assetgroupid": "asset_group_id", "leadstage": "lead_stage",
    ]

    static let linkedInKeys: [String: String] = [
        "firstname": "first_name", "lastname": "last_name", "email": "email", "emailaddress": "email", "workemail": "work_email",
        "phone": "phone", "phonenumber": "phone", "mobilephone": "phone", "workphone": "work_phone", "workphonenumber": "work_phone",
        "company": "company", "companyname": "company", "jobtitle": "job_title", "title": "job_title", "city": "city",
        "country": "country", "countryregion": "country", "state": "state", "stateprovince": "state", "zipcode": "postal_code",
        "postalcode": "postal_code", "linkedinprofile": "linkedin_profile", "linkedinprofileurl": "linkedin_profile",
        "linkedinprofilelink": "linkedin_profile", "linkedinurl": "linkedin_profile", "formname": "form_name", "form": "form_name",
        "formid": "form_id", "campaignid": "campaign", "campaignname": "campaign_name", "campaign": "campaign_name",
        "creativeid": "creative", "creative": "creative", "adid": "creative", "leadtype": "lead_type",
    ]

    static let linkedInURNs: [String: String] = [
        "form_id": "urn:li:leadGenForm:", "campaign": "urn:li:sponsoredCampaign:", "creative": "urn:li:sponsoredCreative:",
    ]

    static let metaIDKeys: Set<String> = ["adid", "adsetid", "campaignid", "formid", "pageid", "adgroupid"]

    /// The columns of `header` as `platform` writes them. Blank headers become `column_<n>`.
    static func columns(of header: [String], platform: ExportPlatform) -> [ExportColumn] {
        var taken: Set<ColumnRole> = []
        return header.enumerated().map { offset, name in
            let key = matchKey(name)
            if let role = roles[key], !taken.contains(role) {
                taken.insert(role)
                let form: ValueForm =
                    switch (role, platform) {
                    case (.externalID, .meta): .metaID
                    case (.externalID, .linkedin): .linkedInURN("urn:li:leadGenFormResponse:")
                    default: .text
                    }
                return ExportColumn(header: name, role: role, form: form)
            }
            let written = UnicodeText.isBlank(name) ? "column_\(offset + 1)" : name
            switch platform {
            case .meta:
                return ExportColumn(header: name, role: .field(written), form: metaIDKeys.contains(key) ? .metaID : .metaAnswer)
            case .google:
                return ExportColumn(header: name, role: .field(googleKeys[key] ?? written), form: .text)
            case .linkedin:
                let fieldKey = linkedInKeys[key] ?? written
                return ExportColumn(header: name, role: .field(fieldKey), form: linkedInURNs[fieldKey].map(ValueForm.linkedInURN) ?? .text)
            case .generic:
                return ExportColumn(header: name, role: .field(written), form: .text)
            }
        }
    }

    /// A value as kept: ids without Meta's type prefix, phones without `p:`, LinkedIn ids as URNs.
    static func clean(_ value: String, as form: ValueForm) -> String {
        switch form {
        case .text:
            return value
        case .metaAnswer:
            // Byte comparisons: this runs for every cell of a Meta file, and String.hasPrefix compares Unicode.
            guard value.utf8.starts(with: [0x70, 0x3A]) else { return value }
            let phone = value.utf8.dropFirst(2)
            let isPhone =
                phone.contains { (0x30...0x39).contains($0) }
                && phone.allSatisfy { (0x30...0x39).contains($0) || [0x2B, 0x20, 0x2D, 0x28, 0x29, 0x2E].contains($0) }
            return isPhone ? String(Substring(phone)) : value
        case .metaID:
            let bytes = value.utf8
            guard let colon = bytes.prefix(4).firstIndex(of: 0x3A), colon > bytes.startIndex,
                bytes[..<colon].allSatisfy({ (0x61...0x7A).contains($0 | 0x20) })
            else { return value }
            let id = bytes[bytes.index(after: colon)...]
            return !id.isEmpty && id.allSatisfy({ (0x30...0x39).contains($0) }) ? String(Substring(id)) : value
        case .linkedInURN(let prefix):
            return value.hasPrefix("urn:") ? value : prefix + value
        }
    }

    /// A header as compared: lower case, without spaces, `_`, `-` and `.` (so `Lead submit time` is `leadsubmittime`).
    static func matchKey(_ header: String) -> String {
        var key = String.UnicodeScalarView()
        for scalar in UnicodeText.foldedCase(header).unicodeScalars where !" _-.\t\u{00A0}\u{FEFF}".unicodeScalars.contains(scalar) {
            key.append(scalar)
        }
        return String(key)
    }
}
