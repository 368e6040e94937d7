/*
 * store_assign.c: S-CSCF assignment and registration state of implicit
 * registration sets. Every change is committed before the function returns,
 * so an answer sent afterwards never announces a state a crash could lose.
 */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>

static const char sql_irs_of[] = "SELECT irs_id, scscf FROM impu WHERE uri = ?";
static const char sql_set_scscf[] = "UPDATE impu SET scscf = ?, updated = ? WHERE irs_id = ?";
static const char sql_set_state[] =
    "UPDATE impu SET scscf = ?, reg_state = ?, updated = ? WHERE irs_id = ?";

/* Finds the implicit set of uri and its current S-CSCF (current may be NULL). */
static int irs_of(struct store *st, const char *uri, int64_t *irs, char *current)
{
    int rc = 0, src;
    sqlite3_stmt *s = store__stmt(st, sql_irs_of, &rc);

    if (!s)
        return rc;
    store__bind_text(s, 1, uri);
    src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        *irs = sqlite3_column_int64(s, 0);
        if (current)
            store__col_text(s, 1, current, STORE_ID_SIZE);
    } else if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "unknown IMPU %s", uri);
    } else {
        rc = store__sqlerr(st, src, "IMPU read");
    }
    sqlite3_reset(s);
    return rc;
}

static int update_irs(struct store *st, int64_t irs, const char *scscf, bool with_state,
                      enum store_reg_state state)
{
    int rc = 0, src, i = 1;
    sqlite3_stmt *s = store__stmt(st, with_state ? sql_set_state : sql_set_scscf, &rc);

    if (!s)
        return rc;
    store__bind_text(s, i++, scscf && *scscf ? scscf : NULL);
    if (with_state)
        sqlite3_bind_int(s, i++, (int)state);
    sqlite3_bind_int64(s, i++, store__now());
    sqlite3_bind_int64(s, i, irs);
    src = sqlite3_step(s);
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "assignment update");
    sqlite3_reset(s);
    return rc;
}

static bool scscf_arg_is_valid(const char *scscf)
{
    return !scscf || !*scscf || store__id_is_valid(scscf);
}

int store_scscf_set(struct store *st, const char *uri, const char *scscf)
{
    int64_t irs = 0;
    int rc;

    if (!st || !uri || !scscf_arg_is_valid(scscf))
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = irs_of(st, uri, &irs, NULL);
    if (rc == 0)
        rc = update_irs(st, irs, scscf, false, STORE_NOT_REGISTERED);
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}

int store_scscf_claim(struct store *st, const char *uri, const char *scscf, char *current)
{
    char cur[STORE_ID_SIZE] = "";
    int64_t irs = 0;
    int rc;

    if (!st || !uri || !scscf || !store__id_is_valid(scscf))
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = irs_of(st, uri, &irs, cur);
    if (rc)
        goto out;
    if (cur[0] == '\0')
        rc = update_irs(st, irs, scscf, false, STORE_NOT_REGISTERED);
    else if (strcmp(cur, scscf) != 0)
        rc = store__fail(st, STORE_EASSIGNED, "IMPU %s is assigned to %s", uri, cur);
    if (current)
        snprintf(current, STORE_ID_SIZE, "%s", cur[0] ? cur : scscf);
out:
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}

int store_irs_set_state(struct store *st, const char *uri, enum store_reg_state state,
                        const char *scscf)
{
    int64_t irs = 0;
    int rc;

    if (!st || !uri || !scscf_arg_is_valid(scscf) ||
        (state != STORE_NOT_REGISTERED && state != STORE_REGISTERED && state != STORE_UNREGISTERED))
        return store__fail(st, -EINVAL, "invalid argument");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = irs_of(st, uri, &irs, NULL);
    if (rc == 0)
        rc = update_irs(st, irs, scscf, true, state);
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}
