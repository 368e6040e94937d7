/*
 * reg_store.c: the SQLite side of reg_store.h.
 */
#include "reg_store.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STMT_CACHE 16

/* Version 1. routes is the route set joined with '\n'. */
static const char schema_v1[] = "CREATE TABLE reg ("
                                " id INTEGER PRIMARY KEY,"
                                " impi TEXT NOT NULL,"
                                " impu TEXT NOT NULL,"
                                " user_data TEXT,"
                                " updated INTEGER NOT NULL);"
                                "CREATE TABLE contact ("
                                " reg INTEGER NOT NULL REFERENCES reg(id) ON DELETE CASCADE,"
                                " id INTEGER NOT NULL,"
                                " uri TEXT NOT NULL,"
                                " params TEXT NOT NULL,"
                                " expires_at INTEGER NOT NULL,"
                                " path TEXT,"
                                " call_id TEXT,"
                                " cseq INTEGER NOT NULL,"
                                " instance TEXT,"
                                " reg_id INTEGER NOT NULL,"
                                " received TEXT,"
                                " registered_at INTEGER NOT NULL,"
                                " PRIMARY KEY (reg, id)) WITHOUT ROWID;"
                                "CREATE TABLE sub ("
                                " id INTEGER PRIMARY KEY,"
                                " impu TEXT NOT NULL,"
                                " call_id TEXT NOT NULL,"
                                " local_tag TEXT NOT NULL,"
                                " remote_tag TEXT NOT NULL,"
                                " local_uri TEXT NOT NULL,"
                                " remote_uri TEXT NOT NULL,"
                                " target TEXT NOT NULL,"
                                " routes TEXT NOT NULL,"
                                " cseq INTEGER NOT NULL,"
                                " remote_cseq INTEGER NOT NULL,"
                                " version INTEGER NOT NULL,"
                                " expires_at INTEGER NOT NULL,"
                                " src_proto INTEGER NOT NULL,"
                                " src_host TEXT NOT NULL,"
                                " src_port INTEGER NOT NULL,"
                                " UNIQUE (call_id, local_tag));";

static const struct sqldb_schema schema = {"S-CSCF registration store", 1, schema_v1};

static sqlite3 *db;
static struct {
    const char *sql;
    sqlite3_stmt *stmt;
} cache[STMT_CACHE];
static size_t n_cache;
static uint64_t failures;

uint64_t reg_store_failures(void)
{
    return failures;
}

static int failed(int src, const char *what)
{
    failures++;
    log_error("scscf: registration store: %s: %s", what, db ? sqlite3_errmsg(db) : "not open");
    return sqldb_errno(src) ? sqldb_errno(src) : -EIO;
}

/* The prepared statement for the static string sql, reset; NULL on error (logged). */
static sqlite3_stmt *stmt(const char *sql)
{
    sqlite3_stmt *s = NULL;
    int src;

    for (size_t i = 0; i < n_cache; i++) {
        if (cache[i].sql == sql) {
            sqlite3_reset(cache[i].stmt);
            sqlite3_clear_bindings(cache[i].stmt);
            return cache[i].stmt;
        }
    }
    src = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (src != SQLITE_OK || n_cache == STMT_CACHE) {
        sqlite3_finalize(s);
        failed(src, "prepare");
        return NULL;
    }
    cache[n_cache].sql = sql;
    cache[n_cache++].stmt = s;
    return s;
}

static void bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(s, idx, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, idx);
}

static const char *col_text(sqlite3_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s, col);
}

/* Steps a statement that returns no row. Returns 0 or a negative errno (logged). */
static int run(sqlite3_stmt *s, const char *what)
{
    int src = sqlite3_step(s);

    sqlite3_reset(s);
    return src == SQLITE_DONE ? 0 : failed(src, what);
}

static int begin(void)
{
    int src = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    return src == SQLITE_OK ? 0 : failed(src, "begin");
}

