import CCurl

/// LeadGate's one outbound client: HTTP(S), SMTP and IMAP over libcurl.
///
/// Every transfer of a client runs on one dedicated thread through one libcurl multi handle, so many are in
/// flight at once, connections are reused across calls, and no Swift concurrency thread ever blocks on the
/// network. Async calls suspend until the loop thread resumes them; cancelling the calling task removes its
/// transfer. Make one client for the process and call `shutdown()` when done.
public final class CurlClient: Sendable {
    /// The defaults every transfer starts from.
    public let configuration: CurlConfiguration
    private let loop: TransferLoop

    /// Starts the client's loop thread. Throws when libcurl cannot initialize or the configuration is unusable.
    public init(configuration: CurlConfiguration = CurlConfiguration()) throws(CurlError) {
        try ProtocolText.checkSingleLine(configuration.userAgent, "the user agent")
        self.configuration = configuration
        loop = try TransferLoop(
            maxConnectionsPerHost: configuration.maxConnectionsPerHost, maxIdleConnections: configuration.maxIdleConnections)
    }

    deinit {
        loop.requestStop()
    }

    /// Fails every transfer still in flight with `CurlError.Code.cancelled` and stops the loop thread.
    ///
    /// Calls made after it fail at once. Drain your own work first for a graceful stop.
    public func shutdown() async {
        await loop.stop()
    }

    /// Runs `transfer` on the loop and maps its outcome; used by the protocol front ends.
    func run(_ transfer: Transfer) async throws(CurlError) -> TransferOutcome {
        try await loop.perform(transfer).get()
    }

    /// Starts `transfer` on the loop; `completion` gets its outcome on the loop thread.
    func start(_ transfer: Transfer, completion: @escaping @Sendable (Result<TransferOutcome, CurlError>) -> Void) {
        loop.start(transfer, completion: completion)
    }

    /// The limits of one transfer: the call's own where given, else the configuration's.
    func limits(timeout: Duration?, connectTimeout: Duration?, maxResponseBodySize: Int?) -> TransferLimits {
        TransferLimits(
            connectTimeout: connectTimeout ?? configuration.connectTimeout,
            timeout: timeout ?? configuration.timeout,
            maxResponseBodySize: maxResponseBodySize ?? configuration.maxResponseBodySize)
    }
}

/// Defaults for every transfer of a `CurlClient`; requests and servers can override the limits one by one.
public struct CurlConfiguration: Sendable {
    /// The longest a TCP (and TLS) connect may take.
    public var connectTimeout: Duration
    /// The longest a whole transfer may take, connect included.
    public var timeout: Duration
    /// Responses with a larger body fail with `CurlError.Code.responseTooLarge` instead of filling memory.
    public var maxResponseBodySize: Int
    /// Whether HTTP redirects are followed; by default they are returned as they are.
    public var redirects: RedirectPolicy
    /// A PEM file of CA certificates to verify servers against; nil uses libcurl's built-in default (the system's).
    ///
    /// Verification itself is always on: point this at your own CA for servers with a private certificate.
    public var caBundlePath: String?
    /// The `User-Agent` of HTTP requests.
    public var userAgent: String
    /// At most this many connections to one host at a time (more transfers wait their turn); nil for no limit.
    public var maxConnectionsPerHost: Int?
    /// How many connections are kept open for reuse, at least: the cache grows to the most transfers that have been
    /// in flight at once, and never shrinks. (libcurl's own default follows how many transfers are in flight, so a
    /// lull closed the connections a moment later opened again: 347 handshakes in a drain of 20,000 deliveries over
    /// 32 connections.)
    public var maxIdleConnections: Int

    /// The defaults: 10 s to connect, 30 s in all, 8 MiB of body, no redirects, the system's CAs, 64 idle connections.
    public init(
        connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30),
        maxResponseBodySize: Int = 8 * 1024 * 1024, redirects: RedirectPolicy = .none,
        caBundlePath: String? = nil, userAgent: String = "LeadGate", maxConnectionsPerHost: Int? = nil,
        maxIdleConnections: Int = 64
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxResponseBodySize = maxResponseBodySize
        self.redirects = redirects
        self.caBundlePath = caBundlePath
        self.userAgent = userAgent
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.maxIdleConnections = maxIdleConnections
    }
}

/// What an HTTP transfer does with a 3xx answer.
public enum RedirectPolicy: Sendable, Hashable {
    /// Return the 3xx response itself (the default: a webhook receiver that redirects is misconfigured).
    case none
    /// Follow up to `max` redirects, to http and https URLs only.
    case follow(max: Int)
}
