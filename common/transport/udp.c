/*
 * UDP listeners: one datagram is one SIP message. Replies leave from the
 * listening socket so their source port is the SIP port.
 */
#include "transport_internal.h"

#include "log/log.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Datagrams read per wake-up, so one busy socket cannot starve the loop. */
#define UDP_READ_BURST 64

/* Fills *local with the destination address of the datagram (IP_PKTINFO). */
static void pktinfo_local(const struct tp__udp *u, struct msghdr *mh, struct tp_addr *local)
{
    *local = u->local;
    if (!u->wildcard)
        return;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            struct sockaddr_in sin = {
                .sin_family = AF_INET, .sin_port = htons(u->local.port), .sin_addr = pi.ipi_addr};
            tp_addr_from_sockaddr(local, (struct sockaddr *)&sin, sizeof(sin));
            return;
        }
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6,
                                        .sin6_port = htons(u->local.port),
                                        .sin6_addr = pi.ipi6_addr};
            tp_addr_from_sockaddr(local, (struct sockaddr *)&sin6, sizeof(sin6));
            return;
        }
    }
}

static void deliver(struct tp__udp *u, struct msghdr *mh, const struct sockaddr_storage *from,
                    size_t n)
{
    struct tp *tp = u->tp;
    const char *p = tp->udp_buf;
    /* Leading CRLFs are keep-alives (RFC 3261 7.5); a datagram of only CRLFs is a ping. */
    while (n >= 2 && p[0] == '\r' && p[1] == '\n') {
        p += 2;
        n -= 2;
    }
    if (n == 0) {
        tp->stats.keepalives_in++;
        return;
    }
    struct tp_msg_info info;
    memset(&info, 0, sizeof(info));
    info.proto = TP_PROTO_UDP;
    if (tp_addr_from_sockaddr(&info.remote, (const struct sockaddr *)from, mh->msg_namelen) < 0) {
        tp->stats.udp_dropped++;
        return;
    }
    pktinfo_local(u, mh, &info.local);
    info.flow.proto = TP_PROTO_UDP;
    info.flow.local = info.local;
    info.flow.remote = info.remote;
    tp->stats.msgs_in++;
    tp->stats.bytes_in += n;
    tp->cb(tp->arg, &info, p, n);
}

static void udp_readable(evutil_socket_t fd, short what, void *arg)
{
    struct tp__udp *u = arg;
    struct tp *tp = u->tp;
    size_t max = tp->cfg.max_msg_size;
    for (int i = 0; i < UDP_READ_BURST; i++) {
        struct sockaddr_storage from;
        union {
            char
                buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {.iov_base = tp->udp_buf, .iov_len = max + 1};
        struct msghdr mh = {.msg_name = &from,
                            .msg_namelen = sizeof(from),
                            .msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof(ctl.buf)};
        ssize_t n = recvmsg(fd, &mh, MSG_TRUNC | MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_warn("transport: UDP recv on %s:%u failed: %s", u->local.ip, u->local.port,
                         strerror(errno));
            return;
        }
        if ((size_t)n > max || (mh.msg_flags & MSG_TRUNC)) {
            struct tp_addr src;
            tp_addr_from_sockaddr(&src, (struct sockaddr *)&from, mh.msg_namelen);
            log_warn("transport: dropping %zd-byte UDP datagram from %s:%u (max %zu)", n, src.ip,
                     src.port, max);
            tp->stats.udp_dropped++;
            continue;
        }
        deliver(u, &mh, &from, (size_t)n);
    }
}

int tp_listen_udp(struct tp *tp, const char *host, uint16_t port)
{
    int fd = -1;
    struct tp__udp *u = NULL;
    if (!tp)
        return -EINVAL;
    int rc = tp__bind_socket(host, port, SOCK_DGRAM, &fd);
    if (rc < 0)
        return rc;
    rc = -ENOMEM;
    u = calloc(1, sizeof(*u));
    if (!u)
        goto err;
    u->tp = tp;
    u->fd = fd;
    rc = tp__addr_of_fd(fd, false, &u->local);
    if (rc < 0)
        goto err;
    /* SO_REUSEADDR lets UDP sockets share a port: refuse a second listener of ours */
    for (const struct tp__udp *o = tp->udp; o; o = o->next)
        if (tp__addr_is_overlapping(&o->local, &u->local)) {
            log_error("transport: already listening on UDP %s:%u", u->local.ip, u->local.port);
            rc = -EADDRINUSE;
            goto err;
        }
    u->wildcard = tp__addr_is_wildcard(&u->local);
    rc = -ENOMEM;
    u->ev = event_new(tp->base, fd, EV_READ | EV_PERSIST, udp_readable, u);
    if (!u->ev || event_add(u->ev, NULL) != 0)
        goto err;
    /* Append, so tp_local_port() reports the first listener. */
    struct tp__udp **pp = &tp->udp;
    while (*pp)
        pp = &(*pp)->next;
    *pp = u;
    log_info("transport: listening on UDP %s:%u", u->local.ip, u->local.port);
    return 0;
err:
    if (u && u->ev)
        event_free(u->ev);
    free(u);
    close(fd);
    return rc;
}

/* Picks the listening socket to send from: same family, preferring flow->local. */
static struct tp__udp *pick_socket(struct tp *tp, const struct tp_flow *flow)
{
    struct tp__udp *first = NULL;
    int family = flow->remote.ss.ss_family;
    for (struct tp__udp *u = tp->udp; u; u = u->next) {
        if (u->local.ss.ss_family != family)
            continue;
        if (!first)
            first = u;
        if (flow->local.ss.ss_family == family && flow->local.port == u->local.port &&
            (u->wildcard || tp__addr_is_wildcard(&flow->local) ||
             tp_addr_is_equal(&u->local, &flow->local)))
            return u;
    }
    return first;
}

int tp__udp_send(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len)
{
    int family = flow->remote.ss.ss_family;
    if (family != AF_INET && family != AF_INET6)
        return -EINVAL;
    struct tp__udp *u = pick_socket(tp, flow);
    if (!u)
        return -EADDRNOTAVAIL;
    ssize_t n =
        sendto(u->fd, buf, len, 0, (const struct sockaddr *)&flow->remote.ss, flow->remote.len);
    if (n < 0) {
        int rc = -errno;
        log_warn("transport: UDP send to %s:%u failed: %s", flow->remote.ip, flow->remote.port,
                 strerror(errno));
        return rc;
    }
    return 0;
}

void tp__udp_free_all(struct tp *tp)
{
    while (tp->udp) {
        struct tp__udp *u = tp->udp;
        tp->udp = u->next;
        event_free(u->ev);
        close(u->fd);
        free(u);
    }
}
