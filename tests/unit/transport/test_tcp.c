/*
 * TCP transport over loopback: framing across reads, replies on the same
 * connection, connection reuse between two transports, limits, idle timeout,
 * keep-alives and close notifications.
 */
#include "test_util.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

static const char MSG1[] = "MESSAGE sip:alice@ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n"
                           "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-tcp-1\r\n"
                           "Call-ID: tcp-1@127.0.0.1\r\n"
                           "CSeq: 1 MESSAGE\r\n"
                           "l: 11\r\n"
                           "\r\n"
                           "hello alice";
static const char MSG2[] = "REGISTER sip:ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n"
                           "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-tcp-2\r\n"
                           "Content-Length: 0\r\n"
                           "\r\n";
static const char RSP[] = "SIP/2.0 200 OK\r\n"
                          "Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-tcp-1\r\n"
                          "Content-Length: 0\r\n"
                          "\r\n";

struct fixture {
    struct loop *loop;
    struct tp *tp;
    struct rx rx;
    uint16_t port;
};

static struct fixture *setup_tp(struct tp_config *cfg)
{
    struct tp_config dflt = {0};
    if (!cfg)
        cfg = &dflt;
    cfg->on_conn_closed = rx_closed_cb;
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    assert_int_equal(tp_new(f->loop, cfg, rx_cb, &f->rx, &f->tp), 0);
    assert_int_equal(tp_listen_tcp(f->tp, "127.0.0.1", 0), 0);
    int port = tp_local_port(f->tp, TP_PROTO_TCP);
    assert_true(port > 0);
    f->port = (uint16_t)port;
    return f;
}

static void teardown_tp(struct fixture *f)
{
    tp_free(f->tp);
    loop_free(f->loop);
    rx_clear(&f->rx);
    free(f);
}

static struct tp_stats stats(struct tp *tp)
{
    struct tp_stats st;
    tp_get_stats(tp, &st);
    return st;
}

static void test_two_in_one_write(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    assert_true(cfd >= 0);
    char both[1024];
    snprintf(both, sizeof(both), "%s%s", MSG1, MSG2);
    client_write(cfd, both, strlen(both));
    assert_true(run_until(f->loop, &f->rx.count, 2, 2000));
    assert_string_equal(f->rx.msg[0], MSG1);
    assert_int_equal(f->rx.len[0], strlen(MSG1));
    assert_string_equal(f->rx.msg[1], MSG2);
    const struct tp_msg_info *a = &f->rx.info[0], *b = &f->rx.info[1];
    assert_int_equal(a->proto, TP_PROTO_TCP);
    assert_true(a->conn_id != 0);
    assert_int_equal(a->conn_id, b->conn_id);
    assert_int_equal(a->flow.conn_id, a->conn_id);
    assert_string_equal(a->remote.ip, "127.0.0.1");
    assert_string_equal(a->local.ip, "127.0.0.1");
    assert_int_equal(a->local.port, f->port);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(cfd, (struct sockaddr *)&ss, &sl);
    struct tp_addr me;
    tp_addr_from_sockaddr(&me, (struct sockaddr *)&ss, sl);
    assert_int_equal(a->remote.port, me.port);
    assert_int_equal(stats(f->tp).conns_accepted, 1);
    assert_int_equal(stats(f->tp).conns_open, 1);
    close(cfd);
    teardown_tp(f);
}

/* One message in three writes with the loop running between them; then a reply. */
static void test_split_and_reply(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    assert_true(cfd >= 0);
    size_t n = strlen(MSG1);
    size_t cut1 = 30, cut2 = n - 4; /* inside the start-line, inside the body */
    client_write(cfd, MSG1, cut1);
    run_for(f->loop, 50);
    assert_int_equal(f->rx.count, 0);
    client_write(cfd, MSG1 + cut1, cut2 - cut1);
    run_for(f->loop, 50);
    assert_int_equal(f->rx.count, 0);
    client_write(cfd, MSG1 + cut2, n - cut2);
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    run_for(f->loop, 20);
    assert_int_equal(f->rx.count, 1);
    assert_string_equal(f->rx.msg[0], MSG1);

    /* Reply on the same connection, named by its id only. */
    struct tp_flow back = {.proto = TP_PROTO_TCP, .conn_id = f->rx.info[0].conn_id};
    assert_int_equal(tp_send(f->tp, &back, RSP, strlen(RSP)), 0);
    char buf[1024];
    assert_int_equal(client_read(f->loop, cfd, buf, sizeof(buf), strlen(RSP), 2000), strlen(RSP));
    assert_string_equal(buf, RSP);
    assert_int_equal(stats(f->tp).msgs_out, 1);
    close(cfd);
    teardown_tp(f);
}

