/*
 * cx_lir.c: the LIR of an initial request other than REGISTER (TS 29.228
 * §6.1.4), terminating case. The answer comes back on the loop with the
 * server transaction's id.
 */
#include "icscf_context.h"
#include "icscf_metrics.h"

#include "log/log.h"
#include "txn/txn.h"

#include <errno.h>
#include <string.h>

static void on_lia(uint64_t ctx_id, int status, const struct cx_lia *ans)
{
    icscf_metrics_cx_answer("LIR", status, ans ? &ans->result : NULL);
    icscf_initial_on_lia(ctx_id, status, ans);
}

int icscf_cx_lir_send(struct txn_server *st, const char *impu)
{
    struct icscf_context *ic = icscf_self();
    struct cx_lir lir;
    int rc;

    memset(&lir, 0, sizeof(lir));
    lir.hdr.dest_realm = (char *)ic->hss_realm;
    lir.hdr.dest_host = (char *)ic->hss_host;
    lir.public_identity = (char *)impu;
    lir.originating_request = -1;
    lir.auth_type = -1;
    lir.session_priority = -1;
    rc = cx_send_lir(ic->loop, &lir, on_lia, txn_server_id(st), ic->hss_timeout_ms);
    if (rc)
        log_warn("icscf: LIR for %s not sent: %s", impu, strerror(-rc));
    else
        metrics_ims_cx_request(icscf_ims(), "LIR");
    if (rc == 0)
        log_info("icscf: LIR impu=%s", impu);
    return rc;
}
