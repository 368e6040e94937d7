/*
 * cx_sar.c: Server-Assignment-Request (S-CSCF -> HSS), TS 29.228 §6.1.2.
 *
 * The identity is the first Public-Identity, or the IMPIs' identities served
 * by this S-CSCF when only User-Name is given (deregistrations). Per type:
 *
 *   REGISTRATION, RE_REGISTRATION   REGISTERED at this S-CSCF; User-Data
 *                                   unless already available. Another
 *                                   S-CSCF serving a registered or
 *                                   unregistered user: IDENTITY_ALREADY_REGISTERED.
 *   UNREGISTERED_USER               UNREGISTERED at this S-CSCF; User-Data.
 *   TIMEOUT_/USER_/ADMINISTRATIVE_DEREGISTRATION, DEREGISTRATION_TOO_MUCH_DATA
 *                                   NOT_REGISTERED, S-CSCF name cleared.
 *   *_DEREGISTRATION_STORE_SERVER_NAME
 *                                   NOT_REGISTERED, name kept (or, with
 *                                   sar.keep_server_name = false, cleared and
 *                                   DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED).
 *   AUTHENTICATION_FAILURE/_TIMEOUT  name cleared when not registered; a
 *                                   registered user keeps its registration.
 *   NO_ASSIGNMENT                   User-Data when this S-CSCF is the assigned
 *                                   one, else DIAMETER_UNABLE_TO_COMPLY.
 *   others (12-14)                  DIAMETER_ERROR_IN_ASSIGNMENT_TYPE.
 *
 * A deregistration from an S-CSCF other than the assigned one changes nothing
 * and is answered DIAMETER_UNABLE_TO_COMPLY (§8.1). Each change is committed
 * before the answer leaves.
 */
#include "hss_context.h"
#include "hss_cx.h"
#include "store_extra.h"

#include "log/log.h"

#include <stdlib.h>
#include <string.h>

static bool is_dereg(int t)
{
    return t == CX_SAT_TIMEOUT_DEREGISTRATION || t == CX_SAT_USER_DEREGISTRATION ||
           t == CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME ||
           t == CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME ||
           t == CX_SAT_ADMINISTRATIVE_DEREGISTRATION || t == CX_SAT_DEREGISTRATION_TOO_MUCH_DATA;
}

static bool keeps_name(int t)
{
    return t == CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME ||
           t == CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME;
}

/* User-Data of the implicit set of impu, into ans. */
static int add_user_data(struct store *st, const char *impi, const char *impu, struct cx_saa *ans)
{
    struct store_impu *set = NULL;
    size_t n = 0;
    int rc = store_irs_impus(st, impu, &set, &n);

    if (rc == 0)
        rc = hss_userdata_build(st, impi, set, n, &ans->user_data);
    free(set);
    return rc;
}

/* Deregistration of one implicit set. Sets *mismatch when another S-CSCF serves it. */
static int dereg_one(struct store *st, const struct store_impu *rec, const char *server, int type,
                     bool *mismatch)
{
    bool keep = keeps_name(type) && hss_self()->keep_server_name;

    if (rec->scscf[0] && strcmp(rec->scscf, server) != 0) {
        log_info("SAR %s: deregistration by %s, but %s serves it", rec->uri, server, rec->scscf);
        *mismatch = true;
        return 0;
    }
    return store_irs_set_state(st, rec->uri, STORE_NOT_REGISTERED, keep ? server : NULL);
}

/* Deregistration of every identity the request names. */
static int dereg(struct store *st, const struct cx_sar *req, const char *impi,
                 const struct store_impu *first, struct cx_saa *ans)
{
    const char *server = req->server_name;
    int type = req->server_assignment_type;
    bool mismatch = false;
    int rc = 0;

    if (first) {
        for (size_t i = 0; i < req->public_identities.n && rc == 0; i++) {
            struct store_impu rec;
            if (i == 0)
                rec = *first;
            else if (store_impu_get(st, req->public_identities.v[i], &rec) != 0 ||
                     strcmp(rec.impi, impi) != 0)
                continue; /* identities of other users are not touched */
            rc = dereg_one(st, &rec, server, type, &mismatch);
        }
    } else {
        struct store_impu *all = NULL;
        size_t n = 0;
        rc = store_impi_impus(st, impi, &all, &n);
        for (size_t i = 0; i < n && rc == 0; i++)
            if (all[i].scscf[0] && strcmp(all[i].scscf, server) == 0)
                rc = dereg_one(st, &all[i], server, type, &mismatch);
        free(all);
    }
    if (rc)
        return rc;
    if (mismatch && first && req->public_identities.n == 1)
        ans->result.result_code = CX_DIAMETER_UNABLE_TO_COMPLY;
    else if (keeps_name(type) && !hss_self()->keep_server_name)
        ans->result.exp_result = CX_DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED;
    else
        ans->result.result_code = CX_DIAMETER_SUCCESS;
    return 0;
}

