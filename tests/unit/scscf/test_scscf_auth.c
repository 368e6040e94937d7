/*
 * test_scscf_auth: pending challenges of the S-CSCF (scscf/auth.c): the 401
 * header made from an MAA item, verification of the answer (RFC 3310 AKAv1-MD5
 * and RFC 2617 MD5, computed here independently with OpenSSL's MD5), single
 * use of a nonce, and challenge expiry.
 */
#include "auth.h"
#include "scscf_context.h"

#include "codec/codec.h"

#include <errno.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define IMPI  "001010000000001@ims.example.org"
#define IMPU  "sip:001010000000001@ims.example.org"
#define REALM "ims.example.org"

static const uint8_t RAND[16] = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
                                 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
static const uint8_t AUTN[16] = {0x55, 0xf3, 0x28, 0xb4, 0x35, 0x77, 0xb9, 0xb9,
                                 0x4a, 0x9f, 0xfa, 0xc3, 0x54, 0xdf, 0xaf, 0xb3};
static const uint8_t XRES[8] = {0xa5, 0x42, 0x11, 0xd5, 0xe3, 0xba, 0x50, 0xbf};

/* MD5 of len bytes as lowercase hex into out (33 bytes). */
static void md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char d[16];
    unsigned int n = 0;

    assert_int_equal(EVP_Digest(data, len, d, &n, EVP_md5(), NULL), 1);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* RFC 2617 qop=auth response with HA1 given. */
static void digest_response(const char *ha1, const char *nonce, const char *uri, char out[33])
{
    char buf[1024], ha2[33];
    int n = snprintf(buf, sizeof(buf), "REGISTER:%s", uri);

    md5_hex(buf, (size_t)n, ha2);
    n = snprintf(buf, sizeof(buf), "%s:%s:00000001:0a4f113b:auth:%s", ha1, nonce, ha2);
    md5_hex(buf, (size_t)n, out);
}

/* HA1 of AKAv1-MD5: the password is the raw RES (RFC 3310 §3.1). */
static void aka_ha1(const char *user, const char *realm, char out[33])
{
    uint8_t buf[512];
    int n = snprintf((char *)buf, sizeof(buf), "%s:%s:", user, realm);

    memcpy(buf + n, XRES, sizeof(XRES));
    md5_hex(buf, (size_t)n + sizeof(XRES), out);
}

static void aka_maa(struct cx_maa *maa, uint8_t *sa)
{
    memset(maa, 0, sizeof(*maa));
    memcpy(sa, RAND, 16);
    memcpy(sa + 16, AUTN, 16);
    maa->n_items = 1;
    maa->items[0].scheme = "Digest-AKAv1-MD5";
    maa->items[0].sip_authenticate.data = sa;
    maa->items[0].sip_authenticate.len = 32;
    maa->items[0].sip_authorization.data = (uint8_t *)XRES;
    maa->items[0].sip_authorization.len = sizeof(XRES);
    maa->items[0].has_ck = maa->items[0].has_ik = true;
    memset(maa->items[0].ck, 0xc1, sizeof(maa->items[0].ck));
    memset(maa->items[0].ik, 0x11, sizeof(maa->items[0].ik));
}

static void credentials(struct sip_auth_credentials *cr, const char *nonce, const char *response)
{
    memset(cr, 0, sizeof(*cr));
    snprintf(cr->username, sizeof(cr->username), "%s", IMPI);
    snprintf(cr->realm, sizeof(cr->realm), "%s", REALM);
    snprintf(cr->nonce, sizeof(cr->nonce), "%s", nonce);
    snprintf(cr->uri, sizeof(cr->uri), "sip:%s", REALM);
    snprintf(cr->response, sizeof(cr->response), "%s", response);
    snprintf(cr->qop, sizeof(cr->qop), "auth");
    snprintf(cr->nc, sizeof(cr->nc), "00000001");
    snprintf(cr->cnonce, sizeof(cr->cnonce), "0a4f113b");
}

static int teardown(void **state)
{
    auth_free_all();
    return 0;
}

static void test_aka_challenge_header(void **state)
{
    struct sip_auth_challenge hdr;
    struct cx_maa maa;
    uint8_t sa[32], dec[64];
    size_t n = 0;

    aka_maa(&maa, sa);
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), 0);
    assert_string_equal(hdr.scheme, "Digest");
    assert_string_equal(hdr.realm, REALM);
    assert_string_equal(hdr.algorithm, "AKAv1-MD5");
    assert_string_equal(hdr.qop, "auth");
    assert_string_equal(hdr.ck, "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1");
    assert_string_equal(hdr.ik, "11111111111111111111111111111111");
    /* nonce = base64(RAND || AUTN) */
    assert_int_equal(codec_base64_decode(hdr.nonce, strlen(hdr.nonce), dec, sizeof(dec), &n), 0);
    assert_int_equal(n, 32);
    assert_memory_equal(dec, sa, 32);
}

