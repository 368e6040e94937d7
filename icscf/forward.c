/*
 * forward.c: stateful forwarding to an S-CSCF with failover (TS 24.229
 * §5.3.1.3): each attempt is one client transaction; no final answer within
 * scscf_timeout, a transport error or a 5xx makes it try the next S-CSCF of
 * the list. Responses are relayed upstream without our Via. Only this
 * transaction state is kept; it is freed with the final answer. A REGISTER
 * sent to the Server-Name of a UAA is re-selected (reselect.c) when it fails.
 */
#include "icscf_context.h"

#include "log/log.h"
#include "loop/loop.h"
#include "sip/sip.h"
#include "txn/txn.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fwd {
    struct fwd *next;
    uint64_t st_id;
    osip_message_t *req; /* prepared request, without our Via; owned */
    size_t order[ICSCF_MAX_SCSCFS];
    size_t n, idx;
    bool route;
    bool reselect;         /* on failure, icscf_reselect_start() instead of answering */
    struct txn_client *ct; /* current attempt, NULL when none */
    struct event *timer;
    osip_message_t *last; /* last 5xx received, owned; relayed when all fail */
    bool last_timeout;
};

static struct fwd *fwds;

static void fwd_free(struct fwd *f)
{
    for (struct fwd **p = &fwds; *p; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            break;
        }
    if (f->ct)
        txn_client_abandon(f->ct);
    if (f->timer)
        event_free(f->timer);
    osip_message_free(f->req);
    osip_message_free(f->last);
    free(f);
}

void icscf_forward_free_all(void)
{
    while (fwds)
        fwd_free(fwds);
}

void icscf_reply(struct txn_server *st, int code, const char *reason, bool retry_after)
{
    struct icscf_context *ic = icscf_self();
    osip_message_t *resp = NULL;

    if (txn_response_new(txn_server_request(st), code, reason, &resp) != 0) {
        txn_respond_code(st, code, reason);
        return;
    }
    if (retry_after)
        sip_hdr_set_uint(resp, "Retry-After", ic->retry_after_s);
    txn_respond(st, &resp);
}

static struct txn_server *fwd_server(const struct fwd *f)
{
    struct icscf_context *ic = icscf_self();
    return ic->sip ? txn_server_lookup(sipstack_txn(ic->sip), f->st_id) : NULL;
}

/* All attempts failed: relay the last 5xx, or 504 after timeouts (RFC 3261 §16.7). */
static void fwd_give_up(struct fwd *f)
{
    struct icscf_context *ic = icscf_self();
    struct txn_server *st = fwd_server(f);

    if (st && f->reselect && f->n > 0 &&
        icscf_reselect_start(st, ic->scscfs[f->order[0]].name) == 0) {
        fwd_free(f);
        return;
    }
    if (st) {
        if (f->last) {
            txn_respond(st, &f->last);
        } else {
            log_notice("icscf: no S-CSCF answered in time");
            icscf_reply(st, 504, "Server Time-out", false);
        }
    }
    fwd_free(f);
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **resp, bool local);
static int fwd_attempt(struct fwd *f);

static void fwd_next(struct fwd *f)
{
    while (f->idx < f->n)
        if (fwd_attempt(f) == 0)
            return;
    fwd_give_up(f);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct fwd *f = arg;
    struct icscf_context *ic = icscf_self();

    log_notice("icscf: %s: no final answer within %u ms, trying the next S-CSCF",
               ic->scscfs[f->order[f->idx - 1]].name, ic->scscf_timeout_ms);
    txn_client_abandon(f->ct);
    f->ct = NULL;
    f->last_timeout = true;
    fwd_next(f);
}

