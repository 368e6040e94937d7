/*
 * txn_client.c: client transactions (ICT/NICT) and delivery of their responses.
 */
#include "txn_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void txn__client_free(struct txn_client *ct)
{
    if (!ct)
        return;
    osip_message_free(ct->req_copy);
    free(ct);
}

/* Hands resp (owned) to the TU. */
static void deliver(struct txn_client *ct, osip_message_t *resp, bool local)
{
    bool final = resp->status_code >= 200;
    if (ct->final_done || ct->abandoned || !ct->cb) {
        if (final)
            ct->final_done = true;
        osip_message_free(resp);
        return;
    }
    if (final)
        ct->final_done = true;
    ct->in_cb = true;
    ct->cb(ct->arg, ct, &resp, local);
    ct->in_cb = false;
    osip_message_free(resp);
    if (final)
        ct->abandoned = true; /* never call again; the TU no longer holds ct */
}

void txn__client_failed(struct txn_client *ct, int code)
{
    osip_message_t *resp = NULL;
    if (ct->final_done)
        return;
    if (txn_response_new(ct->req_copy, code, NULL, &resp) != 0) {
        log_error("txn: cannot build a local %d response", code);
        ct->final_done = true;
        return;
    }
    deliver(ct, resp, true);
}

void txn__client_killed(struct txn_client *ct)
{
    ct->tr = NULL;
    if (!ct->final_done)
        txn__client_failed(ct, 503); /* killed without an outcome: treat as transport error */
    /* the TU no longer holds ct: it got its final response or abandoned it */
    txn__client_free(ct);
}

static void deliver_copy(struct txn_client *ct, osip_message_t *msg)
{
    osip_message_t *copy = NULL;
    if (ct->final_done || ct->abandoned) {
        if (msg->status_code >= 200)
            ct->final_done = true;
        return;
    }
    if (osip_message_clone(msg, &copy) != 0) {
        log_error("txn: out of memory copying a response");
        if (msg->status_code >= 200)
            txn__client_failed(ct, 500);
        return;
    }
    deliver(ct, copy, false);
}

void txn__client_msg_cb(int type, osip_transaction_t *tr, osip_message_t *msg)
{
    struct txn_client *ct = osip_transaction_get_your_instance(tr);
    struct txn_layer *layer = ct->layer;
    switch (type) {
    case OSIP_NICT_STATUS_1XX_RECEIVED:
        /* RFC 3261 §17.1.2.2: in Proceeding retransmit every T2 (ours, not osip's) */
        if (tr->nict_context->timer_e_length > 0) {
            ct->e_cur = layer->t2;
            tr->nict_context->timer_e_length = layer->t2;
            txn__deadline(&tr->nict_context->timer_e_start, layer->t2);
        }
        deliver_copy(ct, msg);
        break;
    case OSIP_ICT_STATUS_1XX_RECEIVED:
    case OSIP_ICT_STATUS_2XX_RECEIVED:
    case OSIP_ICT_STATUS_3XX_RECEIVED:
    case OSIP_ICT_STATUS_4XX_RECEIVED:
    case OSIP_ICT_STATUS_5XX_RECEIVED:
    case OSIP_ICT_STATUS_6XX_RECEIVED:
    case OSIP_NICT_STATUS_2XX_RECEIVED:
    case OSIP_NICT_STATUS_3XX_RECEIVED:
    case OSIP_NICT_STATUS_4XX_RECEIVED:
    case OSIP_NICT_STATUS_5XX_RECEIVED:
    case OSIP_NICT_STATUS_6XX_RECEIVED:
        deliver_copy(ct, msg);
        break;
    case OSIP_ICT_STATUS_TIMEOUT:
    case OSIP_NICT_STATUS_TIMEOUT:
        layer->stats.timeouts++;
        txn__client_failed(ct, 408);
        break;
    case OSIP_NICT_REQUEST_SENT_AGAIN:
        /* libosip2 computed the next interval from its compiled-in T1/T2: redo it */
        if (ct->e_cur > 0 && tr->nict_context->timer_e_length > 0) {
            if (tr->state == NICT_PROCEEDING)
                ct->e_cur = layer->t2;
            else
                ct->e_cur = ct->e_cur * 2 > layer->t2 ? layer->t2 : ct->e_cur * 2;
            tr->nict_context->timer_e_length = ct->e_cur;
            txn__deadline(&tr->nict_context->timer_e_start, ct->e_cur);
        }
        break;
    default:
        break;
    }
}

static const char *branch_of(osip_via_t *via)
{
    osip_generic_param_t *b = NULL;
    osip_via_param_get_byname(via, "branch", &b);
    return b ? b->gvalue : NULL;
}

int txn_request(struct txn_layer *layer, osip_message_t **reqp, const struct txn_addr *dst,
                txn_response_cb cb, void *arg, struct txn_client **out)
{
    if (!layer || !reqp || !*reqp || !dst || !cb || dst->port <= 0 || dst->port > 65535)
        return -EINVAL;
    osip_message_t *req = *reqp;
    if (!MSG_IS_REQUEST(req) || !req->sip_method || MSG_IS_ACK(req) || !req->req_uri ||
        !req->call_id || !req->call_id->number || !req->cseq || !req->cseq->method || !req->from ||
        !req->to || osip_strcasecmp(req->cseq->method, req->sip_method) != 0)
        return -EINVAL;
    osip_via_t *via = osip_list_get(&req->vias, 0);
    const char *branch = via ? branch_of(via) : NULL;
    if (!branch || strncmp(branch, "z9hG4bK", 7) != 0 || strlen(branch) <= 7)
        return -EINVAL;

    char *proto = osip_strdup(dst->proto == TXN_PROTO_TCP ? "TCP" : "UDP");
    if (!proto)
        return -ENOMEM;
    osip_free(via->protocol);
    via->protocol = proto;

    struct txn_client *ct = calloc(1, sizeof(*ct));
    osip_transaction_t *tr = NULL;
    if (!ct)
        return -ENOMEM;
    if (osip_message_clone(req, &ct->req_copy) != 0) {
        free(ct);
        return -ENOMEM;
    }
    int rc = osip_transaction_init(&tr, MSG_IS_INVITE(req) ? ICT : NICT, layer->osip, req);
    if (rc != 0 || !tr) {
        txn__client_free(ct);
        return rc == OSIP_NOMEM ? -ENOMEM : -EINVAL;
    }
    osip_event_t *evt = txn__event_new(req, false);
    if (!evt) {
        osip_transaction_free(tr);
        txn__client_free(ct);
        return -ENOMEM;
    }
    txn__apply_timers(layer, tr);
    ct->kind = TXN__CLIENT;
    ct->layer = layer;
    ct->tr = tr;
    ct->dst = *dst;
    ct->cb = cb;
    ct->arg = arg;
    if (tr->ctx_type == NICT && dst->proto != TXN_PROTO_TCP)
        ct->e_cur = layer->t1;
    osip_transaction_set_your_instance(tr, ct);
    osip_transaction_add_event(tr, evt);
    *reqp = NULL;
    if (out)
        *out = ct;
    txn__kick(layer); /* send from the loop: cb is never called before we return */
    return 0;
}

void txn_client_abandon(struct txn_client *ct)
{
    if (!ct)
        return;
    ct->abandoned = true; /* freed when libosip2 kills the transaction */
}

const osip_message_t *txn_client_request(const struct txn_client *ct)
{
    return ct ? ct->req_copy : NULL;
}
