/*
 * icscf_metrics.h: the I-CSCF's Prometheus metrics (docs/metrics.md): SIP
 * counters and REGISTER latency (counted by common/sipstack), and the Cx
 * requests it sends (UAR, LIR) with their answers by result.
 */
#ifndef IMSCORE_ICSCF_METRICS_H
#define IMSCORE_ICSCF_METRICS_H

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "loop/loop.h"
#include "metrics/metrics.h"

/*
 * Creates the registry and, unless metrics.port is 0, serves it over HTTP on
 * loop. Call on the loop thread before sipstack_new(). Returns 0 or a
 * negative errno (logged); on error nothing is left running.
 */
int icscf_metrics_start(struct loop *loop, const struct cfg *c);

/* Stops the endpoint and frees the registry; after sipstack_free(). Safe when never started. */
void icscf_metrics_stop(void);

/*
 * The families (owned by the registry), or NULL before icscf_metrics_start()
 * and after icscf_metrics_stop(); the metrics_ims_* helpers accept NULL.
 */
const struct metrics_ims *icscf_ims(void);

/*
 * Counts the answer of a Cx request command ("UAR", "LIR"): status and r as
 * given to a cx_*_cb (status != 0 with r NULL counts as "timeout"; an error
 * answer with r counts its Result-Code).
 */
void icscf_metrics_cx_answer(const char *command, int status, const struct cx_result *r);

#endif
