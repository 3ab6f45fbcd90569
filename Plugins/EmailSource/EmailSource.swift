import Foundation
import LeadGateCore
import LeadGateSourceKit
import Logging

/// The `email` source: lead mails from form mailers and people, received as raw MIME over HTTP or through
/// an inbound-mail provider's webhook (SendGrid Inbound Parse, Mailgun routes, Postmark inbound).
///
/// Config keys: `provider` (`raw` | `sendgrid` | `mailgun` | `postmark`, default `raw`); `secret` for raw and
/// SendGrid (given as `?key=` in the URL or as the basic-auth password); `signing_key` and
/// `timestamp_tolerance` (default 5m) for Mailgun; `username` + `password` (basic auth) for Postmark;
/// `ignore_senders`, added to the defaults in `SenderFilter.defaults`; and `imap` (see `IMAPSettings`), a mailbox
/// the gateway polls (then `secret` is optional). The IMAP poller and the MTA pipe hand whole messages to
/// `drafts(fromMIME:receivedAt:)`.
public struct EmailSource: PushSource {
    public static let type = "email"
    public let name: String

    /// How mail reaches the source.
    enum Provider: String {
        case raw, sendgrid, mailgun, postmark
    }

    let provider: Provider
    private let credentials: Credentials
    let builder: EmailDraftBuilder
    /// The mailbox the gateway polls for this source, when it has an `imap:` block.
    public let imap: IMAPSettings?
    private let now: @Sendable () -> Date
    private let logger: Logger

    enum Credentials {
        /// raw and SendGrid: `?key=` or the basic-auth password.
        case sharedSecret(String)
        case mailgun(signingKey: [UInt8], tolerance: TimeInterval)
        case postmark(username: String, password: String)
        /// Only when the config has errors: the loader reports them and never runs the source.
        case missing
    }

    /// Reads the keys above; every problem goes to `config`'s diagnostics, at the offending value.
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        now = services.now
        logger = services.logger
        var provider = Provider.raw
        if let text = config.string("provider") {
            if let chosen = Provider(rawValue: text.lowercased()) {
                provider = chosen
            } else {
                config.error("provider", "\(config.path).provider must be one of raw, sendgrid, mailgun, postmark; found '\(text)'")
            }
        }
        self.provider = provider
        imap = config.section("imap").flatMap(IMAPSettings.read)
        // A source that only polls a mailbox needs no HTTP credentials; its HTTP intake then refuses every request.
        credentials = imap != nil && provider == .raw && config.value("secret") == nil
            ? .missing : Self.readCredentials(config, provider: provider)
        builder = EmailDraftBuilder(senders: Self.readIgnoredSenders(config))
    }

    /// Authenticates by the provider's scheme, then reads the message or the provider's fields into one draft.
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else {
            throw SourceError.methodNotAllowed("source '\(name)' takes POST, not \(request.method)")
        }
        switch provider {
        case .raw:
            try authenticateSharedSecret(request)
            return try receiveRawMIME(request)
        case .sendgrid:
            try authenticateSharedSecret(request)
            return try receiveSendGrid(request)
        case .mailgun:
            return try receiveMailgun(request)
        case .postmark:
            try authenticatePostmark(request)
            return try receivePostmark(request)
        }
    }

    /// The drafts of one whole message (RFC 5322 bytes), for an IMAP poller or an MTA pipe: no authentication
    /// here, the caller vouches for the bytes. The draft keeps `bytes` as its raw payload. A message with no
    /// header fields at all throws `malformed`, one with more than a megabyte of text `tooLarge`: both are
    /// authenticated errors, so the message is quarantined.
    public func drafts(fromMIME bytes: [UInt8], receivedAt: Date) throws(SourceError) -> [LeadDraft] {
        let message = try parse(bytes, in: nil)
        return [try builder.draft(from: InboundEmail(message), receivedAt: receivedAt, rawPayload: bytes)]
    }

    /// Parses a message in `bytes[range]`, logging what had to be worked around.
    func parse(_ bytes: [UInt8], in range: Range<Int>?) throws(SourceError) -> MIMEMessage {
        do throws(MIMEError) {
            let message = try MIMEMessage(parsing: bytes, in: range)
            if !message.warnings.isEmpty {
                logger.debug("message read with warnings", metadata: ["source": "\(name)", "warnings": "\(message.warnings)"])
            }
            return message
        } catch {
            throw .malformed("the message cannot be read as mail: \(error)", code: "malformed_mime")
        }
    }

    private func receiveRawMIME(_ request: InboundRequest) throws(SourceError) -> [LeadDraft] {
        guard let type = request.contentType, ["message/rfc822", "message/global"].contains(type.essence) else {
            let given = request.header("Content-Type").map { "'\($0)'" } ?? "no Content-Type"
            throw .unsupportedMediaType("source '\(name)' takes whole messages as message/rfc822; the request has \(given)")
        }
        guard !request.body.isEmpty else { throw .malformed("the body is empty", code: "empty_body") }
        return try drafts(fromMIME: request.body, receivedAt: request.receivedAt)
    }
}

