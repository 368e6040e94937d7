/*
 * cx_uar.c: the UAR of a REGISTER (TS 29.228 §6.1.1). The answer comes back
 * on the loop with the server transaction's id, never its pointer.
 */
#include "icscf_context.h"
#include "icscf_metrics.h"

#include "log/log.h"
#include "txn/txn.h"

#include <errno.h>
#include <string.h>

static void on_uaa(uint64_t ctx_id, int status, const struct cx_uaa *ans)
{
    icscf_metrics_cx_answer("UAR", status, ans ? &ans->result : NULL);
    icscf_register_on_uaa(ctx_id, status, ans);
}

static void on_uaa_capabilities(uint64_t ctx_id, int status, const struct cx_uaa *ans)
{
    icscf_metrics_cx_answer("UAR", status, ans ? &ans->result : NULL);
    icscf_reselect_on_uaa(ctx_id, status, ans);
}

static const char *uat_name(int t)
{
    switch (t) {
    case CX_UAT_REGISTRATION:
        return "REGISTRATION";
    case CX_UAT_DE_REGISTRATION:
        return "DE_REGISTRATION";
    case CX_UAT_REGISTRATION_AND_CAPABILITIES:
        return "REGISTRATION_AND_CAPABILITIES";
    default:
        return "?";
    }
}

int icscf_cx_uar_send(struct txn_server *st, const struct icscf_reg_ids *ids, int auth_type)
{
    struct icscf_context *ic = icscf_self();
    struct cx_uar uar;
    int rc;

    if (auth_type < CX_UAT_REGISTRATION || auth_type > CX_UAT_REGISTRATION_AND_CAPABILITIES)
        return -EINVAL;
    memset(&uar, 0, sizeof(uar));
    /* The struct only borrows these strings: cx_send_uar() copies what it sends. */
    uar.hdr.dest_realm = (char *)ic->hss_realm;
    uar.hdr.dest_host = (char *)ic->hss_host;
    uar.user_name = (char *)ids->impi;
    uar.public_identity = (char *)ids->impu;
    uar.visited_network_id.data = (uint8_t *)ids->visited;
    uar.visited_network_id.len = strlen(ids->visited);
    uar.auth_type = auth_type;
    rc = cx_send_uar(ic->loop, &uar,
                     auth_type == CX_UAT_REGISTRATION_AND_CAPABILITIES ? on_uaa_capabilities
                                                                       : on_uaa,
                     txn_server_id(st), ic->hss_timeout_ms);
    if (rc)
        log_warn("icscf: UAR for %s/%s not sent: %s", ids->impi, ids->impu, strerror(-rc));
    else
        metrics_ims_cx_request(icscf_ims(), "UAR");
    if (rc == 0)
        log_info("icscf: UAR %s impi=%s impu=%s visited=%s", uat_name(auth_type), ids->impi,
                 ids->impu, ids->visited);
    return rc;
}
