/*
 * Stateful-proxy core: Via push/pop, Max-Forwards, loop detection, Record-Route,
 * loose and strict routing, next hop, and full relays over real UDP sockets
 * (client -> proxy layer -> server), including a retry on 503 and a timeout.
 */
#include "txn_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static const char *const my_names[] = {"10.0.0.1", "pcscf.ims.test"};
static const struct proxy_self me = {
    .names = my_names, .n_names = 2, .port = 5060, .host = "10.0.0.1"};

static osip_message_t *req_with(const char *extra)
{
    char text[2048];
    snprintf(text, sizeof(text), "%s%s%s",
             "INVITE sip:bob@ims.test SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKua1\r\n",
             extra,
             "From: <sip:alice@ims.test>;tag=a1\r\n"
             "To: <sip:bob@ims.test>\r\n"
             "Call-ID: c1@192.0.2.7\r\n"
             "CSeq: 7 INVITE\r\n"
             "Content-Length: 0\r\n\r\n");
    osip_message_t *m = tu_parse(text);
    assert_non_null(m);
    return m;
}

static const char *mf_value(osip_message_t *m)
{
    osip_header_t *h = NULL;
    osip_message_header_get_byname(m, "max-forwards", 0, &h);
    return h ? h->hvalue : NULL;
}

static char *uri_str(const osip_uri_t *u)
{
    static char buf[256];
    char *s = NULL;
    assert_int_equal(osip_uri_to_str(u, &s), 0);
    snprintf(buf, sizeof(buf), "%s", s);
    osip_free(s);
    return buf;
}

static int group_setup(void **state)
{
    parser_init();
    return 0;
}

static void test_branch(void **state)
{
    char a[PROXY_BRANCH_LEN], b[PROXY_BRANCH_LEN];
    assert_int_equal(proxy_branch_new(a, sizeof(a)), 0);
    assert_int_equal(proxy_branch_new(b, sizeof(b)), 0);
    assert_int_equal(strncmp(a, "z9hG4bK", 7), 0);
    assert_int_equal(strlen(a), 7 + 24);
    assert_string_not_equal(a, b);
    assert_int_equal(proxy_branch_new(a, 10), -EINVAL);

    osip_message_t *m = req_with("");
    assert_int_equal(proxy_branch_derive(m, a, sizeof(a)), 0);
    assert_int_equal(proxy_branch_derive(m, b, sizeof(b)), 0);
    assert_string_equal(a, b); /* deterministic */
    assert_int_equal(strncmp(a, "z9hG4bK", 7), 0);
    osip_free(m->req_uri->username);
    m->req_uri->username = osip_strdup("carol");
    assert_int_equal(proxy_branch_derive(m, b, sizeof(b)), 0);
    assert_string_not_equal(a, b);
    osip_message_free(m);
}

static void test_via_push_pop(void **state)
{
    osip_message_t *m = req_with("");
    assert_int_equal(proxy_push_via(m, TXN_PROTO_TCP, "10.0.0.1", 5060, "z9hG4bKp1"), 0);
    assert_int_equal(osip_list_size(&m->vias), 2);
    char *s = NULL;
    assert_int_equal(osip_via_to_str(osip_list_get(&m->vias, 0), &s), 0);
    assert_string_equal(s, "SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKp1;rport");
    osip_free(s);

    osip_message_t *resp = NULL;
    assert_int_equal(txn_response_new(m, 200, NULL, &resp), 0);
    const struct proxy_self other = {.names = my_names, .n_names = 2, .port = 5070, .host = "x"};
    assert_int_equal(proxy_pop_via(resp, &other), -EPROTO); /* port differs */
    assert_int_equal(osip_list_size(&resp->vias), 2);
    assert_int_equal(proxy_pop_via(resp, &me), 0);
    assert_int_equal(osip_list_size(&resp->vias), 1);
    assert_string_equal(tu_branch(resp, 0), "z9hG4bKua1");
    assert_int_equal(proxy_pop_via(resp, &me), -EPROTO); /* the UA's Via is not ours */
    osip_message_free(resp);
    osip_message_free(m);
}

