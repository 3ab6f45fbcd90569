import Foundation
import LeadGateCore
import LeadGateNotify
import LeadGateSourceKit

/// The whole gateway configuration, validated.
public struct GatewayConfig: Sendable {
    public var server: ServerSettings
    public var store: StoreSettings
    public var adminTokens: [AdminToken]
    public var sources: [ConfiguredSource]
    /// Products with their criteria, stages and assignment; nil when none are configured.
    public var catalog: ProductCatalog?
    public var notifications: [NotificationChannel] = []
    public var retrySchedule: RetrySchedule = .standard
    /// `forecast:` — fiscal year, commit stages, probabilities.
    public var forecast = ForecastSettings.standard
    /// `dashboard:` — the page's title and default language.
    public var dashboard = DashboardSettings()
    /// The libcurl client adapters fetch platform APIs with (started on first use).
    public var http = SharedCurlClient()

    /// Which channels take which events, and what each sends, for the outbox.
    public var routes: NotificationRoutes {
        var map: [LeadEvent: [String]] = [:]
        for channel in notifications {
            for event in channel.events { map[event, default: []].append(channel.name) }
        }
        return NotificationRoutes(map, renderer: notifications.isEmpty ? nil : ChannelBodies(notifications))
    }

    /// The source called `name`.
    public func source(named name: String) -> ConfiguredSource? {
        sources.first { $0.name == name }
    }
}

/// `server:` — where to listen and the limits of a request.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var maxBody: Int
    /// ISO alpha-2 region for phone numbers written without a country code.
    public var defaultRegion: String?
    public var timeZone: TimeZone

    public static let defaultMaxBody = 1 << 20
}

/// `store:` — where leads live.
public enum StoreSettings: Sendable {
    case sqlite(path: String, synchronous: String)
}

/// What an admin token may do.
public enum AdminRole: String, Sendable {
    case read, write
}

/// One `admin.tokens` entry.
public struct AdminToken: Sendable {
    public var token: String
    public var role: AdminRole
    /// Who the token's changes are recorded as in lead history.
    public var name: String
}

/// A token bucket's settings: `rate` tokens a second, at most `burst` saved up.
public struct RateLimit: Sendable, Hashable {
    public var rate: Double
    public var burst: Double
}

/// One configured source with its adapter and the settings the pipeline applies to it.
public struct ConfiguredSource: Sendable {
    public var name: String
    public var type: String
    public var adapter: any PushSource
    public var normalizer: LeadNormalizer
    public var defaultRegion: String?
    /// Same content from this source within this window is one touch (the double-clicked submit).
    public var dedupeWindow: Duration
    public var rateLimit: RateLimit?
}

/// A config that could not be loaded: every problem, in file order.
public struct ConfigLoadError: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// `dashboard:` — what the sales dashboard at `/` shows by default.
public struct DashboardSettings: Sendable {
    /// The page title (the organisation's name).
    public var title = "LeadGate"
    /// `he` or `en`: the language when the browser's Accept-Language names neither.
    public var language: String?
}

extension ForecastSettings {
    /// Calendar years, no commit stages, configured probabilities.
    public static let standard: ForecastSettings = {
        do { return try ForecastSettings() } catch { preconditionFailure("the default forecast settings are valid: \(error)") }
    }()
}
