/*
 * register.c: REGISTER at the I-CSCF (TS 24.229 §5.3.1.2): UAR with the IMPI
 * (Authorization username, else derived from the IMPU), the IMPU (To), the
 * Visited-Network-Identifier (P-Visited-Network-ID) and REGISTRATION or
 * DE_REGISTRATION (every Contact expires 0); then forward to the Server-Name
 * (SUBSEQUENT) or to the best capable S-CSCF of the configuration (FIRST),
 * failing over to the next capable one (forward.c). When the S-CSCF the HSS
 * named fails, reselect.c asks again with REGISTRATION_AND_CAPABILITIES.
 */
#include "icscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "txn/txn.h"

#include <errno.h>
#include <string.h>

/* True when the REGISTER removes every binding it names (Expires 0 / Contact: *). */
static bool is_deregistration(const osip_message_t *req)
{
    uint32_t e;
    int n = osip_list_size(&req->contacts);

    if (sip_contact_is_star(req))
        return true;
    if (n <= 0)
        return false; /* a query of the bindings */
    for (int i = 0; i < n; i++) {
        const osip_contact_t *c = osip_list_get(&req->contacts, i);
        if (sip_contact_expires(req, c, 3600, 0, &e) != 0 || e != 0)
            return false;
    }
    return true;
}

static void set_reply(struct icscf_reply *rep, int code, const char *reason)
{
    rep->code = code;
    rep->reason = reason;
    rep->retry_after = false;
}

int icscf_register_ids(const osip_message_t *req, struct icscf_reg_ids *ids,
                       struct icscf_reply *rep)
{
    struct icscf_context *ic = icscf_self();
    struct sip_auth_credentials cr;
    char tobuf[SIP_URI_MAX], why[128];
    int rc;

    memset(ids, 0, sizeof(*ids));
    if (!req->to || !req->to->url || sip_uri_to_buf(req->to->url, tobuf, sizeof(tobuf)) != 0 ||
        sip_uri_aor(tobuf, ids->impu, sizeof(ids->impu)) != 0) {
        set_reply(rep, 400, "Bad To");
        return -EINVAL;
    }
    /* The S-CSCF authenticates: an Authorization we cannot read only loses its username. */
    rc = sip_auth_credentials_get(req, false, 0, &cr, why, sizeof(why));
    if (rc != 0 && rc != -ENOENT)
        log_notice("icscf: REGISTER %s: unreadable Authorization (%s): IMPI derived", ids->impu,
                   why);
    if (rc == 0 && cr.username[0]) {
        snprintf(ids->impi, sizeof(ids->impi), "%s", cr.username);
    } else if (icscf_impi_derive(ids->impu, ids->impi, sizeof(ids->impi)) != 0) {
        log_info("icscf: REGISTER %s: no private identity can be derived", ids->impu);
        set_reply(rep, 403, "Forbidden - No Private Identity");
        return -EINVAL;
    }
    rc = sip_pvni_get(req, 0, ids->visited, sizeof(ids->visited));
    if (rc == -ENOENT) {
        snprintf(ids->visited, sizeof(ids->visited), "%s", ic->home_network);
    } else if (rc != 0) {
        set_reply(rep, 400, "Bad P-Visited-Network-ID");
        return -EINVAL;
    }
    ids->deregistration = is_deregistration(req);
    return 0;
}

void icscf_register(struct txn_server *st, const osip_message_t *req)
{
    struct icscf_context *ic = icscf_self();
    struct icscf_reg_ids ids;
    struct icscf_reply rep;

    if (icscf_register_ids(req, &ids, &rep) != 0) {
        icscf_reply(st, rep.code, rep.reason, rep.retry_after);
        return;
    }
    if (icscf_cx_uar_send(st, &ids,
                          ids.deregistration ? CX_UAT_DE_REGISTRATION : CX_UAT_REGISTRATION) != 0)
        icscf_reply(st, ic->hss_fail_code, NULL, true);
}

void icscf_register_on_uaa(uint64_t st_id, int status, const struct cx_uaa *ans)
{
    icscf_cx_route_answer(st_id, false, status, ans ? &ans->result : NULL,
                          ans ? ans->server_name : NULL, ans ? &ans->caps : NULL, NULL);
    log_trace_set(NULL); /* set from the request by icscf_cx_route_answer() */
}