static void test_max_forwards(void **state)
{
    osip_message_t *m = req_with("Max-Forwards: 0\r\n");
    assert_int_equal(proxy_max_forwards(m), -ELOOP); /* answer 483 */
    assert_string_equal(mf_value(m), "0");
    osip_message_free(m);

    m = req_with("Max-Forwards: 5\r\n");
    assert_int_equal(proxy_max_forwards(m), 0);
    assert_string_equal(mf_value(m), "4");
    osip_message_free(m);

    m = req_with("");
    assert_int_equal(proxy_max_forwards(m), 0);
    assert_string_equal(mf_value(m), "70");
    osip_message_free(m);

    m = req_with("Max-Forwards: ten\r\n");
    assert_int_equal(proxy_max_forwards(m), -EPROTO);
    osip_message_free(m);
    m = req_with("Max-Forwards: -1\r\n");
    assert_int_equal(proxy_max_forwards(m), -EPROTO);
    osip_message_free(m);
}

static void test_loop_detection(void **state)
{
    /* the request as we received it the first time */
    osip_message_t *first = req_with("");
    char branch[PROXY_BRANCH_LEN];
    assert_int_equal(proxy_branch_derive(first, branch, sizeof(branch)), 0);
    assert_false(proxy_is_looped(first, &me));

    /* it comes back unchanged through another hop: our Via is under the other one */
    osip_message_t *back = NULL;
    assert_int_equal(osip_message_clone(first, &back), 0);
    assert_int_equal(proxy_push_via(back, TXN_PROTO_UDP, "10.0.0.1", 5060, branch), 0);
    assert_int_equal(proxy_push_via(back, TXN_PROTO_UDP, "192.0.2.99", 5060, "z9hG4bKhop"), 0);
    assert_true(proxy_is_looped(back, &me)); /* answer 482 */

    /* a spiral: the Request-URI changed on the way (e.g. an AS retargeted) */
    osip_free(back->req_uri->username);
    back->req_uri->username = osip_strdup("carol");
    assert_false(proxy_is_looped(back, &me));

    /* a Via with the same branch but not our sent-by is no loop */
    osip_message_t *foreign = NULL;
    assert_int_equal(osip_message_clone(first, &foreign), 0);
    assert_int_equal(proxy_push_via(foreign, TXN_PROTO_UDP, "10.9.9.9", 5060, branch), 0);
    assert_false(proxy_is_looped(foreign, &me));
    osip_message_free(first);
    osip_message_free(back);
    osip_message_free(foreign);
}

static void test_record_route(void **state)
{
    osip_message_t *m = req_with("Record-Route: <sip:192.0.2.50;lr>\r\n");
    assert_int_equal(proxy_add_record_route(m, TXN_PROTO_TCP, "10.0.0.1", 5060), 0);
    assert_int_equal(osip_list_size(&m->record_routes), 2);
    char *s = NULL;
    assert_int_equal(osip_record_route_to_str(osip_list_get(&m->record_routes, 0), &s), 0);
    assert_string_equal(s, "<sip:10.0.0.1:5060;transport=tcp;lr>");
    osip_free(s);
    assert_int_equal(proxy_add_record_route(m, TXN_PROTO_UDP, "10.0.0.1", 5060), 0);
    assert_int_equal(osip_record_route_to_str(osip_list_get(&m->record_routes, 0), &s), 0);
    assert_string_equal(s, "<sip:10.0.0.1:5060;lr>");
    osip_free(s);
    osip_message_free(m);
}

static void test_uri_is_mine(void **state)
{
    osip_uri_t *u = NULL;
    osip_uri_init(&u);
    assert_int_equal(osip_uri_parse(u, "sip:PCSCF.ims.test;lr"), 0);
    assert_true(proxy_uri_is_mine(u, &me));
    osip_uri_free(u);
    osip_uri_init(&u);
    assert_int_equal(osip_uri_parse(u, "sip:10.0.0.1:5070;lr"), 0);
    assert_false(proxy_uri_is_mine(u, &me));
    osip_uri_free(u);
    osip_uri_init(&u);
    assert_int_equal(osip_uri_parse(u, "sip:ims.test"), 0);
    assert_false(proxy_uri_is_mine(u, &me));
    osip_uri_free(u);
}

