/*
 * common/sipstack metrics over real loopback sockets: requests are counted
 * once per server transaction (a retransmission is absorbed and not counted),
 * each response code once (the retransmitted 401 is not counted twice), the
 * stateless 400 too, REGISTER latency is the time until the final response
 * is handed to its transaction, and the transactions gauge reads the live
 * transaction count.
 */
#include "test_util.h"

#include "log/log.h"
#include "metrics/metrics.h"
#include "sipstack/sipstack.h"

#include <errno.h>
#include <event2/buffer.h>
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
    struct metrics *m;
    struct metrics_ims ims;
    struct sipstack *st;
    int port;
    uint64_t held; /* a REGISTER the test answers later */
};

static void on_request(void *arg, struct txn_server *ts, const osip_message_t *req,
                       const struct txn_addr *src)
{
    struct fixture *f = arg;
    const char *user = req->req_uri ? req->req_uri->username : NULL;

    if (MSG_IS_REGISTER(req) && user && strcmp(user, "later") == 0) {
        f->held = txn_server_id(ts);
        txn_respond_code(ts, 100, NULL);
        return;
    }
    txn_respond_code(ts, MSG_IS_REGISTER(req) ? 401 : 200, NULL);
}

static const struct txn_handlers handlers = {.on_request = on_request};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(loop_new(&f->loop), 0);
    assert_int_equal(metrics_new(&f->m), 0);
    assert_int_equal(metrics_ims_register(f->m, &f->ims), 0);
    int base = 20000 + (int)((getpid() * 3) % 20000);
    for (int i = 0; i < 200 && !f->st; i++) {
        struct sipstack_config cfg = {.listen_host = "127.0.0.1",
                                      .port = base + i * 11,
                                      .udp = true,
                                      .tcp = false,
                                      .metrics = &f->ims};
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
    metrics_free(f->m); /* after the stack, as sipstack.h asks */
    loop_free(f->loop);
    free(f);
    return 0;
}

static void send_req(struct fixture *f, int fd, const char *method, const char *user,
                     const char *branch, const char *cseq_method)
{
    char buf[1024];
    struct tp_addr a;
    int n = snprintf(buf, sizeof(buf),
                     "%s sip:%s@127.0.0.1:%d SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=%s\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:ue@example.org>;tag=t1\r\n"
                     "To: <sip:ue@example.org>\r\n"
                     "Call-ID: %s@test\r\n"
                     "CSeq: 1 %s\r\n"
                     "Content-Length: 0\r\n\r\n",
                     method, user, f->port, branch, branch, cseq_method);
    assert_int_equal(tp_addr_set(&a, "127.0.0.1", (uint16_t)f->port), 0);
    assert_true(sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&a.ss, a.len) == n);
}

/* Waits for one datagram starting with want (e.g. "SIP/2.0 401"), driving the loop. */
static void expect_reply(struct fixture *f, int fd, const char *want)
{
    char buf[4096];
    long long deadline = loop_now_ms() + 2000;
    while (loop_now_ms() < deadline) {
        run_for(f->loop, 5);
        ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (n > 0) {
            buf[n] = '\0';
            if (strncmp(buf, want, strlen(want)) == 0)
                return;
        }
    }
    fail_msg("no reply starting with %s", want);
}

static double value(struct metrics_family *fam, const char *a, const char *b)
{
    const char *v[2] = {a, b};
    double d = -1;
    assert_int_equal(metrics_value(fam, a ? v : NULL, &d), 0);
    return d;
}

/* The exposition text of the registry (the caller frees it). */
static char *render(struct fixture *f)
{
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(metrics_render(f->m, b), 0);
    size_t len = evbuffer_get_length(b);
    char *text = calloc(1, len + 1);
    assert_non_null(text);
    evbuffer_copyout(b, text, len);
    evbuffer_free(b);
    return text;
}

static double register_count(struct fixture *f)
{
    static const char key[] = "\nimscore_register_duration_seconds_count ";
    char *text = render(f);
    const char *p = strstr(text, key);
    assert_non_null(p);
    double v = atof(p + strlen(key));
    free(text);
    return v;
}

static void test_counts_once_per_transaction(void **state)
{
    struct fixture *f = *state;
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);

    send_req(f, fd, "REGISTER", "ue", "z9hG4bK-reg-1", "REGISTER");
    expect_reply(f, fd, "SIP/2.0 401");
    /* the UE did not hear it: same branch again, the transaction answers it again */
    send_req(f, fd, "REGISTER", "ue", "z9hG4bK-reg-1", "REGISTER");
    expect_reply(f, fd, "SIP/2.0 401");
    send_req(f, fd, "OPTIONS", "ue", "z9hG4bK-opt-1", "OPTIONS");
    expect_reply(f, fd, "SIP/2.0 200");

    assert_true(value(f->ims.sip_requests, "REGISTER", NULL) == 1);
    assert_true(value(f->ims.sip_requests, "OPTIONS", NULL) == 1);
    assert_true(value(f->ims.sip_responses, "REGISTER", "401") == 1);
    assert_true(value(f->ims.sip_responses, "OPTIONS", "200") == 1);
    assert_true(register_count(f) == 1);
    /* both non-INVITE server transactions linger (Timer J) and are counted live */
    assert_true(value(f->ims.transactions, NULL, NULL) == 2);
    close(fd);
}

static void test_stateless_400_counted(void **state)
{
    struct fixture *f = *state;
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    send_req(f, fd, "INVITE", "ue", "z9hG4bK-bad-1", "OPTIONS"); /* CSeq mismatch */
    expect_reply(f, fd, "SIP/2.0 400");
    assert_true(value(f->ims.sip_requests, "INVITE", NULL) == 1);
    assert_true(value(f->ims.sip_responses, "INVITE", "400") == 1);
    assert_true(value(f->ims.transactions, NULL, NULL) == 0);
    close(fd);
}

static void test_register_latency_until_final(void **state)
{
    struct fixture *f = *state;
    int fd = client_udp("127.0.0.1");
    assert_true(fd >= 0);
    send_req(f, fd, "REGISTER", "later", "z9hG4bK-later-1", "REGISTER");
    expect_reply(f, fd, "SIP/2.0 100");
    assert_true(f->held != 0);
    assert_true(value(f->ims.sip_responses, "REGISTER", "100") == 1);
    assert_true(register_count(f) == 0); /* a provisional response is not the end */
    run_for(f->loop, 120);
    struct txn_server *ts = txn_server_lookup(sipstack_txn(f->st), f->held);
    assert_non_null(ts);
    assert_int_equal(txn_respond_code(ts, 200, NULL), 0);
    expect_reply(f, fd, "SIP/2.0 200");
    assert_true(value(f->ims.sip_responses, "REGISTER", "200") == 1);
    assert_true(register_count(f) == 1);
    /* one observation of at least the 120 ms the test held it, well below 10 s */
    char *text = render(f);
    assert_non_null(strstr(text, "imscore_register_duration_seconds_bucket{le=\"0.1\"} 0\n"));
    assert_non_null(strstr(text, "imscore_register_duration_seconds_bucket{le=\"2.5\"} 1\n"));
    free(text);
    close(fd);
}

int main(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_once_per_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stateless_400_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_latency_until_final, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