// MARK: - Authentication

extension EmailSource {
    /// `?key=SECRET`, or basic auth with the secret as password (SendGrid signs nothing on Inbound Parse, so a
    /// secret in the URL it posts to is all there is).
    private func authenticateSharedSecret(_ request: InboundRequest) throws(SourceError) {
        guard case .sharedSecret(let secret) = credentials else { throw notConfigured() }
        if let key = request.queryValue("key") {
            guard Signature.constantTimeEquals(key, secret) else {
                throw .unauthorized("the key in the URL does not match the secret of source '\(name)'")
            }
            return
        }
        if let (_, password) = Self.basicCredentials(request) {
            guard Signature.constantTimeEquals(password, secret) else {
                throw .unauthorized("the basic-auth password does not match the secret of source '\(name)'")
            }
            return
        }
        throw .unauthorized("source '\(name)' needs its secret, as ?key= in the URL or as the basic-auth password")
    }

    private func authenticatePostmark(_ request: InboundRequest) throws(SourceError) {
        guard case .postmark(let username, let password) = credentials else { throw notConfigured() }
        guard let (givenUser, givenPassword) = Self.basicCredentials(request) else {
            throw .unauthorized("source '\(name)' needs basic auth (the user and password in Postmark's inbound webhook URL)")
        }
        // Both compared, always: which one is wrong is not told by the time taken.
        let userMatches = Signature.constantTimeEquals(givenUser, username)
        let passwordMatches = Signature.constantTimeEquals(givenPassword, password)
        guard userMatches && passwordMatches else {
            throw .unauthorized("the basic-auth credentials do not match those of source '\(name)'")
        }
    }

    /// Checks Mailgun's `signature`: hex HMAC-SHA256 of `timestamp` + `token` under the signing key, and refuses
    /// a timestamp further than the tolerance from now (a replayed post).
    func verifyMailgun(timestamp: String?, token: String?, signature: String?) throws(SourceError) {
        guard case .mailgun(let key, let tolerance) = credentials else { throw notConfigured() }
        guard let timestamp, let token, let signature else {
            let missing = [("timestamp", timestamp), ("token", token), ("signature", signature)].filter { $0.1 == nil }.map(\.0)
            throw .unauthorized("the Mailgun post has no \(missing.joined(separator: ", ")) field", code: "signature_missing")
        }
        guard Signature.isValidHMACSHA256(hex: signature, message: Array((timestamp + token).utf8), key: key) else {
            throw .signatureMismatch("the Mailgun signature does not match timestamp and token under the signing key of source '\(name)'")
        }
        guard let seconds = Double(timestamp), seconds.isFinite else {
            throw .unauthorized("the Mailgun timestamp '\(timestamp.prefix(20))' is not a number of seconds", code: "stale_timestamp")
        }
        let age = now().timeIntervalSince1970 - seconds
        guard abs(age) <= tolerance else {
            throw .unauthorized(
                "the Mailgun timestamp is \(Int(age.rounded())) s from now, past the tolerance of \(Int(tolerance)) s (timestamp_tolerance)",
                code: "stale_timestamp")
        }
    }

