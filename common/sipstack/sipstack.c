#include "sipstack/sipstack.h"
#include "sipstack_internal.h"

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
    struct txn_handlers h;        /* the daemon's, when wrapped for metrics */
    struct sipstack_meter *meter; /* NULL without metrics */
    char host[64];
    char listen_host[64]; /* where the extra listeners bind */
    int *extra_ports;     /* sipstack_listen_extra() ports: symmetric responses */
    size_t n_extra;
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
    out->local_port = flow->local.port;
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
    /* send from our port local_port: any of our addresses, the remote's family */
    if (rc == 0 && addr->local_port > 0 && addr->local_port <= 65535)
        tp_addr_set(&out->local, out->remote.ss.ss_family == AF_INET6 ? "::" : "0.0.0.0",
                    (uint16_t)addr->local_port);
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
    if (st->meter)
        sipstack__meter_response_stateless(st->meter, req->sip_method, 400);
    txn_send_stateless(st->txn, resp, &dst);
    osip_message_free(resp);
}

static bool is_extra_port(const struct sipstack *st, int port)
{
    for (size_t i = 0; i < st->n_extra; i++)
        if (st->extra_ports[i] == port)
            return true;
    return false;
}

/*
 * A request that came to an extra (protected) port over UDP is answered to its
 * source port, as if the UE had asked for rport (RFC 3581): the port pair is
 * fixed by the security association (TS 33.203 §7.1), whatever sent-by says.
 */
static void force_rport(osip_message_t *req)
{
    osip_via_t *via = osip_list_get(&req->vias, 0);
    osip_generic_param_t *p = NULL;

    if (!via || (osip_via_param_get_byname(via, "rport", &p), p))
        return;
    char *name = osip_strdup("rport");
    if (name && osip_via_param_add(via, name, NULL) != 0)
        osip_free(name);
    osip_message_force_update(req);
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
            if (st->meter)
                sipstack__meter_request_stateless(st->meter, msg->sip_method);
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
    if (MSG_IS_REQUEST(msg) && info->proto == TP_PROTO_UDP && is_extra_port(st, src.local_port))
        force_rport(msg);
    txn_receive(st->txn, &msg, &src);
    sip_log_trace(NULL);
}

/* The daemon's on_request, behind the metrics meter. */
static void metered_request(void *arg, struct txn_server *ts, const osip_message_t *req,
                            const struct txn_addr *src)
{
    struct sipstack *st = arg;
    sipstack__meter_request(st->meter, txn_server_id(ts), req);
    st->h.on_request(st->arg, ts, req, src);
}

/* The daemon's on_stray, behind the metrics meter (counts ACKs for 2xx). */
static void metered_stray(void *arg, osip_message_t **msg, const struct txn_addr *src)
{
    struct sipstack *st = arg;
    if (*msg && MSG_IS_REQUEST(*msg))
        sipstack__meter_request_stateless(st->meter, (*msg)->sip_method);
    if (st->h.on_stray)
        st->h.on_stray(st->arg, msg, src);
}

/* A response the daemon hands to a transaction, for the meter. */
static void metered_respond(void *arg, struct txn_server *ts, const osip_message_t *resp)
{
    struct sipstack *st = arg;
    sipstack__meter_respond(st->meter, ts, resp);
    if (st->h.on_respond)
        st->h.on_respond(st->arg, ts, resp);
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
    snprintf(st->listen_host, sizeof(st->listen_host), "%s", cfg->listen_host);
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
    if (cfg->metrics && h && h->on_request) {
        if ((rc = sipstack__meter_new(cfg->metrics, &st->meter)) < 0)
            goto err;
        st->h = *h;
        struct txn_handlers wrapped = {
            .on_request = metered_request,
            .on_stray = metered_stray,
            .on_respond = metered_respond,
        };
        rc = txn_layer_new(loop, send_cb, st, &wrapped, st, &st->txn);
    } else {
        rc = txn_layer_new(loop, send_cb, st, h, arg, &st->txn);
    }
    if (rc < 0)
        goto err;
    if (st->meter)
        sipstack__meter_set_layer(st->meter, st->txn);
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
    sipstack__meter_free(st->meter); /* unhooks the gauge reading st->txn */
    txn_layer_free(st->txn);
    tp_free(st->tp);
    free(st->extra_ports);
    free(st->names);
    free(st);
}

int sipstack_listen_extra(struct sipstack *st, int port, bool udp, bool tcp)
{
    int rc;

    if (!st || port <= 0 || port > 65535 || (!udp && !tcp))
        return -EINVAL;
    if (udp && (rc = tp_listen_udp(st->tp, st->listen_host, (uint16_t)port)) < 0) {
        log_error("sip: cannot listen on udp %s:%d: %s", st->listen_host, port, strerror(-rc));
        return rc;
    }
    if (tcp && (rc = tp_listen_tcp_ex(st->tp, st->listen_host, (uint16_t)port,
                                      TP_LISTEN_CONNECT_FROM)) < 0) {
        log_error("sip: cannot listen on tcp %s:%d: %s", st->listen_host, port, strerror(-rc));
        return rc;
    }
    int *ports = realloc(st->extra_ports, (st->n_extra + 1) * sizeof(*ports));
    if (!ports)
        return -ENOMEM;
    ports[st->n_extra++] = port;
    st->extra_ports = ports;
    return 0;
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
