import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import LeadGateStore

/// `RawBinder` binds texts and blobs where they lie in a buffer on the stack, and values too large for it as copies.
@Suite struct RawStatementTests {
    static let insert = "INSERT INTO t (a, b, c, d) VALUES (?, ?, ?, ?)"

    func table() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, a, b, c, d)") }
        return queue
    }

    func rows(_ queue: DatabaseQueue) throws -> [[DatabaseValue]] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT a, b, c, d FROM t ORDER BY n").map { row in (0..<4).map { row[$0] as DatabaseValue } }
        }
    }

    @Test func textsAndBlobsReadBackByteForByteWhetherOrNotTheyFitTheBuffer() throws {
        let queue = try table()
        // Hebrew (two bytes a letter) and emoji (four): 5,000 bytes and more, beyond the 4 KiB buffer, beside small values.
        let long = String(repeating: "שלום 👋 ", count: 450)
        let blob = (0..<3000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try queue.write { db in
            try db.cachedStatement(sql: Self.insert).executeRaw { $0.text("דנה כהן"); $0.text(long); $0.blob(blob); $0.text(nil) }
            try db.cachedStatement(sql: Self.insert).executeRaw { $0.text(""); $0.blob([]); $0.text("a"); $0.blob([0, 1, 2]) }
        }
        let stored = try rows(queue)
        #expect(stored[0] == ["דנה כהן".databaseValue, long.databaseValue, Data(blob).databaseValue, .null])
        #expect(long.utf8.count > 4096)
        // Empty stays empty, not NULL, for a text and for a blob.
        #expect(stored[1] == ["".databaseValue, Data().databaseValue, "a".databaseValue, Data([0, 1, 2]).databaseValue])
    }

    @Test func aStatementRunAgainStoresItsNewValuesOnly() throws {
        let queue = try table()
        try queue.write { db in
            for index in 0..<50 {
                try db.cachedStatement(sql: Self.insert).executeRaw {
                    $0.text(String(repeating: "x", count: index)); $0.text("לקוח \(index)"); $0.int(Int64(index)); $0.text(index % 2 == 0 ? nil : "odd")
                }
            }
            // The same statement through GRDB's own binding afterwards sees none of the raw run's values.
            try db.cachedStatement(sql: Self.insert).execute(arguments: ["grdb", "ערך", 7, nil])
        }
        let stored = try rows(queue)
        #expect(stored.count == 51)
        for index in 0..<50 {
            #expect(stored[index] == [
                String(repeating: "x", count: index).databaseValue, "לקוח \(index)".databaseValue, Int64(index).databaseValue,
                index % 2 == 0 ? .null : "odd".databaseValue,
            ])
        }
        #expect(stored[50] == ["grdb".databaseValue, "ערך".databaseValue, 7.databaseValue, .null])
    }

    @Test func aLookUpReadsItsRowBeforeTheBufferGoes() throws {
        let queue = try table()
        try queue.write { db in
            try db.execute(sql: "INSERT INTO t (a, b) VALUES ('מפתח', 'value'), ('key', 'other')")
            let found = try db.cachedStatement(sql: "SELECT b FROM t WHERE a = ?").stepRaw({ $0.text("מפתח") }, read: { $0.text(0) })
            #expect(found == "value")
            let missing = try db.cachedStatement(sql: "SELECT b FROM t WHERE a = ?").stepRaw({ $0.text("none") }, read: { $0.text(0) })
            #expect(missing == nil)
        }
    }

    @Test func aValueSQLiteRefusesFailsTheIntakeAndWritesNothing() async throws {
        let store = try SQLiteLeadStore(path: temporaryDatabasePath())
        // A length limit below the lead's body: binding the body must fail the insert, not bind NULL in its place.
        _ = try await store.pool.writeWithoutTransaction { db in sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, 2000) }
        let long = record(email: "long@example.com", fields: ["message": String(repeating: "שלום ", count: 500)])
        let error = await #expect(throws: DatabaseError.self) { _ = try await store.commit([long]) }
        #expect(error?.resultCode == .SQLITE_TOOBIG)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM leads") } == 0)
        #expect(try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM touches") } == 0)
    }
}
