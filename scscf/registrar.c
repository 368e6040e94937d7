/*
 * registrar.c: REGISTER handling (TS 24.229 §5.4.1): challenge with MAR,
 * verify, SAR, binding update and the 200 OK (Contact, P-Associated-URI,
 * Service-Route, Path).
 */
#include "registrar.h"

#include "auth.h"
#include "reg_event.h"
#include "reg_store.h"
#include "regs.h"
#include "scscf_context.h"
#include "scscf_metrics.h"
#include "third_party_reg.h"

#include "aka/aka.h"
#include "log/log.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PATH_ENTRIES 8

static struct txn_layer *layer(void)
{
    return sipstack_txn(scscf_self()->sip);
}

int scscf_register_parse(const osip_message_t *req, struct scscf_reg_req *out, const char **why)
{
    struct sip_auth_credentials cr;
    char uri[SIP_URI_MAX], err[128];
    size_t n_contacts = 0, n_zero = 0;
    uint32_t hdr_expires = 1;
    bool has_hdr_expires;

    memset(out, 0, sizeof(*out));
    *why = NULL;
    if (!req->to || !req->to->url || sip_uri_to_buf(req->to->url, uri, sizeof(uri)) != 0 ||
        sip_uri_aor(uri, out->impu, sizeof(out->impu)) != 0) {
        *why = "Bad Request - To is not a public identity";
        return 400;
    }
    if (sip_auth_credentials_get(req, false, 0, &cr, err, sizeof(err)) == 0) {
        if (!cr.username[0]) {
            *why = "Bad Request - empty Authorization username";
            return 400;
        }
        snprintf(out->impi, sizeof(out->impi), "%s", cr.username);
        snprintf(out->nonce, sizeof(out->nonce), "%s", cr.nonce);
        snprintf(out->auts, sizeof(out->auts), "%s", cr.auts);
        out->has_response = cr.response[0] != '\0';
        out->integrity_yes = strcasecmp(cr.integrity_protected, "yes") == 0;
    } else if (osip_list_size(&req->authorizations) > 0) {
        *why = "Bad Request - malformed Authorization";
        return 400;
    } else {
        /* TS 23.003 §13.3: derive the IMPI from the IMPU (sip:user@host -> user@host). */
        const char *p = strchr(out->impu, ':');
        snprintf(out->impi, sizeof(out->impi), "%s", p ? p + 1 : out->impu);
    }
    has_hdr_expires = sip_hdr_get_uint(req, "Expires", &hdr_expires) == 0;
    if (sip_contact_is_star(req)) {
        if (!has_hdr_expires || hdr_expires != 0) {
            *why = "Bad Request - Contact * needs Expires: 0";
            return 400;
        }
        out->deregister = true;
        return 0;
    }
    for (int i = 0; i < osip_list_size(&req->contacts); i++) {
        const osip_contact_t *c = osip_list_get(&req->contacts, i);
        uint32_t e;
        if (sip_contact_expires(req, c, scscf_self()->default_expires, 0, &e) != 0) {
            *why = "Bad Request - bad expires";
            return 400;
        }
        n_contacts++;
        n_zero += e == 0;
    }
    out->deregister = n_contacts > 0 && n_zero == n_contacts;
    return 0;
}

/* Smallest non-zero expiry asked for in req, or 0 when none. */
static uint32_t min_asked(const osip_message_t *req)
{
    uint32_t m = 0;

    for (int i = 0; i < osip_list_size(&req->contacts); i++) {
        uint32_t e;
        if (sip_contact_expires(req, osip_list_get(&req->contacts, i),
                                scscf_self()->default_expires, 0, &e) == 0 &&
            e && (!m || e < m))
            m = e;
    }
    return m;
}

static void respond(struct txn_server *st, int code, const char *reason)
{
    int rc = txn_respond_code(st, code, reason);
    if (rc)
        log_warn("scscf: could not send %d: %s", code, strerror(-rc));
}

