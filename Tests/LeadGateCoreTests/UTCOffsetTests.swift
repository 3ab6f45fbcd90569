import Foundation
import Testing

@testable import LeadGateCore

/// `UTCOffset` remembers spans of a zone's offset: it must answer exactly as Foundation does on both sides of
/// every transition, whichever order the instants come in.
struct UTCOffsetTests {
    /// Zones with a DST of an hour, one of half an hour (Lord Howe), one south of the equator, and none.
    static let zones = ["Asia/Jerusalem", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata", "UTC"]

    /// Every transition of 2026 in `zone`, found through Foundation.
    static func transitions(of zone: TimeZone) -> [Date] {
        var found: [Date] = []
        var after = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01
        while let next = zone.nextDaylightSavingTimeTransition(after: after), next < Date(timeIntervalSince1970: 1_798_761_600) {
            found.append(next)
            after = next
        }
        return found
    }

    @Test(arguments: zones)
    func answersAsFoundationDoesAcrossTransitions(identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        let transitions = Self.transitions(of: zone)
        if identifier == "Asia/Jerusalem" { #expect(transitions.count == 2) }
        // A zone without transitions still walks a day, which crosses the span's one-day limit.
        for transition in transitions.isEmpty ? [Date(timeIntervalSince1970: 1_780_000_000)] : transitions {
            // Every 7 minutes from 3 hours before to 3 hours after, forward, then backward, each instant followed by
            // the close of a 45-day cycle (the two distances a qualification asks at), then a day forward in hours.
            let steps = (-26...26).map { transition.addingTimeInterval(Double($0) * 420) }
            let walk = steps + steps.reversed() + (0...30).map { transition.addingTimeInterval(Double($0) * 3600) }
            for date in walk {
                let later = date.addingTimeInterval(45 * 86_400)
                #expect(UTCOffset.seconds(in: zone, at: date) == zone.secondsFromGMT(for: date), "\(date) in \(identifier)")
                #expect(UTCOffset.seconds(in: zone, at: later) == zone.secondsFromGMT(for: later), "\(later) in \(identifier)")
            }
        }
    }

    @Test
    func zonesDoNotShareAnswers() throws {
        let date = Date(timeIntervalSince1970: 1_780_000_000)
        for identifier in Self.zones + Self.zones {
            let zone = try #require(TimeZone(identifier: identifier))
            #expect(UTCOffset.seconds(in: zone, at: date) == zone.secondsFromGMT(for: date), "\(identifier)")
        }
    }
}
