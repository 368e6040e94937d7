#include "sipstack/sipstack.h"

#include "log/log.h"
#include "sip/sip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sipstack {
    struct tp *tp;
    struct txn_layer *txn;
    void (*conn_closed)(void *arg, uint64_t conn_id);
    void *arg;
    char host[64];
    int port;
    const char **names;
    struct proxy_self self;
    struct sipstack_stats stats;
};

void sipstack_addr_from_flow(const struct tp_flow *flow, struct txn_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->proto = flow->proto == TP_PROTO_TCP ? TXN_PROTO_TCP : TXN_PROTO_UDP;
    snprintf(out->host, sizeof(out->host), "%s", flow->remote.ip);
    out->port = flow->remote.port;
    out->conn_id = flow->proto == TP_PROTO_TCP ? flow->conn_id : 0;
}

int sipstack_flow_from_addr(const struct txn_addr *addr, struct tp_flow *out)
{
    memset(out, 0, sizeof(*out));
    out->proto = addr->proto == TXN_PROTO_TCP ? TP_PROTO_TCP : TP_PROTO_UDP;
    out->conn_id = addr->proto == TXN_PROTO_TCP ? addr->conn_id : 0;
    if (addr->port <= 0 || addr->port > 65535)
        return out->conn_id ? 0 : -EINVAL;
    int rc = tp_addr_set(&out->remote, addr->host, (uint16_t)addr->port);
    if (rc < 0 && !out->conn_id)
        return rc;
    return 0;
}

static int send_cb(void *arg, const struct txn_addr *dst, const char *buf, size_t len)
{
    struct sipstack *st = arg;
    struct tp_flow flow;
    int rc = sipstack_flow_from_addr(dst, &flow);
    if (rc < 0) {
        log_warn("sip: cannot send to %s:%d: %s", dst->host, dst->port, strerror(-rc));
        return rc;
    }
    rc = tp_send(st->tp, &flow, buf, len);
    if (rc < 0)
        log_warn("sip: send to %s:%d/%s failed: %s", dst->host, dst->port,
                 dst->proto == TXN_PROTO_TCP ? "tcp" : "udp", strerror(-rc));
    return rc;
}

/* Answers a malformed request with a stateless 400 naming the fault. */
static void reject_bad_request(struct sipstack *st, const osip_message_t *req,
                               const struct txn_addr *src, const char *reason)
{
    osip_message_t *resp = NULL;
    if (MSG_IS_ACK(req))
        return; /* never answer an ACK */
    if (sip_response_new(req, 400, reason, NULL, &resp) != 0) {
        log_warn("sip: malformed request from %s:%d (%s) cannot be answered; dropped", src->host,
                 src->port, reason);
        return;
    }
    struct txn_addr dst;
    txn_response_destination(req, src, &dst);
    txn_send_stateless(st->txn, resp, &dst);
    osip_message_free(resp);
}

static void recv_cb(void *arg, const struct tp_msg_info *info, const char *buf, size_t len)
{
    struct sipstack *st = arg;
    struct txn_addr src;
    osip_message_t *msg = NULL;
    char why[160];

    sipstack_addr_from_flow(&info->flow, &src);
    if (sip_msg_parse(buf, len, &msg, why, sizeof(why)) != 0) {
        st->stats.unparseable++;
        log_warn("sip: dropping unparseable message from %s:%d/%s (%zu bytes): %s", src.host,
                 src.port, tp_proto_name(info->proto), len, why);
        return;
    }
    sip_log_trace(msg); /* every line logged while handling it names its icid */
    if (MSG_IS_REQUEST(msg))
        st->stats.requests_in++;
    else
        st->stats.responses_in++;

    if (sip_msg_check(msg, why, sizeof(why)) != 0) {
        if (MSG_IS_REQUEST(msg)) {
            st->stats.bad_requests++;
            log_notice("sip: 400 %s to %s %s from %s:%d", why, msg->sip_method, "request", src.host,
                       src.port);
            reject_bad_request(st, msg, &src, why);
        } else {
            st->stats.bad_responses++;
            log_warn("sip: dropping malformed response from %s:%d: %s", src.host, src.port, why);
        }
        osip_message_free(msg);
        sip_log_trace(NULL);
        return;
    }
    txn_receive(st->txn, &msg, &src);
    sip_log_trace(NULL);
}

