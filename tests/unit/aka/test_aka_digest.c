/*
 * RFC 2617 Digest and RFC 3310 AKAv1-MD5. Where a value does not come from
 * an RFC or the project reference, it was computed independently with
 * Python's hashlib (noted beside it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aka/aka.h"
#include "aka_test_sets.h"
#include "codec/codec.h"

#define S(x) (x), strlen(x)

/* RFC 2617 §3.5 */
#define R_USER   "Mufasa"
#define R_REALM  "testrealm@host.com"
#define R_PASS   "Circle Of Life"
#define R_NONCE  "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define R_URI    "/dir/index.html"
#define R_CNONCE "0a4f113b"

/* RFC 3310 worked example on TS 35.208 set 1 (reference §4.1) */
#define A_USER  "001010000000001@ims.mnc001.mcc001.3gppnetwork.org"
#define A_REALM "ims.mnc001.mcc001.3gppnetwork.org"
#define A_URI   "sip:ims.mnc001.mcc001.3gppnetwork.org"
#define A_NONCE "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M="

static void hx(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(codec_hex_decode_exact(hex, out, len), 0);
}

static void test_rfc2617_example(void **state)
{
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE], resp[AKA_DIGEST_HEX_SIZE];

    assert_int_equal(
        aka_digest_ha1(S(R_USER), S(R_REALM), (const uint8_t *)R_PASS, strlen(R_PASS), ha1), 0);
    assert_int_equal(aka_digest_ha2("GET", R_URI, AKA_QOP_AUTH, NULL, 0, ha2), 0);
    assert_int_equal(
        aka_digest_response(ha1, R_NONCE, "00000001", R_CNONCE, AKA_QOP_AUTH, ha2, resp), 0);
    assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
    assert_true(aka_digest_response_is_valid(resp, S("6629fae49393a05397450978507c4ef1")));
    /* upper-case hex from a sloppy client is still the same response */
    assert_true(aka_digest_response_is_valid(resp, S("6629FAE49393A05397450978507C4EF1")));
    /* any other value, length or junk is not */
    assert_false(aka_digest_response_is_valid(resp, S("6629fae49393a05397450978507c4ef0")));
    assert_false(aka_digest_response_is_valid(resp, S("6629fae49393a05397450978507c4ef")));
    assert_false(aka_digest_response_is_valid(resp, S("6629fae49393a05397450978507c4ef11")));
    assert_false(aka_digest_response_is_valid(resp, S("6629fae49393a05397450978507c4efg")));
    assert_false(aka_digest_response_is_valid(resp, S("")));
    assert_false(aka_digest_response_is_valid(resp, NULL, 32));
    assert_false(aka_digest_response_is_valid("not-hex", S("6629fae49393a05397450978507c4ef1")));
    /* counted length: a valid prefix of a longer buffer */
    assert_true(aka_digest_response_is_valid(resp, "6629fae49393a05397450978507c4ef1\", nc", 32));
}

static void test_digest_variants(void **state)
{
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE], resp[AKA_DIGEST_HEX_SIZE];
    char sess[AKA_DIGEST_HEX_SIZE];
    static const char body[] = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n";

    assert_int_equal(
        aka_digest_ha1(S(R_USER), S(R_REALM), (const uint8_t *)R_PASS, strlen(R_PASS), ha1), 0);

    /* no qop (RFC 2069 form); hashlib: 670fd8c2df070c60b045671b8b24ff02 */
    assert_int_equal(aka_digest_ha2("GET", R_URI, AKA_QOP_NONE, NULL, 0, ha2), 0);
    assert_int_equal(aka_digest_response(ha1, R_NONCE, NULL, NULL, AKA_QOP_NONE, ha2, resp), 0);
    assert_string_equal(resp, "670fd8c2df070c60b045671b8b24ff02");

    /* auth-int with a body; hashlib values */
    assert_int_equal(aka_digest_ha2("INVITE", "sip:bob@example.com", AKA_QOP_AUTH_INT,
                                    (const uint8_t *)body, strlen(body), ha2),
                     0);
    assert_string_equal(ha2, "f866e8a976df63e8809f280a04b449a2");
    assert_int_equal(
        aka_digest_response(ha1, "abcdef", "00000002", "c0ffee", AKA_QOP_AUTH_INT, ha2, resp), 0);
    assert_string_equal(resp, "43bb2525d1990c3a4cfdb57ad14e7fe2");
    /* auth-int with an empty body hashes MD5("") */
    assert_int_equal(aka_digest_ha2("REGISTER", "sip:x", AKA_QOP_AUTH_INT, NULL, 0, ha2), 0);
    assert_string_equal(ha2, "75db9618358e629d8c4c5d90f508431b");
    /* the body matters for auth-int only */
    char ha2b[AKA_DIGEST_HEX_SIZE];
    assert_int_equal(
        aka_digest_ha2("REGISTER", "sip:x", AKA_QOP_AUTH, (const uint8_t *)"x", 1, ha2), 0);
    assert_int_equal(aka_digest_ha2("REGISTER", "sip:x", AKA_QOP_AUTH, NULL, 0, ha2b), 0);
    assert_string_equal(ha2, ha2b);

    /* MD5-sess on the RFC 2617 example; hashlib values */
    assert_int_equal(aka_digest_ha1_sess(ha1, R_NONCE, R_CNONCE, sess), 0);
    assert_string_equal(sess, "5edb191b66dce1584c16cb7e7346fcee");
    assert_int_equal(aka_digest_ha2("GET", R_URI, AKA_QOP_AUTH, NULL, 0, ha2), 0);
    assert_int_equal(
        aka_digest_response(sess, R_NONCE, "00000001", R_CNONCE, AKA_QOP_AUTH, ha2, resp), 0);
    assert_string_equal(resp, "8e3825c57e897f5a0dec6c2d4e5059d0");
    /* in place, and from upper-case HA1 */
    for (char *p = ha1; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(aka_digest_ha1_sess(ha1, R_NONCE, R_CNONCE, ha1), 0);
    assert_string_equal(ha1, "5edb191b66dce1584c16cb7e7346fcee");
}

