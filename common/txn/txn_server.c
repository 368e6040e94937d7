/*
 * txn_server.c: incoming messages, server transactions (IST/NIST) and responses.
 */
#include "txn_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool msg_is_valid(const osip_message_t *m)
{
    osip_via_t *via = osip_list_get(&m->vias, 0);
    if (!via || !via->host || !m->call_id || !m->call_id->number || !m->cseq || !m->cseq->method ||
        !m->cseq->number || !m->from || !m->to)
        return false;
    if (MSG_IS_REQUEST(m))
        return m->sip_method && m->req_uri;
    return m->status_code >= 100 && m->status_code <= 699;
}

/* RFC 3261 §18.2.1 received, RFC 3581 rport. */
static void mark_received(osip_message_t *req, const struct txn_addr *src)
{
    osip_via_t *via = osip_list_get(&req->vias, 0);
    osip_generic_param_t *p = NULL;
    if (src->host[0] && osip_strcasecmp(via->host, src->host) != 0) {
        osip_via_param_get_byname(via, "received", &p);
        if (p) {
            osip_free(p->gvalue);
            p->gvalue = osip_strdup(src->host);
        } else {
            osip_via_set_received(via, osip_strdup(src->host));
        }
    }
    p = NULL;
    osip_via_param_get_byname(via, "rport", &p);
    if (p && !p->gvalue && src->port > 0) {
        char buf[16];
        snprintf(buf, sizeof(buf), "%d", src->port);
        p->gvalue = osip_strdup(buf);
    }
}

void txn_response_destination(const osip_message_t *req, const struct txn_addr *src,
                              struct txn_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (!req || !src)
        return;
    if (src->proto == TXN_PROTO_TCP) {
        *out = *src;
        return;
    }
    osip_via_t *via = osip_list_get(&req->vias, 0);
    out->proto = TXN_PROTO_UDP;
    out->local_port = src->local_port; /* answered from the port it came to */
    osip_generic_param_t *received = NULL, *rport = NULL;
    if (via) {
        osip_via_param_get_byname(via, "received", &received);
        osip_via_param_get_byname(via, "rport", &rport);
    }
    const char *host = src->host[0]                   ? src->host
                       : received && received->gvalue ? received->gvalue
                       : via && via->host             ? via->host
                                                      : "";
    snprintf(out->host, sizeof(out->host), "%s", host);
    if (rport && rport->gvalue && atoi(rport->gvalue) > 0)
        out->port = atoi(rport->gvalue);
    else if (rport && src->port > 0)
        out->port = src->port;
    else if (via && via->port && atoi(via->port) > 0)
        out->port = atoi(via->port);
    else
        out->port = 5060;
}

static void stray(struct txn_layer *layer, osip_message_t *msg, const struct txn_addr *src)
{
    if (layer->h.on_stray)
        layer->h.on_stray(layer->arg, &msg, src);
    osip_message_free(msg);
}

static void reject_stateless(struct txn_layer *layer, const osip_message_t *req,
                             const struct txn_addr *src, int code)
{
    osip_message_t *resp = NULL;
    struct txn_addr dst;
    if (txn_response_new(req, code, NULL, &resp) != 0)
        return;
    txn_response_destination(req, src, &dst);
    txn__send_msg(layer, resp, &dst);
    osip_message_free(resp);
}

static int start_server(struct txn_layer *layer, osip_message_t *msg, osip_event_t *evt,
                        const struct txn_addr *src)
{
    struct txn_server *st = calloc(1, sizeof(*st));
    osip_transaction_t *tr = NULL;
    if (!st)
        return -ENOMEM;
    int rc = osip_transaction_init(&tr, MSG_IS_INVITE(msg) ? IST : NIST, layer->osip, msg);
    if (rc != 0 || !tr) {
        free(st);
        return rc == OSIP_NOMEM ? -ENOMEM : -EPROTO;
    }
    txn__apply_timers(layer, tr);
    st->kind = TXN__SERVER;
    st->layer = layer;
    st->tr = tr;
    st->src = *src;
    txn_response_destination(msg, src, &st->dst);
    st->id = ++layer->next_id;
    if (tr->ctx_type == IST && !txn__via_is_reliable(tr->topvia))
        st->g_cur = layer->t1;
    st->next = layer->servers;
    if (layer->servers)
        layer->servers->prev = st;
    layer->servers = st;
    osip_transaction_set_your_instance(tr, st);
    osip_transaction_add_event(tr, evt);
    return 0;
}

