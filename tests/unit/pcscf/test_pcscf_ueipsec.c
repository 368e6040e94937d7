/*
 * Unit test of the P-CSCF's per-UE SA life cycle (pcscf/ue_ipsec.c) against
 * the fake XFRM kernel: what reaches the kernel, in which order, with which
 * SPIs and ports, through initial registration, re-registration (new SAs on
 * the 401, old ones removed after the 200, TS 33.203 §7.4), a failed
 * re-registration, a failed install (500 instead of the 401), a repeated
 * challenge, purge and shutdown. The steps of on_401 are replayed in the
 * order register.c runs them (prepare, pool slot, Security-Server, install).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_xfrm_kernel.h"
#include "pcscf_context.h"
#include "sec_agree.h"
#include "xfrm_nl.h"

#include "loop/loop.h"

static const char IK_HEX[] = "00112233445566778899aabbccddeeff";
static const char CK_HEX[] = "ffeeddccbbaa99887766554433221100";

struct fixture {
    struct fake_kernel k;
    struct loop *loop;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct pcscf_context *pc = pcscf_self();
    struct pcscf_xfrm_nl *nl = NULL;

    assert_non_null(f);
    memset(pc, 0, sizeof(*pc));
    f->k.local_ip[0] = 10;
    f->k.local_ip[3] = 1;
    fake_kernel_start(&f->k, 2000, &nl);
    assert_int_equal(loop_new(&f->loop), 0);
    pc->ipsec = true;
    pc->sip_listen = "10.0.0.1";
    pc->loop = f->loop;
    pc->xfrm = nl;
    pc->next_ue_id = 1;
    assert_int_equal(pcscf_pool_new(4096, 4200, 6100, 6199, &pc->pool), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    pcscf_context_free(); /* removes what is left, closes the XFRM socket */
    fake_kernel_stop(&f->k);
    loop_free(f->loop);
    free(f);
    return 0;
}

static void stop_cb(void *arg)
{
    loop_stop(arg);
}

/* Runs what the code under test posted to the loop. */
static void drain(struct fixture *f)
{
    assert_int_equal(loop_post(f->loop, stop_cb, f->loop), 0);
    assert_int_equal(loop_run(f->loop), 0);
}

static struct pcscf_ue *new_ue(void)
{
    struct txn_addr flow;
    struct pcscf_ue *ue;

    memset(&flow, 0, sizeof(flow));
    snprintf(flow.host, sizeof(flow.host), "10.0.0.2");
    flow.port = 5060;
    flow.proto = TXN_PROTO_UDP;
    ue = pcscf_ue_new("sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org", &flow);
    assert_non_null(ue);
    return ue;
}

/* The UE's Security-Client offer: its SPIs and ports. */
static void offer(struct pcscf_ue *ue, uint32_t spi_c, uint32_t spi_s, int port_c, int port_s)
{
    sip_sec_mech_init(&ue->client);
    snprintf(ue->client.mech, sizeof(ue->client.mech), "ipsec-3gpp");
    snprintf(ue->client.alg, sizeof(ue->client.alg), "hmac-sha-1-96");
    snprintf(ue->client.ealg, sizeof(ue->client.ealg), "aes-cbc");
    ue->client.spi_c = spi_c;
    ue->client.spi_s = spi_s;
    ue->client.port_c = port_c;
    ue->client.port_s = port_s;
}

/* on_401 as register.c runs it. Returns pcscf_ue_sa_install()'s result. */
static int challenge(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();

    snprintf(ue->ik, sizeof(ue->ik), "%s", IK_HEX);
    snprintf(ue->ck, sizeof(ue->ck), "%s", CK_HEX);
    pcscf_ue_sa_prepare(ue);
    if (!ue->have_slot) {
        assert_int_equal(pcscf_pool_alloc(pc->pool, &ue->slot), 0);
        ue->have_slot = true;
    }
    assert_int_equal(pcscf_secagree_server(&ue->client, &ue->slot, &ue->server), 0);
    return pcscf_ue_sa_install(ue);
}

/* The SAs of one UE as the kernel must see them. */
struct want {
    uint32_t p_spi_c, p_spi_s, u_spi_c, u_spi_s;
    uint16_t p_port_c, p_port_s, u_port_c, u_port_s;
};

