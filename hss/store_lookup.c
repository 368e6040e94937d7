/*
 * store_lookup.c: read-only queries of the store (IMPI, IMPU, implicit sets,
 * associations, roaming, service profiles, enumerations).
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPU_COLS                                                                                  \
    "SELECT u.uri, i.name, u.barred, u.irs_id, COALESCE(u.profile_id, 0), u.scscf, u.reg_state "   \
    "FROM impu u JOIN impi i ON i.id = u.impi_id "

static const char sql_impi_get[] =
    "SELECT name, k, opc, opc_from_op, amf, sqn, schemes, password, ha1, created, updated "
    "FROM impi WHERE name = ?";
static const char sql_impu_get[] = IMPU_COLS "WHERE u.uri = ?";
static const char sql_impi_impus[] = IMPU_COLS "WHERE i.name = ? ORDER BY u.uri";
static const char sql_irs_impus[] =
    IMPU_COLS "WHERE u.irs_id = (SELECT irs_id FROM impu WHERE uri = ?) ORDER BY u.uri";
static const char sql_impu_owner[] =
    "SELECT i.name FROM impu u JOIN impi i ON i.id = u.impi_id WHERE u.uri = ?";
static const char sql_roaming_has[] = "SELECT 1 FROM roaming WHERE impi_id = ? AND network = ?";
static const char sql_roaming_list[] =
    "SELECT network FROM roaming WHERE impi_id = ? ORDER BY network";
static const char sql_profile_get[] = "SELECT ifc_xml FROM profile WHERE id = ?";
static const char sql_profile_set[] = "UPDATE profile SET ifc_xml = ? WHERE id = ?";
static const char sql_scscf_impis[] = "SELECT DISTINCT i.name FROM impu u JOIN impi i "
                                      "ON i.id = u.impi_id WHERE u.scscf = ? ORDER BY i.name";
static const char sql_impi_list[] = "SELECT name FROM impi ORDER BY name";

int store_impi_get(struct store *st, const char *impi, struct store_impi *out)
{
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !impi || !out)
        return store__fail(st, -EINVAL, "invalid argument");
    s = store__stmt(st, sql_impi_get, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, impi);
    src = sqlite3_step(s);
    if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "unknown IMPI %s", impi);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = store__sqlerr(st, src, "IMPI read");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    store__col_text(s, 0, out->name, sizeof(out->name));
    if (sqlite3_column_bytes(s, 1) == STORE_K_LEN && sqlite3_column_bytes(s, 2) == STORE_OPC_LEN) {
        out->has_keys = true;
        memcpy(out->k, sqlite3_column_blob(s, 1), STORE_K_LEN);
        memcpy(out->opc, sqlite3_column_blob(s, 2), STORE_OPC_LEN);
    }
    out->opc_from_op = sqlite3_column_int(s, 3) != 0;
    if (sqlite3_column_bytes(s, 4) == STORE_AMF_LEN)
        memcpy(out->amf, sqlite3_column_blob(s, 4), STORE_AMF_LEN);
    out->sqn = (uint64_t)sqlite3_column_int64(s, 5);
    out->schemes = (unsigned)sqlite3_column_int(s, 6);
    store__col_text(s, 7, out->password, sizeof(out->password));
    store__col_text(s, 8, out->ha1, sizeof(out->ha1));
    out->created = sqlite3_column_int64(s, 9);
    out->updated = sqlite3_column_int64(s, 10);
out:
    sqlite3_reset(s);
    return rc;
}

static void read_impu(sqlite3_stmt *s, struct store_impu *out)
{
    int state;

    memset(out, 0, sizeof(*out));
    store__col_text(s, 0, out->uri, sizeof(out->uri));
    store__col_text(s, 1, out->impi, sizeof(out->impi));
    out->barred = sqlite3_column_int(s, 2) != 0;
    out->irs_id = sqlite3_column_int64(s, 3);
    out->profile_id = sqlite3_column_int64(s, 4);
    store__col_text(s, 5, out->scscf, sizeof(out->scscf));
    state = sqlite3_column_int(s, 6);
    out->state = (state == STORE_REGISTERED || state == STORE_UNREGISTERED)
                     ? (enum store_reg_state)state
                     : STORE_NOT_REGISTERED;
}

int store_impu_get(struct store *st, const char *uri, struct store_impu *out)
{
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !uri || !out)
        return store__fail(st, -EINVAL, "invalid argument");
    s = store__stmt(st, sql_impu_get, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, uri);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        read_impu(s, out);
    else if (src == SQLITE_DONE)
        rc = store__fail(st, -ENOENT, "unknown IMPU %s", uri);
    else
        rc = store__sqlerr(st, src, "IMPU read");
    sqlite3_reset(s);
    return rc;
}

/* Collects the IMPU rows of a bound statement into a malloc'ed array. */
static int collect_impus(struct store *st, sqlite3_stmt *s, struct store_impu **list, size_t *n)
{
    struct store_impu *v = NULL, *tmp;
    size_t len = 0, cap = 0;
    int src, rc = 0;

    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4;
            tmp = realloc(v, cap * sizeof(*v));
            if (!tmp) {
                rc = store__fail(st, -ENOMEM, "out of memory");
                goto out;
            }
            v = tmp;
        }
        read_impu(s, &v[len++]);
    }
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "IMPU list");
out:
    sqlite3_reset(s);
    if (rc) {
        free(v);
        return rc;
    }
    *list = v;
    *n = len;
    return 0;
}

