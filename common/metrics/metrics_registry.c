/*
 * metrics_registry.c: families, children and updates.
 */
#include "metrics_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *metrics__type_name(enum metrics__type type)
{
    switch (type) {
    case METRICS__COUNTER:
        return "counter";
    case METRICS__GAUGE:
        return "gauge";
    case METRICS__HISTOGRAM:
        return "histogram";
    }
    return "untyped";
}

int metrics_new(struct metrics **out)
{
    if (!out)
        return -EINVAL;
    struct metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    pthread_mutex_init(&m->lock, NULL);
    *out = m;
    return 0;
}

static void child_free(struct metrics__child *c)
{
    if (!c)
        return;
    for (int i = 0; i < METRICS_MAX_LABELS; i++)
        free(c->values[i]);
    free(c->buckets);
    free(c);
}

static void family_free(struct metrics_family *f)
{
    if (!f)
        return;
    while (f->children) {
        struct metrics__child *c = f->children;
        f->children = c->next;
        child_free(c);
    }
    free(f->name);
    free(f->help);
    for (int i = 0; i < METRICS_MAX_LABELS; i++)
        free(f->labels[i]);
    free(f->bounds);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    while (m->families) {
        struct metrics_family *f = m->families;
        m->families = f->next;
        family_free(f);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static bool is_name_char(char c, bool first, bool colon)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (colon && c == ':')
        return true;
    return !first && c >= '0' && c <= '9';
}

/* Metric names allow ':', label names do not. */
static bool name_is_valid(const char *s, bool colon)
{
    if (!s || !*s || strlen(s) > 200)
        return false;
    for (size_t i = 0; s[i]; i++)
        if (!is_name_char(s[i], i == 0, colon))
            return false;
    return true;
}

/* Strict UTF-8 check: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool utf8_is_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= len)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

static int family_new(struct metrics *m, enum metrics__type type, const char *name,
                      const char *help, int nlabels, const char *const *labels,
                      const double *bounds, size_t nbounds, struct metrics_family **out)
{
    int rc = -EINVAL;
    struct metrics_family *f = NULL;

    if (!m || !out || !name_is_valid(name, true) || !help || nlabels < 0 ||
        nlabels > METRICS_MAX_LABELS || (nlabels > 0 && !labels))
        return -EINVAL;
    for (int i = 0; i < nlabels; i++) {
        if (!name_is_valid(labels[i], false) || strncmp(labels[i], "__", 2) == 0)
            return -EINVAL;
        if (type == METRICS__HISTOGRAM && strcmp(labels[i], "le") == 0)
            return -EINVAL;
        for (int j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                return -EINVAL;
    }
    if (type == METRICS__HISTOGRAM) {
        if (!bounds || nbounds < 1 || nbounds > 32)
            return -EINVAL;
        for (size_t i = 0; i < nbounds; i++)
            if (!isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
                return -EINVAL;
    }

    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    pthread_mutex_init(&f->lock, NULL);
    f->type = type;
    f->nlabels = nlabels;
    rc = -ENOMEM;
    if (!(f->name = strdup(name)) || !(f->help = strdup(help)))
        goto err;
    for (int i = 0; i < nlabels; i++)
        if (!(f->labels[i] = strdup(labels[i])))
            goto err;
    if (type == METRICS__HISTOGRAM) {
        f->bounds = malloc(nbounds * sizeof(*bounds));
        if (!f->bounds)
            goto err;
        memcpy(f->bounds, bounds, nbounds * sizeof(*bounds));
        f->nbounds = nbounds;
    }
    if (nlabels == 0) {
        /* An unlabelled family exports its zero value from the start. */
        f->children = calloc(1, sizeof(*f->children));
        if (!f->children)
            goto err;
        f->nchildren = 1;
        if (type == METRICS__HISTOGRAM &&
            !(f->children->buckets = calloc(nbounds, sizeof(*f->children->buckets))))
            goto err;
    }

    pthread_mutex_lock(&m->lock);
    struct metrics_family **pp = &m->families;
    while (*pp && strcmp((*pp)->name, name) < 0)
        pp = &(*pp)->next;
    if (*pp && strcmp((*pp)->name, name) == 0) {
        pthread_mutex_unlock(&m->lock);
        rc = -EEXIST;
        goto err;
    }
    f->next = *pp;
    *pp = f;
    pthread_mutex_unlock(&m->lock);
    *out = f;
    return 0;
err:
    family_free(f);
    return rc;
}

int metrics_counter_new(struct metrics *m, const char *name, const char *help, int nlabels,
                        const char *const *labels, struct metrics_family **out)
{
    return family_new(m, METRICS__COUNTER, name, help, nlabels, labels, NULL, 0, out);
}

