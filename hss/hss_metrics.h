/*
 * hss_metrics.h: the HSS's Prometheus metrics (docs/metrics.md): Cx requests
 * served and sent, and their answers by result.
 */
#ifndef IMSCORE_HSS_METRICS_H
#define IMSCORE_HSS_METRICS_H

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "loop/loop.h"
#include "metrics/metrics.h"

/*
 * Creates the registry and, unless metrics.port is 0, serves it over HTTP on
 * loop. Returns 0 or a negative errno (logged).
 */
int hss_metrics_start(struct loop *loop, const struct cfg *c);

/* Stops the endpoint and frees the registry. Safe when never started. */
void hss_metrics_stop(void);

/* The families, for the RTR/PPR senders; NULL-safe helpers accept NULL. */
const struct metrics_ims *hss_ims(void);

/*
 * Replaces the handlers of h by wrappers that count each request and the
 * result of its answer (a handler error counts as DIAMETER_UNABLE_TO_COMPLY)
 * before and after calling the original ones. Call once, before
 * cx_register_server(h).
 */
void hss_metrics_wrap(struct cx_server_handlers *h);

/* Counts the answer of a Cx request (r NULL or status != 0: counted as "timeout"). */
void hss_metrics_answer(const char *command, int status, const struct cx_result *r);

#endif
