/*
 * imsua: the "load" command. Registers the subscribers of a file from one
 * process, one event loop and one transport socket: per-UE state machines
 * (responses matched by Via branch, each registration its own Call-ID),
 * starts limited to --rate per second and --concurrency in flight during
 * --duration seconds, then a report of outcomes and latencies.
 */
#include "log/log.h"
#include "loop/loop.h"
#include "ua_ue.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOAD_TICK_MS    5
#define LOAD_MAX_CAUSES 24
#define LOAD_MAX_SHOWN  10 /* failures described on stderr */

struct load {
    const struct ua_opts *o;
    struct loop *loop;
    struct ua_net *net;
    struct ua_cred *creds;
    struct ua_ue *ues;
    bool *busy;
    size_t n, n_init, next;
    size_t attempted, succeeded, failed, in_flight;
    long long t0, t_stop, t_last;
    double *lat;
    struct {
        const char *key;
        size_t count;
    } causes[LOAD_MAX_CAUSES];
    size_t n_causes;
    struct event *tick;
    bool stopping;
};

static void count_cause(struct load *l, const char *key)
{
    for (size_t i = 0; i < l->n_causes; i++) {
        if (!strcmp(l->causes[i].key, key)) {
            l->causes[i].count++;
            return;
        }
    }
    if (l->n_causes < LOAD_MAX_CAUSES) {
        l->causes[l->n_causes].key = key;
        l->causes[l->n_causes++].count = 1;
    } else {
        count_cause(l, "other");
    }
}

static void maybe_done(struct load *l)
{
    if ((l->stopping || loop_now_ms() >= l->t_stop) && l->in_flight == 0)
        loop_stop(l->loop);
}

static void fail(struct load *l, struct ua_ue *ue, const char *key, const char *cause)
{
    l->failed++;
    count_cause(l, key ? key : "other");
    if (l->failed <= LOAD_MAX_SHOWN)
        fprintf(stderr, "%s: %s\n", ue->cred->impi, cause);
}

static void on_reg(struct ua_ue *ue, int code, const char *cause)
{
    struct load *l = ue->arg;
    long long now = loop_now_ms();
    l->busy[ue->index] = false;
    l->in_flight--;
    l->t_last = now;
    if (code == UA_EXIT_OK) {
        l->lat[l->succeeded++] = (double)(now - ue->t_start_ms);
    } else {
        fail(l, ue, ue->cause_key, cause);
    }
    maybe_done(l);
}

/* Starts one registration on the next idle subscriber. Returns false when none is idle. */
static bool start_one(struct load *l)
{
    for (size_t k = 0; k < l->n; k++) {
        size_t i = (l->next + k) % l->n;
        if (l->busy[i])
            continue;
        l->next = i + 1;
        struct ua_ue *ue = &l->ues[i];
        ua_ue_new_call(ue);
        l->attempted++;
        int rc = ua_ue_register(ue, l->o->expires);
        if (rc < 0) {
            char cause[120];
            snprintf(cause, sizeof(cause), "cannot send REGISTER: %s", strerror(-rc));
            fail(l, ue, "send_error", cause);
            return true;
        }
        l->busy[i] = true;
        l->in_flight++;
        return true;
    }
    return false;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct load *l = arg;
    (void)fd;
    (void)what;
    long long now = loop_now_ms();
    if (!l->stopping && now < l->t_stop) {
        /* one start at t0, then rate per second */
        size_t due = (size_t)((double)(now - l->t0) * l->o->rate / 1000.0) + 1;
        while (l->attempted < due && l->in_flight < (size_t)l->o->concurrency && start_one(l))
            ;
        struct timeval tv = {.tv_sec = 0, .tv_usec = LOAD_TICK_MS * 1000};
        evtimer_add(l->tick, &tv);
        return;
    }
    maybe_done(l);
}

static void on_term(void *arg)
{
    struct load *l = arg;
    if (l->stopping) {
        loop_stop(l->loop);
        return;
    }
    fprintf(stderr, "interrupted: waiting for %zu registrations in flight\n", l->in_flight);
    l->stopping = true;
    maybe_done(l);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted v[0..n). */
static double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    return v[rank ? rank - 1 : 0];
}

