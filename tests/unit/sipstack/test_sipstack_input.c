/*
 * common/sipstack input checks over real loopback sockets: a well-formed
 * request reaches on_request, a malformed one gets a stateless 400 naming the
 * fault, unparseable bytes are dropped without a reply and the stack keeps
 * serving. Both UDP and TCP.
 */
#include "test_util.h"

#include "log/log.h"
#include "sipstack/sipstack.h"

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
    int port;
    int requests;
    char last_method[32];
    char last_call_id[64];
};

static void on_request(void *arg, struct txn_server *ts, const osip_message_t *req,
                       const struct txn_addr *src)
{
    struct fixture *f = arg;
    f->requests++;
    snprintf(f->last_method, sizeof(f->last_method), "%s", req->sip_method);
    if (req->call_id && req->call_id->number)
        snprintf(f->last_call_id, sizeof(f->last_call_id), "%s", req->call_id->number);
    txn_respond_code(ts, 200, "OK");
}

static const struct txn_handlers handlers = {.on_request = on_request};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    /* Find a port free for both UDP and TCP. */
    int base = 20000 + (int)(getpid() % 20000);
    for (int i = 0; i < 200 && !f->st; i++) {
        struct sipstack_config cfg = {
            .listen_host = "127.0.0.1", .port = base + i * 7, .udp = true, .tcp = true};
        if (sipstack_new(f->loop, &cfg, &handlers, NULL, f, &f->st) == 0)
            f->port = cfg.port;
    }
    assert_non_null(f->st);
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

/*
 * Builds a request; cseq_method lets a test make CSeq disagree with the method.
 * The Via names port 9 (discard) with rport: a reply arriving on the test socket
 * proves the stack answered to the source port (RFC 3581), not to sent-by.
 */
static int build_req(char *buf, size_t cap, const char *proto, int port, const char *call_id,
                     const char *cseq_method)
{
    return snprintf(buf, cap,
                    "OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                    "Via: SIP/2.0/%s 127.0.0.1:9;rport;branch=z9hG4bK-%s\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:tester@example.org>;tag=t1\r\n"
                    "To: <sip:127.0.0.1:%d>\r\n"
                    "Call-ID: %s\r\n"
                    "CSeq: 1 %s\r\n"
                    "Content-Length: 0\r\n\r\n",
                    port, proto, call_id, port, call_id, cseq_method);
}

/* Reads one response head from fd (UDP: one datagram) while driving the loop. */
static size_t read_reply(struct fixture *f, int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t got = 0;
    long long deadline = loop_now_ms() + timeout_ms;
    buf[0] = '\0';
    while (loop_now_ms() < deadline && got + 1 < cap) {
        run_for(f->loop, 5);
        ssize_t n = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT);
        if (n > 0) {
            got += (size_t)n;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n"))
                break;
        } else if (n == 0) {
            break;
        }
    }
    return got;
}

/* Sends a request to the UDP listener from a fresh socket (source port = reply port). */
static void udp_send(struct fixture *f, int fd, const char *msg)
{
    struct tp_addr a;
    assert_int_equal(tp_addr_set(&a, "127.0.0.1", (uint16_t)f->port), 0);
    assert_true(sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&a.ss, a.len) ==
                (ssize_t)strlen(msg));
}

static void expect_ok(struct fixture *f, int fd_unused, const char *call_id, const char *reply)
{
    assert_int_equal(f->requests, 1);
    assert_string_equal(f->last_method, "OPTIONS");
    assert_string_equal(f->last_call_id, call_id);
    assert_non_null(strstr(reply, "SIP/2.0 200 OK\r\n"));
    assert_non_null(strstr(reply, call_id));
}

static void test_udp_wellformed_reaches_on_request(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    build_req(req, sizeof(req), "UDP", f->port, "udp-good-1", "OPTIONS");
    udp_send(f, fd, req);
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    expect_ok(f, fd, "udp-good-1", reply);
    struct sipstack_stats s;
    sipstack_stats(f->st, &s);
    assert_int_equal(s.requests_in, 1);
    assert_int_equal(s.bad_requests, 0);
    close(fd);
}

