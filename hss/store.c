/*
 * store.c: opening the SQLite store, its schema, and the helpers shared by the
 * other store_*.c files (statement cache, errors, transactions, validation).
 */
#include "store_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "sqldb/sqldb.h"

#define STORE_SCHEMA_VERSION 1

/*
 * Version 1. SQN is the 48-bit SQN_HE of the last vector handed out. K and OPc
 * are NULL for Digest-only subscribers. reg_state is enum store_reg_state.
 */
static const char schema_v1[] =
    "CREATE TABLE impi ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " k BLOB CHECK (k IS NULL OR length(k) = 16),"
    " opc BLOB CHECK (opc IS NULL OR length(opc) = 16),"
    " opc_from_op INTEGER NOT NULL DEFAULT 0,"
    " amf BLOB NOT NULL CHECK (length(amf) = 2),"
    " sqn INTEGER NOT NULL DEFAULT 0 CHECK (sqn BETWEEN 0 AND 281474976710655),"
    " schemes INTEGER NOT NULL CHECK (schemes BETWEEN 1 AND 3),"
    " password TEXT,"
    " ha1 TEXT CHECK (ha1 IS NULL OR length(ha1) = 32),"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE profile ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " ifc_xml TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE impu ("
    " id INTEGER PRIMARY KEY,"
    " uri TEXT NOT NULL UNIQUE,"
    " impi_id INTEGER NOT NULL REFERENCES impi(id) ON DELETE CASCADE,"
    " barred INTEGER NOT NULL DEFAULT 0,"
    " irs_id INTEGER NOT NULL,"
    " profile_id INTEGER REFERENCES profile(id) ON DELETE SET NULL,"
    " scscf TEXT,"
    " reg_state INTEGER NOT NULL DEFAULT 0 CHECK (reg_state IN (0, 1, 2)),"
    " updated INTEGER NOT NULL);"
    "CREATE INDEX impu_impi ON impu(impi_id);"
    "CREATE INDEX impu_irs ON impu(irs_id);"
    "CREATE INDEX impu_scscf ON impu(scscf);"
    "CREATE TABLE roaming ("
    " impi_id INTEGER NOT NULL REFERENCES impi(id) ON DELETE CASCADE,"
    " network TEXT NOT NULL COLLATE NOCASE,"
    " PRIMARY KEY (impi_id, network)) WITHOUT ROWID;";

static const struct sqldb_schema schema = {"HSS store", STORE_SCHEMA_VERSION, schema_v1};

int store__fail(struct store *st, int rc, const char *fmt, ...)
{
    va_list ap;

    if (st) {
        va_start(ap, fmt);
        vsnprintf(st->err, sizeof(st->err), fmt, ap);
        va_end(ap);
    }
    return rc;
}

int store__sqlerr(struct store *st, int src, const char *what)
{
    return store__fail(st, sqldb_errno(src), "%s: %s", what,
                       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(src));
}

sqlite3_stmt *store__stmt(struct store *st, const char *sql, int *rc)
{
    sqlite3_stmt *s = NULL;
    int src;

    for (size_t i = 0; i < st->n_cache; i++) {
        if (st->cache[i].sql == sql) {
            s = st->cache[i].stmt;
            sqlite3_reset(s);
            sqlite3_clear_bindings(s);
            return s;
        }
    }
    src = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (src != SQLITE_OK) {
        *rc = store__sqlerr(st, src, "prepare");
        return NULL;
    }
    if (st->n_cache < STORE__STMT_CACHE) {
        st->cache[st->n_cache].sql = sql;
        st->cache[st->n_cache].stmt = s;
        st->n_cache++;
    } else {
        /* The cache is sized for every statement of the module. */
        sqlite3_finalize(s);
        *rc = store__fail(st, -ENOMEM, "statement cache full");
        return NULL;
    }
    return s;
}

int store__exec(struct store *st, const char *sql)
{
    char *msg = NULL;
    int src = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    int rc = 0;

    if (src != SQLITE_OK)
        rc = store__fail(st, sqldb_errno(src), "%s: %s", sql, msg ? msg : sqlite3_errstr(src));
    sqlite3_free(msg);
    return rc;
}

int store__begin(struct store *st)
{
    int rc = store__exec(st, "BEGIN IMMEDIATE");

    if (rc == 0)
        st->in_txn = true;
    return rc;
}

int store__commit(struct store *st)
{
    int rc = store__exec(st, "COMMIT");

    if (rc != 0) {
        store__rollback(st);
        return rc;
    }
    st->in_txn = false;
    return 0;
}

