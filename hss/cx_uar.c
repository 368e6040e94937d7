/*
 * cx_uar.c: User-Authorization-Request (I-CSCF -> HSS), TS 29.228 §6.1.1.
 *
 * In order: both identities exist (USER_UNKNOWN) and belong together
 * (IDENTITIES_DONT_MATCH); for a registration, the identity is not barred
 * unless another identity of its implicit set is not (AUTHORIZATION_REJECTED)
 * and the visited network is allowed (ROAMING_NOT_ALLOWED); then:
 *   REGISTRATION:  registered or unregistered -> SUBSEQUENT_REGISTRATION with
 *                  the S-CSCF; not registered -> FIRST_REGISTRATION with the
 *                  S-CSCF name still stored (or the preferred one), else
 *                  with Server-Capabilities;
 *   REGISTRATION_AND_CAPABILITIES: FIRST_REGISTRATION with capabilities;
 *   DE_REGISTRATION: an S-CSCF serves the identity -> DIAMETER_SUCCESS with
 *                  its name; otherwise IDENTITY_NOT_REGISTERED.
 */
#include "hss_context.h"
#include "hss_cx.h"

#include "log/log.h"

#include <stdlib.h>
#include <string.h>

/* True when every identity of the implicit set of impu is barred. */
static int irs_all_barred(struct store *st, const char *impu, bool *all)
{
    struct store_impu *set = NULL;
    size_t n = 0;
    int rc = store_irs_impus(st, impu, &set, &n);

    if (rc)
        return rc;
    *all = true;
    for (size_t i = 0; i < n; i++)
        if (!set[i].barred)
            *all = false;
    free(set);
    return 0;
}

static int set_server_name(struct cx_uaa *ans, const char *name)
{
    ans->server_name = strdup(name);
    return ans->server_name ? 0 : -ENOMEM;
}

int hss_on_uar(const struct cx_uar *req, struct cx_uaa *ans, void *arg)
{
    struct hss_context *h = hss_self();
    struct store *st = hss_store();
    const char *impi = hss_str(req->user_name), *impu = hss_str(req->public_identity);
    int type = req->auth_type < 0 ? CX_UAT_REGISTRATION : req->auth_type;
    struct store_impu rec;
    char vn[STORE_ID_SIZE];
    int rc;

    if (!st)
        return -EIO;
    rc = store_impi_impu_check(st, impi, impu);
    if (rc) {
        log_info("UAR %s / %s: %s", impi, impu, store_errmsg(st));
        return hss_lookup_result(rc, &ans->result);
    }
    if ((rc = store_impu_get(st, impu, &rec)) != 0)
        return hss_lookup_result(rc, &ans->result);

    if (type != CX_UAT_DE_REGISTRATION) {
        bool all_barred = false;
        if (rec.barred && (rc = irs_all_barred(st, impu, &all_barred)) != 0)
            return rc;
        if (rec.barred && all_barred) {
            log_info("UAR %s: barred", impu);
            ans->result.result_code = CX_DIAMETER_AUTHORIZATION_REJECTED;
            return 0;
        }
        size_t vlen = req->visited_network_id.len;
        if (vlen == 0 || vlen >= sizeof(vn) || memchr(req->visited_network_id.data, 0, vlen)) {
            ans->result.exp_result = CX_DIAMETER_ERROR_ROAMING_NOT_ALLOWED;
            return 0;
        }
        memcpy(vn, req->visited_network_id.data, vlen);
        vn[vlen] = '\0';
        rc = store_roaming_check(st, impi, vn, h->home_network);
        if (rc == STORE_EROAMING || rc == -EINVAL) {
            log_info("UAR %s: roaming from %s not allowed", impi, vn);
            ans->result.exp_result = CX_DIAMETER_ERROR_ROAMING_NOT_ALLOWED;
            return 0;
        }
        if (rc)
            return hss_lookup_result(rc, &ans->result);
    }

    switch (type) {
    case CX_UAT_DE_REGISTRATION:
        if (rec.state == STORE_NOT_REGISTERED || !rec.scscf[0]) {
            ans->result.exp_result = CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED;
            return 0;
        }
        ans->result.result_code = CX_DIAMETER_SUCCESS;
        return set_server_name(ans, rec.scscf);
    case CX_UAT_REGISTRATION_AND_CAPABILITIES:
        ans->result.exp_result = CX_DIAMETER_FIRST_REGISTRATION;
        return hss_caps_fill(&ans->caps);
    default: /* REGISTRATION */
        if (rec.state != STORE_NOT_REGISTERED && rec.scscf[0]) {
            ans->result.exp_result = CX_DIAMETER_SUBSEQUENT_REGISTRATION;
            return set_server_name(ans, rec.scscf);
        }
        ans->result.exp_result = CX_DIAMETER_FIRST_REGISTRATION;
        if (rec.scscf[0])
            return set_server_name(ans, rec.scscf);
        if (h->preferred_scscf)
            return set_server_name(ans, h->preferred_scscf);
        return hss_caps_fill(&ans->caps);
    }
}
