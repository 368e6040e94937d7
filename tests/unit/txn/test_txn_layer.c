/*
 * Transaction layer over real UDP sockets on loopback: NICT retransmission and
 * timeout, NIST replay of the final response, response matching by branch,
 * INVITE server transaction with 100 Trying, and no retransmission over TCP.
 */
#include "txn_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct ctx {
    struct loop *loop;
    struct tu_node node; /* the layer under test */
    int peer_fd, peer_port;
    /* on_request */
    int requests;
    struct txn_server *st;
    int answer_code; /* 0: keep st for later */
    /* on_stray */
    int strays;
    /* client callback */
    int provisional, finals, final_code;
    bool final_local;
    char final_branch[80];
};

static void on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src)
{
    struct ctx *c = arg;
    c->requests++;
    if (c->answer_code)
        assert_int_equal(txn_respond_code(st, c->answer_code, NULL), 0);
    else
        c->st = st;
}

static void on_stray(void *arg, osip_message_t **msg, const struct txn_addr *src)
{
    struct ctx *c = arg;
    c->strays++;
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **resp, bool local)
{
    struct ctx *c = arg;
    assert_non_null(*resp);
    if ((*resp)->status_code < 200) {
        c->provisional++;
        return;
    }
    c->finals++;
    c->final_code = (*resp)->status_code;
    c->final_local = local;
    const char *b = tu_branch(*resp, 0);
    snprintf(c->final_branch, sizeof(c->final_branch), "%s", b ? b : "");
}

static int setup(void **state)
{
    static bool parser_ready;
    if (!parser_ready) {
        parser_init();
        parser_ready = true;
    }
    struct ctx *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(loop_new(&c->loop), 0);
    struct txn_handlers h = {.on_request = on_request, .on_stray = on_stray};
    assert_int_equal(txn_layer_new(c->loop, tu_send_fn, &c->node, &h, c, &c->node.layer), 0);
    assert_int_equal(tu_node_open(&c->node, c->loop), 0);
    c->peer_fd = tu_udp_socket(&c->peer_port);
    assert_true(c->peer_fd >= 0);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *c = *state;
    txn_layer_free(c->node.layer);
    tu_node_close(&c->node);
    close(c->peer_fd);
    loop_free(c->loop);
    free(c);
    return 0;
}

static osip_message_t *make_register(const char *branch, int to_port)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=%s;rport\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:alice@ims.test>;tag=a1\r\n"
             "To: <sip:alice@ims.test>\r\n"
             "Call-ID: reg-%s@127.0.0.1\r\n"
             "CSeq: 1 REGISTER\r\n"
             "Contact: <sip:alice@127.0.0.1:5999>\r\n"
             "Content-Length: 0\r\n\r\n",
             to_port, branch, branch);
    return tu_parse(text);
}

static struct txn_addr peer_addr(struct ctx *c, int proto)
{
    struct txn_addr a = {.proto = proto, .port = c->peer_port};
    snprintf(a.host, sizeof(a.host), "127.0.0.1");
    return a;
}

/* Timer E retransmits with T1 doubling up to T2, Timer F ends with a local 408. */
static void test_nict_retransmit_and_timeout(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(txn_layer_set_timers(c->node.layer, 20, 80, 50), 0);
    osip_message_t *req = make_register("z9hG4bKnict1", c->peer_port);
    struct txn_addr dst = peer_addr(c, TXN_PROTO_UDP);
    struct txn_client *ct = NULL;
    long long t0 = loop_now_ms();
    assert_int_equal(txn_request(c->node.layer, &req, &dst, on_response, c, &ct), 0);
    assert_null(req);
    assert_non_null(ct);
    assert_int_equal(c->node.sent, 0); /* sent from the loop, not inside txn_request */

    struct txn_stats st;
    txn_layer_stats(c->node.layer, &st);
    assert_int_equal(st.nict, 1);

    int n = 0;
    while (c->finals == 0 && loop_now_ms() - t0 < 4000) {
        osip_message_t *m = tu_recv(c->loop, c->peer_fd, 5, NULL);
        if (m) {
            assert_string_equal(tu_branch(m, 0), "z9hG4bKnict1");
            assert_string_equal(m->sip_method, "REGISTER");
            n++;
            osip_message_free(m);
        }
    }
    long long elapsed = loop_now_ms() - t0;
    assert_int_equal(c->finals, 1);
    assert_int_equal(c->final_code, 408);
    assert_true(c->final_local);
    assert_string_equal(c->final_branch, "z9hG4bKnict1");
    /* Timer F = 64*T1 = 1280 ms */
    assert_true(elapsed >= 1250);
    assert_true(elapsed < 2500);
    /* first send + retransmissions after 20, 40, 80, then every 80 ms (about 17 in
     * 1280 ms; a loaded machine fires timers late, which only lowers the count) */
    assert_int_equal(c->node.sent, n);
    assert_true(n >= 6);
    assert_true(n <= 20);
    /* intervals measured when the layer sent: T1, 2*T1, 4*T1, then capped at T2 */
    const long long *t = c->node.sent_at;
    assert_true(t[1] - t[0] >= 19);
    assert_true(t[2] - t[1] >= 39);
    assert_true(t[3] - t[2] >= 79);
    assert_true(t[4] - t[3] >= 79);
    assert_true(t[1] - t[0] < 200); /* not libosip2's compiled-in 500 ms */
    assert_true(t[4] - t[3] < 400); /* capped by our T2, not the compiled-in 4 s */

    txn_layer_stats(c->node.layer, &st);
    assert_int_equal(st.timeouts, 1);
    assert_true(st.retransmits >= 9);
    tu_run(c->loop, 30, NULL);
    txn_layer_stats(c->node.layer, &st);
    assert_int_equal(st.nict, 0);
}

