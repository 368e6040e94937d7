/*
 * txn_layer.c: the layer object, libosip2 wiring (callbacks, send), and the pump
 * that runs osip's execute functions from the libevent loop.
 */
#include "txn_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const osip_fsm_type_t all_kinds[] = {ICT, IST, NICT, NIST};

static osip_list_t *txn_list(osip_t *osip, osip_fsm_type_t kind)
{
    switch (kind) {
    case ICT:
        return &osip->osip_ict_transactions;
    case IST:
        return &osip->osip_ist_transactions;
    case NICT:
        return &osip->osip_nict_transactions;
    default:
        return &osip->osip_nist_transactions;
    }
}

void txn__deadline(struct timeval *tv, int ms)
{
    osip_gettimeofday(tv, NULL);
    add_gettimeofday(tv, ms);
}

bool txn__via_is_reliable(const osip_via_t *via)
{
    const char *p = via ? via->protocol : NULL;
    if (!p)
        return false;
    return osip_strcasecmp(p, "TCP") == 0 || osip_strcasecmp(p, "TLS") == 0 ||
           osip_strcasecmp(p, "SCTP") == 0;
}

void txn__apply_timers(struct txn_layer *layer, osip_transaction_t *tr)
{
    bool reliable = txn__via_is_reliable(tr->topvia);
    int t1 = layer->t1;

    switch (tr->ctx_type) {
    case NICT:
        if (!reliable) {
            tr->nict_context->timer_e_length = t1;
            tr->nict_context->timer_k_length = layer->t4;
        }
        tr->nict_context->timer_f_length = 64 * t1;
        txn__deadline(&tr->nict_context->timer_f_start, 64 * t1);
        break;
    case ICT:
        if (!reliable) {
            tr->ict_context->timer_a_length = t1;
            txn__deadline(&tr->ict_context->timer_a_start, t1);
            tr->ict_context->timer_d_length = 64 * t1 > 32000 ? 64 * t1 : 32000;
        }
        tr->ict_context->timer_b_length = 64 * t1;
        txn__deadline(&tr->ict_context->timer_b_start, 64 * t1);
        break;
    case IST:
        if (!reliable) {
            tr->ist_context->timer_g_length = t1;
            tr->ist_context->timer_i_length = layer->t4;
        }
        tr->ist_context->timer_h_length = 64 * t1;
        break;
    case NIST:
        if (!reliable)
            tr->nist_context->timer_j_length = 64 * t1;
        break;
    }
}

osip_event_t *txn__event_new(osip_message_t *msg, bool incoming)
{
    osip_event_t *evt = osip_malloc(sizeof(*evt));
    if (!evt)
        return NULL;
    memset(evt, 0, sizeof(*evt));
    evt->sip = msg;
    if (MSG_IS_REQUEST(msg)) {
        if (MSG_IS_INVITE(msg))
            evt->type = incoming ? RCV_REQINVITE : SND_REQINVITE;
        else if (MSG_IS_ACK(msg))
            evt->type = incoming ? RCV_REQACK : SND_REQACK;
        else
            evt->type = incoming ? RCV_REQUEST : SND_REQUEST;
    } else if (msg->status_code < 200) {
        evt->type = incoming ? RCV_STATUS_1XX : SND_STATUS_1XX;
    } else if (msg->status_code < 300) {
        evt->type = incoming ? RCV_STATUS_2XX : SND_STATUS_2XX;
    } else {
        evt->type = incoming ? RCV_STATUS_3456XX : SND_STATUS_3456XX;
    }
    return evt;
}

int txn__send_msg(struct txn_layer *layer, osip_message_t *msg, const struct txn_addr *dst)
{
    char *buf = NULL;
    size_t len = 0;
    osip_message_force_update(msg);
    if (osip_message_to_str(msg, &buf, &len) != 0 || !buf)
        return -EPROTO;
    int rc = layer->send(layer->send_arg, dst, buf, len);
    osip_free(buf);
    return rc < 0 ? rc : 0;
}

int txn_send_stateless(struct txn_layer *layer, osip_message_t *msg, const struct txn_addr *dst)
{
    if (!layer || !msg || !dst)
        return -EINVAL;
    return txn__send_msg(layer, msg, dst);
}

/* ---- osip callbacks (called from the execute functions, on the loop thread) ---- */

static struct txn_layer *layer_of(osip_transaction_t *tr)
{
    return osip_get_application_context((osip_t *)tr->config);
}