static void test_digest_binary_safe_password(void **state)
{
    /* A password with NUL and high octets is hashed in full, not up to a NUL. */
    const uint8_t pw1[] = {0x61, 0x00, 0x62};
    const uint8_t pw2[] = {0x61};
    char h1[AKA_DIGEST_HEX_SIZE], h2[AKA_DIGEST_HEX_SIZE];

    assert_int_equal(aka_digest_ha1(S("u"), S("r"), pw1, sizeof(pw1), h1), 0);
    assert_int_equal(aka_digest_ha1(S("u"), S("r"), pw2, sizeof(pw2), h2), 0);
    assert_string_not_equal(h1, h2);
}

static void test_digest_bad_arguments(void **state)
{
    char out[AKA_DIGEST_HEX_SIZE];
    const char *h = "0123456789abcdef0123456789abcdef";

    assert_int_equal(aka_digest_ha1(NULL, 1, S("r"), NULL, 0, out), -EINVAL);
    assert_int_equal(aka_digest_ha1(S("u"), S("r"), NULL, 3, out), -EINVAL);
    assert_int_equal(aka_digest_ha2(NULL, "uri", AKA_QOP_AUTH, NULL, 0, out), -EINVAL);
    assert_int_equal(aka_digest_ha2("GET", "uri", (enum aka_qop)7, NULL, 0, out), -EINVAL);
    assert_int_equal(aka_digest_ha2("GET", "uri", AKA_QOP_AUTH_INT, NULL, 5, out), -EINVAL);
    /* with qop, nc and cnonce are required */
    assert_int_equal(aka_digest_response(h, "n", NULL, "c", AKA_QOP_AUTH, h, out), -EINVAL);
    assert_int_equal(aka_digest_response(h, "n", "1", NULL, AKA_QOP_AUTH, h, out), -EINVAL);
    /* HA1 / HA2 must be 32 hex characters */
    assert_int_equal(aka_digest_response("abc", "n", "1", "c", AKA_QOP_AUTH, h, out), -EINVAL);
    assert_int_equal(aka_digest_response(h, "n", "1", "c", AKA_QOP_AUTH,
                                         "0123456789abcdef0123456789abcdeg", out),
                     -EINVAL);
    assert_int_equal(aka_digest_ha1_sess("xyz", "n", "c", out), -EINVAL);
}

static void test_qop_names(void **state)
{
    enum aka_qop q = AKA_QOP_NONE;

    assert_string_equal(aka_qop_name(AKA_QOP_AUTH), "auth");
    assert_string_equal(aka_qop_name(AKA_QOP_AUTH_INT), "auth-int");
    assert_null(aka_qop_name(AKA_QOP_NONE));
    assert_int_equal(aka_qop_parse(S("auth"), &q), 0);
    assert_int_equal(q, AKA_QOP_AUTH);
    assert_int_equal(aka_qop_parse(S("Auth-Int"), &q), 0);
    assert_int_equal(q, AKA_QOP_AUTH_INT);
    assert_int_equal(aka_qop_parse(S("auth,auth-int"), &q), -EINVAL);
    assert_int_equal(aka_qop_parse(S("aut"), &q), -EINVAL);
    assert_int_equal(aka_qop_parse("auth", 3, &q), -EINVAL);
}

