import Foundation
import Testing

/// Products, criteria and the opportunity lifecycle through the real binary.
@Suite struct LifecycleEndToEndTests {
    static func products(threshold: Int = 50, version: Int = 1) -> String {
        """
        products:
          - name: crm
            deal: { amount: 15000, amount_field: fields.budget, currency: ILS, cycle_days: 30 }
            stages: { new: 0.1, contacted: 0.2, proposal: 0.5, negotiation: 0.8 }
            criteria:
              version: \(version)
              threshold: \(threshold)
              rules:
                - { name: spam-domain, when: { field: email_domain, in: [mailinator.com] }, reject: true }
                - { name: business-email, when: { field: email_free, equals: false }, points: 30 }
                - { name: has-phone, when: { field: phone, present: true }, points: 20 }
                - { name: budget, when: { field: fields.budget, gte: 10000 }, points: 30 }
            assign: { strategy: round_robin, owners: [dana@acme.co.il, avi@acme.co.il] }
        """
    }

    static let readToken = "e2e-read-only-token-000"

    static func gateway(directory: URL? = nil, threshold: Int = 50, version: Int = 1) throws -> GatewayProcess {
        try GatewayProcess(extra: products(threshold: threshold, version: version), directory: directory)
    }

    @discardableResult
    static func post(_ gateway: GatewayProcess, _ pairs: [(String, String)]) async throws -> String {
        let response = try await HTTP.request("POST", gateway.baseURL + "/ingest/website", headers: HTTP.formType, body: HTTP.form(pairs))
        guard response.status == 200, let id = (try response.json()["leads"] as? [[String: Any]])?.first?["id"] as? String else {
            throw GatewayProcessError.exited(status: Int32(response.status), stderr: response.text)
        }
        return id
    }

    static func patch(_ gateway: GatewayProcess, _ id: String, _ json: String, token: String = GatewayProcess.adminToken) async throws -> HTTPResult {
        try await HTTP.request(
            "PATCH", gateway.baseURL + "/api/leads/\(id)",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: Data(json.utf8)
        )
    }

    static func lead(_ gateway: GatewayProcess, _ id: String) async throws -> [String: Any] {
        try await HTTP.request("GET", gateway.baseURL + "/api/leads/\(id)", headers: HTTP.admin).json()
    }

