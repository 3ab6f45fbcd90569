import Foundation
import LeadGateCore
import LeadGateStore
import Logging
import ServiceLifecycle

/// Delivers the outbox: claims due rows, renders each notification once, sends it through the transport,
/// records every attempt and schedules retries (the configured schedule, with jitter; `Retry-After` of a
/// 429 or 503 honoured; 410 turns the channel off; after the last attempt the row is dead). A crash at any
/// point leaves the row due again when its lease ends: delivery is at least once, with a stable id.
///
/// A body is rendered from the lead at its first attempt and kept with that attempt's record unless it was
/// delivered, so every retry sends the same bytes; one sent successfully is never written back (most are).
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
            let worked = await drain()
            if worked == 0 {
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// One claimed delivery, ready to send (a class: it passes through queues and tasks without copying).
    private final class Ready: Sendable {
        let delivery: Delivery
        let channel: NotificationChannel
        let payload: [UInt8]
        /// Rendered for this attempt, not kept yet: its record keeps it unless it is delivered.
        let rendered: Bool
        let leasedUntil: Date

        init(delivery: Delivery, channel: NotificationChannel, payload: [UInt8], rendered: Bool, leasedUntil: Date) {
            self.delivery = delivery
            self.channel = channel
            self.payload = payload
            self.rendered = rendered
            self.leasedUntil = leasedUntil
        }
    }

    /// The claimed deliveries of one channel not sent yet, and how many of its requests are in flight.
    private struct ChannelQueue {
        let concurrency: Int
        var waiting: [Ready] = []
        var next = 0
        var inFlight = 0

        init(concurrency: Int) {
            self.concurrency = max(1, concurrency)
        }

        var count: Int { waiting.count - next }

        /// Takes up to the channel's free concurrency from the front.
        mutating func take() -> ArraySlice<Ready> {
            let room = concurrency - inFlight
            guard room > 0, next < waiting.count else { return [] }
            let taken = waiting[next..<min(waiting.count, next + room)]
            next += taken.count
            inFlight += taken.count
            if next == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                next = 0
            }
            return taken
        }
    }

    /// What a child task of `drain` hands back to it.
    private enum Step: Sendable {
        /// A claimed batch: what is ready to send, and what failed before sending (recorded as it is).
        case claimed([Ready], [AttemptRecord])
        case sent(channel: String, AttemptRecord)
        case recorded
    }

    /// How many finished attempts wait for one transaction while others are still in flight, and how long at most
    /// (checked as attempts finish). Each transaction ends in an fsync, which costs this machine's CPU too: a
    /// transaction for whatever finished while the previous one committed was a dozen attempts at a time.
    static let recordBatch = 64
    static let recordDelay: TimeInterval = 0.25

    /// Delivers until nothing is due, as a pipeline: the next batch is claimed and rendered while the current
    /// one is being sent, at most `concurrency` requests per channel are in flight, and finished attempts are
    /// recorded together: once `recordBatch` have finished, the oldest waited `recordDelay`, or nothing else is in
    /// flight. Returns how many deliveries it attempted.
    @discardableResult
    public func drain(batch: Int = 256) async -> Int {
        var queues: [String: ChannelQueue] = [:]
        var finished: [AttemptRecord] = []
        /// When the oldest of `finished` finished.
        var waitingSince = Date.distantFuture
        var claiming = false, exhausted = false, recording = false
        var attempted = 0

        await withTaskGroup(of: Step.self) { group in
            while true {
                let stopping = Task.isShuttingDownGracefully || Task.isCancelled
                if !claiming, !exhausted, !stopping, queues.values.reduce(0, { $0 + $1.count }) < batch / 2 {
                    claiming = true
                    group.addTask { await self.claim(limit: batch) }
                }
                if !stopping {
                    let moment = now()
                    for name in queues.keys {
                        for ready in queues[name]?.take() ?? [] {
                            guard ready.leasedUntil > moment else {
                                // Queued behind a slow receiver past its lease: it is due again, and the next claim sends it.
                                queues[name]?.inFlight -= 1
                                continue
                            }
                            attempted += 1
                            group.addTask { .sent(channel: name, await self.attempt(ready)) }
                        }
                    }
                }
                if !recording, !finished.isEmpty, finished.count >= Self.recordBatch
                    || queues.values.allSatisfy({ $0.inFlight == 0 }) || now().timeIntervalSince(waitingSince) >= Self.recordDelay
                {
                    recording = true
                    waitingSince = .distantFuture
                    let records = finished
                    finished.removeAll(keepingCapacity: true)
                    group.addTask { await self.record(records) }
                }
                guard let step = await group.next() else { break }
                switch step {
                case .claimed(let ready, let failed):
                    claiming = false
                    exhausted = ready.isEmpty && failed.isEmpty
                    for item in ready {
                        queues[item.delivery.channel, default: ChannelQueue(concurrency: item.channel.concurrency)].waiting.append(item)
                    }
                    if !failed.isEmpty { waitingSince = min(waitingSince, now()) }
                    finished += failed
                    attempted += failed.count
                case .sent(let channel, let record):
                    queues[channel]?.inFlight -= 1
                    if case .disableChannel = record.outcome {
                        // The rest of the channel's batch stays leased and unsent; a manual retry turns it back on.
                        queues[channel]?.waiting.removeAll()
                        queues[channel]?.next = 0
                    }
                    if finished.isEmpty { waitingSince = now() }
                    finished.append(record)
                case .recorded:
                    recording = false
                }
            }
        }
        return attempted
    }

    /// Claims up to `limit` due deliveries and makes each ready: the kept payload, or one rendered now from the
    /// lead (all the batch's leads in one read).
    private func claim(limit: Int) async -> Step {
        let moment = now()
        let leasedUntil = moment.addingTimeInterval(lease)
        do {
            let due = try await store.claimDeliveries(now: moment, leaseUntil: leasedUntil, limit: limit)
            guard !due.isEmpty else { return .claimed([], []) }
            let leads = try await store.leads(ids: due.filter { $0.payload == nil }.map(\.leadID))
            var ready: [Ready] = [], failed: [AttemptRecord] = []
            for delivery in due {
                func fail(_ error: String, _ outcome: DeliveryOutcome) {
                    failed.append(AttemptRecord(
                        deliveryID: delivery.id,
                        attempt: DeliveryAttempt(at: moment, status: nil, latencyMilliseconds: 0, error: error, response: nil),
                        outcome: outcome))
                }
                guard let channel = channels[delivery.channel] else {
                    fail("channel '\(delivery.channel)' is no longer configured", .dead)
                    continue
                }
                if let payload = delivery.payload {
                    ready.append(Ready(delivery: delivery, channel: channel, payload: payload, rendered: false, leasedUntil: leasedUntil))
                    continue
                }
                guard let lead = leads[delivery.leadID] else {
                    fail("lead \(delivery.leadID) no longer exists", .dead)
                    continue
                }
                do {
                    let payload = try NotificationRenderer.payload(for: delivery, lead: lead, channel: channel, at: moment)
                    ready.append(Ready(delivery: delivery, channel: channel, payload: payload, rendered: true, leasedUntil: leasedUntil))
                } catch {
                    fail("cannot render: \(error)", nextOutcome(after: delivery, retryAfter: nil, at: moment))
                }
            }
            return .claimed(ready, failed)
        } catch {
            // Nothing was sent: the claimed rows stay leased until the lease ends and are claimed again then.
            logger.error("cannot claim deliveries: \(error)")
            return .claimed([], [])
        }
    }

    /// One attempt at one delivery, whatever happens: the request, then what follows from its answer.
    private func attempt(_ ready: Ready) async -> AttemptRecord {
        let delivery = ready.delivery, channel = ready.channel, payload = ready.payload
        let started = now()
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
        let keep = ready.rendered && outcome != .delivered
        return AttemptRecord(deliveryID: delivery.id, attempt: attempt, outcome: outcome, payload: keep ? payload : nil)
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

    private func record(_ records: [AttemptRecord]) async -> Step {
        do {
            try await store.recordAttempts(records)
        } catch {
            // Not recorded: the leases run out and the deliveries are tried again (at least once).
            logger.error("cannot record \(records.count) attempts: \(error)")
        }
        return .recorded
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
