/*
 * UDP transport over loopback: delivery with the right addresses, replies from
 * the SIP port, keep-alives, size limit and send errors.
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

static const char REQ[] = "OPTIONS sip:pcscf.ims.mnc001.mcc001.3gppnetwork.org SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-udp-1\r\n"
                          "Content-Length: 0\r\n\r\n";
static const char RSP[] = "SIP/2.0 200 OK\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-udp-1\r\n"
                          "Content-Length: 0\r\n\r\n";

struct fixture {
    struct loop *loop;
    struct tp *tp;
    struct rx rx;
};

static struct fixture *setup_tp(const struct tp_config *cfg)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    assert_int_equal(tp_new(f->loop, cfg, rx_cb, &f->rx, &f->tp), 0);
    return f;
}

static void teardown_tp(struct fixture *f)
{
    tp_free(f->tp);
    loop_free(f->loop);
    rx_clear(&f->rx);
    free(f);
}

static uint16_t bound_port(int fd)
{
    struct tp_addr a;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    tp_addr_from_sockaddr(&a, (struct sockaddr *)&ss, len);
    return a.port;
}

/* Sends from a client socket, then answers with tp_send() on the received flow. */
static void roundtrip(const char *listen_ip, const char *dst_ip)
{
    struct fixture *f = setup_tp(NULL);
    int rc = tp_listen_udp(f->tp, listen_ip, 0);
    if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) {
        teardown_tp(f);
        skip();
    }
    assert_int_equal(rc, 0);
    int port = tp_local_port(f->tp, TP_PROTO_UDP);
    assert_true(port > 0);
    assert_int_equal(tp_local_port(f->tp, TP_PROTO_TCP), -ENOENT);

    int cfd = client_udp(dst_ip);
    assert_true(cfd >= 0);
    struct tp_addr dst;
    assert_int_equal(tp_addr_set(&dst, dst_ip, (uint16_t)port), 0);
    assert_int_equal(sendto(cfd, REQ, strlen(REQ), 0, (struct sockaddr *)&dst.ss, dst.len),
                     (ssize_t)strlen(REQ));
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));

    const struct tp_msg_info *in = &f->rx.info[0];
    assert_int_equal(in->proto, TP_PROTO_UDP);
    assert_int_equal(in->conn_id, 0);
    assert_string_equal(in->remote.ip, dst.ip);
    assert_int_equal(in->remote.port, bound_port(cfd));
    assert_string_equal(in->local.ip, dst.ip); /* also with a wildcard listener */
    assert_int_equal(in->local.port, port);
    assert_int_equal(in->flow.proto, TP_PROTO_UDP);
    assert_true(tp_addr_is_equal(&in->flow.remote, &in->remote));
    assert_int_equal(f->rx.len[0], strlen(REQ));
    assert_string_equal(f->rx.msg[0], REQ);

    assert_int_equal(tp_send(f->tp, &in->flow, RSP, strlen(RSP)), 0);
    char buf[1024];
    struct sockaddr_storage from;
    socklen_t flen = sizeof(from);
    ssize_t n = -1;
    for (int i = 0; i < 200 && n < 0; i++) {
        run_for(f->loop, 5);
        n = recvfrom(cfd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
    }
    assert_int_equal(n, (ssize_t)strlen(RSP));
    buf[n] = '\0';
    assert_string_equal(buf, RSP);
    struct tp_addr src;
    assert_int_equal(tp_addr_from_sockaddr(&src, (struct sockaddr *)&from, flen), 0);
    assert_int_equal(src.port, port); /* the reply leaves from the SIP port */

    struct tp_stats st;
    tp_get_stats(f->tp, &st);
    assert_int_equal(st.msgs_in, 1);
    assert_int_equal(st.bytes_in, strlen(REQ));
    assert_int_equal(st.msgs_out, 1);
    assert_int_equal(st.bytes_out, strlen(RSP));
    close(cfd);
    teardown_tp(f);
}

static void test_roundtrip_v4(void **state)
{
    roundtrip("127.0.0.1", "127.0.0.1");
}

static void test_roundtrip_v4_wildcard(void **state)
{
    roundtrip("0.0.0.0", "127.0.0.1");
}

static void test_roundtrip_v6(void **state)
{
    roundtrip("::1", "::1");
}