int store_impi_impus(struct store *st, const char *impi, struct store_impu **list, size_t *n)
{
    int64_t id;
    int rc = 0;
    sqlite3_stmt *s;

    if (!st || !impi || !list || !n)
        return store__fail(st, -EINVAL, "invalid argument");
    *list = NULL;
    *n = 0;
    rc = store__impi_id(st, impi, &id);
    if (rc)
        return rc;
    s = store__stmt(st, sql_impi_impus, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, impi);
    return collect_impus(st, s, list, n);
}

int store_irs_impus(struct store *st, const char *uri, struct store_impu **list, size_t *n)
{
    int rc = 0;
    sqlite3_stmt *s;

    if (!st || !uri || !list || !n)
        return store__fail(st, -EINVAL, "invalid argument");
    *list = NULL;
    *n = 0;
    s = store__stmt(st, sql_irs_impus, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, uri);
    rc = collect_impus(st, s, list, n);
    if (rc == 0 && *n == 0)
        rc = store__fail(st, -ENOENT, "unknown IMPU %s", uri);
    return rc;
}

int store_impi_impu_check(struct store *st, const char *impi, const char *impu)
{
    char owner[STORE_ID_SIZE];
    int64_t id;
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !impi || !impu)
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__impi_id(st, impi, &id);
    if (rc)
        return rc;
    s = store__stmt(st, sql_impu_owner, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, impu);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        store__col_text(s, 0, owner, sizeof(owner));
        if (strcmp(owner, impi) != 0)
            rc = store__fail(st, STORE_EMISMATCH, "IMPU %s does not belong to IMPI %s", impu, impi);
    } else if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "unknown IMPU %s", impu);
    } else {
        rc = store__sqlerr(st, src, "IMPU read");
    }
    sqlite3_reset(s);
    return rc;
}

int store_roaming_check(struct store *st, const char *impi, const char *visited_network,
                        const char *home)
{
    int64_t id;
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !impi || !visited_network)
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__impi_id(st, impi, &id);
    if (rc)
        return rc;
    if (home && strcasecmp(home, visited_network) == 0)
        return 0;
    s = store__stmt(st, sql_roaming_has, &rc);
    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    store__bind_text(s, 2, visited_network);
    src = sqlite3_step(s);
    if (src == SQLITE_DONE)
        rc = store__fail(st, STORE_EROAMING, "IMPI %s may not roam in %s", impi, visited_network);
    else if (src != SQLITE_ROW)
        rc = store__sqlerr(st, src, "roaming check");
    sqlite3_reset(s);
    return rc;
}