int metrics_gauge_new(struct metrics *m, const char *name, const char *help, int nlabels,
                      const char *const *labels, struct metrics_family **out)
{
    return family_new(m, METRICS__GAUGE, name, help, nlabels, labels, NULL, 0, out);
}

int metrics_histogram_new(struct metrics *m, const char *name, const char *help, int nlabels,
                          const char *const *labels, const double *bounds, size_t nbounds,
                          struct metrics_family **out)
{
    return family_new(m, METRICS__HISTOGRAM, name, help, nlabels, labels, bounds, nbounds, out);
}

static int values_check(const struct metrics_family *f, const char *const *values)
{
    if (f->nlabels > 0 && !values)
        return -EINVAL;
    for (int i = 0; i < f->nlabels; i++) {
        if (!values[i])
            return -EINVAL;
        size_t len = strlen(values[i]);
        if (len > METRICS_MAX_VALUE_LEN || !utf8_is_valid((const unsigned char *)values[i], len))
            return -EINVAL;
    }
    return 0;
}

static int values_cmp(const struct metrics_family *f, const struct metrics__child *c,
                      const char *const *values)
{
    for (int i = 0; i < f->nlabels; i++) {
        int d = strcmp(c->values[i], values[i]);
        if (d)
            return d;
    }
    return 0;
}

/*
 * Finds or creates the child of values; called with f->lock held.
 * Returns it, or NULL with *rc set.
 */
static struct metrics__child *child_get(struct metrics_family *f, const char *const *values,
                                        int *rc)
{
    struct metrics__child **pp = &f->children;
    int d = 1;
    while (*pp && (d = values_cmp(f, *pp, values)) < 0)
        pp = &(*pp)->next;
    if (*pp && d == 0)
        return *pp;
    if (f->nchildren >= METRICS_MAX_CHILDREN) {
        *rc = -ENOSPC;
        return NULL;
    }
    *rc = -ENOMEM;
    struct metrics__child *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    for (int i = 0; i < f->nlabels; i++)
        if (!(c->values[i] = strdup(values[i])))
            goto err;
    if (f->type == METRICS__HISTOGRAM && !(c->buckets = calloc(f->nbounds, sizeof(*c->buckets))))
        goto err;
    c->next = *pp;
    *pp = c;
    f->nchildren++;
    return c;
err:
    child_free(c);
    return NULL;
}

/* Applies one update of kind `type`; op 0 = add n/v, 1 = set v, 2 = observe v. */
static int update(struct metrics_family *f, enum metrics__type type, const char *const *values,
                  int op, uint64_t n, double v)
{
    if (!f || f->type != type)
        return -EINVAL;
    int rc = values_check(f, values);
    if (rc)
        return rc;
    pthread_mutex_lock(&f->lock);
    struct metrics__child *c = child_get(f, values, &rc);
    if (c) {
        rc = 0;
        if (type == METRICS__COUNTER) {
            c->count += n;
        } else if (type == METRICS__GAUGE) {
            c->value = op == 1 ? v : c->value + v;
        } else {
            size_t i = 0;
            while (i < f->nbounds && v > f->bounds[i])
                i++;
            if (i < f->nbounds)
                c->buckets[i]++;
            c->count++;
            c->value += v;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int metrics_counter_add(struct metrics_family *f, const char *const *values, uint64_t n)
{
    return update(f, METRICS__COUNTER, values, 0, n, 0);
}

int metrics_gauge_set(struct metrics_family *f, const char *const *values, double v)
{
    return update(f, METRICS__GAUGE, values, 1, 0, v);
}

int metrics_gauge_add(struct metrics_family *f, const char *const *values, double delta)
{
    return update(f, METRICS__GAUGE, values, 0, 0, delta);
}

int metrics_histogram_observe(struct metrics_family *f, const char *const *values, double v)
{
    if (isnan(v))
        return -EINVAL;
    return update(f, METRICS__HISTOGRAM, values, 2, 0, v);
}

int metrics_gauge_set_fn(struct metrics_family *f, metrics_gauge_fn fn, void *arg)
{
    if (!f || f->type != METRICS__GAUGE || f->nlabels != 0)
        return -EINVAL;
    pthread_mutex_lock(&f->lock);
    f->fn = fn;
    f->fn_arg = arg;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

int metrics_value(struct metrics_family *f, const char *const *values, double *out)
{
    if (!f || !out || f->type == METRICS__HISTOGRAM)
        return -EINVAL;
    int rc = values_check(f, values);
    if (rc)
        return rc;
    *out = 0;
    pthread_mutex_lock(&f->lock);
    for (struct metrics__child *c = f->children; c; c = c->next) {
        if (values_cmp(f, c, values) == 0) {
            if (f->type == METRICS__COUNTER)
                *out = (double)c->count;
            else
                *out = f->fn ? f->fn(f->fn_arg) : c->value;
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return 0;
}
