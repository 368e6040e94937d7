/*
 * Internals shared by the SQLite implementation of hss/store.h. Never included
 * from outside hss/store*.c.
 */
#ifndef IMSCORE_HSS_STORE_INTERNAL_H
#define IMSCORE_HSS_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdarg.h>

#include "store.h"

#define STORE__STMT_CACHE 64

struct store {
    sqlite3 *db;
    bool in_txn; /* a store__begin() is open */
    struct {
        const char *sql; /* key: the address of a static SQL string */
        sqlite3_stmt *stmt;
    } cache[STORE__STMT_CACHE];
    size_t n_cache;
    char err[256];
};

/* Records a message for store_errmsg() and returns rc. */
int store__fail(struct store *st, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps a SQLite result code to a negative errno and records the SQLite message. */
int store__sqlerr(struct store *st, int src, const char *what);

/*
 * Returns the cached prepared statement for the static string sql (prepared on
 * first use), reset and with its bindings cleared; NULL on error (message
 * recorded, *rc set).
 */
sqlite3_stmt *store__stmt(struct store *st, const char *sql, int *rc);

/* Executes a statement without results (BEGIN, COMMIT, ...). Returns 0 or -errno. */
int store__exec(struct store *st, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails visibly. */
int store__begin(struct store *st);
int store__commit(struct store *st);
void store__rollback(struct store *st);

/* Binds a NUL-terminated text (NULL binds SQL NULL). */
int store__bind_text(sqlite3_stmt *s, int idx, const char *text);

/* Copies column col (text) into buf of size len (truncating, "" for NULL). */
void store__col_text(sqlite3_stmt *s, int col, char *buf, size_t len);

/* Validation of identifiers: non-empty, < STORE_ID_SIZE, printable, no blanks. */
bool store__id_is_valid(const char *s);

/* sip:, sips: or tel: URI with a valid rest. */
bool store__uri_is_valid(const char *s);

/* Looks up the row id of impi. Returns 0, -ENOENT (message recorded) or -errno. */
int store__impi_id(struct store *st, const char *impi, int64_t *id);

/* Current Unix time in seconds. */
int64_t store__now(void);

#endif
