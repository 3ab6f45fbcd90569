import Foundation
import LeadGateCurl
import Testing

@Suite("SMTP against a real server (aiosmtpd) on 127.0.0.1", .timeLimit(.minutes(1)))
struct SMTPTests {
    @Test("a Hebrew mail with an injection attempt arrives intact: decoded headers, no Bcc, every recipient")
    func hebrewMail() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let client = try CurlClient()
        let attack = "x\r\nBcc: all@evil.example"
        let avi = try #require(MailAddress("avi@acme.co.il"))
        let lead = try #require(MailAddress("lead@example.com", name: attack))
        let body = "ליד חדש מהאתר.\nשם: דנה כהן\nטלפון: +972541234567\n\n. a line that starts with a dot\n"
        let mail = MailMessage(
            from: try #require(leadgate), to: [try #require(dana), avi],
            replyTo: lead,
            subject: "ליד חדש: \(attack)", body: body, date: saturday, messageID: "dlv_7@acme.co.il")

        try await client.sendMail(SMTPMessage(mail), via: MailServer(url: sink.url))
        await client.shutdown()

        let received = try sink.messages()
        try #require(received.count == 1)
        let message = received[0]
        #expect(message.mail_from == "leads@acme.co.il")
        #expect(message.rcpt_tos == ["dana@acme.co.il", "avi@acme.co.il"])
        #expect(message.headerNames == MailMessageTests.expectedFields)
        #expect(message.header("Bcc") == nil)
        #expect(message.header("Subject") == "ליד חדש: x  Bcc: all@evil.example")
        #expect(message.header("To") == "דנה כהן <dana@acme.co.il>, avi@acme.co.il")
        #expect(message.header("Reply-To") == #""x  Bcc: all@evil.example" <lead@example.com>"#)
        #expect(message.header("Message-ID") == "<dlv_7@acme.co.il>")
        #expect(message.body.replacingOccurrences(of: "\r\n", with: "\n") == body)
        for line in message.raw.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
    }

    @Test("STARTTLS and AUTH with a CA bundle that trusts the server")
    func startTLSAndAuth() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let certificate = try await TestCertificate.make(in: folder)
        let sink = try await SMTPSink.start(certificate: certificate)
        defer { sink.stop() }
        let client = try CurlClient(configuration: CurlConfiguration(caBundlePath: certificate.certificatePath))

        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "TLS", body: "over TLS", date: saturday)
        try await client.sendMail(SMTPMessage(mail), via: MailServer(url: sink.url, username: "leads", password: "secret", startTLS: true))
        await client.shutdown()

        let received = try sink.messages()
        try #require(received.count == 1)
        #expect(received[0].tls)
        #expect(received[0].login == "leads")
        #expect(received[0].header("Subject") == "TLS")
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var trustServer: Bool
        var password: String
        var code: CurlError.Code
        var testDescription: String
    }

    @Test("TLS verification is on, and a wrong password is refused", arguments: [
        Failure(trustServer: false, password: "secret", code: .untrustedCertificate, testDescription: "certificate not in the CA bundle"),
        Failure(trustServer: true, password: "wrong", code: .loginDenied, testDescription: "wrong password"),
    ])
    func failures(_ row: Failure) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let certificate = try await TestCertificate.make(in: folder)
        let sink = try await SMTPSink.start(certificate: certificate)
        defer { sink.stop() }
        let configuration = CurlConfiguration(caBundlePath: row.trustServer ? certificate.certificatePath : nil)
        let client = try CurlClient(configuration: configuration)

        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "x", body: "x", date: saturday)
        let server = MailServer(url: sink.url, username: "leads", password: row.password, startTLS: true)
        let error = await #expect(throws: CurlError.self) { try await client.sendMail(SMTPMessage(mail), via: server) }
        #expect(error?.code == row.code)
        #expect(error?.message.contains("127.0.0.1:\(sink.port)") == true)
        #expect(error?.message.contains(row.password) == false)
        await client.shutdown()
        #expect(try sink.messages().isEmpty)
    }

    @Test("a refused recipient fails the whole mail, with the server's reply code", arguments: [
        ("dana@refused.example", 550), ("dana@later.example", 451),
    ])
    func refusedRecipient(address: String, reply: Int) async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let client = try CurlClient()
        let recipient = try #require(MailAddress(address))
        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana), recipient], subject: "x", body: "x", date: saturday)
        let error = await #expect(throws: CurlError.self) { try await client.sendMail(SMTPMessage(mail), via: MailServer(url: sink.url)) }
        #expect(error?.code == .sendFailed)
        #expect(error?.responseCode == reply)
        #expect(error?.message.contains("RCPT") == true)
        await client.shutdown()
        #expect(try sink.messages().isEmpty)
    }

    @Test("STARTTLS asked of a server without it fails instead of sending in the clear")
    func startTLSRequired() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        let client = try CurlClient()
        let mail = MailMessage(from: try #require(leadgate), to: [try #require(dana)], subject: "x", body: "x", date: saturday)
        let error = await #expect(throws: CurlError.self) {
            try await client.sendMail(SMTPMessage(mail), via: MailServer(url: sink.url, startTLS: true))
        }
        #expect(error?.code == .startTLSFailed)
        await client.shutdown()
        #expect(try sink.messages().isEmpty)
    }

    @Test("a message without recipients or to a non-SMTP URL is refused before connecting", arguments: [
        ("smtp://127.0.0.1:1", 0, CurlError.Code.invalidArgument),
        ("http://127.0.0.1:1", 1, .unsupportedProtocol),
    ])
    func refusedUpFront(url: String, recipients: Int, code: CurlError.Code) async throws {
        let client = try CurlClient()
        let from = try #require(leadgate)
        let message = SMTPMessage(from: from, recipients: Array(repeating: from, count: recipients), data: Array("x\r\n".utf8))
        let error = await #expect(throws: CurlError.self) { try await client.sendMail(message, via: MailServer(url: url)) }
        #expect(error?.code == code)
        await client.shutdown()
    }
}
