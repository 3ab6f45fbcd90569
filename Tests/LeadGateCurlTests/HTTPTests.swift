import Foundation
import LeadGateCurl
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Runs `body` against a fresh test server and client, and stops both however it ends.
func withHTTPPeer(
    configuration: CurlConfiguration = CurlConfiguration(),
    reply: @escaping @Sendable (RecordedRequest) -> TestReply = { _ in .respond(body: Array("ok".utf8)) },
    _ body: (TestHTTPServer, CurlClient) async throws -> Void
) async throws {
    let server = try await TestHTTPServer.start(reply: reply)
    let client = try CurlClient(configuration: configuration)
    do {
        try await body(server, client)
    } catch {
        await client.shutdown()
        await server.stop()
        throw error
    }
    await client.shutdown()
    await server.stop()
}

/// Waits for the first event of `server` that `matches`; the test's time limit guards against waiting forever.
func firstEvent(of server: TestHTTPServer, where matches: (TestHTTPServer.Event) -> Bool) async -> TestHTTPServer.Event? {
    for await event in server.events where matches(event) { return event }
    return nil
}

func isRequest(_ event: TestHTTPServer.Event) -> Bool {
    if case .request = event { return true }
    return false
}

func isConnectionClosed(_ event: TestHTTPServer.Event) -> Bool {
    if case .connectionClosed = event { return true }
    return false
}

struct RoundTrip: Sendable, CustomTestStringConvertible {
    var method: String
    var body: [UInt8]?
    var testDescription: String
}

