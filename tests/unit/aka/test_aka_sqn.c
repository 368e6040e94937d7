/* SQN = SEQ || IND arithmetic and the UE freshness rules of TS 33.102 Annex C. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aka/aka.h"

static void test_pack_unpack(void **state)
{
    static const struct {
        uint64_t v;
        uint8_t b[6];
    } cases[] = {
        {0, {0, 0, 0, 0, 0, 0}},
        {1, {0, 0, 0, 0, 0, 1}},
        {UINT64_C(0xff9bb4d0b607), {0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07}},
        {AKA_SQN_MAX, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t b[6];
        aka_sqn_pack(cases[i].v, b);
        assert_memory_equal(b, cases[i].b, 6);
        assert_true(aka_sqn_unpack(cases[i].b) == cases[i].v);
    }
}

static void test_seq_ind(void **state)
{
    /* 0x...607 = ...0110 0000 0111: IND (5 bits) = 7, SEQ = sqn >> 5 */
    uint64_t sqn = UINT64_C(0xff9bb4d0b607);
    assert_true(aka_sqn_seq(sqn, 5) == (sqn >> 5));
    assert_int_equal(aka_sqn_ind(sqn, 5), 7);
    assert_true(aka_sqn_seq(sqn, 0) == sqn);
    assert_int_equal(aka_sqn_ind(sqn, 0), 0);
    assert_int_equal(aka_sqn_ind(sqn, 8), 0x07);
    assert_int_equal(aka_sqn_ind(sqn, 10), 0x207);
}

static void test_next(void **state)
{
    static const struct {
        uint64_t sqn;
        unsigned ind_bits;
        int rc;
        uint64_t next;
    } cases[] = {
        {0, 5, 0, 32},                     /* SEQ 0 -> 1, IND 0 */
        {32 + 7, 5, 0, 64 + 7},            /* IND kept */
        {31, 5, 0, 63},                    /* SEQ 0 IND 31 -> SEQ 1 IND 31 */
        {5, 0, 0, 6},                      /* no IND */
        {0x3ff, 10, 0, 0x7ff},             /* widest IND */
        {AKA_SQN_MAX - 31, 5, -ERANGE, 0}, /* last SEQ: no wrap */
        {AKA_SQN_MAX, 0, -ERANGE, 0},      /* last SEQ without IND */
        {AKA_SQN_MAX - 63, 5, 0, AKA_SQN_MAX - 31},
        {AKA_SQN_MAX + 1, 5, -EINVAL, 0}, /* not 48 bits */
        {0, AKA_IND_BITS_MAX + 1, -EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t next = 12345;
        int rc = aka_sqn_next(cases[i].sqn, cases[i].ind_bits, &next);
        if (rc != cases[i].rc)
            fail_msg("case %zu: rc %d want %d", i, rc, cases[i].rc);
        if (rc == 0 && next != cases[i].next)
            fail_msg("case %zu: next %llx want %llx", i, (unsigned long long)next,
                     (unsigned long long)cases[i].next);
    }
    assert_int_equal(aka_sqn_next(0, 5, NULL), -EINVAL);
}

static void test_resync(void **state)
{
    uint64_t next = 0;

    /* SEQ_MS 100 (IND 3), HSS at SEQ 40 IND 9: next is SEQ 101 with the HSS's IND 9 */
    assert_int_equal(aka_sqn_resync((100u << 5) | 3, (40u << 5) | 9, 5, &next), 0);
    assert_true(next == ((101u << 5) | 9));
    /* SEQ_MS behind the HSS: still SEQ_MS + 1, which the USIM is sure to accept */
    assert_int_equal(aka_sqn_resync(10u << 5, 500u << 5, 5, &next), 0);
    assert_true(next == (11u << 5));
    assert_int_equal(aka_sqn_resync(AKA_SQN_MAX, 0, 5, &next), -ERANGE);
    assert_int_equal(aka_sqn_resync(AKA_SQN_MAX + 1, 0, 5, &next), -EINVAL);
    assert_int_equal(aka_sqn_resync(0, 0, 5, NULL), -EINVAL);
}

#define SQN(seq, ind) (((uint64_t)(seq) << 5) | (ind))

static void test_ms_freshness(void **state)
{
    struct aka_sqn_ms ms;

    assert_int_equal(aka_sqn_ms_init(&ms, 5, 1000, 0), 0);
    assert_true(aka_sqn_ms_highest(&ms) == 0);
    /* SEQ 0 is never fresh: SEQ_MS starts at 0 */
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(0, 0)), AKA_ESYNC);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(1, 0)), 0);
    /* replay of the same SQN */
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(1, 0)), AKA_ESYNC);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(5, 0)), 0);
    /* older SEQ in slot 0 is rejected ... */
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(3, 0)), AKA_ESYNC);
    /* ... but accepted in an unused slot (vectors delivered out of order) */
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(3, 1)), 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(3, 1)), AKA_ESYNC);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(4, 1)), 0);
    assert_true(aka_sqn_ms_highest(&ms) == SQN(5, 0));
    /* delta: SEQ - SEQ_MS (5) must be <= 1000 */
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(1005, 2)), 0);
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(1006, 2)), AKA_ESYNC);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(900, 31)), 0);
    assert_true(aka_sqn_ms_highest(&ms) == SQN(900, 31));
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(1900, 2)), 0);
    /* a failed check leaves the state alone */
    struct aka_sqn_ms copy = ms;
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(900, 31)), AKA_ESYNC);
    assert_memory_equal(&copy, &ms, sizeof(ms));
    /* bad input */
    assert_int_equal(aka_sqn_ms_check(&ms, AKA_SQN_MAX + 1), -EINVAL);
    assert_int_equal(aka_sqn_ms_check(NULL, 1), -EINVAL);
    assert_int_equal(aka_sqn_ms_init(&ms, AKA_IND_BITS_MAX + 1, 0, 0), -EINVAL);
}

