/*
 * transport: life cycle, the send dispatcher and counters.
 */
#include "transport_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * A write to a peer that reset the connection raises SIGPIPE, which kills the
 * process by default. Ignore it unless the program chose a disposition.
 */
static void ignore_sigpipe(void)
{
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN);
}

int tp_new(struct loop *loop, const struct tp_config *cfg, tp_recv_cb cb, void *arg,
           struct tp **out)
{
    if (!loop || !cb || !out)
        return -EINVAL;
    struct tp *tp = calloc(1, sizeof(*tp));
    if (!tp)
        return -ENOMEM;
    if (cfg)
        tp->cfg = *cfg;
    if (tp->cfg.max_msg_size == 0)
        tp->cfg.max_msg_size = TP_DEFAULT_MAX_MSG_SIZE;
    if (tp->cfg.tcp_idle_timeout == 0)
        tp->cfg.tcp_idle_timeout = TP_DEFAULT_TCP_IDLE_TIMEOUT;
    if (tp->cfg.max_connections == 0)
        tp->cfg.max_connections = TP_DEFAULT_MAX_CONNECTIONS;
    if (tp->cfg.tcp_backlog <= 0)
        tp->cfg.tcp_backlog = TP_DEFAULT_TCP_BACKLOG;
    tp->loop = loop;
    tp->base = loop_base(loop);
    tp->cb = cb;
    tp->arg = arg;
    tp->next_conn_id = 1;
    tp->udp_buf = malloc(tp->cfg.max_msg_size + 1);
    if (!tp->udp_buf || tp__conn_table_init(&tp->conns) < 0) {
        free(tp->udp_buf);
        free(tp);
        return -ENOMEM;
    }
    ignore_sigpipe();
    *out = tp;
    return 0;
}

void tp_free(struct tp *tp)
{
    if (!tp)
        return;
    tp__tcpl_free_all(tp);
    tp__udp_free_all(tp);
    struct tp__conn *c;
    while ((c = tp__conn_table_pop(&tp->conns)) != NULL)
        tp__conn_destroy(c);
    tp__conn_table_fini(&tp->conns);
    free(tp->udp_buf);
    free(tp);
}

static int first_port(const struct tp_addr *a)
{
    return a ? (int)a->port : -ENOENT;
}

int tp_local_port(const struct tp *tp, enum tp_proto proto)
{
    if (!tp)
        return -ENOENT;
    if (proto == TP_PROTO_UDP)
        return first_port(tp->udp ? &tp->udp->local : NULL);
    if (proto == TP_PROTO_TCP)
        return first_port(tp->tcpl ? &tp->tcpl->local : NULL);
    return -ENOENT;
}

/* The TP_LISTEN_CONNECT_FROM listener flow->local names, or NULL. */
static const struct tp__tcpl *connect_from_listener(const struct tp *tp, const struct tp_flow *flow)
{
    if (flow->local.port == 0)
        return NULL;
    for (const struct tp__tcpl *l = tp->tcpl; l; l = l->next)
        if (l->connect_from && l->local.port == flow->local.port &&
            l->local.ss.ss_family == flow->remote.ss.ss_family)
            return l;
    return NULL;
}

/* Finds or opens the TCP connection for flow, as tp_send() describes. */
static int tcp_pick(struct tp *tp, const struct tp_flow *flow, struct tp__conn **out)
{
    struct tp__conn *c = NULL;
    if (flow->conn_id) {
        c = tp__conn_table_by_id(&tp->conns, flow->conn_id);
        if (tp__conn_is_usable(c)) {
            *out = c;
            return 0;
        }
    }
    int family = flow->remote.ss.ss_family;
    if (family != AF_INET && family != AF_INET6)
        return flow->conn_id ? -ENOTCONN : -EINVAL;
    const struct tp__tcpl *from = connect_from_listener(tp, flow);
    c = from ? tp__conn_table_by_addr_from(&tp->conns, &flow->remote, from->local.port)
             : tp__conn_table_by_addr(&tp->conns, &flow->remote);
    if (c) {
        *out = c;
        return 0;
    }
    return tp__conn_connect(tp, &flow->remote, from ? &from->local : NULL, out);
}

int tp_send_ex(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len,
               uint64_t *conn_id)
{
    int rc = -EINVAL;
    uint64_t used = 0;
    if (!tp || !flow || !buf || len == 0)
        goto out;
    if (len > tp->cfg.max_msg_size) {
        log_warn("transport: not sending a %zu-byte message to %s:%u (max %zu)", len,
                 flow->remote.ip, flow->remote.port, tp->cfg.max_msg_size);
        rc = -EMSGSIZE;
        goto out;
    }
    if (flow->proto == TP_PROTO_UDP) {
        rc = tp__udp_send(tp, flow, buf, len);
    } else if (flow->proto == TP_PROTO_TCP) {
        struct tp__conn *c = NULL;
        rc = tcp_pick(tp, flow, &c);
        if (rc == 0) {
            rc = tp__conn_write(c, buf, len);
            used = c->id;
        }
    }
out:
    if (!tp)
        return rc;
    if (rc < 0) {
        tp->stats.send_errors++;
        return rc;
    }
    tp->stats.msgs_out++;
    tp->stats.bytes_out += len;
    if (conn_id)
        *conn_id = used;
    return 0;
}

int tp_send(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len)
{
    return tp_send_ex(tp, flow, buf, len, NULL);
}

int tp_conn_close(struct tp *tp, uint64_t conn_id)
{
    if (!tp)
        return -ENOTCONN;
    struct tp__conn *c = tp__conn_table_by_id(&tp->conns, conn_id);
    if (!tp__conn_is_usable(c))
        return -ENOTCONN;
    tp__conn_close(c, false);
    return 0;
}

int tp_conn_is_open(const struct tp *tp, uint64_t conn_id)
{
    if (!tp)
        return 0;
    return tp__conn_is_usable(tp__conn_table_by_id(&tp->conns, conn_id));
}

void tp_get_stats(const struct tp *tp, struct tp_stats *out)
{
    if (tp)
        *out = tp->stats;
    else
        memset(out, 0, sizeof(*out));
}

const char *tp_proto_name(enum tp_proto proto)
{
    switch (proto) {
    case TP_PROTO_UDP:
        return "UDP";
    case TP_PROTO_TCP:
        return "TCP";
    default:
        return "?";
    }
}

int tp_proto_parse(const char *name, enum tp_proto *out)
{
    if (name && strcasecmp(name, "udp") == 0) {
        *out = TP_PROTO_UDP;
        return 0;
    }
    if (name && strcasecmp(name, "tcp") == 0) {
        *out = TP_PROTO_TCP;
        return 0;
    }
    return -EINVAL;
}
