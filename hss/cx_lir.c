/*
 * cx_lir.c: Location-Info-Request (I-CSCF -> HSS), TS 29.228 §6.1.4.
 *
 *   unknown identity                         DIAMETER_ERROR_USER_UNKNOWN
 *   REGISTRATION_AND_CAPABILITIES requested  DIAMETER_SUCCESS + capabilities
 *   registered                               DIAMETER_SUCCESS + Server-Name
 *   not registered, with an S-CSCF name kept (unregistered state, a
 *   deregistration that stored the name, or a MAR while authentication is
 *   pending)                                 DIAMETER_UNREGISTERED_SERVICE + Server-Name
 *   not registered, no name, with services for the unregistered state
 *                                            DIAMETER_UNREGISTERED_SERVICE + capabilities
 *   otherwise                                DIAMETER_ERROR_IDENTITY_NOT_REGISTERED
 *
 * Answering the kept name (rather than IDENTITY_NOT_REGISTERED) after a MAR
 * alone is what FHoSS-style HSSs do: the S-CSCF that authenticated the user
 * then fetches the profile with SAR UNREGISTERED_USER.
 */
#include "hss_context.h"
#include "hss_cx.h"

#include "log/log.h"

#include <string.h>

int hss_on_lir(const struct cx_lir *req, struct cx_lia *ans, void *arg)
{
    struct store *st = hss_store();
    const char *impu = hss_str(req->public_identity);
    struct store_impu rec;
    int rc;

    if (!st)
        return -EIO;
    rc = store_impu_get(st, impu, &rec);
    if (rc) {
        log_info("LIR %s: %s", impu, store_errmsg(st));
        return hss_lookup_result(rc, &ans->result);
    }
    if (req->auth_type == CX_UAT_REGISTRATION_AND_CAPABILITIES) {
        ans->result.result_code = CX_DIAMETER_SUCCESS;
        return hss_caps_fill(&ans->caps);
    }
    if (rec.state == STORE_REGISTERED && rec.scscf[0]) {
        ans->result.result_code = CX_DIAMETER_SUCCESS;
    } else if (rec.scscf[0]) {
        ans->result.exp_result = CX_DIAMETER_UNREGISTERED_SERVICE;
    } else if (hss_profile_has_unreg_services(st, rec.profile_id)) {
        ans->result.exp_result = CX_DIAMETER_UNREGISTERED_SERVICE;
        return hss_caps_fill(&ans->caps);
    } else {
        ans->result.exp_result = CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED;
        return 0;
    }
    ans->server_name = strdup(rec.scscf);
    return ans->server_name ? 0 : -ENOMEM;
}