    @Test func anOpportunityIsQualifiedAssignedMovedAndWon() async throws {
        let gateway = try Self.gateway()
        try await gateway.start()
        defer { gateway.stop() }

        let id = try await Self.post(gateway, [("name", "דנה כהן"), ("email", "dana@acme.co.il"), ("phone", "054-1234567"), ("budget", "₪20,000")])
        var lead = try await Self.lead(gateway, id)
        #expect(lead["status"] as? String == "opportunity")
        #expect(lead["owner"] as? String == "dana@acme.co.il")
        let qualification = try #require(lead["qualification"] as? [String: Any])
        #expect(qualification["criteria"] as? String == "crm@1")
        #expect(qualification["score"] as? Int == 80)
        let reasons = try #require(qualification["reasons"] as? [[String: Any]])
        #expect(reasons.map { $0["rule"] as? String } == ["spam-domain", "business-email", "has-phone", "budget"])
        #expect(reasons.last?["value"] as? String == "₪20,000")
        var opportunity = try #require(lead["opportunity"] as? [String: Any])
        #expect(opportunity["stage"] as? String == "new")
        #expect(opportunity["amount"] as? Double == 20000)
        #expect(opportunity["currency"] as? String == "ILS")

        let second = try await Self.post(gateway, [("email", "avi@globex.co.il"), ("phone", "03-6101800")])
        #expect(try await Self.lead(gateway, second)["owner"] as? String == "avi@acme.co.il", "round robin deals the next rep")

        // History is ordered by when things happened (`at`), so each change says when.
        let created = try #require(lead["created_at"] as? String)
        let createdAt = try Date(created, strategy: .iso8601)
        let movedAt = createdAt.addingTimeInterval(1).formatted(.iso8601)
        let moved = try await Self.patch(gateway, id, #"{"stage": "proposal", "amount": 25000, "at": "\#(movedAt)"}"#)
        #expect(moved.status == 200, "\(moved.text)")
        let wonAt = createdAt.addingTimeInterval(2).formatted(.iso8601)
        let won = try await Self.patch(gateway, id, #"{"stage": "won", "at": "\#(wonAt)"}"#)
        #expect(won.status == 200, "\(won.text)")
        lead = try won.json()
        opportunity = try #require(lead["opportunity"] as? [String: Any])
        #expect(opportunity["stage"] as? String == "won")
        #expect(opportunity["probability"] as? Double == 1)
        #expect(opportunity["closed_at"] as? String == wonAt, "an outcome synced late lands on its true date")
        #expect(opportunity["amount"] as? Double == 25000)

        let history = try await HTTP.request("GET", gateway.baseURL + "/api/leads/\(id)/history", headers: HTTP.admin).json()
        let rows = try #require(history["history"] as? [[String: Any]])
        let stages = rows.filter { $0["field"] as? String == "stage" }.map { [$0["from"] as? String ?? "-", $0["to"] as? String ?? "-"] }
        #expect(stages == [["-", "new"], ["new", "proposal"], ["proposal", "won"]])
        #expect(rows.contains { $0["field"] as? String == "amount" && $0["from"] as? String == "20000" && $0["to"] as? String == "25000" })
        #expect(rows.contains { $0["actor"] as? String == "e2e-admin" })
    }

    @Test func aLeadIsPromotedByHandAndBadChangesAreRefused() async throws {
        let gateway = try GatewayProcess(
            extra: Self.products(), tokens: [("e2e-admin", GatewayProcess.adminToken, "write"), ("viewer", Self.readToken, "read")]
        )
        try await gateway.start()
        defer { gateway.stop() }
        let id = try await Self.post(gateway, [("email", "someone@gmail.com")])
        #expect(try await Self.lead(gateway, id)["status"] as? String == "lead")

        let notYet = try await Self.patch(gateway, id, #"{"stage": "proposal"}"#)
        #expect(notYet.status == 409)
        #expect((try notYet.json()["error"] as? [String: Any])?["code"] as? String == "not_an_opportunity")

        let readOnly = try await Self.patch(gateway, id, #"{"status": "opportunity"}"#, token: Self.readToken)
        #expect(readOnly.status == 403)

        let promoted = try await Self.patch(gateway, id, #"{"status": "opportunity", "owner": "noa@acme.co.il"}"#)
        #expect(promoted.status == 200, "\(promoted.text)")
        let lead = try promoted.json()
        #expect(lead["status"] as? String == "opportunity")
        #expect(lead["owner"] as? String == "noa@acme.co.il")
        #expect((lead["opportunity"] as? [String: Any])?["manual"] as? Bool == true)
        #expect((lead["opportunity"] as? [String: Any])?["amount"] as? Double == 15000, "the product's default deal")

        for (body, status, code) in [
            (#"{"stage": "maybe"}"#, 422, "invalid_field"),
            (#"{"amount": "lots"}"#, 422, "invalid_field"),
            (#"{"amount": -5}"#, 422, "invalid_field"),
            (#"{"currency": "shekel"}"#, 422, "invalid_field"),
            (#"{"expected_close": "2027-02-30"}"#, 422, "invalid_field"),
            (#"{"at": "yesterday"}"#, 422, "invalid_field"),
            (#"{"at": "2000-01-01T00:00:00Z", "stage": "won"}"#, 422, "invalid_field"),
            (#"{"status": "lead"}"#, 422, "invalid_field"),
            (#"{"colour": "blue"}"#, 400, "unknown_field"),
            (#"{"stage": "won""#, 400, "invalid_json"),
            ("[]", 400, "invalid_json"),
        ] {
            let response = try await Self.patch(gateway, id, body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect((try? response.json()["error"] as? [String: Any])?["code"] as? String == code, "\(body)")
        }
        #expect((try await Self.lead(gateway, id)["opportunity"] as? [String: Any])?["stage"] as? String == "new", "refused changes change nothing")
        let missing = try await Self.patch(gateway, "ld_nothing", #"{"stage": "won"}"#)
        #expect(missing.status == 404)
    }

    @Test func criteriaChangedWithoutAVersionBumpStopTheStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-criteria-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.gateway(directory: directory)
        try await first.start()
        #expect(first.stop() == 0)

        let edited = try Self.gateway(directory: directory, threshold: 60)
        let refused = try await edited.command(["serve"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("product 'crm' changed but still say version 1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("raise criteria.version"))

        let bumped = try Self.gateway(directory: directory, threshold: 60, version: 2)
        try await bumped.start()
        #expect(bumped.stop() == 0)
    }

    @Test func qualifyExplainsEveryRule() async throws {
        let gateway = try Self.gateway()
        let file = gateway.directory.appendingPathComponent("lead.json")
        try #"{"name": "Avi", "email": "avi@gmail.com", "phone": "+972 54 123 4567", "budget": "$20k"}"#.write(to: file, atomically: true, encoding: .utf8)
        let result = try await gateway.command(["qualify", "--product", "crm", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("crm@1: score 50 of 50 → opportunity"), "\(result.stdout)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("business-email") && $0.contains(" no ") })
        #expect(lines.contains { $0.hasPrefix("budget") && $0.contains("$20k") && $0.contains(" 30 ") })
        let unknown = try await gateway.command(["qualify", "--product", "nope", file.path])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no product named 'nope'"))
    }

    /// The backtest on leads whose outcomes are known, against a table computed by hand:
    ///
    /// | lead | business email | phone | budget | live (≥50)  | candidate (≥60) | outcome | amount |
    /// |------|----------------|-------|--------|-------------|-----------------|---------|--------|
    /// | A    | yes            | yes   | 20000  | 80 opp      | 80 opp          | won     | 20000  |
    /// | B    | yes            | yes   | -      | 50 opp      | 50 lead         | lost    | 15000 (deal default) |
    /// | C    | no (gmail)     | yes   | 50000  | 50 opp      | 50 lead         | lost    | 50000  |
    /// | D    | yes            | no    | 15000  | 60 opp      | 60 opp          | won     | 15000  |
    /// | E    | yes            | yes   | 12000  | 80 opp      | 80 opp          | open    | 12000  |
    /// | F    | no (gmail)     | yes   | -      | 20 lead     | 20 lead         | -       | -      |
    ///
    /// live: 6 leads, 5 opportunities, 2 won, 2 lost, 50%, pipeline 112000 ILS;
    /// candidate: 3 opportunities, 2 won, 0 lost, 100%, pipeline 47000 ILS.
    @Test func backtestComparesCandidateCriteriaOnRealOutcomes() async throws {
        let gateway = try Self.gateway()
        try await gateway.start()
        let a = try await Self.post(gateway, [("email", "a@acme.co.il"), ("phone", "054-1000001"), ("budget", "20000")])
        let b = try await Self.post(gateway, [("email", "b@acme.co.il"), ("phone", "054-1000002")])
        let c = try await Self.post(gateway, [("email", "c@gmail.com"), ("phone", "054-1000003"), ("budget", "50,000")])
        let d = try await Self.post(gateway, [("email", "d@acme.co.il"), ("budget", "15000")])
        try await Self.post(gateway, [("email", "e@acme.co.il"), ("phone", "054-1000005"), ("budget", "12000")])
        try await Self.post(gateway, [("email", "f@gmail.com"), ("phone", "054-1000006")])
        for (id, stage) in [(a, "won"), (b, "lost"), (c, "lost"), (d, "won")] {
            let response = try await Self.patch(gateway, id, #"{"stage": "\#(stage)"}"#)
            #expect(response.status == 200, "\(response.text)")
        }
        gateway.stop()

        let candidate = gateway.directory.appendingPathComponent("candidate.yaml")
        try """
            criteria:
              version: 2
              threshold: 60
              rules:
                - { name: spam-domain, when: { field: email_domain, in: [mailinator.com] }, reject: true }
                - { name: business-email, when: { field: email_free, equals: false }, points: 30 }
                - { name: has-phone, when: { field: phone, present: true }, points: 20 }
                - { name: budget, when: { field: fields.budget, gte: 10000 }, points: 30 }
            """.write(to: candidate, atomically: true, encoding: .utf8)
        let result = try await gateway.command(["backtest", "--product", "crm", "--criteria", candidate.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Any]])
        let live = try #require(json["live"])
        let next = try #require(json["candidate"])
        #expect(live["criteria"] as? String == "crm@1")
        #expect(live["leads"] as? Int == 6)
        #expect(live["opportunities"] as? Int == 5)
        #expect(live["won"] as? Int == 2)
        #expect(live["lost"] as? Int == 2)
        #expect(live["conversion"] as? Double == 0.5)
        #expect((live["pipeline"] as? [String: Double])?["ILS"] == 112_000)
        #expect(next["criteria"] as? String == "crm@2")
        #expect(next["opportunities"] as? Int == 3)
        #expect(next["won"] as? Int == 2)
        #expect(next["lost"] as? Int == 0)
        #expect(next["conversion"] as? Double == 1)
        #expect((next["pipeline"] as? [String: Double])?["ILS"] == 47_000)

        let table = try await gateway.command(["backtest", "--product", "crm", "--criteria", candidate.path])
        #expect(table.stdout.contains("opportunity → won"))
        let broken = gateway.directory.appendingPathComponent("broken.yaml")
        try "version: 2\nthreshold: 60\nrules:\n  - { name: x, when: { field: nonsense, present: true }, points: 1 }\n"
            .write(to: broken, atomically: true, encoding: .utf8)
        let refused = try await gateway.command(["backtest", "--product", "crm", "--criteria", broken.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("\(broken.path):4:"), "\(refused.stderr)")
    }
}
