import Foundation
import LeadGateCurl
import Testing

/// The UIDs of a `* SEARCH ...` response.
func searchUIDs(_ response: [UInt8]) -> [Int] {
    String(decoding: response, as: UTF8.self).components(separatedBy: "\r\n")
        .filter { $0.hasPrefix("* SEARCH") }
        .flatMap { $0.split(separator: " ").dropFirst(2).compactMap { Int($0) } }
}

/// Runs `body` against a fresh dovecot and client, stops both however it ends, and returns dovecot's log.
@discardableResult
func withDovecot(
    certificate: TestCertificate? = nil, configuration: CurlConfiguration = CurlConfiguration(),
    _ body: (Dovecot, CurlClient) async throws -> Void
) async throws -> String {
    let dovecot = try await Dovecot.start(certificate: certificate)
    let client = try CurlClient(configuration: configuration)
    do {
        try await body(dovecot, client)
    } catch {
        await client.shutdown()
        await dovecot.stop()
        throw error
    }
    await client.shutdown()
    return await dovecot.stop()
}

@Suite(
    "IMAP against a real dovecot on 127.0.0.1",
    .enabled(if: Dovecot.isInstalled, "dovecot is not installed (Debian dovecot-imapd): run scripts/setup.sh --test"),
    .timeLimit(.minutes(1)))
struct IMAPTests {
    static let message = Array((
        "From: =?UTF-8?B?15PXoNeU?= <dana@example.co.il>\r\nTo: leads@acme.co.il\r\nSubject: quote\r\n"
            + "Message-ID: <m1@example.co.il>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nשלום, אשמח להצעת מחיר\r\n"
    ).utf8)

    @Test("search unseen, fetch by UID, flag seen, search again, move, all on one connection")
    func pollingPrimitives() async throws {
        let log = try await withDovecot { dovecot, client in
            try dovecot.deliver(Self.message, name: "1795860000.M1P1.leadgate")
            let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")

            #expect(searchUIDs(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [1])
            #expect(try await client.imapFetch(uid: 1, on: inbox) == Self.message)

            // Fetching set \Seen (libcurl fetches BODY[], see imapFetch); clearing and setting it are the adapter's tools.
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [])
            _ = try await client.imapCommand(#"UID STORE 1 -FLAGS (\Seen)"#, on: inbox)
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [1])
            _ = try await client.imapCommand(#"UID STORE 1 +FLAGS (\Seen)"#, on: inbox)
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH UNSEEN", on: inbox)) == [])

            _ = try await client.imapCommand("CREATE Processed", on: inbox)
            _ = try await client.imapCommand("UID MOVE 1 Processed", on: inbox)
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH ALL", on: inbox)) == [])
            let processed = MailServer(url: dovecot.url("Processed"), username: "leads", password: "secret")
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH ALL", on: processed)) == [1])
            #expect(try await client.imapFetch(uid: 1, on: processed) == Self.message)
        }
        // Twelve transfers in two mailboxes, one login: the multi handle kept the connection.
        #expect(log.components(separatedBy: "\n").filter { $0.contains("imap-login: Info: Login:") }.count == 1)
    }

    @Test("a wrong password, a refused command and an injected command line are errors")
    func failures() async throws {
        try await withDovecot { dovecot, client in
            try dovecot.deliver(Self.message, name: "1795860000.M1P1.leadgate")
            let inbox = MailServer(url: dovecot.url(), username: "leads", password: "secret")
            let refused = await #expect(throws: CurlError.self) { try await client.imapCommand("UID MOVE 1 NoSuchBox", on: inbox) }
            #expect(refused?.code == .commandFailed)

            let injected = await #expect(throws: CurlError.self) {
                try await client.imapCommand("UID SEARCH ALL\r\nA999 DELETE INBOX", on: inbox)
            }
            #expect(injected?.code == .invalidArgument)

            // Last: dovecot slows every later login from an address that just failed one.
            let wrong = MailServer(url: dovecot.url(), username: "leads", password: "wrong")
            let denied = await #expect(throws: CurlError.self) { try await client.imapCommand("UID SEARCH ALL", on: wrong) }
            #expect(denied?.code == .loginDenied)
            #expect(denied?.message.contains("wrong") == false)
        }
    }

    @Test("imaps:// and STARTTLS verify the server against the CA bundle")
    func tls() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let certificate = try await TestCertificate.make(in: folder)
        let trusting = CurlConfiguration(caBundlePath: certificate.certificatePath)
        try await withDovecot(certificate: certificate, configuration: trusting) { dovecot, client in
            try dovecot.deliver(Self.message, name: "1795860000.M1P1.leadgate")
            let implicit = MailServer(url: dovecot.url(imaps: true), username: "leads", password: "secret")
            let upgraded = MailServer(url: dovecot.url(), username: "leads", password: "secret", startTLS: true)
            #expect(try await client.imapFetch(uid: 1, on: implicit) == Self.message)
            #expect(searchUIDs(try await client.imapCommand("UID SEARCH ALL", on: upgraded)) == [1])

            let untrusting = try CurlClient()
            let error = await #expect(throws: CurlError.self) { try await untrusting.imapFetch(uid: 1, on: implicit) }
            #expect(error?.code == .untrustedCertificate)
            await untrusting.shutdown()
        }
    }
}
