import Dispatch
import Foundation
import Synchronization
import Testing
@testable import LeadGateStore

/// The group committer's durability stage: a caller is answered only after a flush that began after its
/// batch was committed, and a failed flush fails the answers it was to make durable.
@Suite struct GroupCommitterTests {
    struct FlushFailed: Error {}

    /// Everything the stages did, in order.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    @Test func answersAfterTheFlushThatCoversTheCommit() async throws {
        let log = Log()
        let gate = DispatchSemaphore(value: 0)
        let (flushStarted, started) = AsyncStream.makeStream(of: Void.self)
        let committer = GroupCommitter<Int, Int>(sync: {
            log.add("flush")
            started.yield()
            gate.wait()
            log.add("flushed")
        }) { groups in
            log.add("commit \(groups.flatMap { $0 })")
            return groups.map { .success($0.map { $0 * 10 }) }
        }
        let answered = Mutex(false)
        let first = Task {
            let outputs = try await committer.submit([1, 2])
            answered.withLock { $0 = true }
            log.add("answered \(outputs)")
            return outputs
        }
        var flushes = flushStarted.makeAsyncIterator()
        await flushes.next()
        // The commit is done and its flush is held: the caller must still be waiting.
        #expect(log.all == ["commit [1, 2]", "flush"])
        #expect(answered.withLock { $0 } == false)
        gate.signal()
        #expect(try await first.value == [10, 20])
        let entries = log.all
        #expect(entries.firstIndex(of: "flushed")! < entries.firstIndex(of: "answered [10, 20]")!)
        // A later batch needs a flush of its own.
        let second = Task { try await committer.submit([3]) }
        await flushes.next()
        gate.signal()
        #expect(try await second.value == [30])
        #expect(log.all.filter { $0 == "flushed" }.count == 2)
    }

    @Test func aFailedFlushFailsTheCommitsItCovered() async throws {
        let committer = GroupCommitter<Int, Int>(sync: { throw FlushFailed() }) { groups in
            groups.map { .success($0) }
        }
        await #expect(throws: FlushFailed.self) { try await committer.submit([1]) }
        await #expect(throws: FlushFailed.self) { try await committer.submit([2, 3]) }
    }

    /// The loop that takes and writes the batches runs on the committer's own thread, outside any task: on the tasks'
    /// pool it waited after every commit behind the requests' tasks for a thread, and the writer sat idle meanwhile.
    @Test func writesOutsideTheTasksPool() async throws {
        let inTask = Mutex<[Bool]>([])
        let committer = GroupCommitter<Int, Int> { groups in
            inTask.withLock { $0.append(withUnsafeCurrentTask { $0 != nil }) }
            return groups.map { .success($0) }
        }
        _ = try await committer.submit([1])
        _ = try await committer.submit([2])
        #expect(inTask.withLock { $0 } == [false, false])
    }

    @Test func withoutAFlushStageAnswersAtCommit() async throws {
        let committer = GroupCommitter<Int, Int> { groups in groups.map { .success($0.map { -$0 }) } }
        #expect(try await committer.submit([4, 5]) == [-4, -5])
    }
}
