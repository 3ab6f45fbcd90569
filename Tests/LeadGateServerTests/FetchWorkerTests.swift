import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LeadGateCore
import LeadGateCurl
import LeadGateServer
import Logging
import NIOCore
import Synchronization
import Testing

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let moment: Mutex<Date>

    init(_ start: Date) { moment = Mutex(start) }

    var now: Date { moment.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { moment.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A gateway in this process on a fresh database, its adapters reaching the platforms through real libcurl.
func makeGateway(sources: String, clock: TestClock, timeout: Duration = .seconds(5), database: String? = nil) async throws -> Gateway {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-server-\(UUID().uuidString)").path
    let yaml = """
        server: { listen: "127.0.0.1:0", default_region: IL }
        store: { sqlite: \(database ?? folder + "/leads.sqlite") }
        admin: { tokens: [ { token: test-admin-token-123456, role: write } ] }
        sources:
        \(sources)
        """
    let config = try ConfigLoader.parse(
        yaml, file: "test.yaml", environment: [:],
        http: SharedCurlClient(configuration: CurlConfiguration(connectTimeout: timeout, timeout: timeout)))
    return try await Gateway(config: config, now: { clock.now })
}

func hexHMAC(_ body: [UInt8], key: String) -> String {
    HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8))).map { String(format: "%02x", $0) }.joined()
}

