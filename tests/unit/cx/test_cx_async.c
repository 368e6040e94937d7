/*
 * Async Cx end to end, two processes over loopback TCP (freeDiameter is one
 * core per process). The forked child is a small HSS built on
 * cx_register_server() with dict_dcca_3gpp loaded; the parent is a CSCF using
 * cx_send_X() on a loop and cx_serve_rtr(). Ports come from the PID.
 */
#include "cx/cx.h"
#include "log/log.h"
#include "loop/loop.h"

#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdcore.h>
#include <freeDiameter/libfdproto.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define HSS   "hss.localdomain"
#define SCSCF "scscf.localdomain"
#define REALM "localdomain"

static char hss_conf[256], cscf_conf[256];
static int stop_pipe[2];
static pid_t child;

/* ------------------------------------------------------------------ child: HSS */

static struct loop *hss_loop;
static volatile int rta_result = -1;

static void on_rta(uint64_t ctx_id, int status, const struct cx_rta *ans)
{
    rta_result = status == 0 && ans ? (int)ans->result.result_code : status;
}

static int hss_uar(const struct cx_uar *req, struct cx_uaa *ans, void *arg)
{
    if (strcmp(req->public_identity, "sip:unknown@" REALM) == 0) {
        ans->result.exp_result = CX_DIAMETER_ERROR_USER_UNKNOWN;
        return 0;
    }
    ans->result.exp_result = CX_DIAMETER_FIRST_REGISTRATION;
    if (strcmp(req->public_identity, "sip:rta-status@" REALM) == 0) {
        char buf[64];
        snprintf(buf, sizeof(buf), "rta=%d", rta_result);
        ans->server_name = strdup(buf);
        return 0;
    }
    /* Echo what was decoded, so the client test sees the request went through intact. */
    char buf[512];
    snprintf(buf, sizeof(buf), "sip:scscf." REALM ":6060;impi=%s;vn=%.*s;uat=%d", req->user_name,
             (int)req->visited_network_id.len, (char *)req->visited_network_id.data,
             req->auth_type);
    ans->server_name = strdup(buf);
    ans->caps.present = true;
    ans->caps.mandatory[0] = 1;
    ans->caps.n_mandatory = 1;
    return ans->server_name ? 0 : -ENOMEM;
}

static int hss_mar(const struct cx_mar *req, struct cx_maa *ans, void *arg)
{
    ans->result.result_code = CX_DIAMETER_SUCCESS;
    ans->user_name = strdup(req->user_name);
    ans->public_identity = strdup(req->public_identity);
    ans->has_num_auth_items = true;
    ans->num_auth_items = req->num_auth_items < 2 ? req->num_auth_items : 2;
    ans->n_items = ans->num_auth_items;
    for (size_t i = 0; i < ans->n_items; i++) {
        struct cx_auth_item *it = &ans->items[i];
        uint8_t buf[32];
        for (int b = 0; b < 32; b++)
            buf[b] = (uint8_t)(i * 32 + (size_t)b);
        it->has_item_number = true;
        it->item_number = (uint32_t)i + 1;
        it->scheme = strdup(req->auth.scheme ? req->auth.scheme : "Unknown");
        cx_bytes_set(&it->sip_authenticate, buf, 32);
        cx_bytes_set(&it->sip_authorization, buf, 8);
        it->has_ck = it->has_ik = true;
        memset(it->ck, 0xc0 + (int)i, 16);
        memset(it->ik, 0x10 + (int)i, 16);
    }
    return 0;
}

static int hss_sar(const struct cx_sar *req, struct cx_saa *ans, void *arg)
{
    if (req->public_identities.n && strcmp(req->public_identities.v[0], "sip:rtr@" REALM) == 0) {
        /* Deregister right away: an RTR back to the S-CSCF, from this fd thread. */
        char *impus[] = {"sip:rtr@" REALM, "tel:+15550001"};
        struct cx_rtr rtr = {.hdr = {.dest_realm = REALM, .dest_host = SCSCF},
                             .user_name = "rtr@" REALM,
                             .public_identities = {impus, 2},
                             .reason_code = CX_REASON_PERMANENT_TERMINATION,
                             .reason_info = "test"};
        if (cx_send_rtr(hss_loop, &rtr, on_rta, 7, 3000) != 0)
            rta_result = -2;
    }
    ans->result.result_code = CX_DIAMETER_SUCCESS;
    ans->user_data = strdup("<IMSSubscription><PrivateID>x</PrivateID></IMSSubscription>");
    return 0;
}

