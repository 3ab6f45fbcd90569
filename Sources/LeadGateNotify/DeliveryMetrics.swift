import LeadGateStore
import Synchronization

/// Delivery counters and a latency histogram per channel, in the Prometheus text format.
public final class DeliveryMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Channel {
        var outcomes: [String: Int] = [:]
        var bucketCounts = [Int](repeating: 0, count: DeliveryMetrics.buckets.count)
        var count = 0
        var sum = 0.0
    }

    private let channels = Mutex<[String: Channel]>([:])

    public init() {}

    func record(channel name: String, outcome: DeliveryOutcome, latency: Duration) {
        let seconds = latency.timeInterval
        let label: String
        switch outcome {
        case .delivered: label = "delivered"
        case .retry: label = "failed"
        case .dead, .disableChannel: label = "dead"
        }
        channels.withLock { channels in
            var channel = channels[name] ?? Channel()
            channel.outcomes[label, default: 0] += 1
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { channel.bucketCounts[index] += 1 }
            channel.count += 1
            channel.sum += seconds
            channels[name] = channel
        }
    }

    /// The metrics as Prometheus text.
    public func prometheusText() -> String {
        let snapshot = channels.withLock { $0 }
        var lines = [
            "# HELP leadgate_deliveries_total Delivery attempts by channel and outcome.",
            "# TYPE leadgate_deliveries_total counter",
        ]
        for (name, channel) in snapshot.sorted(by: { $0.key < $1.key }) {
            for (outcome, count) in channel.outcomes.sorted(by: { $0.key < $1.key }) {
                lines.append("leadgate_deliveries_total{channel=\"\(name)\",outcome=\"\(outcome)\"} \(count)")
            }
        }
        lines += [
            "# HELP leadgate_delivery_seconds Time a receiver took to answer.",
            "# TYPE leadgate_delivery_seconds histogram",
        ]
        for (name, channel) in snapshot.sorted(by: { $0.key < $1.key }) {
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("leadgate_delivery_seconds_bucket{channel=\"\(name)\",le=\"\(bound)\"} \(channel.bucketCounts[index])")
            }
            lines.append("leadgate_delivery_seconds_bucket{channel=\"\(name)\",le=\"+Inf\"} \(channel.count)")
            lines.append("leadgate_delivery_seconds_sum{channel=\"\(name)\"} \(channel.sum)")
            lines.append("leadgate_delivery_seconds_count{channel=\"\(name)\"} \(channel.count)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
