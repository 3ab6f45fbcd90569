import Foundation
import Glibc
import LeadGateCore
import LeadGateCurl
import LeadGateStore
import Synchronization
import Testing
@testable import LeadGateNotify

/// A listening socket on 127.0.0.1 and its port, chosen by the kernel.
private func listenOnLoopback() throws -> (socket: Int32, port: Int) {
    let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard listener >= 0, bound == 0, listen(listener, 16) == 0 else { throw CurlError.invalidArgument("cannot listen on 127.0.0.1") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    return (listener, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port on 127.0.0.1 that takes connections and never answers; `requests` yields once for each connection whose
/// first bytes arrived (the kernel completes the handshake, a thread of its own accepts and reads).
private final class SilentReceiver: Sendable {
    let port: Int
    let requests: AsyncStream<Void>
    private let socket: Int32
    /// The connections accepted so far, closed by `stop`.
    private let connections = Mutex<[Int32]>([])

    init() throws {
        let (listener, port) = try listenOnLoopback()
        socket = listener
        self.port = port
        let (requests, arrived) = AsyncStream.makeStream(of: Void.self)
        self.requests = requests
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return arrived.finish() }
                connections.withLock { $0.append(connection) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                if read(connection, &buffer, buffer.count) > 0 { arrived.yield() }
                // Kept open and silent: the client waits for an answer that never comes.
            }
        }
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
        for connection in connections.withLock({ $0 }) { close(connection) }
    }
}

/// An HTTP/1.1 receiver on 127.0.0.1 that gives the scripted answers in order, then `otherwise` to every later
/// request, each `delay` after the request came; connections are kept alive, each served by a thread of its own.
/// `count` is how many requests came, `requests` what they were.
private final class ScriptedReceiver: Sendable {
    /// One request as it came: its header lines (names lower-cased, values as sent) and its body.
    struct Request {
        var headers: [String: String]
        var body: [UInt8]
    }

    let port: Int
    private let listener: Int32
    private let state: Mutex<(answers: [String], count: Int, connections: [Int32], requests: [Request])>
    private let delay: Duration

    init(answers: [String], otherwise: String, delay: Duration = .zero) throws {
        let (listener, port) = try listenOnLoopback()
        self.listener = listener
        self.port = port
        self.delay = delay
        state = Mutex((answers: answers, count: 0, connections: [], requests: []))
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                state.withLock { $0.connections.append(connection) }
                Thread.detachNewThread { [self] in serve(connection, otherwise: otherwise) }
            }
        }
    }

    var count: Int { state.withLock { $0.count } }
    var requests: [Request] { state.withLock { $0.requests } }

    /// Reads requests (head, then `Content-Length` bytes of body) and answers each, until the peer closes.
    private func serve(_ connection: Int32, otherwise: String) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            while let end = buffer.firstRange(of: Array("\r\n\r\n".utf8)) {
                var headers: [String: String] = [:]
                for line in String(decoding: buffer[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n").dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = headers["content-length"].flatMap { Int($0) } ?? 0
                guard buffer.count >= end.upperBound + length else { break }
                let request = Request(headers: headers, body: Array(buffer[end.upperBound..<end.upperBound + length]))
                buffer.removeFirst(end.upperBound + length)
                let answer = state.withLock { state in
                    state.count += 1
                    state.requests.append(request)
                    return state.answers.isEmpty ? otherwise : state.answers.removeFirst()
                }
                if delay > .zero { usleep(UInt32(delay.components.attoseconds / 1_000_000_000_000)) }
                _ = Array(answer.utf8).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
            let received = read(connection, &chunk, chunk.count)
            guard received > 0 else { return }
            buffer += chunk[..<received]
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in state.withLock({ $0.connections }) { shutdown(connection, Int32(SHUT_RDWR)) }
    }
}

@Suite(.timeLimit(.minutes(1))) struct OutboxWorkerTests {
    @Test func aReceiverThatAsksToWaitPausesItsWholeChannel() async throws {
        let receiver = try ScriptedReceiver(
            answers: ["HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n"],
            otherwise: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        defer { receiver.stop() }
        let store = try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<5 {
            _ = try await store.commit([Self.record(email: "lead\(index)@acme.co.il", at: t0)])
        }
        let clock = Mutex(t0.addingTimeInterval(1))
        let client = try CurlClient()
        let worker = OutboxWorker(
            store: store, channels: [Self.channel(port: receiver.port, concurrency: 1)], schedule: .standard,
            transport: CurlTransport(client: client), metrics: DeliveryMetrics(), now: { clock.withLock { $0 } })

        // The first answer asks for two minutes: the other four are not sent, and spend no attempt.
        #expect(await worker.drain() == 1)
        #expect(receiver.count == 1)
        #expect(try await store.deliveries(status: .pending, limit: 10).map(\.attempts) == [0, 0, 0, 0])
        // A minute later the channel still waits, though four of its deliveries were never tried.
        clock.withLock { $0 = t0.addingTimeInterval(61) }
        #expect(await worker.drain() == 0)
        #expect(receiver.count == 1)
        // Past the two minutes, everything goes: the one that was refused again, and the four.
        clock.withLock { $0 = t0.addingTimeInterval(122) }
        #expect(await worker.drain() == 5)
        #expect(receiver.count == 6)
        let delivered = try await store.deliveries(status: .delivered, limit: 10)
        #expect(delivered.count == 5)
        #expect(delivered.map(\.attempts).sorted() == [1, 1, 1, 1, 2])
        await client.shutdown()
    }

    /// A manual retry during a drain ends the pause there too: the channel's deliveries go in the same drain. (Held by
    /// the drain until the two minutes had passed, they were released unsent and waited for the next drain: the
    /// channel had one request in this one.)
    @Test func aManualRetryDuringADrainEndsThePauseInIt() async throws {
        let crm = try ScriptedReceiver(
            answers: ["HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n"],
            otherwise: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        // Another channel keeps the drain claiming for 4 s: 200 deliveries answered 20 ms apart, one at a time.
        let other = try ScriptedReceiver(answers: [], otherwise: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", delay: .milliseconds(20))
        defer { crm.stop(); other.stop() }
        let store = try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite")
        let t0 = Date()
        for index in 0..<2 { _ = try await store.commit([Self.record(email: "crm\(index)@acme.co.il", at: t0)]) }
        for index in 0..<200 { _ = try await store.commit([Self.record(email: "other\(index)@acme.co.il", at: t0, channel: "other")]) }
        let client = try CurlClient()
        let worker = OutboxWorker(
            store: store, channels: [Self.channel(port: crm.port, concurrency: 1), Self.channel(port: other.port, concurrency: 1, name: "other")],
            schedule: .standard, transport: CurlTransport(client: client), metrics: DeliveryMetrics())

        let drain = Task { await worker.drain(batch: 8) }
        // Once the pause is in the store, the retry ends it while the other channel is still being delivered.
        var paused: [String: ChannelPause] = [:]
        for _ in 0..<500 where paused.isEmpty {
            paused = try await store.pausedChannels(at: Date())
            if paused.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(paused["crm"] != nil)
        let refused = try #require(try await store.deliveries(status: .failed, limit: 10).first { $0.channel == "crm" })
        #expect(try await store.retryDelivery(id: refused.id, now: Date()))
        #expect(await drain.value == 203, "the other channel's 200, the refused one twice and the one held back")
        #expect(crm.count == 3)
        #expect(try await store.deliveries(status: .delivered, limit: 500).count == 202)
        #expect(try await store.pausedChannels(at: Date()).isEmpty)
        await client.shutdown()
    }

    /// A webhook's body is rendered when its event is queued: its `timestamp` is the event's, and it shows the lead as
    /// the event left it, however much later it goes out. The headers are the attempt's, signed over that body.
    @Test func aWebhookTellsOfTheLeadAsItsEventLeftIt() async throws {
        let receiver = try ScriptedReceiver(answers: [], otherwise: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        defer { receiver.stop() }
        let store = try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite")
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let key = try #require(StandardWebhooks.key(fromSecret: secret))
        let channel = NotificationChannel(
            name: "crm", events: [.lead],
            kind: .webhook(WebhookSettings(url: "http://127.0.0.1:\(receiver.port)/hook", secrets: [key], headers: [], template: nil)),
            concurrency: 1, timeout: .seconds(30))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
        var intake = Self.record(email: "dana@acme.co.il", at: t0)
        intake.routes = NotificationRoutes([.lead: ["crm"]], renderer: ChannelBodies([channel]))
        let id = try await store.commit([intake])[0].leadID
        // An hour later, before anything was sent, a person takes the lead.
        let taken = t0.addingTimeInterval(3600)
        _ = try await store.update(leadID: id, actor: "avi", at: taken, recordedAt: taken, routes: NotificationRoutes()) { lead in
            var state = LeadState(of: lead)
            state.owner = "avi"
            return state
        }
        let sent = t0.addingTimeInterval(7200)
        let client = try CurlClient()
        let worker = OutboxWorker(
            store: store, channels: [channel], schedule: .standard, transport: CurlTransport(client: client), metrics: DeliveryMetrics(),
            now: { sent })
        #expect(await worker.drain() == 1)
        await client.shutdown()

        let request = try #require(receiver.requests.first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect((body["timestamp"] as? String)?.hasPrefix("2027-01-15T08:00:00") == true, "the event's time: \(body["timestamp"] ?? "none")")
        #expect(body["type"] as? String == "lead.lead")
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["id"] as? String == id)
        #expect(data["owner"] == nil, "the lead as it was queued, before it was taken")
        #expect((data["contact"] as? [String: Any])?["full_name"] as? String == "דנה כהן")
        let delivery = try #require(try await store.deliveries(status: .delivered, limit: 1).first)
        #expect(request.headers["webhook-id"] == delivery.id)
        #expect(request.headers["webhook-timestamp"] == "1800007200", "the attempt's time")
        #expect(request.headers["webhook-signature"] == StandardWebhooks.signature(id: delivery.id, timestamp: 1_800_007_200, body: request.body, keys: [key]))
        #expect(try await store.lead(id: id)?.owner == "avi")
    }

    /// A channel's queue as a busy drain uses it: another claim appended whenever fewer than half a batch wait, so it
    /// never runs empty. What was sent leaves it all the same (it held every delivery of the drain, bodies and all).
    @Test func aQueueThatNeverRunsEmptyDropsWhatWasSent() {
        var queue = OutboxWorker.ChannelQueue<Int>(concurrency: 32)
        var appended = 0, sent = 0, longest = 0
        for _ in 0..<2_000 {
            if queue.count < 128 {
                for _ in 0..<256 { queue.append(appended); appended += 1 }
            }
            let taken = queue.take()
            #expect(taken == Array(sent..<sent + 32), "in order, as many as the channel has room for")
            sent += taken.count
            queue.inFlight -= taken.count
            longest = max(longest, queue.waiting.count)
        }
        #expect(sent == 64_000)
        #expect(queue.count == appended - sent)
        #expect(longest <= 2 * (128 + 256), "the queue kept \(longest) deliveries, most of them sent")
    }

    @Test func aRetryAfterIsHonouredUpToTheSchedulesLongestDelay() async throws {
        let client = try CurlClient()
        let worker = OutboxWorker(
            store: try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite"),
            channels: [Self.channel(port: 9, concurrency: 1)], schedule: .standard,
            transport: CurlTransport(client: client), metrics: DeliveryMetrics())
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let delivery = Delivery(
            id: "msg_1", channel: "crm", event: .lead, leadID: "ld_1", status: .pending, attempts: 0, nextAttemptAt: t0,
            payload: nil, lastStatus: nil, lastError: nil, createdAt: t0)
        // The second delay of the standard schedule is 5 s; its longest is 10 h.
        #expect(worker.nextOutcome(after: delivery, retryAfter: 120, at: t0) == .retry(at: t0.addingTimeInterval(120)))
        #expect(worker.nextOutcome(after: delivery, retryAfter: 365 * 86_400, at: t0) == .retry(at: t0.addingTimeInterval(10 * 3600)))
        #expect(worker.cappedRetryAfter(365 * 86_400) == 10 * 3600)
        await client.shutdown()
    }

    static func record(email: String, at date: Date, channel: String = "crm") -> IntakeRecord {
        IntakeRecord(
            leadID: LeadID.make(prefix: "ld_", at: date), touchID: LeadID.make(prefix: "tc_", at: date), source: "website",
            lead: NormalizedLead(contact: Contact(fullName: "דנה כהן", email: email), attribution: Attribution(source: "website", sourceType: "web_form")),
            routes: NotificationRoutes([.lead: [channel]]), receivedAt: date, contentHash: email, dedupeSince: nil,
            payload: Array("{}".utf8), contentType: "application/json")
    }

    static func channel(port: Int, concurrency: Int, name: String = "crm") -> NotificationChannel {
        NotificationChannel(
            name: name, events: [.lead],
            kind: .webhook(WebhookSettings(url: "http://127.0.0.1:\(port)/hook", secrets: [], headers: [], template: nil)),
            concurrency: concurrency, timeout: .seconds(30))
    }

    @Test func aCancelledDrainReturnsWithoutWaitingForARequestThatHangs() async throws {
        let receiver = try SilentReceiver()
        defer { receiver.stop() }
        let store = try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite")
        _ = try await store.commit([Self.record(email: "dana@acme.co.il", at: Date())])
        let client = try CurlClient()
        let worker = OutboxWorker(
            store: store, channels: [Self.channel(port: receiver.port, concurrency: 4)], schedule: .standard,
            transport: CurlTransport(client: client), metrics: DeliveryMetrics())

        let drain = Task { await worker.drain() }
        var arrivals = receiver.requests.makeAsyncIterator()
        _ = await arrivals.next()  // the request is in flight, and its answer will not come for 30 s
        let clock = ContinuousClock()
        let cancelled = clock.now
        drain.cancel()
        #expect(await drain.value == 1)
        #expect(clock.now - cancelled < .seconds(5), "a cancelled drain waited for the request's timeout")
        // Not recorded: the delivery is still leased, and due again when the lease runs out.
        #expect(try await store.deliveries(status: .pending, limit: 10).map(\.attempts) == [0])
        await client.shutdown()
    }
}