/* Collects column 0 of the rows of a bound statement as a NULL-terminated array. */
static int collect_strings(struct store *st, sqlite3_stmt *s, char ***out, size_t *n)
{
    char **v = NULL, **tmp;
    size_t len = 0, cap = 0;
    int src, rc = 0;

    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        if (len + 1 >= cap) {
            cap = cap ? cap * 2 : 8;
            tmp = realloc(v, cap * sizeof(*v));
            if (!tmp) {
                rc = store__fail(st, -ENOMEM, "out of memory");
                goto out;
            }
            v = tmp;
        }
        v[len] = strdup(t ? (const char *)t : "");
        if (!v[len]) {
            rc = store__fail(st, -ENOMEM, "out of memory");
            goto out;
        }
        v[++len] = NULL;
    }
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "list");
out:
    sqlite3_reset(s);
    if (rc == 0 && !v) {
        v = calloc(1, sizeof(*v));
        if (!v)
            rc = store__fail(st, -ENOMEM, "out of memory");
    }
    if (rc) {
        if (v) {
            v[len] = NULL;
            store_strv_free(v);
        }
        return rc;
    }
    *out = v;
    if (n)
        *n = len;
    return 0;
}

int store_roaming_list(struct store *st, const char *impi, char ***nets, size_t *n)
{
    int64_t id;
    int rc = 0;
    sqlite3_stmt *s;

    if (!st || !impi || !nets)
        return store__fail(st, -EINVAL, "invalid argument");
    *nets = NULL;
    rc = store__impi_id(st, impi, &id);
    if (rc)
        return rc;
    s = store__stmt(st, sql_roaming_list, &rc);
    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return collect_strings(st, s, nets, n);
}

int store_profile_get_ifc(struct store *st, int64_t profile_id, char **xml)
{
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !xml)
        return store__fail(st, -EINVAL, "invalid argument");
    *xml = NULL;
    s = store__stmt(st, sql_profile_get, &rc);
    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, profile_id);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        *xml = strdup(t ? (const char *)t : "");
        if (!*xml)
            rc = store__fail(st, -ENOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "unknown service profile %lld", (long long)profile_id);
    } else {
        rc = store__sqlerr(st, src, "profile read");
    }
    sqlite3_reset(s);
    return rc;
}

int store_profile_set_ifc(struct store *st, int64_t profile_id, const char *xml)
{
    int rc = 0, src;
    sqlite3_stmt *s;

    if (!st || !xml)
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    s = store__stmt(st, sql_profile_set, &rc);
    if (!s)
        goto out;
    store__bind_text(s, 1, xml);
    sqlite3_bind_int64(s, 2, profile_id);
    src = sqlite3_step(s);
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "profile update");
    else if (sqlite3_changes(st->db) == 0)
        rc = store__fail(st, -ENOENT, "unknown service profile %lld", (long long)profile_id);
    sqlite3_reset(s);
out:
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}

int store_scscf_impis(struct store *st, const char *scscf, char ***impis, size_t *n)
{
    int rc = 0;
    sqlite3_stmt *s;

    if (!st || !scscf || !*scscf || !impis)
        return store__fail(st, -EINVAL, "invalid argument");
    *impis = NULL;
    s = store__stmt(st, sql_scscf_impis, &rc);
    if (!s)
        return rc;
    store__bind_text(s, 1, scscf);
    return collect_strings(st, s, impis, n);
}

int store_impi_list(struct store *st, char ***impis, size_t *n)
{
    int rc = 0;
    sqlite3_stmt *s;

    if (!st || !impis)
        return store__fail(st, -EINVAL, "invalid argument");
    *impis = NULL;
    s = store__stmt(st, sql_impi_list, &rc);
    if (!s)
        return rc;
    return collect_strings(st, s, impis, n);
}
