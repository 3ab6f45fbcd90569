import Foundation
import LeadGateCore
import LeadGateSourceKit

/// The `meta_lead_ads` source: Facebook and Instagram lead ads through a Meta app's `leadgen` webhook.
///
/// Its own config keys: `verify_token` (answered in the subscription handshake), `app_secret` (signs every POST,
/// `X-Hub-Signature-256`), `page_access_token` (reads the lead's answers), `graph_url` (default
/// `https://graph.facebook.com/v25.0`) and `graph_fields` (the lead fields to read).
///
/// A notification carries ids only, so each `leadgen` change becomes a pending draft: the ids it carries
/// (`page_id`, `form_id`, `ad_id`, `adgroup_id`), `leadgen_id` as the external id, `created_time` as the receive
/// time, no contact, and the field `_pending_fetch` = `meta`. `complete(_:)` later reads the answers from the
/// Graph API. Webhooks: https://developers.facebook.com/docs/graph-api/webhooks/getting-started/ ; leads:
/// https://developers.facebook.com/docs/marketing-api/guides/lead-ads/retrieving
public struct MetaLeadAdsSource: PushSource, EnrichingSource {
    public static let type = "meta_lead_ads"
    /// The field that marks a draft whose answers are still to be fetched; its value is `meta`.
    public static let pendingFetchField = LeadGateCore.pendingFetchField
    public static let defaultGraphURL = "https://graph.facebook.com/v25.0"
    public static let defaultGraphFields =
        "id,created_time,ad_id,ad_name,adset_id,adset_name,campaign_id,campaign_name,form_id,is_organic,platform,"
        + "field_data,custom_disclaimer_responses"

    /// The common map, plus the work email and phone of Meta's B2B questions (used when there is no personal one).
    public static let defaultFieldMap = FieldMap.commonWithWorkContacts(phone: "work_phone_number")

    public let name: String
    private let verifyToken: String
    let appSecret: [UInt8]
    let accessToken: String
    let graphURL: String
    let graphFields: String
    let fetcher: (any HTTPFetching)?

