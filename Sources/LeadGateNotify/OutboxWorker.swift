import Foundation
import LeadGateCore
import LeadGateStore
import Logging
import ServiceLifecycle

/// Delivers the outbox: claims due rows, renders each notification once, sends it through the transport,
/// records every attempt and schedules retries (the configured schedule, with jitter; `Retry-After` of a
/// 429 or 503 honoured; 410 turns the channel off; after the last attempt the row is dead). A crash at any
/// point leaves the row due again when its lease ends: delivery is at least once, with a stable id.
public final class OutboxWorker: Service {
    private let store: any LeadStore
    private let channels: [String: NotificationChannel]
    private let schedule: RetrySchedule
    private let transport: any DeliveryTransport
    private let now: @Sendable () -> Date
    private let metrics: DeliveryMetrics
    private let logger: Logger
    /// How long a claimed delivery stays leased to this worker.
    private let lease: TimeInterval = 120

    public init(
        store: any LeadStore, channels: [NotificationChannel], schedule: RetrySchedule, transport: any DeliveryTransport,
        metrics: DeliveryMetrics, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "leadgate.outbox")
    ) {
        self.store = store
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.schedule = schedule
        self.transport = transport
        self.metrics = metrics
        self.now = now
        self.logger = logger
    }

    /// Runs until graceful shutdown: delivers what is due, then looks again a moment later.
    public func run() async throws {
        try await store.releaseDeliveryLeases()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let worked = (try? await runOnce()) ?? 0
            if worked == 0 {
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// Claims what is due now and attempts each, at most `concurrency` at once per channel. Returns how many.
    @discardableResult
    public func runOnce(limit: Int = 256) async throws -> Int {
        let moment = now()
        let due = try await store.claimDeliveries(now: moment, leaseUntil: moment.addingTimeInterval(lease), limit: limit)
        guard !due.isEmpty else { return 0 }
        let byChannel = Dictionary(grouping: due, by: \.channel)
        await withTaskGroup(of: Void.self) { group in
            for (name, deliveries) in byChannel {
                group.addTask {
                    await self.deliver(deliveries, concurrency: self.channels[name]?.concurrency ?? 1)
                }
            }
        }
        return due.count
    }

    private func deliver(_ deliveries: [Delivery], concurrency: Int) async {
        await withTaskGroup(of: Void.self) { group in
            var iterator = deliveries.makeIterator()
            for _ in 0..<max(1, concurrency) {
                guard let next = iterator.next() else { break }
                group.addTask { await self.attempt(next) }
            }
            while await group.next() != nil {
                if let next = iterator.next() { group.addTask { await self.attempt(next) } }
            }
        }
    }

    /// One attempt at one delivery, recorded whatever happens.
    func attempt(_ delivery: Delivery) async {
        let started = now()
        guard let channel = channels[delivery.channel] else {
            await record(delivery, DeliveryAttempt(at: started, status: nil, latencyMilliseconds: 0,
                                                   error: "channel '\(delivery.channel)' is no longer configured", response: nil),
                         outcome: .dead)
            return
        }
        let payload: [UInt8]
        do {
            if let saved = delivery.payload {
                payload = saved
            } else {
                guard let lead = try await store.lead(id: delivery.leadID) else {
                    await record(delivery, DeliveryAttempt(at: started, status: nil, latencyMilliseconds: 0,
                                                           error: "lead \(delivery.leadID) no longer exists", response: nil),
                                 outcome: .dead)
                    return
                }
                payload = try NotificationRenderer.payload(for: delivery, lead: lead, channel: channel, at: started)
                try await store.savePayload(payload, deliveryID: delivery.id)
            }
        } catch {
            await record(delivery, DeliveryAttempt(at: started, status: nil, latencyMilliseconds: 0,
                                                   error: "cannot render: \(error)", response: nil),
                         outcome: nextOutcome(after: delivery, retryAfter: nil, at: started))
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        var status: Int?
        var errorText: String?
        var excerpt: String?
        var retryAfter: TimeInterval?
        do {
            switch channel.kind {
            case .webhook(let settings):
                let response = try await transport.post(NotificationRenderer.webhookRequest(delivery, payload: payload, settings: settings, timeout: channel.timeout, at: started))
                status = response.status
                excerpt = Self.excerpt(response.body)
                retryAfter = response.header("Retry-After").flatMap { Self.retryAfter($0, now: started) }
            case .slack(let settings):
                let response = try await transport.post(OutboundRequest(
                    url: settings.url, headers: [("Content-Type", "application/json")], body: payload, timeout: channel.timeout
                ))
                status = response.status
                excerpt = Self.excerpt(response.body)
                retryAfter = response.header("Retry-After").flatMap { Self.retryAfter($0, now: started) }
            case .email(let settings):
                let recipients = try NotificationRenderer.recipients(settings, payload: payload)
                try await transport.send(OutboundMail(
                    server: settings.smtp, username: settings.username, password: settings.password, from: settings.from,
                    recipients: recipients, message: try NotificationRenderer.mailMessage(payload), timeout: channel.timeout
                ))
                status = 250
            }
        } catch {
            errorText = "\(error)"
        }
        let latency = clock.now - start
        let milliseconds = Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
        let attempt = DeliveryAttempt(at: started, status: status, latencyMilliseconds: milliseconds, error: errorText, response: excerpt)
        let outcome: DeliveryOutcome
        switch status {
        case .some(200...299) where errorText == nil:
            outcome = .delivered
        case .some(410):
            outcome = .disableChannel(reason: "the receiver answered 410 Gone on delivery \(delivery.id)")
        case .some(429), .some(503):
            outcome = nextOutcome(after: delivery, retryAfter: retryAfter, at: started)
        default:
            outcome = nextOutcome(after: delivery, retryAfter: nil, at: started)
        }
        metrics.record(channel: delivery.channel, outcome: outcome, latency: latency)
        await record(delivery, attempt, outcome: outcome)
    }

    /// The next try on the schedule (with ±10% jitter), no sooner than `Retry-After`; dead after the last.
    func nextOutcome(after delivery: Delivery, retryAfter: TimeInterval?, at moment: Date) -> DeliveryOutcome {
        let attempt = delivery.attempts + 1
        guard attempt < schedule.delays.count else { return .dead }
        let delay = schedule.delays[attempt]
        let seconds = delay.timeInterval
        let jittered = seconds * Double.random(in: 0.9...1.1)
        return .retry(at: moment.addingTimeInterval(max(jittered, retryAfter ?? 0)))
    }

    private func record(_ delivery: Delivery, _ attempt: DeliveryAttempt, outcome: DeliveryOutcome) async {
        do {
            try await store.recordAttempt(attempt, deliveryID: delivery.id, outcome: outcome)
        } catch {
            // Not recorded: the lease runs out and the delivery is tried again (at least once).
            logger.error("cannot record an attempt of \(delivery.id): \(error)")
        }
    }

    static func excerpt(_ body: [UInt8]) -> String? {
        body.isEmpty ? nil : String(decoding: body.prefix(512), as: UTF8.self)
    }

    /// `Retry-After` as seconds or an HTTP date, in seconds from `now`.
    static func retryAfter(_ value: String, now: Date) -> TimeInterval? {
        if let seconds = TimeInterval(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSince(now)) }
    }
}