/* LIR is swallowed without an answer, to test client timeouts. */
static int hss_lir_silent(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,
                          enum disp_action *act)
{
    fd_msg_free(*msg);
    *msg = NULL;
    *act = DISP_ACT_CONT;
    return 0;
}

static void *hss_loop_thread(void *arg)
{
    loop_run(hss_loop);
    return NULL;
}

static int run_hss(void)
{
    struct cx_server_handlers h = {.on_uar = hss_uar, .on_mar = hss_mar, .on_sar = hss_sar};
    struct disp_hdl *lir_hdl = NULL;
    struct dict_object *app = NULL, *lir = NULL;
    application_id_t aid = CX_APP_ID;
    command_code_t code = CX_CMD_LIR;
    pthread_t th;
    char c;

    log_init("hss-child", LOG_LEVEL_WARN);
    if (loop_new(&hss_loop) != 0 || cx_init(hss_conf) != 0 || cx_register_server(&h) != 0)
        return 10;
    fd_dict_search(fd_g_config->cnf_dict, DICT_APPLICATION, APPLICATION_BY_ID, &aid, &app, ENOENT);
    fd_dict_search(fd_g_config->cnf_dict, DICT_COMMAND, CMD_BY_CODE_R, &code, &lir, ENOENT);
    struct disp_when when = {.app = app, .command = lir};
    if (fd_disp_register(hss_lir_silent, DISP_HOW_CC, &when, NULL, &lir_hdl) != 0)
        return 11;
    if (pthread_create(&th, NULL, hss_loop_thread, NULL) != 0 || cx_start() != 0)
        return 12;
    while (read(stop_pipe[0], &c, 1) > 0) /* until the parent closes its end */
        ;
    cx_shutdown();
    loop_stop(hss_loop);
    pthread_join(th, NULL);
    loop_free(hss_loop);
    return 0;
}

/* ------------------------------------------------------------------ parent: CSCF */

static struct loop *loop;
static int calls;
static int last_status;
static uint64_t last_ctx;
static bool on_loop_thread;
static char last_text[512];
static struct cx_maa last_maa; /* a copy of the fields the test checks */
static uint32_t last_result, last_exp;
static int rtr_seen;
static char rtr_text[512];

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    loop_stop(loop);
}

/* Runs the loop until n callbacks have been counted or ms elapsed. */
static void run_until(int n, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    struct event *t = evtimer_new(loop_base(loop), timeout_cb, NULL);
    evtimer_add(t, &tv);
    while (calls < n) {
        loop_run(loop);
        if (!evtimer_pending(t, NULL))
            break;
    }
    event_free(t);
}

static void note(uint64_t ctx, int status)
{
    calls++;
    last_ctx = ctx;
    last_status = status;
    on_loop_thread = loop_is_loop_thread(loop);
    loop_stop(loop);
}

static void uaa_cb(uint64_t ctx, int status, const struct cx_uaa *ans)
{
    last_result = ans ? ans->result.result_code : 0;
    last_exp = ans ? ans->result.exp_result : 0;
    snprintf(last_text, sizeof(last_text), "%s|%zu",
             ans && ans->server_name ? ans->server_name : "-", ans ? ans->caps.n_mandatory : 0);
    note(ctx, status);
}

