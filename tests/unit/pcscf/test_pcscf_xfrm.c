/*
 * Unit tests of the XFRM netlink message builder: TS 33.203 Annex I key
 * derivation, the four SAs' directions/SPIs/ports (§7.1), and the exact
 * netlink layout of NEWSA / DELSA / NEWPOLICY / DELPOLICY, decoded back
 * field by field with the kernel's own structures.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <sys/socket.h>

#include "codec/codec.h"
#include "xfrm_msg.h"

static const char IK_HEX[] = "f769bcd751044604127672711c6d3441";
static const char CK_HEX[] = "b40ba9a3c58b2a05bbf0d987b21bf8cb";

static void params_init(struct pcscf_xfrm_params *p, enum pcscf_xfrm_alg alg,
                        enum pcscf_xfrm_ealg ealg)
{
    size_t n;

    memset(p, 0, sizeof(*p));
    p->family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, "192.0.2.1", p->pcscf_addr), 1);
    assert_int_equal(inet_pton(AF_INET, "198.51.100.7", p->ue_addr), 1);
    p->spi_pc = 8000;
    p->spi_ps = 8001;
    p->spi_uc = 1111;
    p->spi_us = 2222;
    p->port_pc = 6100;
    p->port_ps = 6101;
    p->port_uc = 5062;
    p->port_us = 5064;
    p->alg = alg;
    p->ealg = ealg;
    p->reqid_base = 100;
    assert_int_equal(codec_hex_decode(IK_HEX, 32, p->ik, 16, &n), 0);
    assert_int_equal(codec_hex_decode(CK_HEX, 32, p->ck, 16, &n), 0);
}

static void test_key_derivation(void **state)
{
    struct pcscf_xfrm_keys k;
    uint8_t ik[16], ck[16], zero[4] = {0};
    size_t n;

    (void)state;
    assert_int_equal(codec_hex_decode(IK_HEX, 32, ik, 16, &n), 0);
    assert_int_equal(codec_hex_decode(CK_HEX, 32, ck, 16, &n), 0);
    /* hmac-sha-1-96: IK || 32 zero bits */
    assert_int_equal(pcscf_xfrm_derive_keys(PCSCF_ALG_HMAC_SHA1_96, PCSCF_EALG_AES_CBC, ik, ck, &k),
                     0);
    assert_int_equal(k.auth_len, 20);
    assert_memory_equal(k.auth, ik, 16);
    assert_memory_equal(k.auth + 16, zero, 4);
    assert_int_equal(k.enc_len, 16);
    assert_memory_equal(k.enc, ck, 16);
    /* hmac-md5-96: IK as is; null: no key */
    assert_int_equal(pcscf_xfrm_derive_keys(PCSCF_ALG_HMAC_MD5_96, PCSCF_EALG_NONE, ik, NULL, &k),
                     0);
    assert_int_equal(k.auth_len, 16);
    assert_memory_equal(k.auth, ik, 16);
    assert_int_equal(k.enc_len, 0);
    assert_int_equal(
        pcscf_xfrm_derive_keys(PCSCF_ALG_HMAC_MD5_96, PCSCF_EALG_AES_CBC, ik, NULL, &k), -EINVAL);
}

static void test_alg_names(void **state)
{
    enum pcscf_xfrm_alg a;
    enum pcscf_xfrm_ealg e;

    (void)state;
    assert_int_equal(pcscf_xfrm_alg_parse("hmac-sha-1-96", &a), 0);
    assert_int_equal(a, PCSCF_ALG_HMAC_SHA1_96);
    assert_int_equal(pcscf_xfrm_alg_parse("hmac-md5-96", &a), 0);
    assert_int_equal(a, PCSCF_ALG_HMAC_MD5_96);
    assert_int_equal(pcscf_xfrm_alg_parse("hmac-sha-256", &a), -EINVAL);
    assert_int_equal(pcscf_xfrm_ealg_parse("", &e), 0);
    assert_int_equal(e, PCSCF_EALG_NONE);
    assert_int_equal(pcscf_xfrm_ealg_parse("aes-cbc", &e), 0);
    assert_int_equal(e, PCSCF_EALG_AES_CBC);
    assert_int_equal(pcscf_xfrm_ealg_parse("des-ede3-cbc", &e), -EINVAL);
}

