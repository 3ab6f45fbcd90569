import Foundation
import Testing
@testable import LeadGateStore

@Suite struct WALCheckpointPolicyTests {
    static func policy() -> WALCheckpointPolicy {
        WALCheckpointPolicy(thresholds: .init(background: 100, restart: 400, tail: 50, backstop: 2000))
    }

    @Test func aShortLogIsLeftAlone() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 0) == .none)
        #expect(policy.decide(frames: 99) == .none)
    }

    @Test func theBackgroundCopiesOnceEnoughIsLeftAndNeverTwiceAtOnce() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 100) == .background)
        #expect(policy.decide(frames: 250) == .none, "one is running")
        policy.finished(log: 240, checkpointed: 240, background: true)
        #expect(policy.decide(frames: 300) == .none, "60 frames left, under 100")
        #expect(policy.decide(frames: 340) == .background)
    }

    @Test func theWriterCopiesAShortTailOfALongLogSoTheLogStartsOver() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 380) == .background)
        policy.finished(log: 380, checkpointed: 380, background: true)
        // 400 frames, 20 left: the writer's turn, not the background's.
        #expect(policy.decide(frames: 400) == .writer)
        policy.finished(log: 410, checkpointed: 410)
        // The log started over: what the last checkpoints saw no longer counts.
        #expect(policy.decide(frames: 30) == .none)
        #expect(policy.decide(frames: 100) == .background)
    }

    @Test func pastTheRestartLengthTheBackgroundClosesInOnTheTail() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 400) == .background)
        policy.finished(log: 450, checkpointed: 400, background: true)
        // 80 left of 480: fewer than 100, but the log is long: another pass now rather than leaving the writer a
        // long tail (and the long fsync after it) later.
        #expect(policy.decide(frames: 480) == .background)
        #expect(policy.decide(frames: 490) == .none, "one is running")
        policy.finished(log: 490, checkpointed: 480, background: true)
        // 15 left: short enough for the writer.
        #expect(policy.decide(frames: 495) == .writer)
    }

    @Test func aPassThatAReadHeldBackIsNotRepeatedAfterEveryCommit() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 400) == .background)
        policy.finished(log: 450, checkpointed: 400, background: true)
        #expect(policy.decide(frames: 480) == .background)
        // A read still needs the frames after 400: the pass copies nothing.
        policy.finished(log: 490, checkpointed: 400, background: true)
        #expect(policy.decide(frames: 495) == .none, "95 left, and the last pass copied nothing")
        #expect(policy.decide(frames: 500) == .background, "100 left: a pass as on a short log")
        policy.finished(log: 510, checkpointed: 505, background: true)
        // That one made headway: the passes close in again.
        #expect(policy.decide(frames: 600) == .background)
    }

    @Test func aLongerLogAcceptsALongerTail() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 500) == .background)
        policy.finished(log: 500, checkpointed: 500, background: true)
        // 70 left of 570: more than 50, but no more than 50 × 570 / 400 = 71.
        #expect(policy.decide(frames: 570) == .writer)
    }

    @Test func theWriterStepsInAtTheBackstopWhateverTheTail() {
        var policy = Self.policy()
        #expect(policy.decide(frames: 1000) == .background)
        policy.finished(log: 1000, checkpointed: 0, background: true)
        #expect(policy.decide(frames: 2000) == .writer)
    }

    @Test func underSteadyWritesTheLogKeepsStartingOver() async throws {
        // Small thresholds, so a few thousand intakes run through many cycles of the log. Without the writer's
        // tail the log would only start over at the backstop, and the file would grow towards it.
        let path = temporaryDatabasePath()
        let small = WALCheckpointPolicy.Thresholds(background: 64, restart: 256, tail: 128, backstop: 1_000_000)
        let store = try SQLiteLeadStore(path: path, synchronous: .full, checkpoints: small)
        for batch in 0..<150 {
            let records = (0..<20).map { record(email: "lead\(batch)-\($0)@example.com", phone: "+97254\(String(format: "%07d", batch * 20 + $0))") }
            _ = try await store.commit(records)
        }
        let walBytes = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        let frames = walBytes / (2048 + 24)
        #expect(frames < 8 * 256, "the log grew to \(frames) frames")
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 3000)
    }
}
