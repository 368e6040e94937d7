/*
 * Unit test of the P-CSCF's protected ports (pcscf/protected.c) with a real
 * SIP stack on loopback:
 *  - pcscf_protected_listen() opens UDP and TCP on every port of the pool (a
 *    TCP connect and a UDP request to each one reach the stack) and nothing
 *    with ipsec off;
 *  - pcscf_port_is_protected() is exactly the pool's port range;
 *  - pcscf_ue_by_sa() accepts only the UE's address and port-c towards our
 *    port-s of its current or previous SAs;
 *  - pcscf_ue_destination() sends to the UE's port-s from our port-c (the
 *    previous SAs until a re-registration ends), with a Via identity naming
 *    port-c, and to the plain flow without SAs or with ipsec off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pcscf_context.h"

#include "log/log.h"
#include "loop/loop.h"

#include <event2/event.h>

#define NPORTS 6 /* three slots */

struct fixture {
    struct loop *loop;
    int pmin;
    int requests;
    int last_local_port;
};

static struct fixture *g_f;

static void on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src)
{
    g_f->requests++;
    g_f->last_local_port = src->local_port;
    txn_respond_code(st, 200, "OK");
}

static const struct txn_handlers handlers = {.on_request = on_request};

/* A stack on a free port, then the protected ports from a free range. */
static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pcscf_context *pc = pcscf_self();

    assert_non_null(f);
    g_f = f;
    memset(pc, 0, sizeof(*pc));
    assert_int_equal(loop_new(&f->loop), 0);
    pc->loop = f->loop;
    pc->ipsec = true;
    pc->ipsec_sa_none = true; /* nothing to remove from a kernel at teardown */
    pc->sip_listen = "127.0.0.1";
    pc->sip_udp = pc->sip_tcp = true;
    pc->next_ue_id = 1;
    int base = 30000 + (int)((getpid() * 7) % 20000);
    for (int i = 0; i < 50; i++) {
        struct sipstack_config sc = {
            .listen_host = "127.0.0.1", .port = base + i * 17, .udp = true, .tcp = true};
        pc->prot_port_min = sc.port + 1;
        if (sipstack_new(f->loop, &sc, &handlers, NULL, NULL, &pc->sip) != 0)
            continue;
        assert_int_equal(pcscf_pool_new(4096, 4200, (uint16_t)pc->prot_port_min,
                                        (uint16_t)(pc->prot_port_min + NPORTS - 1), &pc->pool),
                         0);
        if (pcscf_protected_listen() == 0)
            break;
        sipstack_free(pc->sip);
        pc->sip = NULL;
        free(pc->prot_self);
        pc->prot_self = NULL;
        pc->n_prot_self = 0;
        pcscf_pool_free(pc->pool);
        pc->pool = NULL;
    }
    assert_non_null(pc->sip);
    f->pmin = pc->prot_port_min;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();

    sipstack_free(pc->sip);
    pc->sip = NULL;
    pcscf_context_free();
    loop_free(f->loop);
    free(f);
    return 0;
}

static void run_for(struct loop *loop, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    event_base_loopexit(loop_base(loop), &tv);
    event_base_dispatch(loop_base(loop));
}

