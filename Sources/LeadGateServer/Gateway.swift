import Foundation
import Hummingbird
import LeadGateCore
import LeadGateCurl
import LeadGateNotify
import LeadGateSourceKit
import LeadGateStore
import Logging
import ServiceLifecycle

/// The running gateway: the store, the pipeline and the HTTP application, assembled from a config.
public struct Gateway: Sendable {
    public let config: GatewayConfig
    public let store: any LeadStore
    public let pipeline: IntakePipeline
    public let metrics = DeliveryMetrics()
    /// The source workers' counters and pollers' state, for `/metrics` and `/readyz`.
    public let health = SourceHealth()

    /// What learned stage probabilities are computed from, read again every five minutes.
    let outcomes = LearnedOutcomes()

    /// The forecast, funnel and accuracy reports over this gateway's store.
    public var reports: ReportService { ReportService(store: store, config: config, now: pipeline.now, outcomes: outcomes) }

    /// Opens the configured store and checks that no product's criteria changed without a version bump.
    public init(config: GatewayConfig, now: @escaping @Sendable () -> Date = { Date() }) async throws {
        self.config = config
        self.store = try Self.openStore(config.store)
        let qualifier = config.catalog.map { CatalogQualifier(catalog: $0, timeZone: config.server.timeZone) }
        self.pipeline = IntakePipeline(store: store, qualifier: qualifier, routes: config.routes, now: now)
        for product in config.catalog?.products ?? [] {
            let criteria = product.criteria
            try await store.registerCriteria(product: product.name, version: criteria.version, rulesHash: criteria.rulesHash, at: now())
        }
    }

    /// Opens the store `settings` name (the CLI reads leads through this too).
    public static func openStore(_ settings: StoreSettings) throws -> any LeadStore {
        switch settings {
        case .sqlite(let path, let synchronous):
            return try SQLiteLeadStore(path: path, synchronous: synchronous == "normal" ? .normal : .full)
        }
    }

    /// What became of a message handed over locally (`leadgate ingest`).
    public enum LocalIngestResult: Sendable {
        case stored([DraftOutcome])
        /// The message cannot be read; it is quarantined (sysexits EX_DATAERR).
        case malformed(String)
    }

    /// Where a locally handed-over message came from, as its quarantine entry records it.
    public struct Origin: Sendable {
        public var method: String
        public var path: String

        /// `leadgate ingest`, an MTA's pipe.
        public static let pipe = Origin(method: "PIPE", path: "leadgate ingest")
    }

    /// Runs one message handed over locally (an MTA's pipe, the IMAP poller) through the pipeline of `source`:
    /// a mail source reads it as MIME; any other source as a request body of `contentType`. The caller is
    /// local and trusted, so no request authentication applies.
    public func ingestLocally(
        _ bytes: [UInt8], source: ConfiguredSource, contentType: String, origin: Origin = .pipe
    ) async throws -> LocalIngestResult {
        let received = pipeline.now()
        let request = InboundRequest(
            method: "POST", path: "/ingest/\(source.name)", headers: [("Content-Type", contentType)], body: bytes, receivedAt: received
        )
        let drafts: [LeadDraft]
        do {
            if let mail = source.adapter as? any MIMESource {
                drafts = try mail.drafts(fromMIME: bytes, receivedAt: received)
            } else {
                drafts = try await source.adapter.receive(request)
            }
        } catch let error as SourceError {
            try await store.quarantine(QuarantineEntry(
                id: LeadID.make(prefix: "qr_", at: received), source: source.name, receivedAt: received, code: error.code,
                message: error.message, method: origin.method, path: origin.path, headers: ["content-type": contentType], body: bytes
            ))
            return .malformed(error.message)
        }
        return .stored(try await pipeline.process(drafts, from: source, request: request))
    }

    /// The routes of the gateway, for the server and for in-process tests.
    public func router() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: JSONErrorMiddleware())
        IngestRoutes(config: config, pipeline: pipeline, limiter: RateLimiter(now: pipeline.now)).add(to: router)
        AdminRoutes(config: config, store: store, metrics: metrics, health: health, routes: pipeline.routes, now: pipeline.now).add(to: router)
        ReportRoutes(reports: reports, config: config, store: store, metrics: metrics, health: health).add(to: router)
        return router
    }

    /// The HTTP application on the configured address.
    public func application(logger: Logger) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(config.server.host, port: config.server.port), serverName: "LeadGate"),
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests and returns.
    /// The outbox worker runs beside the HTTP server when notifications are configured.
    public func run(logger: Logger) async throws {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: application(logger: logger))]
        if !config.notifications.isEmpty {
            let worker = OutboxWorker(
                store: store, channels: config.notifications, schedule: config.retrySchedule,
                transport: CurlTransport(client: try config.http.client()), metrics: metrics, now: pipeline.now,
                logger: Logger(label: "leadgate.outbox")
            )
            services.append(.init(service: worker))
        }
        if FetchWorker.isNeeded(for: config.sources) {
            services.append(.init(service: FetchWorker(
                pipeline: pipeline, sources: config.sources, health: health, logger: Logger(label: "leadgate.fetch"))))
        }
        services.append(.init(service: ForecastSnapshotter(reports: reports, logger: Logger(label: "leadgate.forecast"))))
        for source in config.sources {
            guard let poller = try IMAPPoller(source: source, gateway: self, logger: Logger(label: "leadgate.imap")) else { continue }
            services.append(.init(service: poller))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await config.http.shutdown()
    }
}
