import Foundation
import GRDB
import GRDBSQLite

/// SQLite copies a value bound with this destructor, so the Swift buffer may go away at once.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds a statement's parameters in order straight through SQLite's C API.
///
/// GRDB's `StatementArguments` boxes each value as an existential and converts it to a `DatabaseValue` before
/// binding; for the writer's per-intake look-ups and inserts that was more than SQLite's own work.
///
/// Texts and blobs are copied into `arena`, a buffer on the caller's stack that outlives the statement's run, and bound
/// where they lie there: bound as transient, SQLite took a lock, allocated and copied for each one, and freed it again
/// (about 700 instructions a text, a dozen texts an intake). A value that does not fit is bound as transient.
struct RawBinder {
    fileprivate let statement: OpaquePointer
    fileprivate var index: Int32 = 1
    /// The first binding SQLite refused (a value over its length limit, out of memory): the statement does not run.
    fileprivate var failure: Int32 = SQLITE_OK
    private let arena: UnsafeMutableRawBufferPointer
    private var used = 0

    fileprivate init(statement: OpaquePointer, arena: UnsafeMutableRawBufferPointer) {
        self.statement = statement
        self.arena = arena
    }

    private mutating func bound(_ code: Int32) {
        if failure == SQLITE_OK { failure = code }
        index += 1
    }

    /// Where `bytes` lie for SQLite to read, and how they are bound: copied into the arena when they fit, then static
    /// (SQLite's null destructor: read where they lie), else at their own address, transient (SQLite copies them).
    /// nil for no bytes.
    private mutating func place(_ bytes: UnsafeRawBufferPointer) -> (pointer: UnsafeRawPointer, destructor: sqlite3_destructor_type?)? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        guard bytes.count <= arena.count - used, let arenaBase = arena.baseAddress else { return (base, transient) }
        let target = arenaBase + used
        target.copyMemory(from: base, byteCount: bytes.count)
        used += bytes.count
        return (UnsafeRawPointer(target), nil)
    }

    mutating func text(_ value: String?) {
        guard var value else { return bound(sqlite3_bind_null(statement, index)) }
        let code = value.withUTF8 { utf8 in
            // An empty buffer may have no address, which SQLite would read as NULL: bind "" then.
            guard let (pointer, destructor) = place(UnsafeRawBufferPointer(utf8)) else {
                return sqlite3_bind_text64(statement, index, "", 0, transient, UInt8(SQLITE_UTF8))
            }
            return sqlite3_bind_text64(
                statement, index, pointer.assumingMemoryBound(to: CChar.self), sqlite3_uint64(utf8.count), destructor, UInt8(SQLITE_UTF8))
        }
        bound(code)
    }

    mutating func int(_ value: Int64?) {
        bound(value.map { sqlite3_bind_int64(statement, index, $0) } ?? sqlite3_bind_null(statement, index))
    }

    mutating func int(_ value: Int?) {
        int(value.map(Int64.init))
    }

    mutating func bool(_ value: Bool) {
        int(Int64(value ? 1 : 0))
    }

    mutating func double(_ value: Double?) {
        bound(value.map { sqlite3_bind_double(statement, index, $0) } ?? sqlite3_bind_null(statement, index))
    }

    mutating func blob(_ value: [UInt8]?) {
        guard let value else { return bound(sqlite3_bind_null(statement, index)) }
        let code = value.withUnsafeBytes { bytes in
            // A zero-length blob, never NULL, even for an empty array.
            guard let (pointer, destructor) = place(bytes) else {
                return sqlite3_bind_zeroblob64(statement, index, 0)
            }
            return sqlite3_bind_blob64(statement, index, pointer, sqlite3_uint64(bytes.count), destructor)
        }
        bound(code)
    }
}

extension Statement {
    /// Binds with `bind` and runs the statement to its end (an insert or update); throws SQLite's error.
    func executeRaw(_ bind: (inout RawBinder) -> Void) throws {
        _ = try stepRaw(bind) { _ in () }
    }

    /// Binds with `bind`, steps once and, when that gives a row, reads it with `read` (columns by index, from
    /// 0). The statement is reset before it returns, so it holds no lock and the transaction can commit.
    ///
    /// Values are bound where they lie in a buffer on this stack frame (`RawBinder`): before it returns, the statement
    /// is reset and its bindings cleared, so nothing can read them once the buffer is gone.
    func stepRaw<T>(_ bind: (inout RawBinder) -> Void, read: (RawRow) -> T) throws -> T? {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        // A lead's row (its JSON body, search text, qualification) fits; anything larger is bound as a copy.
        return try withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 8) { arena in
            var binder = RawBinder(statement: statement, arena: arena)
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            bind(&binder)
            func failure(_ code: Int32) -> DatabaseError {
                DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))), sql: sql)
            }
            guard binder.failure == SQLITE_OK else { throw failure(binder.failure) }
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                return read(RawRow(statement: statement))
            case SQLITE_DONE:
                return nil
            case let code:
                throw failure(code)
            }
        }
    }
}

/// The current row of a statement stepped by `stepRaw`.
struct RawRow {
    fileprivate let statement: OpaquePointer

    func int(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    /// The column's integer; nil for NULL.
    func optionalInt(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's bytes; nil for NULL (an empty blob reads as empty).
    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}