/* Asserts recs[at..at+8) add (add) or remove the SAs w, in the documented order. */
static void assert_block(struct fake_kernel *k, int at, bool add, const struct want *w)
{
    /* role order IN_S, OUT_C, IN_C, OUT_S (TS 33.203 §7.1 table in xfrm_msg.h) */
    const uint32_t spi[4] = {w->p_spi_s, w->u_spi_s, w->p_spi_c, w->u_spi_c};
    const uint16_t sport[4] = {w->u_port_c, w->p_port_c, w->u_port_s, w->p_port_s};
    const uint16_t dport[4] = {w->p_port_s, w->u_port_s, w->p_port_c, w->u_port_c};
    const int dir[4] = {XFRM_POLICY_IN, XFRM_POLICY_OUT, XFRM_POLICY_IN, XFRM_POLICY_OUT};
    int i;

    assert_true(fake_kernel_count(k) >= at + 8);
    for (i = 0; i < 8; i++) {
        struct fake_rec r = fake_kernel_rec(k, at + i);
        bool sa = add ? i < 4 : i >= 4; /* SAs first on add, policies first on remove */
        int role = i % 4;

        assert_false(r.bad);
        assert_int_equal(r.type, add ? (sa ? XFRM_MSG_NEWSA : XFRM_MSG_NEWPOLICY)
                                     : (sa ? XFRM_MSG_DELSA : XFRM_MSG_DELPOLICY));
        assert_int_equal(r.dir, dir[role]);
        if (add || sa)
            assert_int_equal(r.spi, spi[role]);
        if (!sa || add) {
            assert_int_equal(r.sport, sport[role]);
            assert_int_equal(r.dport, dport[role]);
        }
        if (add && sa) {
            assert_string_equal(r.auth_name, "hmac(sha1)");
            assert_string_equal(r.crypt_name, "cbc(aes)");
            assert_int_equal(r.crypt_key[0], 0xff); /* CK, not IK */
            assert_int_equal(r.auth_key[0], 0x00);
            assert_int_equal(r.auth_key[15], 0xff);
        }
    }
}

static void test_register_reregister_purge(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();
    const struct want first = {4096, 4097, 1111, 2222, 6100, 6101, 5000, 5001};
    const struct want second = {4098, 4099, 3333, 4444, 6102, 6103, 5002, 5001};
    struct pcscf_ue *ue = new_ue();
    uint64_t id = ue->id;

    /* initial registration: the SAs are in the kernel when the 401 goes */
    offer(ue, 1111, 2222, 5000, 5001);
    assert_int_equal(challenge(ue), 0);
    assert_int_equal(fake_kernel_count(&f->k), 8);
    assert_block(&f->k, 0, true, &first);
    assert_true(ue->sa_on);
    ue->state = PCSCF_UE_REGISTERED;
    pcscf_ue_sa_on_200(ue);
    drain(f);
    assert_int_equal(fake_kernel_count(&f->k), 8); /* nothing to retire */

    /* re-registration: new SAs on a new slot at the 401, the old ones still in place */
    offer(ue, 3333, 4444, 5002, 5001);
    assert_int_equal(challenge(ue), 0);
    assert_int_equal(fake_kernel_count(&f->k), 16);
    assert_block(&f->k, 8, true, &second);
    assert_true(ue->old_on);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 2);
    /* its 200: the old SAs go only once the 200 is out (posted to the loop) */
    pcscf_ue_sa_on_200(ue);
    assert_int_equal(fake_kernel_count(&f->k), 16);
    drain(f);
    assert_int_equal(fake_kernel_count(&f->k), 24);
    assert_block(&f->k, 16, false, &first);
    assert_false(ue->old_on);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 1);
    assert_int_equal(ue->slot.spi_c, 4098);

    /* de-registration: the purge removes the SAs and frees the slot */
    pcscf_ue_purge(ue, "de-registered");
    assert_null(pcscf_ue_by_id(id));
    assert_int_equal(fake_kernel_count(&f->k), 32);
    assert_block(&f->k, 24, false, &second);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 0);
}

static void test_failed_reregistration_keeps_old(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();
    const struct want first = {4096, 4097, 1111, 2222, 6100, 6101, 5000, 5001};
    const struct want second = {4098, 4099, 3333, 4444, 6102, 6103, 5002, 5001};
    struct pcscf_ue *ue = new_ue();
    struct sip_sec_mech server_before;

    offer(ue, 1111, 2222, 5000, 5001);
    assert_int_equal(challenge(ue), 0);
    ue->state = PCSCF_UE_REGISTERED;
    server_before = ue->server;

    /* the re-REGISTER is answered 403: the new SAs go, the old ones are the UE's again */
    offer(ue, 3333, 4444, 5002, 5001);
    assert_int_equal(challenge(ue), 0);
    pcscf_ue_sa_on_failure(ue);
    assert_int_equal(fake_kernel_count(&f->k), 24);
    assert_block(&f->k, 16, false, &second);
    assert_true(ue->sa_on);
    assert_false(ue->old_on);
    assert_int_equal(ue->sa.spi_ps, 4097);
    assert_int_equal(ue->slot.spi_s, 4097);
    assert_int_equal(ue->server.spi_s, server_before.spi_s);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 1);

    /* shutdown: nothing outlives the daemon (teardown frees the context) */
    pcscf_context_free();
    assert_int_equal(fake_kernel_count(&f->k), 32);
    assert_block(&f->k, 24, false, &first);
}

