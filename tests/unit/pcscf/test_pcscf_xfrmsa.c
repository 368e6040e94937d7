/*
 * Unit test of the XFRM netlink transport and of SA install/remove against a
 * fake kernel: one end of a socketpair(AF_UNIX, SOCK_DGRAM) is adopted by
 * pcscf_xfrm_nl, the other is served by a thread that decodes every request
 * with the kernel's own structures (linux/xfrm.h), records what it asked for,
 * and acks it like the kernel does (NLMSG_ERROR, error 0 or -errno).
 *
 * The expected SPIs, directions and ports are written out by hand from the
 * role table of xfrm_msg.h (TS 33.203 §7.1), not computed by the code tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_xfrm_kernel.h"
#include "xfrm_nl.h"
#include "xfrm_sa.h"

static const uint8_t PCSCF_IP[4] = {10, 0, 0, 1};
static const uint8_t UE_IP[4] = {10, 0, 0, 2};

/* From the role table of xfrm_msg.h: role -> SPI, direction, source port, destination port. */
static const struct {
    uint32_t spi;
    int dir;
    uint16_t sport, dport;
} EXPECT[4] = {
    {1001, XFRM_POLICY_IN, 5000, 6101},  /* IN_S: UE port-c -> our port-s, our spi-s */
    {2001, XFRM_POLICY_OUT, 6100, 5001}, /* OUT_C: our port-c -> UE port-s, UE spi-s */
    {1000, XFRM_POLICY_IN, 5001, 6100},  /* IN_C: UE port-s -> our port-c, our spi-c */
    {2000, XFRM_POLICY_OUT, 6101, 5000}, /* OUT_S: our port-s -> UE port-c, UE spi-c */
};

static void params(struct pcscf_xfrm_params *p)
{
    memset(p, 0, sizeof(*p));
    p->family = AF_INET;
    memcpy(p->pcscf_addr, PCSCF_IP, 4);
    memcpy(p->ue_addr, UE_IP, 4);
    p->spi_pc = 1000;
    p->spi_ps = 1001;
    p->spi_uc = 2000;
    p->spi_us = 2001;
    p->port_pc = 6100;
    p->port_ps = 6101;
    p->port_uc = 5000;
    p->port_us = 5001;
    p->alg = PCSCF_ALG_HMAC_SHA1_96;
    p->ealg = PCSCF_EALG_AES_CBC;
    memset(p->ik, 0x11, 16);
    memset(p->ck, 0x22, 16);
    p->reqid_base = 40;
}

/* A fake kernel for one case: cfg gives its answers; *nl is bound to it. */
static struct pcscf_xfrm_nl *peer_start(struct fake_kernel *k, int timeout_ms)
{
    struct pcscf_xfrm_nl *nl = NULL;

    memcpy(k->local_ip, PCSCF_IP, 4);
    fake_kernel_start(k, timeout_ms, &nl);
    return nl;
}

static void peer_stop(struct fake_kernel *k, struct pcscf_xfrm_nl *nl)
{
    pcscf_xfrm_nl_close(nl);
    fake_kernel_stop(k);
}

/* Asserts that r is the add (install step i, 0..7) or delete of role i % 4. */
static void assert_step(const struct fake_rec *r, bool policy, bool add, int role)
{
    uint16_t type = policy ? (add ? XFRM_MSG_NEWPOLICY : XFRM_MSG_DELPOLICY)
                           : (add ? XFRM_MSG_NEWSA : XFRM_MSG_DELSA);

    assert_int_equal(r->type, type);
    assert_true(r->flags & NLM_F_REQUEST);
    assert_true(r->flags & NLM_F_ACK);
    if (add)
        assert_int_equal(r->flags & (NLM_F_CREATE | NLM_F_EXCL), NLM_F_CREATE | NLM_F_EXCL);
    assert_int_equal(r->dir, EXPECT[role].dir);
    if (!(policy == false && add == false)) { /* DELSA names the SA by (dst, SPI) only */
        assert_int_equal(r->sport, EXPECT[role].sport);
        assert_int_equal(r->dport, EXPECT[role].dport);
    }
    if (!(policy && !add)) /* DELPOLICY names the policy by selector and direction */
        assert_int_equal(r->spi, EXPECT[role].spi);
    if (add && !policy) {
        /* TS 33.203 Annex I: hmac-sha-1-96 keyed with IK || 32 zero bits, aes-cbc with CK */
        static const uint8_t ik0[20] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                        0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0,    0,    0,    0};
        uint8_t ck[16];

        memset(ck, 0x22, sizeof(ck));
        assert_string_equal(r->auth_name, "hmac(sha1)");
        assert_int_equal(r->auth_bits, 160);
        assert_int_equal(r->trunc_bits, 96);
        assert_memory_equal(r->auth_key, ik0, 20);
        assert_string_equal(r->crypt_name, "cbc(aes)");
        assert_int_equal(r->crypt_bits, 128);
        assert_memory_equal(r->crypt_key, ck, 16);
        assert_int_equal(r->reqid, 40 + (uint32_t)role);
    }
    assert_false(r->bad);
    if (add && policy) {
        assert_true(r->tmpl_ok);
        assert_int_equal(r->reqid, 40 + (uint32_t)role);
    }
}

