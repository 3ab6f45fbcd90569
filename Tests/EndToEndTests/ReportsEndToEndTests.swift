import Foundation
import Testing

/// Forecast, funnel, snapshots and the dashboard through the real binary (the maths itself is table-tested in
/// LeadGateCoreTests/Reports; here the numbers are worked out by hand for leads posted and moved over HTTP).
@Suite struct ReportsEndToEndTests {
    static let extra = LifecycleEndToEndTests.products() + """

        forecast: { fiscal_year_start: 1, commit_stages: [negotiation], probability: configured }
        dashboard: { title: "Acme בע״מ", language: en }
        """

    static func get(_ gateway: GatewayProcess, _ path: String, headers: [String: String] = HTTP.admin) async throws -> HTTPResult {
        try await HTTP.request("GET", gateway.baseURL + path, headers: headers)
    }

    /// Four opportunities (owners dealt dana, avi, dana, avi), one plain lead, one spam; then moved:
    /// A (dana, 20,000) proposal closing 2027-02-10; B (avi, 40,000) negotiation closing 2027-03-31;
    /// C (dana, 10,000) won today; D (avi, 25,000) lost today.
    static func seed(_ gateway: GatewayProcess) async throws -> [String] {
        var ids: [String] = []
        for (name, budget) in [("אלף", "20000"), ("בית", "40000"), ("גימל", "10000"), ("דלת", "25000")] {
            ids.append(try await LifecycleEndToEndTests.post(gateway, [
                ("name", name), ("email", "\(budget)@acme-\(ids.count).co.il"), ("phone", "054-555-00\(10 + ids.count)"), ("budget", budget),
            ]))
        }
        try await LifecycleEndToEndTests.post(gateway, [("name", "רק ליד"), ("email", "someone@gmail.com")])
        try await LifecycleEndToEndTests.post(gateway, [("name", "spam"), ("email", "x@mailinator.com"), ("phone", "054-555-0099")])
        for (index, body) in [
            #"{"stage":"proposal","expected_close":"2027-02-10"}"#, #"{"stage":"negotiation","expected_close":"2027-03-31"}"#,
            #"{"stage":"won"}"#, #"{"stage":"lost"}"#,
        ].enumerated() {
            let patched = try await LifecycleEndToEndTests.patch(gateway, ids[index], body)
            #expect(patched.status == 200, "\(patched.text)")
        }
        return ids
    }

    @Test func forecastFunnelCSVAndSnapshotsAnswerWithTheNumbersWorkedOutByHand() async throws {
        let gateway = try GatewayProcess(extra: Self.extra)
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await Self.seed(gateway)
        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)

        let answer = try await Self.get(gateway, "/api/forecast?period=quarter&by=owner&from=\(today)&to=2027-03-31")
        #expect(answer.status == 200, "\(answer.text)")
        let json = try answer.json()
        #expect(json["probability"] as? String == "configured")
        let rows = try #require(json["rows"] as? [[String: Any]])
        func row(_ period: String, _ owner: String) -> [String: Any]? {
            rows.first { $0["period"] as? String == period && $0["group"] as? String == owner }
        }
        // 2027-Q1: A = 20,000 at 0.5; B = 40,000 at 0.8, in the commit stage.
        let dana = try #require(row("2027-Q1", "dana@acme.co.il"), "\(rows)")
        #expect(dana["open_count"] as? Int == 1)
        #expect(dana["open_pipeline"] as? Double == 20_000)
        #expect(dana["weighted_pipeline"] as? Double == 10_000)
        #expect(dana["commit"] as? Double == 0)
        #expect(dana["best_case"] as? Double == 20_000)
        let avi = try #require(row("2027-Q1", "avi@acme.co.il"))
        #expect(avi["weighted_pipeline"] as? Double == 32_000)
        #expect(avi["commit"] as? Double == 40_000)
        #expect(avi["currency"] as? String == "ILS")
        // This quarter: C won by dana (10,000, so commit and best case 10,000 too), D lost by avi.
        let thisQuarter = try #require(rows.first { $0["group"] as? String == "dana@acme.co.il" && ($0["won_count"] as? Int) == 1 })
        #expect(thisQuarter["won_amount"] as? Double == 10_000)
        #expect(thisQuarter["commit"] as? Double == 10_000)
        #expect(rows.contains { $0["group"] as? String == "avi@acme.co.il" && ($0["lost_count"] as? Int) == 1 && $0["period"] as? String == thisQuarter["period"] as? String })

        // The whole org in one row per quarter; CSV for spreadsheets.
        let org = try await Self.get(gateway, "/api/forecast?period=year&by=org&from=2027-01-01&to=2027-12-31").json()
        #expect((org["rows"] as? [[String: Any]])?.first?["weighted_pipeline"] as? Double == 42_000)
        let csv = try await Self.get(gateway, "/api/forecast?period=year&by=org&from=2027-01-01&to=2027-12-31&format=csv")
        #expect(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        #expect(csv.text.split(separator: "\r\n").count == 2, "\(csv.text)")
        #expect(csv.text.contains("42000.00"))

