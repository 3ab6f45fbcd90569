import Foundation
import Testing
@testable import LeadGateCore

@Suite struct LeadIDTests {
    @Test func idsSortByTimeAndAreUnique() {
        let early = Date(timeIntervalSince1970: 1_700_000_000)
        let late = early.addingTimeInterval(0.002)
        let ids = (0..<10_000).map { LeadID.make(prefix: "ld_", at: $0 < 5_000 ? early : late) }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("ld_") && $0.count == 29 })
        let earlier = ids[0..<5_000].max() ?? ""
        let later = ids[5_000...].min() ?? ""
        #expect(earlier < later, "a later millisecond sorts after every id of an earlier one")
    }

    @Test func theTimePartEncodesMilliseconds() {
        var generator = SeededGenerator(seed: 1)
        let id = LeadID.make(prefix: "", at: Date(timeIntervalSince1970: 0), using: &generator)
        #expect(id.hasPrefix("0000000000"))
        let later = LeadID.make(prefix: "", at: Date(timeIntervalSince1970: 0.031), using: &generator)
        #expect(later.hasPrefix("000000000Z"), "31 ms is the last Crockford digit")
    }
}

/// A deterministic generator for tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
