import EmailSource
import Foundation
import LeadGateCore
import LeadGateCurl
import LeadGateStore
import Logging
import ServiceLifecycle

/// Polls an email source's IMAP mailbox through libcurl and runs each new message through the pipeline.
///
/// Each message is fetched by UID, committed (or quarantined when it cannot be read), and only THEN flagged
/// `\Seen` (or moved to `move_to`), and the source's cursor (`UIDVALIDITY:last UID`) saved. The first poll takes
/// the unseen messages; later polls take every UID above the cursor, so a message fetched but not yet committed when
/// the gateway died is fetched again after a restart (libcurl's fetch sets `\Seen` itself, so UNSEEN alone would
/// lose it), and one committed but not yet flagged comes back as a replay of its Message-ID: nothing lost, nothing
/// twice. A mailbox whose UIDVALIDITY changed is read again from its unseen messages. Connection failures back off
/// (doubling from `every`, at most 15 minutes) and show in `/readyz` and `/metrics`.
public struct IMAPPoller: Service {
    let source: ConfiguredSource
    let mail: EmailSource
    let settings: IMAPSettings
    let gateway: Gateway
    let logger: Logger
    static let longestBackoff: TimeInterval = 900

    /// The poller of `source`, or nil when it is not an email source with an `imap:` block.
    public init?(source: ConfiguredSource, gateway: Gateway, logger: Logger) throws {
        guard let mail = source.adapter as? EmailSource, let settings = mail.imap else { return nil }
        self.source = source
        self.mail = mail
        self.settings = settings
        self.gateway = gateway
        self.logger = logger
    }

    var server: MailServer {
        MailServer(
            url: settings.url, username: settings.username, password: settings.password, startTLS: settings.startTLS,
            maxMessageSize: settings.maxMessageSize)
    }

