import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import WebFormSource

private func preflight(origin: String?, requestHeaders: String? = nil) -> InboundRequest {
    var headers = [("Access-Control-Request-Method", "POST")]
    if let origin { headers.append(("Origin", origin)) }
    if let requestHeaders { headers.append(("Access-Control-Request-Headers", requestHeaders)) }
    return request("OPTIONS", contentType: nil, body: [], headers: headers)
}

// MARK: - handshake

@Test func preflightFromAllowedOrigin() async throws {
    let source = try validSource([list(3, "allowed_origins", ["https://acme.co.il"])])
    let response = try #require(try await source.handshake(preflight(origin: "https://acme.co.il", requestHeaders: "content-type, x-leadgate-secret")))
    #expect(response.status == 204)
    #expect(value("Access-Control-Allow-Origin", in: response.headers) == "https://acme.co.il")
    #expect(value("Access-Control-Allow-Methods", in: response.headers) == "POST, OPTIONS")
    #expect(value("Access-Control-Allow-Headers", in: response.headers) == "content-type, x-leadgate-secret")
    #expect(value("Access-Control-Max-Age", in: response.headers) == "7200")
    #expect(value("Vary", in: response.headers) == "Origin")
    #expect(response.body.isEmpty)
}

@Test func preflightWithoutRequestedHeadersAllowsContentType() async throws {
    let source = try validSource([list(3, "allowed_origins", ["*"])])
    let response = try #require(try await source.handshake(preflight(origin: "https://anywhere.example")))
    #expect(value("Access-Control-Allow-Origin", in: response.headers) == "https://anywhere.example")
    #expect(value("Access-Control-Allow-Headers", in: response.headers) == "Content-Type")
}

@Test(arguments: [
    [list(3, "allowed_origins", ["https://acme.co.il"])],
    [],  // no allowed_origins: cross-origin scripts are refused
])
func preflightFromOtherOriginIsForbidden(config: [ConfigLine]) async throws {
    let source = try validSource(config)
    let error = try await #require(throws: SourceError.self) { try await source.handshake(preflight(origin: "https://evil.example")) }
    #expect(error.status == 403)
    #expect(error.code == "origin_not_allowed")
    #expect(error.message.contains("https://evil.example"))
}

@Test func optionsWithoutOriginListsTheMethods() async throws {
    let response = try #require(try await validSource([]).handshake(preflight(origin: nil)))
    #expect(response.status == 204)
    #expect(value("Allow", in: response.headers) == "POST, OPTIONS")
    #expect(value("Access-Control-Allow-Origin", in: response.headers) == nil)
}

@Test func postIsASubmission() async throws {
    #expect(try await validSource([]).handshake(request()) == nil)
}

@Test(arguments: ["GET", "PUT", "DELETE", "HEAD"])
func otherMethodsAreNotAllowed(method: String) async throws {
    let source = try validSource([])
    let error = try await #require(throws: SourceError.self) { try await source.handshake(request(method, contentType: nil, body: [])) }
    #expect(error.status == 405)
    #expect(error.code == "method_not_allowed")
    #expect(error.message.contains(method))
    let receiveError = try await #require(throws: SourceError.self) { try await source.receive(request(method)) }
    #expect(receiveError.status == 405)
    #expect(source.responseHeaders(for: request(method)).map(\.name) == ["Allow"])
}

// MARK: - response headers

@Test func responseHeadersGrantAllowedOriginsOnly() throws {
    let source = try validSource([list(3, "allowed_origins", ["https://acme.co.il"])])
    let allowed = source.responseHeaders(for: request(headers: [("Origin", "https://acme.co.il")]))
    #expect(allowed.map(\.name) == ["Access-Control-Allow-Origin", "Vary"])
    #expect(value("Access-Control-Allow-Origin", in: allowed) == "https://acme.co.il")
    #expect(value("Vary", in: allowed) == "Origin")
    #expect(source.responseHeaders(for: request(headers: [("Origin", "https://evil.example")])).isEmpty)
    #expect(source.responseHeaders(for: request()).isEmpty)
    // The preflight answer carries its own CORS headers; adding them again would duplicate them.
    #expect(source.responseHeaders(for: preflight(origin: "https://acme.co.il")).isEmpty)
    #expect(try validSource([]).responseHeaders(for: request(headers: [("Origin", "https://acme.co.il")])).isEmpty)
}

// MARK: - acknowledgement

private let results = [IntakeResult(id: "ld_01JD3Q8Y5W2K7N4R6T8V0X2Z4B", status: .lead, duplicate: false)]

/// (content type, extra headers, gets the redirect)
private let acknowledgementCases: [(String?, [(String, String)], Bool)] = [
    ("application/x-www-form-urlencoded", [], true),  // a plain HTML form post
    ("multipart/form-data; boundary=x", [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")], true),
    ("application/json", [("Accept", "text/html")], true),
    ("application/x-www-form-urlencoded", [("X-Requested-With", "XMLHttpRequest")], false),
    ("application/x-www-form-urlencoded", [("Accept", "application/json")], false),
    ("multipart/form-data; boundary=x", [("Accept", "application/json, text/plain, */*")], false),
    ("application/json", [], false),  // fetch() with a JSON body
    ("application/json", [("Accept", "*/*")], false),
]

@Test(arguments: acknowledgementCases)
func browserPostsAreRedirected(contentType: String?, headers: [(String, String)], redirected: Bool) throws {
    let source = try validSource([line(3, "redirect", "https://acme.co.il/תודה")])
    let response = source.acknowledgement(for: request(contentType: contentType, headers: headers), results: results)
    if redirected {
        #expect(response?.status == 303)
        #expect(response.flatMap { value("Location", in: $0.headers) } == "https://acme.co.il/%D7%AA%D7%95%D7%93%D7%94")
    } else {
        #expect(response == nil)
    }
}

@Test func withoutRedirectEveryPostGetsTheJSONAnswer() throws {
    let source = try validSource([])
    #expect(source.acknowledgement(for: request(), results: results) == nil)
}
