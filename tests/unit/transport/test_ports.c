/*
 * Several listeners on one transport (the P-CSCF's protected ports, TS 33.203
 * §7.1), over real loopback sockets:
 *  - UDP: a message sent with flow->local.port = B leaves from listener B (the
 *    peer's recvfrom() sees source port B), with either listener's address or
 *    a wildcard local address in the flow; an unknown local port falls back to
 *    the first listener; a received datagram reports the port it came to.
 *  - TCP: a peer connecting to port S is answered on that connection; a new
 *    request towards the peer's server port from our port C (a
 *    TP_LISTEN_CONNECT_FROM listener) is a connect() bound to C, while the
 *    listener on C still accepts; a connection from another local port is
 *    not reused for it.
 */
#include "test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static const char REQ[] = "NOTIFY sip:ue@127.0.0.1 SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-ports-1\r\n"
                          "Content-Length: 0\r\n\r\n";

struct fixture {
    struct loop *loop;
    struct tp *tp;
    struct rx rx;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    struct tp_config cfg = {.on_conn_closed = rx_closed_cb};
    assert_int_equal(tp_new(f->loop, &cfg, rx_cb, &f->rx, &f->tp), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tp_free(f->tp);
    loop_free(f->loop);
    rx_clear(&f->rx);
    free(f);
    return 0;
}

static uint16_t fd_port(int fd, int peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    struct tp_addr a;
    if (peer)
        getpeername(fd, (struct sockaddr *)&ss, &len);
    else
        getsockname(fd, (struct sockaddr *)&ss, &len);
    assert_int_equal(tp_addr_from_sockaddr(&a, (struct sockaddr *)&ss, len), 0);
    return a.port;
}

/* Opens a UDP listener on a free port of 127.0.0.1; returns the port. */
static uint16_t listen_udp(struct tp *tp)
{
    /* a port the kernel just handed out is free; tp_local_port() only reports the first */
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    uint16_t port = fd_port(fd, 0);
    close(fd);
    assert_int_equal(tp_listen_udp(tp, "127.0.0.1", port), 0);
    return port;
}

/* Waits for one datagram on fd; returns its length and the source port in *src. */
static ssize_t recv_from(struct loop *loop, int fd, char *buf, size_t cap, uint16_t *src)
{
    for (int i = 0; i < 200; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        ssize_t n = recvfrom(fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, &len);
        if (n >= 0) {
            struct tp_addr a;
            buf[n] = '\0';
            assert_int_equal(tp_addr_from_sockaddr(&a, (struct sockaddr *)&ss, len), 0);
            *src = a.port;
            return n;
        }
        run_for(loop, 10);
    }
    return -1;
}

static void send_from(struct fixture *f, int peer, const char *local_ip, uint16_t local_port,
                      uint16_t want_src)
{
    struct tp_flow flow;
    char buf[512];
    uint16_t src = 0;

    memset(&flow, 0, sizeof(flow));
    flow.proto = TP_PROTO_UDP;
    assert_int_equal(tp_addr_set(&flow.remote, "127.0.0.1", fd_port(peer, 0)), 0);
    if (local_ip)
        assert_int_equal(tp_addr_set(&flow.local, local_ip, local_port), 0);
    assert_int_equal(tp_send(f->tp, &flow, REQ, strlen(REQ)), 0);
    assert_int_equal(recv_from(f->loop, peer, buf, sizeof(buf), &src), (ssize_t)strlen(REQ));
    assert_string_equal(buf, REQ);
    assert_int_equal(src, want_src);
}

static void test_udp_source_port(void **state)
{
    struct fixture *f = *state;
    uint16_t a = listen_udp(f->tp), b = listen_udp(f->tp);
    int peer = client_udp("127.0.0.1");
    assert_true(peer >= 0);
    assert_int_not_equal(a, b);
    assert_int_equal(tp_local_port(f->tp, TP_PROTO_UDP), a);
    /* SO_REUSEADDR would allow it: a second listener of ours on b is refused */
    assert_int_equal(tp_listen_udp(f->tp, "127.0.0.1", b), -EADDRINUSE);
    assert_int_equal(tp_listen_udp(f->tp, "0.0.0.0", b), -EADDRINUSE);

    send_from(f, peer, "127.0.0.1", b, b); /* the listener's own address */
    send_from(f, peer, "0.0.0.0", b, b);   /* only the port given */
    send_from(f, peer, "127.0.0.1", a, a);
    send_from(f, peer, NULL, 0, a); /* no local: the first listener, as before */
    /* a port we do not listen on: the first listener, not an error */
    uint16_t none = (uint16_t)(b == 65535 ? b - 2 : b + 1);
    if (none == a)
        none++;
    send_from(f, peer, "127.0.0.1", none, a);
    /* the address of a listener must match when both are concrete */
    send_from(f, peer, "127.0.0.2", b, a);

    /* incoming: each datagram says which of our ports it came to */
    struct tp_addr dst;
    assert_int_equal(tp_addr_set(&dst, "127.0.0.1", b), 0);
    assert_int_equal(sendto(peer, REQ, strlen(REQ), 0, (struct sockaddr *)&dst.ss, dst.len),
                     (ssize_t)strlen(REQ));
    assert_int_equal(tp_addr_set(&dst, "127.0.0.1", a), 0);
    assert_int_equal(sendto(peer, REQ, strlen(REQ), 0, (struct sockaddr *)&dst.ss, dst.len),
                     (ssize_t)strlen(REQ));
    assert_true(run_until(f->loop, &f->rx.count, 2, 2000));
    assert_int_equal(f->rx.info[0].local.port, b);
    assert_int_equal(f->rx.info[0].flow.local.port, b);
    assert_int_equal(f->rx.info[1].local.port, a);
    assert_int_equal(f->rx.info[0].remote.port, fd_port(peer, 0));
    close(peer);
}

/* A blocking TCP listener on 127.0.0.1 (the UE's port-s). */
static int peer_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(fd, 4), 0);
    *port = fd_port(fd, 0);
    return fd;
}

