/*
 * sqldb.c: opening a store (see sqldb.h).
 */
#include "sqldb.h"

#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SQLDB_BUSY_TIMEOUT_MS 10000

int sqldb_errno(int src)
{
    switch (src & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_CANTOPEN:
        return -EACCES;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return -EPROTO;
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return -EINVAL;
    default:
        return -EIO;
    }
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int sqldb_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    int src = sqlite3_exec(db, sql, NULL, NULL, &msg);
    int rc = 0;

    if (src != SQLITE_OK)
        rc = fail(err, errlen, sqldb_errno(src), "%s: %s", sql, msg ? msg : sqlite3_errstr(src));
    sqlite3_free(msg);
    return rc;
}

int sqldb_sync_parse(const char *text, enum sqldb_sync *out)
{
    if (text && strcasecmp(text, "full") == 0)
        *out = SQLDB_SYNC_FULL;
    else if (text && strcasecmp(text, "normal") == 0)
        *out = SQLDB_SYNC_NORMAL;
    else
        return -EINVAL;
    return 0;
}

/*
 * Creates the file with mode 0600 before SQLite opens it, or tightens it.
 * An existing file is never opened here: closing any descriptor of a file
 * drops every POSIX lock the process holds on it, including the locks of
 * SQLite connections other threads already have open (see SQLite's "How To
 * Corrupt" notes, §2.2). So it is checked and chmod'ed by path only.
 */
static int prepare_file(const char *path, char *err, size_t errlen)
{
    struct stat sb;

    if (lstat(path, &sb) != 0) {
        int fd;

        if (errno != ENOENT)
            return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        if (errno != EEXIST)
            return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
        return 0; /* created meanwhile by another thread or process */
    }
    if (S_ISLNK(sb.st_mode))
        return fail(err, errlen, -ELOOP, "%s: is a symbolic link", path);
    if ((sb.st_mode & 077) && sb.st_uid == geteuid()) {
        log_warn("store %s: mode %03o is too open, setting 0600", path,
                 (unsigned)(sb.st_mode & 0777));
        if (chmod(path, 0600) != 0)
            log_warn("store %s: chmod: %s", path, strerror(errno));
    }
    return 0;
}

/* The first column of the first row of sql, as an integer. */
static int query_int(sqlite3 *db, const char *sql, long long *val, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    int rc = 0;

    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        if (src == SQLITE_ROW)
            *val = sqlite3_column_int64(s, 0);
    }
    if (src != SQLITE_ROW)
        rc = fail(err, errlen, sqldb_errno(src) ? sqldb_errno(src) : -EIO, "%s: %s", sql,
                  sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return rc;
}

/* Switches to WAL and checks that SQLite did (it cannot on some file systems). */
static int set_wal(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    const char *sql = "PRAGMA journal_mode = WAL";
    int src = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    int rc = 0;

    if (src == SQLITE_OK)
        src = sqlite3_step(s);
    if (src != SQLITE_ROW)
        rc = fail(err, errlen, sqldb_errno(src) ? sqldb_errno(src) : -EIO, "%s: %s", sql,
                  sqlite3_errmsg(db));
    else if (!sqlite3_column_text(s, 0) ||
             strcasecmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)
        rc = fail(err, errlen, -EIO, "cannot use WAL mode on this file system");
    sqlite3_finalize(s);
    return rc;
}

/* Creates the schema in an empty database, or checks the version of an existing one. */
static int ensure_schema(sqlite3 *db, const struct sqldb_schema *schema, char *err, size_t errlen)
{
    long long version = 0, tables = 0;
    char sql[64];
    int rc = sqldb_exec(db, "BEGIN IMMEDIATE", err, errlen);

    if (rc)
        return rc;
    rc = query_int(db, "PRAGMA user_version", &version, err, errlen);
    if (rc || version == schema->version)
        goto out;
    if (version > schema->version) {
        rc = fail(err, errlen, -EPROTO, "%s schema version %lld is newer than this program (%d)",
                  schema->name, version, schema->version);
        goto out;
    }
    rc = query_int(db, "SELECT count(*) FROM sqlite_master", &tables, err, errlen);
    if (rc)
        goto out;
    if (tables != 0) {
        rc = fail(err, errlen, -EPROTO, "not a %s (tables without a schema version)", schema->name);
        goto out;
    }
    rc = sqldb_exec(db, schema->sql, err, errlen);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", schema->version);
    if (rc == 0)
        rc = sqldb_exec(db, sql, err, errlen);
    if (rc == 0)
        log_info("%s: created schema version %d", schema->name, schema->version);
out:
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return sqldb_exec(db, "COMMIT", err, errlen);
}

int sqldb_open(const char *path, const struct sqldb_schema *schema, enum sqldb_sync sync,
               sqlite3 **out, char *err, size_t errlen)
{
    char why[256] = "";
    sqlite3 *db = NULL;
    int src, rc;

    if (out)
        *out = NULL;
    if (!path || !*path || !schema || !schema->sql || schema->version < 1 || !out)
        return fail(err, errlen, -EINVAL, "no database path or schema");
    rc = prepare_file(path, why, sizeof(why));
    if (rc)
        return fail(err, errlen, rc, "%s", why);
    src = sqlite3_open_v2(
        path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
    if (src != SQLITE_OK) {
        rc = sqldb_errno(src);
        snprintf(why, sizeof(why), "%s", db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
        goto err;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, SQLDB_BUSY_TIMEOUT_MS);
    rc = set_wal(db, why, sizeof(why));
    if (rc == 0)
        rc = sqldb_exec(db,
                        sync == SQLDB_SYNC_FULL
                            ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                            : "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                        why, sizeof(why));
    if (rc == 0)
        rc = ensure_schema(db, schema, why, sizeof(why));
    if (rc)
        goto err;
    *out = db;
    return 0;
err:
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, why[0] ? why : "cannot open");
    sqlite3_close(db);
    return rc ? rc : -EIO;
}