static void test_loose_routing(void **state)
{
    osip_message_t *m =
        req_with("Route: <sip:10.0.0.1:5060;lr>, <sip:127.0.0.1:6060;lr;transport=tcp>\r\n"
                 "Route: <sip:127.0.0.1:7070;lr>\r\n");
    assert_int_equal(proxy_route_preprocess(m, &me), 0);
    assert_int_equal(osip_list_size(&m->routes), 2);
    assert_string_equal(uri_str(m->req_uri), "sip:bob@ims.test");
    struct txn_addr hop;
    assert_int_equal(proxy_next_hop(m, &hop), 0);
    assert_string_equal(hop.host, "127.0.0.1");
    assert_int_equal(hop.port, 6060);
    assert_int_equal(hop.proto, TXN_PROTO_TCP);
    osip_message_free(m);

    /* no Route: the Request-URI decides, default port 5060, UDP */
    m = req_with("");
    osip_free(m->req_uri->host);
    m->req_uri->host = osip_strdup("127.0.0.1");
    assert_int_equal(proxy_next_hop(m, &hop), 0);
    assert_string_equal(hop.host, "127.0.0.1");
    assert_int_equal(hop.port, 5060);
    assert_int_equal(hop.proto, TXN_PROTO_UDP);
    /* tel: cannot be routed; unsupported transports are refused */
    osip_free(m->req_uri->scheme);
    m->req_uri->scheme = osip_strdup("tel");
    assert_int_equal(proxy_next_hop(m, &hop), -EPROTO);
    osip_message_free(m);

    m = req_with("Route: <sip:localhost:5090;lr>\r\n");
    assert_int_equal(proxy_next_hop(m, &hop), 0); /* resolved by getaddrinfo */
    assert_true(strcmp(hop.host, "127.0.0.1") == 0 || strcmp(hop.host, "::1") == 0);
    assert_int_equal(hop.port, 5090);
    osip_message_free(m);
}

static void test_strict_router_request_uri(void **state)
{
    /* a strict router put our Record-Route URI into the R-URI and the remote target last */
    const char *text = "BYE sip:10.0.0.1:5060;lr SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bKs1\r\n"
                       "Route: <sip:127.0.0.1:7060;lr>\r\n"
                       "Route: <sip:bob@192.0.2.20:5080>\r\n"
                       "From: <sip:alice@ims.test>;tag=a1\r\n"
                       "To: <sip:bob@ims.test>;tag=b1\r\n"
                       "Call-ID: c2@192.0.2.7\r\n"
                       "CSeq: 8 BYE\r\n"
                       "Content-Length: 0\r\n\r\n";
    osip_message_t *m = tu_parse(text);
    assert_non_null(m);
    assert_int_equal(proxy_route_preprocess(m, &me), 0);
    assert_string_equal(uri_str(m->req_uri), "sip:bob@192.0.2.20:5080");
    assert_int_equal(osip_list_size(&m->routes), 1);
    struct txn_addr hop;
    assert_int_equal(proxy_next_hop(m, &hop), 0);
    assert_string_equal(hop.host, "127.0.0.1");
    assert_int_equal(hop.port, 7060);
    osip_message_free(m);
}

/* ---- full relay over UDP: client socket -> proxy layer -> server socket(s) ---- */

struct relay {
    struct loop *loop;
    struct tu_node proxy;
    const char *names[1];
    struct proxy_self self;
    int client_fd, client_port;
    int server_fd, server_port;
    int server2_fd, server2_port;
    int hook_calls, hook_finals, retry_on; /* retry_on: final code that triggers a retry */
    bool saw_local;
    int attempts;
};

static void relay_hook(void *arg, struct proxy_fwd *fwd, osip_message_t **resp, bool local)
{
    struct relay *r = arg;
    r->hook_calls++;
    /* our Via is already gone */
    assert_int_equal(osip_list_size(&(*resp)->vias), 1);
    if ((*resp)->status_code < 200)
        return;
    r->hook_finals++;
    r->saw_local |= local;
    r->attempts = proxy_fwd_attempts(fwd);
    if ((*resp)->status_code == r->retry_on && proxy_fwd_attempts(fwd) == 1) {
        struct txn_addr hop = {.proto = TXN_PROTO_UDP, .port = r->server2_port};
        snprintf(hop.host, sizeof(hop.host), "127.0.0.1");
        assert_int_equal(proxy_fwd_retry(fwd, NULL, &hop), 0);
        return;
    }
    osip_message_set_header(*resp, "X-Proxied", "yes"); /* the hook may edit it */
}

static void relay_on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                             const struct txn_addr *src)
{
    struct relay *r = arg;
    if (proxy_is_looped(req, &r->self)) {
        txn_respond_code(st, 482, NULL);
        return;
    }
    osip_message_t *copy = NULL;
    assert_int_equal(osip_message_clone(req, &copy), 0);
    assert_int_equal(proxy_route_preprocess(copy, &r->self), 0);
    struct txn_addr hop;
    assert_int_equal(proxy_next_hop(copy, &hop), 0);
    struct proxy_fwd_opts o = {
        .self = &r->self, .record_route = true, .hook = relay_hook, .hook_arg = r};
    int rc = proxy_forward(r->proxy.layer, st, &copy, &hop, &o, NULL);
    if (rc == -ELOOP) {
        osip_message_free(copy);
        txn_respond_code(st, 483, NULL);
        return;
    }
    assert_int_equal(rc, 0);
    assert_null(copy);
}

