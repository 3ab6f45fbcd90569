#ifndef LEADGATE_CSQLITEWAL_H
#define LEADGATE_CSQLITEWAL_H

/// Registers LeadGate's VFS as SQLite's default, once per process (later calls return the first result):
/// the system's default VFS, except that each connection's writes to its write-ahead log are gathered and
/// reach the file in one write just before the commit becomes visible (see CSQLiteWAL.c).
/// Returns SQLITE_OK or SQLite's error code.
int leadgate_wal_vfs_register(void);

/// A file control (`sqlite3_file_control(db, "main", LEADGATE_FCNTL_WAL_WRITES, counts)`, counts a
/// `long long[2]`): the writes SQLite made to this connection's WAL, and the writes that reached the file.
#define LEADGATE_FCNTL_WAL_WRITES 0x4C470001

#endif
