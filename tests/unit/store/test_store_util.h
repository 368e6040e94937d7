/*
 * Helpers shared by the store tests: a private temporary directory holding the
 * database, and a ready-made subscriber.
 */
#ifndef TEST_STORE_UTIL_H
#define TEST_STORE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

struct tdb {
    char dir[256];
    char path[300];
};

/* Creates a fresh directory under $TMPDIR (or /tmp) and the path of a DB in it. */
static inline void tdb_init(struct tdb *t)
{
    const char *base = getenv("TMPDIR");

    snprintf(t->dir, sizeof(t->dir), "%s/imscore-store-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof(t->path), "%s/hss.db", t->dir);
}

/* Removes the database, its WAL and SHM files and the directory. */
static inline void tdb_cleanup(struct tdb *t)
{
    char p[320];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};

    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static inline struct store *tdb_open(const struct tdb *t)
{
    struct store *st = NULL;
    char err[256];
    int rc = store_open(t->path, &st, err, sizeof(err));

    if (rc != 0)
        fail_msg("store_open(%s): %d %s", t->path, rc, err);
    return st;
}

static inline void hexb(const char *hex, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* An AKA subscriber with TS 35.208 set 1 keys (K, OPc) and the given IMPUs. */
static inline void tsub_init(struct store_subscriber *s, const char *impi,
                             const struct store_new_impu *impus, size_t n)
{
    memset(s, 0, sizeof(*s));
    s->impi = impi;
    s->impus = impus;
    s->n_impus = n;
    s->has_keys = true;
    hexb("465b5ce8b199b49faa5f0a2ee238a6bc", s->k, 16);
    hexb("cd63cb71954a9f4e48a5994e37a02baf", s->opc, 16);
    s->amf[0] = 0x80;
    s->schemes = STORE_SCHEME_AKAV1_MD5;
}

#endif