int txn_receive(struct txn_layer *layer, osip_message_t **msgp, const struct txn_addr *src)
{
    if (!msgp || !*msgp)
        return -EINVAL;
    osip_message_t *msg = *msgp;
    *msgp = NULL;
    if (!layer || !src) {
        osip_message_free(msg);
        return -EINVAL;
    }
    if (!msg_is_valid(msg)) {
        log_info("txn: dropping a message without Via, From, To, Call-ID or CSeq from %s:%d",
                 src->host, src->port);
        osip_message_free(msg);
        return -EPROTO;
    }
    if (MSG_IS_REQUEST(msg))
        mark_received(msg, src);

    osip_event_t *evt = txn__event_new(msg, true);
    if (!evt) {
        osip_message_free(msg);
        return -ENOMEM;
    }
    if (osip_find_transaction_and_add_event(layer->osip, evt) == 0) {
        txn__pump(layer);
        return 0;
    }
    if (MSG_IS_RESPONSE(msg) || MSG_IS_ACK(msg)) {
        osip_free(evt);
        stray(layer, msg, src);
        return 0;
    }
    if (osip_strcasecmp(msg->cseq->method, msg->sip_method) != 0) {
        osip_free(evt);
        reject_stateless(layer, msg, src, 400);
        osip_message_free(msg);
        return -EPROTO;
    }
    int rc = start_server(layer, msg, evt, src);
    if (rc < 0) {
        osip_free(evt);
        if (rc == -EPROTO)
            reject_stateless(layer, msg, src, 400);
        osip_message_free(msg);
        return rc;
    }
    txn__pump(layer);
    return 0;
}

void txn__server_free(struct txn_server *st)
{
    struct txn_layer *layer = st->layer;
    if (st->prev)
        st->prev->next = st->next;
    else if (layer->servers == st)
        layer->servers = st->next;
    if (st->next)
        st->next->prev = st->prev;
    free(st);
}

void txn__server_killed(struct txn_server *st)
{
    st->tr = NULL;
    if (st->tu_done)
        txn__server_free(st);
}

static void send_trying(struct txn_server *st)
{
    osip_message_t *resp = NULL;
    if (txn_response_new(st->tr->orig_request, 100, NULL, &resp) != 0)
        return;
    osip_event_t *evt = txn__event_new(resp, false);
    if (!evt) {
        osip_message_free(resp);
        return;
    }
    osip_transaction_add_event(st->tr, evt);
}

void txn__server_msg_cb(int type, osip_transaction_t *tr, osip_message_t *msg)
{
    struct txn_server *st = osip_transaction_get_your_instance(tr);
    struct txn_layer *layer = st->layer;
    switch (type) {
    case OSIP_IST_INVITE_RECEIVED:
        if (layer->auto_trying)
            send_trying(st);
        /* fall through */
    case OSIP_NIST_REGISTER_RECEIVED:
    case OSIP_NIST_BYE_RECEIVED:
    case OSIP_NIST_OPTIONS_RECEIVED:
    case OSIP_NIST_INFO_RECEIVED:
    case OSIP_NIST_CANCEL_RECEIVED:
    case OSIP_NIST_NOTIFY_RECEIVED:
    case OSIP_NIST_SUBSCRIBE_RECEIVED:
    case OSIP_NIST_UNKNOWN_REQUEST_RECEIVED:
        layer->h.on_request(layer->arg, st, tr->orig_request, &st->src);
        break;
    case OSIP_IST_STATUS_3XX_SENT:
    case OSIP_IST_STATUS_4XX_SENT:
    case OSIP_IST_STATUS_5XX_SENT:
    case OSIP_IST_STATUS_6XX_SENT:
        st->g_start_seen = tr->ist_context->timer_g_start;
        break;
    case OSIP_IST_STATUS_3456XX_SENT_AGAIN:
        /* libosip2 doubles G up to its compiled-in T2; redo it with ours, but only
         * when Timer G fired (start moved), not on an INVITE retransmission */
        if (st->g_cur > 0 && timercmp(&tr->ist_context->timer_g_start, &st->g_start_seen, !=)) {
            st->g_cur = st->g_cur * 2 > layer->t2 ? layer->t2 : st->g_cur * 2;
            tr->ist_context->timer_g_length = st->g_cur;
            txn__deadline(&tr->ist_context->timer_g_start, st->g_cur);
            st->g_start_seen = tr->ist_context->timer_g_start;
        }
        break;
    default:
        break;
    }
}