/* A transport with no connection to the peer opens one, then reuses it. */
static void test_connect_and_reuse(void **state)
{
    struct fixture *srv = setup_tp(NULL);
    struct rx crx = {0};
    struct tp_config ccfg = {.on_conn_closed = rx_closed_cb};
    struct tp *cli = NULL;
    /* Both transports share the server's loop, as two modules of one daemon would. */
    assert_int_equal(tp_new(srv->loop, &ccfg, rx_cb, &crx, &cli), 0);

    struct tp_flow to = {.proto = TP_PROTO_TCP};
    assert_int_equal(tp_addr_set(&to.remote, "127.0.0.1", srv->port), 0);
    uint64_t id1 = 0, id2 = 0;
    assert_int_equal(tp_send_ex(cli, &to, MSG1, strlen(MSG1), &id1), 0); /* queued */
    assert_true(id1 != 0);
    assert_true(tp_conn_is_open(cli, id1));
    assert_true(run_until(srv->loop, &srv->rx.count, 1, 2000));
    assert_int_equal(tp_send_ex(cli, &to, MSG2, strlen(MSG2), &id2), 0);
    assert_int_equal(id1, id2);
    assert_true(run_until(srv->loop, &srv->rx.count, 2, 2000));
    assert_string_equal(srv->rx.msg[0], MSG1);
    assert_string_equal(srv->rx.msg[1], MSG2);
    assert_int_equal(srv->rx.info[0].conn_id, srv->rx.info[1].conn_id);
    assert_int_equal(stats(srv->tp).conns_accepted, 1);
    assert_int_equal(stats(cli).conns_connected, 1);
    assert_int_equal(stats(cli).conns_open, 1);

    /* The server answers on its side of the connection; the client sees it on id1. */
    assert_int_equal(tp_send(srv->tp, &srv->rx.info[0].flow, RSP, strlen(RSP)), 0);
    assert_true(run_until(srv->loop, &crx.count, 1, 2000));
    assert_string_equal(crx.msg[0], RSP);
    assert_int_equal(crx.info[0].conn_id, id1);
    assert_int_equal(crx.info[0].remote.port, srv->port);
    assert_int_equal(crx.info[0].local.port, srv->rx.info[0].remote.port);

    /* The server closes: the client learns it, and a later send opens a new connection. */
    assert_int_equal(tp_conn_close(srv->tp, srv->rx.info[0].conn_id), 0);
    assert_int_equal(tp_conn_close(srv->tp, srv->rx.info[0].conn_id), -ENOTCONN);
    assert_true(run_until(srv->loop, &crx.closed_count, 1, 2000));
    assert_int_equal(crx.closed_id[0], id1);
    assert_false(tp_conn_is_open(cli, id1));
    assert_int_equal(srv->rx.closed_count, 0); /* tp_conn_close() does not notify */
    struct tp_flow stale = to;
    stale.conn_id = id1;
    assert_int_equal(tp_send_ex(cli, &stale, MSG2, strlen(MSG2), &id2), 0);
    assert_true(id2 > id1);
    assert_true(run_until(srv->loop, &srv->rx.count, 3, 2000));
    assert_int_equal(stats(srv->tp).conns_accepted, 2);

    tp_free(cli);
    rx_clear(&crx);
    teardown_tp(srv);
}

static void test_connect_refused(void **state)
{
    struct fixture *f = setup_tp(NULL);
    /* A port that was just free: bind, read it, close. */
    int s = client_udp("127.0.0.1");
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(s, (struct sockaddr *)&ss, &sl);
    close(s);
    struct tp_flow to = {.proto = TP_PROTO_TCP};
    tp_addr_from_sockaddr(&to.remote, (struct sockaddr *)&ss, sl);
    uint64_t id = 0;
    int rc = tp_send_ex(f->tp, &to, MSG1, strlen(MSG1), &id);
    if (rc == 0) {
        assert_true(run_until(f->loop, &f->rx.closed_count, 1, 2000));
        assert_int_equal(f->rx.closed_id[0], id);
    } else {
        assert_int_equal(rc, -ECONNREFUSED);
    }
    assert_int_equal(stats(f->tp).conns_open, 0);
    teardown_tp(f);
}

static void test_send_on_closed_conn(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    client_write(cfd, MSG2, strlen(MSG2));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    uint64_t id = f->rx.info[0].conn_id;
    close(cfd);
    assert_true(run_until(f->loop, &f->rx.closed_count, 1, 2000));
    assert_int_equal(f->rx.closed_id[0], id);
    struct tp_flow back = {.proto = TP_PROTO_TCP, .conn_id = id};
    assert_int_equal(tp_send(f->tp, &back, RSP, strlen(RSP)), -ENOTCONN);
    struct tp_stats st = stats(f->tp);
    assert_int_equal(st.conns_open, 0);
    assert_int_equal(st.conns_closed, 1);
    assert_int_equal(st.send_errors, 1);
    teardown_tp(f);
}