static void test_keepalive_and_oversize(void **state)
{
    struct tp_config cfg = {.max_msg_size = 200};
    struct fixture *f = setup_tp(&cfg);
    assert_int_equal(tp_listen_udp(f->tp, "127.0.0.1", 0), 0);
    struct tp_addr dst;
    assert_int_equal(tp_addr_set(&dst, "127.0.0.1", (uint16_t)tp_local_port(f->tp, TP_PROTO_UDP)),
                     0);
    int cfd = client_udp("127.0.0.1");
    assert_true(cfd >= 0);

    char big[300];
    memset(big, 'x', sizeof(big));
    char crlf_req[256];
    snprintf(crlf_req, sizeof(crlf_req), "\r\n%s", REQ);
    assert_true(strlen(REQ) <= 200);

    sendto(cfd, "\r\n\r\n", 4, 0, (struct sockaddr *)&dst.ss, dst.len);
    sendto(cfd, big, sizeof(big), 0, (struct sockaddr *)&dst.ss, dst.len);
    sendto(cfd, big, 201, 0, (struct sockaddr *)&dst.ss, dst.len);
    sendto(cfd, crlf_req, strlen(crlf_req), 0, (struct sockaddr *)&dst.ss, dst.len);
    assert_true(run_until(f->loop, &f->rx.count, 1, 2000));
    run_for(f->loop, 50);
    assert_int_equal(f->rx.count, 1);
    assert_string_equal(f->rx.msg[0], REQ); /* leading CRLF stripped */

    struct tp_stats st;
    tp_get_stats(f->tp, &st);
    assert_int_equal(st.udp_dropped, 2);
    assert_int_equal(st.keepalives_in, 1);
    assert_int_equal(st.msgs_in, 1);
    close(cfd);
    teardown_tp(f);
}

static void test_send_errors(void **state)
{
    struct tp_config cfg = {.max_msg_size = 100};
    struct fixture *f = setup_tp(&cfg);
    struct tp_flow fl = {.proto = TP_PROTO_UDP};
    assert_int_equal(tp_addr_set(&fl.remote, "127.0.0.1", 5060), 0);
    /* No listener yet. */
    assert_int_equal(tp_send(f->tp, &fl, "x", 1), -EADDRNOTAVAIL);
    assert_int_equal(tp_listen_udp(f->tp, "127.0.0.1", 0), 0);
    /* No IPv6 listener. */
    struct tp_flow fl6 = {.proto = TP_PROTO_UDP};
    assert_int_equal(tp_addr_set(&fl6.remote, "[::1]", 5060), 0);
    assert_int_equal(tp_send(f->tp, &fl6, "x", 1), -EADDRNOTAVAIL);
    char big[101] = {0};
    assert_int_equal(tp_send(f->tp, &fl, big, sizeof(big)), -EMSGSIZE);
    struct tp_flow none = {.proto = TP_PROTO_UDP};
    assert_int_equal(tp_send(f->tp, &none, "x", 1), -EINVAL);
    assert_int_equal(tp_listen_udp(f->tp, "not an address!", 0), -EINVAL);

    struct tp_stats st;
    tp_get_stats(f->tp, &st);
    assert_int_equal(st.send_errors, 4);
    assert_int_equal(st.msgs_out, 0);
    teardown_tp(f);
}

static void test_addr_helpers(void **state)
{
    struct tp_addr a, b;
    assert_int_equal(tp_addr_set(&a, "[2001:db8::1]", 5061), 0);
    assert_string_equal(a.ip, "2001:db8::1");
    assert_int_equal(a.port, 5061);
    assert_int_equal(a.ss.ss_family, AF_INET6);
    assert_int_equal(tp_addr_set(&b, "2001:db8::1", 5061), 0);
    assert_true(tp_addr_is_equal(&a, &b));
    assert_int_equal(tp_addr_set(&b, "2001:db8::1", 5060), 0);
    assert_false(tp_addr_is_equal(&a, &b));
    assert_int_equal(tp_addr_set(&a, "10.1.2.3", 4060), 0);
    assert_string_equal(a.ip, "10.1.2.3");
    assert_int_equal(tp_addr_set(&a, "10.1.2", 1), -EINVAL);
    assert_int_equal(a.ss.ss_family, AF_UNSPEC);
    assert_int_equal(tp_addr_set(&a, "pcscf.example", 1), -EINVAL);

    enum tp_proto p = TP_PROTO_NONE;
    assert_int_equal(tp_proto_parse("TcP", &p), 0);
    assert_int_equal(p, TP_PROTO_TCP);
    assert_int_equal(tp_proto_parse("udp", &p), 0);
    assert_int_equal(p, TP_PROTO_UDP);
    assert_int_equal(tp_proto_parse("sctp", &p), -EINVAL);
    assert_int_equal(p, TP_PROTO_UDP);
    assert_string_equal(tp_proto_name(TP_PROTO_TCP), "TCP");
    assert_string_equal(tp_proto_name(TP_PROTO_UDP), "UDP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_v4), cmocka_unit_test(test_roundtrip_v4_wildcard),
        cmocka_unit_test(test_roundtrip_v6), cmocka_unit_test(test_keepalive_and_oversize),
        cmocka_unit_test(test_send_errors),  cmocka_unit_test(test_addr_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
