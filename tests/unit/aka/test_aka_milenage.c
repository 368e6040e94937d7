/* Milenage against all six TS 35.208 test sets, function by function. */
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

/* Decodes a table value; the table is test data, so a bad entry fails the test. */
static void hx(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(codec_hex_decode_exact(hex, out, len), 0);
}

/* Asserts that bytes[0..len) print as the expected hex. */
static void assert_hex(const uint8_t *bytes, size_t len, const char *expected, int set,
                       const char *what)
{
    char got[65];
    assert_int_equal(codec_hex_encode(bytes, len, got, sizeof(got)), 0);
    if (strcmp(got, expected) != 0)
        fail_msg("set %d %s: got %s, want %s", set, what, got, expected);
}

struct set_bin {
    uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
};

static void load(const struct ts35208_set *t, struct set_bin *b)
{
    hx(t->k, b->k, 16);
    hx(t->rand, b->rand, 16);
    hx(t->sqn, b->sqn, 6);
    hx(t->amf, b->amf, 2);
    hx(t->op, b->op, 16);
    hx(t->opc, b->opc, 16);
}

static void test_opc(void **state)
{
    for (size_t i = 0; i < TS35208_COUNT; i++) {
        struct set_bin b;
        uint8_t opc[16];
        load(&ts35208_sets[i], &b);
        assert_int_equal(aka_opc(b.k, b.op, opc), 0);
        assert_hex(opc, 16, ts35208_sets[i].opc, (int)i + 1, "OPc");
        /* in place */
        assert_int_equal(aka_opc(b.k, b.op, b.op), 0);
        assert_memory_equal(b.op, opc, 16);
    }
}

static void test_f1_f1star(void **state)
{
    for (size_t i = 0; i < TS35208_COUNT; i++) {
        struct set_bin b;
        uint8_t mac_a[8], mac_s[8];
        load(&ts35208_sets[i], &b);
        assert_int_equal(aka_f1(b.k, b.opc, b.rand, b.sqn, b.amf, mac_a), 0);
        assert_hex(mac_a, 8, ts35208_sets[i].f1, (int)i + 1, "f1");
        assert_int_equal(aka_f1star(b.k, b.opc, b.rand, b.sqn, b.amf, mac_s), 0);
        assert_hex(mac_s, 8, ts35208_sets[i].f1star, (int)i + 1, "f1*");
    }
}

static void test_f2345_f5star(void **state)
{
    for (size_t i = 0; i < TS35208_COUNT; i++) {
        struct set_bin b;
        uint8_t res[8], ck[16], ik[16], ak[6], ak_star[6];
        load(&ts35208_sets[i], &b);
        assert_int_equal(aka_f2345(b.k, b.opc, b.rand, res, ck, ik, ak), 0);
        assert_hex(res, 8, ts35208_sets[i].f2, (int)i + 1, "f2");
        assert_hex(ck, 16, ts35208_sets[i].f3, (int)i + 1, "f3");
        assert_hex(ik, 16, ts35208_sets[i].f4, (int)i + 1, "f4");
        assert_hex(ak, 6, ts35208_sets[i].f5, (int)i + 1, "f5");
        assert_int_equal(aka_f5star(b.k, b.opc, b.rand, ak_star), 0);
        assert_hex(ak_star, 6, ts35208_sets[i].f5star, (int)i + 1, "f5*");

        /* each output alone, the others NULL */
        memset(ck, 0, sizeof(ck));
        assert_int_equal(aka_f2345(b.k, b.opc, b.rand, NULL, ck, NULL, NULL), 0);
        assert_hex(ck, 16, ts35208_sets[i].f3, (int)i + 1, "f3 alone");
        memset(ak, 0, sizeof(ak));
        assert_int_equal(aka_f2345(b.k, b.opc, b.rand, NULL, NULL, NULL, ak), 0);
        assert_hex(ak, 6, ts35208_sets[i].f5, (int)i + 1, "f5 alone");
    }
}

static void test_vector_autn(void **state)
{
    for (size_t i = 0; i < TS35208_COUNT; i++) {
        struct set_bin b;
        struct aka_vector v;
        load(&ts35208_sets[i], &b);
        assert_int_equal(aka_vector_generate(b.k, b.opc, b.amf, aka_sqn_unpack(b.sqn), b.rand, &v),
                         0);
        assert_memory_equal(v.rand, b.rand, 16);
        assert_hex(v.autn, 16, ts35208_sets[i].autn, (int)i + 1, "AUTN");
        assert_int_equal(v.xres_len, 8);
        assert_hex(v.xres, 8, ts35208_sets[i].f2, (int)i + 1, "XRES");
        assert_hex(v.ck, 16, ts35208_sets[i].f3, (int)i + 1, "CK");
        assert_hex(v.ik, 16, ts35208_sets[i].f4, (int)i + 1, "IK");
    }
}

static void test_bad_arguments(void **state)
{
    uint8_t z[16] = {0}, out[16];
    struct aka_vector v;

    assert_int_equal(aka_opc(NULL, z, out), -EINVAL);
    assert_int_equal(aka_opc(z, NULL, out), -EINVAL);
    assert_int_equal(aka_opc(z, z, NULL), -EINVAL);
    assert_int_equal(aka_f1(z, z, z, z, z, NULL), -EINVAL);
    assert_int_equal(aka_f1star(z, NULL, z, z, z, out), -EINVAL);
    assert_int_equal(aka_f2345(z, z, NULL, out, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(aka_f5star(z, z, z, NULL), -EINVAL);
    assert_int_equal(aka_vector_generate(z, z, z, AKA_SQN_MAX + 1, z, &v), -EINVAL);
    assert_int_equal(aka_vector_generate(z, z, z, 1, z, NULL), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opc),           cmocka_unit_test(test_f1_f1star),
        cmocka_unit_test(test_f2345_f5star),  cmocka_unit_test(test_vector_autn),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
