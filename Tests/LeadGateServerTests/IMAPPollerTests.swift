import Foundation
import Hummingbird
import HummingbirdTesting
import LeadGateCore
import LeadGateCurl
import LeadGateServer
import LeadGateStore
import Logging
import Testing

/// A lead mail as a form mailer sends it, with its own Message-ID.
func leadMail(_ number: Int, name: String = "דנה כהן") -> [UInt8] {
    Array((
        "From: Website <no-reply@acme.co.il>\r\nTo: leads@acme.co.il\r\nSubject: =?UTF-8?B?\(Data("ליד חדש \(number)".utf8).base64EncodedString())?=\r\n"
            + "Message-ID: <lead-\(number)@acme.co.il>\r\nDate: Sat, 28 Nov 2026 10:00:00 +0200\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nשם: \(name)\r\nטלפון: 054-123-45\(String(format: "%02d", number))\r\n"
            + "אימייל: lead\(number)@example.co.il\r\n"
    ).utf8)
}

/// Bytes no mail reader can make a message of: no header at all.
let unreadableMail = Array("\r\n\r\njust a body, no header fields\r\n".utf8)

/// The UIDs of a `* SEARCH ...` answer.
func uids(_ response: [UInt8]) -> [Int] {
    String(decoding: response, as: UTF8.self).components(separatedBy: "\r\n").filter { $0.hasPrefix("* SEARCH") }
        .flatMap { $0.split(separator: " ").dropFirst(2).compactMap { Int($0) } }
}

@Suite(
    "The IMAP poller against a real dovecot on 127.0.0.1",
    .enabled(if: Dovecot.isInstalled, "dovecot is not installed (Debian dovecot-imapd): run scripts/setup.sh --test"),
    .timeLimit(.minutes(1)))
struct IMAPPollerTests {
    static let start = Date(timeIntervalSince1970: 1_795_860_000)

    static func source(_ dovecot: Dovecot, extra: String = "") -> String {
        """
          - name: sales-inbox
            type: email
            imap: { url: "\(dovecot.url())", username: leads, password: secret, every: 30s\(extra) }
        """
    }

    static func poller(_ gateway: Gateway) throws -> IMAPPoller {
        let source = try #require(gateway.config.source(named: "sales-inbox"))
        return try #require(try IMAPPoller(source: source, gateway: gateway, logger: Logger(label: "test")))
    }

    static func leadCount(_ gateway: Gateway) async throws -> Int {
        try await gateway.store.leads(LeadQuery(limit: 500)).leads.count
    }

