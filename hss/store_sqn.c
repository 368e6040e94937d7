/*
 * store_sqn.c: SQN reservation and resynchronisation (TS 33.102 Annex C).
 * Each call is one BEGIN IMMEDIATE transaction, committed (synchronous=FULL)
 * before any SQN leaves this file.
 */
#include "store_internal.h"

#include <string.h>

#include "aka/aka.h"

static const char sql_sqn_get[] = "SELECT id, sqn, k, opc, amf FROM impi WHERE name = ?";
static const char sql_sqn_set[] = "UPDATE impi SET sqn = ?, updated = ? WHERE id = ?";

/* Reads SQN_HE and the keys of impi inside the current transaction. */
static int read_sqn(struct store *st, const char *impi, int64_t *id, uint64_t *sqn,
                    struct store_auth *auth, bool need_keys)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql_sqn_get, &rc);
    int src;

    if (!s)
        return rc;
    store__bind_text(s, 1, impi);
    src = sqlite3_step(s);
    if (src == SQLITE_DONE) {
        rc = store__fail(st, -ENOENT, "unknown IMPI %s", impi);
        goto out;
    }
    if (src != SQLITE_ROW) {
        rc = store__sqlerr(st, src, "SQN read");
        goto out;
    }
    *id = sqlite3_column_int64(s, 0);
    *sqn = (uint64_t)sqlite3_column_int64(s, 1);
    if (need_keys) {
        if (sqlite3_column_bytes(s, 2) != STORE_K_LEN ||
            sqlite3_column_bytes(s, 3) != STORE_OPC_LEN) {
            rc = store__fail(st, STORE_ENOKEY, "IMPI %s has no AKA keys", impi);
            goto out;
        }
        if (auth) {
            memcpy(auth->k, sqlite3_column_blob(s, 2), STORE_K_LEN);
            memcpy(auth->opc, sqlite3_column_blob(s, 3), STORE_OPC_LEN);
            if (sqlite3_column_bytes(s, 4) == STORE_AMF_LEN)
                memcpy(auth->amf, sqlite3_column_blob(s, 4), STORE_AMF_LEN);
        }
    }
out:
    sqlite3_reset(s);
    return rc;
}

static int write_sqn(struct store *st, int64_t id, uint64_t sqn)
{
    int rc = 0;
    sqlite3_stmt *s = store__stmt(st, sql_sqn_set, &rc);
    int src;

    if (!s)
        return rc;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)sqn);
    sqlite3_bind_int64(s, 2, store__now());
    sqlite3_bind_int64(s, 3, id);
    src = sqlite3_step(s);
    if (src != SQLITE_DONE)
        rc = store__sqlerr(st, src, "SQN update");
    sqlite3_reset(s);
    return rc;
}

int store_sqn_next_batch(struct store *st, const char *impi, unsigned ind_bits, size_t n,
                         uint64_t *sqns, struct store_auth *out)
{
    struct store_auth auth;
    uint64_t sqn = 0;
    int64_t id = 0;
    int rc;

    if (!st || !impi || !sqns || n == 0 || n > STORE_SQN_BATCH_MAX || ind_bits > AKA_IND_BITS_MAX)
        return store__fail(st, -EINVAL, "invalid SQN request");
    memset(&auth, 0, sizeof(auth));
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = read_sqn(st, impi, &id, &sqn, &auth, true);
    if (rc)
        goto out;
    for (size_t i = 0; i < n; i++) {
        rc = aka_sqn_next(sqn, ind_bits, &sqn);
        if (rc) {
            rc = store__fail(st, rc, "IMPI %s: SQN space exhausted", impi);
            goto out;
        }
        sqns[i] = sqn;
    }
    rc = write_sqn(st, id, sqn);
out:
    if (rc) {
        store__rollback(st);
        memset(&auth, 0, sizeof(auth));
        memset(sqns, 0, n * sizeof(*sqns));
        return rc;
    }
    rc = store__commit(st);
    if (rc) {
        memset(sqns, 0, n * sizeof(*sqns));
    } else if (out) {
        *out = auth;
    }
    memset(&auth, 0, sizeof(auth));
    return rc;
}

int store_sqn_next(struct store *st, const char *impi, unsigned ind_bits, uint64_t *sqn_out,
                   struct store_auth *out)
{
    return store_sqn_next_batch(st, impi, ind_bits, 1, sqn_out, out);
}

int store_sqn_resync(struct store *st, const char *impi, unsigned ind_bits, uint64_t sqn_ms)
{
    uint64_t sqn_he = 0, next = 0, target;
    int64_t id = 0;
    int rc;

    if (!st || !impi || sqn_ms > STORE_SQN_MAX || ind_bits > AKA_IND_BITS_MAX)
        return store__fail(st, -EINVAL, "invalid resync request");
    rc = store__begin(st);
    if (rc)
        return rc;
    rc = read_sqn(st, impi, &id, &sqn_he, NULL, false);
    if (rc)
        goto out;
    rc = aka_sqn_resync(sqn_ms, sqn_he, ind_bits, &next);
    if (rc) {
        rc = store__fail(st, rc, "IMPI %s: cannot resynchronise to SQN_MS %llu", impi,
                         (unsigned long long)sqn_ms);
        goto out;
    }
    /*
     * next is the SQN the USIM must get. SQN_HE is the last one handed out, so
     * store next with SEQ - 1: the following store_sqn_next() yields next.
     * SEQ_MS + 1 >= 1, so the subtraction cannot underflow.
     */
    target = next - (UINT64_C(1) << ind_bits);
    if (target > sqn_he) {
        rc = write_sqn(st, id, target);
        if (rc)
            goto out;
    }
out:
    if (rc) {
        store__rollback(st);
        return rc;
    }
    return store__commit(st);
}
