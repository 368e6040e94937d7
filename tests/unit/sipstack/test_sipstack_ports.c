/*
 * common/sipstack extra listeners (the P-CSCF's protected ports), over real
 * loopback sockets: a request arriving on an extra port reaches on_request
 * with src->local_port set to that port and its response leaves from it
 * (UDP) or goes back on its connection (TCP); the main port reports its own
 * port; a destination with local_port set is sent from that port (UDP source
 * port, TCP connect() bound to it); bad arguments and a taken port fail.
 */
#include "test_util.h"

#include "log/log.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"

#include <arpa/inet.h>
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

struct fixture {
    struct loop *loop;
    struct sipstack *st;
    int port, extra;
    int requests;
    struct txn_addr src;
};

static void on_request(void *arg, struct txn_server *ts, const osip_message_t *req,
                       const struct txn_addr *src)
{
    struct fixture *f = arg;
    f->requests++;
    f->src = *src;
    txn_respond_code(ts, 200, "OK");
}

static const struct txn_handlers handlers = {.on_request = on_request};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    int base = 20000 + (int)((getpid() * 13) % 20000);
    for (int i = 0; i < 200 && !f->st; i++) {
        struct sipstack_config cfg = {
            .listen_host = "127.0.0.1", .port = base + i * 7, .udp = true, .tcp = true};
        if (sipstack_new(f->loop, &cfg, &handlers, NULL, f, &f->st) == 0)
            f->port = cfg.port;
    }
    assert_non_null(f->st);
    for (int i = 1; i < 200 && !f->extra; i++)
        if (sipstack_listen_extra(f->st, f->port + i * 3, true, true) == 0)
            f->extra = f->port + i * 3;
    assert_true(f->extra > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sipstack_free(f->st);
    loop_free(f->loop);
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

static void build_req_via(char *buf, size_t cap, const char *method, const char *proto, int port,
                          const char *call_id, const char *rport)
{
    snprintf(buf, cap,
             "%s sip:127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/%s 127.0.0.1:9%s;branch=z9hG4bK-%s\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:ue@example.org>;tag=t1\r\n"
             "To: <sip:127.0.0.1:%d>\r\n"
             "Call-ID: %s\r\n"
             "CSeq: 1 %s\r\n"
             "Content-Length: 0\r\n\r\n",
             method, port, proto, rport, call_id, port, call_id, method);
}

static void build_req(char *buf, size_t cap, const char *method, const char *proto, int port,
                      const char *call_id)
{
    build_req_via(buf, cap, method, proto, port, call_id, ";rport");
}

/* Waits for one datagram on fd; returns its length, its source port in *src. */
static ssize_t udp_recv(struct fixture *f, int fd, char *buf, size_t cap, uint16_t *src)
{
    for (int i = 0; i < 300; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        ssize_t n = recvfrom(fd, buf, cap - 1, MSG_DONTWAIT, (struct sockaddr *)&ss, &len);
        if (n >= 0) {
            struct tp_addr a;
            buf[n] = '\0';
            tp_addr_from_sockaddr(&a, (struct sockaddr *)&ss, len);
            *src = a.port;
            return n;
        }
        run_for(f->loop, 10);
    }
    return -1;
}

/*
 * Sends one request to our port over UDP; checks local_port and the reply's
 * source. rport: the Via's rport parameter ("" for none: sent-by names port 9).
 */
static void udp_roundtrip(struct fixture *f, int to_port, const char *call_id, const char *rport)
{
    char req[1024], buf[2048];
    uint16_t src = 0;
    int fd = client_udp("127.0.0.1");
    struct tp_addr a;

    assert_true(fd >= 0);
    build_req_via(req, sizeof(req), "OPTIONS", "UDP", to_port, call_id, rport);
    assert_int_equal(tp_addr_set(&a, "127.0.0.1", (uint16_t)to_port), 0);
    int before = f->requests;
    assert_true(sendto(fd, req, strlen(req), 0, (struct sockaddr *)&a.ss, a.len) ==
                (ssize_t)strlen(req));
    assert_true(run_until(f->loop, &f->requests, before + 1, 2000));
    assert_int_equal(f->src.local_port, to_port);
    assert_int_equal(f->src.port, fd_port(fd, 0));
    assert_true(udp_recv(f, fd, buf, sizeof(buf), &src) > 0);
    assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
    assert_int_equal(src, to_port); /* the response leaves from the port it came to */
    char want[32];
    snprintf(want, sizeof(want), ";rport=%u", fd_port(fd, 0));
    assert_non_null(strstr(buf, want));
    close(fd);
}

/* The main port keeps RFC 3261 routing: without rport the answer goes to sent-by. */
static void test_udp_main_port_no_rport(void **state)
{
    struct fixture *f = *state;
    char req[1024], buf[2048];
    int fd = client_udp("127.0.0.1");
    struct tp_addr a;

    build_req_via(req, sizeof(req), "OPTIONS", "UDP", f->port, "main-norport", "");
    assert_int_equal(tp_addr_set(&a, "127.0.0.1", (uint16_t)f->port), 0);
    assert_true(sendto(fd, req, strlen(req), 0, (struct sockaddr *)&a.ss, a.len) ==
                (ssize_t)strlen(req));
    assert_true(run_until(f->loop, &f->requests, 1, 2000));
    assert_int_equal(f->src.local_port, f->port);
    ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
    for (int i = 0; i < 20 && n < 0; i++) {
        run_for(f->loop, 10);
        n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
    }
    assert_true(n < 0); /* went to 127.0.0.1:9 */
    close(fd);
}

static void test_udp_extra_port(void **state)
{
    struct fixture *f = *state;
    udp_roundtrip(f, f->extra, "extra-udp", ";rport");
    udp_roundtrip(f, f->port, "main-udp", ";rport");
    /* no rport: on an extra port the answer still goes to the source port (the pair is
     * fixed), with rport added to the Via it echoes */
    udp_roundtrip(f, f->extra, "extra-udp-norport", "");
    assert_int_equal(f->requests, 3);
    assert_int_equal(sipstack_port(f->st), f->port); /* the main port stays advertised */
}

/* Sends a request built here to dst through the stack. */
static void send_stateless(struct fixture *f, const struct txn_addr *dst, const char *proto,
                           int to_port)
{
    char req[1024], why[128];
    osip_message_t *m = NULL;
    build_req(req, sizeof(req), "NOTIFY", proto, to_port, "to-ue");
    assert_int_equal(sip_msg_parse(req, strlen(req), &m, why, sizeof(why)), 0);
    assert_int_equal(txn_send_stateless(sipstack_txn(f->st), m, dst), 0);
    osip_message_free(m);
}

static void test_send_from_extra_port(void **state)
{
    struct fixture *f = *state;
    char buf[2048];
    uint16_t src = 0;
    int fd = client_udp("127.0.0.1");
    struct txn_addr dst = {.proto = TXN_PROTO_UDP, .port = fd_port(fd, 0)};
    snprintf(dst.host, sizeof(dst.host), "127.0.0.1");

    dst.local_port = f->extra;
    send_stateless(f, &dst, "UDP", dst.port);
    assert_true(udp_recv(f, fd, buf, sizeof(buf), &src) > 0);
    assert_non_null(strstr(buf, "NOTIFY sip:"));
    assert_int_equal(src, f->extra);
    dst.local_port = 0; /* default: the main port */
    send_stateless(f, &dst, "UDP", dst.port);
    assert_true(udp_recv(f, fd, buf, sizeof(buf), &src) > 0);
    assert_int_equal(src, f->port);
    close(fd);

    /* TCP to the UE's server port from our extra port */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(lfd, 4), 0);
    struct txn_addr tdst = {.proto = TXN_PROTO_TCP, .port = fd_port(lfd, 0)};
    snprintf(tdst.host, sizeof(tdst.host), "127.0.0.1");
    tdst.local_port = f->extra;
    send_stateless(f, &tdst, "TCP", tdst.port);
    int afd = -1;
    for (int i = 0; i < 300 && afd < 0; i++) {
        afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (afd < 0)
            run_for(f->loop, 10);
    }
    assert_true(afd >= 0);
    assert_int_equal(fd_port(afd, 1), f->extra);
    assert_true(client_read(f->loop, afd, buf, sizeof(buf), 20, 2000) >= 20);
    assert_non_null(strstr(buf, "NOTIFY sip:"));
    close(afd);
    close(lfd);
}