/* Commits when rc is 0, else rolls back. Returns rc, or the commit's error. */
static int end(int rc)
{
    int src;

    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    src = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = failed(src, "commit");
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

int reg_store_open(const char *path, enum sqldb_sync sync)
{
    char err[512];
    int rc = sqldb_open(path, &schema, sync, &db, err, sizeof(err));

    if (rc)
        log_error("scscf: cannot open the registration store %s", err);
    return rc;
}

void reg_store_close(void)
{
    for (size_t i = 0; i < n_cache; i++)
        sqlite3_finalize(cache[i].stmt);
    n_cache = 0;
    sqlite3_close(db);
    db = NULL;
}

static int del_reg_id(uint64_t id)
{
    static const char sql[] = "DELETE FROM reg WHERE id = ?";
    sqlite3_stmt *s = stmt(sql);

    if (!s)
        return -EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    return run(s, "delete registration");
}

static int put_contact(uint64_t reg, const struct scscf_contact *c)
{
    static const char sql[] =
        "INSERT INTO contact (reg, id, uri, params, expires_at, path, call_id, cseq, instance,"
        " reg_id, received, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *s = stmt(sql);

    if (!s)
        return -EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)reg);
    sqlite3_bind_int64(s, 2, c->id);
    bind_text(s, 3, c->uri);
    bind_text(s, 4, c->params ? c->params : "");
    sqlite3_bind_int64(s, 5, c->expires_at);
    bind_text(s, 6, c->path);
    bind_text(s, 7, c->call_id);
    sqlite3_bind_int64(s, 8, c->cseq);
    bind_text(s, 9, c->instance);
    sqlite3_bind_int64(s, 10, c->reg_id);
    bind_text(s, 11, c->received);
    sqlite3_bind_int64(s, 12, c->registered_at);
    return run(s, "write contact");
}

int reg_store_put_reg(const struct scscf_reg *r)
{
    static const char sql[] =
        "INSERT INTO reg (id, impi, impu, user_data, updated) VALUES (?, ?, ?, ?, ?)";
    sqlite3_stmt *s;
    int rc;

    if (!db)
        return 0;
    if (r->state != SCSCF_REG_REGISTERED || regs_active_contacts(r) == 0)
        return reg_store_del_reg(r);
    if ((rc = begin()) != 0)
        return rc;
    rc = del_reg_id(r->id);
    if (rc == 0 && !(s = stmt(sql)))
        rc = -EIO;
    if (rc == 0) {
        sqlite3_bind_int64(s, 1, (sqlite3_int64)r->id);
        bind_text(s, 2, r->impi);
        bind_text(s, 3, r->impus[0]);
        bind_text(s, 4, r->user_data);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
        rc = run(s, "write registration");
    }
    for (size_t i = 0; rc == 0 && i < r->n_contacts; i++)
        if (r->contacts[i].active)
            rc = put_contact(r->id, &r->contacts[i]);
    return end(rc);
}

int reg_store_del_reg(const struct scscf_reg *r)
{
    return db ? del_reg_id(r->id) : 0;
}

/* Loads the contacts of record r (stored under id). Returns 0 or a negative errno. */
static int load_contacts(struct scscf_reg *r, uint64_t id)
{
    static const char sql[] =
        "SELECT id, uri, params, expires_at, path, call_id, cseq, instance, reg_id, received,"
        " registered_at FROM contact WHERE reg = ? ORDER BY id";
    sqlite3_stmt *s = stmt(sql);
    int src;

    if (!s)
        return -EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        struct scscf_contact t = {
            .id = (unsigned)sqlite3_column_int64(s, 0),
            .uri = (char *)col_text(s, 1),
            .params = (char *)col_text(s, 2),
            .expires_at = sqlite3_column_int64(s, 3),
            .path = (char *)col_text(s, 4),
            .call_id = (char *)col_text(s, 5),
            .cseq = (uint32_t)sqlite3_column_int64(s, 6),
            .instance = (char *)col_text(s, 7),
            .reg_id = (uint32_t)sqlite3_column_int64(s, 8),
            .received = (char *)col_text(s, 9),
            .registered_at = sqlite3_column_int64(s, 10),
            .event = SCSCF_EV_NONE,
        };
        if (!t.uri || !regs_contact_add(r, &t)) {
            sqlite3_reset(s);
            return -ENOMEM;
        }
    }
    sqlite3_reset(s);
    return src == SQLITE_DONE ? 0 : failed(src, "read contacts");
}

int reg_store_load_regs(void)
{
    static const char sql[] = "SELECT id, impi, impu, user_data FROM reg ORDER BY id";
    sqlite3_stmt *s;
    uint64_t bad[64];
    size_t n_bad = 0;
    int n = 0, src, rc = 0;

    if (!db)
        return 0;
    if (!(s = stmt(sql)))
        return -EIO;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        uint64_t id = (uint64_t)sqlite3_column_int64(s, 0);
        const char *impi = col_text(s, 1), *impu = col_text(s, 2), *ud = col_text(s, 3);
        struct scscf_reg *r = impi && impu ? regs_new(impi, impu) : NULL;
        bool ok = r && (!ud || regs_set_user_data(r, ud, impu) == 0);

        if (ok) {
            regs_set_id(r, id);
            ok = load_contacts(r, id) == 0 && regs_active_contacts(r) > 0;
        }
        if (!ok) {
            log_warn("scscf: stored registration %llu of %s does not load: dropped",
                     (unsigned long long)id, impi ? impi : "?");
            regs_free(r);
            if (n_bad < sizeof(bad) / sizeof(bad[0]))
                bad[n_bad++] = id;
            continue;
        }
        r->state = SCSCF_REG_REGISTERED;
        n++;
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE)
        rc = failed(src, "read registrations");
    for (size_t i = 0; i < n_bad; i++)
        del_reg_id(bad[i]);
    return rc ? rc : n;
}

