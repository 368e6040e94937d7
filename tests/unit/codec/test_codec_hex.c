/* Hex encode/decode and the constant-time compare. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/codec.h"

static void test_hex_encode(void **state)
{
    const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[CODEC_HEX_LEN(sizeof(in)) + 1];

    assert_int_equal(codec_hex_encode(in, sizeof(in), out, sizeof(out)), 0);
    assert_string_equal(out, "00017f80abff");
    /* one byte short for the NUL */
    assert_int_equal(codec_hex_encode(in, sizeof(in), out, sizeof(out) - 1), -ENOSPC);
    /* empty input gives an empty string */
    assert_int_equal(codec_hex_encode(NULL, 0, out, 1), 0);
    assert_string_equal(out, "");
    assert_int_equal(codec_hex_encode(NULL, 1, out, sizeof(out)), -EINVAL);
    assert_int_equal(codec_hex_encode(in, 1, NULL, 3), -EINVAL);
}

static void test_hex_decode_good(void **state)
{
    static const struct {
        const char *hex;
        size_t len;
        uint8_t bytes[8];
    } cases[] = {
        {"", 0, {0}},
        {"00", 1, {0x00}},
        {"ff", 1, {0xff}},
        {"FF", 1, {0xff}},
        {"aBcD", 2, {0xab, 0xcd}},
        {"0123456789abcdef", 8, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
        {"0123456789ABCDEF", 8, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t out[8];
        size_t n = 99;
        assert_int_equal(codec_hex_decode(cases[i].hex, strlen(cases[i].hex), out, sizeof(out), &n),
                         0);
        assert_int_equal(n, cases[i].len);
        assert_memory_equal(out, cases[i].bytes, cases[i].len);
    }
}

static void test_hex_decode_bad(void **state)
{
    static const char *const bad[] = {
        "0",  "abc", "0g", "g0", "0x00", " 00", "00 ", "0:",
        "@0", "0`",  "0/", "G0", "zz",   "-1",  "+1",  "\xff\xff",
    };
    uint8_t out[8];
    size_t n = 99;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(codec_hex_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n), -EINVAL);
        assert_int_equal(n, 99); /* untouched on failure */
    }
    /* NUL inside the counted length is not a hex digit */
    assert_int_equal(codec_hex_decode("0\0", 2, out, sizeof(out), NULL), -EINVAL);
    /* too small output */
    assert_int_equal(codec_hex_decode("000000", 6, out, 2, NULL), -ENOSPC);
    /* length-delimited: only the counted characters are read */
    assert_int_equal(codec_hex_decode("12zz", 2, out, sizeof(out), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 0x12);
}

static void test_hex_decode_exact(void **state)
{
    uint8_t k[16];
    const uint8_t want[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
                              0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};

    assert_int_equal(codec_hex_decode_exact("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16), 0);
    assert_memory_equal(k, want, 16);
    assert_int_equal(codec_hex_decode_exact("465B5CE8B199B49FAA5F0A2EE238A6BC", k, 16), 0);
    assert_memory_equal(k, want, 16);
    /* one digit short, one octet short, one octet long, bad digit, NULL */
    assert_int_equal(codec_hex_decode_exact("465b5ce8b199b49faa5f0a2ee238a6b", k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact("465b5ce8b199b49faa5f0a2ee238a6", k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact("465b5ce8b199b49faa5f0a2ee238a6bc00", k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact("465b5ce8b199b49faa5f0a2ee238a6bx", k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact("", k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact(NULL, k, 16), -EINVAL);
    assert_int_equal(codec_hex_decode_exact("", k, 0), 0);
}

static void test_hex_round_trip_all_bytes(void **state)
{
    uint8_t in[256], back[256];
    char hex[CODEC_HEX_LEN(256) + 1];

    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    assert_int_equal(codec_hex_encode(in, sizeof(in), hex, sizeof(hex)), 0);
    assert_int_equal(strlen(hex), 512);
    assert_int_equal(codec_hex_decode_exact(hex, back, sizeof(back)), 0);
    assert_memory_equal(in, back, sizeof(in));
}

static void test_ct_equal(void **state)
{
    const uint8_t a[] = {1, 2, 3, 4};
    const uint8_t b[] = {1, 2, 3, 5};

    assert_true(codec_ct_equal(a, a, sizeof(a)));
    assert_false(codec_ct_equal(a, b, sizeof(a)));
    assert_true(codec_ct_equal(a, b, 3));
    assert_true(codec_ct_equal(a, b, 0));
    assert_false(codec_ct_equal(NULL, b, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_hex_decode_good),
        cmocka_unit_test(test_hex_decode_bad),
        cmocka_unit_test(test_hex_decode_exact),
        cmocka_unit_test(test_hex_round_trip_all_bytes),
        cmocka_unit_test(test_ct_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
