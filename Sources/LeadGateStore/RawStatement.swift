import Foundation
import GRDB
import GRDBSQLite

/// SQLite copies a value bound with this destructor, so the Swift buffer may go away at once.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Binds a statement's parameters in order straight through SQLite's C API.
///
/// GRDB's `StatementArguments` boxes each value as an existential and converts it to a `DatabaseValue` before
/// binding; for the writer's per-intake look-ups and inserts that was more than SQLite's own work.
struct RawBinder {
    fileprivate let statement: OpaquePointer
    fileprivate var index: Int32 = 1

    mutating func text(_ value: String?) {
        defer { index += 1 }
        guard var value else { sqlite3_bind_null(statement, index); return }
        value.withUTF8 { utf8 in
            // An empty buffer may have no address, which SQLite would read as NULL.
            if let base = utf8.baseAddress {
                sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count), transient)
            } else {
                sqlite3_bind_text(statement, index, "", 0, transient)
            }
        }
    }

    mutating func int(_ value: Int64?) {
        defer { index += 1 }
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, value)
    }

    mutating func int(_ value: Int?) {
        int(value.map(Int64.init))
    }

    mutating func bool(_ value: Bool) {
        int(Int64(value ? 1 : 0))
    }

    mutating func double(_ value: Double?) {
        defer { index += 1 }
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_double(statement, index, value)
    }

    mutating func blob(_ value: [UInt8]) {
        defer { index += 1 }
        value.withUnsafeBytes { bytes in
            // A zero-length blob, never NULL, even for an empty array.
            sqlite3_bind_blob(statement, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), transient)
        }
    }
}

extension Statement {
    /// Binds with `bind` and runs the statement to its end (an insert or update); throws SQLite's error.
    func executeRaw(_ bind: (inout RawBinder) -> Void) throws {
        _ = try stepRaw(bind) { _ in () }
    }

    /// Binds with `bind`, steps once and, when that gives a row, reads it with `read` (columns by index, from
    /// 0). The statement is reset before it returns, so it holds no lock and the transaction can commit.
    func stepRaw<T>(_ bind: (inout RawBinder) -> Void, read: (RawRow) -> T) throws -> T? {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        var binder = RawBinder(statement: statement)
        bind(&binder)
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            return read(RawRow(statement: statement))
        case SQLITE_DONE:
            return nil
        case let code:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))), sql: sql)
        }
    }
}

/// The current row of a statement stepped by `stepRaw`.
struct RawRow {
    fileprivate let statement: OpaquePointer

    func int(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