static void test_install_failure(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();
    const struct want first = {4096, 4097, 1111, 2222, 6100, 6101, 5000, 5001};
    struct pcscf_ue *ue = new_ue();
    osip_message_t *resp = NULL;
    char *text = NULL;
    size_t len = 0;
    static const char r401[] =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
        "From: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=1\r\n"
        "To: <sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org>;tag=2\r\n"
        "Call-ID: c1\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"ims\", nonce=\"abc\", algorithm=AKAv1-MD5\r\n"
        "Security-Server: ipsec-3gpp;q=0.1;prot=esp;mod=trans;spi-c=4096;spi-s=4097;"
        "port-c=6100;port-s=6101;alg=hmac-sha-1-96;ealg=aes-cbc\r\n"
        "Content-Length: 0\r\n\r\n";

    /* registered with SAs; the re-registration's install is refused at its 3rd request */
    offer(ue, 1111, 2222, 5000, 5001);
    assert_int_equal(challenge(ue), 0);
    ue->state = PCSCF_UE_REGISTERED;
    f->k.fail_at = 11;
    f->k.fail_err = -ENOBUFS;
    offer(ue, 3333, 4444, 5002, 5001);
    assert_int_equal(challenge(ue), -ENOBUFS);
    /* 8 + 3 adds, then the 2 added before taken back; the old SAs untouched */
    assert_int_equal(fake_kernel_count(&f->k), 13);
    assert_int_equal(fake_kernel_rec(&f->k, 11).type, XFRM_MSG_DELSA);
    assert_int_equal(fake_kernel_rec(&f->k, 11).spi, 4444); /* OUT_C of the new set */
    assert_int_equal(fake_kernel_rec(&f->k, 12).type, XFRM_MSG_DELSA);
    assert_int_equal(fake_kernel_rec(&f->k, 12).spi, 4099); /* IN_S of the new set */
    assert_true(ue->sa_on);
    assert_false(ue->old_on);
    assert_int_equal(ue->sa.spi_ps, 4097);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 1);

    /* the 401 becomes a 500 that carries neither the challenge nor Security-Server */
    assert_int_equal(sip_msg_parse(r401, strlen(r401), &resp, NULL, 0), 0);
    pcscf_ue_sa_fail_response(resp);
    assert_int_equal(sip_msg_to_str(resp, &text, &len), 0);
    assert_true(strncmp(text, "SIP/2.0 500 Server Internal Error\r\n", 35) == 0);
    assert_null(strstr(text, "WWW-Authenticate"));
    assert_null(strstr(text, "Security-Server"));
    assert_non_null(strstr(text, "Call-ID: c1"));
    osip_free(text);
    osip_message_free(resp);

    /* a UE whose address family does not match ours is refused before the kernel is asked */
    f->k.fail_at = 0;
    {
        struct pcscf_ue *v6 = new_ue();

        snprintf(v6->flow.host, sizeof(v6->flow.host), "2001:db8::2");
        offer(v6, 1111, 2222, 5000, 5001);
        assert_int_equal(challenge(v6), -EAFNOSUPPORT);
        assert_int_equal(fake_kernel_count(&f->k), 13);
        pcscf_ue_purge(v6, "registration failed");
        assert_int_equal(fake_kernel_count(&f->k), 13);
    }
    pcscf_ue_purge(ue, "registration expired");
    assert_int_equal(fake_kernel_count(&f->k), 21);
    assert_block(&f->k, 13, false, &first);
}

static void test_repeated_challenge(void **state)
{
    struct fixture *f = *state;
    struct pcscf_context *pc = pcscf_self();
    const struct want a = {4096, 4097, 1111, 2222, 6100, 6101, 5000, 5001};
    const struct want b = {4096, 4097, 7777, 8888, 6100, 6101, 5004, 5005};
    struct pcscf_ue *ue = new_ue();

    /* an unregistered UE challenged twice (e.g. a resync): the temporary SAs are replaced */
    offer(ue, 1111, 2222, 5000, 5001);
    assert_int_equal(challenge(ue), 0);
    offer(ue, 7777, 8888, 5004, 5005);
    assert_int_equal(challenge(ue), 0);
    assert_int_equal(fake_kernel_count(&f->k), 24);
    assert_block(&f->k, 8, false, &a);
    assert_block(&f->k, 16, true, &b);
    assert_int_equal(pcscf_pool_in_use(pc->pool), 1);
    /* the registration fails: drop_failed_later purges it */
    pcscf_ue_sa_on_failure(ue); /* not a re-registration: nothing to put back */
    assert_int_equal(fake_kernel_count(&f->k), 24);
    pcscf_ue_purge(ue, "registration failed");
    assert_int_equal(fake_kernel_count(&f->k), 32);
    assert_block(&f->k, 24, false, &b);
}

static void test_ipsec_off_is_noop(void **state)
{
    struct fixture *f = *state;
    struct pcscf_ue *ue = new_ue();

    pcscf_self()->ipsec = false;
    offer(ue, 1111, 2222, 5000, 5001);
    assert_int_equal(challenge(ue), 0);
    assert_false(ue->sa_on);
    ue->state = PCSCF_UE_REGISTERED;
    pcscf_ue_sa_on_200(ue);
    drain(f);
    pcscf_ue_purge(ue, "de-registered");
    assert_int_equal(fake_kernel_count(&f->k), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_reregister_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_reregistration_keeps_old, setup, teardown),
        cmocka_unit_test_setup_teardown(test_install_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_challenge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipsec_off_is_noop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
