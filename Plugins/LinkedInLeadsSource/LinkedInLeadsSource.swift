import Foundation
import LeadGateCore
import LeadGateSourceKit

/// The `linkedin_leads` source: LinkedIn Lead Gen Forms through Lead Sync lead notifications (`LEAD_ACTION`).
///
/// Its own config keys: `client_secret` (the app's; answers the validation challenge and checks `X-LI-Signature`),
/// `access_token` and `api_version` (`LinkedIn-Version`, `YYYYMM`) to read the answers, and `api_url`
/// (default `https://api.linkedin.com/rest`).
///
/// LinkedIn validates the URL with `GET ?challengeCode=<uuid>` and expects JSON
/// `{"challengeCode", "challengeResponse": hex HMAC-SHA256(challengeCode, client secret)}`. Each POST carries
/// `X-LI-Signature`: hex HMAC-SHA256 of the string `"hmacsha256=" + raw body`, keyed with the client secret; the
/// `hmacsha256=` literal is part of what is signed, not of the header (a header that does carry it is accepted too).
/// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/webhook-validation
///
/// A `CREATED` notification becomes a pending draft (external id: the `leadGenFormResponse` URN, field
/// `_pending_fetch` = `linkedin`) that `complete(_:)` fills from `leadFormResponses`; a `DELETED` one becomes a
/// draft with the same external id and `_deleted_at_source` = `true`, for the pipeline to mark the lead deleted.
/// Notifications of other `type`s are skipped.
public struct LinkedInLeadsSource: PushSource, EnrichingSource {
    public static let type = "linkedin_leads"
    /// Marks a draft whose answers are still to be fetched; its value is `linkedin`.
    public static let pendingFetchField = LeadGateCore.pendingFetchField
    /// Marks a draft that says the member deleted the lead at LinkedIn; its value is `true`.
    public static let deletedAtSourceField = LeadGateCore.deletedAtSourceField
    public static let defaultAPIURL = "https://api.linkedin.com/rest"

    /// The common map, plus the work email and phone of LinkedIn's predefined questions (used when there is no personal one).
    public static let defaultFieldMap = FieldMap.commonWithWorkContacts()

    public let name: String
    let clientSecret: [UInt8]
    let accessToken: String
    let apiVersion: String
    let apiURL: String
    let fetcher: (any HTTPFetching)?

    /// Reads the keys above (every problem goes to `config`'s diagnostics); `services.http` reads the REST API
    /// (without one, `complete(_:)` fails with `.fixConfiguration`).
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        clientSecret = Array(config.secret("client_secret").utf8)
        accessToken = config.secret("access_token")
        apiVersion = Self.apiVersion(in: config)
        apiURL = Self.baseURL("api_url", in: config) ?? Self.defaultAPIURL
        fetcher = services.http
    }

    /// Answers LinkedIn's endpoint validation (`GET ?challengeCode=...`); nil for other methods.
    public func handshake(_ request: InboundRequest) async throws -> InboundResponse? {
        guard request.method.uppercased() == "GET" else { return nil }
        guard let challenge = request.queryValue("challengeCode"), !challenge.isEmpty else {
            throw SourceError(
                status: 400, code: "missing_parameter", message: "the validation request has no challengeCode", authenticated: false)
        }
        let answer = ChallengeAnswer(
            challengeCode: challenge,
            challengeResponse: Signature.hexEncoded(Signature.hmacSHA256(Array(challenge.utf8), key: clientSecret)))
        return InboundResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(try LeadJSON.encoder().encode(answer)))
    }

    /// Checks `X-LI-Signature`, then reads the one notification of the body.
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else {
            throw SourceError.methodNotAllowed("source '\(name)' takes LinkedIn's lead notifications as POST, not \(request.method)")
        }
        guard let header = request.header("X-LI-Signature") else {
            throw SourceError.unauthorized(
                "the request has no X-LI-Signature header (hex HMAC-SHA256 of \"hmacsha256=\" + body with the client secret)")
        }
        let hex = header.trimmingCharacters(in: .whitespaces)
        let digest = hex.lowercased().hasPrefix("hmacsha256=") ? String(hex.dropFirst("hmacsha256=".count)) : hex
        guard let signature = Signature.hexDecoded(digest),
            Signature.isValidHMACSHA256(signature, message: Array("hmacsha256=".utf8) + request.body, key: clientSecret)
        else {
            throw SourceError.signatureMismatch("X-LI-Signature does not match the body (is client_secret the secret of the subscribing app?)")
        }
        let notification = try VendorJSON.decode(LeadNotification.self, from: request.body, authenticated: true)
        guard notification.type?.text == "LEAD_ACTION" else { return [] }
        guard let response = notification.leadGenFormResponse?.text, !response.isEmpty else {
            throw SourceError.malformed("the LEAD_ACTION notification has no leadGenFormResponse", code: "missing_field")
        }
        let marker: RawField
        switch notification.leadAction?.text {
        case "CREATED": marker = RawField(Self.pendingFetchField, "linkedin")
        case "DELETED": marker = RawField(Self.deletedAtSourceField, "true")
        case let action:
            throw SourceError.malformed("leadAction is '\(action ?? "")'; CREATED and DELETED are read", code: "unexpected_json")
        }
        var fields = [marker]
        let context: [(String, JSONText?)] = [
            ("form_id", notification.leadGenForm), ("lead_type", notification.leadType),
            ("sponsored_account", notification.owner?.values["sponsoredAccount"]), ("organization", notification.owner?.values["organization"]),
        ]
        for (key, value) in context {
            if let value { fields.append(RawField(key, value.text)) }
        }
        for (key, value) in (notification.associatedEntity?.values ?? [:]).sorted(by: { $0.key < $1.key }) {
            fields.append(RawField("associated_\(key)", value.text))
        }
        return [LeadDraft(fields: fields, externalID: response, receivedAt: notification.occurredAt?.date ?? request.receivedAt)]
    }


    /// `LinkedIn-Version` is a month, `YYYYMM`; LinkedIn sunsets each after about a year, so it is not defaulted.
    static func apiVersion(in config: ConfigSection) -> String {
        let text = config.secret("api_version")
        let isMonth = text.count == 6 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) && (1...12).contains(Int(text.suffix(2)) ?? 0)
        if !text.isEmpty, !isMonth {
            config.error("api_version", "\(config.path).api_version must be a LinkedIn-Version month like 202601, found '\(text)'")
        }
        return text
    }

    /// An absolute http(s) URL without its trailing slash.
    static func baseURL(_ key: String, in config: ConfigSection) -> String? {
        guard let text = config.string(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            config.error(key, "\(config.path).\(key) must be an absolute URL like \(defaultAPIURL), found '\(text)'")
            return nil
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}

struct ChallengeAnswer: Encodable {
    var challengeCode: String
    var challengeResponse: String
}

/// A lead notification, https://learn.microsoft.com/en-us/linkedin/marketing/lead-sync/leadsync
struct LeadNotification: Decodable {
    var type: JSONText?
    var leadGenFormResponse: JSONText?
    var leadGenForm: JSONText?
    var owner: ScalarMap?
    var associatedEntity: ScalarMap?
    var leadType: JSONText?
    var leadAction: JSONText?
    var occurredAt: JSONText?
}

/// The scalar members of an object, whatever their names (`owner`, `associatedEntity` are unions of URNs); other members are skipped.
struct ScalarMap: Decodable {
    var values: [String: JSONText]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        values = [:]
        for key in container.allKeys {
            if let value = try? container.decode(JSONText.self, forKey: key) { values[key.stringValue] = value }
        }
    }
}
