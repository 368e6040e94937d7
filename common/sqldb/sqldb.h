/*
 * sqldb: how every imscore daemon opens its SQLite store. One function does
 * the careful part once: the file is created 0600 without ever closing a
 * descriptor SQLite may hold locks through, WAL journal, a busy timeout, the
 * synchronous level asked for, foreign keys, and a versioned schema created
 * in one transaction (or checked when the file already has one).
 *
 * The connection returned is an ordinary sqlite3 handle; statements stay the
 * caller's business.
 */
#ifndef IMSCORE_SQLDB_SQLDB_H
#define IMSCORE_SQLDB_SQLDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* How much a COMMIT waits for the disk. */
enum sqldb_sync {
    SQLDB_SYNC_FULL = 0, /* fsync on every commit: survives power loss (PRAGMA synchronous=FULL) */
    SQLDB_SYNC_NORMAL,   /* WAL appended on commit, fsync at checkpoints: survives a
                          * crash or kill -9 of the process, not of the machine */
};

/* A store's schema. */
struct sqldb_schema {
    const char *name; /* what the store is, for messages: "HSS store" */
    int version;      /* PRAGMA user_version of this schema, >= 1 */
    const char *sql;  /* statements creating version `version` in an empty file */
};

/*
 * Opens (creating when absent) the SQLite database at path with the schema.
 * An empty file gets the schema and user_version; a file at this version is
 * used as it is; a newer version, or tables without a version, is refused
 * (-EPROTO). The file is 0600 when created; a more open mode is tightened
 * with a warning. Symbolic links are refused (-ELOOP).
 *
 * On success *out is the connection (close it with sqlite3_close()). On error
 * a message naming path goes to err (may be NULL) and a negative errno is
 * returned.
 */
int sqldb_open(const char *path, const struct sqldb_schema *schema, enum sqldb_sync sync,
               sqlite3 **out, char *err, size_t errlen);

/* Maps a SQLite result code (primary or extended) to 0 or a negative errno. */
int sqldb_errno(int src);

/*
 * Runs sql (one or more statements without results). Returns 0 or a negative
 * errno with SQLite's message in err (may be NULL).
 */
int sqldb_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* Parses "full" or "normal" (case-insensitive). Returns 0, or -EINVAL. */
int sqldb_sync_parse(const char *text, enum sqldb_sync *out);

#endif
