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
    icscf_cx_route_answer(st_id, true, status, ans ? &ans->result : NULL,
                          ans ? ans->server_name : NULL, ans ? &ans->caps : NULL, NULL);
    log_trace_set(NULL); /* set from the request by icscf_cx_route_answer() */
}