/* Starts the attempt at f->order[f->idx++]. Returns 0 or a negative errno. */
static int fwd_attempt(struct fwd *f)
{
    struct icscf_context *ic = icscf_self();
    const struct icscf_scscf *s = &ic->scscfs[f->order[f->idx++]];
    struct txn_addr dst;
    osip_message_t *req = NULL;
    char branch[PROXY_BRANCH_LEN];
    struct timeval tv;
    int rc;

    memset(&dst, 0, sizeof(dst));
    dst.proto = s->proto;
    snprintf(dst.host, sizeof(dst.host), "%s", s->host);
    dst.port = s->port;
    if ((rc = osip_message_clone(f->req, &req)) != 0) {
        rc = -ENOMEM;
        goto out;
    }
    if (f->route && (rc = sip_addr_list_add(req, "Route", s->name, true, true)) != 0)
        goto out;
    if ((rc = proxy_branch_new(branch, sizeof(branch))) != 0 ||
        (rc = proxy_push_via(req, s->proto, sipstack_host(ic->sip), sipstack_port(ic->sip),
                             branch)) != 0)
        goto out;
    if ((rc = txn_request(sipstack_txn(ic->sip), &req, &dst, on_response, f, &f->ct)) != 0)
        goto out;
    tv.tv_sec = ic->scscf_timeout_ms / 1000;
    tv.tv_usec = (ic->scscf_timeout_ms % 1000) * 1000;
    evtimer_add(f->timer, &tv);
    log_info("icscf: forwarding to %s (%s:%d), attempt %zu of %zu", s->name, s->host, s->port,
             f->idx, f->n);
out:
    if (rc)
        log_warn("icscf: cannot forward to %s: %s", s->name, strerror(-rc));
    osip_message_free(req);
    return rc;
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **resp, bool local)
{
    struct fwd *f = arg;
    struct icscf_context *ic = icscf_self();
    struct txn_server *st;
    int code = (*resp)->status_code;

    if (code < 200) {
        if (code == 100 || local)
            return;
        if (proxy_pop_via(*resp, sipstack_self(ic->sip)) == 0 && (st = fwd_server(f))) {
            osip_message_t *copy = NULL;
            if (osip_message_clone(*resp, &copy) == 0)
                txn_respond(st, &copy);
        }
        return;
    }
    /* final: ct is freed after this callback */
    f->ct = NULL;
    evtimer_del(f->timer);
    if (local || code >= 500) {
        log_notice("icscf: %s answered %d%s", ic->scscfs[f->order[f->idx - 1]].name, code,
                   local ? " (local: timeout or transport error)" : "");
        if (!local && proxy_pop_via(*resp, sipstack_self(ic->sip)) == 0) {
            osip_message_free(f->last);
            f->last = *resp;
            *resp = NULL;
        }
        fwd_next(f);
        return;
    }
    if (proxy_pop_via(*resp, sipstack_self(ic->sip)) != 0) {
        log_warn("icscf: response without our Via dropped");
        f->reselect = false; /* the S-CSCF answered: not a case for re-selection */
        fwd_give_up(f);
        return;
    }
    if ((st = fwd_server(f)))
        txn_respond(st, resp);
    fwd_free(f);
}

void icscf_forward(struct txn_server *st, const size_t *order, size_t n, bool route, bool reselect)
{
    struct icscf_context *ic = icscf_self();
    const struct proxy_self *me = sipstack_self(ic->sip);
    struct fwd *f = NULL;
    int rc;

    if (n == 0 || n > ICSCF_MAX_SCSCFS) {
        icscf_reply(st, 500, NULL, false);
        return;
    }
    f = calloc(1, sizeof(*f));
    if (!f || osip_message_clone(txn_server_request(st), &f->req) != 0 ||
        !(f->timer = evtimer_new(loop_base(ic->loop), on_timer, f))) {
        icscf_reply(st, 500, NULL, false);
        goto err;
    }
    rc = proxy_max_forwards(f->req);
    if (rc == -ELOOP) {
        icscf_reply(st, 483, NULL, false);
        goto err;
    } else if (rc) {
        icscf_reply(st, 400, "Bad Max-Forwards", false);
        goto err;
    }
    if (proxy_route_preprocess(f->req, me) != 0) {
        icscf_reply(st, 500, NULL, false);
        goto err;
    }
    memcpy(f->order, order, n * sizeof(*order));
    f->n = n;
    f->route = route;
    f->reselect = reselect;
    f->st_id = txn_server_id(st);
    f->next = fwds;
    fwds = f;
    fwd_next(f);
    return;
err:
    if (f) {
        if (f->timer)
            event_free(f->timer);
        osip_message_free(f->req);
        free(f);
    }
}
