import Dispatch
import Synchronization

/// Batches concurrent writes into one transaction: every caller that arrives while a transaction is
/// running waits for the next one, which commits all of them together. Each caller still returns only
/// after its own items are durable.
///
/// The batches are taken and written on a serial queue of their own, never on the tasks' pool: there, the loop
/// waited after every commit for a pool thread to take it up again, behind the requests' own tasks, and
/// the writer sat idle meanwhile (a cost added to those tasks then cost the gateway more than its CPU).
///
/// With a `sync` stage, the transactions commit without waiting for the disk, and the stage makes them
/// durable on its own thread while the writer already commits the next batch: one flush then covers
/// every batch committed before it started, and the writer never sits idle behind an fsync. Callers are
/// answered only after a flush that began after their commit returned.
final class GroupCommitter<Item: Sendable, Output: Sendable>: Sendable {
    /// Blocks its thread while it writes (a thread of the committer's queue, not one of the tasks' pool).
    typealias Writer = @Sendable ([[Item]]) -> [Result<[Output], any Error>]
    /// Makes everything committed so far durable. It blocks (an fsync), so it runs on a thread of its own.
    typealias Sync = @Sendable () throws -> Void

    private struct Waiter {
        var items: [Item]
        var continuation: CheckedContinuation<[Output], any Error>
    }

    private struct State {
        var waiting: [Waiter] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let write: Writer
    private let flusher: Flusher?
    private let maxBatch: Int
    private let queue = DispatchQueue(label: "leadgate.store.commit", qos: .userInitiated)

    /// `write` commits the groups of one batch in one transaction and returns one result per group.
    init(maxBatch: Int = 512, sync: Sync? = nil, write: @escaping Writer) {
        self.maxBatch = maxBatch
        self.write = write
        self.flusher = sync.map(Flusher.init)
    }

    /// Commits `items` with whatever else is waiting; returns once they are durable.
    func submit(_ items: [Item]) async throws -> [Output] {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = state.withLock { state in
                state.waiting.append(Waiter(items: items, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain {
                queue.async { self.drain() }
            }
        }
    }

    private func drain() {
        while true {
            let batch: [Waiter] = state.withLock { state in
                var taken: [Waiter] = []
                var count = 0
                while !state.waiting.isEmpty, taken.isEmpty || count + state.waiting[0].items.count <= maxBatch {
                    let waiter = state.waiting.removeFirst()
                    count += waiter.items.count
                    taken.append(waiter)
                }
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if batch.isEmpty { return }
            let results = write(batch.map(\.items))
            let answers = zip(batch, results).map { Answer(continuation: $0.continuation, result: $1) }
            if let flusher {
                flusher.answerWhenDurable(answers)
            } else {
                for answer in answers { answer.continuation.resume(with: answer.result) }
            }
        }
    }

    fileprivate struct Answer: Sendable {
        var continuation: CheckedContinuation<[Output], any Error>
        var result: Result<[Output], any Error>
    }

    /// The durability stage: takes every answer committed so far, flushes once, answers them, and repeats
    /// while more arrived during the flush. A failed flush fails the answers it was to cover, because
    /// nothing tells which of their commits reached the disk.
    private final class Flusher: Sendable {
        private struct State {
            var committed: [Answer] = []
            var flushing = false
        }

        private let sync: Sync
        private let state = Mutex(State())
        private let queue = DispatchQueue(label: "leadgate.store.flush", qos: .userInitiated)

        init(sync: @escaping Sync) {
            self.sync = sync
        }

        func answerWhenDurable(_ answers: [Answer]) {
            let start = state.withLock { state in
                state.committed.append(contentsOf: answers)
                if state.flushing { return false }
                state.flushing = true
                return true
            }
            if start {
                queue.async { self.flushWhileCommitted() }
            }
        }

        private func flushWhileCommitted() {
            while true {
                let answers: [Answer] = state.withLock { state in
                    let taken = state.committed
                    state.committed = []
                    if taken.isEmpty { state.flushing = false }
                    return taken
                }
                if answers.isEmpty { return }
                let flushed = Result { try sync() }
                for answer in answers {
                    answer.continuation.resume(with: flushed.flatMap { _ in answer.result })
                }
            }
        }
    }
}
