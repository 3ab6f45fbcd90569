import Foundation
import Synchronization

/// A time zone's offset from UTC at an instant, as `TimeZone.secondsFromGMT(for:)` tells it, remembered
/// from an hour before that instant to the zone's next transition (a day at most), unless a transition comes between.
///
/// Each qualified lead needs the offset twice: at its arrival (`hour`, `weekday`) and at its expected close,
/// a sales cycle later. Foundation answers each time through ICU under a lock. The server has one zone and
/// leads arrive in time order, so a few remembered spans (one per distance from now) answer nearly every call.
public enum UTCOffset {
    private struct Span {
        let identifier: String
        let from: Date
        let until: Date
        let seconds: Int

        func covers(_ date: Date, in identifier: String) -> Bool {
            from <= date && date < until && self.identifier == identifier
        }
    }

    private struct Remembered {
        static let capacity = 4
        var spans: [Span] = []
        /// The slot the next span takes once all are used: the oldest.
        var next = 0

        mutating func add(_ span: Span) {
            if spans.count < Self.capacity {
                spans.append(span)
            } else {
                spans[next] = span
                next = (next + 1) % Self.capacity
            }
        }
    }

    private static let remembered = Mutex(Remembered())

    public static func seconds(in timeZone: TimeZone, at date: Date) -> Int {
        let identifier = timeZone.identifier
        if let seconds = remembered.withLock({ $0.spans.first { $0.covers(date, in: identifier) }?.seconds }) {
            return seconds
        }
        let seconds = timeZone.secondsFromGMT(for: date)
        // The span reaches an hour back too (or to a transition within it): intakes finish out of arrival order.
        let hourEarlier = date.addingTimeInterval(-3600), dayLater = date.addingTimeInterval(86_400)
        let from = timeZone.nextDaylightSavingTimeTransition(after: hourEarlier).flatMap { $0 <= date ? $0 : nil } ?? hourEarlier
        let until = timeZone.nextDaylightSavingTimeTransition(after: date).map { min($0, dayLater) } ?? dayLater
        remembered.withLock { $0.add(Span(identifier: identifier, from: from, until: until, seconds: seconds)) }
        return seconds
    }
}