    @Test("new mail is committed, then flagged seen; unreadable mail is quarantined and flagged; the cursor resumes by UID")
    func pollsCommitsThenFlags() async throws {
        let dovecot = try await Dovecot.start()
        let client = try CurlClient()
        defer { Task { await client.shutdown() } }
        let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")
        try dovecot.deliver(leadMail(1), name: "1795860000.M1P1.test")
        try dovecot.deliver(unreadableMail, name: "1795860000.M2P1.test")
        try dovecot.deliver(leadMail(3), name: "1795860000.M3P1.test")
        let clock = TestClock(Self.start)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-imap-\(UUID().uuidString)").path
        let gateway = try await makeGateway(sources: Self.source(dovecot), clock: clock, database: folder + "/leads.sqlite")

        #expect(try await Self.poller(gateway).pollOnce() == 3)
        let leads = try await gateway.store.leads(LeadQuery(limit: 10)).leads
        #expect(Set(leads.compactMap(\.contact.email)) == ["lead1@example.co.il", "lead3@example.co.il"])
        #expect(leads.allSatisfy { $0.contact.fullName == "דנה כהן" })
        #expect(Set(leads.flatMap(\.touches).compactMap(\.externalID)) == ["lead-1@acme.co.il", "lead-3@acme.co.il"])
        let quarantined = try await gateway.store.quarantined(limit: 10)
        #expect(quarantined.count == 1)
        #expect(quarantined.first?.method == "IMAP")
        #expect(quarantined.first?.path == dovecot.url() + ";UID=2")
        #expect(quarantined.first?.body == unreadableMail)
        // Every message flagged, the readable and the unreadable: none is fetched forever.
        #expect(uids(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [])
        #expect(try await gateway.store.cursor(source: "sales-inbox")?.hasSuffix(":3") == true)
        #expect(try await Self.poller(gateway).pollOnce() == 0)

        // Mail that arrives later is taken by UID, even when someone read it in the mailbox first.
        try dovecot.deliver(leadMail(4), name: "1795860001.M4P1.test")
        try dovecot.deliver(leadMail(5), name: "1795860001.M5P1.test")
        _ = try await client.imapCommand(#"UID STORE 4 +FLAGS (\Seen)"#, on: inbox)
        // A gateway started again on the same database resumes from the saved cursor.
        let restarted = try await makeGateway(sources: Self.source(dovecot), clock: clock, database: folder + "/leads.sqlite")
        #expect(try await Self.poller(restarted).pollOnce() == 2)
        #expect(try await Self.leadCount(restarted) == 4)
        // The same poller, its connection kept open with INBOX selected, sees mail that arrives afterwards.
        try dovecot.deliver(leadMail(6), name: "1795860002.M6P1.test")
        #expect(try await Self.poller(restarted).pollOnce() == 1)
        #expect(try await Self.leadCount(restarted) == 5)
        let metrics = try await Application(router: restarted.router()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        #expect(metrics.contains(#"leadgate_imap_messages_total{source="sales-inbox",outcome="stored"} 3"#))
        await gateway.config.http.shutdown()
        await restarted.config.http.shutdown()
        await dovecot.stop()
    }

    @Test("a message committed by a poll that died before flagging it comes back as a replay: nothing twice")
    func crashBetweenCommitAndFlag() async throws {
        let dovecot = try await Dovecot.start()
        let client = try CurlClient()
        defer { Task { await client.shutdown() } }
        let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")
        let gateway = try await makeGateway(sources: Self.source(dovecot), clock: TestClock(Self.start))
        // The first poll of the empty mailbox saves where it starts.
        #expect(try await Self.poller(gateway).pollOnce() == 0)
        try dovecot.deliver(leadMail(1), name: "1795860000.M1P1.test")
        try dovecot.deliver(leadMail(2), name: "1795860000.M2P1.test")
        // What the poll that died did: fetched message 1 (libcurl's fetch set \Seen) and committed it; no flag, no cursor.
        let source = try #require(gateway.config.source(named: "sales-inbox"))
        _ = try await gateway.ingestLocally(try await client.imapFetch(uid: 1, on: inbox), source: source, contentType: "message/rfc822")
        #expect(try await Self.leadCount(gateway) == 1)

        #expect(try await Self.poller(gateway).pollOnce() == 2)
        #expect(try await Self.leadCount(gateway) == 2)
        let touches = try await gateway.store.leads(LeadQuery(limit: 10)).leads.flatMap(\.touches)
        #expect(touches.count == 2)
        _ = try await client.imapCommand("NOOP", on: inbox) // this connection's view of the flags, brought up to date
        #expect(uids(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [])
        await gateway.config.http.shutdown()
        await dovecot.stop()
    }

    @Test("a message over max_message_size is quarantined by its UID and flagged; the next one is taken")
    func tooLargeMessage() async throws {
        let dovecot = try await Dovecot.start()
        let client = try CurlClient()
        defer { Task { await client.shutdown() } }
        let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")
        // 40 KiB of attachment against a 16 KiB limit.
        let big = leadMail(1) + Array(String(repeating: "x", count: 40 * 1024).utf8)
        try dovecot.deliver(big, name: "1795860000.M1P1.test")
        try dovecot.deliver(leadMail(2), name: "1795860000.M2P1.test")
        let gateway = try await makeGateway(sources: Self.source(dovecot, extra: ", max_message_size: 16KiB"), clock: TestClock(Self.start))
        #expect(try await Self.poller(gateway).pollOnce() == 2)
        let quarantined = try await gateway.store.quarantined(limit: 10)
        #expect(quarantined.map(\.code) == ["message_too_large"])
        #expect(quarantined.first?.path == dovecot.url() + ";UID=1")
        #expect(try await Self.leadCount(gateway) == 1)
        #expect(uids(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [])
        #expect(uids(try await client.imapCommand("UID SEARCH ALL", on: inbox)) == [1, 2], "nothing deleted")
        await gateway.config.http.shutdown()
        await dovecot.stop()
    }

    @Test("move_to moves each processed message out of the polled folder")
    func movesProcessedMail() async throws {
        let dovecot = try await Dovecot.start()
        let client = try CurlClient()
        defer { Task { await client.shutdown() } }
        let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")
        _ = try await client.imapCommand("CREATE Processed", on: inbox)
        try dovecot.deliver(leadMail(1), name: "1795860000.M1P1.test")
        let gateway = try await makeGateway(sources: Self.source(dovecot, extra: ", move_to: Processed"), clock: TestClock(Self.start))
        #expect(try await Self.poller(gateway).pollOnce() == 1)
        #expect(uids(try await client.imapCommand("UID SEARCH ALL", on: inbox)) == [])
        let processed = MailServer(url: dovecot.url("Processed"), username: "leads", password: "secret")
        #expect(uids(try await client.imapCommand("UID SEARCH ALL", on: processed)) == [1])
        #expect(try await Self.leadCount(gateway) == 1)
        await gateway.config.http.shutdown()
        await dovecot.stop()
    }

    @Test("a mailbox that refuses backs off, doubling, and shows in /readyz and /metrics")
    func failuresBackOffAndShow() async throws {
        let dovecot = try await Dovecot.start()
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: """
              - name: sales-inbox
                type: email
                imap: { url: "\(dovecot.url())", username: leads, password: wrong-password, every: 30s }
            """, clock: clock)
        let poller = try Self.poller(gateway)
        #expect(await poller.pollAndRecord() == 60)
        #expect(await poller.pollAndRecord() == 120)
        let app = Application(router: gateway.router())
        let ready = try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
            }
        }
        #expect(ready["status"] as? String == "degraded")
        let inbox = (ready["sources"] as? [String: Any])?["sales-inbox"] as? [String: Any]
        #expect(inbox?["state"] as? String == "failing")
        #expect(inbox?["consecutive_failures"] as? Int == 2)
        #expect((inbox?["last_error"] as? String)?.isEmpty == false)
        let metrics = try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
        #expect(metrics.contains(#"leadgate_imap_polls_total{source="sales-inbox",result="failed"} 2"#))
        await dovecot.stop()
        // Back up: one good poll clears the state.
        await gateway.config.http.shutdown()
    }
}