/* Accepts one connection on lfd while running the loop. */
static int peer_accept(struct loop *loop, int lfd)
{
    for (int i = 0; i < 200; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd >= 0)
            return fd;
        run_for(loop, 10);
    }
    return -1;
}

static void test_tcp_connect_from(void **state)
{
    struct fixture *f = *state;
    char buf[512];

    /* our port-s (plain) and port-c (connect-from) */
    assert_int_equal(tp_listen_tcp(f->tp, "127.0.0.1", 0), 0);
    uint16_t ps = (uint16_t)tp_local_port(f->tp, TP_PROTO_TCP);
    int probe = client_udp("127.0.0.1");
    uint16_t pc = fd_port(probe, 0);
    close(probe);
    assert_int_equal(tp_listen_tcp_ex(f->tp, "127.0.0.1", pc, TP_LISTEN_CONNECT_FROM), 0);
    assert_int_equal(tp_listen_tcp_ex(f->tp, "127.0.0.1", 0, 0x80), -EINVAL);
    /* a second listener of ours on a shared port is refused, not silently added */
    assert_int_equal(tp_listen_tcp_ex(f->tp, "127.0.0.1", pc, TP_LISTEN_CONNECT_FROM), -EADDRINUSE);

    /* the UE connects to our port-s; the answer goes back on that connection */
    int ue_c = client_tcp("127.0.0.1", ps);
    assert_true(ue_c >= 0);
    client_write(ue_c, REQ, strlen(REQ));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    assert_int_equal(f->rx.info[0].local.port, ps);
    assert_int_equal(tp_send(f->tp, &f->rx.info[0].flow, REQ, strlen(REQ)), 0);
    assert_int_equal(client_read(f->loop, ue_c, buf, sizeof(buf), strlen(REQ), 2000), strlen(REQ));

    /* an open connection to the UE's port-s from another local port ... */
    uint16_t us = 0;
    int ue_l = peer_listen(&us);
    struct tp_flow flow;
    memset(&flow, 0, sizeof(flow));
    flow.proto = TP_PROTO_TCP;
    assert_int_equal(tp_addr_set(&flow.remote, "127.0.0.1", us), 0);
    uint64_t plain_id = 0;
    assert_int_equal(tp_send_ex(f->tp, &flow, REQ, strlen(REQ), &plain_id), 0);
    int ue_plain = peer_accept(f->loop, ue_l);
    assert_true(ue_plain >= 0);
    assert_int_not_equal(fd_port(ue_plain, 1), pc);

    /* ... is not used for a request from our port-c: a new connect() bound to port-c */
    assert_int_equal(tp_addr_set(&flow.local, "0.0.0.0", pc), 0);
    uint64_t id = 0;
    assert_int_equal(tp_send_ex(f->tp, &flow, REQ, strlen(REQ), &id), 0);
    assert_int_not_equal(id, plain_id);
    int ue_s = peer_accept(f->loop, ue_l);
    assert_true(ue_s >= 0);
    assert_int_equal(fd_port(ue_s, 1), pc); /* the UE sees our port-c as the source */
    assert_int_equal(client_read(f->loop, ue_s, buf, sizeof(buf), strlen(REQ), 2000), strlen(REQ));
    /* the next one from port-c reuses that connection, the next plain one the other */
    uint64_t id2 = 0;
    assert_int_equal(tp_send_ex(f->tp, &flow, REQ, strlen(REQ), &id2), 0);
    assert_int_equal(id2, id);
    assert_int_equal(client_read(f->loop, ue_s, buf, sizeof(buf), strlen(REQ), 2000), strlen(REQ));
    struct tp_flow plain = flow;
    memset(&plain.local, 0, sizeof(plain.local));
    assert_int_equal(tp_send_ex(f->tp, &plain, REQ, strlen(REQ), &id2), 0);
    assert_true(id2 == plain_id || id2 == id); /* any open connection to the UE will do */

    /* the listener on port-c still accepts */
    int other = client_tcp("127.0.0.1", pc);
    assert_true(other >= 0);
    client_write(other, REQ, strlen(REQ));
    assert_true(run_until(f->loop, &f->rx.count, 2, 2000));
    assert_int_equal(f->rx.info[1].local.port, pc);

    close(other);
    close(ue_plain);
    close(ue_s);
    close(ue_l);
    close(ue_c);
}

