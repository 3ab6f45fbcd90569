import Foundation
import LeadGateCore

/// One submission ready to commit: normalized, with the ids it gets if it turns out new.
public struct IntakeRecord: Sendable {
    /// The id a new lead gets; unused when the submission joins an existing lead.
    public var leadID: String
    public var touchID: String
    public var source: String
    public var lead: NormalizedLead
    /// Set when the adapter already refused the submission (`honeypot`): it is kept as rejected, unqualified.
    public var rejection: String?
    /// Decides status, product and owner; without one a lead is `lead`, or `rejected` when unreachable.
    public var qualifier: (any LeadQualifier)?
    /// The notification channels per event: their outbox rows are written in the same transaction.
    public var routes: NotificationRoutes
    public var isTest: Bool
    public var receivedAt: Date
    /// Hash of the submission's content; with `dedupeSince`, a repeat of the same content is the same touch.
    /// Empty for a submission with an external id (a replay of it is found by that id).
    public var contentHash: String
    /// Content-hash duplicates received after this moment are replays (the double-clicked submit).
    public var dedupeSince: Date?
    public var payload: [UInt8]
    public var contentType: String?
    /// The `pending_fetch` lead this record completes with the platform's answers: the pending lead gives way to
    /// it under the same id (or becomes a touch of the person it turns out to be), keeping its notification as payload.
    public var completing: String?

    public init(
        leadID: String, touchID: String, source: String, lead: NormalizedLead, rejection: String? = nil,
        qualifier: (any LeadQualifier)? = nil, routes: NotificationRoutes = NotificationRoutes(), isTest: Bool = false,
        receivedAt: Date, contentHash: String,
        dedupeSince: Date?, payload: [UInt8], contentType: String?, completing: String? = nil
    ) {
        self.leadID = leadID
        self.touchID = touchID
        self.source = source
        self.lead = lead
        self.rejection = rejection
        self.qualifier = qualifier
        self.routes = routes
        self.isTest = isTest
        self.receivedAt = receivedAt
        self.contentHash = contentHash
        self.dedupeSince = dedupeSince
        self.payload = payload
        self.contentType = contentType
        self.completing = completing
    }
}

/// A `pending_fetch` lead whose answers are due to be fetched from its platform.
public struct PendingFetch: Sendable, Hashable {
    public var leadID: String
    public var source: String
    /// The platform's id of the lead (Meta's leadgen id, LinkedIn's response URN).
    public var externalID: String?
    /// The notification's fields as stored (they carry `_pending_fetch`).
    public var fields: [String: String]
    public var receivedAt: Date
    public var isTest: Bool
    /// Attempts made before this one.
    public var attempts: Int

    public init(leadID: String, source: String, externalID: String?, fields: [String: String], receivedAt: Date, isTest: Bool, attempts: Int) {
        self.leadID = leadID
        self.source = source
        self.externalID = externalID
        self.fields = fields
        self.receivedAt = receivedAt
        self.isTest = isTest
        self.attempts = attempts
    }
}

/// What the commit made of one submission.
public struct IntakeOutcome: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A new lead with its first touch.
        case created
        /// A new touch on a lead that was already there (same email, else phone).
        case touched
        /// The same submission again (same external id, or same content within the window): nothing written.
        case replay
    }

    public var leadID: String
    public var status: LeadStatus
    public var kind: Kind
    /// Why the lead is rejected, when it is.
    public var rejectReason: String?

    public init(leadID: String, status: LeadStatus, kind: Kind, rejectReason: String? = nil) {
        self.leadID = leadID
        self.status = status
        self.kind = kind
        self.rejectReason = rejectReason
    }
}

/// An authenticated request that could not be parsed, kept whole for replay after a fix.
public struct QuarantineEntry: Sendable, Hashable, Codable {
    public var id: String
    public var source: String
    public var receivedAt: Date
    public var code: String
    public var message: String
    public var method: String
    public var path: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        id: String, source: String, receivedAt: Date, code: String, message: String,
        method: String, path: String, headers: [String: String], body: [UInt8]
    ) {
        self.id = id
        self.source = source
        self.receivedAt = receivedAt
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    enum CodingKeys: String, CodingKey {
        case id, source, receivedAt = "received_at", code, message, method, path, headers, body
    }
}

