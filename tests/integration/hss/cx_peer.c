/* cx_peer.c: synchronous Cx calls for the HSS integration tests (see cx_peer.h). */
#include "cx_peer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct peer_ans ans;
struct peer_seen seen;
uint32_t peer_answer_code = CX_DIAMETER_SUCCESS;
static volatile bool answered;

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

void peer_reset(void)
{
    free(ans.user_data);
    free(seen.user_data);
    memset(&ans, 0, sizeof(ans));
    memset(&seen, 0, sizeof(seen));
}

static void take(int status, const struct cx_result *r)
{
    free(ans.user_data);
    memset(&ans, 0, sizeof(ans));
    ans.status = status;
    if (r) {
        ans.result_code = r->result_code;
        ans.exp_result = r->exp_result;
    }
    answered = true;
}

static void take_caps(const struct cx_caps *c)
{
    ans.has_caps = c->present;
    memcpy(ans.mandatory, c->mandatory, sizeof(ans.mandatory));
    memcpy(ans.optional, c->optional, sizeof(ans.optional));
    ans.n_mandatory = c->n_mandatory;
    ans.n_optional = c->n_optional;
    for (size_t i = 0; i < c->server_names.n && i < PEER_MAX_NAMES; i++)
        COPY(ans.names[ans.n_names++], c->server_names.v[i]);
}

static void on_uaa(uint64_t id, int status, const struct cx_uaa *a)
{
    take(status, a ? &a->result : NULL);
    if (!a)
        return;
    COPY(ans.server_name, a->server_name);
    take_caps(&a->caps);
}

static void copy_bytes(uint8_t *dst, size_t cap, size_t *len, const struct cx_bytes *b)
{
    *len = b->len < cap ? b->len : cap;
    if (*len)
        memcpy(dst, b->data, *len);
}

static void on_maa(uint64_t id, int status, const struct cx_maa *a)
{
    take(status, a ? &a->result : NULL);
    if (!a)
        return;
    COPY(ans.user_name, a->user_name);
    ans.n_items = a->n_items;
    for (size_t i = 0; i < a->n_items; i++) {
        const struct cx_auth_item *s = &a->items[i];
        struct peer_item *d = &ans.items[i];
        d->number = s->has_item_number ? s->item_number : 0;
        COPY(d->scheme, s->scheme);
        copy_bytes(d->authenticate, sizeof(d->authenticate), &d->authenticate_len,
                   &s->sip_authenticate);
        copy_bytes(d->authorization, sizeof(d->authorization), &d->authorization_len,
                   &s->sip_authorization);
        d->has_ck = s->has_ck;
        d->has_ik = s->has_ik;
        memcpy(d->ck, s->ck, 16);
        memcpy(d->ik, s->ik, 16);
        COPY(d->digest_realm, s->digest_realm);
        COPY(d->digest_algorithm, s->digest_algorithm);
        COPY(d->digest_qop, s->digest_qop);
        COPY(d->digest_ha1, s->digest_ha1);
    }
}

static void on_saa(uint64_t id, int status, const struct cx_saa *a)
{
    take(status, a ? &a->result : NULL);
    if (!a)
        return;
    COPY(ans.user_name, a->user_name);
    if (a->user_data)
        ans.user_data = strdup(a->user_data);
}

static void on_lia(uint64_t id, int status, const struct cx_lia *a)
{
    take(status, a ? &a->result : NULL);
    if (!a)
        return;
    COPY(ans.server_name, a->server_name);
    take_caps(&a->caps);
}

static int finish(int rc)
{
    if (rc)
        return rc;
    if (!lab_run_until(&answered, 15000))
        return -ETIMEDOUT;
    return ans.status;
}

int peer_uar(const char *impi, const char *impu, const char *visited, int type)
{
    struct cx_uar r = {.hdr = {.dest_realm = REALM},
                       .user_name = (char *)impi,
                       .public_identity = (char *)impu,
                       .auth_type = type};
    r.visited_network_id.data = (uint8_t *)visited;
    r.visited_network_id.len = strlen(visited);
    answered = false;
    return finish(cx_send_uar(lab.loop, &r, on_uaa, 1, 10000));
}

int peer_mar(const char *impi, const char *impu, const char *server, const char *scheme, uint32_t n,
             const uint8_t *authz, size_t authz_len)
{
    struct cx_mar r = {.hdr = {.dest_realm = REALM},
                       .user_name = (char *)impi,
                       .public_identity = (char *)impu,
                       .server_name = (char *)server,
                       .num_auth_items = n};
    r.auth.scheme = (char *)scheme;
    r.auth.sip_authorization.data = (uint8_t *)authz;
    r.auth.sip_authorization.len = authz_len;
    answered = false;
    return finish(cx_send_mar(lab.loop, &r, on_maa, 2, 10000));
}

int peer_sar(const char *impi, const char *impu, const char *server, int type, int udaa)
{
    char *v[1] = {(char *)impu};
    struct cx_sar r = {.hdr = {.dest_realm = REALM},
                       .user_name = (char *)impi,
                       .public_identities = {impu ? v : NULL, impu ? 1 : 0},
                       .server_name = (char *)server,
                       .server_assignment_type = type,
                       .user_data_already_available = udaa};
    answered = false;
    return finish(cx_send_sar(lab.loop, &r, on_saa, 3, 10000));
}

int peer_lir(const char *impu, int type)
{
    struct cx_lir r = {.hdr = {.dest_realm = REALM},
                       .public_identity = (char *)impu,
                       .originating_request = -1,
                       .auth_type = type,
                       .session_priority = -1};
    answered = false;
    return finish(cx_send_lir(lab.loop, &r, on_lia, 4, 10000));
}

static void on_rtr(struct cx_incoming *in, const struct cx_rtr *req, void *arg)
{
    struct cx_rta a = {.result = {.result_code = peer_answer_code}};
    seen.rtr = true;
    COPY(seen.user_name, req->user_name);
    seen.n_impus = 0;
    for (size_t i = 0; i < req->public_identities.n && i < 8; i++)
        COPY(seen.impus[seen.n_impus++], req->public_identities.v[i]);
    seen.reason_code = req->reason_code;
    COPY(seen.reason_info, req->reason_info);
    cx_answer_rtr(&in, &a);
}

static void on_ppr(struct cx_incoming *in, const struct cx_ppr *req, void *arg)
{
    struct cx_ppa a = {.result = {.result_code = peer_answer_code}};
    seen.ppr = true;
    COPY(seen.user_name, req->user_name);
    free(seen.user_data);
    seen.user_data = req->user_data ? strdup(req->user_data) : NULL;
    cx_answer_ppr(&in, &a);
}

int peer_serve(void)
{
    int rc = cx_serve_rtr(lab.loop, on_rtr, NULL);
    return rc ? rc : cx_serve_ppr(lab.loop, on_ppr, NULL);
}