static int cb_send(osip_transaction_t *tr, osip_message_t *msg, char *host, int port, int sock)
{
    struct txn_layer *layer = layer_of(tr);
    void *w = osip_transaction_get_your_instance(tr);
    if (!w)
        return 0; /* released or abandoned-and-killed: nothing to send */
    const struct txn_addr *dst = *(enum txn__kind *)w == TXN__SERVER
                                     ? &((struct txn_server *)w)->dst
                                     : &((struct txn_client *)w)->dst;
    int rc = txn__send_msg(layer, msg, dst);
    if (rc < 0) {
        log_warn("txn: send to %s:%d failed: %s", dst->host, dst->port, strerror(-rc));
        return -1;
    }
    return 0;
}

static void cb_message(int type, osip_transaction_t *tr, osip_message_t *msg)
{
    struct txn_layer *layer = layer_of(tr);
    switch (type) {
    case OSIP_ICT_INVITE_SENT_AGAIN:
    case OSIP_ICT_ACK_SENT_AGAIN:
    case OSIP_IST_STATUS_2XX_SENT_AGAIN:
    case OSIP_IST_STATUS_3456XX_SENT_AGAIN:
    case OSIP_NICT_REQUEST_SENT_AGAIN:
    case OSIP_NIST_STATUS_2XX_SENT_AGAIN:
    case OSIP_NIST_STATUS_3456XX_SENT_AGAIN:
        layer->stats.retransmits++;
        break;
    default:
        break;
    }
    void *w = osip_transaction_get_your_instance(tr);
    if (!w)
        return;
    if (*(enum txn__kind *)w == TXN__SERVER)
        txn__server_msg_cb(type, tr, msg);
    else
        txn__client_msg_cb(type, tr, msg);
}

static void cb_kill(int type, osip_transaction_t *tr)
{
    struct txn_layer *layer = layer_of(tr);
    if (!txn__trash(layer, tr))
        return;
    void *w = osip_transaction_get_your_instance(tr);
    osip_transaction_set_your_instance(tr, NULL);
    if (!w)
        return;
    if (*(enum txn__kind *)w == TXN__SERVER)
        txn__server_killed(w);
    else
        txn__client_killed(w);
}

static void cb_transport_error(int type, osip_transaction_t *tr, int error)
{
    struct txn_layer *layer = layer_of(tr);
    layer->stats.transport_errors++;
    void *w = osip_transaction_get_your_instance(tr);
    if (w && *(enum txn__kind *)w == TXN__CLIENT)
        txn__client_failed(w, 503);
}

/* ---- pump and timers ---- */

static bool has_pending(osip_t *osip)
{
    for (size_t k = 0; k < sizeof(all_kinds) / sizeof(all_kinds[0]); k++) {
        osip_list_iterator_t it;
        osip_transaction_t *tr = osip_list_get_first(txn_list(osip, all_kinds[k]), &it);
        while (osip_list_iterator_has_elem(it)) {
            if (osip_fifo_size(tr->transactionff) > 0)
                return true;
            tr = osip_list_get_next(&it);
        }
    }
    return false;
}

static int count_all(osip_t *osip)
{
    int n = 0;
    for (size_t k = 0; k < sizeof(all_kinds) / sizeof(all_kinds[0]); k++)
        n += osip_list_size(txn_list(osip, all_kinds[k]));
    return n;
}

bool txn__trash(struct txn_layer *layer, osip_transaction_t *tr)
{
    if (osip_transaction_get_reserved2(tr) == layer)
        return false;
    osip_remove_transaction(layer->osip, tr);
    /* execute() may still walk tr: free it after the pump */
    osip_transaction_set_reserved2(tr, layer);
    osip_list_add(&layer->garbage, tr, -1);
    return true;
}

static void free_garbage(struct txn_layer *layer)
{
    osip_transaction_t *tr;
    while ((tr = osip_list_get(&layer->garbage, 0)) != NULL) {
        osip_list_remove(&layer->garbage, 0);
        osip_transaction_free2(tr);
    }
}

static void rearm(struct txn_layer *layer)
{
    if (count_all(layer->osip) == 0) {
        evtimer_del(layer->timer);
        return;
    }
    struct timeval lower, now, delta;
    osip_timers_gettimeout(layer->osip, &lower);
    osip_gettimeofday(&now, NULL);
    if (timercmp(&lower, &now, <=)) {
        delta.tv_sec = 0;
        delta.tv_usec = 0;
    } else {
        timersub(&lower, &now, &delta);
        if (delta.tv_sec > 3600) {
            delta.tv_sec = 3600;
            delta.tv_usec = 0;
        }
    }
    /* round up to a whole millisecond so an early wake-up does not spin */
    delta.tv_usec = ((delta.tv_usec + 999) / 1000) * 1000;
    if (delta.tv_usec >= 1000000) {
        delta.tv_sec++;
        delta.tv_usec -= 1000000;
    }
    evtimer_add(layer->timer, &delta);
}