    /// The folder the URL's path names (INBOX when it names none).
    var folder: String {
        let path = URLComponents(string: settings.url)?.percentEncodedPath ?? ""
        let name = String(path.drop { $0 == "/" }.prefix { $0 != ";" && $0 != "?" })
        return name.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? "INBOX"
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let delay = await pollAndRecord()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(delay)) }
        }
    }

    /// One poll with its outcome recorded for `/readyz` and `/metrics`; returns how long to wait before the next:
    /// `every` after a good poll, doubling from it with each failure in a row, at most 15 minutes.
    public func pollAndRecord() async -> TimeInterval {
        var failure: String?
        do {
            try await pollOnce()
        } catch {
            failure = "\(error)"
            logger.warning("IMAP poll failed", metadata: ["source": "\(source.name)", "error": "\(error)"])
        }
        let failures = failure == nil ? 0 : (gateway.health.polls[source.name]?.consecutiveFailures ?? 0) + 1
        let every = settings.every.timeInterval
        let delay = failures == 0 ? every : min(Self.longestBackoff, every * pow(2, Double(min(failures, 20))))
        let moment = gateway.pipeline.now()
        gateway.health.polled(source.name, at: moment, error: failure, next: moment.addingTimeInterval(delay))
        gateway.health.count("leadgate_imap_polls_total", source: source.name, "result", failure == nil ? "ok" : "failed")
        return delay
    }

    /// One poll: every new message taken, committed and marked in UID order. Returns how many were taken.
    /// Stops early, with everything taken so far marked, when the gateway is shutting down.
    @discardableResult
    public func pollOnce() async throws -> Int {
        let client = try gateway.config.http.client()
        let server = server
        // libcurl keeps the connection and the mailbox selected between polls; a NOOP makes the server bring that
        // session's view up to date (new mail shows to a selected mailbox only at a sync point).
        _ = try await client.imapCommand("NOOP", on: server)
        let status = String(decoding: try await client.imapCommand("STATUS \"\(folder)\" (UIDVALIDITY UIDNEXT)", on: server), as: UTF8.self)
        guard let validity = Self.statusValue("UIDVALIDITY", in: status), let next = Self.statusValue("UIDNEXT", in: status) else {
            throw StoreError(code: "imap_status", message: "the server's STATUS answer has no UIDVALIDITY/UIDNEXT: \(status.prefix(200))")
        }
        let cursor = try await gateway.store.cursor(source: source.name).flatMap(Self.parseCursor)
        var uids: [UInt32]
        if let cursor, cursor.validity == validity {
            // `n:*` always matches the newest message, even below n: keep only what is above the cursor.
            uids = Self.searchUIDs(try await client.imapCommand("UID SEARCH UID \(cursor.uid + 1):*", on: server)).filter { $0 > cursor.uid }
        } else {
            // First poll (or a mailbox rebuilt): the unseen mail. The cursor is saved before any is fetched, so a poll
            // that dies mid-way is resumed by UID, never by the \Seen flags its fetches already set.
            uids = Self.searchUIDs(try await client.imapCommand("UID SEARCH UNSEEN", on: server))
            try await gateway.store.saveCursor("\(validity):\((uids.min() ?? next) - 1)", source: source.name, at: gateway.pipeline.now())
        }
        uids.sort()
        var taken = 0
        for uid in uids {
            if Task.isShuttingDownGracefully { break }
            do {
                try await ingest(try await client.imapFetch(uid: uid, on: server), uid: uid)
            } catch let error as CurlError where error.code == .responseTooLarge {
                // Never fetchable whole: said in quarantine by its UID, flagged, and left in the mailbox for a person.
                try await quarantineTooLarge(uid: uid)
            }
            if let moveTo = settings.moveTo {
                _ = try await client.imapCommand("UID MOVE \(uid) \"\(moveTo)\"", on: server)
            } else {
                _ = try await client.imapCommand(#"UID STORE \#(uid) +FLAGS (\Seen)"#, on: server)
            }
            try await gateway.store.saveCursor("\(validity):\(uid)", source: source.name, at: gateway.pipeline.now())
            taken += 1
        }
        return taken
    }

    private func quarantineTooLarge(uid: UInt32) async throws {
        let moment = gateway.pipeline.now()
        try await gateway.store.quarantine(QuarantineEntry(
            id: LeadID.make(prefix: "qr_", at: moment), source: source.name, receivedAt: moment, code: "message_too_large",
            message: "the message is larger than imap.max_message_size (\(settings.maxMessageSize) bytes); it stays in the mailbox",
            method: "IMAP", path: "\(settings.url);UID=\(uid)", headers: [:], body: []))
        logger.warning("IMAP message too large, quarantined", metadata: ["source": "\(source.name)", "uid": "\(uid)"])
        gateway.health.count("leadgate_imap_messages_total", source: source.name, "outcome", "quarantined")
    }

    /// Commits one message, or quarantines it when it cannot be read; throws only when the store fails.
    private func ingest(_ bytes: [UInt8], uid: UInt32) async throws {
        let origin = Gateway.Origin(method: "IMAP", path: "\(settings.url);UID=\(uid)")
        switch try await gateway.ingestLocally(bytes, source: source, contentType: "message/rfc822", origin: origin) {
        case .stored(let outcomes):
            let duplicate = outcomes.allSatisfy { $0.kind == .replay }
            gateway.health.count("leadgate_imap_messages_total", source: source.name, "outcome", duplicate ? "duplicate" : "stored")
        case .malformed(let reason):
            logger.warning("IMAP message quarantined", metadata: ["source": "\(source.name)", "uid": "\(uid)", "reason": "\(reason)"])
            gateway.health.count("leadgate_imap_messages_total", source: source.name, "outcome", "quarantined")
        }
    }

    /// `* STATUS "INBOX" (UIDVALIDITY 1732 UIDNEXT 5)` → the number after `name`.
    static func statusValue(_ name: String, in status: String) -> UInt32? {
        let words = status.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
            .split(whereSeparator: { $0.isWhitespace })
        guard let index = words.firstIndex(where: { $0.uppercased() == name }), index + 1 < words.count else { return nil }
        return UInt32(words[index + 1])
    }

    /// The UIDs of `* SEARCH 3 4 9` lines.
    static func searchUIDs(_ response: [UInt8]) -> [UInt32] {
        // Split on bytes: "\r\n" is one Character, so a Character split would leave it on the last UID.
        response.split(whereSeparator: { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") })
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { $0.hasPrefix("* SEARCH") }
            .flatMap { $0.split(separator: " ").dropFirst(2).compactMap { UInt32($0) } }
    }

    static func parseCursor(_ text: String) -> (validity: UInt32, uid: UInt32)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let validity = UInt32(parts[0]), let uid = UInt32(parts[1]) else { return nil }
        return (validity, uid)
    }
}
