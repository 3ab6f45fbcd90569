/// What happened to a lead, as notifications subscribe to it (`on:` in config).
public enum LeadEvent: String, Sendable, Hashable, Codable, CaseIterable {
    /// A new lead was stored (any status but rejected).
    case lead
    /// A lead became an opportunity: qualified on arrival or on a later touch, or promoted by hand.
    case opportunity
    /// A new submission was stored as rejected.
    case rejected
    /// An opportunity moved to another stage (won and lost included).
    case stageChanged = "stage_changed"
}

/// Which notification channels take which events; the commit writes one outbox row per (event, channel).
public struct NotificationRoutes: Sendable, Hashable {
    private let channels: [LeadEvent: [String]]

    public init(_ channels: [LeadEvent: [String]] = [:]) {
        self.channels = channels
    }

    /// The channels subscribed to `event`, in config order.
    public func channels(for event: LeadEvent) -> [String] {
        channels[event] ?? []
    }

    public var isEmpty: Bool { channels.values.allSatisfy(\.isEmpty) }
}