static void maa_cb(uint64_t ctx, int status, const struct cx_maa *ans)
{
    memset(&last_maa, 0, sizeof(last_maa));
    if (ans) {
        last_maa.n_items = ans->n_items;
        last_maa.num_auth_items = ans->num_auth_items;
        for (size_t i = 0; i < ans->n_items; i++) {
            last_maa.items[i].item_number = ans->items[i].item_number;
            last_maa.items[i].has_ck = ans->items[i].has_ck;
            memcpy(last_maa.items[i].ck, ans->items[i].ck, 16);
            memcpy(last_maa.items[i].ik, ans->items[i].ik, 16);
            last_maa.items[i].sip_authenticate.len = ans->items[i].sip_authenticate.len;
        }
        snprintf(last_text, sizeof(last_text), "%s|%s", ans->user_name,
                 ans->n_items ? ans->items[0].scheme : "-");
    }
    note(ctx, status);
}

static void saa_cb(uint64_t ctx, int status, const struct cx_saa *ans)
{
    last_result = ans ? ans->result.result_code : 0;
    last_exp = ans ? ans->result.exp_result : 0;
    snprintf(last_text, sizeof(last_text), "%s", ans && ans->user_data ? ans->user_data : "-");
    note(ctx, status);
}

static void lia_cb(uint64_t ctx, int status, const struct cx_lia *ans)
{
    snprintf(last_text, sizeof(last_text), "%s", ans ? "ans" : "null");
    note(ctx, status);
}

static void never_cb(uint64_t ctx, int status, const struct cx_uaa *ans)
{
    fail_msg("callback called after a failed send");
}

static void on_rtr(struct cx_incoming *in, const struct cx_rtr *req, void *arg)
{
    struct cx_rta ans = {.result = {.result_code = CX_DIAMETER_SUCCESS}};
    rtr_seen++;
    snprintf(rtr_text, sizeof(rtr_text), "%d|%s|%zu|%s|%s|%d|%s", loop_is_loop_thread(loop),
             req->user_name, req->public_identities.n,
             req->public_identities.n ? req->public_identities.v[0] : "-",
             req->public_identities.n > 1 ? req->public_identities.v[1] : "-", req->reason_code,
             req->reason_info ? req->reason_info : "-");
    assert_int_equal(cx_answer_rtr(&in, &ans), 0);
    assert_null(in);
    calls++;
    loop_stop(loop);
}

