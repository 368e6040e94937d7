/*
 * Network and UE sides together: vector generation, AUTN check, MAC failure,
 * sync failure, AUTS generation and verification, SQN recovery.
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

static void hx(const char *hex, uint8_t *out, size_t len)
{
    assert_int_equal(codec_hex_decode_exact(hex, out, len), 0);
}

static void assert_hex(const uint8_t *bytes, size_t len, const char *expected)
{
    char got[65];
    assert_int_equal(codec_hex_encode(bytes, len, got, sizeof(got)), 0);
    assert_string_equal(got, expected);
}

/* libosmocore's documented AUTS vector (reference §1). */
static void test_auts_libosmocore_vector(void **state)
{
    uint8_t k[16], rand[16] = {0}, auts[14];
    uint64_t sqn_ms = 0;

    for (int i = 0; i < 16; i++)
        k[i] = (uint8_t)i;
    assert_int_equal(aka_auts_generate(k, k, rand, 0x1f, auts), 0);
    assert_hex(auts, 14, "8711a0ec9e1637df17f80b384ee4");
    assert_int_equal(aka_auts_verify(k, k, rand, auts, &sqn_ms), 0);
    assert_true(sqn_ms == 0x1f);
}

/* RFC 3310 worked example, set 1: AUTS with SQN_MS = SQN (reference §4.1). */
static void test_auts_set1(void **state)
{
    const struct ts35208_set *t = &ts35208_sets[0];
    uint8_t k[16], opc[16], rand[16], sqn[6], auts[14];
    uint64_t sqn_ms = 0;

    hx(t->k, k, 16);
    hx(t->opc, opc, 16);
    hx(t->rand, rand, 16);
    hx(t->sqn, sqn, 6);
    assert_int_equal(aka_auts_generate(k, opc, rand, aka_sqn_unpack(sqn), auts), 0);
    assert_hex(auts, 14, "ba853f3c123ccf44e93596e355c6");
    assert_int_equal(aka_auts_verify(k, opc, rand, auts, &sqn_ms), 0);
    assert_true(sqn_ms == aka_sqn_unpack(sqn));
}

/* Every TS 35.208 set: the UE accepts the network's AUTN and agrees on RES, CK, IK. */
static void test_round_trip_all_sets(void **state)
{
    for (size_t i = 0; i < TS35208_COUNT; i++) {
        const struct ts35208_set *t = &ts35208_sets[i];
        uint8_t k[16], opc[16], amf[2], sqn[6];
        struct aka_vector v;
        struct aka_ue_result ue;

        hx(t->k, k, 16);
        hx(t->opc, opc, 16);
        hx(t->amf, amf, 2);
        hx(t->sqn, sqn, 6);
        /* RAND from the CSPRNG */
        assert_int_equal(aka_vector_generate(k, opc, amf, aka_sqn_unpack(sqn), NULL, &v), 0);
        assert_int_equal(aka_ue_check(k, opc, v.rand, v.autn, NULL, &ue), 0);
        assert_true(ue.sqn == aka_sqn_unpack(sqn));
        assert_memory_equal(ue.amf, amf, 2);
        assert_int_equal(ue.res_len, v.xres_len);
        assert_memory_equal(ue.res, v.xres, v.xres_len);
        assert_memory_equal(ue.ck, v.ck, 16);
        assert_memory_equal(ue.ik, v.ik, 16);
    }
}

static void test_random_rand_differs(void **state)
{
    uint8_t k[16] = {1}, opc[16] = {2}, amf[2] = {0x80, 0};
    struct aka_vector a, b;

    assert_int_equal(aka_vector_generate(k, opc, amf, 32, NULL, &a), 0);
    assert_int_equal(aka_vector_generate(k, opc, amf, 32, NULL, &b), 0);
    assert_memory_not_equal(a.rand, b.rand, 16);
    assert_memory_not_equal(a.autn, b.autn, 16);
}

/* Flipping any single bit of the MAC-A, SQN or AMF part of AUTN is a MAC failure. */
static void test_tampered_autn_is_mac_failure(void **state)
{
    const struct ts35208_set *t = &ts35208_sets[2];
    uint8_t k[16], opc[16], rand[16], autn[16];
    struct aka_ue_result ue;
    struct aka_sqn_ms ms;

    hx(t->k, k, 16);
    hx(t->opc, opc, 16);
    hx(t->rand, rand, 16);
    hx(t->autn, autn, 16);
    assert_int_equal(aka_sqn_ms_init(&ms, 5, 0, 0), 0);
    for (int bit = 0; bit < 128; bit++) {
        uint8_t bad[16];
        memcpy(bad, autn, 16);
        bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        assert_int_equal(aka_ue_check(k, opc, rand, bad, &ms, &ue), AKA_EMAC);
        /* nothing leaks out of a failed check */
        assert_int_equal(ue.res_len, 0);
        assert_true(ue.sqn == 0);
    }
    /* wrong K or wrong RAND as well */
    k[0] ^= 1;
    assert_int_equal(aka_ue_check(k, opc, rand, autn, &ms, &ue), AKA_EMAC);
    k[0] ^= 1;
    rand[15] ^= 1;
    assert_int_equal(aka_ue_check(k, opc, rand, autn, &ms, &ue), AKA_EMAC);
    rand[15] ^= 1;
    /* the state never moved; the genuine AUTN is still accepted */
    assert_true(aka_sqn_ms_highest(&ms) == 0);
    assert_int_equal(aka_ue_check(k, opc, rand, autn, &ms, &ue), 0);
    assert_int_equal(ue.res_len, 8);
}

