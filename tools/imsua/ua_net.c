/*
 * imsua: the network layer. One transport (UDP or TCP) towards one proxy,
 * non-INVITE client transactions (RFC 3261 §17.1.2: T1 doubling to T2 over
 * UDP, one deadline) matched by the branch of the top Via, and requests from
 * the network handed to one callback.
 */
#include "log/log.h"
#include "loop/loop.h"
#include "ua_ue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UA_T1_MS 500
#define UA_T2_MS 4000

struct ua_net {
    const struct ua_opts *o;
    struct loop *loop;
    struct tp *tp;
    struct tp_flow flow;
    char host[TP_IP_STRLEN + 2];
    int port;
    struct ua_ctr *active;
    ua_request_cb req_cb;
    void *req_arg;
};

const char *ua_net_host(const struct ua_net *net)
{
    return net->host;
}
int ua_net_port(const struct ua_net *net)
{
    return net->port;
}
const char *ua_net_via_proto(const struct ua_net *net)
{
    return net->o->tcp ? "TCP" : "UDP";
}
const char *ua_net_param_proto(const struct ua_net *net)
{
    return net->o->tcp ? "tcp" : "udp";
}
const struct ua_opts *ua_net_opts(const struct ua_net *net)
{
    return net->o;
}

void ua_net_on_request(struct ua_net *net, ua_request_cb cb, void *arg)
{
    net->req_cb = cb;
    net->req_arg = arg;
}

static void unlink_ctr(struct ua_ctr *t)
{
    for (struct ua_ctr **pp = &t->net->active; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->active = false;
}

void ua_ctr_cancel(struct ua_ctr *t)
{
    if (!t->net)
        return;
    if (t->active)
        unlink_ctr(t);
    if (t->timer)
        evtimer_del(t->timer);
}

static void arm(struct ua_ctr *t, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(t->timer, &tv);
}

static void on_ctr_timer(evutil_socket_t fd, short what, void *arg)
{
    struct ua_ctr *t = arg;
    (void)fd;
    (void)what;
    if (!t->active)
        return;
    long long now = loop_now_ms();
    if (now >= t->deadline_ms) {
        unlink_ctr(t);
        t->cb(t->arg, NULL);
        return;
    }
    if (!t->net->o->tcp) {
        tp_send(t->net->tp, &t->flow, t->msg, t->len);
        t->rtx_ms = t->rtx_ms * 2 > UA_T2_MS ? UA_T2_MS : t->rtx_ms * 2;
    }
    long long left = t->deadline_ms - now;
    arm(t, left < t->rtx_ms ? (int)left : t->rtx_ms);
}

int ua_ctr_init(struct ua_ctr *t, struct ua_net *net, ua_final_cb cb, void *arg)
{
    memset(t, 0, sizeof(*t));
    t->timer = evtimer_new(loop_base(net->loop), on_ctr_timer, t);
    if (!t->timer)
        return -ENOMEM;
    t->net = net;
    t->cb = cb;
    t->arg = arg;
    return 0;
}

void ua_ctr_fini(struct ua_ctr *t)
{
    ua_ctr_cancel(t);
    if (t->timer)
        event_free(t->timer);
    free(t->msg);
    memset(t, 0, sizeof(*t));
}

int ua_ctr_new_branch(struct ua_ctr *t)
{
    char rnd[17];
    int rc = sip_random_hex(rnd, sizeof(rnd), 8);
    if (rc)
        return rc;
    snprintf(t->branch, sizeof(t->branch), "z9hG4bK%s", rnd);
    return 0;
}

int ua_ctr_send(struct ua_ctr *t, char **msg, size_t len)
{
    return ua_ctr_send_to(t, &t->net->flow, msg, len);
}

int ua_ctr_send_to(struct ua_ctr *t, const struct tp_flow *flow, char **msg, size_t len)
{
    ua_ctr_cancel(t);
    t->flow = *flow;
    free(t->msg);
    t->msg = *msg;
    t->len = len;
    *msg = NULL;
    t->conn_id = 0;
    int rc = tp_send_ex(t->net->tp, &t->flow, t->msg, t->len, &t->conn_id);
    if (rc < 0)
        return rc;
    t->rtx_ms = UA_T1_MS;
    t->deadline_ms = loop_now_ms() + t->net->o->timeout_ms;
    t->active = true;
    t->next = t->net->active;
    t->net->active = t;
    arm(t, t->net->o->timeout_ms < UA_T1_MS ? t->net->o->timeout_ms : UA_T1_MS);
    return 0;
}

int ua_net_respond(struct ua_net *net, const osip_message_t *req, const struct tp_msg_info *info,
                   int code, const char *extra_hdr)
{
    osip_message_t *resp = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = sip_response_new(req, code, NULL, NULL, &resp);
    if (rc)
        goto out;
    if (extra_hdr) {
        const char *colon = strchr(extra_hdr, ':');
        char name[64];
        if (!colon || (size_t)(colon - extra_hdr) >= sizeof(name)) {
            rc = -EINVAL;
            goto out;
        }
        memcpy(name, extra_hdr, (size_t)(colon - extra_hdr));
        name[colon - extra_hdr] = '\0';
        if ((rc = sip_hdr_add(resp, name, colon + 1 + (colon[1] == ' '))))
            goto out;
    }
    if ((rc = sip_msg_to_str(resp, &text, &len)))
        goto out;
    rc = tp_send(net->tp, &info->flow, text, len);
out:
    if (rc)
        log_warn("imsua: cannot answer %d: %s", code, strerror(-rc));
    osip_message_free(resp);
    free(text);
    return rc;
}

static void on_response(struct ua_net *net, const osip_message_t *m)
{
    struct sip_via_info via;
    if (sip_via_top(m, &via) != 0 || !via.branch[0])
        return;
    for (struct ua_ctr *t = net->active; t; t = t->next) {
        if (strcmp(t->branch, via.branch) != 0)
            continue;
        if (m->status_code < 200) {
            /* RFC 3261 §17.1.2.2: a provisional answer slows retransmissions to T2. */
            t->rtx_ms = UA_T2_MS;
            return;
        }
        unlink_ctr(t);
        evtimer_del(t->timer);
        t->cb(t->arg, m);
        return;
    }
    log_info("imsua: response %d matches no transaction", m->status_code);
}

static void on_recv(void *arg, const struct tp_msg_info *info, const char *buf, size_t len)
{
    struct ua_net *net = arg;
    osip_message_t *m = NULL;
    char why[160] = "";
    if (sip_msg_parse(buf, len, &m, why, sizeof(why)) != 0 || sip_msg_check(m, why, sizeof(why))) {
        /* A malformed request gets no answer here: we cannot trust its Via. */
        log_warn("imsua: dropping a bad message: %s", why);
        goto out;
    }
    if (MSG_IS_RESPONSE(m)) {
        on_response(net, m);
    } else if (!sip_msg_is_method(m, "ACK")) {
        osip_generic_param_t *tag = NULL;
        bool in_dialog = m->to && osip_from_get_tag((osip_from_t *)m->to, &tag) == 0 && tag;
        /* a dialog we do not know: 481; anything else is not for a test UE: 405 */
        if (!net->req_cb || !net->req_cb(net->req_arg, m, info))
            ua_net_respond(net, m, info, in_dialog ? 481 : 405, in_dialog ? NULL : "Allow: NOTIFY");
    }
out:
    if (m)
        osip_message_free(m);
}

static void on_closed(void *arg, uint64_t conn_id)
{
    struct ua_net *net = arg;
    struct ua_ctr *t;
    /* The transactions sent on that connection failed; an inbound connection (a NOTIFY
     * sender) closing concerns none. A callback may send again (on a new connection, with
     * a new id) or cancel others: rescan from the head after each one. */
again:
    for (t = net->active; t; t = t->next) {
        if (t->conn_id == conn_id) {
            unlink_ctr(t);
            evtimer_del(t->timer);
            t->cb(t->arg, NULL);
            goto again;
        }
    }
}

/* The local address the kernel would use towards dst (connect() on a UDP socket). */
static int probe_local(const struct tp_addr *dst, char *out, size_t outlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    struct tp_addr a;
    int fd = socket(dst->ss.ss_family, SOCK_DGRAM, 0), rc = 0;
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)&dst->ss, dst->len) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        rc = -errno;
    else if ((rc = tp_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sl)) == 0)
        snprintf(out, outlen, "%s", a.ip);
    close(fd);
    return rc;
}

