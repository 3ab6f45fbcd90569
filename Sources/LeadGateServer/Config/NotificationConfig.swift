import Foundation
import LeadGateCore
import LeadGateNotify
import LeadGateSourceKit

enum NotificationConfig {
    static let defaultSubject = "New {{event}}: {{contact.full_name}} ({{product}})"
    static let defaultBody = """
        {{contact.full_name}}
        Email: {{contact.email}}
        Phone: {{contact.phone}}
        Company: {{contact.company}}
        Source: {{attribution.source}} {{attribution.campaign}}
        Score: {{qualification.score}} ({{qualification.criteria}})
        Owner: {{owner}}
        Lead: {{id}}
        """

    static func read(_ root: ConfigSection) -> (channels: [NotificationChannel], schedule: RetrySchedule) {
        var schedule = RetrySchedule.standard
        if let delivery = root.section("delivery") {
            if let node = delivery.value("schedule") {
                let texts = ConfigSection.strings(node, path: "delivery.schedule", diagnostics: root.diagnostics) ?? []
                let delays = texts.compactMap(ConfigSection.parseDuration)
                if delays.count != texts.count || delays.isEmpty {
                    delivery.error("schedule", "delivery.schedule must be a list of durations like [0s, 5s, 5m, 30m, 2h]")
                } else {
                    schedule = RetrySchedule(delays: delays)
                }
            }
            delivery.finish(known: ["schedule"])
        }
        var channels: [NotificationChannel] = []
        var seen: Set<String> = []
        for section in root.sections("notifications") ?? [] {
            defer { section.finish() }
            guard let name = section.string("name", required: true) else { continue }
            if !seen.insert(name).inserted { section.error("name", "duplicate notification name '\(name)'") }
            var events: [LeadEvent] = []
            for text in section.stringList("on") ?? [] {
                if let event = LeadEvent(rawValue: text) {
                    events.append(event)
                } else {
                    section.error("on", "unknown event '\(text)' (events: \(LeadEvent.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
            if section.value("on") == nil { section.error("on", "\(section.path) is missing required key 'on' (the events it takes)") }
            let concurrency = section.int("concurrency", range: 1...256) ?? 4
            let timeout = section.duration("timeout") ?? .seconds(10)
            let kinds = ["webhook", "slack", "email"].filter { section.keys.contains($0) }
            guard kinds.count == 1 else {
                section.error("name", "notification '\(name)' needs exactly one of webhook, slack or email, found \(kinds.isEmpty ? "none" : kinds.joined(separator: ", "))")
                section.consume("webhook", "slack", "email")
                continue
            }
            let kind: NotificationChannel.Kind?
            switch kinds[0] {
            case "webhook": kind = section.section("webhook").flatMap(readWebhook).map { .webhook($0) }
            case "slack": kind = section.section("slack").flatMap(readSlack).map { .slack($0) }
            default: kind = section.section("email").flatMap(readEmail).map { .email($0) }
            }
            if let kind {
                channels.append(NotificationChannel(name: name, events: events, kind: kind, concurrency: concurrency, timeout: timeout))
            }
        }
        return (channels, schedule)
    }

    private static func readURL(_ section: ConfigSection, _ key: String, schemes: [String]) -> String? {
        guard let text = section.string(key, required: true) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host?.isEmpty == false else {
            section.error(key, "\(section.path).\(key) must be a \(schemes.joined(separator: " or ")) URL, found '\(text)'")
            return nil
        }
        return text
    }

    private static func readWebhook(_ section: ConfigSection) -> WebhookSettings? {
        defer { section.finish(known: ["url", "secret", "secrets", "headers", "template"]) }
        let url = readURL(section, "url", schemes: ["http", "https"])
        var secrets: [[UInt8]] = []
        for text in (section.stringList("secret") ?? []) + (section.stringList("secrets") ?? []) {
            guard let key = StandardWebhooks.key(fromSecret: text) else {
                section.error(section.keys.contains("secret") ? "secret" : "secrets", "a webhook secret is whsec_ followed by base64 (as Standard Webhooks writes it), or at least 16 characters of text")
                continue
            }
            secrets.append(key)
        }
        var headers: [(name: String, value: String)] = []
        if let block = section.section("headers") {
            for key in block.keys {
                if let value = block.string(key) { headers.append((key, value)) }
            }
            block.finish()
        }
        guard let url else { return nil }
        return WebhookSettings(url: url, secrets: secrets, headers: headers, template: section.string("template"))
    }

    private static func readSlack(_ section: ConfigSection) -> SlackSettings? {
        defer { section.finish(known: ["url", "lead_url"]) }
        let url = readURL(section, "url", schemes: ["http", "https"])
        let leadURL = section.string("lead_url")
        guard let url else { return nil }
        return SlackSettings(url: url, leadURL: leadURL)
    }

    private static func readEmail(_ section: ConfigSection) -> EmailSettings? {
        defer { section.finish(known: ["smtp", "username", "password", "from", "to", "subject", "body"]) }
        let smtp = readURL(section, "smtp", schemes: ["smtp", "smtps"])
        let from = section.string("from", required: true)
        let to = section.stringList("to") ?? []
        if to.isEmpty { section.error("to", "\(section.path) needs 'to': addresses, or \"{{owner}}\"") }
        guard let smtp, let from, !to.isEmpty else { return nil }
        return EmailSettings(
            smtp: smtp, username: section.string("username"), password: section.string("password"), from: from, to: to,
            subject: section.string("subject") ?? defaultSubject, body: section.string("body") ?? defaultBody
        )
    }
}

