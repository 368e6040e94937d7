/*
 * initial_request.c: requests other than REGISTER at the I-CSCF (TS 24.229
 * §5.3.2.1): an initial request for a public identity gets an LIR and goes to
 * the serving S-CSCF, named in a Route; unknown identities get 404,
 * unregistered ones without unregistered services 480.
 */
#include "icscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "txn/txn.h"

#include <errno.h>
#include <string.h>

void icscf_initial_request(struct txn_server *st, const osip_message_t *req)
{
    struct icscf_context *ic = icscf_self();
    char ruri[SIP_URI_MAX], impu[SIP_URI_MAX];
    osip_generic_param_t *tag = NULL;

    if (sip_msg_is_method(req, "ACK")) {
        txn_server_release(st);
        return;
    }
    if (sip_msg_is_method(req, "CANCEL")) {
        /* We forward INVITEs only after an LIR: a CANCEL before it stops nothing downstream. */
        icscf_reply(st, txn_server_find_invite(sipstack_txn(ic->sip), req) ? 200 : 481, NULL,
                    false);
        return;
    }
    if (req->to && osip_to_get_tag((osip_to_t *)req->to, &tag) == 0 && tag) {
        icscf_reply(st, 403, "Forbidden - In-dialog request at the I-CSCF", false);
        return;
    }
    if (!req->req_uri || sip_uri_to_buf(req->req_uri, ruri, sizeof(ruri)) != 0 ||
        sip_uri_aor(ruri, impu, sizeof(impu)) != 0) {
        icscf_reply(st, 416, NULL, false);
        return;
    }
    if (icscf_cx_lir_send(st, impu) != 0)
        icscf_reply(st, ic->hss_fail_code, NULL, true);
}

void icscf_initial_on_lia(uint64_t st_id, int status, const struct cx_lia *ans)
{
    struct icscf_context *ic = icscf_self();
    struct txn_server *st = ic->sip ? txn_server_lookup(sipstack_txn(ic->sip), st_id) : NULL;
    struct icscf_reply rep;
    size_t order[ICSCF_MAX_SCSCFS];
    size_t n;
    int idx;
    bool has_name = ans && ans->server_name && ans->server_name[0];

    if (!st) {
        log_info("icscf: LIA for a request that is gone (id %llu)", (unsigned long long)st_id);
        return;
    }
    switch (icscf_cx_route(true, status, ans ? &ans->result : NULL, has_name, ic->hss_fail_code,
                           &rep)) {
    case ICSCF_ROUTE_REPLY:
        log_info("icscf: LIA status %d result %u/%u: %d %s", status,
                 ans ? ans->result.result_code : 0, ans ? ans->result.exp_result : 0, rep.code,
                 rep.reason);
        icscf_reply(st, rep.code, rep.reason, rep.retry_after);
        return;
    case ICSCF_ROUTE_SERVER_NAME:
        idx = icscf_scscf_find(ic->scscfs, ic->n_scscfs, ans->server_name);
        if (idx < 0) {
            log_warn("icscf: LIA Server-Name %s is not in the S-CSCF list", ans->server_name);
            icscf_reply(st, 500, "Server Internal Error - Unknown S-CSCF", false);
            return;
        }
        order[0] = (size_t)idx;
        icscf_forward(st, order, 1, true);
        return;
    case ICSCF_ROUTE_SELECT:
        n = icscf_scscf_rank(ic->scscfs, ic->n_scscfs, &ans->caps, order, ICSCF_MAX_SCSCFS);
        if (n == 0) {
            icscf_reply(st, 600, "Busy Everywhere", false);
            return;
        }
        icscf_forward(st, order, n, true);
        return;
    }
}
