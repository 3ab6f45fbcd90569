import GRDB
import GRDBSQLite
import Synchronization

/// Keeps the WAL short while the writer does next to none of the copying.
///
/// SQLite's own auto-checkpoint runs on the committing connection: the writer copies every frame back
/// into the database file and syncs it, while every intake waits behind it. Here the writer's commit hook
/// only counts. Once enough frames are not yet in the database file, a PASSIVE checkpoint copies them from
/// a connection of its own, beside the writer. That alone never lets the log start over, because the
/// writer keeps appending while it runs, and the log only restarts once a checkpoint has caught up
/// with it. So once the log is long, the background copies again as soon as it is done, each pass shorter
/// than the last (it copies what the writer added during the one before), and when only a short tail is
/// left the writer copies that tail itself, right after its commit, and its next transaction starts the
/// log from the beginning. The writer's copy ends with an fsync of the database file, which every intake
/// waits for, so the log starts over seldom (`Thresholds.restart`).
/// A log that grows past `backstop` anyway is checkpointed by the writer whatever the tail.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let policy: Mutex<WALCheckpointPolicy>

    init(path: String, thresholds: WALCheckpointPolicy.Thresholds = .init()) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        policy = Mutex(WALCheckpointPolicy(thresholds: thresholds))
    }

    /// Replaces SQLite's auto-checkpoint on the writer connection `db` with `committed(frames:on:)`.
    /// The store keeps this object for as long as the connection can commit.
    func install(on db: Database) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(frames: Int(frames), on: connection)
            return SQLITE_OK
        }, context)
    }

    /// Called on the writer after each commit, with the log's length in frames.
    private func committed(frames: Int, on writer: OpaquePointer?) {
        switch policy.withLock({ $0.decide(frames: frames) }) {
        case .none:
            break
        case .writer:
            // Whatever it returns, nothing is lost: a checkpoint that could not finish leaves frames in the log.
            var log: Int32 = 0, checkpointed: Int32 = 0
            if sqlite3_wal_checkpoint_v2(writer, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &checkpointed) == SQLITE_OK {
                policy.withLock { $0.finished(log: Int(log), checkpointed: Int(checkpointed)) }
            }
        case .background:
            connection.asyncWriteWithoutTransaction { db in
                // A failed checkpoint is retried by the next one (or the writer's); nothing is lost.
                let result = try? db.checkpoint(.passive)
                self.policy.withLock {
                    $0.finished(log: result?.walFrameCount ?? 0, checkpointed: result?.checkpointedFrameCount ?? 0, background: true)
                }
            }
        }
    }
}

/// When to checkpoint, and where, from the log's length after each commit (`WALCheckpointer`).
struct WALCheckpointPolicy: Sendable {
    /// Frames (pages) of log; at 2 KiB pages, 4,096 frames are 8 MiB.
    ///
    /// A checkpoint copies each page once, however many commits wrote it since the last one, and every commit
    /// rewrites the last page of each table and index it grows. The longer the log between checkpoints, the
    /// fewer copies of those pages: with 4,096 frames rather than 1,024, ingest took 2 % less CPU per lead, 3 %
    /// with criteria on (both builds side by side, `scripts/bench/pair.sh`).
    struct Thresholds: Sendable {
        /// A background checkpoint starts once this many frames are not yet in the database file.
        var background = 4096
        /// From this length on (128 MiB, the log file's usual peak), the background copies again as soon as a pass
        /// ends, and the writer copies the tail...
        ///
        /// The writer's copy ends with an fsync of the database file, and every intake waits for it. On this
        /// machine's disk that fsync took 1-20 ms whatever the tail's size (27 pages as long as 200: the device
        /// flushes all that anyone wrote since its last flush), so what counts is how often the log starts over.
        /// Under the ingest benchmark on disk (`perf record` of the gateway's `fdatasync` calls, by file), the
        /// writer stood still in its fsyncs 3.6-7.2 ms per 1,000 leads with a restart every 16,384 frames and a
        /// tail of 2,048, 2.5-4.4 ms with the passes back to back and a tail of 256, and 0.9-1.7 ms with those
        /// and 65,536 frames; p99 went from 18-27 ms to 16-21 ms (`scripts/bench/stalls.sh`).
        var restart = 65536
        /// ...once no more than this many of its frames are left to copy (in proportion: twice as many at twice the
        /// length, so a disk too slow for the passes to close in still gets its log restarted).
        var tail = 256
        /// The writer checkpoints at this length even with a long tail (the background cannot keep up).
        var backstop = 262144
    }

    /// What a commit should lead to.
    enum Action: Equatable {
        case none
        case background
        case writer
    }

    let thresholds: Thresholds
    private var running = false
    /// The log's length and how much of it was in the database file after the last checkpoint, zero again
    /// once the log starts over.
    private var log = 0
    private var checkpointed = 0
    /// The last background pass copied nothing (a read still needs the frames it would have copied): no pass back
    /// to back until `background` frames are left again, rather than one after every commit while the read lasts.
    private var heldBack = false

    init(thresholds: Thresholds) {
        self.thresholds = thresholds
    }

    /// What to do after a commit that left `frames` frames in the log; a background checkpoint it asks for
    /// counts as running until `finished(background: true)`.
    mutating func decide(frames: Int) -> Action {
        // Shorter than the last checkpoint saw: the log has started over since.
        if frames < log { log = 0; checkpointed = 0 }
        if running { return .none }
        let left = frames - checkpointed
        let shortTail = frames >= thresholds.restart && left * thresholds.restart <= thresholds.tail * frames
        if shortTail || frames >= thresholds.backstop { return .writer }
        // A long log's tail is closed in on by passes back to back; a short one waits until enough is left.
        guard left >= thresholds.background || (frames >= thresholds.restart && left > 0 && !heldBack) else { return .none }
        running = true
        return .background
    }

    /// Records what a checkpoint left: `log` frames, of which `checkpointed` are in the database file.
    mutating func finished(log: Int, checkpointed: Int, background: Bool = false) {
        if background {
            running = false
            heldBack = checkpointed <= self.checkpointed
        }
        self.log = log
        self.checkpointed = checkpointed
    }
}
