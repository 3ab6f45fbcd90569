import Foundation
import LeadGateCore
import Synchronization
import Testing
@testable import LeadGateServer

@Suite struct LearnedOutcomesTests {
    @Test("outcomes are read once per lifetime, and again when it is over")
    func readsOncePerLifetime() async throws {
        let cache = LearnedOutcomes(lifetime: 300)
        let reads = Mutex(0)
        func read(at seconds: TimeInterval) async throws -> Int {
            try await cache.observations(at: Date(timeIntervalSince1970: seconds)) {
                reads.withLock { $0 += 1 }
                return [StageObservation(product: "crm", stage: "new", won: true)]
            }.count
        }
        #expect(try await read(at: 1_000) == 1)
        #expect(try await read(at: 1_299) == 1)
        #expect(reads.withLock { $0 } == 1)
        #expect(try await read(at: 1_300) == 1)
        #expect(reads.withLock { $0 } == 2)
        // A clock that went back (an injected one, or NTP) reads again rather than trusting the old reading.
        _ = try await read(at: 900)
        #expect(reads.withLock { $0 } == 3)
    }
}
