import Crypto
import Foundation
import Testing

/// A helper process of the tests (the webhook receiver, the SMTP sink), started on a free loopback port.
final class HelperProcess: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    let process = Process()
    let port: Int
    let directory: URL

    static var supportDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support")
    }

    /// Runs `python3 script PORT arguments...` and returns once it printed its first line (it is listening).
    init(script: URL, arguments: [String], port: Int? = nil) throws {
        self.port = try port ?? GatewayProcess.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-helper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(self.port)] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = output.fileHandleForReading.availableData // the first line: listening
    }

    deinit {
        // SIGKILL: children of the test runner inherit a mask that blocks SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Records what a webhook receiver got.
final class WebhookReceiver {
    let helper: HelperProcess
    let log: URL

    /// A receiver on `port`, or on a free one.
    init(port: Int? = nil) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        log = directory.appendingPathComponent("requests.jsonl")
        helper = try HelperProcess(
            script: HelperProcess.supportDirectory.appendingPathComponent("webhook_receiver.py"), arguments: [log.path], port: port
        )
    }

    var url: String { "http://127.0.0.1:\(helper.port)" }

    var requests: [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Waits for something the gateway does on its own (a delivery), looking every 50 ms, at most 10 s.
func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<200 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}

@Suite struct NotificationEndToEndTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    static func config(url: String, events: String = "[lead]", schedule: String = "[0s, 0s, 0s, 0s]") -> String {
        """
        notifications:
          - name: crm
            on: \(events)
            webhook: { url: "\(url)", secret: "\(secret)", headers: { X-Api-Key: e2e-key } }
        delivery: { schedule: \(schedule) }
        """
    }

    static func deliveries(_ gateway: GatewayProcess, status: String? = nil) async throws -> [[String: Any]] {
        let query = status.map { "?status=\($0)" } ?? ""
        return try await HTTP.request("GET", gateway.baseURL + "/api/deliveries\(query)", headers: HTTP.admin).json()["deliveries"] as? [[String: Any]] ?? []
    }

    static func expectSigned(_ request: [String: Any]) throws {
        let headers = try #require(request["headers"] as? [String: String])
        let id = try #require(headers["webhook-id"])
        let timestamp = try #require(headers["webhook-timestamp"])
        let body = try #require(request["body"] as? String)
        let key = SymmetricKey(data: try #require(Data(base64Encoded: String(secret.dropFirst(6)))))
        let expected = Data(HMAC<SHA256>.authenticationCode(for: Data("\(id).\(timestamp).\(body)".utf8), using: key)).base64EncodedString()
        #expect(headers["webhook-signature"] == "v1,\(expected)")
        #expect(headers["x-api-key"] == "e2e-key")
    }

    @Test func aLeadIsDeliveredSignedToTheWebhook() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: Self.config(url: receiver.url + "/ok"))
        try await gateway.start()
        defer { gateway.stop() }
        let post = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType,
                                          body: HTTP.form([("שם", "דנה כהן"), ("email", "dana@acme.co.il")]))
        #expect(post.status == 200)
        #expect(try await eventually { try await Self.deliveries(gateway, status: "delivered").count == 1 })
        let request = try #require(receiver.requests.first)
        try Self.expectSigned(request)
        let delivery = try #require(try await Self.deliveries(gateway).first)
        #expect((request["headers"] as? [String: String])?["webhook-id"] == delivery["id"] as? String)
        let body = try #require(try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any])
        #expect(body["type"] as? String == "lead.lead")
        #expect(((body["data"] as? [String: Any])?["contact"] as? [String: Any])?["full_name"] as? String == "דנה כהן")
        let metrics = try await HTTP.request("GET", gateway.baseURL + "/metrics")
        #expect(metrics.text.contains(#"leadgate_deliveries_total{channel="crm",outcome="delivered"} 1"#))
    }

    @Test func aFailingReceiverIsRetriedWithTheSameIdAndBody() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: Self.config(url: receiver.url + "/flaky"))
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "a@acme.co.il")]))
        #expect(try await eventually { try await Self.deliveries(gateway, status: "delivered").count == 1 })
        let requests = receiver.requests
        #expect(requests.count == 3, "two 503s, then 200")
        #expect(Set(requests.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }).count == 1)
        #expect(Set(requests.compactMap { $0["body"] as? String }).count == 1)
        for request in requests { try Self.expectSigned(request) }
        let id = try #require(try await Self.deliveries(gateway).first?["id"] as? String)
        let attempts = try await HTTP.request("GET", gateway.baseURL + "/api/deliveries/\(id)", headers: HTTP.admin).json()["attempts"] as? [[String: Any]]
        #expect(attempts?.map { $0["status"] as? Int } == [503, 503, 200])
    }

    @Test func goneTurnsTheChannelOffAndAManualRetryTurnsItBackOn() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: Self.config(url: receiver.url + "/gone"))
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "b@acme.co.il")]))
        #expect(try await eventually { try await Self.deliveries(gateway, status: "dead").count == 1 })
        #expect(receiver.requests.count == 1, "410 is final")
        let listing = try await HTTP.request("GET", gateway.baseURL + "/api/deliveries", headers: HTTP.admin).json()
        #expect((listing["disabled_channels"] as? [String: String])?["crm"] != nil)
        let id = try #require(try await Self.deliveries(gateway).first?["id"] as? String)
        let retry = try await HTTP.request("POST", gateway.baseURL + "/api/deliveries/\(id)/retry", headers: HTTP.admin)
        #expect(retry.status == 200)
        #expect(try await eventually { receiver.requests.count == 2 })
        let cli = try await gateway.command(["deliveries", "list"])
        #expect(cli.stdout.contains(id))
    }

    @Test func aReceiverThatAsksForAnHourPausesTheChannelVisiblyUntilAManualRetry() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: Self.config(url: receiver.url + "/busy", schedule: "[0s, 2h]"))
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "c@acme.co.il")]))
        #expect(try await eventually { try await Self.deliveries(gateway, status: "failed").count == 1 })
        let listing = try await HTTP.request("GET", gateway.baseURL + "/api/deliveries", headers: HTTP.admin).json()
        let pause = try #require((listing["paused_channels"] as? [String: [String: Any]])?["crm"])
        let until = try #require((pause["until"] as? String).flatMap { try? Date($0, strategy: .iso8601) })
        #expect(until > Date().addingTimeInterval(3000), "Retry-After: 3600 pauses the channel for an hour")
        #expect((pause["reason"] as? String)?.contains("429") == true)
        let cli = try await gateway.command(["deliveries", "list"])
        #expect(cli.stdout.contains("channel crm is paused until"))
        // A manual retry ends the pause: the delivery goes at once, and the channel is no longer listed as paused.
        let id = try #require(try await Self.deliveries(gateway).first?["id"] as? String)
        #expect(try await HTTP.request("POST", gateway.baseURL + "/api/deliveries/\(id)/retry", headers: HTTP.admin).status == 200)
        #expect(try await eventually { try await Self.deliveries(gateway, status: "delivered").count == 1 })
        let after = try await HTTP.request("GET", gateway.baseURL + "/api/deliveries", headers: HTTP.admin).json()
        #expect((after["paused_channels"] as? [String: Any])?.isEmpty == true)
        #expect(receiver.requests.count == 2)
    }

    @Test func aDeliveryInFlightWhenTheGatewayIsKilledIsDeliveredAfterTheRestart() async throws {
        let receiver = try WebhookReceiver()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-outbox-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try GatewayProcess(extra: Self.config(url: receiver.url + "/hang"), directory: directory)
        try await first.start()
        _ = try await HTTP.request("POST", first.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "c@acme.co.il")]))
        #expect(try await eventually { receiver.requests.count == 1 }, "the receiver holds the first attempt")
        first.kill9()

        let second = try GatewayProcess(extra: Self.config(url: receiver.url + "/ok"), directory: directory)
        try await second.start()
        defer { second.stop() }
        #expect(try await eventually { try await Self.deliveries(second, status: "delivered").count == 1 })
        let ids = receiver.requests.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }
        #expect(ids.count == 2)
        #expect(Set(ids).count == 1, "the same webhook-id: the receiver can tell it is a re-delivery")
    }

    @Test func aReceiverThatHangsPastTheTimeoutIsRetriedThenDead() async throws {
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: """
            notifications:
              - name: crm
                on: [lead]
                timeout: 300ms
                webhook: { url: "\(receiver.url)/hang" }
            delivery: { schedule: [0s, 0s] }
            """)
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "t@acme.co.il")]))
        #expect(try await eventually { try await Self.deliveries(gateway, status: "dead").count == 1 })
        let id = try #require(try await Self.deliveries(gateway).first?["id"] as? String)
        let attempts = try await HTTP.request("GET", gateway.baseURL + "/api/deliveries/\(id)", headers: HTTP.admin).json()["attempts"] as? [[String: Any]]
        #expect(attempts?.count == 2)
        #expect(attempts?.allSatisfy { ($0["error"] as? String)?.contains("timed out") == true } == true, "\(attempts ?? [])")
    }

    @Test func aReceiverThatIsDownIsRetriedUntilItComesBack() async throws {
        let port = try GatewayProcess.freePort()
        let gateway = try GatewayProcess(extra: Self.config(url: "http://127.0.0.1:\(port)/ok", schedule: "[0s, 0s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]"))
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([("email", "d@acme.co.il")]))
        #expect(try await eventually { (try await Self.deliveries(gateway).first?["attempts"] as? Int ?? 0) >= 2 }, "refused attempts are recorded")
        let failed = try await Self.deliveries(gateway, status: "failed")
        #expect((failed.first?["last_error"] as? String)?.contains("refused") == true, "\(failed)")
        let receiver = try WebhookReceiver(port: port)
        #expect(try await eventually { try await Self.deliveries(gateway, status: "delivered").count == 1 })
        #expect(receiver.requests.count == 1)
    }

    @Test func badNotificationConfigIsReportedWithLineAndColumn() async throws {
        let gateway = try GatewayProcess(extra: """
            notifications:
              - name: crm
                on: [lead, teleport]
                webhook: { url: "ftp://example.com/x", secret: "short" }
              - name: both
                on: [lead]
                slack: { url: "https://hooks.example.com/x" }
                email: { smtp: "smtp://127.0.0.1:25", from: a@b.co, to: x@y.co }
            """)
        let result = try await gateway.command(["check-config"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown event 'teleport'"))
        #expect(result.stderr.contains("must be a http or https URL"))
        #expect(result.stderr.contains("whsec_"))
        #expect(result.stderr.contains("needs exactly one of webhook, slack or email"))
    }
}

/// The SMTP sink of LeadGateCurl's tests (aiosmtpd): each accepted message becomes a JSON file in a folder.
final class SMTPSink: @unchecked Sendable {
    // @unchecked: owned by one test, used one call at a time.
    let process = Process()
    let folder: URL
    let port: Int

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LeadGateCurlTests/Support/smtp_sink.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw GatewayProcessError.noPort }
        self.port = port
    }

    var messages: [[String: Any]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

@Suite struct MailAndSlackEndToEndTests {
    @Test func anOpportunityIsMailedToItsOwnerWithoutHeaderInjection() async throws {
        let sink = try SMTPSink()
        let receiver = try WebhookReceiver()
        let gateway = try GatewayProcess(extra: LifecycleEndToEndTests.products() + """

            notifications:
              - name: rep-email
                on: [opportunity]
                email:
                  smtp: "smtp://127.0.0.1:\(sink.port)"
                  from: leads@acme.co.il
                  to: "{{owner}}"
                  subject: "הזדמנות: {{contact.full_name}} {{fields.note}}"
              - name: sales-slack
                on: [opportunity]
                slack: { url: "\(receiver.url)/ok", lead_url: "https://leads.acme.co.il/" }
            delivery: { schedule: [0s, 0s, 0s] }
            """)
        try await gateway.start()
        defer { gateway.stop() }
        let post = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([
            ("name", "דנה כהן"), ("email", "dana@globex.co.il"), ("phone", "054-7654321"), ("budget", "30000"),
            ("note", "x\r\nBcc: all@evil.example"),
        ]))
        #expect(post.status == 200)
        #expect(try await eventually { sink.messages.count == 1 && receiver.requests.count == 1 })
        let mail = try #require(sink.messages.first)
        #expect(mail["rcpt_tos"] as? [String] == ["dana@acme.co.il"], "round robin gave the first rep")
        let headers = try #require(mail["headers"] as? [[String]])
        #expect(!headers.contains { $0.first?.lowercased() == "bcc" }, "a lead's text never adds a header")
        let subject = (headers.first { $0.first == "Subject" }?.last ?? "").trimmingCharacters(in: .whitespaces)
        #expect(subject.hasPrefix("הזדמנות: דנה כהן x"), "\(subject)")
        #expect((mail["body"] as? String)?.contains("dana@globex.co.il") == true)

        let slack = try #require(receiver.requests.first)
        let text = try #require((try JSONSerialization.jsonObject(with: Data((slack["body"] as? String ?? "").utf8)) as? [String: String])?["text"])
        #expect(text.contains("New opportunity"))
        #expect(text.contains("דנה כהן"))
        #expect(text.contains("https://leads.acme.co.il/leads/"))
    }
}
