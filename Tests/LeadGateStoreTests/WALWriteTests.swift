import CSQLiteWAL
import Foundation
import GRDB
import GRDBSQLite
import Synchronization
import Testing
@testable import LeadGateStore

@Suite struct WALWriteTests {
    /// The writes SQLite made to the writer's WAL, and those that reached the file.
    func walWrites(_ store: SQLiteLeadStore) async throws -> (asked: Int64, made: Int64) {
        let (code, counts) = try await store.pool.writeWithoutTransaction { db in
            var counts: [Int64] = [0, 0]
            let code = counts.withUnsafeMutableBufferPointer {
                sqlite3_file_control(db.sqliteConnection, "main", LEADGATE_FCNTL_WAL_WRITES, $0.baseAddress)
            }
            return (code, counts)
        }
        #expect(code == SQLITE_OK)
        return (counts[0], counts[1])
    }

    @Test func everyConnectionOpensThroughLeadGatesVFS() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let name = try await store.pool.read { db -> String? in
            var value: UnsafeMutablePointer<CChar>?
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_VFSNAME, &value) == SQLITE_OK, let value else { return nil }
            defer { sqlite3_free(value) }
            return String(cString: value)
        }
        #expect(name == "leadgate/unix")
    }

    @Test func aCommitReachesTheLogInOneWrite() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        _ = try await store.commit([record(email: "first@example.com")])
        let before = try await walWrites(store)
        let records = (0..<100).map { record(email: "lead\($0)@example.com", phone: "+9725412\(String(format: "%05d", $0))") }
        _ = try await store.commit(records)
        let after = try await walWrites(store)
        let asked = after.asked - before.asked, made = after.made - before.made
        // SQLite writes each frame as a header and a page: a hundred leads are hundreds of writes, in a few.
        #expect(asked >= 100)
        #expect(made >= 1 && made * 20 <= asked, "\(made) writes made for \(asked) asked")
    }

    @Test func readersSeeEveryCommitWholeWhileTheWriterGoesOn() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        let count: @Sendable () async throws -> Int = {
            try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM touches t JOIN leads l ON l.id = t.lead_id") ?? -1 }
        }
        let writing = WriterState()
        try await withThrowingTaskGroup(of: [Int].self) { group in
            group.addTask {
                // Done whatever happens, so the reader stops even when a commit fails.
                defer { writing.done.withLock { $0 = true } }
                for index in 0..<300 { _ = try await store.commit([record(email: "w\(index)@example.com")]) }
                return []
            }
            group.addTask {
                var seen: [Int] = []
                while !writing.done.withLock({ $0 }) { seen.append(try await count()) }
                seen.append(try await count())
                return seen
            }
            for try await seen in group where !seen.isEmpty {
                #expect(seen == seen.sorted(), "a reader saw the count go back")
                #expect(seen.last == 300)
            }
        }
        #expect(try await count() == 300)
    }
}

/// Whether the writer task of a test has finished.
private final class WriterState: Sendable {
    let done = Mutex(false)
}