@Suite("HTTP against a real server on 127.0.0.1", .timeLimit(.minutes(1)))
struct HTTPTests {
    static let roundTrips: [RoundTrip] = [
        RoundTrip(method: "GET", body: nil, testDescription: "GET without a body"),
        RoundTrip(method: "DELETE", body: nil, testDescription: "DELETE without a body"),
        RoundTrip(method: "POST", body: Array(#"{"name":"דנה כהן","budget":20000}"#.utf8), testDescription: "POST with Hebrew JSON"),
        RoundTrip(method: "PUT", body: [0, 1, 2, 255, 13, 10, 0], testDescription: "PUT with binary bytes and NULs"),
        RoundTrip(method: "PATCH", body: [], testDescription: "PATCH with an empty body"),
        RoundTrip(method: "POST", body: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }, testDescription: "POST with 300 kB"),
    ]

    @Test("method, headers and body arrive; the response body comes back", arguments: roundTrips)
    func roundTrip(_ row: RoundTrip) async throws {
        try await withHTTPPeer(reply: { request in
            .respond(headers: [("Content-Type", "application/octet-stream")], body: request.body)
        }) { server, client in
            let request = HTTPClientRequest(
                method: row.method, url: server.url("/hooks/leadgate?source=web"),
                headers: [("X-LeadGate-Delivery", "dlv_42"), ("Content-Type", "application/json; charset=utf-8"), ("X-Empty", "")],
                body: row.body)
            let response = try await client.perform(request)

            let received = try #require(server.requests.first)
            #expect(received.method == row.method)
            #expect(received.uri == "/hooks/leadgate?source=web")
            #expect(received.header("X-LeadGate-Delivery") == "dlv_42")
            #expect(received.header("Content-Type") == "application/json; charset=utf-8")
            #expect(received.header("X-Empty") == "")
            #expect(received.header("Expect") == nil)
            #expect(received.body == (row.body ?? []))
            #expect(response.status == 200)
            #expect(response.body == (row.body ?? []))
            #expect(response.header("content-type") == "application/octet-stream")
            #expect(response.totalTime > .zero)
        }
    }

    @Test("a status is a response, not an error; Retry-After is readable", arguments: [200, 410, 429, 503])
    func statusCodes(_ status: Int) async throws {
        try await withHTTPPeer(reply: { _ in
            .respond(status: status, headers: status == 429 ? [("Retry-After", "7")] : [], body: Array("status \(status)".utf8))
        }) { server, client in
            let response = try await client.perform(HTTPClientRequest(url: server.url()))
            #expect(response.status == status)
            #expect(response.body == Array("status \(status)".utf8))
            #expect(response.header("retry-after") == (status == 429 ? "7" : nil))
        }
    }

    @Test("response headers keep their order and are found ignoring case")
    func responseHeaders() async throws {
        try await withHTTPPeer(reply: { _ in
            .respond(headers: [("X-Trace", "abc"), ("Link", "<a>; rel=next"), ("Link", "<b>; rel=last")])
        }) { server, client in
            let response = try await client.perform(HTTPClientRequest(url: server.url()))
            #expect(response.header("x-trace") == "abc")
            #expect(response.header("X-TRACE") == "abc")
            #expect(response.headerValues("LINK") == ["<a>; rel=next", "<b>; rel=last"])
            let names = response.headers.map(\.name)
            let trace = try #require(names.firstIndex(of: "X-Trace"))
            let link = try #require(names.firstIndex(of: "Link"))
            #expect(trace < link)
        }
    }

    @Test("100 concurrent requests all complete, each with its own response, in parallel on one loop thread")
    func concurrentRequests() async throws {
        let delay = TimeAmount.milliseconds(300)
        try await withHTTPPeer(reply: { request in .respond(body: Array(request.uri.utf8), delay: delay) }) { server, client in
            let clock = ContinuousClock()
            let start = clock.now
            let results = try await withThrowingTaskGroup(of: (Int, HTTPClientResponse).self) { group in
                for index in 0..<100 {
                    group.addTask { (index, try await client.perform(HTTPClientRequest(url: server.url("/lead/\(index)")))) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let elapsed = clock.now - start

            #expect(results.count == 100)
            for (index, response) in results {
                #expect(response.status == 200)
                #expect(response.body == Array("/lead/\(index)".utf8))
            }
            // One after another they would take 100 × 300 ms = 30 s.
            #expect(elapsed < .seconds(10))
            #expect(server.peakInFlight >= 50)
        }
    }

    @Test("maxConnectionsPerHost caps the connections to one host; the rest wait their turn")
    func connectionLimit() async throws {
        let configuration = CurlConfiguration(maxConnectionsPerHost: 2)
        try await withHTTPPeer(configuration: configuration, reply: { _ in .respond(delay: .milliseconds(50)) }) { server, client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await client.perform(HTTPClientRequest(url: server.url())).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 10))
            #expect(server.requests.count == 10)
            #expect(server.connectionCount <= 2)
            #expect(server.peakInFlight <= 2)
        }
    }

    @Test("sequential requests to one host reuse one connection")
    func connectionReuse() async throws {
        try await withHTTPPeer { server, client in
            for _ in 0..<5 {
                let response = try await client.perform(HTTPClientRequest(url: server.url()))
                #expect(response.status == 200)
            }
            #expect(server.requests.count == 5)
            #expect(server.connectionCount == 1)
            #expect(Set(server.requests.map(\.connection)) == [1])
        }
    }

    @Test(
        "the connections of a burst stay open for the next burst, whatever is in flight in between or the cache configured",
        arguments: [CurlConfiguration().maxIdleConnections, 4]
    )
    func idleConnectionsKept(maxIdleConnections: Int) async throws {
        // A burst is 16 requests queued from one loop (not 16 tasks, which a loaded machine may start one by one, after
        // the first answers came and freed their connections), each answered after 250 ms: all 16 are in flight at once.
        // With a cache of 4, libcurl alone would close 12 of them as they finish, and the next burst would open 12 more.
        let configuration = CurlConfiguration(maxIdleConnections: maxIdleConnections)
        try await withHTTPPeer(configuration: configuration, reply: { _ in .respond(delay: .milliseconds(250)) }) { server, client in
            func burst() async throws {
                let (answers, answered) = AsyncStream.makeStream(of: Result<HTTPClientResponse, CurlError>.self)
                for _ in 0..<16 { client.start(HTTPClientRequest(url: server.url())) { answered.yield($0) } }
                var count = 0
                for await answer in answers {
                    #expect(try answer.get().status == 200)
                    count += 1
                    if count == 16 { break }
                }
            }
            try await burst()
            #expect(server.connectionCount == 16)
            // libcurl's own default keeps four idle connections per transfer still in flight: the end of a burst closed some.
            _ = try await client.perform(HTTPClientRequest(url: server.url()))
            try await burst()
            #expect(server.requests.count == 33)
            #expect(server.connectionCount == 16)
        }
    }

    @Test("a closed port is refused at once, with the address in the message")
    func connectionRefused() async throws {
        let reserved = try ReservedPort()
        let port = reserved.port
        let client = try CurlClient()
        let error = await #expect(throws: CurlError.self) {
            try await client.perform(HTTPClientRequest(url: "http://127.0.0.1:\(port)/hook"))
        }
        #expect(error?.code == .couldNotConnect)
        #expect(error?.message == "connection refused to 127.0.0.1:\(port)")
        await client.shutdown()
        withExtendedLifetime(reserved) {}
    }

    @Test("a connect that gets no answer fails after the connect timeout")
    func connectTimeout() async throws {
        // A listener that never accepts, with a backlog of one: once its queue is full the kernel drops new SYNs,
        // so a connect hangs exactly as it does to a host that is down. Fillers connect until one cannot: given a
        // whole second, a loopback connect that fails does so because the queue is full, not because the two cores
        // are busy with the rest of the suite (with 200 ms, a filler could give up early and leave room for curl).
        let server = try await TestHTTPServer.start(backlog: 1, accepting: false)
        var fillers: [any Channel] = []
        for _ in 0..<8 {
            guard let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1)).connect(host: "127.0.0.1", port: server.port).get()
            else { break }
            fillers.append(channel)
        }
        let client = try CurlClient()
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: CurlError.self) {
            try await client.perform(HTTPClientRequest(url: server.url(), timeout: .seconds(20), connectTimeout: .milliseconds(300)))
        }
        // Far above the timeout (the whole suite shares two cores with the end-to-end tests), far below a hang.
        #expect(clock.now - start < .seconds(15))
        #expect(error?.code == .timedOut)
        #expect(error?.message == "connecting to 127.0.0.1:\(server.port) timed out after 300ms")
        await client.shutdown()
        for channel in fillers { try? await channel.close() }
        await server.stop()
    }

    @Test("a server slower than the total timeout fails with a timeout, not a hang")
    func totalTimeout() async throws {
        try await withHTTPPeer(reply: { _ in .hang }) { server, client in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: CurlError.self) {
                try await client.perform(HTTPClientRequest(url: server.url(), timeout: .milliseconds(500)))
            }
            // Far above the timeout (the whole suite shares two cores with the end-to-end tests), far below a hang.
        #expect(clock.now - start < .seconds(15))
            #expect(error?.code == .timedOut)
            #expect(error?.message == "timed out after 500ms talking to 127.0.0.1:\(server.port)")
        }
    }

    @Test("redirects are returned by default and followed only when asked", arguments: [
        (RedirectPolicy?.none, 302, 1), (RedirectPolicy.follow(max: 3), 200, 2),
    ])
    func redirects(policy: RedirectPolicy?, status: Int, requests: Int) async throws {
        try await withHTTPPeer(reply: { request in
            request.uri == "/start" ? .respond(status: 302, headers: [("Location", "/landed")]) : .respond(body: Array("landed".utf8))
        }) { server, client in
            let response = try await client.perform(HTTPClientRequest(url: server.url("/start"), redirects: policy))
            #expect(response.status == status)
            #expect(server.requests.count == requests)
            #expect(response.header("Location") == (status == 302 ? "/landed" : nil))
        }
    }

    @Test("a body over the limit fails, announced or chunked; one at the limit passes", arguments: [
        (1024, false, true), (1025, false, false), (1025, true, false), (50_000, true, false),
    ])
    func bodyLimit(size: Int, chunked: Bool, passes: Bool) async throws {
        let configuration = CurlConfiguration(maxResponseBodySize: 1024)
        try await withHTTPPeer(configuration: configuration, reply: { _ in
            .respond(body: Array(repeating: UInt8(ascii: "x"), count: size), chunked: chunked)
        }) { server, client in
            let request = HTTPClientRequest(url: server.url())
            if passes {
                let response = try await client.perform(request)
                #expect(response.body.count == size)
            } else {
                let error = await #expect(throws: CurlError.self) { try await client.perform(request) }
                #expect(error?.code == .responseTooLarge)
                #expect(error?.message == "the response from 127.0.0.1:\(server.port) is larger than 1024 bytes")
            }
        }
    }

    @Test("cancelling the task removes its transfer and closes its connection")
    func cancellation() async throws {
        try await withHTTPPeer(reply: { _ in .hang }) { server, client in
            let task = Task { try await client.perform(HTTPClientRequest(url: server.url(), timeout: .seconds(60))) }
            _ = await firstEvent(of: server, where: isRequest)
            task.cancel()
            let error = await #expect(throws: CurlError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            #expect(error?.message == "cancelled")
            // The server sees the connection go: the transfer is really gone, not just abandoned.
            #expect(await firstEvent(of: server, where: isConnectionClosed) != nil)
        }
    }

    @Test("a task cancelled before it calls never sends")
    func cancelledBeforeStart() async throws {
        try await withHTTPPeer { server, client in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.perform(HTTPClientRequest(url: server.url()))
            }
            let error = await #expect(throws: CurlError.self) { try await task.value }
            #expect(error?.code == .cancelled)
            #expect(server.requests.isEmpty)
        }
    }

    @Test("shutdown fails what is in flight, and every later call")
    func shutdown() async throws {
        try await withHTTPPeer(reply: { _ in .hang }) { server, client in
            let task = Task { try await client.perform(HTTPClientRequest(url: server.url(), timeout: .seconds(60))) }
            _ = await firstEvent(of: server, where: isRequest)
            await client.shutdown()
            let inFlight = await #expect(throws: CurlError.self) { try await task.value }
            #expect(inFlight?.message == "the curl client is shut down")
            let later = await #expect(throws: CurlError.self) { try await client.perform(HTTPClientRequest(url: server.url())) }
            #expect(later?.code == .cancelled)
            #expect(server.requests.count == 1)
        }
    }

    @Test("start hands each answer to its completion without a task per request; a refused request fails at once")
    func startWithCompletion() async throws {
        try await withHTTPPeer(reply: { request in .respond(body: Array(request.uri.utf8), delay: .milliseconds(20)) }) { server, client in
            let (answers, answered) = AsyncStream.makeStream(of: (Int, Result<HTTPClientResponse, CurlError>).self)
            for index in 0..<40 {
                client.start(HTTPClientRequest(url: server.url("/lead/\(index)"))) { answered.yield((index, $0)) }
            }
            var bodies: [Int: String] = [:]
            for await (index, result) in answers {
                bodies[index] = String(decoding: try result.get().body, as: UTF8.self)
                if bodies.count == 40 { break }
            }
            #expect(bodies == Dictionary(uniqueKeysWithValues: (0..<40).map { ($0, "/lead/\($0)") }))

            let refused = Mutex<CurlError?>(nil)
            client.start(HTTPClientRequest(url: server.url(), headers: [("X-Lead", "x\r\nX-Injected: 1")])) { result in
                if case .failure(let error) = result { refused.withLock { $0 = error } }
            }
            // Refused before `start` returned, on the caller's thread: nothing reached the loop.
            #expect(refused.withLock { $0?.code } == .invalidArgument)
            #expect(server.requests.count == 40)
        }
    }

    @Test("a request sends nothing of the one before it (easy handles are reset and reused)")
    func reusedHandlesStartClean() async throws {
        try await withHTTPPeer { server, client in
            for _ in 0..<3 {
                _ = try await client.perform(HTTPClientRequest(
                    method: "PUT", url: server.url("/first"), headers: [("X-Only-First", "1")], body: Array("first body".utf8),
                    redirects: .follow(max: 2)))
                _ = try await client.perform(HTTPClientRequest(url: server.url("/second")))
            }
            let seconds = server.requests.filter { $0.uri == "/second" }
            #expect(seconds.count == 3)
            for request in seconds {
                #expect(request.method == "GET")
                #expect(request.body.isEmpty)
                #expect(request.header("X-Only-First") == nil)
                #expect(request.header("Content-Length") == nil)
            }
        }
    }

    @Test("a connection closed without an answer is an error")
    func emptyReply() async throws {
        try await withHTTPPeer(reply: { _ in .close }) { server, client in
            let error = await #expect(throws: CurlError.self) { try await client.perform(HTTPClientRequest(url: server.url())) }
            #expect(error?.code == .emptyReply)
        }
    }

    @Test("requests that could inject header lines are refused before anything is sent", arguments: [
        HTTPClientRequest(url: "", headers: [("X-Lead", "x\r\nX-Injected: 1")]),
        HTTPClientRequest(url: "", headers: [("X-Lead", "x\nX-Injected: 1")]),
        HTTPClientRequest(url: "", headers: [("X-Lead: y\r\nX-Injected", "1")]),
        HTTPClientRequest(url: "", headers: [("X Lead", "1")]),
        HTTPClientRequest(method: "GET / HTTP/1.1\r\nX-Injected: 1\r\n", url: ""),
    ])
    func injectionRefused(_ template: HTTPClientRequest) async throws {
        try await withHTTPPeer { server, client in
            var request = template
            request.url = server.url()
            let error = await #expect(throws: CurlError.self) { try await client.perform(request) }
            #expect(error?.code == .invalidArgument)
            #expect(server.requests.isEmpty)
        }
    }

    @Test("only http and https URLs are taken", arguments: [
        ("file:///etc/passwd", CurlError.Code.unsupportedProtocol),
        ("smtp://127.0.0.1:25", .unsupportedProtocol),
        ("http://[::1", .malformedURL),
        ("not a url", .malformedURL),
    ])
    func schemes(url: String, code: CurlError.Code) async throws {
        let client = try CurlClient()
        let error = await #expect(throws: CurlError.self) { try await client.perform(HTTPClientRequest(url: url)) }
        #expect(error?.code == code)
        await client.shutdown()
    }
}
