// LeadGate's VFS: the system's default one, except that a connection's writes to its write-ahead log are
// gathered in memory and reach the file as one write.
//
// SQLite writes every WAL frame with two write calls (its 24-byte header, then the page): an intake commit of
// a hundred pages made two hundred system calls. Here consecutive writes to the WAL are buffered and written
// out together at the first moment anything could need them in the file:
//   - before SQLite publishes a commit to other connections. It writes the WAL index header in two copies
//     with a memory barrier between them (walIndexWriteHdr), and readers only trust the header once both
//     copies agree; the barrier comes through xShmBarrier of the connection's main database file, which
//     flushes that connection's WAL first. So no reader can see a commit whose frames are not in the file.
//   - before any read, sync, truncate, size query, file control or close of the WAL itself, and before a
//     write that does not continue the buffered run.
// xShmBarrier cannot return an error. Should that flush fail (disk full, I/O error), the process aborts
// before the second header copy is written: the commit never becomes visible, recovery drops its frames,
// and no intake in it was acknowledged (answers wait for the WAL to be flushed and synced).
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "CSQLiteWAL.h"

// Under 128 KiB: the unix VFS masks each write's length to its low 17 bits (seekAndWriteFd), so a write of
// exactly 128 KiB would write nothing and one of more would be cut.
#define BUFFER_CAPACITY (127 * 1024)

typedef struct WALFile WALFile;

typedef struct {
    sqlite3_file base;
    sqlite3_file *real;          // the system VFS's file, allocated right after this struct
    int isWAL;
    // A WAL: the run of bytes not written yet, starting at `offset`.
    unsigned char *buffer;
    int length;
    sqlite3_int64 offset;
    // A main database file: its connection's open WAL. A WAL: its connection's main database file.
    void *partner;
    // The file's name, valid until xClose (SQLite keeps it), for the one message this layer prints.
    const char *name;
    // A WAL: the writes SQLite asked for and the writes made (LEADGATE_FCNTL_WAL_WRITES).
    long long asked;
    long long made;
} File;

static sqlite3_vfs *system_vfs;
static sqlite3_vfs leadgate_vfs;
static int registration_result = SQLITE_OK;
static pthread_once_t registration = PTHREAD_ONCE_INIT;

static int flush(File *file) {
    if (file->length == 0) return SQLITE_OK;
    int rc = file->real->pMethods->xWrite(file->real, file->buffer, file->length, file->offset);
    file->made++;
    file->offset += file->length;
    file->length = 0;
    return rc;
}

static int io_close(sqlite3_file *base) {
    File *file = (File *)base;
    int rc = file->isWAL ? flush(file) : SQLITE_OK;
    if (file->partner) ((File *)file->partner)->partner = NULL;
    int closed = file->real->pMethods->xClose(file->real);
    sqlite3_free(file->buffer);
    return rc != SQLITE_OK ? rc : closed;
}

static int io_read(sqlite3_file *base, void *out, int amount, sqlite3_int64 offset) {
    File *file = (File *)base;
    if (file->isWAL) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    return file->real->pMethods->xRead(file->real, out, amount, offset);
}

static int io_write(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset) {
    File *file = (File *)base;
    if (!file->isWAL) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    file->asked++;
    if (file->length > 0 && (offset != file->offset + file->length || file->length + amount > BUFFER_CAPACITY)) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (file->buffer == NULL) file->buffer = sqlite3_malloc(BUFFER_CAPACITY);
    if (amount > BUFFER_CAPACITY || file->buffer == NULL) {
        file->made++;
        return file->real->pMethods->xWrite(file->real, data, amount, offset);
    }
    if (file->length == 0) file->offset = offset;
    memcpy(file->buffer + file->length, data, (size_t)amount);
    file->length += amount;
    return SQLITE_OK;
}

static int io_truncate(sqlite3_file *base, sqlite3_int64 size) {
    File *file = (File *)base;
    int rc = file->isWAL ? flush(file) : SQLITE_OK;
    return rc != SQLITE_OK ? rc : file->real->pMethods->xTruncate(file->real, size);
}

static int io_sync(sqlite3_file *base, int flags) {
    File *file = (File *)base;
    int rc = file->isWAL ? flush(file) : SQLITE_OK;
    return rc != SQLITE_OK ? rc : file->real->pMethods->xSync(file->real, flags);
}

static int io_file_size(sqlite3_file *base, sqlite3_int64 *size) {
    File *file = (File *)base;
    int rc = file->isWAL ? flush(file) : SQLITE_OK;
    return rc != SQLITE_OK ? rc : file->real->pMethods->xFileSize(file->real, size);
}

static int io_lock(sqlite3_file *base, int level) {
    File *file = (File *)base;
    return file->real->pMethods->xLock(file->real, level);
}