static void test_tcp_extra_port(void **state)
{
    struct fixture *f = *state;
    char req[1024], buf[2048];
    int fd = client_tcp("127.0.0.1", (uint16_t)f->extra);
    assert_true(fd >= 0);
    build_req(req, sizeof(req), "OPTIONS", "TCP", f->extra, "extra-tcp");
    client_write(fd, req, strlen(req));
    assert_true(run_until(f->loop, &f->requests, 1, 2000));
    assert_int_equal(f->src.proto, TXN_PROTO_TCP);
    assert_int_equal(f->src.local_port, f->extra);
    assert_true(f->src.conn_id > 0);
    assert_true(client_read(f->loop, fd, buf, sizeof(buf), 20, 2000) >= 20);
    assert_non_null(strstr(buf, "SIP/2.0 200 OK"));
    close(fd);
}

static void test_errors(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(sipstack_listen_extra(NULL, 5000, true, true), -EINVAL);
    assert_int_equal(sipstack_listen_extra(f->st, 0, true, true), -EINVAL);
    assert_int_equal(sipstack_listen_extra(f->st, 65536, true, false), -EINVAL);
    assert_int_equal(sipstack_listen_extra(f->st, f->extra + 1, false, false), -EINVAL);
    assert_int_equal(sipstack_listen_extra(f->st, f->port, true, false), -EADDRINUSE);
    assert_int_equal(sipstack_listen_extra(f->st, f->extra, false, true), -EADDRINUSE);
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_extra_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_main_port_no_rport, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_from_extra_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_extra_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
