import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary on a loopback port, spoken to over HTTP.
@Suite struct IntakeEndToEndTests {
    @Test func aPostedFormLeadIsStoredAndReadBack() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        defer { gateway.stop() }

        let post = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([
            ("שם", "  דנה   כהן "), ("טלפון", "054-123 4567"), ("email", "Dana@ACME.co.il"),
            ("budget", "20,000 ₪"), ("landing_url", "https://acme.co.il/lp?utm_source=google&utm_campaign=%D7%97%D7%95%D7%A8%D7%A3"),
        ]))
        #expect(post.status == 200, "\(post.text)")
        let answer = try post.json()
        #expect(answer["accepted"] as? Int == 1)
        let leads = try #require(answer["leads"] as? [[String: Any]])
        let id = try #require(leads.first?["id"] as? String)
        #expect(leads.first?["duplicate"] as? Bool == false)

        let read = try await HTTP.request("GET", gateway.baseURL + "/api/leads/\(id)", headers: HTTP.admin)
        #expect(read.status == 200)
        let lead = try read.json()
        let contact = try #require(lead["contact"] as? [String: Any])
        #expect(contact["full_name"] as? String == "דנה כהן")
        #expect(contact["phone"] as? String == "+972541234567")
        #expect(contact["email"] as? String == "Dana@acme.co.il")
        let attribution = try #require(lead["attribution"] as? [String: Any])
        #expect(attribution["utm_source"] as? String == "google")
        #expect(attribution["utm_campaign"] as? String == "חורף")
        #expect((lead["fields"] as? [String: Any])?["budget"] as? String == "20,000 ₪")

        let list = try await HTTP.request("GET", gateway.baseURL + "/api/leads?q=%D7%9B%D7%94%D7%9F", headers: HTTP.admin)
        #expect(((try list.json())["leads"] as? [[String: Any]])?.first?["id"] as? String == id)

        let cli = try await gateway.command(["leads", "show", id, "--json"])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.contains("דנה כהן"))
        let table = try await gateway.command(["leads", "list"])
        #expect(table.stdout.contains(id))
    }

    @Test func jsonAndMultipartBodiesAreAccepted() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        defer { gateway.stop() }
        let json = try await HTTP.request(
            "POST", gateway.baseURL + "/ingest/website", headers: ["Content-Type": "application/json"],
            body: Data(#"{"name": "Иван Петров", "email": "ivan@example.ru", "phone": "8 (495) 123-45-67", "company": "ООО Ромашка"}"#.utf8)
        )
        #expect(json.status == 200, "\(json.text)")
        let boundary = "----LeadGateBoundary7MA4YWxk"
        let multipart = "--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n王小明\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nwang@example.cn\r\n--\(boundary)--\r\n"
        let part = try await HTTP.request(
            "POST", gateway.baseURL + "/ingest/website", headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
            body: Data(multipart.utf8)
        )
        #expect(part.status == 200, "\(part.text)")
        let list = try await HTTP.request("GET", gateway.baseURL + "/api/leads", headers: HTTP.admin)
        let names = try #require(try list.json()["leads"] as? [[String: Any]]).compactMap { ($0["contact"] as? [String: Any])?["full_name"] as? String }
        #expect(Set(names) == ["Иван Петров", "王小明"])
    }

    @Test func badRequestsGetClearJSONErrors() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        defer { gateway.stop() }
        let url = gateway.baseURL + "/ingest/website"

        let unknown = try await HTTP.request("POST", gateway.baseURL + "/ingest/nope", headers: HTTP.formType, body: HTTP.form([("email", "a@b.co")]))
        #expect(unknown.status == 404)
        #expect((try unknown.json()["error"] as? [String: Any])?["code"] as? String == "unknown_source")

        let wrongType = try await HTTP.request("POST", url, headers: ["Content-Type": "text/csv"], body: Data("a,b".utf8))
        #expect(wrongType.status == 415)
        #expect((try wrongType.json()["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")

        let truncated = try await HTTP.request("POST", url, headers: ["Content-Type": "application/json"], body: Data(#"{"email": "a@b.co", "name": "#.utf8))
        #expect(truncated.status == 400)
        #expect((try truncated.json()["error"] as? [String: Any])?["code"] as? String == "invalid_json")

        let empty = try await HTTP.request("POST", url, headers: HTTP.formType, body: Data())
        #expect(empty.status == 400)

        let oversize = try await HTTP.request("POST", url, headers: HTTP.formType, body: HTTP.form([("message", String(repeating: "א", count: 70_000))]))
        #expect(oversize.status == 413)
        #expect((try oversize.json()["error"] as? [String: Any])?["code"] as? String == "payload_too_large")

        let noContact = try await HTTP.request("POST", url, headers: HTTP.formType, body: HTTP.form([("name", "No Way To Reach")]))
        #expect(noContact.status == 422)
        #expect((try noContact.json()["error"] as? [String: Any])?["code"] as? String == "no_contact")
        let rejected = try await HTTP.request("GET", gateway.baseURL + "/api/leads?status=rejected", headers: HTTP.admin)
        #expect((try rejected.json()["leads"] as? [[String: Any]])?.count == 1, "a submission without contact is still kept, as rejected")

        let quarantine = try await HTTP.request("GET", gateway.baseURL + "/api/quarantine", headers: HTTP.admin)
        let entries = try #require(try quarantine.json()["entries"] as? [[String: Any]])
        #expect(Set(entries.compactMap { $0["code"] as? String }).isSuperset(of: ["invalid_json", "unsupported_media_type"]))

        let noToken = try await HTTP.request("GET", gateway.baseURL + "/api/leads")
        #expect(noToken.status == 401)
        let badToken = try await HTTP.request("GET", gateway.baseURL + "/api/leads", headers: ["Authorization": "Bearer wrong-token-123"])
        #expect(badToken.status == 401)
        let badFilter = try await HTTP.request("GET", gateway.baseURL + "/api/leads?status=maybe", headers: HTTP.admin)
        #expect(badFilter.status == 400)
        let missing = try await HTTP.request("GET", gateway.baseURL + "/api/leads/ld_nothing", headers: HTTP.admin)
        #expect(missing.status == 404)
        let method = try await HTTP.request("DELETE", url)
        #expect(method.status == 405)
        let route = try await HTTP.request("GET", gateway.baseURL + "/nowhere")
        #expect(route.status == 404)
        #expect((try route.json()["error"] as? [String: Any])?["code"] as? String == "not_found")
    }

    @Test func honeypotLooksLikeSuccessButIsStoredRejected() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        defer { gateway.stop() }
        let post = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form([
            ("name", "Bot"), ("email", "bot@spam.example"), ("fax_number", "12345"),
        ]))
        #expect(post.status == 200)
        let id = try #require((try post.json()["leads"] as? [[String: Any]])?.first?["id"] as? String)
        #expect((try post.json()["leads"] as? [[String: Any]])?.first?["status"] as? String == "lead")
        let lead = try await HTTP.request("GET", gateway.baseURL + "/api/leads/\(id)", headers: HTTP.admin).json()
        #expect(lead["status"] as? String == "rejected")
        #expect(lead["reject_reason"] as? String == "honeypot")
    }

    @Test func fiftyConcurrentIdenticalPostsMakeOneLead() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        defer { gateway.stop() }
        let body = HTTP.form([("name", "Double Click"), ("email", "double@click.co.il"), ("phone", "03-6101800")])
        let ids = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let response = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: body)
                    return (response.status, (try? response.json()["leads"] as? [[String: Any]])??.first?["id"] as? String)
                }
            }
            return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        #expect(ids.allSatisfy { $0.0 == 200 })
        #expect(Set(ids.compactMap(\.1)).count == 1)
        let list = try await HTTP.request("GET", gateway.baseURL + "/api/leads", headers: HTTP.admin)
        #expect((try list.json()["leads"] as? [[String: Any]])?.count == 1)
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: website
                type: web_form
                rate_limit: { per_second: 0.01, burst: 2 }
            """)
        try await gateway.start()
        defer { gateway.stop() }
        var statuses: [Int] = []
        var retryAfter: String?
        for index in 0..<3 {
            let response = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType,
                                                   body: HTTP.form([("email", "r\(index)@x.co")]))
            statuses.append(response.status)
            retryAfter = response.header("Retry-After") ?? retryAfter
        }
        #expect(statuses == [200, 200, 429])
        #expect(Int(retryAfter ?? "") ?? 0 >= 1)
    }

    @Test func sigtermStopsGracefullyWithExitZero() async throws {
        let gateway = try GatewayProcess()
        try await gateway.start()
        #expect(gateway.stop() == 0)
    }
}