static int io_unlock(sqlite3_file *base, int level) {
    File *file = (File *)base;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int io_check_reserved_lock(sqlite3_file *base, int *out) {
    File *file = (File *)base;
    return file->real->pMethods->xCheckReservedLock(file->real, out);
}

static int io_file_control(sqlite3_file *base, int op, void *argument) {
    File *file = (File *)base;
    if (op == LEADGATE_FCNTL_WAL_WRITES) {
        File *wal = file->isWAL ? file : file->partner;
        if (wal == NULL) return SQLITE_NOTFOUND;
        ((long long *)argument)[0] = wal->asked;
        ((long long *)argument)[1] = wal->made;
        return SQLITE_OK;
    }
    if (file->isWAL) {
        int rc = flush(file);
        if (rc != SQLITE_OK) return rc;
    }
    if (op == SQLITE_FCNTL_VFSNAME) {
        // Name this layer too, as shims do: "leadgate/unix".
        int rc = file->real->pMethods->xFileControl(file->real, op, argument);
        char *below = *(char **)argument;
        *(char **)argument = sqlite3_mprintf("leadgate/%s", below ? below : system_vfs->zName);
        sqlite3_free(below);
        return rc == SQLITE_NOTFOUND ? SQLITE_OK : rc;
    }
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int io_sector_size(sqlite3_file *base) {
    File *file = (File *)base;
    return file->real->pMethods->xSectorSize(file->real);
}

static int io_device_characteristics(sqlite3_file *base) {
    File *file = (File *)base;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int io_shm_map(sqlite3_file *base, int page, int size, int extend, void volatile **out) {
    File *file = (File *)base;
    return file->real->pMethods->xShmMap(file->real, page, size, extend, out);
}

static int io_shm_lock(sqlite3_file *base, int offset, int n, int flags) {
    File *file = (File *)base;
    return file->real->pMethods->xShmLock(file->real, offset, n, flags);
}

static void io_shm_barrier(sqlite3_file *base) {
    File *file = (File *)base;
    File *wal = file->partner;
    int rc = wal ? flush(wal) : SQLITE_OK;
    if (rc != SQLITE_OK) {
        fprintf(stderr, "leadgate: writing %s failed (SQLite error %d); stopping before the commit is published\n", wal->name, rc);
        abort();
    }
    file->real->pMethods->xShmBarrier(file->real);
}

static int io_shm_unmap(sqlite3_file *base, int delete) {
    File *file = (File *)base;
    return file->real->pMethods->xShmUnmap(file->real, delete);
}

static int io_fetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **out) {
    File *file = (File *)base;
    return file->real->pMethods->xFetch(file->real, offset, amount, out);
}

static int io_unfetch(sqlite3_file *base, sqlite3_int64 offset, void *pointer) {
    File *file = (File *)base;
    return file->real->pMethods->xUnfetch(file->real, offset, pointer);
}

static const sqlite3_io_methods io_methods = {
    3, io_close, io_read, io_write, io_truncate, io_sync, io_file_size, io_lock, io_unlock, io_check_reserved_lock,
    io_file_control, io_sector_size, io_device_characteristics, io_shm_map, io_shm_lock, io_shm_barrier, io_shm_unmap,
    io_fetch, io_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *base, int flags, int *out_flags) {
    (void)vfs;
    File *file = (File *)base;
    memset(file, 0, sizeof(File));
    file->real = (sqlite3_file *)&file[1];
    int rc = system_vfs->xOpen(system_vfs, name, file->real, flags, out_flags);
    if (rc != SQLITE_OK || file->real->pMethods == NULL) {
        // SQLite calls no method, not even xClose, on a file whose open failed.
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        base->pMethods = NULL;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    file->name = name;
    if ((flags & SQLITE_OPEN_WAL) && name) {
        sqlite3_file *main = sqlite3_database_file_object(name);
        // The main file is ours when it was opened through this VFS (it always is once we are the default).
        if (main && main->pMethods == &io_methods) {
            file->isWAL = 1;
            file->partner = main;
            ((File *)main)->partner = file;
        }
    }
    base->pMethods = &io_methods;
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync) {
    (void)vfs;
    return system_vfs->xDelete(system_vfs, name, sync);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return system_vfs->xAccess(system_vfs, name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return system_vfs->xFullPathname(system_vfs, name, size, out);
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *path) { (void)vfs; return system_vfs->xDlOpen(system_vfs, path); }
static void vfs_dl_error(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; system_vfs->xDlError(system_vfs, size, out); }
static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return system_vfs->xDlSym(system_vfs, handle, symbol);
}
static void vfs_dl_close(sqlite3_vfs *vfs, void *handle) { (void)vfs; system_vfs->xDlClose(system_vfs, handle); }
static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out) { (void)vfs; return system_vfs->xRandomness(system_vfs, size, out); }
static int vfs_sleep(sqlite3_vfs *vfs, int microseconds) { (void)vfs; return system_vfs->xSleep(system_vfs, microseconds); }
static int vfs_current_time(sqlite3_vfs *vfs, double *out) { (void)vfs; return system_vfs->xCurrentTime(system_vfs, out); }
static int vfs_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return system_vfs->xGetLastError ? system_vfs->xGetLastError(system_vfs, size, out) : 0;
}
static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return system_vfs->xCurrentTimeInt64(system_vfs, out);
}

static void register_once(void) {
    system_vfs = sqlite3_vfs_find(NULL);
    if (system_vfs == NULL) {
        registration_result = SQLITE_ERROR;
        return;
    }
    leadgate_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(File) + system_vfs->szOsFile,
        .mxPathname = system_vfs->mxPathname,
        .zName = "leadgate",
        .xOpen = vfs_open,
        .xDelete = vfs_delete,
        .xAccess = vfs_access,
        .xFullPathname = vfs_full_pathname,
        .xDlOpen = vfs_dl_open,
        .xDlError = vfs_dl_error,
        .xDlSym = vfs_dl_sym,
        .xDlClose = vfs_dl_close,
        .xRandomness = vfs_randomness,
        .xSleep = vfs_sleep,
        .xCurrentTime = vfs_current_time,
        .xGetLastError = vfs_get_last_error,
        .xCurrentTimeInt64 = vfs_current_time_int64,
    };
    registration_result = sqlite3_vfs_register(&leadgate_vfs, 1);
}

int leadgate_wal_vfs_register(void) {
    pthread_once(&registration, register_once);
    return registration_result;
}
