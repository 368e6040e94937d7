/*
 * pcscf_metrics.h: the P-CSCF's Prometheus metrics (docs/metrics.md): SIP
 * counters and REGISTER latency (counted by common/sipstack), registered UEs
 * and the P-CSCF's own reg event subscriptions (gauges read at scrape time),
 * and authentication failures ("sec_verify_mismatch": a protected REGISTER
 * whose Security-Verify differs from the Security-Server we sent).
 */
#ifndef IMSCORE_PCSCF_METRICS_H
#define IMSCORE_PCSCF_METRICS_H

#include "cfg/cfg.h"
#include "loop/loop.h"
#include "metrics/metrics.h"

/*
 * Creates the registry, hooks the gauges to the UE registry, and unless
 * metrics.port is 0 serves it over HTTP on loop. Call on the loop thread
 * before sipstack_new(). Returns 0 or a negative errno (logged); on error
 * nothing is left running.
 */
int pcscf_metrics_start(struct loop *loop, const struct cfg *c);

/* Stops the endpoint and frees the registry; after sipstack_free(). Safe when never started. */
void pcscf_metrics_stop(void);

/*
 * The families (owned by the registry), or NULL before pcscf_metrics_start()
 * and after pcscf_metrics_stop(); the metrics_ims_* helpers accept NULL.
 */
const struct metrics_ims *pcscf_ims(void);

#endif