/* RFC 3310 §3 / reference §4.1: nonce, HA1 with RES, response; both sides. */
static void test_akav1_md5_set1(void **state)
{
    const struct ts35208_set *t = &ts35208_sets[0];
    uint8_t k[16], opc[16], rand[16], autn[16], want_rand[16], want_autn[16];
    char nonce[CODEC_BASE64_LEN(32) + 1];
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE];
    char ue_resp[AKA_DIGEST_HEX_SIZE], net_resp[AKA_DIGEST_HEX_SIZE];
    struct aka_vector v;
    struct aka_ue_result ue;

    hx(t->k, k, 16);
    hx(t->opc, opc, 16);
    hx(t->rand, want_rand, 16);
    hx(t->autn, want_autn, 16);
    {
        uint8_t sqn[6], amf[2];
        hx(t->sqn, sqn, 6);
        hx(t->amf, amf, 2);
        assert_int_equal(aka_vector_generate(k, opc, amf, aka_sqn_unpack(sqn), want_rand, &v), 0);
    }

    /* S-CSCF: nonce from the vector */
    assert_int_equal(aka_nonce_build(v.rand, v.autn, NULL, 0, nonce, sizeof(nonce)), 0);
    assert_string_equal(nonce, A_NONCE);
    assert_int_equal(strlen(nonce), AKA_NONCE_MIN_B64_LEN);
    assert_int_equal(aka_nonce_build(v.rand, v.autn, NULL, 0, nonce, sizeof(nonce) - 1), -ENOSPC);

    /* UE: parse the nonce, check AUTN, answer with RES as the password */
    assert_int_equal(aka_nonce_parse(S(A_NONCE), rand, autn, NULL, 0, NULL), 0);
    assert_memory_equal(rand, want_rand, 16);
    assert_memory_equal(autn, want_autn, 16);
    assert_int_equal(aka_ue_check(k, opc, rand, autn, NULL, &ue), 0);
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), ue.res, ue.res_len, ha1), 0);
    assert_string_equal(ha1, "da00069eb0de6587da7e09ef503c29db");
    assert_int_equal(aka_digest_ha2("REGISTER", A_URI, AKA_QOP_AUTH, NULL, 0, ha2), 0);
    assert_int_equal(
        aka_digest_response(ha1, A_NONCE, "00000001", "0a4f113b", AKA_QOP_AUTH, ha2, ue_resp), 0);
    assert_string_equal(ue_resp, "402ab8df9f3a4d63a9f47c2f90e02938");

    /* S-CSCF: the same computation from XRES, then a constant-time check */
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), v.xres, v.xres_len, ha1), 0);
    assert_int_equal(
        aka_digest_response(ha1, A_NONCE, "00000001", "0a4f113b", AKA_QOP_AUTH, ha2, net_resp), 0);
    assert_true(aka_digest_response_is_valid(net_resp, S(ue_resp)));

    /* a UE with the wrong RES (e.g. hex text instead of raw octets) fails */
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), (const uint8_t *)t->f2, 16, ha1), 0);
    assert_int_equal(
        aka_digest_response(ha1, A_NONCE, "00000001", "0a4f113b", AKA_QOP_AUTH, ha2, ue_resp), 0);
    assert_false(aka_digest_response_is_valid(net_resp, S(ue_resp)));
}

