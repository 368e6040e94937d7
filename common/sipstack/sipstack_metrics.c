/* sipstack_metrics.c: SIP request/response counters and REGISTER latency (sipstack_internal.h). */
#include "sipstack_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS       1024
#define SWEEP_EVERY_NS 5000000000LL /* forget unanswered REGISTERs every 5 s at most */

/* A REGISTER server transaction waiting for its final response. */
struct pending {
    struct pending *next;
    uint64_t id;     /* txn_server_id() */
    long long t0_ns; /* arrival, CLOCK_MONOTONIC */
};

struct sipstack_meter {
    const struct metrics_ims *ims;
    struct txn_layer *layer; /* for the transactions gauge and the sweep */
    struct pending *buckets[NBUCKETS];
    size_t n;
    long long last_sweep_ns;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double count_transactions(void *arg)
{
    const struct sipstack_meter *m = arg;
    struct txn_stats s;

    if (!m->layer)
        return 0;
    txn_layer_stats(m->layer, &s);
    return (double)s.ict + s.ist + s.nict + s.nist;
}

int sipstack__meter_new(const struct metrics_ims *ims, struct sipstack_meter **out)
{
    struct sipstack_meter *m = calloc(1, sizeof(*m));

    if (!m)
        return -ENOMEM;
    m->ims = ims;
    m->last_sweep_ns = now_ns();
    *out = m;
    return 0;
}

void sipstack__meter_set_layer(struct sipstack_meter *m, struct txn_layer *layer)
{
    m->layer = layer;
    if (m->ims && m->ims->transactions)
        metrics_gauge_set_fn(m->ims->transactions, layer ? count_transactions : NULL,
                             layer ? m : NULL);
}

void sipstack__meter_free(struct sipstack_meter *m)
{
    if (!m)
        return;
    sipstack__meter_set_layer(m, NULL);
    for (size_t i = 0; i < NBUCKETS; i++) {
        for (struct pending *p = m->buckets[i], *next; p; p = next) {
            next = p->next;
            free(p);
        }
    }
    free(m);
}

/* Forgets the REGISTERs whose transaction ended without a final response. */
static void sweep(struct sipstack_meter *m)
{
    for (size_t i = 0; i < NBUCKETS; i++) {
        for (struct pending **pp = &m->buckets[i]; *pp;) {
            struct pending *p = *pp;
            if (m->layer && txn_server_lookup(m->layer, p->id)) {
                pp = &p->next;
                continue;
            }
            *pp = p->next;
            free(p);
            m->n--;
        }
    }
}

void sipstack__meter_request(struct sipstack_meter *m, uint64_t id, const osip_message_t *req)
{
    long long now = now_ns();
    struct pending *p;

    metrics_ims_sip_request(m->ims, req->sip_method);
    if (!MSG_IS_REGISTER(req))
        return;
    if (now - m->last_sweep_ns >= SWEEP_EVERY_NS || m->n >= SIPSTACK__METER_MAX) {
        sweep(m);
        m->last_sweep_ns = now;
    }
    if (m->n >= SIPSTACK__METER_MAX || !(p = calloc(1, sizeof(*p)))) {
        log_debug("sip: metrics: %zu REGISTERs pending, this one is not timed", m->n);
        return;
    }
    p->id = id;
    p->t0_ns = now;
    p->next = m->buckets[id % NBUCKETS];
    m->buckets[id % NBUCKETS] = p;
    m->n++;
}

void sipstack__meter_request_stateless(struct sipstack_meter *m, const char *method)
{
    metrics_ims_sip_request(m->ims, method);
}

void sipstack__meter_response_stateless(struct sipstack_meter *m, const char *method, int code)
{
    metrics_ims_sip_response(m->ims, method, code);
}

void sipstack__meter_respond(struct sipstack_meter *m, struct txn_server *st,
                             const osip_message_t *resp)
{
    const osip_message_t *req = txn_server_request(st);
    uint64_t id = txn_server_id(st);

    if (!req)
        return;
    metrics_ims_sip_response(m->ims, req->sip_method, resp->status_code);
    if (resp->status_code < 200 || !MSG_IS_REGISTER(req))
        return;
    for (struct pending **pp = &m->buckets[id % NBUCKETS]; *pp; pp = &(*pp)->next) {
        struct pending *p = *pp;
        if (p->id != id)
            continue;
        metrics_ims_register_duration(m->ims, (double)(now_ns() - p->t0_ns) / 1e9);
        *pp = p->next;
        free(p);
        m->n--;
        return;
    }
}
