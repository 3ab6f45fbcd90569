import Crypto
import Foundation
import Testing

/// Ad-platform notifications through the real binary.
@Suite struct AdPlatformEndToEndTests {
    static let appSecret = "e2e-meta-app-secret"

    @Test func aSignedMetaNotificationIsCommittedAsPendingFetchAndReplaysAreDuplicates() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: facebook-il
                type: meta_lead_ads
                verify_token: e2e-verify-token
                app_secret: \(Self.appSecret)
                page_access_token: e2e-page-token
            """)
        try await gateway.start()
        defer { gateway.stop() }
        let url = gateway.baseURL + "/ingest/facebook-il"

        let challenge = try await HTTP.request("GET", url + "?hub.mode=subscribe&hub.verify_token=e2e-verify-token&hub.challenge=1158201444")
        #expect(challenge.status == 200)
        #expect(challenge.text == "1158201444")
        let wrong = try await HTTP.request("GET", url + "?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")
        #expect(wrong.status == 403)

        // A leadgen id above 2^53, sent as a number, must come through digit for digit.
        let body = Data(#"{"object":"page","entry":[{"id":"1","time":1764324000,"changes":[{"field":"leadgen","value":{"leadgen_id":12345678901234567,"page_id":1,"form_id":2,"created_time":1764324000}}]}]}"#.utf8)
        let signature = "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(Self.appSecret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        let headers = ["Content-Type": "application/json", "X-Hub-Signature-256": signature]
        let first = try await HTTP.request("POST", url, headers: headers, body: body)
        #expect(first.status == 200, "\(first.text)")
        let leads = try #require(try first.json()["leads"] as? [[String: Any]])
        #expect(leads.first?["status"] as? String == "pending_fetch")
        let again = try await HTTP.request("POST", url, headers: headers, body: body)
        #expect((try again.json()["leads"] as? [[String: Any]])?.first?["duplicate"] as? Bool == true)

        let id = try #require(leads.first?["id"] as? String)
        let lead = try await HTTP.request("GET", gateway.baseURL + "/api/leads/\(id)", headers: HTTP.admin).json()
        #expect((lead["touches"] as? [[String: Any]])?.first?["external_id"] as? String == "12345678901234567")

        let forged = try await HTTP.request("POST", url, headers: ["Content-Type": "application/json", "X-Hub-Signature-256": "sha256=00"], body: body)
        #expect(forged.status == 401)
    }
}