/// Filters and paging of a lead listing. Leads come newest first; `after` is the `next` of the previous page.
public struct LeadQuery: Sendable, Hashable {
    public var status: LeadStatus?
    public var source: String?
    public var product: String?
    public var owner: String?
    public var since: Date?
    /// Free text matched against name, email, phone and company.
    public var text: String?
    public var after: String?
    public var limit: Int

    public init(
        status: LeadStatus? = nil, source: String? = nil, product: String? = nil, owner: String? = nil,
        since: Date? = nil, text: String? = nil, after: String? = nil, limit: Int = 50
    ) {
        self.status = status
        self.source = source
        self.product = product
        self.owner = owner
        self.since = since
        self.text = text
        self.after = after
        self.limit = limit
    }
}

/// One page of leads and the cursor of the next, nil on the last page.
public struct LeadPage: Sendable {
    public var leads: [Lead]
    public var next: String?

    public init(leads: [Lead], next: String?) {
        self.leads = leads
        self.next = next
    }
}

/// Why the store failed; `code` is stable for API errors.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

/// The parts of a lead a person changes through the admin API (outcomes from the CRM, promotions).
public struct LeadState: Sendable, Hashable {
    public var status: LeadStatus
    public var rejectReason: String?
    public var product: String?
    public var owner: String?
    public var opportunity: Opportunity?

    public init(status: LeadStatus, rejectReason: String? = nil, product: String?, owner: String?, opportunity: Opportunity?) {
        self.status = status
        self.rejectReason = rejectReason
        self.product = product
        self.owner = owner
        self.opportunity = opportunity
    }

    public init(of lead: Lead) {
        self.init(status: lead.status, rejectReason: lead.rejectReason, product: lead.product, owner: lead.owner, opportunity: lead.opportunity)
    }
}

/// One recorded change of a lead: who, when it really happened, when it was recorded, from → to.
public struct HistoryEntry: Sendable, Hashable, Codable {
    public var at: Date
    public var recordedAt: Date
    public var actor: String
    public var field: String
    public var from: String?
    public var to: String?

    public init(at: Date, recordedAt: Date, actor: String, field: String, from: String?, to: String?) {
        self.at = at
        self.recordedAt = recordedAt
        self.actor = actor
        self.field = field
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey {
        case at, recordedAt = "recorded_at", actor, field, from, to
    }
}

/// Durable storage of leads, touches and quarantine. Implementations: SQLite (GRDB) now, PostgreSQL later;
/// callers see only this protocol.
public protocol LeadStore: Sendable {
    /// Identifies and commits submissions in one durable transaction (shared with concurrent callers:
    /// group commit). Returns only after the data is durable. Outcomes are in the order of `records`.
    func commit(_ records: [IntakeRecord]) async throws -> [IntakeOutcome]
    /// Keeps an unparsable request whole; returns after it is durable.
    func quarantine(_ entry: QuarantineEntry) async throws
    func lead(id: String) async throws -> Lead?
    func leads(_ query: LeadQuery) async throws -> LeadPage
    func quarantined(limit: Int) async throws -> [QuarantineEntry]
    /// Changes a lead atomically: `change` gets the lead as stored and returns its new state (or throws to
    /// refuse); every field that differs is written with a history row. Nil when there is no such lead.
    func update(
        leadID: String, actor: String, at date: Date, recordedAt: Date, routes: NotificationRoutes,
        _ change: @escaping @Sendable (Lead) throws -> LeadState
    ) async throws -> Lead?
    /// Deliveries that are due at `now` and not leased, leased to the caller until `leaseUntil` (a worker
    /// that dies mid-delivery leaves its lease to expire, and the delivery is tried again: at least once).
    func claimDeliveries(now: Date, leaseUntil: Date, limit: Int) async throws -> [Delivery]
    /// Ends the leases of a worker that is gone: the embedded store has one gateway, so at start-up every
    /// delivery leased before is one a crash left in flight, due again now.
    func releaseDeliveryLeases() async throws
    /// The leads with these ids (those that exist), for rendering a batch of deliveries in one read.
    func leads(ids: [String]) async throws -> [String: Lead]
    /// Records attempts, what follows from each and the bodies to send again, in one transaction; also ends the
    /// leases of `released` deliveries, claimed and not sent (due again at once, unless their channel is paused).
    func recordAttempts(_ records: [AttemptRecord], releasing released: [String]) async throws
    /// Deliveries newest first, optionally of one status.
    func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [Delivery]
    func attempts(deliveryID: String) async throws -> [DeliveryAttempt]
    /// Makes a failed or dead delivery due now (manual replay); false when there is no such delivery or it was delivered.
    func retryDelivery(id: String, now: Date) async throws -> Bool
    /// Channels a receiver turned off (410 Gone), with why.
    func disabledChannels() async throws -> [String: String]
    /// Channels whose receiver asked them to wait, with pauses that still run at `now`.
    func pausedChannels(at now: Date) async throws -> [String: ChannelPause]
    /// Calls `body` with every lead of `product` created since `since`, oldest first, for backtests.
    func replay(product: String, since: Date?, _ body: @escaping @Sendable (ReplayLead) throws -> Void) async throws
    /// The recorded changes of a lead, oldest first.
    func history(leadID: String) async throws -> [HistoryEntry]
    /// Records that `product`'s criteria `version` has `rulesHash`; throws `StoreError` with code
    /// `criteria_changed` when that version was recorded before with other rules (edit without a version bump).
    func registerCriteria(product: String, version: Int, rulesHash: String, at date: Date) async throws
    /// Throws when the store cannot be reached (readiness).
    /// Takes up to `limit` pending fetches due at `now`, and hides them from other takers until `leaseUntil`
    /// (a worker that dies mid-fetch leaves them to be taken again then).
    func claimPendingFetches(now: Date, leaseUntil: Date, limit: Int) async throws -> [PendingFetch]
    /// Records a failed fetch of `leadID`: its state, attempts, next attempt and error, visible on the lead.
    func recordFetchFailure(leadID: String, status: FetchStatus, at date: Date) async throws
    /// How many pending fetches each source has, by state.
    func pendingFetchCounts() async throws -> [String: [FetchStatus.State: Int]]
    /// A pull source's saved position (an IMAP mailbox's UIDVALIDITY and last UID), nil before the first.
    func cursor(source: String) async throws -> String?
    func saveCursor(_ cursor: String, source: String, at date: Date) async throws
    func ping() async throws

