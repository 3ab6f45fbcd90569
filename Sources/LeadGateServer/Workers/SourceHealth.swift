import Foundation
import Synchronization

/// What the gateway's source workers report: counters for `/metrics`, and each pull source's connection state
/// for `/readyz` (a mailbox that keeps refusing shows there, with its last error and next try).
public final class SourceHealth: Sendable {
    /// The state of one polled source.
    public struct PollState: Sendable, Hashable {
        public var lastSuccess: Date?
        public var lastError: String?
        public var consecutiveFailures = 0
        public var nextPollAt: Date?
    }

    private struct State {
        /// Counter name → labels text → value.
        var counters: [String: [String: Int]] = [:]
        var polls: [String: PollState] = [:]
    }

    private let state = Mutex(State())
    static let help: [String: String] = [
        "leadgate_fetch_attempts_total": "Platform fetches of pending leads by source and result (completed, retry, needs_configuration, gave_up).",
        "leadgate_imap_polls_total": "IMAP polls by source and result (ok, failed).",
        "leadgate_imap_messages_total": "IMAP messages by source and outcome (stored, duplicate, quarantined).",
    ]

    public init() {}

    func count(_ name: String, source: String, _ label: String, _ value: String, by amount: Int = 1) {
        let labels = "source=\"\(source)\",\(label)=\"\(value)\""
        state.withLock { $0.counters[name, default: [:]][labels, default: 0] += amount }
    }

    func polled(_ source: String, at date: Date, error: String?, next: Date) {
        state.withLock { state in
            var poll = state.polls[source] ?? PollState()
            if let error {
                poll.lastError = error
                poll.consecutiveFailures += 1
            } else {
                poll.lastSuccess = date
                poll.lastError = nil
                poll.consecutiveFailures = 0
            }
            poll.nextPollAt = next
            state.polls[source] = poll
        }
    }

    /// Each polled source's state.
    public var polls: [String: PollState] { state.withLock { $0.polls } }

    /// The counters, and `leadgate_fetch_pending{source,state}` from `pending`, as Prometheus text.
    func prometheusText(pending: [String: [String: Int]]) -> String {
        let counters = state.withLock { $0.counters }
        var lines: [String] = []
        for name in Self.help.keys.sorted() {
            lines += ["# HELP \(name) \(Self.help[name] ?? "")", "# TYPE \(name) counter"]
            for (labels, value) in (counters[name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines.append("\(name){\(labels)} \(value)")
            }
        }
        lines += ["# HELP leadgate_fetch_pending Leads waiting for their platform fetch, by source and state.", "# TYPE leadgate_fetch_pending gauge"]
        for (source, states) in pending.sorted(by: { $0.key < $1.key }) {
            for (state, count) in states.sorted(by: { $0.key < $1.key }) {
                lines.append("leadgate_fetch_pending{source=\"\(source)\",state=\"\(state)\"} \(count)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