static void test_install_sequence(void **state)
{
    struct pcscf_xfrm_params p;
    struct fake_kernel peer = {0};
    struct pcscf_xfrm_nl *nl;
    char why[256] = "";
    int i;

    (void)state;
    params(&p);
    nl = peer_start(&peer, 2000);
    assert_int_equal(pcscf_xfrm_sa_install(nl, &p, why, sizeof(why)), 0);
    peer_stop(&peer, nl);
    assert_int_equal(peer.n, 8);
    for (i = 0; i < 4; i++)
        assert_step(&peer.recs[i], false, true, i);
    for (i = 0; i < 4; i++)
        assert_step(&peer.recs[4 + i], true, true, i);
}

/* A refusal at message k (1..8) takes back exactly the k-1 objects added before, newest first. */
static void test_install_rollback(void **state)
{
    static const char *const names[8] = {
        "refused to add SA 1 (inbound to our port-s, 10.0.0.2:5000 -> 10.0.0.1:6101, SPI 1001)",
        "refused to add SA 2 (outbound from our port-c, 10.0.0.1:6100 -> 10.0.0.2:5001, SPI 2001)",
        "refused to add SA 3 (inbound to our port-c, 10.0.0.2:5001 -> 10.0.0.1:6100, SPI 1000)",
        "refused to add SA 4 (outbound from our port-s, 10.0.0.1:6101 -> 10.0.0.2:5000, SPI 2000)",
        "refused to add policy of SA 1 ",
        "refused to add policy of SA 2 ",
        "refused to add policy of SA 3 ",
        "refused to add policy of SA 4 ",
    };
    struct pcscf_xfrm_params p;
    int k, j;

    (void)state;
    params(&p);
    for (k = 1; k <= 8; k++) {
        struct fake_kernel peer = {.fail_at = k, .fail_err = -EPROTONOSUPPORT};
        struct pcscf_xfrm_nl *nl = peer_start(&peer, 2000);
        char why[256] = "";

        assert_int_equal(pcscf_xfrm_sa_install(nl, &p, why, sizeof(why)), -EPROTONOSUPPORT);
        peer_stop(&peer, nl);
        printf("# fail at %d: %s\n", k, why);
        assert_non_null(strstr(why, names[k - 1]));
        assert_non_null(strstr(why, strerror(EPROTONOSUPPORT)));
        assert_int_equal(peer.n, k + (k - 1));
        for (j = 0; j < k; j++) /* the adds, up to the refused one */
            assert_step(&peer.recs[j], j >= 4, true, j % 4);
        for (j = 0; j < k - 1; j++) { /* the deletes: step k-2 down to 0 */
            int step = k - 2 - j;
            assert_step(&peer.recs[k + j], step >= 4, false, step % 4);
        }
    }
}

static void test_remove_sequence(void **state)
{
    struct pcscf_xfrm_params p;
    int i;

    (void)state;
    params(&p);
    {
        struct fake_kernel peer = {0};
        struct pcscf_xfrm_nl *nl = peer_start(&peer, 2000);

        assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), 0);
        peer_stop(&peer, nl);
        assert_int_equal(peer.n, 8);
        for (i = 0; i < 4; i++)
            assert_step(&peer.recs[i], true, false, i);
        for (i = 0; i < 4; i++)
            assert_step(&peer.recs[4 + i], false, false, i);
    }
    {
        /* already gone: the kernel says ENOENT (policies) / ESRCH (SAs): fine */
        struct fake_kernel peer = {.all_err = -ENOENT, .fail_at = 6, .fail_err = -ESRCH};
        struct pcscf_xfrm_nl *nl = peer_start(&peer, 2000);

        assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), 0);
        peer_stop(&peer, nl);
        assert_int_equal(peer.n, 8);
    }
    {
        /* another error is returned, but every removal is still tried */
        struct fake_kernel peer = {.fail_at = 2, .fail_err = -EPERM};
        struct pcscf_xfrm_nl *nl = peer_start(&peer, 2000);

        assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), -EPERM);
        peer_stop(&peer, nl);
        assert_int_equal(peer.n, 8);
    }
}