static void closed_cb(void *arg, uint64_t conn_id)
{
    struct sipstack *st = arg;
    if (st->conn_closed)
        st->conn_closed(st->arg, conn_id);
}

int sipstack_new(struct loop *loop, const struct sipstack_config *cfg, const struct txn_handlers *h,
                 void (*conn_closed)(void *arg, uint64_t conn_id), void *arg, struct sipstack **out)
{
    int rc = -ENOMEM;
    struct sipstack *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->conn_closed = conn_closed;
    st->arg = arg;
    st->port = cfg->port;
    snprintf(st->host, sizeof(st->host), "%s", cfg->advertise ? cfg->advertise : cfg->listen_host);

    st->names = calloc(cfg->n_aliases + 2, sizeof(*st->names));
    if (!st->names)
        goto err;
    size_t n = 0;
    st->names[n++] = st->host;
    if (strcmp(cfg->listen_host, st->host) != 0)
        st->names[n++] = cfg->listen_host;
    for (size_t i = 0; i < cfg->n_aliases; i++)
        st->names[n++] = cfg->aliases[i];
    st->self =
        (struct proxy_self){.names = st->names, .n_names = n, .port = st->port, .host = st->host};

    struct tp_config tpc = cfg->tp;
    tpc.on_conn_closed = closed_cb;
    if ((rc = tp_new(loop, &tpc, recv_cb, st, &st->tp)) < 0)
        goto err;
    if (cfg->udp && (rc = tp_listen_udp(st->tp, cfg->listen_host, (uint16_t)cfg->port)) < 0) {
        log_error("sip: cannot listen on udp %s:%d: %s", cfg->listen_host, cfg->port,
                  strerror(-rc));
        goto err;
    }
    if (cfg->tcp && (rc = tp_listen_tcp(st->tp, cfg->listen_host, (uint16_t)cfg->port)) < 0) {
        log_error("sip: cannot listen on tcp %s:%d: %s", cfg->listen_host, cfg->port,
                  strerror(-rc));
        goto err;
    }
    if ((rc = txn_layer_new(loop, send_cb, st, h, arg, &st->txn)) < 0)
        goto err;
    if ((cfg->t1_ms || cfg->t2_ms || cfg->t4_ms) &&
        (rc = txn_layer_set_timers(st->txn, cfg->t1_ms ? cfg->t1_ms : 500,
                                   cfg->t2_ms ? cfg->t2_ms : 4000,
                                   cfg->t4_ms ? cfg->t4_ms : 5000)) < 0)
        goto err;
    log_info("sip: listening on %s:%d (%s%s%s)", cfg->listen_host, cfg->port, cfg->udp ? "udp" : "",
             cfg->udp && cfg->tcp ? "+" : "", cfg->tcp ? "tcp" : "");
    *out = st;
    return 0;
err:
    sipstack_free(st);
    return rc;
}

void sipstack_free(struct sipstack *st)
{
    if (!st)
        return;
    txn_layer_free(st->txn);
    tp_free(st->tp);
    free(st->names);
    free(st);
}

struct txn_layer *sipstack_txn(struct sipstack *st)
{
    return st->txn;
}

struct tp *sipstack_transport(struct sipstack *st)
{
    return st->tp;
}

const struct proxy_self *sipstack_self(const struct sipstack *st)
{
    return &st->self;
}

const char *sipstack_host(const struct sipstack *st)
{
    return st->host;
}

int sipstack_port(const struct sipstack *st)
{
    return st->port;
}

void sipstack_stats(const struct sipstack *st, struct sipstack_stats *out)
{
    *out = st->stats;
}
