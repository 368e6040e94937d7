/*
 * scscf_metrics.h: the S-CSCF's Prometheus metrics (docs/metrics.md): SIP
 * counters and REGISTER latency (counted by common/sipstack), registration
 * records in state REGISTERED and reg event subscriptions (gauges read at
 * scrape time), authentication failures by cause, Cx requests sent (MAR, SAR)
 * and served (RTR, PPR) with their answers by result.
 */
#ifndef IMSCORE_SCSCF_METRICS_H
#define IMSCORE_SCSCF_METRICS_H

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "loop/loop.h"
#include "metrics/metrics.h"

/*
 * Creates the registry, hooks the gauges to the registrar and the reg event
 * package, and unless metrics.port is 0 serves it over HTTP on loop. Call on
 * the loop thread before sipstack_new(). Returns 0 or a negative errno
 * (logged); on error nothing is left running.
 */
int scscf_metrics_start(struct loop *loop, const struct cfg *c);

/* Stops the endpoint and frees the registry; after sipstack_free(). Safe when never started. */
void scscf_metrics_stop(void);

/*
 * The families (owned by the registry), or NULL before scscf_metrics_start()
 * and after scscf_metrics_stop(); the metrics_ims_* helpers accept NULL.
 */
const struct metrics_ims *scscf_ims(void);

/*
 * Counts the answer of a Cx request command ("MAR", ...): status and r as
 * given to a cx_*_cb (status != 0 with r NULL counts as "timeout"; an error
 * answer with r counts its Result-Code). For RTR/PPR served, pass status 0
 * and the result sent.
 */
void scscf_metrics_cx_answer(const char *command, int status, const struct cx_result *r);

#endif