/* A retransmitted request gets the last response again; on_request runs once. */
static void test_nist_replays_final_response(void **state)
{
    struct ctx *c = *state;
    c->answer_code = 200;
    osip_message_t *req = make_register("z9hG4bKnist1", c->node.port);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, req), 0);
    int from = 0;
    osip_message_t *r1 = tu_recv(c->loop, c->peer_fd, 1000, &from);
    assert_non_null(r1);
    assert_int_equal(from, c->node.port);
    assert_int_equal(r1->status_code, 200);
    assert_string_equal(tu_branch(r1, 0), "z9hG4bKnist1");
    assert_int_equal(c->requests, 1);
    /* Via says 127.0.0.1:5999;rport: the response went to the source port (RFC 3581) */

    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, req), 0);
    osip_message_t *r2 = tu_recv(c->loop, c->peer_fd, 1000, NULL);
    assert_non_null(r2);
    assert_int_equal(r2->status_code, 200);
    assert_non_null(tu_to_tag(r1));
    assert_string_equal(tu_to_tag(r1), tu_to_tag(r2));
    assert_int_equal(c->requests, 1);

    struct txn_stats st;
    txn_layer_stats(c->node.layer, &st);
    assert_int_equal(st.nist, 1);
    assert_true(st.retransmits >= 1);

    /* a new branch is a new transaction */
    osip_message_t *req2 = make_register("z9hG4bKnist2", c->node.port);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, req2), 0);
    osip_message_t *r3 = tu_recv(c->loop, c->peer_fd, 1000, NULL);
    assert_non_null(r3);
    assert_int_equal(c->requests, 2);
    osip_message_free(r1);
    osip_message_free(r2);
    osip_message_free(r3);
    osip_message_free(req);
    osip_message_free(req2);
}

/* Responses reach the client transaction only with its branch. */
static void test_response_matched_by_branch(void **state)
{
    struct ctx *c = *state;
    osip_message_t *req = make_register("z9hG4bKmatch1", c->peer_port);
    struct txn_addr dst = peer_addr(c, TXN_PROTO_UDP);
    assert_int_equal(txn_request(c->node.layer, &req, &dst, on_response, c, NULL), 0);
    osip_message_t *got = tu_recv(c->loop, c->peer_fd, 1000, NULL);
    assert_non_null(got);

    /* same Call-ID and CSeq, other branch: not ours */
    osip_message_t *wrong = NULL;
    assert_int_equal(txn_response_new(got, 200, NULL, &wrong), 0);
    osip_via_t *via = osip_list_get(&wrong->vias, 0);
    osip_generic_param_t *b = NULL;
    osip_via_param_get_byname(via, "branch", &b);
    osip_free(b->gvalue);
    b->gvalue = osip_strdup("z9hG4bKother");
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, wrong), 0);
    tu_run(c->loop, 100, &c->strays);
    assert_int_equal(c->strays, 1);
    assert_int_equal(c->finals, 0);

    osip_message_t *ringing = NULL, *ok = NULL;
    assert_int_equal(txn_response_new(got, 180, NULL, &ringing), 0);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, ringing), 0);
    tu_run(c->loop, 500, &c->provisional);
    assert_int_equal(c->provisional, 1);
    assert_int_equal(txn_response_new(got, 200, NULL, &ok), 0);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, ok), 0);
    tu_run(c->loop, 500, &c->finals);
    assert_int_equal(c->finals, 1);
    assert_int_equal(c->final_code, 200);
    assert_false(c->final_local);
    /* a retransmitted 200 is absorbed by the completed transaction */
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, ok), 0);
    tu_run(c->loop, 100, NULL);
    assert_int_equal(c->finals, 1);
    assert_int_equal(c->strays, 1);
    osip_message_free(got);
    osip_message_free(wrong);
    osip_message_free(ringing);
    osip_message_free(ok);
}

