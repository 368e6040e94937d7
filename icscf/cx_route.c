/*
 * cx_route.c: what the I-CSCF does with a UAA (REGISTER) or an LIA (other
 * initial requests): answer the UE, send to the S-CSCF the HSS names, or
 * select one by capabilities (TS 24.229 §5.3.1.2, §5.3.2.1).
 */
#include "icscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"

void icscf_cx_route_answer(uint64_t st_id, bool lir, int status, const struct cx_result *result,
                           const char *server_name, const struct cx_caps *caps)
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
        icscf_forward(st, order, 1, lir);
        return;
    case ICSCF_ROUTE_SELECT:
        n = icscf_scscf_rank(ic->scscfs, ic->n_scscfs, caps, order, ICSCF_MAX_SCSCFS);
        if (n == 0) {
            log_warn("icscf: no configured S-CSCF has the capabilities required");
            icscf_reply(st, 600, "Busy Everywhere", false);
            return;
        }
        log_info("icscf: %s: %zu capable S-CSCF(s), first %s", cmd, n, ic->scscfs[order[0]].name);
        icscf_forward(st, order, n, lir);
        return;
    }
}