static void start_mar(struct txn_server *st, const struct scscf_reg_req *rr, const uint8_t *ra,
                      size_t ralen)
{
    if (scscf_cx_mar(txn_server_id(st), rr->impi, rr->impu, ra, ralen) != 0)
        respond(st, 500, "Server Internal Error - HSS unreachable");
}

static void start_sar(struct txn_server *st, const struct scscf_reg_req *rr, int sat)
{
    if (scscf_cx_sar(txn_server_id(st), rr->impi, rr->impu, sat) != 0)
        respond(st, 500, "Server Internal Error - HSS unreachable");
}

/* The authenticated request is applied: SAR of the right type (or local de-registration). */
static void authenticated(struct txn_server *st, const osip_message_t *req,
                          const struct scscf_reg_req *rr)
{
    struct scscf_reg *r = regs_find(rr->impi, rr->impu);
    bool registered = r && r->state == SCSCF_REG_REGISTERED;

    if (!rr->deregister) {
        start_sar(st, rr, registered ? CX_SAT_RE_REGISTRATION : CX_SAT_REGISTRATION);
        return;
    }
    if (!registered) {
        respond(st, 200, NULL);
        return;
    }
    start_sar(st, rr, CX_SAT_USER_DEREGISTRATION);
}

/* Reads the body of req for qop=auth-int. */
static void body_of(const osip_message_t *req, const char **body, size_t *len)
{
    osip_body_t *b = NULL;

    *body = NULL;
    *len = 0;
    if (osip_message_get_body(req, 0, &b) >= 0 && b && b->body) {
        *body = b->body;
        *len = b->length;
    }
}

void scscf_register(struct txn_server *st, const osip_message_t *req)
{
    struct scscf_context *s = scscf_self();
    struct scscf_reg_req rr;
    struct scscf_challenge *ch;
    struct sip_auth_credentials cr;
    const char *why;
    char err[128];
    uint32_t asked;
    int code;

    code = scscf_register_parse(req, &rr, &why);
    if (code) {
        respond(st, code, why);
        return;
    }
    asked = min_asked(req);
    if (asked && asked < s->min_expires) {
        osip_message_t *resp = NULL;
        if (txn_response_new(req, 423, NULL, &resp) == 0 &&
            sip_hdr_set_uint(resp, "Min-Expires", s->min_expires) == 0) {
            int rc = txn_respond(st, &resp);
            if (rc)
                log_warn("scscf: 423 not sent: %s", strerror(-rc));
        } else {
            osip_message_free(resp);
            respond(st, 500, NULL);
        }
        return;
    }
    if (!rr.has_response || !rr.nonce[0]) {
        struct scscf_reg *r = regs_find(rr.impi, rr.impu);
        if (r && r->state == SCSCF_REG_REGISTERED && rr.integrity_yes &&
            s->rereg_policy == SCSCF_REREG_IF_NOT_PROTECTED) {
            authenticated(st, req, &rr);
            return;
        }
        start_mar(st, &rr, NULL, 0);
        return;
    }
    ch = auth_take(rr.impi, rr.nonce);
    if (!ch) {
        log_info("scscf: %s answered an unknown or used nonce: challenging again", rr.impi);
        metrics_ims_auth_failure(scscf_ims(), "stale_nonce");
        start_mar(st, &rr, NULL, 0);
        return;
    }
    if (rr.auts[0]) {
        uint8_t ra[AKA_RAND_LEN + 14];
        memcpy(ra, ch->rand, AKA_RAND_LEN);
        if (ch->scheme != SCSCF_AUTH_AKAV1_MD5 ||
            aka_auts_decode(rr.auts, strlen(rr.auts), ra + AKA_RAND_LEN) != 0) {
            auth_challenge_free(ch);
            respond(st, 400, "Bad Request - bad auts");
            return;
        }
        auth_challenge_free(ch);
        log_info("scscf: %s sent AUTS: resynchronising", rr.impi);
        metrics_ims_auth_failure(scscf_ims(), "sync_failure");
        start_mar(st, &rr, ra, sizeof(ra));
        return;
    }
    if (sip_auth_credentials_get(req, false, 0, &cr, err, sizeof(err)) != 0) {
        auth_challenge_free(ch);
        respond(st, 400, "Bad Request - bad Authorization");
        return;
    }
    const char *body;
    size_t blen;
    body_of(req, &body, &blen);
    bool ok = auth_verify(ch, &cr, "REGISTER", body, blen);
    bool aka = ch->scheme == SCSCF_AUTH_AKAV1_MD5;
    auth_challenge_free(ch);
    if (!ok) {
        metrics_ims_auth_failure(scscf_ims(), aka ? "res_mismatch" : "wrong_password");
        log_notice("scscf: %s failed authentication", rr.impi);
        respond(st, 403, "Forbidden - authentication failed");
        scscf_cx_sar(0, rr.impi, rr.impu, CX_SAT_AUTHENTICATION_FAILURE);
        return;
    }
    auth_forget(rr.impi);
    authenticated(st, req, &rr);
}

