/*
 * metrics_internal.h: the registry's structures, shared by the files of
 * common/metrics. Never included from outside the module.
 */
#ifndef IMSCORE_METRICS_INTERNAL_H
#define IMSCORE_METRICS_INTERNAL_H

#include "metrics/metrics.h"

#include <pthread.h>
#include <stdbool.h>

enum metrics__type {
    METRICS__COUNTER,
    METRICS__GAUGE,
    METRICS__HISTOGRAM,
};

/* One tuple of label values and its value(s). Guarded by its family's lock. */
struct metrics__child {
    struct metrics__child *next; /* sorted by label values */
    char *values[METRICS_MAX_LABELS];
    uint64_t count;    /* counter value, or histogram observation count */
    double value;      /* gauge value, or histogram sum */
    uint64_t *buckets; /* histogram: per-bound (non-cumulative) counts, nbounds entries */
};

struct metrics_family {
    struct metrics_family *next; /* sorted by name */
    enum metrics__type type;
    char *name;
    char *help;
    int nlabels;
    char *labels[METRICS_MAX_LABELS];
    double *bounds; /* histogram upper bounds, strictly increasing */
    size_t nbounds;
    metrics_gauge_fn fn; /* callback gauge */
    void *fn_arg;
    pthread_mutex_t lock;
    struct metrics__child *children;
    size_t nchildren;
};

struct metrics {
    pthread_mutex_t lock; /* guards the family list */
    struct metrics_family *families;
};

/* The family's printable type ("counter", "gauge", "histogram"). */
const char *metrics__type_name(enum metrics__type type);

#endif