static void test_aka_verify_once(void **state)
{
    struct sip_auth_challenge hdr;
    struct sip_auth_credentials cr;
    struct scscf_challenge *ch;
    struct cx_maa maa;
    uint8_t sa[32];
    char ha1[33], resp[33];

    aka_maa(&maa, sa);
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), 0);
    aka_ha1(IMPI, REALM, ha1);
    digest_response(ha1, hdr.nonce, "sip:" REALM, resp);
    credentials(&cr, hdr.nonce, resp);

    assert_null(auth_take("other@ims.example.org", hdr.nonce));
    ch = auth_take(IMPI, hdr.nonce);
    assert_non_null(ch);
    assert_true(auth_verify(ch, &cr, "REGISTER", NULL, 0));
    /* another method, another realm or a changed response do not verify */
    assert_false(auth_verify(ch, &cr, "INVITE", NULL, 0));
    snprintf(cr.realm, sizeof(cr.realm), "evil.example.org");
    assert_false(auth_verify(ch, &cr, "REGISTER", NULL, 0));
    credentials(&cr, hdr.nonce, resp);
    cr.response[0] = cr.response[0] == '0' ? '1' : '0';
    assert_false(auth_verify(ch, &cr, "REGISTER", NULL, 0));
    auth_challenge_free(ch);
    /* usable once: a replayed nonce finds nothing */
    assert_null(auth_take(IMPI, hdr.nonce));
}

static void test_unusable_items_rejected(void **state)
{
    struct sip_auth_challenge hdr;
    struct cx_maa maa;
    uint8_t sa[32];

    aka_maa(&maa, sa);
    maa.items[0].sip_authenticate.len = 31; /* RAND||AUTN cut short */
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), -EPROTO);
    aka_maa(&maa, sa);
    maa.items[0].has_ck = false;
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), -EPROTO);
    aka_maa(&maa, sa);
    maa.items[0].scheme = "Early-IMS-Security";
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), -EPROTO);
    maa.n_items = 0;
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), -EPROTO);
}

struct expired {
    int n;
    char impi[128], impu[128];
};

static void on_expired(void *arg, const char *impi, const char *impu)
{
    struct expired *e = arg;
    e->n++;
    snprintf(e->impi, sizeof(e->impi), "%s", impi);
    snprintf(e->impu, sizeof(e->impu), "%s", impu);
}

static void test_challenge_expiry(void **state)
{
    struct sip_auth_challenge hdr;
    struct expired e = {0};
    struct cx_maa maa;
    uint8_t sa[32];

    aka_maa(&maa, sa);
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &hdr), 0);
    auth_expire(scscf_now() + 10, on_expired, &e);
    assert_int_equal(e.n, 0);
    auth_expire(scscf_now() + 31, on_expired, &e);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.impi, IMPI);
    assert_string_equal(e.impu, IMPU);
    assert_null(auth_take(IMPI, hdr.nonce));
}

static void test_forget(void **state)
{
    struct sip_auth_challenge h1, h2;
    struct cx_maa maa;
    uint8_t sa[32];

    aka_maa(&maa, sa);
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &h1), 0);
    sa[0] ^= 0xff; /* another RAND, another nonce */
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, REALM, false, 30, &h2), 0);
    assert_string_not_equal(h1.nonce, h2.nonce);
    auth_forget(IMPI);
    assert_null(auth_take(IMPI, h1.nonce));
    assert_null(auth_take(IMPI, h2.nonce));
}

static void test_sip_digest(void **state)
{
    struct sip_auth_challenge hdr;
    struct sip_auth_credentials cr;
    struct scscf_challenge *ch;
    struct cx_maa maa;
    char ha1[33], resp[33], a1[256];
    int n;

    n = snprintf(a1, sizeof(a1), "%s:%s:secret02", IMPI, REALM);
    md5_hex(a1, (size_t)n, ha1);
    memset(&maa, 0, sizeof(maa));
    maa.n_items = 1;
    maa.items[0].scheme = "SIP Digest";
    maa.items[0].digest_ha1 = ha1;
    maa.items[0].digest_algorithm = "MD5";
    maa.items[0].digest_realm = REALM;
    assert_int_equal(auth_challenge_new(IMPI, IMPU, &maa, "other.realm", true, 30, &hdr), 0);
    assert_string_equal(hdr.algorithm, "MD5");
    assert_string_equal(hdr.realm, REALM); /* the HSS's digest realm wins */
    assert_string_equal(hdr.ck, "");
    assert_true(strlen(hdr.nonce) >= 24);
    digest_response(ha1, hdr.nonce, "sip:" REALM, resp);
    credentials(&cr, hdr.nonce, resp);
    snprintf(cr.algorithm, sizeof(cr.algorithm), "MD5");
    ch = auth_take(IMPI, hdr.nonce);
    assert_non_null(ch);
    assert_true(auth_verify(ch, &cr, "REGISTER", NULL, 0));
    snprintf(cr.algorithm, sizeof(cr.algorithm), "AKAv1-MD5");
    assert_false(auth_verify(ch, &cr, "REGISTER", NULL, 0));
    auth_challenge_free(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_aka_challenge_header, teardown),
        cmocka_unit_test_teardown(test_aka_verify_once, teardown),
        cmocka_unit_test_teardown(test_unusable_items_rejected, teardown),
        cmocka_unit_test_teardown(test_challenge_expiry, teardown),
        cmocka_unit_test_teardown(test_forget, teardown),
        cmocka_unit_test_teardown(test_sip_digest, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
