/*
 * store_extra.c: the S-CSCF Diameter identity table (see store_extra.h). It
 * lives in the store's database and uses the store's connection helpers.
 */
#include "store_internal.h"
#include "store_extra.h"

#include <string.h>

static const char sql_create[] = "CREATE TABLE IF NOT EXISTS scscf_peer ("
                                 " server_name TEXT PRIMARY KEY,"
                                 " host TEXT NOT NULL,"
                                 " realm TEXT NOT NULL,"
                                 " updated INTEGER NOT NULL)";
static const char sql_get[] = "SELECT host, realm FROM scscf_peer WHERE server_name = ?";
static const char sql_put[] =
    "INSERT INTO scscf_peer (server_name, host, realm, updated) VALUES (?, ?, ?, ?)"
    " ON CONFLICT(server_name) DO UPDATE SET host = excluded.host, realm = excluded.realm,"
    " updated = excluded.updated";

static bool arg_is_valid(const char *s)
{
    return s && *s && strlen(s) < STORE_ID_SIZE;
}

int store_extra_init(struct store *st)
{
    if (!st)
        return -EINVAL;
    return store__exec(st, sql_create);
}

int store_extra_peer_get(struct store *st, const char *server_name, char *host, char *realm)
{
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !arg_is_valid(server_name) || !host || !realm)
        return -EINVAL;
    s = store__stmt(st, sql_get, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, server_name);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        store__col_text(s, 0, host, STORE_ID_SIZE);
        store__col_text(s, 1, realm, STORE_ID_SIZE);
    } else if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "no Diameter identity known for %s", server_name);
    } else {
        rc = store__sqlerr(st, src, "scscf_peer read");
    }
    sqlite3_reset(s);
    return rc;
}

int store_extra_peer_set(struct store *st, const char *server_name, const char *host,
                         const char *realm)
{
    char cur_host[STORE_ID_SIZE], cur_realm[STORE_ID_SIZE];
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !arg_is_valid(server_name) || !arg_is_valid(host) || !arg_is_valid(realm))
        return -EINVAL;
    if (store_extra_peer_get(st, server_name, cur_host, cur_realm) == 0 &&
        strcmp(cur_host, host) == 0 && strcmp(cur_realm, realm) == 0)
        return 0;
    s = store__stmt(st, sql_put, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, server_name);
    store__bind_text(s, 2, host);
    store__bind_text(s, 3, realm);
    sqlite3_bind_int64(s, 4, store__now());
    src = sqlite3_step(s);
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "scscf_peer write");
    sqlite3_reset(s);
    return rc;
}
