/*
 * cx_route.c: what the I-CSCF does with a UAA (REGISTER) or an LIA (other
 * initial requests): answer the UE, send to the S-CSCF the HSS names, or
 * select one by capabilities (TS 24.229 §5.3.1.2, §5.3.2.1). After a
 * re-selection (reselect.c) the S-CSCF that failed is left out (§5.3.1.3).
 */
#include "icscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"

/* Removes the entry named exclude from order[n]; returns the new count. */
static size_t drop_excluded(const struct icscf_context *ic, size_t *order, size_t n,
                            const char *exclude)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (!exclude || icscf_scscf_find(&ic->scscfs[order[i]], 1, exclude) != 0)
            order[k++] = order[i];
    return k;
}

void icscf_cx_route_answer(uint64_t st_id, bool lir, int status, const struct cx_result *result,
                           const char *server_name, const struct cx_caps *caps, const char *exclude)
{
    struct icscf_context *ic = icscf_self();
    struct txn_server *st = ic->sip ? txn_server_lookup(sipstack_txn(ic->sip), st_id) : NULL;
    const char *cmd = lir ? "LIA" : "UAA";
    bool has_name = server_name && server_name[0];
    struct icscf_reply rep;
    size_t order[ICSCF_MAX_SCSCFS];
    size_t n;
    int idx;

    if (!st) {
        log_info("icscf: %s for a request that is gone (id %llu)", cmd, (unsigned long long)st_id);
        return;
    }
    sip_log_trace(txn_server_request(st)); /* cleared by the Cx callback */
    /* A re-selection never goes back to the S-CSCF that failed, even when named. */
    idx = has_name ? icscf_scscf_find(ic->scscfs, ic->n_scscfs, server_name) : -1;
    if (idx >= 0 && exclude && idx == icscf_scscf_find(ic->scscfs, ic->n_scscfs, exclude)) {
        log_info("icscf: %s names %s again, which failed: selecting by capabilities", cmd,
                 server_name);
        has_name = false;
    }
    switch (icscf_cx_route(lir, status, result, has_name, ic->hss_fail_code, &rep)) {
    case ICSCF_ROUTE_REPLY:
        log_info("icscf: %s status %d result %u/%u: %d %s", cmd, status,
                 result ? result->result_code : 0, result ? result->exp_result : 0, rep.code,
                 rep.reason);
        icscf_reply(st, rep.code, rep.reason, rep.retry_after);
        return;
    case ICSCF_ROUTE_SERVER_NAME:
        idx = icscf_scscf_find(ic->scscfs, ic->n_scscfs, server_name);
        if (idx < 0) {
            log_warn("icscf: %s Server-Name %s is not in the S-CSCF list", cmd, server_name);
            icscf_reply(st, 500, "Server Internal Error - Unknown S-CSCF", false);
            return;
        }
        log_info("icscf: %s Server-Name %s", cmd, server_name);
        order[0] = (size_t)idx;
        /* No capabilities were asked for: if it fails, a REGISTER asks for them (§5.3.1.3). */
        icscf_forward(st, order, 1, lir, !lir && !exclude);
        return;
    case ICSCF_ROUTE_SELECT:
        n = icscf_scscf_rank(ic->scscfs, ic->n_scscfs, caps, order, ICSCF_MAX_SCSCFS);
        n = drop_excluded(ic, order, n, exclude);
        if (n == 0 && exclude) {
            log_warn("icscf: no capable S-CSCF left besides %s, which failed", exclude);
            icscf_reply(st, 504, "Server Time-out", false);
            return;
        }
        if (n == 0) {
            log_warn("icscf: no configured S-CSCF has the capabilities required");
            icscf_reply(st, 600, "Busy Everywhere", false);
            return;
        }
        log_info("icscf: %s: %zu capable S-CSCF(s), first %s", cmd, n, ic->scscfs[order[0]].name);
        icscf_forward(st, order, n, lir, false);
        return;
    }
}
