import Foundation
import LeadGateCore
import LeadGateSourceKit

/// The `tiktok_leads` source: TikTok Instant Form leads pushed by a TikTok for Business webhook.
///
/// Its own config keys: `secret` (the app secret that signs the webhooks), and, because TikTok documents the
/// signature for its webhooks in general but not for every lead integration, the scheme: `signature_header`
/// (default `TikTok-Signature`), `signed_payload` (`timestamp.body`, the default, or `body`),
/// `signature_encoding` (`hex`, the default, or `base64`) and `timestamp_tolerance` (default 5m; 0 turns the
/// replay check off).
///
/// The documented scheme (https://developers.tiktok.com/doc/webhooks-verification): the header is
/// `t=<unix seconds>,s=<signature>` and the signature is the HMAC-SHA256 of `"<t>." + raw body` under the secret.
/// A header without an `s=` element is taken whole as the signature.
///
/// Lead payloads vary between TikTok's integrations, so the reader takes, in this order: an envelope whose
/// `content` (or `data`) is the event as a JSON string (TikTok's webhook envelope); an object whose `data` is a lead or a list
/// of leads; or the lead itself. A lead has `lead_id` (or `id`), the answers as a list of
/// `{field_name|name|question|label|key, field_value|value|values|answer}` under `field_data`, `fields`,
/// `answers`, `leads` or `user_data` (or as a flat object there), and optionally `create_time`, ids and names of
/// advertiser, page, form, campaign, ad group and ad, and `is_test` / `test_lead` (a test lead is marked).
public struct TikTokLeadsSource: PushSource {
    public static let type = "tiktok_leads"
    public static let defaultSignatureHeader = "TikTok-Signature"

    /// What the signature covers.
    public enum SignedPayload: String, Sendable, CaseIterable {
        /// `"<t>." + body`, with `t` from the header's `t=` element (TikTok's documented scheme).
        case timestampAndBody = "timestamp.body"
        /// The raw body alone.
        case body
    }

    /// How the signature is written in the header.
    public enum SignatureEncoding: String, Sendable, CaseIterable {
        case hex
        case base64
    }

    public let name: String
    private let secret: [UInt8]
    private let signatureHeader: String
    private let signedPayload: SignedPayload
    private let encoding: SignatureEncoding
    private let tolerance: Duration
    private let now: @Sendable () -> Date

    /// Reads the keys above; every problem goes to `config`'s diagnostics, at the offending value.
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        now = services.now
        secret = Array(config.secret("secret").utf8)
        signatureHeader = Self.headerName(in: config) ?? Self.defaultSignatureHeader
        signedPayload = Self.choice("signed_payload", in: config) ?? .timestampAndBody
        encoding = Self.choice("signature_encoding", in: config) ?? .hex
        tolerance = config.duration("timestamp_tolerance") ?? .seconds(300)
    }

    /// Checks the signature (and, when the timestamp is signed, its age), then reads the leads.
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else {
            throw SourceError.methodNotAllowed("source '\(name)' takes TikTok's lead webhooks as POST, not \(request.method)")
        }
        try authenticate(request)
        let root = try VendorJSON.decode(TikTokPayload.self, from: request.body, authenticated: true)
        let (leads, envelopeTime) = try Self.leads(in: root)
        guard !leads.isEmpty else { return [] }
        return try leads.enumerated().map { index, lead in
            guard let id = (lead.lead_id ?? lead.id)?.text, !id.isEmpty else {
                let place = leads.count == 1 ? "the lead" : "lead \(index)"
                throw SourceError.malformed("\(place) has no lead_id", code: "missing_field")
            }
            return LeadDraft(
                fields: lead.fields, externalID: id, receivedAt: lead.create_time?.date ?? envelopeTime?.date ?? request.receivedAt,
                isTest: (lead.is_test ?? lead.test_lead)?.isTrue ?? false)
        }
    }

    private func authenticate(_ request: InboundRequest) throws(SourceError) {
        guard let header = request.header(signatureHeader) else {
            throw .unauthorized("the request has no \(signatureHeader) header (HMAC-SHA256 of the body with the app secret)")
        }
        var timestamp: String?
        var presented: String?
        for element in header.split(separator: ",") {
            let parts = element.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "t" { timestamp = parts[1] }
            if parts[0] == "s" { presented = parts[1] }
        }
        let signature = presented ?? header.trimmingCharacters(in: .whitespaces)
        var message = request.body
        if signedPayload == .timestampAndBody {
            guard let timestamp, let seconds = Double(timestamp) else {
                throw .unauthorized("\(signatureHeader) has no t=<unix seconds> element, and the timestamp is part of what is signed")
            }
            let age = abs(now().timeIntervalSince1970 - seconds)
            let allowed = tolerance.timeInterval
            if tolerance > .zero, age > allowed {
                throw .unauthorized("\(signatureHeader) was made \(Int(age)) s away from now, beyond timestamp_tolerance", code: "stale_signature")
            }
            message = Array("\(timestamp).".utf8) + request.body
        }
        let valid =
            switch encoding {
            case .hex: Signature.isValidHMACSHA256(hex: signature, message: message, key: secret)
            case .base64: Signature.isValidHMACSHA256(base64: signature, message: message, key: secret)
            }
        guard valid else { throw .signatureMismatch("\(signatureHeader) does not match the body (is secret the app secret of the subscription?)") }
    }

    /// The leads of `root` and the envelope's time, following the shapes listed on the type.
    static func leads(in root: TikTokPayload) throws(SourceError) -> ([TikTokLead], JSONText?) {
        if let content = root.content {
            let inner = try VendorJSON.decode(TikTokPayload.self, from: Array(content.utf8), what: "the content string", authenticated: true)
            guard inner.content == nil else {
                throw SourceError.malformed("the content string holds another content string", code: "unexpected_json")
            }
            let (leads, time) = try leads(in: inner)
            return (leads, time ?? root.create_time)
        }
        if let data = root.data { return (data, root.create_time) }
        return ([root.lead], nil)
    }


    private static func headerName(in config: ConfigSection) -> String? {
        guard let text = config.string("signature_header") else { return nil }
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !text.isEmpty, text.allSatisfy(tokenCharacters.contains) else {
            config.error("signature_header", "\(config.path).signature_header must be an HTTP header name like TikTok-Signature, found '\(text)'")
            return nil
        }
        return text
    }

    private static func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, in config: ConfigSection) -> Choice?
    where Choice.RawValue == String {
        guard let text = config.string(key) else { return nil }
        guard let choice = Choice(rawValue: text.lowercased()) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: " or ")
            config.error(key, "\(config.path).\(key) must be \(allowed), found '\(text)'")
            return nil
        }
        return choice
    }
}

