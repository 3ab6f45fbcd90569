import Synchronization

/// Batches concurrent writes into one transaction: every caller that arrives while a transaction is
/// running waits for the next one, which commits all of them with a single fsync. Each caller still
/// returns only after its own items are durable.
final class GroupCommitter<Item: Sendable, Output: Sendable>: Sendable {
    typealias Writer = @Sendable ([[Item]]) async -> [Result<[Output], any Error>]

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
    private let maxBatch: Int

    /// `write` commits the groups of one batch in one transaction and returns one result per group.
    init(maxBatch: Int = 512, write: @escaping Writer) {
        self.maxBatch = maxBatch
        self.write = write
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
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
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
            let results = await write(batch.map(\.items))
            for (waiter, result) in zip(batch, results) {
                waiter.continuation.resume(with: result)
            }
        }
    }
}
