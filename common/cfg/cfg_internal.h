/*
 * cfg internals: the loaded representation shared by the module's files.
 * Never included from outside common/cfg.
 */
#ifndef IMSCORE_CFG_INTERNAL_H
#define IMSCORE_CFG_INTERNAL_H

#include <libconfig.h>

#include "cfg/cfg.h"

/* The value of one schema entry, in the schema's order. */
struct cfg__value {
    bool from_file; /* given in the file */
    bool present;   /* from the file or from the default */
    const char *s;  /* STRING, ADDRESS, PATH: points into libconfig or the schema */
    long long i;    /* INT, PORT, DURATION */
    double f;       /* FLOAT */
    bool b;         /* BOOL */
    int count;      /* lists */
    const char **strs;
    long long *ints;
    struct cfg *groups; /* GROUP_LIST: count views */
};

struct cfg {
    const struct cfg_spec *schema;
    size_t n;                /* entries of schema */
    struct cfg__value *vals; /* n values */
    const struct cfg *root;  /* the root (itself for the root) */
    config_t *lc;            /* root only: keeps the strings alive */
    char *file;              /* root only */
};

/* The number of entries of a schema (before its {NULL} end). */
size_t cfg__schema_len(const struct cfg_spec *schema);

/* Index of path in schema, or -1. */
int cfg__schema_find(const struct cfg_spec *schema, const char *path);

/* A short name of a kind for messages and the reference ("integer", "port"). */
const char *cfg__kind_name(enum cfg_kind kind);

/*
 * Parses a duration ("30", "30s", "5m", "2h", "1d") into seconds.
 * Returns 0 or -EINVAL.
 */
int cfg__parse_duration(const char *text, long long *out);

/*
 * Splits an address into host (without IPv6 brackets) and port (0 if none).
 * host may be NULL to only validate. Returns 0, -EINVAL or -ENOSPC.
 */
int cfg__parse_address(const char *text, char *host, size_t hostlen, uint16_t *port);

/* Frees the values of a cfg (recursively), not the cfg itself. */
void cfg__free_values(struct cfg *cfg);

#endif
