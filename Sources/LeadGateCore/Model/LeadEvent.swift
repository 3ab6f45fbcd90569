import Foundation

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

/// Which notification channels take which events; the commit writes one outbox row per (event, channel), with the
/// body `renderer` makes of the lead as that transaction leaves it.
public struct NotificationRoutes: Sendable {
    private let channels: [LeadEvent: [String]]
    /// Writes each notification's body as its event is queued; without one (or where it gives nil) the body is
    /// rendered at the first attempt.
    public let renderer: (any NotificationBodyRenderer)?

    public init(_ channels: [LeadEvent: [String]] = [:], renderer: (any NotificationBodyRenderer)? = nil) {
        self.channels = channels
        self.renderer = renderer
    }

    /// The channels subscribed to `event`, in config order.
    public func channels(for event: LeadEvent) -> [String] {
        channels[event] ?? []
    }

    public var isEmpty: Bool { channels.values.allSatisfy(\.isEmpty) }
}

/// Renders what a channel sends for an event, from the lead as it stands when the event happens.
///
/// A body rendered then is what every attempt sends: the receiver gets the lead as it was at the event, however
/// long the delivery waits, and the delivery does not read the lead again.
public protocol NotificationBodyRenderer: Sendable {
    /// The body of delivery `deliveryID` of `event` to `channel`; nil when it cannot be rendered now (the first
    /// attempt renders it again and records why it fails).
    func body(of event: LeadEvent, lead: Lead, channel: String, deliveryID: String, at date: Date) -> [UInt8]?
}