int reg_store_put_sub(const struct reg_store_sub *sub)
{
    static const char sql[] =
        "INSERT OR REPLACE INTO sub (id, impu, call_id, local_tag, remote_tag, local_uri,"
        " remote_uri, target, routes, cseq, remote_cseq, version, expires_at, src_proto,"
        " src_host, src_port) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    char routes[4096];
    size_t off = 0;
    sqlite3_stmt *s;

    if (!db)
        return 0;
    routes[0] = '\0';
    for (size_t i = 0; i < sub->n_routes && off < sizeof(routes); i++)
        off += (size_t)snprintf(routes + off, sizeof(routes) - off, "%s%s", i ? "\n" : "",
                                sub->routes[i]);
    if (off >= sizeof(routes))
        return failed(SQLITE_TOOBIG, "route set too long");
    if (!(s = stmt(sql)))
        return -EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)sub->id);
    bind_text(s, 2, sub->impu);
    bind_text(s, 3, sub->call_id);
    bind_text(s, 4, sub->local_tag);
    bind_text(s, 5, sub->remote_tag);
    bind_text(s, 6, sub->local_uri);
    bind_text(s, 7, sub->remote_uri);
    bind_text(s, 8, sub->target);
    bind_text(s, 9, routes);
    sqlite3_bind_int64(s, 10, sub->cseq);
    sqlite3_bind_int64(s, 11, sub->remote_cseq);
    sqlite3_bind_int64(s, 12, sub->version);
    sqlite3_bind_int64(s, 13, sub->expires_at);
    sqlite3_bind_int(s, 14, sub->src.proto);
    bind_text(s, 15, sub->src.host);
    sqlite3_bind_int(s, 16, sub->src.port);
    return run(s, "write subscription");
}

int reg_store_del_sub(uint64_t id)
{
    static const char sql[] = "DELETE FROM sub WHERE id = ?";
    sqlite3_stmt *s;

    if (!db)
        return 0;
    if (!(s = stmt(sql)))
        return -EIO;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    return run(s, "delete subscription");
}

int reg_store_load_subs(void (*cb)(void *arg, const struct reg_store_sub *s), void *arg)
{
    static const char sql[] =
        "SELECT id, impu, call_id, local_tag, remote_tag, local_uri, remote_uri, target, routes,"
        " cseq, remote_cseq, version, expires_at, src_proto, src_host, src_port FROM sub"
        " ORDER BY id";
    sqlite3_stmt *s;
    int n = 0, src;

    if (!db)
        return 0;
    if (!(s = stmt(sql)))
        return -EIO;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        char routes[4096], *save = NULL;
        const char *rv[8];
        struct reg_store_sub sub = {
            .id = (uint64_t)sqlite3_column_int64(s, 0),
            .impu = col_text(s, 1),
            .call_id = col_text(s, 2),
            .local_tag = col_text(s, 3),
            .remote_tag = col_text(s, 4),
            .local_uri = col_text(s, 5),
            .remote_uri = col_text(s, 6),
            .target = col_text(s, 7),
            .routes = rv,
            .cseq = (uint32_t)sqlite3_column_int64(s, 9),
            .remote_cseq = (uint32_t)sqlite3_column_int64(s, 10),
            .version = (uint32_t)sqlite3_column_int64(s, 11),
            .expires_at = sqlite3_column_int64(s, 12),
        };
        sub.src.proto = sqlite3_column_int(s, 13);
        snprintf(sub.src.host, sizeof(sub.src.host), "%s", col_text(s, 14) ? col_text(s, 14) : "");
        sub.src.port = sqlite3_column_int(s, 15);
        snprintf(routes, sizeof(routes), "%s", col_text(s, 8) ? col_text(s, 8) : "");
        for (char *t = strtok_r(routes, "\n", &save); t && sub.n_routes < 8;
             t = strtok_r(NULL, "\n", &save))
            rv[sub.n_routes++] = t;
        cb(arg, &sub);
        n++;
    }
    sqlite3_reset(s);
    return src == SQLITE_DONE ? n : failed(src, "read subscriptions");
}
