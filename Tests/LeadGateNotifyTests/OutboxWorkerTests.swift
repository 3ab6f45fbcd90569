import Foundation
import Glibc
import LeadGateCore
import LeadGateCurl
import LeadGateStore
import Synchronization
import Testing
@testable import LeadGateNotify

/// A port on 127.0.0.1 that takes connections and never answers; `requests` yields once for each connection whose
/// first bytes arrived (the kernel completes the handshake, a thread of its own accepts and reads).
private final class SilentReceiver: Sendable {
    let port: Int
    let requests: AsyncStream<Void>
    private let socket: Int32
    /// The connections accepted so far, closed by `stop`.
    private let connections = Mutex<[Int32]>([])

    init() throws {
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
        socket = listener
        port = Int(UInt16(bigEndian: address.sin_port))
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

@Suite(.timeLimit(.minutes(1))) struct OutboxWorkerTests {
    @Test func aCancelledDrainReturnsWithoutWaitingForARequestThatHangs() async throws {
        let receiver = try SilentReceiver()
        defer { receiver.stop() }
        let store = try SQLiteLeadStore(path: NSTemporaryDirectory() + "leadgate-worker-\(UUID().uuidString).sqlite")
        let now = Date()
        _ = try await store.commit([IntakeRecord(
            leadID: LeadID.make(prefix: "ld_", at: now), touchID: LeadID.make(prefix: "tc_", at: now), source: "website",
            lead: NormalizedLead(contact: Contact(fullName: "דנה כהן", email: "dana@acme.co.il"), attribution: Attribution(source: "website", sourceType: "web_form")),
            routes: NotificationRoutes([.lead: ["crm"]]), receivedAt: now, contentHash: "h", dedupeSince: nil,
            payload: Array("{}".utf8), contentType: "application/json")])
        let client = try CurlClient()
        let channel = NotificationChannel(
            name: "crm", events: [.lead],
            kind: .webhook(WebhookSettings(url: "http://127.0.0.1:\(receiver.port)/hook", secrets: [], headers: [], template: nil)),
            concurrency: 4, timeout: .seconds(30))
        let worker = OutboxWorker(
            store: store, channels: [channel], schedule: .standard, transport: CurlTransport(client: client), metrics: DeliveryMetrics())

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