static void report(struct load *l)
{
    double secs = l->t_last > l->t0 ? (double)(l->t_last - l->t0) / 1000.0 : 0;
    double rps = secs > 0 ? (double)l->succeeded / secs : 0;
    qsort(l->lat, l->succeeded, sizeof(double), cmp_double);
    double p50 = pct(l->lat, l->succeeded, 50), p95 = pct(l->lat, l->succeeded, 95),
           p99 = pct(l->lat, l->succeeded, 99);
    if (l->o->json) {
        printf("{\"subscribers\":%zu,\"rate\":%.3f,\"duration_s\":%.3f,\"concurrency\":%d,"
               "\"attempted\":%zu,\"succeeded\":%zu,\"failed\":%zu,\"failed_by_cause\":{",
               l->n, l->o->rate, secs, l->o->concurrency, l->attempted, l->succeeded, l->failed);
        for (size_t i = 0; i < l->n_causes; i++)
            printf("%s\"%s\":%zu", i ? "," : "", l->causes[i].key, l->causes[i].count);
        printf("},\"registrations_per_s\":%.3f,\"latency_ms\":", rps);
        if (l->succeeded) /* no success, no latency: null rather than a made-up 0 */
            printf("{\"p50\":%.1f,\"p95\":%.1f,\"p99\":%.1f}}\n", p50, p95, p99);
        else
            printf("null}\n");
    } else {
        printf("attempted %zu succeeded %zu failed %zu\n", l->attempted, l->succeeded, l->failed);
        for (size_t i = 0; i < l->n_causes; i++)
            printf("failed %s %zu\n", l->causes[i].key, l->causes[i].count);
        printf("registrations/s %.1f over %.1f s\n", rps, secs);
        if (l->succeeded)
            printf("latency ms p50 %.1f p95 %.1f p99 %.1f\n", p50, p95, p99);
        else
            printf("latency ms none\n");
    }
    fflush(stdout);
}

int ua_load_run(const struct ua_opts *o)
{
    struct load l = {.o = o};
    char err[300];
    int rc, result = UA_EXIT_USAGE;
    size_t max_attempts;

    rc = ua_csv_load(o->subscribers, &l.creds, &l.n, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "imsua: %s\n", err);
        return UA_EXIT_USAGE;
    }
    /* every start before the deadline at most, plus the one at t0 */
    max_attempts = (size_t)(o->rate * o->duration) + 2;
    l.ues = calloc(l.n, sizeof(*l.ues));
    l.busy = calloc(l.n, sizeof(*l.busy));
    l.lat = calloc(max_attempts, sizeof(*l.lat));
    if (!l.ues || !l.busy || !l.lat) {
        fprintf(stderr, "imsua: out of memory\n");
        goto out;
    }
    if ((rc = loop_new(&l.loop)) < 0 || (rc = ua_net_new(l.loop, o, &l.net)) < 0)
        goto out;
    for (; l.n_init < l.n; l.n_init++) {
        char user[32];
        snprintf(user, sizeof(user), "ue%zu", l.n_init);
        if ((rc = ua_ue_init(&l.ues[l.n_init], l.net, &l.creds[l.n_init], user, o->security_client,
                             o->sqn_ms, on_reg, &l)) < 0) {
            ua_ue_fini(&l.ues[l.n_init]);
            goto out;
        }
        l.ues[l.n_init].index = l.n_init;
    }
    l.tick = evtimer_new(loop_base(l.loop), on_tick, &l);
    if (!l.tick || (rc = loop_on_signals(l.loop, on_term, NULL, &l)) < 0)
        goto out;
    l.t0 = loop_now_ms();
    l.t_stop = l.t0 + (long long)(o->duration * 1000.0);
    on_tick(-1, 0, &l);
    loop_run(l.loop);
    report(&l);
    result = l.failed == 0 && l.attempted > 0 ? UA_EXIT_OK : UA_EXIT_REJECT;
out:
    if (result == UA_EXIT_USAGE && rc < 0)
        fprintf(stderr, "imsua: %s\n", strerror(-rc));
    if (l.tick)
        event_free(l.tick);
    for (size_t i = 0; i < l.n_init; i++)
        ua_ue_fini(&l.ues[i]);
    ua_net_free(l.net);
    loop_free(l.loop);
    free(l.ues);
    free(l.busy);
    free(l.lat);
    free(l.creds);
    return result;
}
