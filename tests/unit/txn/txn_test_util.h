/*
 * Helpers shared by the txn tests: real UDP sockets on loopback, a txn_send_fn over
 * sendto(), a libevent reader feeding the layer, and loop-driving helpers.
 */
#ifndef TXN_TEST_UTIL_H
#define TXN_TEST_UTIL_H

#include "loop/loop.h"
#include "txn/txn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <osipparser2/osip_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A UDP socket bound to 127.0.0.1 on an ephemeral port, non-blocking. */
static inline int tu_udp_socket(int *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static inline int tu_sendto(int fd, const char *host, int port, const char *buf, size_t len)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -EINVAL;
    return sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a)) == (ssize_t)len ? 0 : -errno;
}

/* The layer's side: its socket, its send function, and what it has sent. */
struct tu_node {
    int fd;
    int port;
    struct event *ev;
    struct txn_layer *layer;
    int sent;              /* messages handed to the send function */
    long long sent_at[64]; /* loop_now_ms() of the first 64 sends */
    struct txn_addr last_dst;
};

static inline int tu_send_fn(void *arg, const struct txn_addr *dst, const char *buf, size_t len)
{
    struct tu_node *n = arg;
    if (n->sent < 64)
        n->sent_at[n->sent] = loop_now_ms();
    n->sent++;
    n->last_dst = *dst;
    if (dst->proto == TXN_PROTO_TCP)
        return 0; /* no TCP in these tests: pretend the stream took it */
    return tu_sendto(n->fd, dst->host, dst->port, buf, len);
}

static inline void tu_on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct tu_node *n = arg;
    char buf[65536];
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    ssize_t r;
    while ((r = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&a, &al)) > 0) {
        osip_message_t *msg = NULL;
        struct txn_addr src = {.proto = TXN_PROTO_UDP, .port = ntohs(a.sin_port)};
        inet_ntop(AF_INET, &a.sin_addr, src.host, sizeof(src.host));
        if (osip_message_init(&msg) != 0)
            return;
        if (osip_message_parse(msg, buf, (size_t)r) != 0) {
            osip_message_free(msg);
            continue;
        }
        txn_receive(n->layer, &msg, &src);
        al = sizeof(a);
    }
}

/* Opens the node's socket and starts reading it into layer (set n->layer first). */
static inline int tu_node_open(struct tu_node *n, struct loop *loop)
{
    n->fd = tu_udp_socket(&n->port);
    if (n->fd < 0)
        return -1;
    n->ev = event_new(loop_base(loop), n->fd, EV_READ | EV_PERSIST, tu_on_readable, n);
    return n->ev && event_add(n->ev, NULL) == 0 ? 0 : -1;
}

static inline void tu_node_close(struct tu_node *n)
{
    if (n->ev)
        event_free(n->ev);
    if (n->fd >= 0)
        close(n->fd);
}

/* Runs the loop for up to ms, or until *flag becomes non-zero (flag may be NULL). */
static inline void tu_run(struct loop *loop, int ms, const int *flag)
{
    long long end = loop_now_ms() + ms;
    while (loop_now_ms() < end && !(flag && *flag)) {
        event_base_loop(loop_base(loop), EVLOOP_ONCE | EVLOOP_NONBLOCK);
        usleep(500);
    }
}

/*
 * Runs the loop until a datagram arrives on fd (up to ms). Returns the parsed
 * message (caller frees) or NULL; *from_port gets the sender's port if not NULL.
 */
static inline osip_message_t *tu_recv(struct loop *loop, int fd, int ms, int *from_port)
{
    long long end = loop_now_ms() + ms;
    char buf[65536];
    for (;;) {
        struct sockaddr_in a;
        socklen_t al = sizeof(a);
        ssize_t r = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&a, &al);
        if (r > 0) {
            osip_message_t *msg = NULL;
            if (from_port)
                *from_port = ntohs(a.sin_port);
            osip_message_init(&msg);
            if (osip_message_parse(msg, buf, (size_t)r) != 0) {
                osip_message_free(msg);
                return NULL;
            }
            return msg;
        }
        if (loop_now_ms() >= end)
            return NULL;
        event_base_loop(loop_base(loop), EVLOOP_ONCE | EVLOOP_NONBLOCK);
        usleep(500);
    }
}

/* Parses text into a message (asserting the test data is valid). */
static inline osip_message_t *tu_parse(const char *text)
{
    osip_message_t *msg = NULL;
    if (osip_message_init(&msg) != 0)
        return NULL;
    if (osip_message_parse(msg, text, strlen(text)) != 0) {
        osip_message_free(msg);
        return NULL;
    }
    return msg;
}

/* Serialises msg and sends it from fd to 127.0.0.1:port. */
static inline int tu_send_msg(int fd, int port, osip_message_t *msg)
{
    char *buf = NULL;
    size_t len = 0;
    osip_message_force_update(msg);
    if (osip_message_to_str(msg, &buf, &len) != 0)
        return -1;
    int rc = tu_sendto(fd, "127.0.0.1", port, buf, len);
    osip_free(buf);
    return rc;
}

static inline const char *tu_branch(const osip_message_t *m, int pos)
{
    osip_via_t *via = osip_list_get(&m->vias, pos);
    osip_generic_param_t *b = NULL;
    if (via)
        osip_via_param_get_byname(via, "branch", &b);
    return b ? b->gvalue : NULL;
}

static inline const char *tu_to_tag(const osip_message_t *m)
{
    osip_generic_param_t *t = NULL;
    if (m->to)
        osip_to_get_tag(m->to, &t);
    return t ? t->gvalue : NULL;
}

#endif
