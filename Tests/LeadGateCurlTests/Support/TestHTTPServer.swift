import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as the test server received it.
struct RecordedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// Which TCP connection carried it, numbered from 1 in accept order.
    var connection: Int

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the test server does with a complete request.
enum TestReply: Sendable {
    case respond(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], delay: TimeAmount = .zero, chunked: Bool = false)
    /// Close the connection without a response.
    case close
    /// Never answer (until the client gives up or the server stops).
    case hang
}

/// A real HTTP/1.1 server on 127.0.0.1 (SwiftNIO) that records what arrives and answers as the test says.
final class TestHTTPServer: Sendable {
    enum Event: Sendable {
        case request(RecordedRequest)
        case connectionClosed
    }

    private struct State {
        var requests: [RecordedRequest] = []
        var connections: [any Channel] = []
        var inFlight = 0
        var peakInFlight = 0
    }

    let port: Int
    /// Requests and closed connections as they happen, for tests that wait on the server without sleeping.
    let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let reply: @Sendable (RecordedRequest) -> TestReply
    private let state = Mutex(State())
    private let listener = Mutex<(any Channel)?>(nil)

    private init(port: Int, reply: @escaping @Sendable (RecordedRequest) -> TestReply) {
        self.port = port
        self.reply = reply
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Starts a server on a free port. `backlog` and `accepting: false` let a test fill the accept queue.
    static func start(
        backlog: Int32 = 256, accepting: Bool = true,
        reply: @escaping @Sendable (RecordedRequest) -> TestReply = { _ in .respond(body: Array("ok".utf8)) }
    ) async throws -> TestHTTPServer {
        let box = Mutex<TestHTTPServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.autoRead, value: accepting)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let server = box.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    let connection = server.opened(channel)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(server: server, connection: connection))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
        let server = TestHTTPServer(port: port, reply: reply)
        server.listener.withLock { $0 = channel }
        box.withLock { $0 = server }
        return server
    }

    func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }
    var connectionCount: Int { state.withLock { $0.connections.count } }
    var peakInFlight: Int { state.withLock { $0.peakInFlight } }

    /// Closes the listener and every connection.
    func stop() async {
        let channels = listener.withLock { $0.take() }.map { [$0] } ?? []
        let connections = state.withLock { $0.connections }
        for channel in channels + connections { try? await channel.close() }
        eventSink.finish()
    }

    fileprivate func opened(_ channel: any Channel) -> Int {
        state.withLock { state in
            state.connections.append(channel)
            return state.connections.count
        }
    }

    fileprivate func closed() {
        eventSink.yield(.connectionClosed)
    }

    fileprivate func received(_ request: RecordedRequest) -> TestReply {
        let reply = reply(request)
        state.withLock { state in
            state.requests.append(request)
            state.inFlight += 1
            state.peakInFlight = max(state.peakInFlight, state.inFlight)
        }
        eventSink.yield(.request(request))
        return reply
    }

    fileprivate func responded() {
        state.withLock { $0.inFlight -= 1 }
    }
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: TestHTTPServer
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(server: TestHTTPServer, connection: Int) {
        self.server = server
        self.connection = connection
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.closed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let request = RecordedRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body, connection: connection)
            switch server.received(request) {
            case .close:
                context.close(promise: nil)
            case .hang:
                break
            case .respond(let status, let headers, let body, let delay, let chunked):
                if delay == .zero {
                    respond(context: context, version: head.version, status: status, headers: headers, body: body, chunked: chunked)
                } else {
                    context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                        self.respond(context: context, version: head.version, status: status, headers: headers, body: body, chunked: chunked)
                    }
                }
            }
        }
    }

    private func respond(
        context: ChannelHandlerContext, version: HTTPVersion, status: Int, headers: [(String, String)], body: [UInt8], chunked: Bool
    ) {
        var fields = HTTPHeaders(headers)
        fields.add(name: chunked ? "Transfer-Encoding" : "Content-Length", value: chunked ? "chunked" : "\(body.count)")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: fields)
        context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
        // A chunked body goes out in several pieces, so the client cannot know its size up front.
        let pieceSize = chunked ? 256 : max(body.count, 1)
        for start in stride(from: 0, to: body.count, by: pieceSize) {
            let piece = body[start..<min(start + pieceSize, body.count)]
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: piece)))), promise: nil)
        }
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        server.responded()
    }
}