static bool is_wildcard(const char *ip)
{
    return !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::");
}

int ua_net_new(struct loop *loop, const struct ua_opts *o, struct ua_net **out)
{
    struct tp_config tpc = {.on_conn_closed = on_closed};
    char adv[TP_IP_STRLEN];
    struct ua_net *net = calloc(1, sizeof(*net));
    int rc;

    if (!net)
        return -ENOMEM;
    net->o = o;
    net->loop = loop;
    net->flow.proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP;
    if (tp_addr_set(&net->flow.remote, o->proxy_host, (uint16_t)o->proxy_port) != 0) {
        fprintf(stderr, "imsua: --proxy needs a numeric address, got '%s'\n", o->proxy_host);
        rc = -EINVAL;
        goto err;
    }
    if ((rc = tp_new(loop, &tpc, on_recv, net, &net->tp)) < 0)
        goto err;
    rc = o->tcp ? tp_listen_tcp(net->tp, o->bind, (uint16_t)o->local_port)
                : tp_listen_udp(net->tp, o->bind, (uint16_t)o->local_port);
    if (rc < 0) {
        fprintf(stderr, "imsua: cannot bind %s port %d: %s\n", o->bind, o->local_port,
                strerror(-rc));
        goto err;
    }
    net->port = tp_local_port(net->tp, net->flow.proto);
    if (o->advertise[0]) {
        snprintf(adv, sizeof(adv), "%s", o->advertise);
    } else if (!is_wildcard(o->bind)) {
        snprintf(adv, sizeof(adv), "%s", o->bind);
    } else if ((rc = probe_local(&net->flow.remote, adv, sizeof(adv))) != 0) {
        fprintf(stderr, "imsua: no local address towards %s: %s (give --advertise)\n",
                o->proxy_host, strerror(-rc));
        goto err;
    }
    snprintf(net->host, sizeof(net->host), strchr(adv, ':') ? "[%s]" : "%s", adv);
    *out = net;
    return 0;
err:
    ua_net_free(net);
    return rc < 0 ? rc : -EINVAL;
}

void ua_net_free(struct ua_net *net)
{
    if (!net)
        return;
    tp_free(net->tp);
    free(net);
}