/// A webhook body: an envelope (`content`, `data`) or the lead itself.
struct TikTokPayload: Decodable {
    var content: String?
    var create_time: JSONText?
    var data: [TikTokLead]?
    var lead: TikTokLead

    private enum CodingKeys: String, CodingKey {
        case content, create_time, data
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // The event as a JSON string: `content` in TikTok's envelope, `data` in some relays; other shapes are read below.
        content =
            (try? container.decodeIfPresent(String.self, forKey: .content)) ?? (try? container.decodeIfPresent(String.self, forKey: .data)) ?? nil
        create_time = try? container.decodeIfPresent(JSONText.self, forKey: .create_time)
        if let many = try? container.decodeIfPresent([TikTokLead].self, forKey: .data) {
            data = many
        } else {
            data = (try? container.decodeIfPresent(TikTokLead.self, forKey: .data)).flatMap { $0 }.map { [$0] }
        }
        lead = try TikTokLead(from: decoder)
    }
}

/// One lead in any of the shapes listed on `TikTokLeadsSource`; members of other shapes are skipped, not refused.
struct TikTokLead: Decodable {
    var lead_id: JSONText?
    var id: JSONText?
    var create_time: JSONText?
    var is_test: JSONText?
    var test_lead: JSONText?
    /// Answers, then the ad context, as raw fields.
    var fields: [RawField]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Where answers may be, in order of preference.
    static let answerKeys = ["field_data", "fields", "answers", "leads", "user_data"]
    /// Ad context kept under its own name; `campaign_name` and `form_name`/`form_id` feed the canonical campaign and form.
    static let contextKeys = [
        "form_name", "form_id", "campaign_name", "campaign_id", "adgroup_name", "adgroup_id", "ad_name", "ad_id", "advertiser_id", "page_id",
    ]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func text(_ name: String) -> JSONText? {
            (try? container.decodeIfPresent(JSONText.self, forKey: Key(name))) ?? nil
        }
        lead_id = text("lead_id")
        id = text("id")
        create_time = text("create_time")
        is_test = text("is_test")
        test_lead = text("test_lead")
        fields = []
        for name in Self.answerKeys where container.contains(Key(name)) {
            if let answers = try? container.decode([TikTokAnswer].self, forKey: Key(name)) {
                fields = answers.compactMap(\.field)
            } else if let flat = try? container.decode(FlatAnswers.self, forKey: Key(name)) {
                fields = flat.fields
            }
            if !fields.isEmpty { break }
        }
        for name in Self.contextKeys {
            if let value = text(name) { fields.append(RawField(name, value.text)) }
        }
    }
}

/// `{"field_name": "email", "field_value": "dana@acme.co.il"}` and its spellings.
struct TikTokAnswer: Decodable {
    var field: RawField?

    private enum CodingKeys: String, CodingKey {
        case field_name, name, question, label, key, field_value, value, values, answer
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? {
            if let one = (try? container.decodeIfPresent(JSONText.self, forKey: key)) ?? nil { return one.text }
            let many = (try? container.decodeIfPresent([JSONText].self, forKey: key)) ?? nil
            return many.map { $0.map(\.text).joined(separator: ", ") }
        }
        let name = [CodingKeys.field_name, .name, .question, .label, .key].lazy.compactMap(text).first
        let value = [CodingKeys.field_value, .value, .values, .answer].lazy.compactMap(text).first
        field = name.flatMap { name in value.map { RawField(name, $0) } }
    }
}

/// Answers as one object, `{"email": "...", "phone_number": "..."}`, sorted by name (JSON objects have no order
/// that the decoder keeps, and the same body must give the same draft).
struct FlatAnswers: Decodable {
    var fields: [RawField]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        fields = container.allKeys.sorted { $0.stringValue < $1.stringValue }.compactMap { key in
            (try? container.decode(JSONText.self, forKey: key)).map { RawField(key.stringValue, $0.text) }
        }
        guard !fields.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: Key(stringValue: "answers"), in: container, debugDescription: "no scalar answers")
        }
    }
}