static int assign(struct store *st, const struct cx_sar *req, const char *impi,
                  const struct store_impu *rec, struct cx_saa *ans)
{
    int type = req->server_assignment_type;
    bool other = rec->scscf[0] && strcmp(rec->scscf, req->server_name) != 0;
    enum store_reg_state state =
        type == CX_SAT_UNREGISTERED_USER ? STORE_UNREGISTERED : STORE_REGISTERED;
    int rc;

    if (other && rec->state != STORE_NOT_REGISTERED) {
        log_info("SAR %s from %s: already registered at %s", rec->uri, req->server_name,
                 rec->scscf);
        ans->result.exp_result = CX_DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED;
        return 0;
    }
    if (type == CX_SAT_UNREGISTERED_USER && rec->state == STORE_REGISTERED)
        state = STORE_REGISTERED; /* a registered user stays registered */
    rc = store_irs_set_state(st, rec->uri, state, req->server_name);
    if (rc == -EINVAL) {
        ans->result.result_code = CX_DIAMETER_INVALID_AVP_VALUE;
        return 0;
    }
    if (rc)
        return rc;
    if (req->user_data_already_available != CX_USER_DATA_ALREADY_AVAILABLE ||
        type == CX_SAT_UNREGISTERED_USER) {
        rc = add_user_data(st, impi, rec->uri, ans);
        if (rc)
            return rc;
    }
    ans->result.result_code = CX_DIAMETER_SUCCESS;
    return 0;
}

static int auth_failure(struct store *st, const struct cx_sar *req, const struct store_impu *rec,
                        struct cx_saa *ans)
{
    int rc = 0;

    if (rec->state == STORE_NOT_REGISTERED && rec->scscf[0] &&
        strcmp(rec->scscf, req->server_name) == 0)
        rc = store_irs_set_state(st, rec->uri, STORE_NOT_REGISTERED, NULL);
    if (rc == 0)
        ans->result.result_code = CX_DIAMETER_SUCCESS;
    return rc;
}

int hss_on_sar(const struct cx_sar *req, struct cx_saa *ans, void *arg)
{
    struct store *st = hss_store();
    const char *impu = req->public_identities.n ? hss_str(req->public_identities.v[0]) : NULL;
    const char *server = hss_str(req->server_name);
    int type = req->server_assignment_type;
    char impi[STORE_ID_SIZE] = "";
    struct store_impu rec;
    int rc;

    if (!st)
        return -EIO;
    if (!impu && !req->user_name) {
        ans->result.result_code = CX_DIAMETER_MISSING_AVP;
        return 0;
    }
    if (!*server) {
        ans->result.result_code = CX_DIAMETER_INVALID_AVP_VALUE;
        return 0;
    }
    if (impu) {
        if (req->user_name)
            rc = store_impi_impu_check(st, req->user_name, impu);
        else
            rc = 0;
        if (rc == 0)
            rc = store_impu_get(st, impu, &rec);
        if (rc) {
            log_info("SAR %s / %s: %s", hss_str(req->user_name), impu, store_errmsg(st));
            return hss_lookup_result(rc, &ans->result);
        }
        snprintf(impi, sizeof(impi), "%s", rec.impi);
    } else {
        struct store_impi sub;
        rc = store_impi_get(st, req->user_name, &sub);
        if (rc)
            return hss_lookup_result(rc, &ans->result);
        snprintf(impi, sizeof(impi), "%s", sub.name);
        memset(&sub, 0, sizeof(sub));
    }
    ans->user_name = strdup(impi);
    if (!ans->user_name)
        return -ENOMEM;
    if (req->hdr.origin_host && req->hdr.origin_realm)
        store_extra_peer_set(st, server, req->hdr.origin_host, req->hdr.origin_realm);

    if (is_dereg(type))
        return dereg(st, req, impi, impu ? &rec : NULL, ans);
    if (!impu) {
        /* The other types need a public identity (TS 29.229 §6.1.3). */
        ans->result.result_code = CX_DIAMETER_MISSING_AVP;
        return 0;
    }
    switch (type) {
    case CX_SAT_REGISTRATION:
    case CX_SAT_RE_REGISTRATION:
    case CX_SAT_UNREGISTERED_USER:
        return assign(st, req, impi, &rec, ans);
    case CX_SAT_AUTHENTICATION_FAILURE:
    case CX_SAT_AUTHENTICATION_TIMEOUT:
        return auth_failure(st, req, &rec, ans);
    case CX_SAT_NO_ASSIGNMENT:
        if (!rec.scscf[0] || strcmp(rec.scscf, server) != 0) {
            log_info("SAR NO_ASSIGNMENT %s from %s: not the assigned S-CSCF (%s)", impu, server,
                     rec.scscf[0] ? rec.scscf : "none");
            ans->result.result_code = CX_DIAMETER_UNABLE_TO_COMPLY;
            return 0;
        }
        rc = add_user_data(st, impi, impu, ans);
        if (rc == 0)
            ans->result.result_code = CX_DIAMETER_SUCCESS;
        return rc;
    default:
        ans->result.exp_result = CX_DIAMETER_ERROR_IN_ASSIGNMENT_TYPE;
        return 0;
    }
}
