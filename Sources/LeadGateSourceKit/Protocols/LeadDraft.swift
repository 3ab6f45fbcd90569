import Foundation
import LeadGateCore

/// One submission parsed by an adapter, before normalization: the fields as the source named them.
public struct LeadDraft: Sendable, Hashable {
    public var fields: [RawField]
    /// The sender's own id of this submission, when it gives one (idempotency key with the source name).
    public var externalID: String?
    /// When the submission really happened; the request's receive time unless the source says otherwise.
    public var receivedAt: Date
    /// Set when the adapter already knows the submission must be kept as rejected (e.g. `honeypot`).
    public var rejection: String?
    /// A test submission from the platform (kept, marked, left out of reports).
    public var isTest: Bool
    /// The bytes of this submission when they differ from the request body (one entry of a batch).
    public var rawPayload: [UInt8]?

    public init(
        fields: [RawField], externalID: String? = nil, receivedAt: Date, rejection: String? = nil,
        isTest: Bool = false, rawPayload: [UInt8]? = nil
    ) {
        self.fields = fields
        self.externalID = externalID
        self.receivedAt = receivedAt
        self.rejection = rejection
        self.isTest = isTest
        self.rawPayload = rawPayload
    }
}

/// What became of one draft, as the sender is told.
public struct IntakeResult: Sendable, Hashable, Codable {
    public var id: String
    public var status: LeadStatus
    public var duplicate: Bool

    public init(id: String, status: LeadStatus, duplicate: Bool) {
        self.id = id
        self.status = status
        self.duplicate = duplicate
    }
}
