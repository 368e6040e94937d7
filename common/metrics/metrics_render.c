/*
 * metrics_render.c: the Prometheus text exposition format 0.0.4.
 */
#include "metrics_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* Shortest of %.15g / %.17g that reads back as v; "+Inf", "-Inf", "NaN". */
static const char *fmt_double(double v, char *buf, size_t len)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    snprintf(buf, len, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, len, "%.17g", v);
    return buf;
}

/* Appends s escaped: '\\' and '\n' always, '"' when quote is set. */
static int add_escaped(struct evbuffer *b, const char *s, bool quote)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        if (*s == '\\')
            rep = "\\\\";
        else if (*s == '\n')
            rep = "\\n";
        else if (quote && *s == '"')
            rep = "\\\"";
        if (!rep)
            continue;
        if (evbuffer_add(b, run, (size_t)(s - run)) || evbuffer_add(b, rep, 2))
            return -ENOMEM;
        run = s + 1;
    }
    return evbuffer_add(b, run, (size_t)(s - run)) ? -ENOMEM : 0;
}

/*
 * Appends "name<suffix>{l1="v1",...[,le="le"]} " for one sample; the braces
 * are left out when there is no label at all.
 */
static int add_series(struct evbuffer *b, const struct metrics_family *f, const char *suffix,
                      const struct metrics__child *c, const char *le)
{
    if (evbuffer_add_printf(b, "%s%s", f->name, suffix) < 0)
        return -ENOMEM;
    if (f->nlabels == 0 && !le)
        return evbuffer_add(b, " ", 1) ? -ENOMEM : 0;
    if (evbuffer_add(b, "{", 1))
        return -ENOMEM;
    for (int i = 0; i < f->nlabels; i++) {
        if (evbuffer_add_printf(b, "%s%s=\"", i ? "," : "", f->labels[i]) < 0 ||
            add_escaped(b, c->values[i], true) || evbuffer_add(b, "\"", 1))
            return -ENOMEM;
    }
    if (le && evbuffer_add_printf(b, "%sle=\"%s\"", f->nlabels ? "," : "", le) < 0)
        return -ENOMEM;
    return evbuffer_add(b, "} ", 2) ? -ENOMEM : 0;
}

static int render_child(struct evbuffer *b, const struct metrics_family *f,
                        const struct metrics__child *c)
{
    char num[40], le[40];
    switch (f->type) {
    case METRICS__COUNTER:
        if (add_series(b, f, "", c, NULL) || evbuffer_add_printf(b, "%" PRIu64 "\n", c->count) < 0)
            return -ENOMEM;
        return 0;
    case METRICS__GAUGE: {
        double v = f->fn ? f->fn(f->fn_arg) : c->value;
        if (add_series(b, f, "", c, NULL) ||
            evbuffer_add_printf(b, "%s\n", fmt_double(v, num, sizeof(num))) < 0)
            return -ENOMEM;
        return 0;
    }
    case METRICS__HISTOGRAM: {
        uint64_t cum = 0;
        for (size_t i = 0; i < f->nbounds; i++) {
            cum += c->buckets[i];
            if (add_series(b, f, "_bucket", c, fmt_double(f->bounds[i], le, sizeof(le))) ||
                evbuffer_add_printf(b, "%" PRIu64 "\n", cum) < 0)
                return -ENOMEM;
        }
        if (add_series(b, f, "_bucket", c, "+Inf") ||
            evbuffer_add_printf(b, "%" PRIu64 "\n", c->count) < 0 ||
            add_series(b, f, "_sum", c, NULL) ||
            evbuffer_add_printf(b, "%s\n", fmt_double(c->value, num, sizeof(num))) < 0 ||
            add_series(b, f, "_count", c, NULL) ||
            evbuffer_add_printf(b, "%" PRIu64 "\n", c->count) < 0)
            return -ENOMEM;
        return 0;
    }
    }
    return -EINVAL;
}

static int render_family(struct evbuffer *b, struct metrics_family *f)
{
    int rc = -ENOMEM;
    if (evbuffer_add_printf(b, "# HELP %s ", f->name) < 0 || add_escaped(b, f->help, false) ||
        evbuffer_add_printf(b, "\n# TYPE %s %s\n", f->name, metrics__type_name(f->type)) < 0)
        return -ENOMEM;
    pthread_mutex_lock(&f->lock);
    for (const struct metrics__child *c = f->children; c; c = c->next)
        if ((rc = render_child(b, f, c)) != 0)
            goto out;
    rc = 0;
out:
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int metrics_render(struct metrics *m, struct evbuffer *buf)
{
    if (!m || !buf)
        return -EINVAL;
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    for (struct metrics_family *f = m->families; f && rc == 0; f = f->next)
        rc = render_family(buf, f);
    pthread_mutex_unlock(&m->lock);
    return rc;
}