/* SIP status for a Cx error answer of an MAR/SAR. */
static int cx_error_code(int status, const struct cx_result *res, const char **why)
{
    if (status == -ETIMEDOUT || status == -EHOSTUNREACH) {
        *why = "Server Internal Error - HSS unreachable";
        return 500;
    }
    if (status || !res) {
        *why = "Server Internal Error - Cx error";
        return 500;
    }
    if (res->exp_result == CX_DIAMETER_ERROR_USER_UNKNOWN) {
        *why = "Forbidden - unknown user";
        return 403;
    }
    if (res->exp_result == CX_DIAMETER_ERROR_IDENTITIES_DONT_MATCH) {
        *why = "Forbidden - identities do not match";
        return 403;
    }
    if (res->exp_result == CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED) {
        *why = "Forbidden - authentication scheme not supported";
        return 403;
    }
    if (res->result_code == CX_DIAMETER_AUTHORIZATION_REJECTED) {
        *why = "Forbidden - authorization rejected";
        return 403;
    }
    *why = "Server Internal Error - Cx error";
    return 500;
}

/*
 * The start both Cx continuations share: st is the REGISTER's transaction
 * found again by txn_id (NULL: gone, logged). Sets the log trace id, re-reads
 * the REGISTER into *rr and *req, and answers it when it no longer parses or
 * the cmd ("MAR", "SAR") failed (status, or res not a success). Returns true
 * when the caller goes on with the answer.
 */
static bool resume(struct txn_server *st, uint64_t txn_id, const char *cmd, int status,
                   const struct cx_result *res, struct scscf_reg_req *rr,
                   const osip_message_t **req)
{
    const char *why;

    if (!st) {
        log_info("scscf: answer to %s for a transaction that is gone (%llu)", cmd,
                 (unsigned long long)txn_id);
        return false;
    }
    *req = txn_server_request(st);
    sip_log_trace(*req);
    if (scscf_register_parse(*req, rr, &why) != 0) {
        respond(st, 400, why);
        return false;
    }
    if (status || !res || !cx_result_is_success(res)) {
        int code = cx_error_code(status, res, &why);
        log_notice("scscf: %s %s failed: %s", cmd, rr->impi, why);
        respond(st, code, why);
        return false;
    }
    return true;
}

void scscf_register_on_maa(uint64_t txn_id, int status, const struct cx_maa *ans)
{
    struct scscf_context *s = scscf_self();
    struct txn_server *st = txn_server_lookup(layer(), txn_id);
    struct sip_auth_challenge hdr;
    struct scscf_reg_req rr;
    osip_message_t *resp = NULL;
    const osip_message_t *req;
    int rc;

    if (!resume(st, txn_id, "MAR", status, ans ? &ans->result : NULL, &rr, &req))
        return;
    rc = auth_challenge_new(rr.impi, rr.impu, ans, s->home_domain, s->qop_auth_int,
                            s->challenge_timeout_s, &hdr);
    if (rc) {
        log_warn("scscf: MAA for %s has no usable vector: %s", rr.impi, strerror(-rc));
        respond(st, 500, "Server Internal Error - no authentication vector");
        return;
    }
    if (txn_response_new(req, 401, NULL, &resp) != 0 ||
        sip_auth_challenge_add(resp, false, &hdr) != 0) {
        osip_message_free(resp);
        respond(st, 500, NULL);
        return;
    }
    memset(&hdr, 0, sizeof(hdr));
    rc = txn_respond(st, &resp);
    if (rc)
        log_warn("scscf: 401 not sent: %s", strerror(-rc));
    else
        log_info("scscf: challenged %s", rr.impi);
}

