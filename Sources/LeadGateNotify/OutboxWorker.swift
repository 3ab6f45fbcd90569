import Foundation
import LeadGateCore
import LeadGateStore
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers the outbox: claims due rows, renders each notification once, sends it through the transport,
/// records every attempt and schedules retries (the configured schedule, with jitter; `Retry-After` of a
/// 429 or 503 honoured; 410 turns the channel off; after the last attempt the row is dead). A crash at any
/// point leaves the row due again when its lease ends: delivery is at least once, with a stable id.
///
/// A body is rendered when its event is queued, from the lead as that event left it (`ChannelBodies`), so every
/// attempt sends the same bytes and none reads the lead. A delivery queued without one (by an older version, or not
/// renderable then) is rendered from the lead at its first attempt, and that body is kept with the attempt's record
/// unless it was delivered.
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
    struct ChannelQueue<Item> {
        let concurrency: Int
        /// Taken from `next` on; what is before it was sent, and is dropped once it is as long as the rest.
        private(set) var waiting: [Item] = []
        private(set) var next = 0
        var inFlight = 0
        /// Set when the receiver asked the channel to wait (429 or 503 with `Retry-After`): what is queued is held back
        /// (released unsent) until a claim that started once the pause was in the store, which then decides. The value
        /// is the number of the record write that puts the pause there.
        var heldUntilWrite: Int?

        init(concurrency: Int) {
            self.concurrency = max(1, concurrency)
        }

        var count: Int { waiting.count - next }

        mutating func append(_ item: Item) {
            waiting.append(item)
        }

        /// Empties the queue and returns what was in it, not sent.
        mutating func removeAll() -> ArraySlice<Item> {
            defer {
                waiting.removeAll()
                next = 0
            }
            return waiting[next...]
        }

        /// Takes up to the channel's free concurrency from the front.
        ///
        /// What was taken is dropped once it is at least as long as what is left: the next claim is appended while
        /// the queue still holds half a batch, so a busy channel's queue may never run empty, and it kept every
        /// delivery of the drain, body and all (RSS grew by 90 MiB over a backlog of 100,000).
        mutating func take() -> [Item] {
            let room = concurrency - inFlight
            guard room > 0, next < waiting.count else { return [] }
            let taken = Array(waiting[next..<min(waiting.count, next + room)])
            next += taken.count
            inFlight += taken.count
            if next == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                next = 0
            } else if next >= waiting.count - next {
                waiting.removeSubrange(..<next)
                next = 0
            }
            return taken
        }
    }

    /// What a child task of `drain` hands back to it.
    private enum Step: Sendable {
        /// A claimed batch: what is ready to send, and what failed before sending (recorded as it is).
        case claimed([Ready], [AttemptRecord])
        /// A mail sent, or not.
        case sent(channel: String, AttemptRecord)
        /// The HTTP answers that came since the last look.
        case answered([Answer])
        case recorded
    }

    /// How an HTTP request of one attempt ended.
    private struct Answer: Sendable {
        let ready: Ready
        let started: Date
        let latency: Duration
        let result: Result<OutboundResponse, any Error>
    }

    /// The answers to a drain's HTTP requests, collected on the transport's thread and taken in batches: the drain
    /// is woken only when it waits for them, so under load one wake-up brings many answers (a task per request
    /// cost two thread hand-offs for each).
    private final class Answers: Sendable {
        private struct State {
            var answers: [Answer] = []
            var waiter: CheckedContinuation<[Answer], Never>?
            /// The drain was cancelled: nobody waits any more (an answer that comes later is not recorded, and its
            /// delivery is due again when its lease runs out).
            var cancelled = false
        }

        private let state = Mutex(State())

        func append(_ answer: Answer) {
            let waiting: (CheckedContinuation<[Answer], Never>, [Answer])? = state.withLock { state in
                state.answers.append(answer)
                guard let waiter = state.waiter else { return nil }
                state.waiter = nil
                defer { state.answers.removeAll() }
                return (waiter, state.answers)
            }
            if let (waiter, answers) = waiting { waiter.resume(returning: answers) }
        }

        /// Every answer that came since the last call; waits for one when there are none, unless the task is
        /// cancelled (then it returns what there is, maybe nothing).
        func next() async -> [Answer] {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let answers: [Answer]? = state.withLock { state in
                        guard state.answers.isEmpty, !state.cancelled else {
                            defer { state.answers.removeAll(keepingCapacity: true) }
                            return state.answers
                        }
                        state.waiter = continuation
                        return nil
                    }
                    if let answers { continuation.resume(returning: answers) }
                }
            } onCancel: {
                let waiter = state.withLock { state in
                    state.cancelled = true
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(returning: [])
            }
        }
    }

    /// How many finished attempts wait for one transaction while others are still in flight, and how long at most
    /// (checked as attempts finish). Each transaction ends in an fsync, which costs this machine's CPU too: a
    /// transaction for whatever finished while the previous one committed was a dozen attempts at a time. 512 rather
    /// than 64 took 8 % off a delivery's CPU (`deliver-pair.sh`, 1.087); a crash re-sends at most that many, with
    /// their ids, and a write of them holds intakes up for a few milliseconds.
    static let recordBatch = 512
    static let recordDelay: TimeInterval = 0.25

    /// Delivers until nothing is due, as a pipeline: the next batch is claimed and rendered while the current
    /// one is being sent, at most `concurrency` requests per channel are in flight, and finished attempts are
    /// recorded together: once `recordBatch` have finished, the oldest waited `recordDelay`, nothing else is in
    /// flight, or the drain stops. Stopping gracefully, it waits for the answers of the requests in flight; cancelled,
    /// it does not (their deliveries are due again when their leases end). Returns how many deliveries it attempted.
    @discardableResult
    public func drain(batch: Int = 256) async -> Int {
        var queues: [String: ChannelQueue<Ready>] = [:]
        var finished: [AttemptRecord] = []
        /// Claimed and not sent, because their channel was paused: their leases end with the next record.
        var released: [String] = []
        /// When the oldest of `finished` finished.
        var waitingSince = Date.distantFuture
        var claiming = false, exhausted = false, recording = false
        /// Record writes done so far, and how many were done when the claim in progress started.
        var writes = 0, claimStartedAfter = 0
        var attempted = 0
        let answers = Answers()
        /// HTTP requests sent and not answered yet, and whether a child task waits for their answers.
        var unanswered = 0, listening = false

        /// One attempt over: its channel has room for the next, and the attempt waits to be recorded.
        func done(_ record: AttemptRecord, channel: String) {
            queues[channel]?.inFlight -= 1
            if case .disableChannel = record.outcome {
                // The rest of the channel's batch stays leased and unsent; a manual retry turns it back on.
                _ = queues[channel]?.removeAll()
            }
            if record.pauseChannelUntil != nil {
                // The next record task writes the pause: the one after the write in progress, if any.
                let write = writes + (recording ? 2 : 1)
                let held = queues[channel]?.heldUntilWrite ?? write
                queues[channel]?.heldUntilWrite = max(write, held)
            }
            if finished.isEmpty { waitingSince = now() }
            finished.append(record)
        }

        await withTaskGroup(of: Step.self) { group in
            while true {
                let stopping = Task.isShuttingDownGracefully || Task.isCancelled
                if !claiming, !exhausted, !stopping, queues.values.reduce(0, { $0 + $1.count }) < batch / 2 {
                    claiming = true
                    claimStartedAfter = writes
                    group.addTask { await self.claim(limit: batch) }
                }
                if !stopping {
                    let moment = now()
                    for name in queues.keys {
                        if queues[name]?.heldUntilWrite != nil {
                            // Nothing more to a receiver that asked to wait; what is queued is due again when the
                            // pause ends (claims leave the channel out until then).
                            released += queues[name]?.removeAll().map(\.delivery.id) ?? []
                            continue
                        }
                        for ready in queues[name]?.take() ?? [] {
                            guard ready.leasedUntil > moment else {
                                // Queued behind a slow receiver past its lease: it is due again, and the next claim sends it.
                                queues[name]?.inFlight -= 1
                                continue
                            }
                            attempted += 1
                            if case .email = ready.channel.kind {
                                group.addTask { .sent(channel: name, await self.mail(ready)) }
                            } else {
                                unanswered += 1
                                send(ready, answersTo: answers)
                            }
                        }
                    }
                }
                // Cancelled, the drain does not wait for requests in flight: their deliveries are due again
                // once their leases run out (at least once).
                if unanswered > 0, !listening, !Task.isCancelled {
                    listening = true
                    group.addTask { .answered(await answers.next()) }
                }
                if !recording, !finished.isEmpty || !released.isEmpty, stopping || finished.count >= Self.recordBatch
                    || queues.values.allSatisfy({ $0.inFlight == 0 }) || now().timeIntervalSince(waitingSince) >= Self.recordDelay
                {
                    recording = true
                    waitingSince = .distantFuture
                    let records = finished, releasing = released
                    finished.removeAll(keepingCapacity: true)
                    released.removeAll()
                    group.addTask { await self.record(records, releasing: releasing) }
                }
                guard let step = await group.next() else { break }
                switch step {
                case .claimed(let ready, let failed):
                    claiming = false
                    exhausted = ready.isEmpty && failed.isEmpty
                    // This claim saw the pauses written before it started: a channel it hands out is no longer paused
                    // (the pause ran out, or a manual retry ended it). Held on here by time, a retried channel's
                    // deliveries were claimed, released unsent and left for the next drain, however long the other
                    // channels' backlog kept this one going.
                    for name in queues.keys where queues[name]?.heldUntilWrite.map({ claimStartedAfter >= $0 }) == true {
                        queues[name]?.heldUntilWrite = nil
                    }
                    for item in ready {
                        queues[item.delivery.channel, default: ChannelQueue(concurrency: item.channel.concurrency)].append(item)
                    }
                    if !failed.isEmpty { waitingSince = min(waitingSince, now()) }
                    finished += failed
                    attempted += failed.count
                case .sent(let channel, let record):
                    done(record, channel: channel)
                case .answered(let batch):
                    listening = false
                    unanswered -= batch.count
                    for answer in batch { done(conclude(answer), channel: answer.ready.delivery.channel) }
                case .recorded:
                    recording = false
                    writes += 1
                }
            }
        }
        return attempted
    }

    /// Claims up to `limit` due deliveries and makes each ready: the body kept with it, or one rendered now from the
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
                    // Queued without a body (by a version before bodies were rendered at the event, or one that could not
                    // be rendered then): the event's time is the delivery's.
                    let payload = try NotificationRenderer.payload(
                        for: NotificationEvent(event: delivery.event, deliveryID: delivery.id), lead: lead, channel: channel, at: delivery.createdAt)
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

    /// Sends the HTTP request of one attempt (a webhook, a Slack message); its answer goes to `answers`.
    private func send(_ ready: Ready, answersTo answers: Answers) {
        let started = now()
        let start = ContinuousClock.now
        let request: OutboundRequest
        switch ready.channel.kind {
        case .webhook(let settings):
            request = NotificationRenderer.webhookRequest(
                ready.delivery, payload: ready.payload, settings: settings, timeout: ready.channel.timeout, at: started)
        case .slack(let settings):
            request = OutboundRequest(
                url: settings.url, headers: [("Content-Type", "application/json")], body: ready.payload, timeout: ready.channel.timeout)
        case .email:
            preconditionFailure("mail goes through mail(_:)")
        }
        transport.start(request) { result in
            answers.append(Answer(ready: ready, started: started, latency: ContinuousClock.now - start, result: result))
        }
    }

    /// What an HTTP answer means for its delivery.
    private func conclude(_ answer: Answer) -> AttemptRecord {
        switch answer.result {
        case .success(let response):
            return conclude(
                answer.ready, started: answer.started, latency: answer.latency, status: response.status, error: nil,
                excerpt: Self.excerpt(response.body),
                retryAfter: response.header("Retry-After").flatMap { Self.retryAfter($0, now: answer.started) })
        case .failure(let error):
            return conclude(answer.ready, started: answer.started, latency: answer.latency, status: nil, error: "\(error)")
        }
    }

    /// One attempt at one mail, whatever happens.
    private func mail(_ ready: Ready) async -> AttemptRecord {
        guard case .email(let settings) = ready.channel.kind else { preconditionFailure("not a mail channel") }
        let started = now()
        let start = ContinuousClock.now
        do {
            let recipients = try NotificationRenderer.recipients(settings, payload: ready.payload)
            try await transport.send(OutboundMail(
                server: settings.smtp, username: settings.username, password: settings.password, from: settings.from,
                recipients: recipients, message: try NotificationRenderer.mailMessage(ready.payload), timeout: ready.channel.timeout
            ))
            return conclude(ready, started: started, latency: ContinuousClock.now - start, status: 250, error: nil)
        } catch {
            return conclude(ready, started: started, latency: ContinuousClock.now - start, status: nil, error: "\(error)")
        }
    }

    /// The record of an attempt and what follows from it: delivered on a 2xx, the channel off on a 410, a retry
    /// (after `Retry-After` on a 429 or 503) or dead otherwise.
    private func conclude(
        _ ready: Ready, started: Date, latency: Duration, status: Int?, error: String?, excerpt: String? = nil, retryAfter: TimeInterval? = nil
    ) -> AttemptRecord {
        let delivery = ready.delivery
        let milliseconds = Int(latency.components.seconds * 1000 + latency.components.attoseconds / 1_000_000_000_000_000)
        let attempt = DeliveryAttempt(at: started, status: status, latencyMilliseconds: milliseconds, error: error, response: excerpt)
        let outcome: DeliveryOutcome
        var pause: Date?
        switch status {
        case .some(200...299) where error == nil:
            outcome = .delivered
        case .some(410):
            outcome = .disableChannel(reason: "the receiver answered 410 Gone on delivery \(delivery.id)")
        case .some(let code) where code == 429 || code == 503:
            outcome = nextOutcome(after: delivery, retryAfter: retryAfter, at: started)
            // `Retry-After` is about the receiver, not this one delivery (RFC 9110 10.2.3, RFC 6585 4): the whole
            // channel waits as long as this delivery does.
            if let retryAfter, retryAfter > 0 {
                let until = started.addingTimeInterval(cappedRetryAfter(retryAfter))
                pause = until
                logger.warning("channel \(delivery.channel) paused until \(until): the receiver answered \(code) with Retry-After")
            }
        default:
            outcome = nextOutcome(after: delivery, retryAfter: nil, at: started)
        }
        metrics.record(channel: delivery.channel, outcome: outcome, latency: latency)
        let keep = ready.rendered && outcome != .delivered
        return AttemptRecord(
            deliveryID: delivery.id, attempt: attempt, outcome: outcome, payload: keep ? ready.payload : nil, pauseChannelUntil: pause)
    }

    /// The next try on the schedule (with ±10% jitter), no sooner than `Retry-After`; dead after the last.
    func nextOutcome(after delivery: Delivery, retryAfter: TimeInterval?, at moment: Date) -> DeliveryOutcome {
        let attempt = delivery.attempts + 1
        guard attempt < schedule.delays.count else { return .dead }
        let delay = schedule.delays[attempt]
        let seconds = delay.timeInterval
        let jittered = seconds * Double.random(in: 0.9...1.1)
        return .retry(at: moment.addingTimeInterval(max(jittered, retryAfter.map(cappedRetryAfter) ?? 0)))
    }

    /// `Retry-After`, no longer than the schedule's longest delay: a receiver that says "in a year" is tried again
    /// as a failing one would be.
    func cappedRetryAfter(_ seconds: TimeInterval) -> TimeInterval {
        min(seconds, schedule.delays.map(\.timeInterval).max() ?? seconds)
    }

    private func record(_ records: [AttemptRecord], releasing released: [String]) async -> Step {
        do {
            try await store.recordAttempts(records, releasing: released)
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
    ///
    /// Dates in the three forms RFC 9110 (5.6.7) has recipients accept: IMF-fixdate, and the obsolete RFC 850 and
    /// asctime ones.
    static func retryAfter(_ value: String, now: Date) -> TimeInterval? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // asctime pads a one-digit day with a space: "Nov  6" reads like "Nov 6".
        let spaced = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: spaced) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}
