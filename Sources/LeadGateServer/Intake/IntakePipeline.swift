import Crypto
import Foundation
import LeadGateCore
import LeadGateSourceKit
import LeadGateStore

/// What became of one draft of a request.
public struct DraftOutcome: Sendable {
    public var leadID: String
    public var status: LeadStatus
    public var kind: IntakeOutcome.Kind
    /// Why the draft was stored as rejected, when it was.
    public var rejectReason: String?
}

/// The stages after an adapter's receive: normalize, then identify, qualify, assign and commit (in the
/// store's writer). Answers only after the commit is durable.
public struct IntakePipeline: Sendable {
    public let store: any LeadStore
    /// The products' criteria and assignment; nil when no products are configured.
    public let qualifier: (any LeadQualifier)?
    public let routes: NotificationRoutes
    public let now: @Sendable () -> Date

    public init(store: any LeadStore, qualifier: (any LeadQualifier)?, routes: NotificationRoutes = NotificationRoutes(), now: @escaping @Sendable () -> Date) {
        self.store = store
        self.qualifier = qualifier
        self.routes = routes
        self.now = now
    }

    /// Runs `drafts` of `source` through the pipeline; `request` supplies the payload, content type and referrer.
    public func process(_ drafts: [LeadDraft], from source: ConfiguredSource, request: InboundRequest) async throws -> [DraftOutcome] {
        let records = drafts.map { record(for: $0, from: source, request: request) }
        let outcomes = try await store.commit(records)
        return outcomes.map { outcome in
            DraftOutcome(leadID: outcome.leadID, status: outcome.status, kind: outcome.kind, rejectReason: outcome.rejectReason)
        }
    }

    /// Commits `draft`, the platform's answers for pending lead `pendingID`, through the same stages: the pending
    /// lead becomes the completed lead under its id (or a touch of the person it turns out to be).
    public func complete(_ pendingID: String, with draft: LeadDraft, from source: ConfiguredSource) async throws -> DraftOutcome {
        let request = InboundRequest(method: "GET", path: "/", body: [], receivedAt: draft.receivedAt)
        var record = record(for: draft, from: source, request: request)
        record.leadID = pendingID
        record.completing = pendingID
        // Completion is not a submission of its own: no content-hash replay window applies.
        record.dedupeSince = nil
        guard let outcome = try await store.commit([record]).first else {
            throw StoreError(code: "no_outcome", message: "the store answered nothing for lead \(pendingID)")
        }
        return DraftOutcome(leadID: outcome.leadID, status: outcome.status, kind: outcome.kind, rejectReason: outcome.rejectReason)
    }

    func record(for draft: LeadDraft, from source: ConfiguredSource, request: InboundRequest) -> IntakeRecord {
        let context = IntakeContext(
            source: source.name, sourceType: type(of: source.adapter).type, defaultRegion: source.defaultRegion,
            receivedAt: draft.receivedAt, referrer: request.header("Referer")
        )
        let lead = source.normalizer.normalize(draft.fields, context: context, externalID: draft.externalID)
        let window = source.dedupeWindow.timeInterval
        return IntakeRecord(
            leadID: LeadID.make(prefix: "ld_", at: draft.receivedAt),
            touchID: LeadID.make(prefix: "tc_", at: draft.receivedAt),
            source: source.name, lead: lead, rejection: draft.rejection, qualifier: qualifier, routes: routes, isTest: draft.isTest,
            receivedAt: draft.receivedAt,
            // A submission with its own id is a replay by that id; the content hash only tells apart those without one.
            contentHash: draft.externalID == nil ? Self.contentHash(draft.fields) : "",
            dedupeSince: window > 0 ? draft.receivedAt.addingTimeInterval(-window) : nil,
            payload: draft.rawPayload ?? request.body, contentType: request.header("Content-Type")
        )
    }

    /// The first 64 bits of SHA-256 over the fields in key order, so the same form sent twice hashes the
    /// same whatever the field order (64 bits: a collision within one source's window is not a concern).
    static func contentHash(_ fields: [RawField]) -> String {
        var hasher = SHA256()
        // Each text straight from its UTF-8 storage (no array per field), each followed by a 0 byte.
        func update(_ text: String) {
            text.lendingUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        }
        for field in fields.sorted(by: { ($0.key, $0.value) < ($1.key, $1.value) }) {
            update(field.key)
            update(field.value)
        }
        return Signature.hexEncoded(hasher.finalize().prefix(8))
    }
}