/* Serialises the header parameters of c except expires into buf (";a=b;c"). */
static void contact_params(const osip_contact_t *c, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (int i = 0; i < osip_list_size(&c->gen_params); i++) {
        const osip_generic_param_t *p = osip_list_get(&c->gen_params, i);
        int n;
        if (!p || !p->gname || strcasecmp(p->gname, "expires") == 0)
            continue;
        n = p->gvalue ? snprintf(buf + used, len - used, ";%s=%s", p->gname, p->gvalue)
                      : snprintf(buf + used, len - used, ";%s", p->gname);
        if (n < 0 || (size_t)n >= len - used) {
            buf[used] = '\0';
            return;
        }
        used += (size_t)n;
    }
}

/* Joins the Path entries of req into "<a>,<b>" (NULL when none). Caller frees. */
static char *path_of(const osip_message_t *req)
{
    struct sip_addr *v = calloc(MAX_PATH_ENTRIES, sizeof(*v));
    char *out = NULL;
    size_t used = 0, cap;
    int n;

    if (!v)
        return NULL;
    n = sip_addr_list_get(req, "Path", v, MAX_PATH_ENTRIES);
    if (n <= 0)
        goto out;
    cap = (size_t)n * (SIP_URI_MAX + 4);
    out = malloc(cap);
    if (!out)
        goto out;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s<%s>", i ? "," : "", v[i].uri);
out:
    free(v);
    return out;
}

/*
 * Applies the contacts of req (received from src, may be NULL) to r (refresh,
 * add, remove). Returns 0 or -ENOMEM.
 */
static int apply_contacts(struct scscf_reg *r, const osip_message_t *req,
                          const struct txn_addr *src, bool remove_all)
{
    struct scscf_context *s = scscf_self();
    int64_t now = scscf_now();
    char *path = NULL, received[128] = "", call_id[256] = "";
    uint32_t cseq = 0;
    int rc = 0;

    if (remove_all || sip_contact_is_star(req)) {
        for (size_t i = 0; i < r->n_contacts; i++) {
            if (r->contacts[i].active) {
                r->contacts[i].active = false;
                r->contacts[i].event = SCSCF_EV_UNREGISTERED;
            }
        }
        return 0;
    }
    path = path_of(req);
    if (src) /* the hop the REGISTER came from (the I-CSCF or P-CSCF when there is one) */
        snprintf(received, sizeof(received), "%s:%s:%d",
                 src->proto == TXN_PROTO_TCP ? "tcp" : "udp", src->host, src->port);
    if (req->cseq && req->cseq->number)
        cseq = (uint32_t)strtoul(req->cseq->number, NULL, 10);
    if (req->call_id && req->call_id->number) /* the whole Call-ID: "number@host" */
        snprintf(call_id, sizeof(call_id), "%s%s%s", req->call_id->number,
                 req->call_id->host ? "@" : "", req->call_id->host ? req->call_id->host : "");
    for (int i = 0; i < osip_list_size(&req->contacts); i++) {
        const osip_contact_t *c = osip_list_get(&req->contacts, i);
        char uri[SIP_URI_MAX], inst[256], params[1024];
        uint32_t e, reg_id = 0;
        struct scscf_contact *have;

        if (!c || !c->url || sip_uri_to_buf(c->url, uri, sizeof(uri)) != 0 ||
            sip_contact_expires(req, c, s->default_expires, s->max_expires, &e) != 0)
            continue;
        if (sip_contact_instance(c, inst, sizeof(inst)) != 0)
            inst[0] = '\0';
        if (sip_contact_reg_id(c, &reg_id) != 0)
            reg_id = 0;
        contact_params(c, params, sizeof(params));
        have = regs_contact_find(r, uri, inst, reg_id);
        if (have && e == 0) {
            have->active = false;
            have->event = SCSCF_EV_UNREGISTERED;
        } else if (have) {
            have->event = now + e < have->expires_at ? SCSCF_EV_SHORTENED : SCSCF_EV_REFRESHED;
            have->expires_at = now + e;
            have->cseq = cseq;
        } else if (e) {
            struct scscf_contact t = {
                .uri = uri,
                .params = params,
                .expires_at = now + e,
                .path = path,
                .call_id = call_id[0] ? call_id : NULL,
                .cseq = cseq,
                .instance = inst[0] ? inst : NULL,
                .reg_id = reg_id,
                .received = received[0] ? received : NULL,
                .registered_at = now,
                .event = SCSCF_EV_REGISTERED,
            };
            if (!regs_contact_add(r, &t)) {
                rc = -ENOMEM;
                break;
            }
        }
    }
    free(path);
    return rc;
}

