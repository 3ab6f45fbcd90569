/// Reads one URL for an adapter that completes id-only notifications from a platform's API (Meta's Graph
/// API, LinkedIn's REST API); the gateway implements it with LeadGateCurl.
public protocol HTTPFetching: Sendable {
    /// GETs `url` with `headers` and returns whatever came back, error statuses included; throws only when no
    /// answer came (connection refused, timeout), which the caller treats as worth retrying.
    func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8])
}

/// What to do with a pending lead whose platform fetch failed.
public enum FetchRecovery: Sendable, Hashable {
    /// Throttled or an outage: try again after a backoff.
    case retryLater
    /// Expired or revoked token, missing permission, no HTTP client: retrying helps only after an operator
    /// fixes the source's config, so alert and keep the lead pending.
    case fixConfiguration
    /// The request is wrong or the lead is gone: retrying will not help.
    case giveUp
}

/// An error of a platform fetch that says how to recover from it (Meta's `GraphError`, LinkedIn's
/// `LinkedInAPIError`): the gateway's fetch worker schedules the lead's next attempt by it.
public protocol FetchError: Error, CustomStringConvertible {
    var recovery: FetchRecovery { get }
    /// The HTTP status of the platform's answer; 0 when none came.
    var status: Int { get }
}
