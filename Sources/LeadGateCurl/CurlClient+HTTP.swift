import CCurl

/// One outbound HTTP request; nil limits fall back to the client's `CurlConfiguration`.
public struct HTTPClientRequest: Sendable {
    /// `GET`, `POST`, `PUT`, ...: any RFC 9110 token.
    public var method: String
    /// An `http` or `https` URL; other schemes are refused.
    public var url: String
    /// Header fields in order. Values with CR, LF or NUL are refused, never sent.
    public var headers: [(name: String, value: String)]
    /// The request body; nil sends none. Any method may carry one.
    public var body: [UInt8]?
    public var timeout: Duration?
    public var connectTimeout: Duration?
    public var maxResponseBodySize: Int?
    public var redirects: RedirectPolicy?

    /// A request; by default a GET without a body, with the client's limits.
    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration? = nil, connectTimeout: Duration? = nil, maxResponseBodySize: Int? = nil,
        redirects: RedirectPolicy? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBodySize = maxResponseBodySize
        self.redirects = redirects
    }
}

/// The answer to an `HTTPClientRequest`, whatever its status: a 4xx or 5xx is a response, not an error.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// The final response's header fields in order; look them up with `header(_:)`, which ignores case.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// From the start of the transfer to the end of the body, as libcurl measured it.
    public var totalTime: Duration

    init(_ outcome: TransferOutcome) {
        self.init(status: outcome.responseCode, headers: outcome.headers, body: outcome.body, totalTime: outcome.totalTime)
    }

    /// A response as `perform` returns it; public so that tests of callers can build one.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8], totalTime: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.totalTime = totalTime
    }

    /// The first value of header `name`, ignoring case (`Retry-After`, `Content-Type`).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of header `name` in order, ignoring case (`Set-Cookie`, `Link`).
    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

extension CurlClient {
    /// Sends `request` and returns the response, whatever its status.
    ///
    /// Throws `CurlError` when no complete response arrived: refused, timed out, too large, cancelled, or a
    /// request that could inject header lines.
    public func perform(_ request: HTTPClientRequest) async throws(CurlError) -> HTTPClientResponse {
        HTTPClientResponse(try await run(transfer(for: request)))
    }

    /// Sends `request` without waiting: `completion` gets the response, or the error `perform` would throw, on the
    /// client's loop thread, where it must be brief (every other transfer waits while it runs).
    ///
    /// For callers that keep many requests in flight and collect their answers in batches, without a task for
    /// each. Nothing cancels it but `shutdown()`; a request that could inject header lines fails at once.
    public func start(_ request: HTTPClientRequest, completion: @escaping @Sendable (Result<HTTPClientResponse, CurlError>) -> Void) {
        let transfer: Transfer
        do {
            transfer = try self.transfer(for: request)
        } catch {
            return completion(.failure(error))
        }
        start(transfer) { completion($0.map(HTTPClientResponse.init)) }
    }

    private func transfer(for request: HTTPClientRequest) throws(CurlError) -> Transfer {
        let transfer = try Transfer(
            url: request.url, protocols: "http,https",
            limits: limits(timeout: request.timeout, connectTimeout: request.connectTimeout, maxResponseBodySize: request.maxResponseBodySize),
            caBundlePath: configuration.caBundlePath)
        try configure(transfer, for: request)
        return transfer
    }

    private func configure(_ transfer: Transfer, for request: HTTPClientRequest) throws(CurlError) {
        try ProtocolText.checkToken(request.method, "the method")
        var lines: [String] = []
        for (name, value) in request.headers {
            try ProtocolText.checkToken(name, "a header name")
            try ProtocolText.checkSingleLine(value, "header \(name)")
            // "Name:" alone would tell libcurl to drop its own header of that name; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !request.headers.contains(where: { $0.name.lowercased() == "expect" }) {
            // libcurl otherwise waits up to a second for `100 Continue` before sending a larger body.
            lines.append("Expect:")
        }
        try transfer.set(CURLOPT_HTTPHEADER, list: lines)
        try transfer.set(CURLOPT_USERAGENT, configuration.userAgent)
        try transfer.collectHeaders()

        // Methods are case-sensitive (RFC 9110), so `post` is sent as a custom one.
        let method = request.method
        if let body = request.body {
            try transfer.setCopiedBody(body)
            if method != "POST" { try transfer.set(CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "HEAD" {
            try transfer.set(CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            try transfer.set(CURLOPT_CUSTOMREQUEST, method)
        }

        switch request.redirects ?? configuration.redirects {
        case .none:
            try transfer.set(CURLOPT_FOLLOWLOCATION, 0)
        case .follow(let max):
            try transfer.set(CURLOPT_FOLLOWLOCATION, 1)
            try transfer.set(CURLOPT_MAXREDIRS, max)
            try transfer.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
    }
}