        // As of yesterday nothing existed yet.
        let yesterday = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-86_400)).prefix(10)
        let before = try await Self.get(gateway, "/api/forecast?period=quarter&from=2026-01-01&to=2027-12-31&as_of=\(yesterday)").json()
        #expect((before["rows"] as? [[String: Any]])?.isEmpty == true)

        // Bad parameters: 400 with a code and the parameter named.
        for (path, word) in [("/api/forecast?period=week", "period"), ("/api/forecast?by=team", "by"), ("/api/forecast?from=2026-13-01", "from"),
                             ("/api/funnel?by=color", "by"), ("/api/funnel?include=everything", "include"), ("/api/forecast?format=xml", "format")] {
            let bad = try await Self.get(gateway, path)
            #expect(bad.status == 400, "\(path)")
            let error = try bad.json()["error"] as? [String: Any]
            #expect(error?["code"] as? String == "invalid_parameter")
            #expect((error?["message"] as? String)?.contains(word) == true, "\(path): \(bad.text)")
        }
        #expect(try await Self.get(gateway, "/api/forecast", headers: [:]).status == 401)

        // Funnel by source: 5 kept leads (spam left out), 4 opportunities, 1 won, 1 lost.
        let funnel = try await Self.get(gateway, "/api/funnel?by=source").json()
        let website = try #require((funnel["rows"] as? [[String: Any]])?.first { $0["group"] as? String == "website" })
        #expect(website["leads"] as? Int == 5)
        #expect(website["opportunities"] as? Int == 4)
        #expect(website["won"] as? Int == 1)
        #expect(website["lost"] as? Int == 1)
        #expect(website["lead_to_opportunity"] as? Double == 0.8)
        #expect(website["opportunity_to_won"] as? Double == 0.5)
        #expect((website["won_revenue"] as? [String: Double])?["ILS"] == 10_000)
        let withSpam = try await Self.get(gateway, "/api/funnel?by=source&include=rejected").json()
        #expect(((withSpam["rows"] as? [[String: Any]])?.first { $0["group"] as? String == "website" })?["leads"] as? Int == 6)

        // The CLI reads the same store.
        let table = try await gateway.command(["funnel", "--by", "owner"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("dana@acme.co.il"))
        let forecastCSV = try await gateway.command(["forecast", "--period", "year", "--by", "owner", "--from", "2027-01-01", "--to", "2027-12-31", "--csv"])
        #expect(forecastCSV.stdout.contains("avi@acme.co.il"), "\(forecastCSV.stdout) \(forecastCSV.stderr)")
        #expect(try await gateway.command(["forecast", "--from", "yesterday"]).status == 64)

        // A snapshot on demand, and the accuracy report over snapshots.
        let snapshot = try await HTTP.request("POST", gateway.baseURL + "/api/forecast/snapshots", headers: HTTP.admin)
        #expect(snapshot.status == 201, "\(snapshot.text)")
        let accuracy = try await Self.get(gateway, "/api/forecast/accuracy?by=owner")
        #expect(accuracy.status == 200)
        #expect(try accuracy.json()["rows"] is [Any])
    }

    @Test func theDashboardNeedsTheTokenAndRendersInEnglishAndHebrewInChromium() async throws {
        let gateway = try GatewayProcess(extra: Self.extra)
        try await gateway.start()
        defer { gateway.stop() }
        _ = try await Self.seed(gateway)

        // (The 401 with its Basic challenge is checked in LeadGateServerTests: URLSession here would wait for credentials.)
        let basic = "Basic " + Data("sales:\(GatewayProcess.adminToken)".utf8).base64EncodedString()
        let english = try await Self.get(gateway, "/", headers: ["Authorization": basic])
        #expect(english.status == 200)
        #expect(english.header("Content-Type") == "text/html; charset=utf-8")
        #expect(english.text.contains(#"<html lang="en" dir="ltr""#))
        #expect(english.text.contains("Acme בע״מ"))
        let hebrew = try await Self.get(gateway, "/", headers: ["Authorization": basic, "Accept-Language": "he-IL,he;q=0.9,en;q=0.5"])
        #expect(hebrew.text.contains(#"<html lang="he" dir="rtl""#))

        // The browser: credentials in the URL are sent as HTTP Basic on navigation.
        let chromium = try Chromium.require()
        let url = try #require(URL(string: "http://sales:\(GatewayProcess.adminToken)@127.0.0.1:\(gateway.port)/"))
        let dom = try await chromium.dumpDOM(of: url)
        #expect(dom.contains(#"id="funnel-chart""#), "\(dom.prefix(400))")
        #expect(dom.contains(#"id="forecast-chart-ILS""#))
        #expect(dom.components(separatedBy: #"class="bar won""#).count > 1)
        let shot = try await chromium.screenshot(of: url, width: 390, height: 844, to: gateway.directory.appendingPathComponent("phone.png"))
        #expect(shot.width == 390 && shot.height == 844)
        #expect(shot.byteCount > 20_000, "a blank page is under 5 KB")

        // Hebrew, chosen in the URL (a browser's own Accept-Language would otherwise win over the config).
        let hebrewURL = try #require(URL(string: "http://sales:\(GatewayProcess.adminToken)@127.0.0.1:\(gateway.port)/?lang=he"))
        let hebrewDOM = try await chromium.dumpDOM(of: hebrewURL)
        #expect(hebrewDOM.contains(#"dir="rtl""#), "\(hebrewDOM.prefix(300))")
        #expect(hebrewDOM.contains(#"id="forecast-chart-ILS""#))
        let hebrewShot = try await chromium.screenshot(of: hebrewURL, width: 1280, height: 800, to: gateway.directory.appendingPathComponent("he.png"))
        #expect(hebrewShot.width == 1280 && hebrewShot.byteCount > 20_000)
    }
}
