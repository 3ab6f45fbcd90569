import Foundation
import LeadGateCore
import LeadGateSourceKit

/// One `notifications:` entry: which events, which channel.
public struct NotificationChannel: Sendable {
    public init(name: String, events: [LeadEvent], kind: Kind, concurrency: Int, timeout: Duration) {
        self.name = name
        self.events = events
        self.kind = kind
        self.concurrency = concurrency
        self.timeout = timeout
    }

    public enum Kind: Sendable {
        case webhook(WebhookSettings)
        case slack(SlackSettings)
        case email(EmailSettings)
    }

    public var name: String
    public var events: [LeadEvent]
    public var kind: Kind
    /// At most this many deliveries of this channel in flight at once.
    public var concurrency: Int
    public var timeout: Duration
}

/// A webhook signed per the Standard Webhooks spec.
public struct WebhookSettings: Sendable {
    public var url: String
    /// One signing key per `whsec_` secret (several at once while rotating), keyed once for every delivery's signature.
    public let signingKeys: [HMACKey]
    public var headers: [(name: String, value: String)]
    /// A mustache template for the body, for receivers that want their own field names; nil sends the canonical JSON.
    public var template: String?

    public init(url: String, secrets: [[UInt8]], headers: [(name: String, value: String)], template: String?) {
        self.url = url
        signingKeys = secrets.map(HMACKey.init)
        self.headers = headers
        self.template = template
    }
}

/// A Slack incoming webhook.
public struct SlackSettings: Sendable {
    public var url: String
    /// Where a person opens the lead (the dashboard's address), for the message's link.
    public var leadURL: String?

    public init(url: String, leadURL: String?) {
        self.url = url
        self.leadURL = leadURL
    }
}

/// Mail through SMTP.
public struct EmailSettings: Sendable {
    public var smtp: String
    public var username: String?
    public var password: String?
    public var from: String
    /// Addresses, or `{{owner}}` for the lead's owner.
    public var to: [String]
    public var subject: String
    public var body: String

    public init(smtp: String, username: String?, password: String?, from: String, to: [String], subject: String, body: String) {
        self.smtp = smtp
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
    }
}

/// When a failed delivery is tried again: the delays between attempts (Standard Webhooks' schedule by default).
public struct RetrySchedule: Sendable, Hashable {
    public var delays: [Duration]

    public init(delays: [Duration]) {
        self.delays = delays
    }

    public static let standard = RetrySchedule(delays: [
        .seconds(0), .seconds(5), .seconds(300), .seconds(1800), .seconds(7200), .seconds(18000), .seconds(36000), .seconds(36000),
    ])
}

/// Standard Webhooks signing: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256(id.timestamp.body)>`.
public enum StandardWebhooks {
    /// The signing key of a secret: the base64 after `whsec_`, or the text itself (for receivers that use plain secrets).
    public static func key(fromSecret secret: String) -> [UInt8]? {
        if secret.hasPrefix("whsec_") {
            guard let key = Signature.base64Decoded(String(secret.dropFirst(6))), !key.isEmpty else { return nil }
            return key
        }
        return secret.count >= 16 ? Array(secret.utf8) : nil
    }

    /// The signature header value: one `v1,<signature>` per key, space-separated.
    public static func signature(id: String, timestamp: Int, body: [UInt8], keys: [[UInt8]]) -> String {
        signature(id: id, timestamp: timestamp, body: body, keys: keys.map(HMACKey.init))
    }

    /// The signature header value under keys made ready once (a channel's `signingKeys`).
    public static func signature(id: String, timestamp: Int, body: [UInt8], keys: [HMACKey]) -> String {
        var prefix = "\(id).\(timestamp)."
        return prefix.withUTF8 { prefix in
            body.withUnsafeBytes { body in
                keys.map { "v1," + $0.authenticationCode(UnsafeRawBufferPointer(prefix), body).withUnsafeBytes(Signature.base64Encoded) }
                    .joined(separator: " ")
            }
        }
    }
}