static void test_udp_malformed_gets_400_with_reason(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    build_req(req, sizeof(req), "UDP", f->port, "udp-bad-1", "INVITE");
    udp_send(f, fd, req);
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    assert_non_null(strstr(reply, "SIP/2.0 400 CSeq method mismatch\r\n"));
    assert_non_null(strstr(reply, "udp-bad-1"));          /* Call-ID copied */
    assert_non_null(strstr(reply, "branch=z9hG4bK-udp")); /* Via copied */
    assert_int_equal(f->requests, 0);
    struct sipstack_stats s;
    sipstack_stats(f->st, &s);
    assert_int_equal(s.bad_requests, 1);
    close(fd);
}

static void test_udp_garbage_dropped_then_serves(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    udp_send(f, fd, "\x01\x02 this is not SIP at all \xff\xfe\r\n\r\n");
    assert_int_equal(read_reply(f, fd, reply, sizeof(reply), 300), 0);
    struct sipstack_stats s;
    sipstack_stats(f->st, &s);
    assert_int_equal(s.unparseable, 1);
    assert_int_equal(f->requests, 0);

    build_req(req, sizeof(req), "UDP", f->port, "udp-good-2", "OPTIONS");
    udp_send(f, fd, req);
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    expect_ok(f, fd, "udp-good-2", reply);
    close(fd);
}

static void test_tcp_wellformed_reaches_on_request(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_tcp("127.0.0.1", (uint16_t)f->port);
    assert_true(fd >= 0);
    build_req(req, sizeof(req), "TCP", f->port, "tcp-good-1", "OPTIONS");
    client_write(fd, req, strlen(req));
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    expect_ok(f, fd, "tcp-good-1", reply);
    close(fd);
}

static void test_tcp_malformed_gets_400_with_reason(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_tcp("127.0.0.1", (uint16_t)f->port);
    assert_true(fd >= 0);
    build_req(req, sizeof(req), "TCP", f->port, "tcp-bad-1", "REGISTER");
    client_write(fd, req, strlen(req));
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    assert_non_null(strstr(reply, "SIP/2.0 400 CSeq method mismatch\r\n"));
    assert_non_null(strstr(reply, "tcp-bad-1"));
    assert_int_equal(f->requests, 0);

    /* The 400 went back on the same connection, which still serves. */
    build_req(req, sizeof(req), "TCP", f->port, "tcp-good-2", "OPTIONS");
    client_write(fd, req, strlen(req));
    assert_true(read_reply(f, fd, reply, sizeof(reply), 2000) > 0);
    expect_ok(f, fd, "tcp-good-2", reply);
    close(fd);
}

static void test_tcp_garbage_dropped_then_serves(void **state)
{
    struct fixture *f = *state;
    char req[1024], reply[4096];
    int fd = client_tcp("127.0.0.1", (uint16_t)f->port);
    assert_true(fd >= 0);
    const char *junk = "GARBAGE\x01\x02 not sip\r\nContent-Length: 0\r\n\r\n";
    client_write(fd, junk, strlen(junk));
    size_t n = read_reply(f, fd, reply, sizeof(reply), 300);
    assert_null(strstr(reply, "SIP/2.0")); /* never answered */
    (void)n;
    struct sipstack_stats s;
    sipstack_stats(f->st, &s);
    assert_int_equal(s.unparseable, 1);
    assert_int_equal(f->requests, 0);

    /* The listener keeps serving: a new connection gets its request handled. */
    int fd2 = client_tcp("127.0.0.1", (uint16_t)f->port);
    assert_true(fd2 >= 0);
    build_req(req, sizeof(req), "TCP", f->port, "tcp-good-3", "OPTIONS");
    client_write(fd2, req, strlen(req));
    assert_true(read_reply(f, fd2, reply, sizeof(reply), 2000) > 0);
    expect_ok(f, fd2, "tcp-good-3", reply);
    close(fd2);
    close(fd);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_wellformed_reaches_on_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_malformed_gets_400_with_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_garbage_dropped_then_serves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_wellformed_reaches_on_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_malformed_gets_400_with_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_garbage_dropped_then_serves, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