int txn_respond(struct txn_server *st, osip_message_t **respp)
{
    if (!respp || !*respp)
        return -EINVAL;
    osip_message_t *resp = *respp;
    *respp = NULL;
    if (!st || !MSG_IS_RESPONSE(resp) || resp->status_code < 100 || resp->status_code > 699) {
        osip_message_free(resp);
        return -EINVAL;
    }
    bool final = resp->status_code >= 200;
    if (st->final) {
        osip_message_free(resp);
        return -EALREADY;
    }
    if (!st->tr) {
        osip_message_free(resp);
        if (final) {
            st->final = st->tu_done = true;
            txn__server_free(st);
        }
        return -ENOTCONN;
    }
    struct txn_layer *layer = st->layer;
    if (layer->h.on_respond)
        layer->h.on_respond(layer->arg, st, resp);
    osip_event_t *evt = txn__event_new(resp, false);
    if (!evt) {
        osip_message_free(resp);
        return -ENOMEM;
    }
    if (final)
        st->final = st->tu_done = true;
    osip_transaction_add_event(st->tr, evt);
    txn__pump(layer); /* may free st (final response) */
    return 0;
}

int txn_respond_code(struct txn_server *st, int code, const char *reason)
{
    osip_message_t *resp = NULL;
    if (!st)
        return -EINVAL;
    const osip_message_t *req = txn_server_request(st);
    int rc = req ? txn_response_new(req, code, reason, &resp) : -ENOTCONN;
    if (rc < 0) {
        if (code >= 200)
            txn_server_release(st);
        return rc;
    }
    return txn_respond(st, &resp);
}

void txn_server_release(struct txn_server *st)
{
    if (!st || st->tu_done)
        return;
    st->tu_done = true;
    if (!st->tr) {
        txn__server_free(st);
        return;
    }
    if (!st->final) {
        /* nobody will answer: take the transaction out of osip (it has no timer
         * in Trying/Proceeding and would stay forever) */
        struct txn_layer *layer = st->layer;
        osip_transaction_t *tr = st->tr;
        osip_transaction_set_your_instance(tr, NULL);
        txn__trash(layer, tr);
        txn__server_free(st);
        if (!layer->pumping)
            txn__pump(layer);
    }
}

const osip_message_t *txn_server_request(const struct txn_server *st)
{
    return st && st->tr ? st->tr->orig_request : NULL;
}

const struct txn_addr *txn_server_source(const struct txn_server *st)
{
    return st ? &st->src : NULL;
}

uint64_t txn_server_id(const struct txn_server *st)
{
    return st ? st->id : 0;
}

struct txn_server *txn_server_lookup(struct txn_layer *layer, uint64_t id)
{
    if (!layer || !id)
        return NULL;
    for (struct txn_server *st = layer->servers; st; st = st->next)
        if (st->id == id)
            return st->tu_done ? NULL : st;
    return NULL;
}

static const char *top_branch(const osip_message_t *m)
{
    osip_via_t *via = osip_list_get(&m->vias, 0);
    osip_generic_param_t *b = NULL;
    if (via)
        osip_via_param_get_byname(via, "branch", &b);
    return b ? b->gvalue : NULL;
}

struct txn_server *txn_server_find_invite(struct txn_layer *layer, const osip_message_t *cancel)
{
    if (!layer || !cancel)
        return NULL;
    const char *branch = top_branch(cancel);
    if (!branch)
        return NULL;
    osip_list_iterator_t it;
    osip_transaction_t *tr = osip_list_get_first(&layer->osip->osip_ist_transactions, &it);
    while (osip_list_iterator_has_elem(it)) {
        osip_generic_param_t *b = NULL;
        osip_via_param_get_byname(tr->topvia, "branch", &b);
        if (b && b->gvalue && strcmp(b->gvalue, branch) == 0) {
            struct txn_server *st = osip_transaction_get_your_instance(tr);
            return st && !st->tu_done ? st : NULL;
        }
        tr = osip_list_get_next(&it);
    }
    return NULL;
}
