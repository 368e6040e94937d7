/*
 * imsua's UE-side AKA decisions against a network side built from common/aka:
 * a fresh authentic challenge gives the RES digest the S-CSCF expects, a wrong
 * K gives a MAC failure, an SQN behind the USIM gives AUTS (RFC 3310 §3.4)
 * that the HSS can verify and that carries the USIM's SQN_MS.
 */
#include "ua.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *IMPI = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";
static const char *REALM = "ims.mnc001.mcc001.3gppnetwork.org";
static const char *URI = "sip:ims.mnc001.mcc001.3gppnetwork.org";
static const uint8_t K[16] = "imscore-demo-k01";
static const uint8_t OP[16] = "imscore-demo-op1";
static const uint8_t AMF[2] = {'0', '0'};

/* Network side: a challenge for sqn, and the vector behind it. */
static void make_challenge(const uint8_t k[16], uint64_t sqn, struct aka_vector *v,
                           struct sip_auth_challenge *ch)
{
    uint8_t opc[16];
    assert_int_equal(aka_opc(k, OP, opc), 0);
    assert_int_equal(aka_vector_generate(k, opc, AMF, sqn, NULL, v), 0);
    memset(ch, 0, sizeof(*ch));
    snprintf(ch->scheme, sizeof(ch->scheme), "Digest");
    snprintf(ch->realm, sizeof(ch->realm), "%s", REALM);
    snprintf(ch->algorithm, sizeof(ch->algorithm), "AKAv1-MD5");
    snprintf(ch->qop, sizeof(ch->qop), "auth");
    assert_int_equal(aka_nonce_build(v->rand, v->autn, NULL, 0, ch->nonce, sizeof(ch->nonce)), 0);
}

/* What the S-CSCF computes for password (RES or empty) and the UE's cr. */
static void expected_response(const uint8_t *pw, size_t pwlen,
                              const struct sip_auth_credentials *cr, char out[AKA_DIGEST_HEX_SIZE])
{
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE];
    assert_int_equal(aka_akav1_ha1(IMPI, strlen(IMPI), REALM, strlen(REALM), pw, pwlen, ha1), 0);
    assert_int_equal(aka_digest_ha2("REGISTER", URI, AKA_QOP_AUTH, NULL, 0, ha2), 0);
    assert_int_equal(
        aka_digest_response(ha1, cr->nonce, cr->nc, cr->cnonce, AKA_QOP_AUTH, ha2, out), 0);
}

static const struct ua_auth_req RQ = {.username =
                                          "001010000000001@ims.mnc001.mcc001.3gppnetwork.org",
                                      .method = "REGISTER",
                                      .uri = "sip:ims.mnc001.mcc001.3gppnetwork.org",
                                      .cnonce = "0a1b2c3d",
                                      .nc = 1};

static void test_fresh_challenge_gives_res_digest(void **state)
{
    struct aka_vector v;
    struct sip_auth_challenge ch;
    struct sip_auth_credentials cr;
    struct aka_sqn_ms ms;
    uint8_t opc[16];
    char want[AKA_DIGEST_HEX_SIZE];
    aka_opc(K, OP, opc);
    assert_int_equal(aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0), 0);
    make_challenge(K, 32 + 1, &v, &ch); /* SEQ 1, IND 1 */
    assert_int_equal(ua_auth_aka(K, opc, &ms, &ch, &RQ, &cr), UA_AKA_OK);
    expected_response(v.xres, v.xres_len, &cr, want);
    assert_string_equal(cr.response, want);
    assert_string_equal(cr.username, IMPI);
    assert_string_equal(cr.nonce, ch.nonce);
    assert_string_equal(cr.qop, "auth");
    assert_string_equal(cr.nc, "00000001");
    assert_string_equal(cr.auts, "");
    /* The same challenge again is a replay: the USIM now asks for resync. */
    assert_int_equal(ua_auth_aka(K, opc, &ms, &ch, &RQ, &cr), UA_AKA_RESYNC);
}