void txn__pump(struct txn_layer *layer)
{
    if (layer->pumping)
        return; /* the running pump sees the new events */
    layer->pumping = 1;
    for (int round = 0; round < 1000; round++) {
        osip_ict_execute(layer->osip);
        osip_ist_execute(layer->osip);
        osip_nict_execute(layer->osip);
        osip_nist_execute(layer->osip);
        if (!has_pending(layer->osip))
            break;
    }
    layer->pumping = 0;
    free_garbage(layer);
    rearm(layer);
}

void txn__kick(struct txn_layer *layer)
{
    event_active(layer->kick, EV_TIMEOUT, 0);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct txn_layer *layer = arg;
    osip_timers_ict_execute(layer->osip);
    osip_timers_ist_execute(layer->osip);
    osip_timers_nict_execute(layer->osip);
    osip_timers_nist_execute(layer->osip);
    txn__pump(layer);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    txn__pump(arg);
}

/* ---- public ---- */

int txn_layer_new(struct loop *loop, txn_send_fn send, void *send_arg, const struct txn_handlers *h,
                  void *arg, struct txn_layer **out)
{
    if (!loop || !send || !h || !h->on_request || !out)
        return -EINVAL;
    struct txn_layer *layer = calloc(1, sizeof(*layer));
    if (!layer)
        return -ENOMEM;
    layer->loop = loop;
    layer->send = send;
    layer->send_arg = send_arg;
    layer->h = *h;
    layer->arg = arg;
    layer->t1 = DEFAULT_T1;
    layer->t2 = DEFAULT_T2;
    layer->t4 = DEFAULT_T4;
    layer->auto_trying = true;
    osip_list_init(&layer->garbage);
    if (osip_init(&layer->osip) != 0)
        goto err;
    osip_set_application_context(layer->osip, layer);
    osip_set_cb_send_message(layer->osip, cb_send);
    for (int t = 0; t < OSIP_MESSAGE_CALLBACK_COUNT; t++)
        osip_set_message_callback(layer->osip, t, cb_message);
    for (int t = 0; t < OSIP_KILL_CALLBACK_COUNT; t++)
        osip_set_kill_transaction_callback(layer->osip, t, cb_kill);
    for (int t = 0; t < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; t++)
        osip_set_transport_error_callback(layer->osip, t, cb_transport_error);
    layer->timer = evtimer_new(loop_base(loop), on_timer, layer);
    layer->kick = event_new(loop_base(loop), -1, 0, on_kick, layer);
    if (!layer->timer || !layer->kick)
        goto err;
    *out = layer;
    return 0;
err:
    txn_layer_free(layer);
    return -ENOMEM;
}

void txn_layer_free(struct txn_layer *layer)
{
    if (!layer)
        return;
    if (layer->timer)
        event_free(layer->timer);
    if (layer->kick)
        event_free(layer->kick);
    if (layer->osip) {
        for (size_t k = 0; k < sizeof(all_kinds) / sizeof(all_kinds[0]); k++) {
            osip_list_t *list = txn_list(layer->osip, all_kinds[k]);
            osip_transaction_t *tr;
            while ((tr = osip_list_get(list, 0)) != NULL) {
                void *w = osip_transaction_get_your_instance(tr);
                if (w && *(enum txn__kind *)w == TXN__SERVER)
                    txn__server_free(w);
                else if (w) {
                    struct txn_client *ct = w;
                    if (ct->drop && !ct->final_done && !ct->abandoned)
                        ct->drop(ct->arg);
                    txn__client_free(ct);
                }
                osip_transaction_free(tr); /* also removes it from list */
            }
        }
        free_garbage(layer);
        osip_release(layer->osip);
    }
    while (layer->servers) /* released-by-nobody wrappers of dead transactions */
        txn__server_free(layer->servers);
    free(layer);
}

int txn_layer_set_timers(struct txn_layer *layer, int t1_ms, int t2_ms, int t4_ms)
{
    if (!layer || t1_ms <= 0 || t2_ms < t1_ms || t4_ms <= 0 || t1_ms > 60000 || t2_ms > 600000 ||
        t4_ms > 600000)
        return -EINVAL;
    layer->t1 = t1_ms;
    layer->t2 = t2_ms;
    layer->t4 = t4_ms;
    return 0;
}

void txn_layer_set_auto_trying(struct txn_layer *layer, bool on)
{
    if (layer)
        layer->auto_trying = on;
}

void txn_layer_stats(const struct txn_layer *layer, struct txn_stats *out)
{
    if (!layer || !out)
        return;
    *out = layer->stats;
    out->ict = (unsigned)osip_list_size(&layer->osip->osip_ict_transactions);
    out->ist = (unsigned)osip_list_size(&layer->osip->osip_ist_transactions);
    out->nict = (unsigned)osip_list_size(&layer->osip->osip_nict_transactions);
    out->nist = (unsigned)osip_list_size(&layer->osip->osip_nist_transactions);
}
