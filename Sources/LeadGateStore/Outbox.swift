import Foundation
import LeadGateCore

/// Where a delivery stands.
public enum DeliveryStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not attempted yet.
    case pending
    /// Attempted, failed, and scheduled for another try.
    case failed
    case delivered
    /// Every attempt failed, or the channel is gone (410): no more tries unless retried by hand.
    case dead
}

/// One notification of one event to one channel, as kept in the outbox.
public struct Delivery: Sendable, Hashable, Codable {
    /// Stable across retries (the receiver's dedupe key: `webhook-id`).
    public var id: String
    public var channel: String
    public var event: LeadEvent
    public var leadID: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Date
    /// The body every attempt sends: rendered when the event was queued, or kept from the first attempt of a
    /// delivery queued without one; nil until then.
    public var payload: [UInt8]?
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Date

    public init(
        id: String, channel: String, event: LeadEvent, leadID: String, status: DeliveryStatus, attempts: Int,
        nextAttemptAt: Date, payload: [UInt8]?, lastStatus: Int?, lastError: String?, createdAt: Date
    ) {
        self.id = id
        self.channel = channel
        self.event = event
        self.leadID = leadID
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.payload = payload
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, channel, event, leadID = "lead_id", status, attempts, nextAttemptAt = "next_attempt_at"
        case lastStatus = "last_status", lastError = "last_error", createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(channel, forKey: .channel)
        try container.encode(event, forKey: .event)
        try container.encode(leadID, forKey: .leadID)
        try container.encode(status, forKey: .status)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encodeIfPresent(lastStatus, forKey: .lastStatus)
        try container.encodeIfPresent(lastError, forKey: .lastError)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// One attempt at a delivery: when, what came back, how long it took.
public struct DeliveryAttempt: Sendable, Hashable, Codable {
    public var at: Date
    public var status: Int?
    public var latencyMilliseconds: Int
    public var error: String?
    /// The first bytes of the receiver's answer, for people debugging a failing receiver.
    public var response: String?

    public init(at: Date, status: Int?, latencyMilliseconds: Int, error: String?, response: String?) {
        self.at = at
        self.status = status
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
        self.response = response
    }

    enum CodingKeys: String, CodingKey {
        case at, status, latencyMilliseconds = "latency_ms", error, response
    }
}

/// A channel whose receiver asked it to wait (429 or 503 with `Retry-After`).
public struct ChannelPause: Sendable, Hashable, Encodable {
    public var until: Date
    public var reason: String

    public init(until: Date, reason: String) {
        self.until = until
        self.reason = reason
    }
}

/// What the worker decided after an attempt.
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered
    case retry(at: Date)
    case dead
    /// The receiver said the endpoint is gone (410): this delivery is dead and the channel stops.
    case disableChannel(reason: String)
}

/// One finished attempt and the decision that follows from it, as the worker records it.
public struct AttemptRecord: Sendable, Hashable {
    public var deliveryID: String
    public var attempt: DeliveryAttempt
    public var outcome: DeliveryOutcome
    /// The body this attempt sent, kept for the attempts to come so they send the same bytes; nil when the
    /// delivery is done or its body is kept already. A body once kept is never replaced.
    public var payload: [UInt8]?
    /// Set when the receiver asked the whole channel to wait (429 or 503 with `Retry-After`): no delivery of the
    /// channel is claimed before then.
    public var pauseChannelUntil: Date?

    public init(
        deliveryID: String, attempt: DeliveryAttempt, outcome: DeliveryOutcome, payload: [UInt8]? = nil, pauseChannelUntil: Date? = nil
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.outcome = outcome
        self.payload = payload
        self.pauseChannelUntil = pauseChannelUntil
    }
}
