/*
 * cx_uar.c: the UAR of a REGISTER (TS 29.228 §6.1.1). The answer comes back
 * on the loop with the server transaction's id, never its pointer.
 */
#include "icscf_context.h"

#include "log/log.h"
#include "txn/txn.h"

#include <errno.h>
#include <string.h>

static void on_uaa(uint64_t ctx_id, int status, const struct cx_uaa *ans)
{
    icscf_register_on_uaa(ctx_id, status, ans);
}

int icscf_cx_uar_send(struct txn_server *st, const char *impi, const char *impu,
                      const char *visited, bool deregistration)
{
    struct icscf_context *ic = icscf_self();
    struct cx_uar uar;
    int rc;

    memset(&uar, 0, sizeof(uar));
    /* The struct only borrows these strings: cx_send_uar() copies what it sends. */
    uar.hdr.dest_realm = (char *)ic->hss_realm;
    uar.hdr.dest_host = (char *)ic->hss_host;
    uar.user_name = (char *)impi;
    uar.public_identity = (char *)impu;
    uar.visited_network_id.data = (uint8_t *)visited;
    uar.visited_network_id.len = strlen(visited);
    uar.auth_type = deregistration ? CX_UAT_DE_REGISTRATION : CX_UAT_REGISTRATION;
    rc = cx_send_uar(ic->loop, &uar, on_uaa, txn_server_id(st), ic->hss_timeout_ms);
    if (rc)
        log_warn("icscf: UAR for %s/%s not sent: %s", impi, impu, strerror(-rc));
    else
        log_info("icscf: UAR %s impi=%s impu=%s visited=%s",
                 deregistration ? "DE_REGISTRATION" : "REGISTRATION", impi, impu, visited);
    return rc;
}