    // MARK: - Reports

    /// Non-test opportunities (status `opportunity`, a stage) that matter to a forecast of the days `fromDay`
    /// to `toDay` (`YYYY-MM-DD`, both included, local days of the caller's time zone; give whole buckets): every
    /// open one expected to close in those days or without an expected close (placed by its creation and the
    /// product's cycle; the caller buckets them, and drops those outside), and every won or lost one
    /// closed from the day before `fromDay` to the day after `toDay` in UTC (a day of slack either side for
    /// any time zone) or without a `closedAt` (bucketed as open ones are). Throws for a day that is not `YYYY-MM-DD`.
    func forecastLeads(fromDay: String, toDay: String) async throws -> [ReportLead]
    /// The funnel's tallies per group of `grouping`, counted by the store, of the leads created in
    /// [`since`, `until`) (either end open when nil); test and rejected leads only when asked for.
    /// For `Funnel.rows(counts:)`; a group may come in several parts.
    func funnelCounts(grouping: FunnelGrouping, includeTest: Bool, includeRejected: Bool, since: Date?, until: Date?) async throws -> [FunnelCounts]
    /// What `AsOfDay` needs to rebuild the opportunities as they stood at `cutoff`: every lead created before
    /// `cutoff` that is an opportunity now (a stage) or has a `stage` or `status` change at or after `cutoff`
    /// (it may have been one then), each with its changes at or after `cutoff` (the earlier ones are already
    /// in its state), oldest first by effective time (`at`, then the order they were recorded).
    func forecastLeadsAsOf(cutoff: Date) async throws -> [(lead: ReportLead, changes: [LeadChange])]
    /// The outcomes `StageProbabilities` learns from: for each won or lost non-test opportunity of a product,
    /// one observation per distinct open stage it passed through (the stage it opened in, and every stage its
    /// history moved it to).
    func stageObservations() async throws -> [StageObservation]
    /// Stores forecast snapshots, each replacing any stored one of the same period, grouping, group and currency.
    func saveForecastSnapshots(_ snapshots: [ForecastSnapshot], takenAt: Date) async throws
    /// The stored snapshots of `grouping`, by period, group (nil first) and currency.
    func forecastSnapshots(grouping: ForecastGrouping) async throws -> [ForecastSnapshot]
}