static void test_plan_four_sas(void **state)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_sa sa[4];

    (void)state;
    params_init(&p, PCSCF_ALG_HMAC_SHA1_96, PCSCF_EALG_NONE);
    assert_int_equal(pcscf_xfrm_plan(&p, sa), 0);
    /* inbound to our server port: UE client port -> P server port, our spi-s */
    assert_memory_equal(sa[PCSCF_SA_IN_S].src, p.ue_addr, 4);
    assert_memory_equal(sa[PCSCF_SA_IN_S].dst, p.pcscf_addr, 4);
    assert_int_equal(sa[PCSCF_SA_IN_S].sport, 5062);
    assert_int_equal(sa[PCSCF_SA_IN_S].dport, 6101);
    assert_int_equal(sa[PCSCF_SA_IN_S].spi, 8001);
    /* outbound from our client port to the UE's server port, the UE's spi-s */
    assert_memory_equal(sa[PCSCF_SA_OUT_C].src, p.pcscf_addr, 4);
    assert_int_equal(sa[PCSCF_SA_OUT_C].sport, 6100);
    assert_int_equal(sa[PCSCF_SA_OUT_C].dport, 5064);
    assert_int_equal(sa[PCSCF_SA_OUT_C].spi, 2222);
    /* inbound to our client port from the UE's server port, our spi-c */
    assert_int_equal(sa[PCSCF_SA_IN_C].sport, 5064);
    assert_int_equal(sa[PCSCF_SA_IN_C].dport, 6100);
    assert_int_equal(sa[PCSCF_SA_IN_C].spi, 8000);
    /* outbound from our server port to the UE's client port, the UE's spi-c */
    assert_int_equal(sa[PCSCF_SA_OUT_S].sport, 6101);
    assert_int_equal(sa[PCSCF_SA_OUT_S].dport, 5062);
    assert_int_equal(sa[PCSCF_SA_OUT_S].spi, 1111);
    assert_int_equal(sa[PCSCF_SA_OUT_S].reqid, 103);
    assert_true(pcscf_xfrm_role_is_inbound(PCSCF_SA_IN_C));
    assert_false(pcscf_xfrm_role_is_inbound(PCSCF_SA_OUT_S));
    p.spi_uc = 10; /* reserved SPI */
    assert_int_equal(pcscf_xfrm_plan(&p, sa), -EINVAL);
}