let graphLead = Array(#"""
    {"id":"12345678901234567","created_time":"2026-11-20T08:49:14+0000","form_id":"4001","ad_id":"5001","campaign_name":"חורף 2026",
     "field_data":[{"name":"full_name","values":["דנה כהן"]},{"name":"email","values":["dana@acme.co.il"]},
                   {"name":"phone_number","values":["054-123-4567"]},{"name":"תקציב","values":["20000"]}]}
    """#.utf8)

/// Meta's answer when the page token lacks a permission (https://developers.facebook.com/docs/graph-api/guides/error-handling).
let permissionError = Array(#"""
    {"error":{"message":"(#200) Requires pages_manage_ads permission to manage the object","type":"OAuthException","code":200,"fbtrace_id":"AbC"}}
    """#.utf8)

@Suite("Pending platform leads are completed by the fetch worker, through libcurl", .timeLimit(.minutes(1)))
struct FetchWorkerTests {
    static let start = Date(timeIntervalSince1970: 1_795_860_000) // 2026-11-28T08:00:00Z
    static let appSecret = "meta-app-secret"

    static func metaSource(_ graph: TestHTTPServer) -> String {
        """
          - name: facebook-il
            type: meta_lead_ads
            verify_token: verify-me
            app_secret: \(appSecret)
            page_access_token: page-token
            graph_url: \(graph.url("/v25.0"))
        """
    }

    /// Posts a signed leadgen notification for `leadgenID` and returns the pending lead's id.
    static func notify(_ gateway: Gateway, leadgenID: String) async throws -> String {
        let body = Array(#"{"object":"page","entry":[{"id":"77","time":1795860000,"changes":[{"field":"leadgen","value":{"leadgen_id":\#(leadgenID),"page_id":77,"form_id":4001,"created_time":1795860000}}]}]}"#.utf8)
        let app = Application(router: gateway.router())
        return try await app.test(.router) { client in
            try await client.execute(
                uri: "/ingest/facebook-il", method: .post,
                headers: [.contentType: "application/json", HTTPField.Name("X-Hub-Signature-256")!: "sha256=" + hexHMAC(body, key: appSecret)],
                body: ByteBuffer(bytes: body)
            ) { response in
                #expect(response.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let leads = json?["leads"] as? [[String: Any]]
                #expect(leads?.first?["status"] as? String == "pending_fetch")
                return leads?.first?["id"] as? String ?? ""
            }
        }
    }

    static func worker(_ gateway: Gateway) -> FetchWorker {
        FetchWorker(pipeline: gateway.pipeline, sources: gateway.config.sources, health: gateway.health, logger: Logger(label: "test"))
    }

    static func metrics(_ gateway: Gateway) async throws -> String {
        try await Application(router: gateway.router()).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
        }
    }

    @Test("a notification is stored pending, then the Graph answer completes it under the same id")
    func completesAPendingLead() async throws {
        let graph = try await TestHTTPServer.start { _ in .respond(status: 200, headers: [("Content-Type", "application/json")], body: graphLead) }
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: Self.metaSource(graph), clock: clock)
        let id = try await Self.notify(gateway, leadgenID: "12345678901234567")
        #expect(try await gateway.store.lead(id: id)?.fetch?.state == .waiting)

        #expect(try await Self.worker(gateway).runOnce() == 1)
        let lead = try #require(try await gateway.store.lead(id: id))
        #expect(lead.status == .lead)
        #expect(lead.contact.fullName == "דנה כהן")
        #expect(lead.contact.phone == "+972541234567")
        #expect(lead.fields["תקציב"] == "20000")
        #expect(lead.fetch == nil)
        #expect(lead.touches.map(\.externalID) == ["12345678901234567"])
        // The id went to Graph digit for digit, with the token and its appsecret_proof.
        let request = try #require(graph.requests.first)
        #expect(request.uri.hasPrefix("/v25.0/12345678901234567?fields="))
        #expect(request.uri.contains("access_token=page-token"))
        #expect(request.uri.contains("appsecret_proof=" + hexHMAC(Array("page-token".utf8), key: Self.appSecret)))
        #expect(try await Self.metrics(gateway).contains(#"leadgate_fetch_attempts_total{source="facebook-il",result="completed"} 1"#))
        // Nothing left to do.
        #expect(try await Self.worker(gateway).runOnce() == 0)
        await graph.stop()
        await gateway.config.http.shutdown()
    }

    @Test("a permission error keeps the lead pending, visible, and retried slowly")
    func permissionErrorNeedsConfiguration() async throws {
        let graph = try await TestHTTPServer.start { _ in .respond(status: 400, headers: [("Content-Type", "application/json")], body: permissionError) }
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: Self.metaSource(graph), clock: clock)
        let id = try await Self.notify(gateway, leadgenID: "42")

        #expect(try await Self.worker(gateway).runOnce() == 1)
        let lead = try #require(try await gateway.store.lead(id: id))
        #expect(lead.status == .pendingFetch)
        let fetch = try #require(lead.fetch)
        #expect(fetch.state == .needsConfiguration)
        #expect(fetch.attempts == 1)
        #expect(fetch.lastStatus == 400)
        #expect(fetch.lastError?.contains("pages_manage_ads") == true)
        #expect(fetch.nextAttemptAt == Self.start.addingTimeInterval(600))
        #expect(try await Self.worker(gateway).runOnce() == 0)
        clock.advance(600)
        #expect(try await Self.worker(gateway).runOnce() == 1)
        #expect(try await gateway.store.lead(id: id)?.fetch?.attempts == 2)
        let metrics = try await Self.metrics(gateway)
        #expect(metrics.contains(#"leadgate_fetch_attempts_total{source="facebook-il",result="needs_configuration"} 2"#))
        #expect(metrics.contains(#"leadgate_fetch_pending{source="facebook-il",state="needs_configuration"} 1"#))
        await graph.stop()
        await gateway.config.http.shutdown()
    }

    @Test("throttling backs off, doubling, and the lead completes when Graph answers again")
    func throttlingBacksOff() async throws {
        let answered = Mutex(0)
        let graph = try await TestHTTPServer.start { _ in
            let count = answered.withLock { count in
                count += 1
                return count
            }
            if count <= 2 {
                return .respond(status: 429, body: Array(#"{"error":{"message":"(#4) Application request limit reached","code":4,"type":"OAuthException"}}"#.utf8))
            }
            return .respond(status: 200, body: graphLead)
        }
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: Self.metaSource(graph), clock: clock)
        let id = try await Self.notify(gateway, leadgenID: "12345678901234567")
        let worker = Self.worker(gateway)

        #expect(try await worker.runOnce() == 1)
        #expect(try await gateway.store.lead(id: id)?.fetch?.nextAttemptAt == Self.start.addingTimeInterval(30))
        clock.advance(29)
        #expect(try await worker.runOnce() == 0)
        clock.advance(1)
        #expect(try await worker.runOnce() == 1)
        #expect(try await gateway.store.lead(id: id)?.fetch == FetchStatus(
            state: .waiting, attempts: 2, nextAttemptAt: Self.start.addingTimeInterval(30 + 60), lastStatus: 429,
            lastError: "Graph API 429 (code 4): (#4) Application request limit reached"))
        clock.advance(60)
        #expect(try await worker.runOnce() == 1)
        #expect(try await gateway.store.lead(id: id)?.status == .lead)
        await graph.stop()
        await gateway.config.http.shutdown()
    }

    @Test("a Graph that never answers, or hangs up, is retried later", arguments: [TestReply.hang, .close])
    func noAnswerIsRetried(reply: TestReply) async throws {
        let graph = try await TestHTTPServer.start { _ in reply }
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: Self.metaSource(graph), clock: clock, timeout: .milliseconds(500))
        let id = try await Self.notify(gateway, leadgenID: "9")
        #expect(try await Self.worker(gateway).runOnce() == 1)
        let fetch = try #require(try await gateway.store.lead(id: id)?.fetch)
        #expect(fetch.state == .waiting)
        #expect(fetch.lastStatus == 0)
        #expect(fetch.lastError?.hasPrefix("no answer") == true)
        #expect(try await Self.metrics(gateway).contains(#"leadgate_fetch_attempts_total{source="facebook-il",result="retry"} 1"#))
        await graph.stop()
        await gateway.config.http.shutdown()
    }

    @Test("LinkedIn: CREATED is fetched from the REST API; DELETED marks the lead deleted at the source")
    func linkedInCreatedThenDeleted() async throws {
        let answer = Array(#"""
            {"submittedAt":1795860000000,"testLead":false,"formResponse":{"answers":[
              {"questionId":1,"answerDetails":{"textQuestionAnswer":{"answer":"avi@acme.co.il"}}},
              {"questionId":2,"answerDetails":{"textQuestionAnswer":{"answer":"אבי לוי"}}}]},
             "form":{"content":{"questions":[{"questionId":1,"predefinedField":"EMAIL"},{"questionId":2,"predefinedField":"FIRST_NAME"}]}}}
            """#.utf8)
        let api = try await TestHTTPServer.start { _ in .respond(status: 200, body: answer) }
        let clock = TestClock(Self.start)
        let gateway = try await makeGateway(sources: """
              - name: linkedin
                type: linkedin_leads
                client_secret: li-secret
                access_token: li-token
                api_version: "202601"
                api_url: \(api.url("/rest"))
            """, clock: clock)
        let app = Application(router: gateway.router())
        func post(_ action: String, occurredAt: Int) async throws -> [String: Any] {
            let body = Array(#"{"type":"LEAD_ACTION","leadGenFormResponse":"urn:li:leadGenFormResponse:(urn:li:sponsoredAccount:5,77)","owner":{"sponsoredAccount":"urn:li:sponsoredAccount:5"},"leadAction":"\#(action)","occurredAt":\#(occurredAt)}"#.utf8)
            let answer = try await app.test(.router) { client in
                try await client.execute(
                    uri: "/ingest/linkedin", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-LI-Signature")!: hexHMAC(Array("hmacsha256=".utf8) + body, key: "li-secret")],
                    body: ByteBuffer(bytes: body)
                ) { response in
                    #expect(response.status == .ok)
                    return Data(buffer: response.body)
                }
            }
            return try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        }
        let created = try await post("CREATED", occurredAt: 1_795_860_000_000)
        let id = try #require((created["leads"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await Self.worker(gateway).runOnce() == 1)
        let lead = try #require(try await gateway.store.lead(id: id))
        #expect(lead.contact.email == "avi@acme.co.il")
        #expect(lead.deletedAtSource == nil)
        #expect(api.requests.first?.header("Authorization") == "Bearer li-token")

        // The lead is deleted as of the notice's occurredAt, an hour later.
        _ = try await post("DELETED", occurredAt: 1_795_863_600_000)
        let deleted = try #require(try await gateway.store.lead(id: id))
        #expect(deleted.deletedAtSource == Self.start.addingTimeInterval(3600))
        #expect(try await gateway.store.history(leadID: id).contains { $0.field == "deleted_at_source" })
        await api.stop()
        await gateway.config.http.shutdown()
    }
}
