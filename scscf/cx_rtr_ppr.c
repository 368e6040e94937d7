/*
 * cx_rtr_ppr.c: RTR and PPR from the HSS.
 */
#include "cx_rtr_ppr.h"

#include "reg_event.h"
#include "reg_store.h"
#include "regs.h"
#include "scscf_metrics.h"
#include "third_party_reg.h"

#include "cx/cx.h"
#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when the RTR names r: by IMPI (User-Name or Associated-Identities) or by IMPU. */
static bool rtr_names(const struct cx_rtr *req, const struct scscf_reg *r)
{
    if (req->public_identities.n) {
        for (size_t i = 0; i < req->public_identities.n; i++)
            if (strcmp(r->impi, req->user_name) == 0 &&
                regs_has_impu(r, req->public_identities.v[i]))
                return true;
        return false;
    }
    if (strcmp(r->impi, req->user_name) == 0)
        return true;
    for (size_t i = 0; i < req->associated_identities.n; i++)
        if (strcmp(r->impi, req->associated_identities.v[i]) == 0)
            return true;
    return false;
}

static void on_rtr(struct cx_incoming *in, const struct cx_rtr *req, void *arg)
{
    struct cx_rta ans;
    unsigned n = 0;

    metrics_ims_cx_request(scscf_ims(), "RTR");
    for (struct scscf_reg *r = regs_first(), *next; r; r = next) {
        next = r->next;
        if (!rtr_names(req, r))
            continue;
        log_notice("scscf: RTR from the HSS de-registers %s (reason %d)", r->impi,
                   req->reason_code);
        /* TS 24.229 §5.4.1.5: contacts "rejected" when the user may not re-register
         * (PERMANENT_TERMINATION), else "deactivated"; subscriptions terminated. */
        for (size_t i = 0; i < r->n_contacts; i++) {
            if (!r->contacts[i].active)
                continue;
            r->contacts[i].active = false;
            r->contacts[i].event = req->reason_code == CX_REASON_PERMANENT_TERMINATION
                                       ? SCSCF_EV_REJECTED
                                       : SCSCF_EV_DEACTIVATED;
        }
        r->state = SCSCF_REG_NOT_REGISTERED;
        scscf_reg_event_notify(r);
        reg_store_del_reg(r);
        scscf_third_party_register(r, r->impus[0], SCSCF_3PR_DE, NULL);
        regs_free(r);
        n++;
    }
    memset(&ans, 0, sizeof(ans));
    ans.result.result_code = CX_DIAMETER_SUCCESS;
    if (n == 0)
        log_info("scscf: RTR for %s: nothing registered", req->user_name);
    scscf_metrics_cx_answer("RTR", 0, &ans.result);
    cx_answer_rtr(&in, &ans);
}

/*
 * The implicit registration set of r with the barring of each identity, as one
 * string (malloc'ed, NULL when out of memory), to see whether a PPR changed it.
 */
static char *set_signature(const struct scscf_reg *r)
{
    size_t len = 1;
    char *sig, *p;

    for (size_t i = 0; i < r->n_impus; i++)
        len += strlen(r->impus[i]) + 3;
    if (!(sig = malloc(len)))
        return NULL;
    p = sig;
    for (size_t i = 0; i < r->n_impus; i++)
        p += sprintf(p, "%s%c\n", r->impus[i], regs_is_barred(r, r->impus[i]) ? 'b' : '-');
    *p = '\0';
    return sig;
}

static void on_ppr(struct cx_incoming *in, const struct cx_ppr *req, void *arg)
{
    struct cx_ppa ans;

    metrics_ims_cx_request(scscf_ims(), "PPR");
    memset(&ans, 0, sizeof(ans));
    ans.result.result_code = CX_DIAMETER_SUCCESS;
    if (req->user_data && req->user_name) {
        for (struct scscf_reg *r = regs_first(); r; r = r->next) {
            char *before, *after;
            if (strcmp(r->impi, req->user_name) != 0)
                continue;
            before = set_signature(r);
            if (regs_set_user_data(r, req->user_data, r->impus[0]) != 0) {
                ans.result.result_code = CX_DIAMETER_UNABLE_TO_COMPLY;
                log_warn("scscf: PPR user data for %s rejected", r->impi);
                free(before);
                continue;
            }
            after = set_signature(r);
            reg_store_put_reg(r);
            /* TS 24.229 §5.4.2.1.2: the watchers learn a changed implicit set. */
            if (!before || !after || strcmp(before, after) != 0) {
                log_notice("scscf: PPR changed the implicit registration set of %s", r->impi);
                scscf_reg_event_notify(r);
            } else {
                log_notice("scscf: PPR replaced the profile of %s", r->impi);
            }
            free(before);
            free(after);
        }
    }
    scscf_metrics_cx_answer("PPR", 0, &ans.result);
    cx_answer_ppr(&in, &ans);
}

int scscf_cx_serve(struct loop *loop)
{
    int rc = cx_serve_rtr(loop, on_rtr, NULL);

    if (rc == 0)
        rc = cx_serve_ppr(loop, on_ppr, NULL);
    if (rc)
        log_error("scscf: cannot serve RTR/PPR: %s", strerror(-rc));
    return rc;
}