/* Builds and sends the 200 OK to a REGISTER for record r (NULL: no binding left). */
static void send_200(struct txn_server *st, const osip_message_t *req, const struct scscf_reg *r)
{
    struct scscf_context *s = scscf_self();
    struct sip_addr *paths = NULL;
    osip_message_t *resp = NULL;
    int64_t now = scscf_now();
    char buf[2048], sr[SIP_URI_MAX];
    int n, rc = -ENOMEM;

    if (txn_response_new(req, 200, NULL, &resp) != 0)
        goto out;
    for (size_t i = 0; r && i < r->n_contacts; i++) {
        const struct scscf_contact *c = &r->contacts[i];
        if (!c->active)
            continue;
        snprintf(buf, sizeof(buf), "<%s>%s;expires=%lld", c->uri, c->params,
                 (long long)(c->expires_at > now ? c->expires_at - now : 0));
        if (osip_message_set_contact(resp, buf) != 0)
            goto out;
    }
    /* P-Associated-URI: the implicit set in one comma-separated header, registered IMPU first. */
    if (r && r->n_impus) {
        size_t used = 0;
        for (size_t i = 0; i < r->n_impus && used < sizeof(buf); i++)
            used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s<%s>", i ? ", " : "",
                                     r->impus[i]);
        if (used >= sizeof(buf) || sip_hdr_add(resp, "P-Associated-URI", buf) != 0)
            goto out;
    }
    if (r) {
        /* Service-Route: our own URI with the user part "orig" (TS 24.229 §5.4.1.2.2). */
        snprintf(sr, sizeof(sr), "sip:orig@%s", s->server_name + 4);
        if (sip_addr_list_add(resp, "Service-Route", sr, true, false) != 0)
            goto out;
    }
    paths = calloc(MAX_PATH_ENTRIES, sizeof(*paths));
    if (!paths)
        goto out;
    n = sip_addr_list_get(req, "Path", paths, MAX_PATH_ENTRIES);
    for (int i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "<%s>", paths[i].uri);
        if (sip_hdr_add(resp, "Path", buf) != 0)
            goto out;
    }
    if (n > 0 && sip_hdr_add(resp, "Require", "path") != 0)
        goto out;
    rc = txn_respond(st, &resp);
    if (rc)
        log_warn("scscf: 200 not sent: %s", strerror(-rc));
    rc = 0;
out:
    free(paths);
    if (rc) {
        osip_message_free(resp);
        respond(st, 500, NULL);
    }
}