/* An INVITE server transaction answers 100 Trying at once, then the TU's final. */
static void test_ist_sends_100_trying(void **state)
{
    struct ctx *c = *state;
    char text[1024];
    snprintf(text, sizeof(text),
             "INVITE sip:bob@127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKinv1;rport\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:alice@ims.test>;tag=a1\r\n"
             "To: <sip:bob@ims.test>\r\n"
             "Call-ID: inv1@127.0.0.1\r\n"
             "CSeq: 1 INVITE\r\n"
             "Contact: <sip:alice@127.0.0.1>\r\n"
             "Content-Length: 0\r\n\r\n",
             c->node.port, c->peer_port);
    osip_message_t *inv = tu_parse(text);
    assert_non_null(inv);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, inv), 0);
    osip_message_t *trying = tu_recv(c->loop, c->peer_fd, 1000, NULL);
    assert_non_null(trying);
    assert_int_equal(trying->status_code, 100);
    assert_null(tu_to_tag(trying));
    assert_int_equal(c->requests, 1);
    assert_non_null(c->st);
    /* received/rport were added to the top Via the TU sees */
    const osip_message_t *seen = txn_server_request(c->st);
    osip_generic_param_t *rport = NULL;
    osip_via_param_get_byname((osip_via_t *)osip_list_get(&seen->vias, 0), "rport", &rport);
    assert_non_null(rport);
    assert_int_equal(atoi(rport->gvalue), c->peer_port);
    uint64_t id = txn_server_id(c->st);
    assert_ptr_equal(txn_server_lookup(c->node.layer, id), c->st);

    assert_int_equal(txn_respond_code(c->st, 486, NULL), 0);
    assert_null(txn_server_lookup(c->node.layer, id));
    osip_message_t *busy = tu_recv(c->loop, c->peer_fd, 1000, NULL);
    assert_non_null(busy);
    assert_int_equal(busy->status_code, 486);
    assert_non_null(tu_to_tag(busy));
    /* the ACK for the non-2xx final is absorbed by the IST (no stray) */
    char ack[1024];
    snprintf(ack, sizeof(ack),
             "ACK sip:bob@127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKinv1;rport\r\n"
             "Max-Forwards: 70\r\n"
             "From: <sip:alice@ims.test>;tag=a1\r\n"
             "To: <sip:bob@ims.test>;tag=%s\r\n"
             "Call-ID: inv1@127.0.0.1\r\n"
             "CSeq: 1 ACK\r\n"
             "Content-Length: 0\r\n\r\n",
             c->node.port, c->peer_port, tu_to_tag(busy));
    osip_message_t *ackm = tu_parse(ack);
    assert_non_null(ackm);
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, ackm), 0);
    tu_run(c->loop, 100, NULL);
    assert_int_equal(c->strays, 0);
    /* a retransmitted INVITE is answered with the 486 again, not passed up */
    assert_int_equal(tu_send_msg(c->peer_fd, c->node.port, inv), 0);
    tu_run(c->loop, 100, NULL);
    assert_int_equal(c->requests, 1);
    osip_message_free(trying);
    osip_message_free(busy);
    osip_message_free(ackm);
    osip_message_free(inv);
}

/* Over TCP the request goes out once with Via TCP and is never retransmitted. */
static void test_no_retransmission_over_tcp(void **state)
{
    struct ctx *c = *state;
    assert_int_equal(txn_layer_set_timers(c->node.layer, 20, 80, 50), 0);
    osip_message_t *req = make_register("z9hG4bKtcp1", c->peer_port);
    struct txn_addr dst = peer_addr(c, TXN_PROTO_TCP);
    struct txn_client *ct = NULL;
    assert_int_equal(txn_request(c->node.layer, &req, &dst, on_response, c, &ct), 0);
    assert_string_equal(((osip_via_t *)osip_list_get(&txn_client_request(ct)->vias, 0))->protocol,
                        "TCP");
    tu_run(c->loop, 300, NULL);
    assert_int_equal(c->node.sent, 1);
    assert_int_equal(c->node.last_dst.proto, TXN_PROTO_TCP);
    assert_int_equal(c->finals, 0);
    txn_client_abandon(ct);
    /* Timer F still ends it (64*T1), silently since it was abandoned */
    tu_run(c->loop, 1500, NULL);
    assert_int_equal(c->finals, 0);
    struct txn_stats st;
    txn_layer_stats(c->node.layer, &st);
    assert_int_equal(st.nict, 0);
    assert_int_equal(st.timeouts, 1);
}

/* Argument checks follow the async rule: on error the callback never runs. */
static void test_request_rejects_bad_input(void **state)
{
    struct ctx *c = *state;
    struct txn_addr dst = peer_addr(c, TXN_PROTO_UDP);
    osip_message_t *req = make_register("nocookie", c->peer_port);
    assert_int_equal(txn_request(c->node.layer, &req, &dst, on_response, c, NULL), -EINVAL);
    assert_non_null(req); /* still ours */
    osip_message_free(req);
    assert_int_equal(txn_layer_set_timers(c->node.layer, 0, 10, 10), -EINVAL);
    assert_int_equal(txn_layer_set_timers(c->node.layer, 500, 100, 10), -EINVAL);
    tu_run(c->loop, 50, NULL);
    assert_int_equal(c->finals, 0);
    assert_int_equal(c->node.sent, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nict_retransmit_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nist_replays_final_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_matched_by_branch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ist_sends_100_trying, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_retransmission_over_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_rejects_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