static void test_bad_params_send_nothing(void **state)
{
    struct pcscf_xfrm_params p;
    struct fake_kernel peer = {0};
    struct pcscf_xfrm_nl *nl;
    char why[256] = "";

    (void)state;
    params(&p);
    p.spi_uc = 255; /* reserved (RFC 4303) */
    nl = peer_start(&peer, 2000);
    assert_int_equal(pcscf_xfrm_sa_install(nl, &p, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "SPI below 256"));
    assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), -EINVAL);
    params(&p);
    p.family = AF_UNIX;
    assert_int_equal(pcscf_xfrm_sa_install(nl, &p, NULL, 0), -EINVAL);
    assert_int_equal(pcscf_xfrm_sa_install(NULL, &p, why, sizeof(why)), -EINVAL);
    peer_stop(&peer, nl);
    assert_int_equal(peer.n, 0);
}

/* Late acks of other sequence numbers and non-netlink junk are skipped. */
static void test_transact_skips_stale(void **state)
{
    struct pcscf_xfrm_params p;
    struct fake_kernel peer = {.stale = true, .garbage = true};
    struct pcscf_xfrm_nl *nl;

    (void)state;
    params(&p);
    nl = peer_start(&peer, 2000);
    assert_int_equal(pcscf_xfrm_sa_install(nl, &p, NULL, 0), 0);
    peer_stop(&peer, nl);
    assert_int_equal(peer.n, 8);
}

static void test_transact_timeout(void **state)
{
    struct pcscf_xfrm_params p;
    struct fake_kernel peer = {.silent = true};
    struct pcscf_xfrm_nl *nl;
    char why[256] = "";

    (void)state;
    params(&p);
    nl = peer_start(&peer, 150);
    /* SA 1 times out; the take-back has nothing to do: one message only */
    assert_int_equal(pcscf_xfrm_sa_install(nl, &p, why, sizeof(why)), -ETIMEDOUT);
    assert_non_null(strstr(why, "SA 1 "));
    peer_stop(&peer, nl);
    assert_int_equal(peer.n, 1);
}

static void test_transact_args(void **state)
{
    struct pcscf_xfrm_nl *nl = NULL;
    struct nlmsghdr h;
    uint32_t a, b;

    (void)state;
    assert_int_equal(pcscf_xfrm_nl_adopt(-1, 100, &nl), -EINVAL);
    assert_int_equal(pcscf_xfrm_nl_open(0, &nl), -EINVAL);
    assert_null(nl);
    /* the real socket opens without privileges (only changes need CAP_NET_ADMIN) */
    assert_int_equal(pcscf_xfrm_nl_open(100, &nl), 0);
    a = pcscf_xfrm_nl_next_seq(nl);
    b = pcscf_xfrm_nl_next_seq(nl);
    assert_int_not_equal(a, 0);
    assert_int_equal(b, a + 1 == 0 ? 1 : a + 1);
    memset(&h, 0, sizeof(h));
    h.nlmsg_len = sizeof(h);
    h.nlmsg_seq = a;
    /* the sequence number must be the message's */
    assert_int_equal(pcscf_xfrm_nl_transact(nl, &h, sizeof(h), a + 7), -EINVAL);
    assert_int_equal(pcscf_xfrm_nl_transact(nl, &h, sizeof(h) - 1, a), -EINVAL);
    pcscf_xfrm_nl_close(nl);
    pcscf_xfrm_nl_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_sequence),     cmocka_unit_test(test_install_rollback),
        cmocka_unit_test(test_remove_sequence),      cmocka_unit_test(test_bad_params_send_nothing),
        cmocka_unit_test(test_transact_skips_stale), cmocka_unit_test(test_transact_timeout),
        cmocka_unit_test(test_transact_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
