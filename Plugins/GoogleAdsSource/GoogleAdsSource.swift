import Foundation
import LeadGateCore
import LeadGateSourceKit

/// The `google_ads` source: Google Ads lead form webhooks (lead form assets of Search, YouTube, Discovery and
/// Performance Max campaigns), one lead per JSON POST.
///
/// Its own config key: `key`, the webhook key set on the lead form. Google sends it in the body as `google_key`
/// (some senders spell it `Google_key`); it is compared in constant time, and a wrong or missing key is a 401.
/// Each `user_column_data` entry becomes one field: the standard column ids by the names the field map knows
/// (`email`, `phone`, `full_name`, ...), other columns by their `column_name` (the question as the form shows it).
/// `lead_id` is the external id; `gcl_id` → `gclid`, `campaign_id` → `campaign`, `form_id` → `form`;
/// `adgroup_id`, `creative_id` and `asset_group_id` stay under their own names; `is_test` marks a test lead.
/// Wire format: https://developers.google.com/google-ads/webhook/docs/implementation
public struct GoogleAdsSource: PushSource {
    public static let type = "google_ads"

    /// The common map, plus the work email and phone Google asks for on B2B forms (used when the form has no
    /// personal email or phone; otherwise kept as `fields.work_email` / `fields.work_phone`).
    public static let defaultFieldMap = FieldMap.commonWithWorkContacts()

    public let name: String
    private let key: String

    /// Reads `key`; a missing or empty key is reported at the source's block.
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        key = config.secret("key")
    }

    /// Checks `google_key`, then reads the lead. A body that is not a JSON object cannot be authenticated (400,
    /// not quarantined); an authenticated body of the wrong shape is (400, `unexpected_json`).
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else {
            throw SourceError.methodNotAllowed("source '\(name)' takes Google's lead form webhook as a POST, not \(request.method)")
        }
        let presented = try VendorJSON.decode(KeyField.self, from: request.body, authenticated: false)
        guard let googleKey = presented.google_key ?? presented.Google_key else {
            throw SourceError.unauthorized("the body has no google_key (set the webhook key of the lead form to the key of source '\(name)')")
        }
        guard Signature.constantTimeEquals(googleKey.text, key) else {
            throw SourceError.unauthorized("google_key does not match the key of source '\(name)'")
        }
        let lead = try VendorJSON.decode(WebhookLead.self, from: request.body, authenticated: true)
        return [draft(from: lead, receivedAt: request.receivedAt)]
    }

    private func draft(from lead: WebhookLead, receivedAt: Date) -> LeadDraft {
        var fields: [RawField] = []
        for column in lead.user_column_data ?? [] {
            guard let value = column.string_value?.text else { continue }
            fields.append(RawField(Self.fieldName(of: column), value))
        }
        let attribution: [(String, JSONText?)] = [
            ("gclid", lead.gcl_id), ("campaign", lead.campaign_id), ("form", lead.form_id),
            ("adgroup_id", lead.adgroup_id), ("creative_id", lead.creative_id), ("asset_group_id", lead.asset_group_id),
        ]
        for (key, value) in attribution {
            if let value { fields.append(RawField(key, value.text)) }
        }
        return LeadDraft(fields: fields, externalID: lead.lead_id?.text, receivedAt: receivedAt, isTest: lead.is_test?.isTrue ?? false)
    }

    /// Standard columns (https://developers.google.com/google-ads/api/reference/rpc/latest/LeadFormFieldUserInputTypeEnum.LeadFormFieldUserInputType)
    /// by the names the field map knows; others by the question text, then by the column id.
    static func fieldName(of column: UserColumn) -> String {
        let id = column.column_id?.text ?? ""
        if let known = standardColumns[id] { return known }
        if let question = column.column_name?.text, !UnicodeText.isBlank(question) { return question }
        return id.isEmpty ? "unnamed_column" : id.lowercased()
    }

    static let standardColumns: [String: String] = [
        "FULL_NAME": "full_name", "FIRST_NAME": "first_name", "GIVEN_NAME": "first_name", "LAST_NAME": "last_name",
        "FAMILY_NAME": "last_name", "EMAIL": "email", "WORK_EMAIL": "work_email", "PHONE_NUMBER": "phone",
        "WORK_PHONE": "work_phone", "COMPANY_NAME": "company", "JOB_TITLE": "job_title", "CITY": "city",
        "COUNTRY": "country", "POSTAL_CODE": "postal_code", "STREET_ADDRESS": "street_address", "REGION": "region",
    ]

}

// Property names are Google's JSON keys, so no coding keys are needed; unknown keys are ignored.

/// Only the key, read before anything else so that a body of the wrong shape is still refused as unauthenticated.
struct KeyField: Decodable {
    var google_key: JSONText?
    var Google_key: JSONText?
}

/// One lead form submission, https://developers.google.com/google-ads/webhook/docs/implementation
struct WebhookLead: Decodable {
    var lead_id: JSONText?
    var user_column_data: [UserColumn]?
    var form_id: JSONText?
    var campaign_id: JSONText?
    var gcl_id: JSONText?
    var adgroup_id: JSONText?
    var creative_id: JSONText?
    var asset_group_id: JSONText?
    var is_test: JSONText?
}

/// One answer: `column_id` names a standard field (`EMAIL`) or a question; `column_name` is its label.
struct UserColumn: Decodable {
    var column_id: JSONText?
    var column_name: JSONText?
    var string_value: JSONText?
}