/*
 * The full resync: the UE is ahead of the HSS, rejects the vector with a sync
 * failure, sends AUTS; the HSS verifies it, recovers SQN_MS, moves past it and
 * the next vector is accepted.
 */
static void test_sync_failure_and_resync(void **state)
{
    const struct ts35208_set *t = &ts35208_sets[4];
    uint8_t k[16], opc[16], amf[2] = {0x80, 0x00}, auts[14];
    struct aka_sqn_ms ms;
    struct aka_vector v;
    struct aka_ue_result ue;
    uint64_t sqn_he = (UINT64_C(50) << 5) | 2, sqn_ms = 0, next = 0;

    hx(t->k, k, 16);
    hx(t->opc, opc, 16);
    assert_int_equal(aka_sqn_ms_init(&ms, 5, AKA_SQN_DELTA_DEFAULT, 0), 0);
    /* the USIM has already seen SEQ 200 in slot 2 and SEQ 300 in slot 7 */
    assert_int_equal(aka_sqn_ms_accept(&ms, (UINT64_C(200) << 5) | 2), 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, (UINT64_C(300) << 5) | 7), 0);

    /* HSS hands out SEQ 51 IND 2: old for the USIM */
    assert_int_equal(aka_sqn_next(sqn_he, 5, &sqn_he), 0);
    assert_int_equal(aka_vector_generate(k, opc, amf, sqn_he, NULL, &v), 0);
    assert_int_equal(aka_ue_check(k, opc, v.rand, v.autn, &ms, &ue), AKA_ESYNC);
    assert_true(ue.sqn == sqn_he); /* recovered, though rejected */
    assert_int_equal(ue.res_len, 0);

    /* UE: AUTS over its highest SQN */
    assert_true(aka_sqn_ms_highest(&ms) == ((UINT64_C(300) << 5) | 7));
    assert_int_equal(aka_auts_generate(k, opc, v.rand, aka_sqn_ms_highest(&ms), auts), 0);

    /* HSS: bad MAC-S is rejected, every bit of it */
    for (int bit = 48; bit < 112; bit++) {
        uint8_t bad[14];
        uint64_t untouched = 42;
        memcpy(bad, auts, 14);
        bad[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        assert_int_equal(aka_auts_verify(k, opc, v.rand, bad, &untouched), AKA_EMAC);
        assert_true(untouched == 42);
    }
    /* a changed SQN part changes the MAC-S input: rejected too */
    auts[0] ^= 0x01;
    assert_int_equal(aka_auts_verify(k, opc, v.rand, auts, &sqn_ms), AKA_EMAC);
    auts[0] ^= 0x01;
    /* verified against another RAND: rejected */
    {
        uint8_t other[16];
        memcpy(other, v.rand, 16);
        other[0] ^= 0xff;
        assert_int_equal(aka_auts_verify(k, opc, other, auts, &sqn_ms), AKA_EMAC);
    }

    /* the genuine AUTS verifies and yields SQN_MS */
    assert_int_equal(aka_auts_verify(k, opc, v.rand, auts, &sqn_ms), 0);
    assert_true(sqn_ms == ((UINT64_C(300) << 5) | 7));
    assert_int_equal(aka_sqn_resync(sqn_ms, sqn_he, 5, &next), 0);
    assert_true(next == ((UINT64_C(301) << 5) | 2));

    /* the fresh vector is accepted and recorded */
    assert_int_equal(aka_vector_generate(k, opc, amf, next, NULL, &v), 0);
    assert_int_equal(aka_ue_check(k, opc, v.rand, v.autn, &ms, &ue), 0);
    assert_memory_equal(ue.res, v.xres, 8);
    assert_true(aka_sqn_ms_highest(&ms) == next);
    /* and replaying it is a sync failure */
    assert_int_equal(aka_ue_check(k, opc, v.rand, v.autn, &ms, &ue), AKA_ESYNC);
}

static void test_flow_bad_arguments(void **state)
{
    uint8_t z[16] = {0}, auts[14] = {0};
    struct aka_ue_result ue;

    assert_int_equal(aka_ue_check(z, z, z, z, NULL, NULL), -EINVAL);
    assert_int_equal(aka_ue_check(NULL, z, z, z, NULL, &ue), -EINVAL);
    assert_int_equal(aka_auts_generate(z, z, z, AKA_SQN_MAX + 1, auts), -EINVAL);
    assert_int_equal(aka_auts_generate(z, z, z, 1, NULL), -EINVAL);
    assert_int_equal(aka_auts_verify(z, z, z, NULL, NULL), -EINVAL);
    /* all-zero AUTS is (overwhelmingly) not a valid MAC-S */
    assert_int_equal(aka_auts_verify(z, z, z, auts, NULL), AKA_EMAC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auts_libosmocore_vector),
        cmocka_unit_test(test_auts_set1),
        cmocka_unit_test(test_round_trip_all_sets),
        cmocka_unit_test(test_random_rand_differs),
        cmocka_unit_test(test_tampered_autn_is_mac_failure),
        cmocka_unit_test(test_sync_failure_and_resync),
        cmocka_unit_test(test_flow_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