/* RFC 3310 §3.4: resync response uses an empty password and carries auts. */
static void test_akav1_md5_resync(void **state)
{
    const struct ts35208_set *t = &ts35208_sets[0];
    uint8_t k[16], opc[16], rand[16], sqn[6], auts[14], back[14];
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE], resp[AKA_DIGEST_HEX_SIZE];
    char b64[AKA_AUTS_B64_SIZE];
    uint64_t sqn_ms = 0;

    hx(t->k, k, 16);
    hx(t->opc, opc, 16);
    hx(t->rand, rand, 16);
    hx(t->sqn, sqn, 6);
    assert_int_equal(aka_auts_generate(k, opc, rand, aka_sqn_unpack(sqn), auts), 0);
    assert_int_equal(aka_auts_encode(auts, b64), 0);
    assert_string_equal(b64, "uoU/PBI8z0TpNZbjVcY=");
    assert_int_equal(strlen(b64), AKA_AUTS_B64_LEN);

    /* empty password; hashlib: HA1 6580ce22..., response da492ad7... */
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), NULL, 0, ha1), 0);
    assert_string_equal(ha1, "6580ce225d6806500bf0e45504f9a545");
    assert_int_equal(aka_digest_ha2("REGISTER", A_URI, AKA_QOP_AUTH, NULL, 0, ha2), 0);
    assert_int_equal(
        aka_digest_response(ha1, A_NONCE, "00000001", "0a4f113b", AKA_QOP_AUTH, ha2, resp), 0);
    assert_string_equal(resp, "da492ad7b08bb89514f214f8c2fdb82b");

    /* S-CSCF / HSS side: decode auts, verify MAC-S, recover SQN_MS */
    assert_int_equal(aka_auts_decode(S("uoU/PBI8z0TpNZbjVcY="), back), 0);
    assert_memory_equal(back, auts, 14);
    assert_int_equal(aka_auts_decode(S("uoU/PBI8z0TpNZbjVcY"), back), 0); /* unpadded */
    assert_int_equal(aka_auts_verify(k, opc, rand, back, &sqn_ms), 0);
    assert_true(sqn_ms == aka_sqn_unpack(sqn));

    /* bad auts values */
    assert_int_equal(aka_auts_decode(S("uoU/PBI8z0TpNZbjVc=="), back), -EINVAL); /* 13 octets */
    assert_int_equal(aka_auts_decode(S("uoU/PBI8z0TpNZbjVcY1"), back), -EINVAL); /* 15 octets */
    assert_int_equal(aka_auts_decode(S("uoU/PBI8z0TpNZbjVcY!"), back), -EINVAL);
    assert_int_equal(aka_auts_decode(S(""), back), -EINVAL);
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), auts, 3, ha1), -EINVAL);
    assert_int_equal(aka_akav1_ha1(S(A_USER), S(A_REALM), auts, 17, ha1), -EINVAL);
}

static void test_nonce_server_data_and_bad_input(void **state)
{
    uint8_t rand[16], autn[16], r[16], a[16], sd[8], sd_small[2];
    char nonce[CODEC_BASE64_LEN(40) + 1];
    size_t sd_len = 99;

    for (int i = 0; i < 16; i++) {
        rand[i] = (uint8_t)i;
        autn[i] = (uint8_t)(0xf0 + i);
    }
    assert_int_equal(
        aka_nonce_build(rand, autn, (const uint8_t *)"opaque!", 7, nonce, sizeof(nonce)), 0);
    assert_int_equal(aka_nonce_parse(S(nonce), r, a, sd, sizeof(sd), &sd_len), 0);
    assert_memory_equal(r, rand, 16);
    assert_memory_equal(a, autn, 16);
    assert_int_equal(sd_len, 7);
    assert_memory_equal(sd, "opaque!", 7);
    /* server data ignored when not asked for, -ENOSPC when it does not fit */
    assert_int_equal(aka_nonce_parse(S(nonce), r, a, NULL, 0, NULL), 0);
    assert_int_equal(aka_nonce_parse(S(nonce), r, a, sd_small, sizeof(sd_small), &sd_len), -ENOSPC);
    /* no server data: length 0 reported */
    assert_int_equal(aka_nonce_parse(S(A_NONCE), r, a, sd, sizeof(sd), &sd_len), 0);
    assert_int_equal(sd_len, 0);

    /* 31 octets: too short for RAND || AUTN */
    {
        uint8_t bin[31] = {0};
        char b64[CODEC_BASE64_LEN(31) + 1];
        assert_int_equal(codec_base64_encode(bin, sizeof(bin), b64, sizeof(b64)), 0);
        assert_int_equal(aka_nonce_parse(S(b64), r, a, NULL, 0, NULL), -EINVAL);
    }
    /* not base64 / damaged */
    assert_int_equal(
        aka_nonce_parse(S("I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M"), r, a, NULL, 0, NULL),
        0); /* missing padding is tolerated */
    assert_int_equal(
        aka_nonce_parse(S("I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=="), r, a, NULL, 0, NULL),
        -EINVAL);
    assert_int_equal(
        aka_nonce_parse(S("I1U8vpY3qJ0hiuZNrke NVXzKLQ1d7m5Sp/6w1Tfr7M="), r, a, NULL, 0, NULL),
        -EINVAL);
    assert_int_equal(aka_nonce_parse(S("dcd98b7102dd2f0e8b11d0f600bfb0c093"), r, a, NULL, 0, NULL),
                     -EINVAL);
    assert_int_equal(aka_nonce_parse(S(""), r, a, NULL, 0, NULL), -EINVAL);
    assert_int_equal(aka_nonce_parse(NULL, 44, r, a, NULL, 0, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc2617_example),
        cmocka_unit_test(test_digest_variants),
        cmocka_unit_test(test_digest_binary_safe_password),
        cmocka_unit_test(test_digest_bad_arguments),
        cmocka_unit_test(test_qop_names),
        cmocka_unit_test(test_akav1_md5_set1),
        cmocka_unit_test(test_akav1_md5_resync),
        cmocka_unit_test(test_nonce_server_data_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