    /// Reads the keys above (every problem goes to `config`'s diagnostics); `services.http` reads the Graph API
    /// (without one, `complete(_:)` fails with `.fixConfiguration`).
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        verifyToken = config.secret("verify_token")
        appSecret = Array(config.secret("app_secret").utf8)
        accessToken = config.secret("page_access_token")
        graphURL = Self.baseURL("graph_url", in: config) ?? Self.defaultGraphURL
        graphFields = Self.graphFields(in: config) ?? Self.defaultGraphFields
        fetcher = services.http
    }

    /// Answers Meta's subscription check (`GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`) with the
    /// challenge as plain text; nil for other methods (a POST is a notification).
    public func handshake(_ request: InboundRequest) async throws -> InboundResponse? {
        guard request.method.uppercased() == "GET" else { return nil }
        guard let mode = request.queryValue("hub.mode"), let token = request.queryValue("hub.verify_token"),
            let challenge = request.queryValue("hub.challenge")
        else {
            let missing = ["hub.mode", "hub.verify_token", "hub.challenge"].filter { request.queryValue($0) == nil }
            throw SourceError(
                status: 400, code: "missing_parameter",
                message: "the verification request has no \(missing.joined(separator: ", "))"
                    + " (Meta sends hub.mode, hub.verify_token and hub.challenge)",
                authenticated: false)
        }
        guard mode == "subscribe" else {
            throw SourceError(
                status: 400, code: "unsupported_mode", message: "hub.mode is '\(mode)'; only 'subscribe' is answered", authenticated: false)
        }
        guard Signature.constantTimeEquals(token, verifyToken) else {
            throw SourceError.forbidden("hub.verify_token does not match the verify_token of source '\(name)'", code: "verify_token_mismatch")
        }
        return .text(challenge)
    }

    /// Checks `X-Hub-Signature-256` over the raw body, then makes one pending draft per `leadgen` change.
    /// Changes of other fields are skipped; a `leadgen` change without `leadgen_id` refuses the whole batch (400,
    /// quarantined) so that nothing in it is lost.
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else {
            throw SourceError.methodNotAllowed("source '\(name)' takes Meta's webhook notifications as POST, not \(request.method)")
        }
        guard let signature = request.header("X-Hub-Signature-256") else {
            throw SourceError.unauthorized("the request has no X-Hub-Signature-256 header (sha256= HMAC of the body with the app secret)")
        }
        guard Signature.isValidHMACSHA256(hex: signature, message: request.body, key: appSecret) else {
            throw SourceError.signatureMismatch("X-Hub-Signature-256 does not match the body (is app_secret the secret of the app that subscribed?)")
        }
        let notification = try VendorJSON.decode(WebhookNotification.self, from: request.body, authenticated: true)
        var drafts: [LeadDraft] = []
        let encoder = LeadJSON.encoder()
        for (entryIndex, entry) in (notification.entry ?? []).enumerated() {
            for (changeIndex, change) in (entry.changes ?? []).enumerated() {
                guard let value = change.leadgen else { continue }
                guard let leadgenID = value.leadgen_id?.text, !leadgenID.isEmpty else {
                    throw SourceError.malformed(
                        "entry[\(entryIndex)].changes[\(changeIndex)] is a leadgen change without leadgen_id", code: "missing_field")
                }
                var fields = [RawField(Self.pendingFetchField, "meta")]
                for (key, id) in [("page_id", value.page_id), ("form_id", value.form_id), ("ad_id", value.ad_id), ("adgroup_id", value.adgroup_id)] {
                    if let id { fields.append(RawField(key, id.text)) }
                }
                drafts.append(
                    LeadDraft(
                        fields: fields, externalID: leadgenID,
                        receivedAt: value.created_time?.date ?? entry.time?.date ?? request.receivedAt,
                        rawPayload: (try? encoder.encode(change)).map(Array.init)))
            }
        }
        return drafts
    }


    /// An absolute http(s) URL without its trailing slash.
    static func baseURL(_ key: String, in config: ConfigSection) -> String? {
        guard let text = config.string(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            config.error(key, "\(config.path).\(key) must be an absolute URL like \(defaultGraphURL), found '\(text)'")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The `fields` parameter of the lead read: names, commas and Graph's nesting braces only.
    static func graphFields(in config: ConfigSection) -> String? {
        guard let text = config.string("graph_fields") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_,.{}()")
        guard !text.isEmpty, text.allSatisfy(allowed.contains) else {
            config.error(
                "graph_fields",
                "\(config.path).graph_fields must be Graph API field names separated by commas, like \(defaultGraphFields), found '\(text)'")
            return nil
        }
        return text
    }
}

// Property names are Meta's JSON keys, so no coding keys are needed; unknown keys are ignored.

/// A webhook POST: `{"object": "page", "entry": [{"id", "time", "changes": [{"field", "value"}]}]}`.
struct WebhookNotification: Decodable {
    var entry: [WebhookEntry]?
}

struct WebhookEntry: Decodable {
    var time: JSONText?
    var changes: [WebhookChange]?
}

/// One change; only `leadgen` values are read, so other fields' values may have any shape.
struct WebhookChange: Codable {
    var leadgen: LeadgenValue?

    private enum CodingKeys: String, CodingKey {
        case field, value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let field = try container.decodeIfPresent(JSONText.self, forKey: .field)
        leadgen = field?.text == "leadgen" ? try container.decodeIfPresent(LeadgenValue.self, forKey: .value) : nil
    }

    /// The change as stored with its draft (a batch entry's own payload), ids written as strings.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("leadgen", forKey: .field)
        try container.encodeIfPresent(leadgen, forKey: .value)
    }
}

struct LeadgenValue: Codable {
    var leadgen_id: JSONText?
    var page_id: JSONText?
    var form_id: JSONText?
    var adgroup_id: JSONText?
    var ad_id: JSONText?
    var created_time: JSONText?
}