static int setup(void **state)
{
    log_init("test_cx_async", LOG_LEVEL_WARN);
    if (loop_new(&loop) != 0 || cx_init(cscf_conf) != 0 || cx_serve_rtr(loop, on_rtr, NULL) != 0 ||
        cx_start() != 0)
        return -1;
    if (cx_peer_wait_open(HSS, 15000) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    cx_shutdown();
    loop_free(loop);
    return 0;
}

static struct cx_uar make_uar(const char *impu)
{
    struct cx_uar u = {.hdr = {.dest_realm = REALM},
                       .user_name = "alice@" REALM,
                       .public_identity = (char *)impu,
                       .visited_network_id = {(uint8_t *)"visited.net", 11},
                       .auth_type = CX_UAT_REGISTRATION};
    return u;
}

static void test_peers(void **state)
{
    struct cx_peer_state st[4];
    size_t n = 0;
    assert_int_equal(cx_peer_list(st, 4, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(st[0].name, HSS);
    assert_true(st[0].open);
    assert_string_equal(st[0].state_name, "STATE_OPEN");
    assert_int_equal(cx_peer_wait_open("nobody.localdomain", 100), -ETIMEDOUT);
}

static void test_uar_answer(void **state)
{
    struct cx_uar u = make_uar("sip:alice@" REALM);
    calls = 0;
    assert_int_equal(cx_send_uar(loop, &u, uaa_cb, 42, 5000), 0);
    run_until(1, 5000);
    assert_int_equal(calls, 1);
    assert_int_equal(last_status, 0);
    assert_int_equal(last_ctx, 42);
    assert_true(on_loop_thread);
    assert_int_equal(last_exp, CX_DIAMETER_FIRST_REGISTRATION);
    assert_int_equal(last_result, 0);
    assert_string_equal(last_text,
                        "sip:scscf." REALM ":6060;impi=alice@" REALM ";vn=visited.net;uat=0|1");
}

static void test_uar_user_unknown(void **state)
{
    struct cx_uar u = make_uar("sip:unknown@" REALM);
    calls = 0;
    assert_int_equal(cx_send_uar(loop, &u, uaa_cb, 43, 5000), 0);
    run_until(1, 5000);
    assert_int_equal(calls, 1);
    assert_int_equal(last_status, 0);
    assert_int_equal(last_ctx, 43);
    assert_int_equal(last_exp, CX_DIAMETER_ERROR_USER_UNKNOWN);
    assert_int_equal(last_result, 0);
}

static void test_mar(void **state)
{
    struct cx_mar m = {.hdr = {.dest_realm = REALM, .dest_host = HSS},
                       .user_name = "alice@" REALM,
                       .public_identity = "sip:alice@" REALM,
                       .server_name = "sip:scscf." REALM,
                       .num_auth_items = 2,
                       .auth = {.scheme = "Digest-AKAv1-MD5"}};
    calls = 0;
    assert_int_equal(cx_send_mar(loop, &m, maa_cb, 44, 5000), 0);
    run_until(1, 5000);
    assert_int_equal(calls, 1);
    assert_int_equal(last_status, 0);
    assert_true(on_loop_thread);
    assert_string_equal(last_text, "alice@" REALM "|Digest-AKAv1-MD5");
    assert_int_equal(last_maa.num_auth_items, 2);
    assert_int_equal(last_maa.n_items, 2);
    for (int i = 0; i < 2; i++) {
        uint8_t ck[16], ik[16];
        memset(ck, 0xc0 + i, 16);
        memset(ik, 0x10 + i, 16);
        assert_int_equal(last_maa.items[i].item_number, i + 1);
        assert_true(last_maa.items[i].has_ck);
        assert_memory_equal(last_maa.items[i].ck, ck, 16);
        assert_memory_equal(last_maa.items[i].ik, ik, 16);
        assert_int_equal(last_maa.items[i].sip_authenticate.len, 32);
    }
}

/* The server validates: Server-Assignment-Type 99 is answered 5004 by the library. */
static void test_sar_invalid_value(void **state)
{
    struct cx_sar s = {.hdr = {.dest_realm = REALM},
                       .server_name = "sip:scscf." REALM,
                       .server_assignment_type = 99,
                       .user_data_already_available = 0};
    calls = 0;
    assert_int_equal(cx_send_sar(loop, &s, saa_cb, 45, 5000), 0);
    run_until(1, 5000);
    assert_int_equal(calls, 1);
    assert_int_equal(last_status, 0);
    assert_int_equal(last_result, CX_DIAMETER_INVALID_AVP_VALUE);
    assert_int_equal(last_exp, 0);
}

static void test_unknown_realm(void **state)
{
    struct cx_uar u = make_uar("sip:alice@" REALM);
    u.hdr.dest_realm = "nowhere.invalid";
    calls = 0;
    assert_int_equal(cx_send_uar(loop, &u, uaa_cb, 46, 5000), 0);
    run_until(1, 5000);
    assert_int_equal(calls, 1);
    assert_int_equal(last_ctx, 46);
    assert_int_equal(last_status, -EHOSTUNREACH);
    assert_true(last_result == CX_DIAMETER_UNABLE_TO_DELIVER ||
                last_result == CX_DIAMETER_REALM_NOT_SERVED);
}

static void test_timeout(void **state)
{
    struct cx_lir l = {.hdr = {.dest_realm = REALM},
                       .public_identity = "sip:bob@" REALM,
                       .originating_request = -1,
                       .auth_type = -1,
                       .session_priority = -1};
    calls = 0;
    long long t0 = loop_now_ms();
    assert_int_equal(cx_send_lir(loop, &l, lia_cb, 47, 400), 0);
    run_until(1, 5000);
    long long dt = loop_now_ms() - t0;
    assert_int_equal(calls, 1);
    assert_int_equal(last_ctx, 47);
    assert_int_equal(last_status, -ETIMEDOUT);
    assert_string_equal(last_text, "null");
    assert_true(dt >= 350 && dt < 4000);
}

static void test_send_error_no_callback(void **state)
{
    struct cx_uar u = make_uar(NULL);
    calls = 0;
    assert_int_equal(cx_send_uar(loop, &u, never_cb, 48, 1000), -EINVAL);
    assert_int_equal(cx_send_uar(NULL, &u, never_cb, 48, 1000), -EINVAL);
    run_until(1, 300);
    assert_int_equal(calls, 0);
}

/* SAR for sip:rtr@ makes the HSS send an RTR, served on our loop and answered from it. */
static void test_rtr_served_on_loop(void **state)
{
    char *impus[] = {"sip:rtr@" REALM};
    struct cx_sar s = {.hdr = {.dest_realm = REALM},
                       .user_name = "rtr@" REALM,
                       .public_identities = {impus, 1},
                       .server_name = "sip:scscf." REALM,
                       .server_assignment_type = CX_SAT_REGISTRATION,
                       .user_data_already_available = 0};
    calls = 0;
    rtr_seen = 0;
    assert_int_equal(cx_send_sar(loop, &s, saa_cb, 49, 5000), 0);
    run_until(2, 5000); /* the SAA and the RTR, in either order */
    assert_int_equal(calls, 2);
    assert_int_equal(rtr_seen, 1);
    assert_string_equal(rtr_text, "1|rtr@" REALM "|2|sip:rtr@" REALM "|tel:+15550001|0|test");

    /* Ask the HSS what RTA it received. */
    struct cx_uar u = make_uar("sip:rta-status@" REALM);
    for (int tries = 0; tries < 20; tries++) {
        calls = 0;
        assert_int_equal(cx_send_uar(loop, &u, uaa_cb, 50, 5000), 0);
        run_until(1, 5000);
        assert_int_equal(calls, 1);
        if (strcmp(last_text, "rta=-1|0") != 0)
            break;
        usleep(50000);
    }
    assert_string_equal(last_text, "rta=2001|0");
}

int main(void)
{
    unsigned port = 20000 + (unsigned)(getpid() % 20000) * 2;
    int status = 0, rc;

    snprintf(hss_conf, sizeof(hss_conf), "/tmp/test_cx_async.%d.hss.conf", (int)getpid());
    snprintf(cscf_conf, sizeof(cscf_conf), "/tmp/test_cx_async.%d.cscf.conf", (int)getpid());
    FILE *f = fopen(hss_conf, "w");
    if (!f)
        return 1;
    fprintf(f,
            "Identity = \"" HSS "\"; Realm = \"" REALM "\"; Port = %u; SecPort = 0; No_SCTP;\n"
            "ListenOn = \"127.0.0.1\";\n"
            "ConnectPeer = \"" SCSCF "\" { ConnectTo = \"127.0.0.1\"; No_TLS; Port = %u; };\n"
            "LoadExtension = \"dict_nasreq.fdx\";\nLoadExtension = \"dict_dcca.fdx\";\n"
            "LoadExtension = \"dict_dcca_3gpp.fdx\";\n",
            port, port + 1);
    fclose(f);
    f = fopen(cscf_conf, "w");
    if (!f)
        return 1;
    fprintf(f,
            "Identity = \"" SCSCF "\"; Realm = \"" REALM "\"; Port = %u; SecPort = 0; No_SCTP;\n"
            "ListenOn = \"127.0.0.1\";\n"
            "ConnectPeer = \"" HSS "\" { ConnectTo = \"127.0.0.1\"; No_TLS; Port = %u; };\n",
            port + 1, port);
    fclose(f);

    if (pipe(stop_pipe) != 0)
        return 1;
    child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        close(stop_pipe[1]);
        exit(run_hss());
    }
    close(stop_pipe[0]);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peers),
        cmocka_unit_test(test_uar_answer),
        cmocka_unit_test(test_uar_user_unknown),
        cmocka_unit_test(test_mar),
        cmocka_unit_test(test_sar_invalid_value),
        cmocka_unit_test(test_unknown_realm),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_send_error_no_callback),
        cmocka_unit_test(test_rtr_served_on_loop),
    };
    rc = cmocka_run_group_tests(tests, setup, teardown);

    close(stop_pipe[1]);
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "HSS child failed: status 0x%x\n", status);
        rc = rc ? rc : 1;
    }
    unlink(hss_conf);
    unlink(cscf_conf);
    return rc;
}
