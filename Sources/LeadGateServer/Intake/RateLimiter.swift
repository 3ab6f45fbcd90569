import Foundation
import Synchronization

/// Token buckets, one per source: `rate` tokens a second, at most `burst` saved up.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// Takes one token for `key`; nil when allowed, else how long until a token is there.
    func take(_ key: String, limit: RateLimit) -> TimeInterval? {
        let moment = now()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: limit.burst, updated: moment)
            let elapsed = max(0, moment.timeIntervalSince(bucket.updated))
            bucket.tokens = min(limit.burst, bucket.tokens + elapsed * limit.rate)
            bucket.updated = moment
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / limit.rate
        }
    }
}
