import Foundation
import LeadGateCore
import LeadGateCurl
import LeadGateStore

/// The bodies of the configured channels, rendered when their events are queued (the store's outbox writes them in
/// the event's transaction).
public struct ChannelBodies: NotificationBodyRenderer {
    private let channels: [String: NotificationChannel]

    public init(_ channels: [NotificationChannel]) {
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func body(of event: LeadEvent, lead: Lead, channel: String, deliveryID: String, at date: Date) -> [UInt8]? {
        guard let channel = channels[channel] else { return nil }
        return try? NotificationRenderer.payload(for: NotificationEvent(event: event, deliveryID: deliveryID), lead: lead, channel: channel, at: date)
    }
}

/// The event a body tells of, and the delivery it goes out as.
struct NotificationEvent {
    var event: LeadEvent
    var deliveryID: String
}

/// What each channel sends, rendered once per delivery (every attempt sends the same bytes): when the event is
/// queued, or at the first attempt for a delivery queued without a body.
enum NotificationRenderer {
    struct RenderError: Error, CustomStringConvertible {
        var description: String
    }

    /// The lead as the templates and the webhook body see it, with the event beside it.
    static func context(_ delivery: NotificationEvent, lead: Lead) throws -> [String: Any] {
        guard var object = try JSONSerialization.jsonObject(with: Data(try LeadJSON.bytes(lead))) as? [String: Any] else {
            throw RenderError(description: "the lead does not encode as an object")
        }
        object["event"] = delivery.event.rawValue
        object["delivery_id"] = delivery.deliveryID
        return object
    }

    /// The body of `delivery`; `moment` is when its event happened (the webhook's `timestamp`, the mail's `Date`).
    static func payload(for delivery: NotificationEvent, lead: Lead, channel: NotificationChannel, at moment: Date) throws -> [UInt8] {
        switch channel.kind {
        case .webhook(let settings):
            if let template = settings.template {
                return Array(TextTemplate(template).render(try context(delivery, lead: lead), escaping: .json).utf8)
            }
            return try webhookBody(delivery, lead: lead, at: moment)
        case .slack(let settings):
            return try slackBody(delivery, lead: lead, settings: settings)
        case .email(let settings):
            return try emailPayload(delivery, lead: lead, settings: settings, at: moment)
        }
    }

    /// `{"type": "lead.opportunity", "timestamp": ..., "data": <the canonical lead>}` as Standard Webhooks suggests.
    static func webhookBody(_ delivery: NotificationEvent, lead: Lead, at moment: Date) throws -> [UInt8] {
        var writer = JSONWriter(capacity: 2048)
        writer.beginObject()
        // In key order, as every other JSON document of the gateway.
        writer.key("data")
        try writer.lead(lead)
        writer.field("timestamp", moment)
        writer.field("type", "lead.\(delivery.event.rawValue)")
        writer.endObject()
        return writer.bytes
    }

    static func webhookRequest(_ delivery: Delivery, payload: [UInt8], settings: WebhookSettings, timeout: Duration, at moment: Date) -> OutboundRequest {
        let timestamp = Int(moment.timeIntervalSince1970)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("webhook-id", delivery.id),
            ("webhook-timestamp", String(timestamp)),
        ]
        if !settings.signingKeys.isEmpty {
            headers.append(("webhook-signature", StandardWebhooks.signature(id: delivery.id, timestamp: timestamp, body: payload, keys: settings.signingKeys)))
        }
        headers += settings.headers
        return OutboundRequest(url: settings.url, headers: headers, body: payload, timeout: timeout)
    }

    /// A Slack incoming-webhook message with the lead's key facts and a link to it.
    static func slackBody(_ delivery: NotificationEvent, lead: Lead, settings: SlackSettings) throws -> [UInt8] {
        let name = lead.contact.fullName ?? lead.contact.email ?? lead.contact.phone ?? lead.id
        var lines = ["*\(Self.slackEscape(headline(delivery, lead: lead)))*: \(Self.slackEscape(name))"]
        let facts: [(String, String?)] = [
            ("Email", lead.contact.email), ("Phone", lead.contact.phone), ("Company", lead.contact.company),
            ("Source", [lead.attribution.source, lead.attribution.campaign].compactMap { $0 }.joined(separator: " / ")),
            ("Score", lead.qualification.map { "\($0.score) (\($0.criteria))" }), ("Owner", lead.owner),
            ("Stage", lead.opportunity.map { "\($0.stage)\($0.amount.map { " · \(Self.amount($0))" } ?? "") \($0.currency ?? "")" }),
        ]
        for (label, value) in facts {
            if let value, !value.isEmpty { lines.append("\(label): \(Self.slackEscape(value))") }
        }
        if let base = settings.leadURL {
            lines.append("<\(base.hasSuffix("/") ? base : base + "/")leads/\(lead.id)|Open the lead>")
        }
        return Array(try JSONSerialization.data(withJSONObject: ["text": lines.joined(separator: "\n")], options: [.sortedKeys]))
    }

    static func headline(_ delivery: NotificationEvent, lead: Lead) -> String {
        switch delivery.event {
        case .lead: "New lead"
        case .opportunity: "New opportunity"
        case .rejected: "Rejected submission"
        case .stageChanged: "Stage changed to \(lead.opportunity?.stage ?? "?")"
        }
    }

    static func slackEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func amount(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// The recipients and the RFC 5322 message, as JSON: `{"rcpt": [...], "message": "..."}`.
    static func emailPayload(_ delivery: NotificationEvent, lead: Lead, settings: EmailSettings, at moment: Date) throws -> [UInt8] {
        let context = try context(delivery, lead: lead)
        let recipients = settings.to
            .map { TextTemplate($0).render(context, escaping: .headerLine).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !recipients.isEmpty else {
            throw RenderError(description: "no recipient: \(settings.to.joined(separator: ", ")) rendered empty (does the lead have an owner?)")
        }
        guard let from = MailAddress(settings.from) else { throw RenderError(description: "the sender '\(settings.from)' is not a plain address") }
        let addresses = try recipients.map { text in
            guard let address = MailAddress(text) else { throw RenderError(description: "the recipient '\(text)' is not a plain address") }
            return address
        }
        let message = MailMessage(
            from: from, to: addresses,
            subject: TextTemplate(settings.subject).render(context, escaping: .headerLine),
            body: TextTemplate(settings.body).render(context, escaping: .none),
            date: moment, messageID: "\(delivery.deliveryID)@leadgate"
        )
        let object: [String: Any] = ["rcpt": recipients, "message": String(decoding: message.rendered(), as: UTF8.self)]
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func recipients(_ settings: EmailSettings, payload: [UInt8]) throws -> [String] {
        guard let object = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let recipients = object["rcpt"] as? [String] else {
            throw RenderError(description: "the stored mail has no recipients")
        }
        return recipients
    }

    static func mailMessage(_ payload: [UInt8]) throws -> [UInt8] {
        guard let object = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let message = object["message"] as? String else {
            throw RenderError(description: "the stored mail has no message")
        }
        return Array(message.utf8)
    }
}