static void test_ms_age_limit_and_no_delta(void **state)
{
    struct aka_sqn_ms ms;

    /* no delta limit: any jump ahead is fine */
    assert_int_equal(aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, 0, 10), 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, SQN(UINT64_C(1) << 40, 4)), 0);
    /* age limit L = 10: SEQ_MS - SEQ must stay below 10 in an unused slot */
    uint64_t top = UINT64_C(1) << 40;
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(top - 9, 5)), 0);
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(top - 10, 5)), AKA_ESYNC);
    /* default parameters: delta 2^28 */
    assert_int_equal(aka_sqn_ms_init(&ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0), 0);
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(AKA_SQN_DELTA_DEFAULT, 0)), 0);
    assert_int_equal(aka_sqn_ms_check(&ms, SQN(AKA_SQN_DELTA_DEFAULT + 1, 0)), AKA_ESYNC);
    /* no IND: a single slot */
    assert_int_equal(aka_sqn_ms_init(&ms, 0, 0, 0), 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, 7), 0);
    assert_int_equal(aka_sqn_ms_accept(&ms, 6), AKA_ESYNC);
    assert_true(aka_sqn_ms_highest(&ms) == 7);
}

/* HSS and UE together: every vector the HSS numbers with aka_sqn_next is fresh. */
static void test_hss_sequence_is_fresh(void **state)
{
    struct aka_sqn_ms ms;
    uint64_t sqn = SQN(0, 3);

    assert_int_equal(aka_sqn_ms_init(&ms, 5, AKA_SQN_DELTA_DEFAULT, 0), 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(aka_sqn_next(sqn, 5, &sqn), 0);
        assert_int_equal(aka_sqn_ms_accept(&ms, sqn), 0);
    }
    assert_true(aka_sqn_ms_highest(&ms) == SQN(100, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_unpack),
        cmocka_unit_test(test_seq_ind),
        cmocka_unit_test(test_next),
        cmocka_unit_test(test_resync),
        cmocka_unit_test(test_ms_freshness),
        cmocka_unit_test(test_ms_age_limit_and_no_delta),
        cmocka_unit_test(test_hss_sequence_is_fresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