void scscf_register_on_saa(uint64_t txn_id, int sat, int status, const struct cx_saa *ans)
{
    struct txn_server *st;
    struct scscf_reg_req rr;
    struct scscf_reg *r;
    const osip_message_t *req;
    bool dereg = sat == CX_SAT_USER_DEREGISTRATION;

    if (txn_id == 0) {
        if (status || !cx_result_is_success(&ans->result))
            log_notice("scscf: SAR type %d answered with an error (status %d)", sat, status);
        return;
    }
    st = txn_server_lookup(layer(), txn_id);
    if (!resume(st, txn_id, "SAR", status, ans ? &ans->result : NULL, &rr, &req))
        return;
    r = regs_find(rr.impi, rr.impu);
    if (dereg) {
        if (r) {
            apply_contacts(r, req, NULL, true);
            r->state = SCSCF_REG_NOT_REGISTERED;
        }
        log_notice("scscf: %s de-registered %s", rr.impi, rr.impu);
        if (r)
            reg_store_del_reg(r);
        send_200(st, req, NULL);
        if (r) {
            /* the reg event subscribers learn it after the 200 (TS 24.229 §5.4.1.4) */
            scscf_reg_event_notify(r);
            scscf_third_party_register(r, rr.impu, SCSCF_3PR_DE, req);
            regs_free(r);
        }
        return;
    }
    if (!r && !(r = regs_new(rr.impi, rr.impu))) {
        respond(st, 500, NULL);
        return;
    }
    if (ans->user_data && regs_set_user_data(r, ans->user_data, rr.impu) != 0) {
        log_warn("scscf: SAA user data for %s is not usable", rr.impi);
        if (r->state != SCSCF_REG_REGISTERED)
            regs_free(r);
        respond(st, 500, "Server Internal Error - bad user data");
        return;
    }
    if (apply_contacts(r, req, txn_server_source(st), false) != 0) {
        respond(st, 500, NULL);
        return;
    }
    r->state = regs_active_contacts(r) ? SCSCF_REG_REGISTERED : SCSCF_REG_NOT_REGISTERED;
    scscf_reg_event_notify(r);
    regs_contact_purge(r);
    log_notice("scscf: %s registered %s (%zu contacts)", rr.impi, rr.impu, regs_active_contacts(r));
    reg_store_put_reg(r); /* durable before the 200 leaves */
    send_200(st, req, r);
    scscf_third_party_register(
        r, rr.impu, sat == CX_SAT_RE_REGISTRATION ? SCSCF_3PR_RE : SCSCF_3PR_INITIAL, req);
    if (r->state == SCSCF_REG_NOT_REGISTERED)
        regs_free(r);
}

static void on_challenge_timeout(void *arg, const char *impi, const char *impu)
{
    metrics_ims_auth_failure(scscf_ims(), "challenge_timeout");
    scscf_cx_sar(0, impi, impu, CX_SAT_AUTHENTICATION_TIMEOUT);
}

void scscf_registrar_tick(void)
{
    int64_t now = scscf_now();

    auth_expire(now, on_challenge_timeout, NULL);
    for (struct scscf_reg *r = regs_first(), *next; r; r = next) {
        bool changed = false;
        next = r->next;
        if (r->state != SCSCF_REG_REGISTERED)
            continue;
        for (size_t i = 0; i < r->n_contacts; i++) {
            struct scscf_contact *c = &r->contacts[i];
            if (c->active && c->expires_at <= now) {
                c->active = false;
                c->event = SCSCF_EV_EXPIRED;
                changed = true;
                log_notice("scscf: contact %s of %s expired", c->uri, r->impi);
            }
        }
        if (!changed)
            continue;
        if (regs_active_contacts(r) == 0)
            r->state = SCSCF_REG_NOT_REGISTERED;
        scscf_reg_event_notify(r);
        regs_contact_purge(r);
        reg_store_put_reg(r); /* deletes it when no contact is left */
        if (regs_active_contacts(r) == 0) {
            scscf_cx_sar(0, r->impi, r->impus[0], CX_SAT_TIMEOUT_DEREGISTRATION);
            scscf_third_party_register(r, r->impus[0], SCSCF_3PR_DE, NULL);
            regs_free(r);
        }
    }
}

void scscf_registrar_free(void)
{
    auth_free_all();
    regs_free_all();
}
