import Foundation
import LeadGateCore
import LeadGateSourceKit

/// Why a lead could not be read from the Graph API, and what to do about it.
public struct GraphError: FetchError, Sendable, Hashable {
    /// The HTTP status of the answer; 0 when there was no request.
    public var status: Int
    /// Graph's `error.code` and `error.error_subcode`, when the answer had them.
    public var code: Int?
    public var subcode: Int?
    /// Graph's `error.type`, e.g. `OAuthException`.
    public var type: String?
    public var message: String
    public var recovery: FetchRecovery

    /// An error from its parts (the adapter's own, or a test's).
    public init(status: Int, code: Int? = nil, subcode: Int? = nil, type: String? = nil, message: String, recovery: FetchRecovery) {
        self.status = status
        self.code = code
        self.subcode = subcode
        self.type = type
        self.message = message
        self.recovery = recovery
    }

    /// Whether trying again later may succeed without anyone changing anything.
    public var isRetryable: Bool { recovery == .retryLater }

    public var description: String {
        let codes = [code.map { "code \($0)" }, subcode.map { "subcode \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return "Graph API \(status)\(codes.isEmpty ? "" : " (\(codes))"): \(message)"
    }

    /// The error a non-200 answer describes (https://developers.facebook.com/docs/graph-api/guides/error-handling).
    public init(status: Int, body: [UInt8]) {
        let detail = (try? LeadJSON.decoder().decode(GraphErrorBody.self, from: Data(body)))?.error
        let code = detail?.code.flatMap { Int($0.text) }
        self.init(
            status: status, code: code, subcode: detail?.error_subcode.flatMap { Int($0.text) }, type: detail?.type?.text,
            message: detail?.message?.text ?? "HTTP \(status) without a Graph error body",
            recovery: Self.recovery(status: status, code: code, transient: detail?.is_transient?.isTrue ?? false))
    }

    static func recovery(status: Int, code: Int?, transient: Bool) -> FetchRecovery {
        if transient { return .retryLater }
        guard let code else {
            if status == 429 || status >= 500 { return .retryLater }
            return status == 401 || status == 403 ? .fixConfiguration : .giveUp
        }
        switch code {
        case 1, 2, 4, 17, 32, 341, 368, 613, 80000...80014: return .retryLater
        case 10, 102, 190, 200...299: return .fixConfiguration
        default: return .giveUp
        }
    }
}

extension MetaLeadAdsSource {
    /// Reads the answers of a pending draft from `GET {graph_url}/{leadgen_id}?fields=...&access_token=...&appsecret_proof=...`
    /// and returns the draft with them, its ids kept and `_pending_fetch` gone. A draft that is not pending comes back as it is.
    ///
    /// `field_data` answers keep their names (several values joined with ", "), `custom_disclaimer_responses` become
    /// `disclaimer_<checkbox_key>` = `true`/`false`, and `campaign_name`, `ad_name`, `adset_name`, `campaign_id`,
    /// `adset_id`, `platform`, `is_organic` are added. Throws `GraphError`; a fetcher's own error means no answer came.
    public func complete(_ pending: LeadDraft) async throws -> LeadDraft {
        guard pending.fields.contains(RawField(Self.pendingFetchField, "meta")) else { return pending }
        guard let leadgenID = pending.externalID, !leadgenID.isEmpty else {
            throw GraphError(status: 0, message: "the pending lead has no leadgen_id to read", recovery: .giveUp)
        }
        guard let fetcher else {
            throw GraphError(
                status: 0, message: "source '\(name)' has no HTTP client to read leads from the Graph API with", recovery: .fixConfiguration)
        }
        let (status, body) = try await fetcher.get(url: leadURL(leadgenID), headers: [("Accept", "application/json")])
        guard status == 200 else { throw GraphError(status: status, body: body) }
        let lead: GraphLead
        do {
            lead = try VendorJSON.decode(GraphLead.self, from: body, what: "the Graph API answer", authenticated: true)
        } catch {
            throw GraphError(status: status, message: error.message, recovery: .retryLater)
        }
        var fields = Self.answers(of: lead)
        fields += pending.fields.filter { $0.key != Self.pendingFetchField }
        var completed = pending
        completed.fields = fields
        completed.receivedAt = lead.created_time?.date ?? pending.receivedAt
        return completed
    }

    /// The lead's URL; the token's `appsecret_proof` lets the call through apps that require it.
    func leadURL(_ leadgenID: String) -> String {
        let proof = Signature.hexEncoded(Signature.hmacSHA256(Array(accessToken.utf8), key: appSecret))
        let query = [("fields", graphFields), ("access_token", accessToken), ("appsecret_proof", proof)]
            .map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
        return "\(graphURL)/\(Self.percentEncoded(leadgenID))?\(query)"
    }

    static func answers(of lead: GraphLead) -> [RawField] {
        var fields: [RawField] = []
        for answer in lead.field_data ?? [] {
            guard let name = answer.name?.text, !name.isEmpty else { continue }
            let values = (answer.values ?? []).map(\.text).filter { !$0.isEmpty }
            if !values.isEmpty { fields.append(RawField(name, values.joined(separator: ", "))) }
        }
        for response in lead.custom_disclaimer_responses ?? [] {
            guard let key = response.checkbox_key?.text, !key.isEmpty else { continue }
            fields.append(RawField("disclaimer_\(key)", response.is_checked?.isTrue == true ? "true" : "false"))
        }
        let context: [(String, JSONText?)] = [
            ("campaign_name", lead.campaign_name), ("campaign_id", lead.campaign_id), ("adset_name", lead.adset_name),
            ("adset_id", lead.adset_id), ("ad_name", lead.ad_name), ("platform", lead.platform), ("is_organic", lead.is_organic),
        ]
        for (key, value) in context {
            if let value { fields.append(RawField(key, value.text)) }
        }
        return fields
    }

    /// RFC 3986 unreserved characters stay; everything else, `&`, `=` and `+` among them, is escaped.
    static func percentEncoded(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

// Property names are Meta's JSON keys, so no coding keys are needed; unknown keys are ignored.

/// A lead as `GET /{leadgen_id}` returns it.
struct GraphLead: Decodable {
    var created_time: JSONText?
    var field_data: [GraphAnswer]?
    var custom_disclaimer_responses: [GraphDisclaimer]?
    var campaign_name: JSONText?
    var campaign_id: JSONText?
    var adset_name: JSONText?
    var adset_id: JSONText?
    var ad_name: JSONText?
    var platform: JSONText?
    var is_organic: JSONText?
}

/// One answer; `values` is a list even for a single answer.
struct GraphAnswer: Decodable {
    var name: JSONText?
    var values: [JSONText]?
}

struct GraphDisclaimer: Decodable {
    var checkbox_key: JSONText?
    var is_checked: JSONText?
}

struct GraphErrorBody: Decodable {
    struct Detail: Decodable {
        var message: JSONText?
        var type: JSONText?
        var code: JSONText?
        var error_subcode: JSONText?
        var is_transient: JSONText?
    }

    var error: Detail?
}