static int relay_setup(void **state)
{
    struct relay *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    assert_int_equal(loop_new(&r->loop), 0);
    struct txn_handlers h = {.on_request = relay_on_request};
    assert_int_equal(txn_layer_new(r->loop, tu_send_fn, &r->proxy, &h, r, &r->proxy.layer), 0);
    assert_int_equal(tu_node_open(&r->proxy, r->loop), 0);
    r->names[0] = "127.0.0.1";
    r->self = (struct proxy_self){
        .names = r->names, .n_names = 1, .port = r->proxy.port, .host = "127.0.0.1"};
    r->client_fd = tu_udp_socket(&r->client_port);
    r->server_fd = tu_udp_socket(&r->server_port);
    r->server2_fd = tu_udp_socket(&r->server2_port);
    assert_true(r->client_fd >= 0 && r->server_fd >= 0 && r->server2_fd >= 0);
    *state = r;
    return 0;
}

static int relay_teardown(void **state)
{
    struct relay *r = *state;
    txn_layer_free(r->proxy.layer);
    tu_node_close(&r->proxy);
    close(r->client_fd);
    close(r->server_fd);
    close(r->server2_fd);
    loop_free(r->loop);
    free(r);
    return 0;
}

static osip_message_t *client_register(struct relay *r, const char *branch, const char *mf)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
             "Max-Forwards: %s\r\n"
             "From: <sip:alice@ims.test>;tag=a1\r\n"
             "To: <sip:alice@ims.test>\r\n"
             "Call-ID: relay-%s@127.0.0.1\r\n"
             "CSeq: 1 REGISTER\r\n"
             "Content-Length: 0\r\n\r\n",
             r->server_port, r->client_port, branch, mf, branch);
    return tu_parse(text);
}

/* The server answers what it receives with code (from fd back to the proxy). */
static osip_message_t *serve(struct relay *r, int fd, int code)
{
    osip_message_t *got = tu_recv(r->loop, fd, 1000, NULL);
    assert_non_null(got);
    osip_message_t *resp = NULL;
    assert_int_equal(txn_response_new(got, code, NULL, &resp), 0);
    assert_int_equal(tu_send_msg(fd, r->proxy.port, resp), 0);
    osip_message_free(resp);
    return got;
}

static void test_relay_200(void **state)
{
    struct relay *r = *state;
    osip_message_t *reg = client_register(r, "z9hG4bKc1", "70");
    assert_int_equal(tu_send_msg(r->client_fd, r->proxy.port, reg), 0);
    osip_message_t *fwd = serve(r, r->server_fd, 200);

    /* what the server saw: our Via on top with a magic-cookie branch, then the client's */
    assert_int_equal(osip_list_size(&fwd->vias), 2);
    osip_via_t *top = osip_list_get(&fwd->vias, 0);
    assert_string_equal(top->host, "127.0.0.1");
    assert_int_equal(atoi(top->port), r->proxy.port);
    assert_int_equal(strncmp(tu_branch(fwd, 0), "z9hG4bK", 7), 0);
    assert_string_equal(tu_branch(fwd, 1), "z9hG4bKc1");
    assert_string_equal(mf_value(fwd), "69");
    assert_int_equal(osip_list_size(&fwd->record_routes), 1);

    osip_message_t *resp = tu_recv(r->loop, r->client_fd, 1000, NULL);
    assert_non_null(resp);
    assert_int_equal(resp->status_code, 200);
    assert_int_equal(osip_list_size(&resp->vias), 1); /* the proxy's Via popped */
    assert_string_equal(tu_branch(resp, 0), "z9hG4bKc1");
    osip_header_t *h = NULL;
    osip_message_header_get_byname(resp, "x-proxied", 0, &h);
    assert_non_null(h);
    assert_int_equal(r->hook_finals, 1);
    assert_int_equal(r->attempts, 1);
    osip_message_free(reg);
    osip_message_free(fwd);
    osip_message_free(resp);
}