void store__rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_txn = false;
}

int store__bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    if (!text)
        return sqlite3_bind_null(s, idx);
    return sqlite3_bind_text(s, idx, text, -1, SQLITE_STATIC);
}

void store__col_text(sqlite3_stmt *s, int col, char *buf, size_t len)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    snprintf(buf, len, "%s", t ? (const char *)t : "");
}

bool store__id_is_valid(const char *s)
{
    size_t n;

    if (!s)
        return false;
    n = strlen(s);
    if (n == 0 || n >= STORE_ID_SIZE)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

bool store__uri_is_valid(const char *s)
{
    const char *rest;

    if (!store__id_is_valid(s))
        return false;
    if (strncasecmp(s, "sip:", 4) == 0)
        rest = s + 4;
    else if (strncasecmp(s, "sips:", 5) == 0)
        rest = s + 5;
    else if (strncasecmp(s, "tel:", 4) == 0) {
        /* global (+digits) or local number; visual separators allowed */
        rest = s + 4;
        if (*rest == '+')
            rest++;
        if (!isxdigit((unsigned char)*rest) && *rest != '*' && *rest != '#')
            return false;
        for (const char *p = rest; *p && *p != ';'; p++)
            if (!isxdigit((unsigned char)*p) && !strchr("*#-.()", *p))
                return false;
        return true;
    } else
        return false;
    /* sip: needs a host part: "user@host" or "host", neither empty */
    if (*rest == '\0' || *rest == '@')
        return false;
    const char *at = strchr(rest, '@');
    if (at && (at[1] == '\0' || at[1] == ';' || at[1] == ':'))
        return false;
    return true;
}

int store__impi_id(struct store *st, const char *impi, int64_t *id)
{
    static const char sql[] = "SELECT id FROM impi WHERE name = ?";
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql, &rc);
    int src;

    if (!s)
        return rc;
    store__bind_text(s, 1, impi);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (src == SQLITE_DONE)
        rc = store__fail(st, -ENOENT, "unknown IMPI %s", impi);
    else
        rc = store__sqlerr(st, src, "IMPI look-up");
    sqlite3_reset(s);
    return rc;
}

int64_t store__now(void)
{
    return (int64_t)time(NULL);
}

int store_open(const char *path, struct store **out, char *errbuf, size_t errlen)
{
    struct store *st = NULL;
    char dummy[8];
    int rc;

    if (!errbuf) {
        errbuf = dummy;
        errlen = sizeof(dummy);
    }
    if (errlen)
        errbuf[0] = '\0';
    if (out)
        *out = NULL;
    if (!path || !*path || !out) {
        snprintf(errbuf, errlen, "no database path");
        return -EINVAL;
    }
    st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(errbuf, errlen, "out of memory");
        return -ENOMEM;
    }
    rc = sqldb_open(path, &schema, SQLDB_SYNC_FULL, &st->db, errbuf, errlen);
    if (rc) {
        free(st);
        return rc;
    }
    st->err[0] = '\0';
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n_cache; i++)
        sqlite3_finalize(st->cache[i].stmt);
    if (st->db) {
        if (st->in_txn)
            store__rollback(st);
        sqlite3_close(st->db);
    }
    free(st);
}

const char *store_errmsg(const struct store *st)
{
    return st ? st->err : "";
}

const char *store_reg_state_name(enum store_reg_state state)
{
    switch (state) {
    case STORE_NOT_REGISTERED:
        return "NOT_REGISTERED";
    case STORE_REGISTERED:
        return "REGISTERED";
    case STORE_UNREGISTERED:
        return "UNREGISTERED";
    }
    return "?";
}

int store_scheme_parse(const char *s, unsigned *schemes)
{
    if (!s || !schemes)
        return -EINVAL;
    if (strcasecmp(s, "aka") == 0)
        *schemes = STORE_SCHEME_AKAV1_MD5;
    else if (strcasecmp(s, "digest") == 0)
        *schemes = STORE_SCHEME_DIGEST_MD5;
    else if (strcasecmp(s, "both") == 0)
        *schemes = STORE_SCHEME_ALL;
    else
        return -EINVAL;
    return 0;
}

const char *store_scheme_name(unsigned schemes)
{
    switch (schemes & STORE_SCHEME_ALL) {
    case STORE_SCHEME_AKAV1_MD5:
        return "aka";
    case STORE_SCHEME_DIGEST_MD5:
        return "digest";
    case STORE_SCHEME_ALL:
        return "both";
    }
    return "none";
}

void store_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}
