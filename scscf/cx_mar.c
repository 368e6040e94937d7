/*
 * cx_mar.c: the S-CSCF's Multimedia-Auth path (TS 29.228 §6.3): asks the HSS
 * for authentication vectors, or resynchronises SQN with RAND||AUTS.
 */
#include "registrar.h"
#include "scscf_context.h"
#include "scscf_metrics.h"

#include "cx/cx.h"
#include "log/log.h"

#include <errno.h>
#include <string.h>

static void on_maa(uint64_t ctx_id, int status, const struct cx_maa *ans)
{
    scscf_metrics_cx_answer("MAR", status, ans ? &ans->result : NULL);
    scscf_register_on_maa(ctx_id, status, ans);
    log_trace_set(NULL); /* the continuation set the REGISTER's trace id */
}

int scscf_cx_mar(uint64_t txn_id, const char *impi, const char *impu, const uint8_t *rand_auts,
                 size_t rand_auts_len)
{
    struct scscf_context *s = scscf_self();
    struct cx_mar mar;
    int rc;

    memset(&mar, 0, sizeof(mar));
    mar.hdr.dest_realm = (char *)s->hss_realm;
    mar.hdr.dest_host = (char *)s->hss_identity;
    mar.user_name = (char *)impi;
    mar.public_identity = (char *)impu;
    mar.server_name = (char *)s->server_name;
    mar.num_auth_items = s->auth_vectors;
    /* "Unknown": the HSS answers with the subscriber's own scheme (AKA or SIP Digest). */
    mar.auth.scheme = rand_auts ? "Digest-AKAv1-MD5" : "Unknown";
    if (rand_auts) {
        mar.auth.sip_authorization.data = (uint8_t *)rand_auts;
        mar.auth.sip_authorization.len = rand_auts_len;
    }
    rc = cx_send_mar(s->loop, &mar, on_maa, txn_id, s->cx_timeout_ms);
    if (rc)
        log_warn("scscf: MAR for %s not sent: %s", impi, strerror(-rc));
    else
        metrics_ims_cx_request(scscf_ims(), "MAR");
    if (rc == 0)
        log_info("scscf: MAR %s %s%s", impi, impu, rand_auts ? " (resync)" : "");
    return rc;
}
