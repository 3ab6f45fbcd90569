import Foundation
import LeadGateCore

/// Everything the dashboard page shows, already computed: the route maps the store's reports into it
/// and `DashboardRenderer` turns it into HTML without reading anything else.
public struct DashboardModel: Sendable, Hashable {
    /// The organisation's name, shown as the page heading.
    public var title: String
    public var generatedAt: Date
    /// The zone every time on the page is shown in (the server's `time_zone`).
    public var timeZone: TimeZone
    public var language: DashboardLanguage
    /// Stages in funnel order.
    public var funnel: [FunnelStage]
    /// Buckets of every currency, each currency in time order; the page draws one chart per currency,
    /// in the order the currencies first appear.
    public var forecast: [ForecastBucket]
    public var reps: [Rep]
    /// Newest first.
    public var recentOpportunities: [RecentOpportunity]
    public var deliveries: [Delivery]
    public var sources: [Source]

    /// A model; the sections default to empty, which the page shows as "no data yet".
    public init(
        title: String, generatedAt: Date, timeZone: TimeZone, language: DashboardLanguage,
        funnel: [FunnelStage] = [], forecast: [ForecastBucket] = [], reps: [Rep] = [],
        recentOpportunities: [RecentOpportunity] = [], deliveries: [Delivery] = [], sources: [Source] = []
    ) {
        self.title = title
        self.generatedAt = generatedAt
        self.timeZone = timeZone
        self.language = language
        self.funnel = funnel
        self.forecast = forecast
        self.reps = reps
        self.recentOpportunities = recentOpportunities
        self.deliveries = deliveries
        self.sources = sources
    }

    /// An amount in one currency (an ISO 4217 code such as `ILS`).
    public struct Money: Sendable, Hashable {
        public var amount: Double
        public var currency: String

        /// An amount of `currency`.
        public init(_ amount: Double, _ currency: String) {
            self.amount = amount
            self.currency = currency
        }
    }

    /// One step of the funnel, how many leads reached it and the conversion into it.
    public struct FunnelStage: Sendable, Hashable {
        /// The step; the three fixed ones are translated, a pipeline stage is shown as configured.
        public enum Name: Sendable, Hashable {
            case leads, opportunities, won
            case stage(String)
        }

        public var name: Name
        public var count: Int
        /// Conversion from the previous stage, 0…1, as the funnel report defines it (`FunnelRow`'s
        /// `leadToOpportunity`, `opportunityToWon`); nil for the first stage or when unknown.
        public var conversion: Double?

        /// A stage reached by `count` leads.
        public init(_ name: Name, count: Int, conversion: Double? = nil) {
            self.name = name
            self.count = count
            self.conversion = conversion
        }
    }

    /// One period of the forecast in one currency.
    public struct ForecastBucket: Sendable, Hashable {
        /// The period as the forecast names it, e.g. `2026-Q3`.
        public var period: String
        public var currency: String
        /// Σ amount × stage probability of the open opportunities closing in the period.
        public var weighted: Double
        public var won: Double
        public var commit: Double
        public var bestCase: Double

        /// A bucket of `period` in `currency`.
        public init(period: String, currency: String, weighted: Double, won: Double, commit: Double, bestCase: Double) {
            self.period = period
            self.currency = currency
            self.weighted = weighted
            self.won = won
            self.commit = commit
            self.bestCase = bestCase
        }
    }

    /// One sales rep's pipeline.
    public struct Rep: Sendable, Hashable {
        /// Nil for the opportunities nobody owns yet.
        public var owner: String?
        public var openOpportunities: Int
        /// One amount per currency.
        public var weighted: [Money]
        /// One amount per currency.
        public var won: [Money]
        /// Won ÷ closed, 0…1; nil before the rep closed anything.
        public var winRate: Double?

        /// A rep's row.
        public init(owner: String?, openOpportunities: Int, weighted: [Money], won: [Money], winRate: Double?) {
            self.owner = owner
            self.openOpportunities = openOpportunities
            self.weighted = weighted
            self.won = won
            self.winRate = winRate
        }
    }

    /// An opportunity and why its criteria made it one.
    public struct RecentOpportunity: Sendable, Hashable {
        public var leadID: String
        /// The contact's name; nil when the lead gave none.
        public var name: String?
        public var product: String
        public var owner: String?
        /// Score, criteria `product@version` and the reason of every rule, as stored with the lead.
        public var qualification: Qualification
        public var createdAt: Date

        /// A row of the recent opportunities.
        public init(leadID: String, name: String?, product: String, owner: String?, qualification: Qualification, createdAt: Date) {
            self.leadID = leadID
            self.name = name
            self.product = product
            self.owner = owner
            self.qualification = qualification
            self.createdAt = createdAt
        }
    }

    /// One notification channel's outbox.
    public struct Delivery: Sendable, Hashable {
        public var channel: String
        public var delivered: Int
        /// Dead-lettered deliveries (retries exhausted or refused).
        public var failed: Int
        public var pending: Int
        /// Why the worker stopped delivering to this channel; nil while it is enabled.
        public var disabledReason: String?
        /// Until when the receiver asked the channel to wait (429 or 503 with `Retry-After`); nil when it did not.
        public var pausedUntil: Date?

        /// A channel's row.
        public init(channel: String, delivered: Int, failed: Int, pending: Int, disabledReason: String? = nil, pausedUntil: Date? = nil) {
            self.channel = channel
            self.delivered = delivered
            self.failed = failed
            self.pending = pending
            self.disabledReason = disabledReason
            self.pausedUntil = pausedUntil
        }
    }

    /// One configured source and how its intake is going.
    public struct Source: Sendable, Hashable {
        /// How a pulled source's last poll went.
        public enum Poller: Sendable, Hashable {
            case healthy(lastPollAt: Date?)
            case failing(error: String)
        }

        public var name: String
        /// The `type:` of config, e.g. `web_form`.
        public var type: String
        public var leadsLast24Hours: Int
        public var quarantined: Int
        public var lastLeadAt: Date?
        /// Touches of an enriching source still waiting for their lead to be fetched; nil for other sources.
        public var fetchPending: Int?
        /// Nil for a source that is posted to.
        public var poller: Poller?

        /// A source's row.
        public init(
            name: String, type: String, leadsLast24Hours: Int, quarantined: Int, lastLeadAt: Date?,
            fetchPending: Int? = nil, poller: Poller? = nil
        ) {
            self.name = name
            self.type = type
            self.leadsLast24Hours = leadsLast24Hours
            self.quarantined = quarantined
            self.lastLeadAt = lastLeadAt
            self.fetchPending = fetchPending
            self.poller = poller
        }
    }
}