static void test_oversize_closes(void **state)
{
    struct tp_config cfg = {.max_msg_size = 512};
    struct fixture *f = setup_tp(&cfg);
    int cfd = client_tcp("127.0.0.1", f->port);
    const char *big = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1000\r\n\r\n";
    client_write(cfd, MSG2, strlen(MSG2)); /* a good one first */
    client_write(cfd, big, strlen(big));
    assert_true(client_wait_eof(f->loop, cfd, 2000));
    assert_int_equal(f->rx.count, 1);
    assert_int_equal(f->rx.closed_count, 1);
    assert_int_equal(f->rx.closed_id[0], f->rx.info[0].conn_id);
    assert_int_equal(stats(f->tp).framing_errors, 1);
    close(cfd);

    /* A header block that never ends within the limit. */
    cfd = client_tcp("127.0.0.1", f->port);
    char junk[600];
    memset(junk, 'a', sizeof(junk));
    client_write(cfd, junk, sizeof(junk));
    assert_true(client_wait_eof(f->loop, cfd, 2000));
    assert_int_equal(stats(f->tp).framing_errors, 2);
    close(cfd);
    teardown_tp(f);
}

static void test_missing_length_closes(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    const char *m = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    client_write(cfd, m, strlen(m));
    assert_true(client_wait_eof(f->loop, cfd, 2000));
    assert_int_equal(f->rx.count, 0);
    assert_int_equal(f->rx.closed_count, 1);
    assert_int_equal(stats(f->tp).framing_errors, 1);
    close(cfd);
    teardown_tp(f);
}

static void test_idle_timeout(void **state)
{
    struct tp_config cfg = {.tcp_idle_timeout = 1};
    struct fixture *f = setup_tp(&cfg);
    int cfd = client_tcp("127.0.0.1", f->port);
    client_write(cfd, MSG2, strlen(MSG2));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    uint64_t id = f->rx.info[0].conn_id;
    long long t0 = loop_now_ms();
    run_for(f->loop, 500);
    assert_true(tp_conn_is_open(f->tp, id)); /* not before the timeout */
    assert_true(client_wait_eof(f->loop, cfd, 3000));
    long long waited = loop_now_ms() - t0;
    assert_true(waited >= 900);
    assert_int_equal(f->rx.closed_count, 1);
    assert_int_equal(f->rx.closed_id[0], id);
    assert_int_equal(stats(f->tp).conns_idle_closed, 1);
    close(cfd);
    teardown_tp(f);
}

static void test_ping_pong(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    client_write(cfd, "\r\n\r\n", 4);
    char buf[64];
    assert_int_equal(client_read(f->loop, cfd, buf, sizeof(buf), 2, 2000), 2);
    assert_string_equal(buf, "\r\n");
    /* A ping in two halves, then a message: one pong, one message. */
    client_write(cfd, "\r\n", 2);
    run_for(f->loop, 30);
    client_write(cfd, "\r\n", 2);
    assert_int_equal(client_read(f->loop, cfd, buf, sizeof(buf), 2, 2000), 2);
    client_write(cfd, MSG2, strlen(MSG2));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    assert_string_equal(f->rx.msg[0], MSG2);
    assert_int_equal(stats(f->tp).keepalive_pongs, 2);
    assert_int_equal(stats(f->tp).keepalives_in, 2);
    close(cfd);
    teardown_tp(f);
}

static void test_max_connections(void **state)
{
    struct tp_config cfg = {.max_connections = 1};
    struct fixture *f = setup_tp(&cfg);
    int c1 = client_tcp("127.0.0.1", f->port);
    client_write(c1, MSG2, strlen(MSG2));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    int c2 = client_tcp("127.0.0.1", f->port);
    assert_true(client_wait_eof(f->loop, c2, 2000));
    struct tp_stats st = stats(f->tp);
    assert_int_equal(st.conns_refused, 1);
    assert_int_equal(st.conns_accepted, 1);
    /* Outbound connects count against the same limit. */
    struct tp_flow to = {.proto = TP_PROTO_TCP};
    tp_addr_set(&to.remote, "127.0.0.1", 9);
    assert_int_equal(tp_send(f->tp, &to, MSG2, strlen(MSG2)), -ENOBUFS);
    close(c1);
    close(c2);
    teardown_tp(f);
}