    /// User and password of an `Authorization: Basic` header.
    static func basicCredentials(_ request: InboundRequest) -> (String, String)? {
        guard let header = request.header("Authorization") else { return nil }
        let pieces = header.split(separator: " ", maxSplits: 1)
        guard pieces.count == 2, pieces[0].lowercased() == "basic",
            let decoded = Signature.base64Decoded(pieces[1].trimmingCharacters(in: .whitespaces)),
            let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private func notConfigured() -> SourceError {
        .unauthorized("source '\(name)' has no credentials for provider \(provider.rawValue) (see check-config)")
    }
}

// MARK: - Config

extension EmailSource {
    private static func readCredentials(_ config: ConfigSection, provider: Provider) -> Credentials {
        let keysByProvider: [Provider: [String]] = [
            .raw: ["secret"], .sendgrid: ["secret"], .mailgun: ["signing_key", "timestamp_tolerance"], .postmark: ["username", "password"],
        ]
        let own = keysByProvider[provider] ?? []
        for key in Set(keysByProvider.values.joined()).sorted() where !own.contains(key) && config.value(key) != nil {
            config.error(key, "\(config.path).\(key) is not used with provider \(provider.rawValue) (it takes \(own.joined(separator: ", ")))")
        }
        switch provider {
        case .raw, .sendgrid:
            guard let secret = nonEmptyString("secret", in: config, required: true) else { return .missing }
            if secret.count < 16 { config.error("secret", "\(config.path).secret must be at least 16 characters (it is all that guards the URL)") }
            return .sharedSecret(secret)
        case .mailgun:
            var tolerance: TimeInterval = 300
            if let duration = config.duration("timestamp_tolerance") {
                let seconds = duration.timeInterval
                if seconds < 1 {
                    config.error("timestamp_tolerance", "\(config.path).timestamp_tolerance must be at least 1s")
                } else {
                    tolerance = seconds
                }
            }
            guard let key = nonEmptyString("signing_key", in: config, required: true) else { return .missing }
            return .mailgun(signingKey: Array(key.utf8), tolerance: tolerance)
        case .postmark:
            let username = nonEmptyString("username", in: config, required: true)
            let password = nonEmptyString("password", in: config, required: true)
            guard let username, let password else { return .missing }
            return .postmark(username: username, password: password)
        }
    }

    private static func readIgnoredSenders(_ config: ConfigSection) -> SenderFilter {
        var entries = SenderFilter.defaults
        guard let node = config.value("ignore_senders") else { return SenderFilter(entries) }
        let items: [ConfigValue] = if case .sequence(let items, _) = node { items } else { [node] }
        for item in items {
            guard case .scalar(let text, let mark, _) = item else {
                config.diagnostics.error("\(config.path).ignore_senders entries must be strings, found \(item.kindName)", at: item.mark)
                continue
            }
            guard SenderFilter.isValidEntry(text) else {
                config.diagnostics.error(
                    "\(config.path).ignore_senders: '\(text)' must be a local part with @ (noreply@), a domain (@forms.acme.co.il) or an address",
                    at: mark)
                continue
            }
            entries.append(text)
        }
        return SenderFilter(entries)
    }

    private static func nonEmptyString(_ key: String, in config: ConfigSection, required: Bool) -> String? {
        guard let text = config.string(key, required: required) else { return nil }
        guard !text.isEmpty else {
            config.error(key, "\(config.path).\(key) is empty (if it comes from ${VAR}, is the variable set?)")
            return nil
        }
        return text
    }
}

extension EmailSource: MIMESource {}
