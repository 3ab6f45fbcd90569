import GRDB
import Synchronization

/// Copies the WAL back into the database file from its own connection, so the writer never stalls on
/// it: every `interval` committed intakes, one PASSIVE checkpoint runs in the background (never two at
/// once; it does not block the writer, and the next commit after a complete one restarts the WAL).
/// The writer's own auto-checkpoint stays as a backstop at a much larger WAL.
final class WALCheckpointer: Sendable {
    private struct State {
        var sinceLast = 0
        var running = false
    }

    private let connection: DatabaseQueue
    private let interval: Int
    private let state = Mutex(State())

    init(path: String, interval: Int = 1024) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    /// Tells it `count` more intakes were committed; starts a checkpoint when enough have been.
    func committed(_ count: Int) {
        let start = state.withLock { state in
            state.sinceLast += count
            guard state.sinceLast >= interval, !state.running else { return false }
            state.sinceLast = 0
            state.running = true
            return true
        }
        guard start else { return }
        connection.asyncWriteWithoutTransaction { db in
            // A failed passive checkpoint is retried by the next one (or the writer's backstop); nothing is lost.
            _ = try? db.checkpoint(.passive)
            self.state.withLock { $0.running = false }
        }
    }
}