/* A port-c flow to a second UE while the first connection from port-c is open. */
static void test_tcp_connect_from_two_peers(void **state)
{
    struct fixture *f = *state;
    int probe = client_udp("127.0.0.1");
    uint16_t pc = fd_port(probe, 0);
    close(probe);
    assert_int_equal(tp_listen_tcp_ex(f->tp, "127.0.0.1", pc, TP_LISTEN_CONNECT_FROM), 0);
    uint16_t u1 = 0, u2 = 0;
    int l1 = peer_listen(&u1), l2 = peer_listen(&u2);
    struct tp_flow flow;
    memset(&flow, 0, sizeof(flow));
    flow.proto = TP_PROTO_TCP;
    assert_int_equal(tp_addr_set(&flow.local, "127.0.0.1", pc), 0);
    assert_int_equal(tp_addr_set(&flow.remote, "127.0.0.1", u1), 0);
    uint64_t first = 0, again = 0;
    assert_int_equal(tp_send_ex(f->tp, &flow, REQ, strlen(REQ), &first), 0);
    assert_int_equal(tp_send_ex(f->tp, &flow, REQ, strlen(REQ), &again), 0);
    assert_int_equal(again, first); /* still connecting: the same connection, no 2nd bind */
    assert_int_equal(tp_addr_set(&flow.remote, "127.0.0.1", u2), 0);
    assert_int_equal(tp_send(f->tp, &flow, REQ, strlen(REQ)), 0);
    int s1 = peer_accept(f->loop, l1), s2 = peer_accept(f->loop, l2);
    assert_true(s1 >= 0 && s2 >= 0);
    assert_int_equal(fd_port(s1, 1), pc);
    assert_int_equal(fd_port(s2, 1), pc);
    close(s1);
    close(s2);
    close(l1);
    close(l2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_source_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_connect_from, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_connect_from_two_peers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
