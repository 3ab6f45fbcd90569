import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LeadGateServer
import Testing

@Suite struct DashboardRouteTests {
    @Test("the dashboard asks a browser for the token by HTTP Basic, and takes it as the password")
    func basicAuthentication() async throws {
        let gateway = try await makeGateway(sources: "  - { name: website, type: web_form }", clock: TestClock(Date()))
        try await Application(router: gateway.router()).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic realm=") == true)
            }
            let wrong = "Basic " + Data("sales:not-the-token".utf8).base64EncodedString()
            try await client.execute(uri: "/", method: .get, headers: [.authorization: wrong]) { response in
                #expect(response.status == .unauthorized)
            }
            let right = "Basic " + Data("sales:test-admin-token-123456".utf8).base64EncodedString()
            try await client.execute(uri: "/?lang=he", method: .get, headers: [.authorization: right]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#"<html lang="he" dir="rtl""#))
            }
        }
        await gateway.config.http.shutdown()
    }
}
