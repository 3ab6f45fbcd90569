import Foundation

/// An outbound HTTP request of a channel.
public struct OutboundRequest: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration

    public init(url: String, headers: [(name: String, value: String)], body: [UInt8], timeout: Duration) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// What a receiver answered.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// A message for an SMTP server.
public struct OutboundMail: Sendable {
    public var server: String
    public var username: String?
    public var password: String?
    public var from: String
    public var recipients: [String]
    /// The whole RFC 5322 message, CRLF line ends.
    public var message: [UInt8]
    public var timeout: Duration

    public init(server: String, username: String?, password: String?, from: String, recipients: [String], message: [UInt8], timeout: Duration) {
        self.server = server
        self.username = username
        self.password = password
        self.from = from
        self.recipients = recipients
        self.message = message
        self.timeout = timeout
    }
}

/// How the worker reaches receivers: LeadGateCurl in the gateway (every outbound call goes through libcurl).
public protocol DeliveryTransport: Sendable {
    /// POSTs `request` without waiting: `completion` gets the answer, or why none came (refused, timed out, TLS),
    /// once, on a thread of the transport's, where it must be brief.
    func start(_ request: OutboundRequest, completion: @escaping @Sendable (Result<OutboundResponse, any Error>) -> Void)
    /// Sends `mail`; throws with the server's complaint when it refuses.
    func send(_ mail: OutboundMail) async throws
}