static void test_listens_on_every_port(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();

    assert_int_equal(pc->n_prot_self, NPORTS / 2);
    for (int port = f->pmin; port < f->pmin + NPORTS; port++) {
        struct sockaddr_in sin = {.sin_family = AF_INET,
                                  .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
        close(fd);
        char req[512];
        int n = snprintf(req, sizeof(req),
                         "OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-prot-%d\r\n"
                         "Max-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
                         "Call-ID: prot-%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                         port, port, port);
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        int before = f->requests;
        assert_int_equal(sendto(fd, req, (size_t)n, 0, (struct sockaddr *)&sin, sizeof(sin)), n);
        for (int i = 0; i < 200 && f->requests == before; i++)
            run_for(f->loop, 10);
        assert_int_equal(f->requests, before + 1);
        assert_int_equal(f->last_local_port, port);
        close(fd);
    }
    /* the port after the pool is not ours */
    assert_true(pcscf_port_is_protected(f->pmin));
    assert_true(pcscf_port_is_protected(f->pmin + NPORTS - 1));
    assert_false(pcscf_port_is_protected(f->pmin - 1));
    assert_false(pcscf_port_is_protected(f->pmin + NPORTS));
    assert_false(pcscf_port_is_protected(0));
    pc->ipsec = false;
    assert_false(pcscf_port_is_protected(f->pmin));
    assert_int_equal(pcscf_protected_listen(), 0); /* a no-op with ipsec off */
    pc->ipsec = true;
    /* a second time: every port is taken (by us) */
    struct proxy_self *keep = pc->prot_self;
    size_t keep_n = pc->n_prot_self;
    assert_int_equal(pcscf_protected_listen(), -EADDRINUSE);
    free(pc->prot_self);
    pc->prot_self = keep;
    pc->n_prot_self = keep_n;
}

static struct pcscf_ue *registered_ue(int pmin)
{
    struct txn_addr flow = {.proto = TXN_PROTO_UDP, .host = "127.0.0.1", .port = 5000};
    struct pcscf_ue *ue = pcscf_ue_new("sip:alice@ims.example", &flow);

    assert_non_null(ue);
    ue->state = PCSCF_UE_REGISTERED;
    ue->expires_at = time(NULL) + 600;
    ue->sa_on = true;
    ue->sa.port_uc = 5000; /* the UE's port-c is its first source port here */
    ue->sa.port_us = 5001;
    ue->sa.port_pc = (uint16_t)(pmin + 2);
    ue->sa.port_ps = (uint16_t)(pmin + 3);
    return ue;
}

static void test_by_sa(void **state)
{
    struct fixture *f = *state;
    struct pcscf_ue *ue = registered_ue(f->pmin);
    struct txn_addr src = {.proto = TXN_PROTO_UDP, .host = "127.0.0.1", .port = 5000};

    src.local_port = f->pmin + 3;
    assert_ptr_equal(pcscf_ue_by_sa(&src), ue);
    src.proto = TXN_PROTO_TCP; /* the UE's connection from port-c to our port-s */
    src.conn_id = 7;
    assert_ptr_equal(pcscf_ue_by_sa(&src), ue);
    src.proto = TXN_PROTO_UDP;
    src.conn_id = 0;
    src.local_port = f->pmin + 2; /* our port-c: responses only, no requests */
    assert_null(pcscf_ue_by_sa(&src));
    src.local_port = f->pmin + 1; /* another slot's port-s */
    assert_null(pcscf_ue_by_sa(&src));
    src.local_port = f->pmin + 3;
    src.port = 5001; /* not the UE's port-c */
    assert_null(pcscf_ue_by_sa(&src));
    src.port = 5000;
    snprintf(src.host, sizeof(src.host), "127.0.0.2"); /* not the UE's address */
    assert_null(pcscf_ue_by_sa(&src));
    snprintf(src.host, sizeof(src.host), "127.0.0.1");
    src.local_port = 0; /* the unprotected port */
    assert_null(pcscf_ue_by_sa(&src));
    assert_null(pcscf_ue_by_sa(NULL));

    /* re-registration: the previous SAs still count, the new ones too */
    ue->old_on = true;
    ue->old_sa = ue->sa;
    ue->sa.port_uc = 5010;
    ue->sa.port_pc = (uint16_t)(f->pmin + 4);
    ue->sa.port_ps = (uint16_t)(f->pmin + 5);
    src.local_port = f->pmin + 3;
    assert_ptr_equal(pcscf_ue_by_sa(&src), ue);
    src.local_port = f->pmin + 5;
    src.port = 5010;
    assert_ptr_equal(pcscf_ue_by_sa(&src), ue);
    ue->sa_on = false;
    assert_null(pcscf_ue_by_sa(&src));
    ue->old_on = false;
    src.local_port = f->pmin + 3;
    src.port = 5000;
    assert_null(pcscf_ue_by_sa(&src)); /* no SAs: nothing comes over them */
    assert_false(pcscf_ue_is_protected(ue));
}

static void test_destination(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();
    struct pcscf_ue *ue = registered_ue(f->pmin);
    const struct proxy_self *self = NULL;
    struct txn_addr dst;

    assert_true(pcscf_ue_is_protected(ue));
    pcscf_ue_destination(ue, &dst, &self);
    assert_string_equal(dst.host, "127.0.0.1");
    assert_int_equal(dst.port, 5001);
    assert_int_equal(dst.local_port, f->pmin + 2);
    assert_int_equal(dst.proto, TXN_PROTO_UDP);
    assert_int_equal(self->port, f->pmin + 2);
    assert_string_equal(self->host, sipstack_self(pc->sip)->host);
    assert_int_equal(self->n_names, sipstack_self(pc->sip)->n_names);

    /* TCP: our own connection from port-c, never the UE's connection to port-s */
    ue->flow.proto = TXN_PROTO_TCP;
    ue->flow.conn_id = 42;
    pcscf_ue_destination(ue, &dst, &self);
    assert_int_equal(dst.proto, TXN_PROTO_TCP);
    assert_int_equal(dst.conn_id, 0);
    assert_int_equal(dst.local_port, f->pmin + 2);

    /* during a re-registration the previous SAs are used */
    ue->old_on = true;
    ue->old_sa = ue->sa;
    ue->sa.port_us = 5011;
    ue->sa.port_pc = (uint16_t)(f->pmin + 4);
    pcscf_ue_destination(ue, &dst, &self);
    assert_int_equal(dst.port, 5001);
    assert_int_equal(dst.local_port, f->pmin + 2);
    ue->old_on = false;
    pcscf_ue_destination(ue, &dst, &self);
    assert_int_equal(dst.port, 5011);
    assert_int_equal(dst.local_port, f->pmin + 4);
    assert_int_equal(self->port, f->pmin + 4);

    /* without SAs, or with ipsec off: the plain flow and the stack's own identity */
    pc->ipsec = false;
    pcscf_ue_destination(ue, &dst, &self);
    assert_int_equal(dst.port, 5000);
    assert_int_equal(dst.conn_id, 42);
    assert_int_equal(dst.local_port, 0);
    assert_ptr_equal(self, sipstack_self(pc->sip));
    pc->ipsec = true;
    ue->sa_on = false;
    pcscf_ue_destination(ue, &dst, &self);
    assert_int_equal(dst.port, 5000);
    assert_ptr_equal(self, sipstack_self(pc->sip));
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_listens_on_every_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_sa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_destination, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