static void test_relay_retry_after_503(void **state)
{
    struct relay *r = *state;
    r->retry_on = 503;
    osip_message_t *reg = client_register(r, "z9hG4bKc2", "70");
    assert_int_equal(tu_send_msg(r->client_fd, r->proxy.port, reg), 0);
    osip_message_t *first = serve(r, r->server_fd, 503);
    osip_message_t *second = serve(r, r->server2_fd, 200);
    assert_string_not_equal(tu_branch(first, 0), tu_branch(second, 0));
    osip_message_t *resp = tu_recv(r->loop, r->client_fd, 1000, NULL);
    assert_non_null(resp);
    assert_int_equal(resp->status_code, 200);
    assert_int_equal(r->attempts, 2);
    /* nothing else reaches the client (the 503 was not relayed) */
    osip_message_t *extra = tu_recv(r->loop, r->client_fd, 100, NULL);
    assert_null(extra);
    osip_message_free(reg);
    osip_message_free(first);
    osip_message_free(second);
    osip_message_free(resp);
}

static void test_relay_timeout_gives_408(void **state)
{
    struct relay *r = *state;
    assert_int_equal(txn_layer_set_timers(r->proxy.layer, 10, 40, 20), 0);
    osip_message_t *reg = client_register(r, "z9hG4bKc3", "70");
    assert_int_equal(tu_send_msg(r->client_fd, r->proxy.port, reg), 0);
    osip_message_t *resp = tu_recv(r->loop, r->client_fd, 2000, NULL);
    assert_non_null(resp);
    assert_int_equal(resp->status_code, 408);
    assert_true(r->saw_local);
    assert_int_equal(osip_list_size(&resp->vias), 1);
    assert_string_equal(tu_branch(resp, 0), "z9hG4bKc3");
    osip_message_free(reg);
    osip_message_free(resp);
}

static void test_relay_max_forwards_zero_gives_483(void **state)
{
    struct relay *r = *state;
    osip_message_t *reg = client_register(r, "z9hG4bKc4", "0");
    assert_int_equal(tu_send_msg(r->client_fd, r->proxy.port, reg), 0);
    osip_message_t *resp = tu_recv(r->loop, r->client_fd, 1000, NULL);
    assert_non_null(resp);
    assert_int_equal(resp->status_code, 483);
    assert_null(tu_recv(r->loop, r->server_fd, 50, NULL)); /* nothing forwarded */
    osip_message_free(reg);
    osip_message_free(resp);
}

static void test_relay_loop_gives_482(void **state)
{
    struct relay *r = *state;
    /* forward once, capture what the server gets, and send that back to the proxy */
    osip_message_t *reg = client_register(r, "z9hG4bKc5", "70");
    assert_int_equal(tu_send_msg(r->client_fd, r->proxy.port, reg), 0);
    osip_message_t *fwd = tu_recv(r->loop, r->server_fd, 1000, NULL);
    assert_non_null(fwd);
    osip_message_t *again = NULL;
    assert_int_equal(osip_message_clone(fwd, &again), 0);
    assert_int_equal(
        proxy_push_via(again, TXN_PROTO_UDP, "127.0.0.1", r->server_port, "z9hG4bKloopback"), 0);
    assert_int_equal(tu_send_msg(r->server_fd, r->proxy.port, again), 0);
    osip_message_t *resp = tu_recv(r->loop, r->server_fd, 1000, NULL);
    /* the first message to arrive may be a retransmission of the forwarded request */
    while (resp && MSG_IS_REQUEST(resp)) {
        osip_message_free(resp);
        resp = tu_recv(r->loop, r->server_fd, 1000, NULL);
    }
    assert_non_null(resp);
    assert_int_equal(resp->status_code, 482);
    osip_message_free(reg);
    osip_message_free(fwd);
    osip_message_free(again);
    osip_message_free(resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branch),
        cmocka_unit_test(test_via_push_pop),
        cmocka_unit_test(test_max_forwards),
        cmocka_unit_test(test_loop_detection),
        cmocka_unit_test(test_record_route),
        cmocka_unit_test(test_uri_is_mine),
        cmocka_unit_test(test_loose_routing),
        cmocka_unit_test(test_strict_router_request_uri),
        cmocka_unit_test_setup_teardown(test_relay_200, relay_setup, relay_teardown),
        cmocka_unit_test_setup_teardown(test_relay_retry_after_503, relay_setup, relay_teardown),
        cmocka_unit_test_setup_teardown(test_relay_timeout_gives_408, relay_setup, relay_teardown),
        cmocka_unit_test_setup_teardown(test_relay_max_forwards_zero_gives_483, relay_setup,
                                        relay_teardown),
        cmocka_unit_test_setup_teardown(test_relay_loop_gives_482, relay_setup, relay_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
