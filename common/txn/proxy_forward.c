/*
 * proxy_forward.c: stateful forwarding of one request (RFC 3261 §16.6-16.7) over a
 * server transaction and a chain of client transactions (one per attempt).
 */
#include "txn_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proxy_fwd {
    struct txn_layer *layer;
    struct txn_server *st;
    osip_message_t *req; /* as forwarded, without our Via */
    struct proxy_fwd_opts opts;
    struct txn_client *ct; /* current attempt, NULL once it ended */
    char branch[PROXY_BRANCH_LEN];
    int attempts;
    bool in_hook;
    bool retried;
};

static void fwd_free(struct proxy_fwd *fwd)
{
    if (!fwd)
        return;
    osip_message_free(fwd->req);
    free(fwd);
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **respp, bool local);

static void fwd_drop(void *arg)
{
    fwd_free(arg);
}

static int start_attempt(struct proxy_fwd *fwd, const struct txn_addr *next_hop)
{
    char branch[PROXY_BRANCH_LEN + 16];
    osip_message_t *copy = NULL;
    if (fwd->attempts == 0)
        snprintf(branch, sizeof(branch), "%s", fwd->branch);
    else
        snprintf(branch, sizeof(branch), "%s-%d", fwd->branch, fwd->attempts + 1);
    if (osip_message_clone(fwd->req, &copy) != 0)
        return -ENOMEM;
    int rc =
        proxy_push_via(copy, next_hop->proto, fwd->opts.self->host, fwd->opts.self->port, branch);
    if (rc == 0)
        rc = txn_request(fwd->layer, &copy, next_hop, on_response, fwd, &fwd->ct);
    osip_message_free(copy);
    if (rc == 0) {
        fwd->ct->drop = fwd_drop; /* the layer is freed while we wait */
        fwd->attempts++;
    }
    return rc;
}

/* Sends resp (owned) upstream; a final one ends fwd. */
static void relay(struct proxy_fwd *fwd, osip_message_t *resp)
{
    bool final = resp->status_code >= 200;
    if (resp->status_code == 503) {
        /* RFC 3261 §16.7 item 6: a 503 is not forwarded upstream, 500 is sent instead */
        osip_message_set_status_code(resp, 500);
        osip_free(resp->reason_phrase);
        resp->reason_phrase = osip_strdup(txn_reason_phrase(500));
    }
    int rc = txn_respond(fwd->st, &resp);
    if (rc < 0)
        log_info("proxy: relaying a response upstream failed: %s", strerror(-rc));
    if (final) {
        fwd->st = NULL;
        fwd_free(fwd);
    }
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **respp, bool local)
{
    struct proxy_fwd *fwd = arg;
    osip_message_t *resp = *respp;
    bool final = resp->status_code >= 200;
    if (final)
        fwd->ct = NULL; /* ct is gone after this callback */
    if (resp->status_code == 100)
        return; /* hop by hop (RFC 3261 §16.7 item 3) */
    if (proxy_pop_via(resp, fwd->opts.self) != 0) {
        log_info("proxy: response %d without our Via on top", resp->status_code);
        if (!final)
            return;
        osip_message_t *bad = NULL;
        const osip_message_t *req = txn_server_request(fwd->st);
        if (!req || txn_response_new(req, 502, NULL, &bad) != 0) {
            txn_server_release(fwd->st);
            fwd_free(fwd);
            return;
        }
        *respp = NULL;
        osip_message_free(resp);
        resp = bad;
        *respp = resp;
    }
    if (fwd->opts.hook) {
        fwd->in_hook = true;
        fwd->retried = false;
        fwd->opts.hook(fwd->opts.hook_arg, fwd, respp, local);
        fwd->in_hook = false;
        if (final && fwd->retried)
            return; /* the layer frees *respp */
    }
    if (!*respp) {
        if (final && txn_respond_code(fwd->st, 500, NULL) < 0)
            log_info("proxy: answering 500 upstream failed");
        if (final)
            fwd_free(fwd);
        return;
    }
    resp = *respp;
    *respp = NULL;
    relay(fwd, resp);
}

int proxy_forward(struct txn_layer *layer, struct txn_server *st, osip_message_t **reqp,
                  const struct txn_addr *next_hop, const struct proxy_fwd_opts *opts,
                  struct proxy_fwd **out)
{
    if (!layer || !st || !reqp || !*reqp || !next_hop || !opts || !opts->self ||
        !opts->self->host || !MSG_IS_REQUEST(*reqp) || MSG_IS_ACK(*reqp))
        return -EINVAL;
    const osip_message_t *received = txn_server_request(st);
    if (!received)
        return -ENOTCONN;
    struct proxy_fwd *fwd = calloc(1, sizeof(*fwd));
    if (!fwd)
        return -ENOMEM;
    fwd->layer = layer;
    fwd->st = st;
    fwd->opts = *opts;
    int rc = -ENOMEM;
    if (osip_message_clone(*reqp, &fwd->req) != 0)
        goto err;
    if ((rc = proxy_max_forwards(fwd->req)) != 0)
        goto err;
    if (opts->record_route &&
        (rc = proxy_add_record_route(fwd->req, txn_server_source(st)->proto, opts->self->host,
                                     opts->self->port)) != 0)
        goto err;
    if ((rc = proxy_branch_derive(received, fwd->branch, sizeof(fwd->branch))) != 0)
        goto err;
    if ((rc = start_attempt(fwd, next_hop)) != 0)
        goto err;
    osip_message_free(*reqp);
    *reqp = NULL;
    if (out)
        *out = fwd;
    return 0;
err:
    fwd_free(fwd);
    return rc;
}

int proxy_fwd_retry(struct proxy_fwd *fwd, osip_message_t **reqp, const struct txn_addr *next_hop)
{
    if (!fwd || !next_hop || !fwd->in_hook || fwd->ct || (reqp && !*reqp))
        return -EINVAL;
    osip_message_t *old = NULL;
    if (reqp) {
        old = fwd->req;
        fwd->req = *reqp;
    }
    int rc = start_attempt(fwd, next_hop);
    if (rc != 0) {
        if (reqp)
            fwd->req = old;
        return rc;
    }
    if (reqp) {
        osip_message_free(old);
        *reqp = NULL;
    }
    fwd->retried = true;
    return 0;
}

const osip_message_t *proxy_fwd_request(const struct proxy_fwd *fwd)
{
    return fwd ? fwd->req : NULL;
}

int proxy_fwd_attempts(const struct proxy_fwd *fwd)
{
    return fwd ? fwd->attempts : 0;
}
