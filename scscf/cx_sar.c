/*
 * cx_sar.c: the S-CSCF's Server-Assignment path (TS 29.228 §6.1.2). The
 * context id carries the server transaction id and the assignment type:
 * ctx = txn_id << 4 | sat (enum cx_sat fits in 4 bits).
 */
#include "registrar.h"
#include "scscf_context.h"
#include "scscf_metrics.h"

#include "cx/cx.h"
#include "log/log.h"

#include <errno.h>
#include <string.h>

static void on_saa(uint64_t ctx_id, int status, const struct cx_saa *ans)
{
    scscf_metrics_cx_answer("SAR", status, ans ? &ans->result : NULL);
    scscf_register_on_saa(ctx_id >> 4, (int)(ctx_id & 0xf), status, ans);
    log_trace_set(NULL); /* the continuation set the REGISTER's trace id */
}

int scscf_cx_sar(uint64_t txn_id, const char *impi, const char *impu, int sat)
{
    struct scscf_context *s = scscf_self();
    char *ids[1] = {(char *)impu};
    struct cx_sar sar;
    int rc;

    if (sat < 0 || sat > 15 || txn_id > (UINT64_MAX >> 4))
        return -EINVAL;
    memset(&sar, 0, sizeof(sar));
    sar.hdr.dest_realm = (char *)s->hss_realm;
    sar.hdr.dest_host = (char *)s->hss_identity;
    sar.user_name = (char *)impi;
    sar.public_identities.v = ids;
    sar.public_identities.n = 1;
    sar.server_name = (char *)s->server_name;
    sar.server_assignment_type = sat;
    sar.user_data_already_available = CX_USER_DATA_NOT_AVAILABLE;
    rc = cx_send_sar(s->loop, &sar, on_saa, txn_id << 4 | (uint64_t)sat, s->cx_timeout_ms);
    if (rc)
        log_warn("scscf: SAR for %s not sent: %s", impi, strerror(-rc));
    else
        metrics_ims_cx_request(scscf_ims(), "SAR");
    if (rc == 0)
        log_info("scscf: SAR %s %s type %d", impi, impu, sat);
    return rc;
}
