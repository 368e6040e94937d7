/*
 * metrics_daemon.c: start and stop of a daemon's metrics (metrics.h), the
 * part the four daemons had each written out.
 */
#include "metrics/metrics.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>

void metrics_ims_cx_result(const struct metrics_ims *ims, const char *command, unsigned result_code,
                           unsigned exp_result)
{
    if (exp_result)
        metrics_ims_cx_answer(ims, command, exp_result, true);
    else
        metrics_ims_cx_answer(ims, command, result_code, false);
}

int metrics_daemon_start(struct metrics_daemon *d, struct event_base *base, const struct cfg *c,
                         const char *name, metrics_gauge_fn registrations,
                         metrics_gauge_fn subscriptions)
{
    int rc = metrics_cfg_check(c);

    memset(d, 0, sizeof(*d));
    if (rc == 0)
        rc = metrics_new(&d->registry);
    if (rc == 0)
        rc = metrics_ims_register(d->registry, &d->ims);
    if (rc == 0 && registrations)
        rc = metrics_gauge_set_fn(d->ims.registrations, registrations, NULL);
    if (rc == 0 && subscriptions)
        rc = metrics_gauge_set_fn(d->ims.subscriptions, subscriptions, NULL);
    if (rc == 0)
        rc = metrics_http_start_cfg(d->registry, base, c, &d->http);
    if (rc) {
        log_error("%s: metrics: %s", name, strerror(-rc));
        metrics_daemon_stop(d);
        return rc;
    }
    d->ready = true;
    if (d->http)
        log_info("%s: metrics on http://%s:%u/metrics", name, cfg_str(c, "metrics.listen"),
                 (unsigned)metrics_http_port(d->http));
    return 0;
}

void metrics_daemon_stop(struct metrics_daemon *d)
{
    d->ready = false;
    metrics_http_free(d->http);
    metrics_free(d->registry);
    memset(d, 0, sizeof(*d));
}

const struct metrics_ims *metrics_daemon_ims(const struct metrics_daemon *d)
{
    return d->ready ? &d->ims : NULL;
}
