import Foundation
import LeadGateCore
import Logging

/// What an adapter may use from the gateway: a clock, a logger and an HTTP client (LeadGateCurl in the gateway).
public struct SourceServices: Sendable {
    /// The current time; tests inject a fixed or stepped clock.
    public var now: @Sendable () -> Date
    public var logger: Logger
    /// Reads platform APIs; nil where nothing may be fetched (`check-config`, adapter unit tests).
    public var http: (any HTTPFetching)?

    public init(
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "leadgate.source"), http: (any HTTPFetching)? = nil
    ) {
        self.now = now
        self.logger = logger
        self.http = http
    }
}

/// An adapter: the code behind one `type:` of source.
public protocol LeadSource: Sendable {
    /// The `type:` in config, e.g. `web_form`.
    static var type: String { get }
    /// The field map this adapter starts from before per-source overrides.
    static var defaultFieldMap: FieldMap { get }
    /// The configured source's name.
    var name: String { get }
    /// Reads and validates the adapter's own keys of its config block; problems go to `config`'s diagnostics.
    init(name: String, config: ConfigSection, services: SourceServices) throws
}

extension LeadSource {
    public static var defaultFieldMap: FieldMap { .common }
}

/// A source that is posted to: webhooks, form posts, raw MIME over HTTP.
public protocol PushSource: LeadSource {
    /// Answers requests that are not submissions (verification handshakes, CORS preflights); nil when `request` is a submission.
    func handshake(_ request: InboundRequest) async throws -> InboundResponse?
    /// Authenticates and parses a submission into drafts. Throws `SourceError`.
    func receive(_ request: InboundRequest) async throws -> [LeadDraft]
    /// The response to a committed submission when the adapter wants its own (a 303 redirect); nil for the JSON answer.
    func acknowledgement(for request: InboundRequest, results: [IntakeResult]) -> InboundResponse?
    /// Headers to add to every answer to `request`, errors included (CORS).
    func responseHeaders(for request: InboundRequest) -> [(name: String, value: String)]
}

extension PushSource {
    public func handshake(_ request: InboundRequest) async throws -> InboundResponse? { nil }
    public func acknowledgement(for request: InboundRequest, results: [IntakeResult]) -> InboundResponse? { nil }
    public func responseHeaders(for request: InboundRequest) -> [(name: String, value: String)] { [] }
}

/// A source that reads whole mail messages: an MTA's pipe (`leadgate ingest`) and IMAP hand it the bytes.
public protocol MIMESource: LeadSource {
    /// The drafts in one RFC 5322 message; throws `SourceError.malformed` when it cannot be read at all.
    func drafts(fromMIME bytes: [UInt8], receivedAt: Date) throws(SourceError) -> [LeadDraft]
}

/// Drafts fetched by a pull source and the cursor to commit with them.
public struct PollBatch: Sendable {
    public var drafts: [LeadDraft]
    public var cursor: String?

    public init(drafts: [LeadDraft], cursor: String?) {
        self.drafts = drafts
        self.cursor = cursor
    }
}

/// A source the gateway polls: IMAP, platform APIs.
public protocol PullSource: LeadSource {
    var interval: Duration { get }
    func poll(after cursor: String?) async throws -> PollBatch
}

/// A source whose notifications carry ids only; the pending touch is committed first and completed later.
public protocol EnrichingSource: LeadSource {
    func complete(_ pending: LeadDraft) async throws -> LeadDraft
}