static void test_wrong_k_is_mac_failure(void **state)
{
    struct aka_vector v;
    struct sip_auth_challenge ch;
    struct sip_auth_credentials cr;
    struct aka_sqn_ms ms;
    uint8_t opc[16];
    const uint8_t other_k[16] = "imscore-demo-kXX";
    aka_opc(other_k, OP, opc);
    aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0);
    make_challenge(K, 32, &v, &ch);
    memset(&cr, 0x5a, sizeof(cr));
    assert_int_equal(ua_auth_aka(other_k, opc, &ms, &ch, &RQ, &cr), UA_AKA_MAC_FAIL);
    assert_int_equal((unsigned char)cr.response[0], 0x5a); /* untouched */
}

static void test_sqn_behind_usim_gives_verifiable_auts(void **state)
{
    struct aka_vector v;
    struct sip_auth_challenge ch;
    struct sip_auth_credentials cr;
    struct aka_sqn_ms ms;
    uint8_t opc[16], auts[14];
    uint64_t sqn_ms = 0, usim = (UINT64_C(0x1000) << 5) | 3;
    char want[AKA_DIGEST_HEX_SIZE];
    aka_opc(K, OP, opc);
    aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, usim), 0);
    make_challenge(K, (UINT64_C(5) << 5) | 3, &v, &ch); /* same slot, older SEQ */
    assert_int_equal(ua_auth_aka(K, opc, &ms, &ch, &RQ, &cr), UA_AKA_RESYNC);
    assert_int_equal(strlen(cr.auts), AKA_AUTS_B64_LEN);
    assert_int_equal(aka_auts_decode(cr.auts, strlen(cr.auts), auts), 0);
    assert_int_equal(aka_auts_verify(K, opc, v.rand, auts, &sqn_ms), 0);
    assert_true(sqn_ms == usim);
    expected_response(NULL, 0, &cr, want); /* §3.4: empty password */
    assert_string_equal(cr.response, want);
}

static void test_bad_nonce(void **state)
{
    struct sip_auth_challenge ch = {.scheme = "Digest", .realm = "r", .nonce = "not*base64"};
    struct sip_auth_credentials cr;
    struct aka_sqn_ms ms;
    uint8_t opc[16] = {0};
    aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0);
    assert_int_equal(ua_auth_aka(K, opc, &ms, &ch, &RQ, &cr), UA_AKA_BAD_NONCE);
}

static void test_md5_digest(void **state)
{
    struct sip_auth_challenge ch = {.scheme = "Digest",
                                    .realm = "ims.example",
                                    .nonce = "abc",
                                    .algorithm = "MD5",
                                    .qop = "auth"};
    struct sip_auth_credentials cr;
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE], want[AKA_DIGEST_HEX_SIZE];
    assert_int_equal(ua_auth_md5("secret02", &ch, &RQ, &cr), 0);
    aka_digest_ha1(IMPI, strlen(IMPI), "ims.example", 11, (const uint8_t *)"secret02", 8, ha1);
    aka_digest_ha2("REGISTER", URI, AKA_QOP_AUTH, NULL, 0, ha2);
    aka_digest_response(ha1, "abc", "00000001", "0a1b2c3d", AKA_QOP_AUTH, ha2, want);
    assert_string_equal(cr.response, want);
}

static void test_hex_parse(void **state)
{
    uint8_t b[2];
    assert_int_equal(ua_hex_parse("3030", b, 2), 0);
    assert_int_equal(b[0], 0x30);
    assert_int_equal(ua_hex_parse("303", b, 2), -EINVAL);
    assert_int_equal(ua_hex_parse("30zz", b, 2), -EINVAL);
    assert_int_equal(ua_hex_parse("+1ff", b, 2), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_challenge_gives_res_digest),
        cmocka_unit_test(test_wrong_k_is_mac_failure),
        cmocka_unit_test(test_sqn_behind_usim_gives_verifiable_auts),
        cmocka_unit_test(test_bad_nonce),
        cmocka_unit_test(test_md5_digest),
        cmocka_unit_test(test_hex_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
