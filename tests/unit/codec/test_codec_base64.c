/* Base64: RFC 4648 §10 test vectors, strictness, tolerance of missing padding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/codec.h"

/* RFC 4648 §10 */
static const struct {
    const char *plain;
    const char *b64;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_rfc4648_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        const char *p = rfc4648[i].plain;
        char enc[16];
        uint8_t dec[16];
        size_t n = 99;

        assert_int_equal(codec_base64_encode((const uint8_t *)p, strlen(p), enc, sizeof(enc)), 0);
        assert_string_equal(enc, rfc4648[i].b64);
        assert_int_equal(strlen(enc), CODEC_BASE64_LEN(strlen(p)));
        assert_int_equal(
            codec_base64_decode(rfc4648[i].b64, strlen(rfc4648[i].b64), dec, sizeof(dec), &n), 0);
        assert_int_equal(n, strlen(p));
        assert_memory_equal(dec, p, n);
    }
}

static void test_base64_missing_padding_tolerated(void **state)
{
    static const struct {
        const char *b64;
        const char *plain;
    } cases[] = {{"Zg", "f"}, {"Zm8", "fo"}, {"Zm9vYg", "foob"}, {"Zm9vYmE", "fooba"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t dec[16];
        size_t n = 0;
        assert_int_equal(
            codec_base64_decode(cases[i].b64, strlen(cases[i].b64), dec, sizeof(dec), &n), 0);
        assert_int_equal(n, strlen(cases[i].plain));
        assert_memory_equal(dec, cases[i].plain, n);
    }
}

static void test_base64_bad_input(void **state)
{
    static const char *const bad[] = {
        "Z",          /* a lone character carries < 8 bits */
        "Zm9vY",      /* same, after a full group */
        "Zg=",        /* padding that does not complete a group */
        "Zg===",      /* too much padding */
        "====",       /* only padding */
        "Z===",       /* three '=' */
        "Zm9v====",   /* padding group after a full group */
        "Zg==Zg==",   /* padding in the middle */
        "Zm=v",       /* '=' inside a group */
        "Zm9v Yg==",  /* whitespace */
        "Zm9v\nYg==", /* line break */
        "Zm9-",       /* URL-safe alphabet */
        "Zm9_",       /* URL-safe alphabet */
        "Zm9v*mFy",   /* stray character */
        "Zh==",       /* non-zero unused bits: not canonical ("Zg==") */
        "Zm9=",       /* non-zero unused bits: not canonical ("Zm8=") */
    };
    uint8_t dec[16];
    size_t n = 99;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = codec_base64_decode(bad[i], strlen(bad[i]), dec, sizeof(dec), &n);
        if (rc != -EINVAL)
            fail_msg("'%s' decoded with rc %d", bad[i], rc);
        assert_int_equal(n, 99);
    }
}

static void test_base64_sizes(void **state)
{
    uint8_t dec[5];
    char enc[9];
    size_t n = 0;

    /* "foobar" needs 6 bytes */
    assert_int_equal(codec_base64_decode("Zm9vYmFy", 8, dec, sizeof(dec), &n), -ENOSPC);
    assert_int_equal(codec_base64_encode((const uint8_t *)"foobar", 6, enc, 8), -ENOSPC);
    assert_int_equal(codec_base64_encode((const uint8_t *)"foobar", 6, enc, 9), 0);
    assert_string_equal(enc, "Zm9vYmFy");
    /* length-delimited input: "Zm9vYmFy" cut after one group */
    assert_int_equal(codec_base64_decode("Zm9vYmFy", 4, dec, sizeof(dec), &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(dec, "foo", 3);
    assert_int_equal(codec_base64_decode(NULL, 4, dec, sizeof(dec), &n), -EINVAL);
}

static void test_base64_round_trip_binary(void **state)
{
    uint8_t in[256], back[256];
    char enc[CODEC_BASE64_LEN(256) + 1];

    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(255 - i);
    for (size_t len = 0; len <= sizeof(in); len++) {
        size_t n = 0;
        assert_int_equal(codec_base64_encode(in, len, enc, sizeof(enc)), 0);
        assert_int_equal(strlen(enc), CODEC_BASE64_LEN(len));
        assert_int_equal(codec_base64_decode(enc, strlen(enc), back, sizeof(back), &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(in, back, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_missing_padding_tolerated),
        cmocka_unit_test(test_base64_bad_input),
        cmocka_unit_test(test_base64_sizes),
        cmocka_unit_test(test_base64_round_trip_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
