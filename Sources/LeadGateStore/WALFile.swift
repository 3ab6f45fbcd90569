#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's write-ahead log, opened for flushing only: the group committer's durability stage.
///
/// SQLite's FULL differs from NORMAL, in WAL mode, by one thing: an fsync of the WAL after each commit
/// (NORMAL already syncs the WAL before every checkpoint, the database after it, and the WAL header
/// whenever the log starts over). Intake transactions therefore commit in NORMAL and this file is flushed
/// before any of them is answered — the same guarantee as FULL, but the flush runs beside the writer,
/// which meanwhile commits the next batch, and one flush covers every batch committed before it began.
///
/// The descriptor stays valid for the life of the store: SQLite removes the WAL only when the last
/// connection to the database closes, and the store's own connections stay open while it exists
/// (a checkpoint that truncates the log keeps the file). SQLite takes no POSIX locks on the WAL itself,
/// so this descriptor cannot release one when it closes.
final class WALFile: Sendable {
    private let descriptor: Int32

    /// Nil when the WAL cannot be opened (the store then keeps SQLite's own fsync at every commit).
    init?(databasePath: String) {
        let descriptor = open(databasePath + "-wal", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Blocks until everything written to the WAL so far is on stable storage.
    func flush() throws {
        while fdatasync(descriptor) != 0 {
            guard errno == EINTR else { throw WALFlushError(errno: errno) }
        }
    }
}

/// The WAL could not be flushed: the commits it was to cover may not survive a power loss.
struct WALFlushError: Error, CustomStringConvertible {
    var errno: Int32

    var description: String { "flushing the write-ahead log failed: \(String(cString: strerror(errno)))" }
}