/* The receive callback closes the connection it is reading: the rest is dropped safely. */
static struct tp *g_tp;
static void close_in_cb(void *arg, const struct tp_msg_info *info, const char *buf, size_t len)
{
    rx_cb(arg, info, buf, len);
    assert_int_equal(tp_conn_close(g_tp, info->conn_id), 0);
}

static void test_close_from_callback(void **state)
{
    struct loop *loop = NULL;
    struct rx rx = {0};
    assert_int_equal(loop_new(&loop), 0);
    struct tp_config cfg = {.on_conn_closed = rx_closed_cb};
    assert_int_equal(tp_new(loop, &cfg, close_in_cb, &rx, &g_tp), 0);
    assert_int_equal(tp_listen_tcp(g_tp, "127.0.0.1", 0), 0);
    int cfd = client_tcp("127.0.0.1", (uint16_t)tp_local_port(g_tp, TP_PROTO_TCP));
    char both[1024];
    snprintf(both, sizeof(both), "%s%s", MSG1, MSG2);
    client_write(cfd, both, strlen(both));
    assert_true(client_wait_eof(loop, cfd, 2000));
    assert_int_equal(rx.count, 1);
    assert_int_equal(rx.closed_count, 0);
    assert_int_equal(stats(g_tp).conns_open, 0);
    close(cfd);
    tp_free(g_tp);
    loop_free(loop);
    rx_clear(&rx);
}

static void test_ipv6(void **state)
{
    struct loop *loop = NULL;
    struct rx rx = {0};
    struct tp *tp = NULL;
    assert_int_equal(loop_new(&loop), 0);
    assert_int_equal(tp_new(loop, NULL, rx_cb, &rx, &tp), 0);
    int rc = tp_listen_tcp(tp, "::1", 0);
    if (rc == 0) {
        int cfd = client_tcp("::1", (uint16_t)tp_local_port(tp, TP_PROTO_TCP));
        assert_true(cfd >= 0);
        client_write(cfd, MSG1, strlen(MSG1));
        assert_true(run_until(loop, &rx.count, 1, 2000));
        assert_string_equal(rx.info[0].remote.ip, "::1");
        assert_int_equal(rx.info[0].remote.ss.ss_family, AF_INET6);
        assert_int_equal(tp_send(tp, &rx.info[0].flow, RSP, strlen(RSP)), 0);
        char buf[512];
        assert_int_equal(client_read(loop, cfd, buf, sizeof(buf), strlen(RSP), 2000), strlen(RSP));
        close(cfd);
    }
    tp_free(tp);
    loop_free(loop);
    rx_clear(&rx);
    if (rc != 0)
        skip();
}

/* Writing to a connection the peer reset must not kill the process (SIGPIPE). */
static void test_write_after_reset(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int cfd = client_tcp("127.0.0.1", f->port);
    client_write(cfd, MSG2, strlen(MSG2));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(cfd); /* RST */
    struct tp_flow back = {.proto = TP_PROTO_TCP, .conn_id = f->rx.info[0].conn_id};
    for (int i = 0; i < 5; i++) {
        int rc = tp_send(f->tp, &back, RSP, strlen(RSP));
        assert_true(rc == 0 || rc == -ENOTCONN);
        run_for(f->loop, 10);
    }
    assert_true(run_until(f->loop, &f->rx.closed_count, 1, 2000));
    assert_false(tp_conn_is_open(f->tp, f->rx.info[0].conn_id));
    assert_int_equal(tp_send(f->tp, &back, RSP, strlen(RSP)), -ENOTCONN);
    assert_int_equal(stats(f->tp).conns_connected, 0); /* no fallback connect without remote */
    teardown_tp(f);
}

/* tp_free with open connections and queued data leaks nothing (checked by ASan). */
static void test_free_with_open_conns(void **state)
{
    struct fixture *f = setup_tp(NULL);
    int c1 = client_tcp("127.0.0.1", f->port);
    client_write(c1, MSG1, 40); /* half a message buffered */
    struct tp_flow to = {.proto = TP_PROTO_TCP};
    tp_addr_set(&to.remote, "127.0.0.1", f->port);
    assert_int_equal(tp_send(f->tp, &to, MSG2, strlen(MSG2)), 0); /* connect to itself */
    run_for(f->loop, 50);
    assert_true(stats(f->tp).conns_open >= 2);
    teardown_tp(f);
    close(c1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_in_one_write),
        cmocka_unit_test(test_split_and_reply),
        cmocka_unit_test(test_connect_and_reuse),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_send_on_closed_conn),
        cmocka_unit_test(test_oversize_closes),
        cmocka_unit_test(test_missing_length_closes),
        cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_ping_pong),
        cmocka_unit_test(test_max_connections),
        cmocka_unit_test(test_close_from_callback),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_write_after_reset),
        cmocka_unit_test(test_free_with_open_conns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
