import Foundation
import LeadGateCore
import LeadGateSourceKit
import LeadGateStore
import Logging
import ServiceLifecycle

/// When a failed platform fetch is tried again.
public struct FetchBackoff: Sendable, Hashable {
    /// The wait after the first failure that may pass by itself; it doubles with each further one.
    public var first: Duration
    public var longest: Duration
    /// The wait while the platform refuses the source's credentials: slow, until an operator fixes them.
    public var configuration: Duration

    public static let standard = FetchBackoff(first: .seconds(30), longest: .seconds(3600), configuration: .seconds(600))

    /// The wait after failure number `attempts` (1 for the first).
    func delay(after attempts: Int, _ recovery: FetchRecovery) -> TimeInterval {
        switch recovery {
        case .fixConfiguration: return configuration.timeInterval
        case .giveUp: return 0
        case .retryLater: return min(longest.timeInterval, first.timeInterval * pow(2, Double(min(max(attempts - 1, 0), 30))))
        }
    }
}

/// Completes `pending_fetch` leads: takes the due ones from the store, asks their source's adapter
/// (`EnrichingSource.complete`) for the platform's answers, and commits the completed lead through the pipeline
/// under the pending lead's id. A failure is recorded on the lead (state, attempts, last error, next attempt) and
/// counted in `/metrics`; the lead stays pending until it completes — never dropped.
public struct FetchWorker: Service {
    let pipeline: IntakePipeline
    let sources: [String: ConfiguredSource]
    let backoff: FetchBackoff
    let health: SourceHealth
    let logger: Logger
    /// How long a claimed fetch is hidden from other takers (a worker that dies mid-fetch frees it then).
    let lease: TimeInterval = 300
    /// At most this many fetches at once, so a backlog does not flood a platform's rate limit.
    let concurrency = 8

    public init(pipeline: IntakePipeline, sources: [ConfiguredSource], backoff: FetchBackoff = .standard, health: SourceHealth, logger: Logger) {
        self.pipeline = pipeline
        self.sources = Dictionary(sources.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.backoff = backoff
        self.health = health
        self.logger = logger
    }

    /// Whether any configured source completes pending leads (else the gateway runs no fetch worker).
    static func isNeeded(for sources: [ConfiguredSource]) -> Bool {
        sources.contains { $0.adapter is any EnrichingSource }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let worked = (try? await runOnce()) ?? 0
            if worked == 0 { try? await Task.sleep(for: .seconds(1)) }
        }
    }

    /// Attempts every fetch due now (up to `limit`); returns how many were attempted.
    @discardableResult
    public func runOnce(limit: Int = 64) async throws -> Int {
        let moment = pipeline.now()
        let due = try await pipeline.store.claimPendingFetches(now: moment, leaseUntil: moment.addingTimeInterval(lease), limit: limit)
        await withTaskGroup(of: Void.self) { group in
            var iterator = due.makeIterator()
            for _ in 0..<concurrency {
                guard let next = iterator.next() else { break }
                group.addTask { await attempt(next) }
            }
            while await group.next() != nil {
                if let next = iterator.next() { group.addTask { await attempt(next) } }
            }
        }
        return due.count
    }

    /// One fetch of one pending lead, its outcome recorded whatever happens.
    func attempt(_ pending: PendingFetch) async {
        let attempts = pending.attempts + 1
        guard let source = sources[pending.source], let enriching = source.adapter as? any EnrichingSource else {
            await failed(pending, attempts: attempts, recovery: .fixConfiguration, status: 0,
                         message: "source '\(pending.source)' is not configured as a source that fetches leads")
            return
        }
        let draft = LeadDraft(
            fields: pending.fields.sorted { $0.key < $1.key }.map { RawField($0.key, $0.value) }, externalID: pending.externalID,
            receivedAt: pending.receivedAt, isTest: pending.isTest
        )
        let completed: LeadDraft
        do {
            completed = try await enriching.complete(draft)
        } catch let error as any FetchError {
            await failed(pending, attempts: attempts, recovery: error.recovery, status: error.status, message: error.description)
            return
        } catch {
            // No answer came (refused, timed out): the platform or the network may be back soon.
            await failed(pending, attempts: attempts, recovery: .retryLater, status: 0, message: "no answer: \(error)")
            return
        }
        do {
            _ = try await pipeline.complete(pending.leadID, with: completed, from: source)
            health.count("leadgate_fetch_attempts_total", source: pending.source, "result", "completed")
        } catch {
            // The store refused the write: the lease runs out and the fetch is tried again then.
            logger.error("completed lead could not be stored", metadata: ["lead": "\(pending.leadID)", "error": "\(error)"])
        }
    }

    private func failed(_ pending: PendingFetch, attempts: Int, recovery: FetchRecovery, status: Int, message: String) async {
        let moment = pipeline.now()
        let state: FetchStatus.State = switch recovery {
        case .retryLater: .waiting
        case .fixConfiguration: .needsConfiguration
        case .giveUp: .gaveUp
        }
        let next = recovery == .giveUp ? nil : moment.addingTimeInterval(backoff.delay(after: attempts, recovery))
        let result = state == .waiting ? "retry" : state.rawValue
        health.count("leadgate_fetch_attempts_total", source: pending.source, "result", result)
        logger.warning("platform fetch failed", metadata: [
            "lead": "\(pending.leadID)", "source": "\(pending.source)", "attempt": "\(attempts)", "error": "\(message)",
        ])
        do {
            try await pipeline.store.recordFetchFailure(
                leadID: pending.leadID,
                status: FetchStatus(state: state, attempts: attempts, nextAttemptAt: next, lastStatus: status, lastError: message),
                at: moment)
        } catch {
            logger.error("fetch failure could not be recorded", metadata: ["lead": "\(pending.leadID)", "error": "\(error)"])
        }
    }
}