/* Finds attribute type in the message; returns its payload and length. */
static const uint8_t *find_attr(const struct nlmsghdr *h, size_t fixed, uint16_t type, size_t *len)
{
    const uint8_t *p = (const uint8_t *)NLMSG_DATA(h) + NLMSG_ALIGN(fixed);
    const uint8_t *end = (const uint8_t *)h + h->nlmsg_len;

    while (p + NLA_HDRLEN <= end) {
        const struct nlattr *a = (const struct nlattr *)p;

        assert_true(a->nla_len >= NLA_HDRLEN);
        assert_true(p + a->nla_len <= end);
        if (a->nla_type == type) {
            *len = a->nla_len - NLA_HDRLEN;
            return p + NLA_HDRLEN;
        }
        p += NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

static void test_newsa_message(void **state)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_sa sa[4];
    uint8_t buf[PCSCF_XFRM_MSG_MAX];
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    const struct xfrm_usersa_info *info;
    const struct xfrm_algo_auth *auth;
    const struct xfrm_algo *crypt;
    size_t len = 0, alen = 0;

    (void)state;
    params_init(&p, PCSCF_ALG_HMAC_SHA1_96, PCSCF_EALG_AES_CBC);
    assert_int_equal(pcscf_xfrm_plan(&p, sa), 0);
    assert_int_equal(pcscf_xfrm_build_newsa(&sa[PCSCF_SA_IN_S], 42, buf, sizeof(buf), &len), 0);
    assert_int_equal(h->nlmsg_len, len);
    assert_int_equal(len % 4, 0);
    assert_int_equal(h->nlmsg_type, XFRM_MSG_NEWSA);
    assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    assert_int_equal(h->nlmsg_seq, 42);
    info = NLMSG_DATA(h);
    assert_int_equal(ntohl(info->id.spi), 8001);
    assert_int_equal(info->id.proto, IPPROTO_ESP);
    assert_memory_equal(&info->id.daddr, p.pcscf_addr, 4);
    assert_memory_equal(&info->saddr, p.ue_addr, 4);
    assert_int_equal(info->family, AF_INET);
    assert_int_equal(info->mode, XFRM_MODE_TRANSPORT);
    assert_int_equal(info->reqid, 100);
    assert_int_equal(ntohs(info->sel.sport), 5062);
    assert_int_equal(ntohs(info->sel.dport), 6101);
    assert_int_equal(info->sel.sport_mask, 0xffff);
    assert_int_equal(info->sel.prefixlen_d, 32);
    assert_true(info->lft.hard_byte_limit == XFRM_INF);

    auth = (const void *)find_attr(h, sizeof(*info), XFRMA_ALG_AUTH_TRUNC, &alen);
    assert_non_null(auth);
    assert_int_equal(alen, sizeof(*auth) + 20);
    assert_string_equal(auth->alg_name, "hmac(sha1)");
    assert_int_equal(auth->alg_key_len, 160);
    assert_int_equal(auth->alg_trunc_len, 96);
    assert_memory_equal(auth->alg_key, p.ik, 16);
    assert_int_equal(auth->alg_key[16] | auth->alg_key[17] | auth->alg_key[18] | auth->alg_key[19],
                     0);

    crypt = (const void *)find_attr(h, sizeof(*info), XFRMA_ALG_CRYPT, &alen);
    assert_non_null(crypt);
    assert_int_equal(alen, sizeof(*crypt) + 16);
    assert_string_equal(crypt->alg_name, "cbc(aes)");
    assert_int_equal(crypt->alg_key_len, 128);
    assert_memory_equal(crypt->alg_key, p.ck, 16);

    /* md5 + null */
    params_init(&p, PCSCF_ALG_HMAC_MD5_96, PCSCF_EALG_NONE);
    assert_int_equal(pcscf_xfrm_plan(&p, sa), 0);
    assert_int_equal(pcscf_xfrm_build_newsa(&sa[PCSCF_SA_OUT_S], 43, buf, sizeof(buf), &len), 0);
    info = NLMSG_DATA(h);
    assert_int_equal(ntohl(info->id.spi), 1111);
    assert_memory_equal(&info->id.daddr, p.ue_addr, 4);
    auth = (const void *)find_attr(h, sizeof(*info), XFRMA_ALG_AUTH_TRUNC, &alen);
    assert_non_null(auth);
    assert_string_equal(auth->alg_name, "hmac(md5)");
    assert_int_equal(auth->alg_key_len, 128);
    crypt = (const void *)find_attr(h, sizeof(*info), XFRMA_ALG_CRYPT, &alen);
    assert_non_null(crypt);
    assert_string_equal(crypt->alg_name, "ecb(cipher_null)");
    assert_int_equal(crypt->alg_key_len, 0);
    assert_int_equal(alen, sizeof(*crypt));

    /* too small a buffer is a clean error */
    assert_int_equal(pcscf_xfrm_build_newsa(&sa[0], 1, buf, 64, &len), -ENOSPC);
    assert_int_equal(pcscf_xfrm_build_newsa(&sa[0], 1, buf, sizeof(*info) + 40, &len), -ENOSPC);
}

static void test_policy_and_delete_messages(void **state)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_sa sa[4];
    uint8_t buf[PCSCF_XFRM_MSG_MAX];
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    const struct xfrm_userpolicy_info *pol;
    const struct xfrm_user_tmpl *tmpl;
    const struct xfrm_usersa_id *id;
    const struct xfrm_userpolicy_id *pid;
    size_t len = 0, alen = 0;
    int r;

    (void)state;
    params_init(&p, PCSCF_ALG_HMAC_SHA1_96, PCSCF_EALG_NONE);
    assert_int_equal(pcscf_xfrm_plan(&p, sa), 0);
    for (r = 0; r < 4; r++) {
        int in = pcscf_xfrm_role_is_inbound((enum pcscf_sa_role)r);

        assert_int_equal(pcscf_xfrm_build_newpolicy(&sa[r], in, 7, buf, sizeof(buf), &len), 0);
        assert_int_equal(h->nlmsg_type, XFRM_MSG_NEWPOLICY);
        pol = NLMSG_DATA(h);
        assert_int_equal(pol->dir, in ? XFRM_POLICY_IN : XFRM_POLICY_OUT);
        assert_int_equal(pol->action, XFRM_POLICY_ALLOW);
        assert_int_equal(ntohs(pol->sel.sport), sa[r].sport);
        assert_int_equal(ntohs(pol->sel.dport), sa[r].dport);
        tmpl = (const void *)find_attr(h, sizeof(*pol), XFRMA_TMPL, &alen);
        assert_non_null(tmpl);
        assert_int_equal(alen, sizeof(*tmpl));
        assert_int_equal(ntohl(tmpl->id.spi), sa[r].spi);
        assert_int_equal(tmpl->id.proto, IPPROTO_ESP);
        assert_int_equal(tmpl->mode, XFRM_MODE_TRANSPORT);
        assert_int_equal(tmpl->reqid, sa[r].reqid);

        assert_int_equal(pcscf_xfrm_build_delpolicy(&sa[r], in, 8, buf, sizeof(buf), &len), 0);
        assert_int_equal(h->nlmsg_type, XFRM_MSG_DELPOLICY);
        assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        pid = NLMSG_DATA(h);
        assert_int_equal(pid->dir, in ? XFRM_POLICY_IN : XFRM_POLICY_OUT);
        assert_int_equal(ntohs(pid->sel.dport), sa[r].dport);

        assert_int_equal(pcscf_xfrm_build_delsa(&sa[r], 9, buf, sizeof(buf), &len), 0);
        assert_int_equal(h->nlmsg_type, XFRM_MSG_DELSA);
        id = NLMSG_DATA(h);
        assert_int_equal(ntohl(id->spi), sa[r].spi);
        assert_int_equal(id->proto, IPPROTO_ESP);
        assert_memory_equal(&id->daddr, sa[r].dst, 4);
        assert_non_null(find_attr(h, sizeof(*id), XFRMA_SRCADDR, &alen));
        assert_int_equal(alen, sizeof(xfrm_address_t));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_derivation),
        cmocka_unit_test(test_alg_names),
        cmocka_unit_test(test_plan_four_sas),
        cmocka_unit_test(test_newsa_message),
        cmocka_unit_test(test_policy_and_delete_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
