import Foundation
import Testing

import LeadGateSourceKit

@Test(arguments: [
    ("application/json", "application/json", [String: String]()),
    ("Text/HTML; Charset=UTF-8", "text/html", ["charset": "UTF-8"]),
    ("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "multipart/form-data",
     ["boundary": "----WebKitFormBoundary7MA4YWxkTrZu0gW"]),
    // A quoted boundary may hold ';' and '='; its case is kept.
    ("multipart/form-data; boundary=\"a;b=C\"", "multipart/form-data", ["boundary": "a;b=C"]),
    ("multipart/form-data;boundary==_Part_0", "multipart/form-data", ["boundary": "=_Part_0"]),
    ("text/plain; charset=windows-1255; charset=utf-8", "text/plain", ["charset": "windows-1255"]),
    ("application/x-www-form-urlencoded ; charset = ISO-8859-8 ", "application/x-www-form-urlencoded", ["charset": "ISO-8859-8"]),
])
func parsesMediaType(raw: String, essence: String, parameters: [String: String]) throws {
    let type = try #require(MediaType(parsing: raw))
    #expect(type.essence == essence)
    #expect(type.parameters == parameters)
}

@Test func charsetIsLowerCased() {
    #expect(MediaType(parsing: "text/plain; charset=Windows-1255")?.charset == "windows-1255")
    #expect(MediaType(parsing: "text/plain")?.charset == nil)
}

@Test(arguments: ["", "json", "/json", "application/", "; charset=utf-8"])
func refusesWhatIsNotAMediaType(raw: String) {
    #expect(MediaType(parsing: raw) == nil)
}

@Test func requestReadsContentTypeAndHeadersIgnoringCase() {
    let request = InboundRequest(
        method: "POST", path: "/ingest/website", headers: [("content-type", "application/json"), ("X-A", "1"), ("x-a", "2")],
        receivedAt: Date(timeIntervalSince1970: 0))
    #expect(request.contentType?.essence == "application/json")
    #expect(request.header("X-A") == "1")
    #expect(request.header("Accept") == nil)
}
