/*
 * Unit tests of the P-CSCF SPI / protected-port pool: slot layout, exhaustion
 * as a clean -ENOSPC, release and reuse, bad ranges, double release.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipsec_pool.h"

static void test_pool_layout_and_exhaustion(void **state)
{
    struct pcscf_pool *pool = NULL;
    struct pcscf_pool_entry e[4], extra;
    int i;

    (void)state;
    /* 8 SPIs but only 3 port pairs (6 ports + 1 odd one): 3 slots */
    assert_int_equal(pcscf_pool_new(10000, 10007, 6100, 6106, &pool), 0);
    assert_int_equal(pcscf_pool_size(pool), 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(pcscf_pool_alloc(pool, &e[i]), 0);
        assert_int_equal(e[i].spi_c, 10000 + 2 * i);
        assert_int_equal(e[i].spi_s, 10001 + 2 * i);
        assert_int_equal(e[i].port_c, 6100 + 2 * i);
        assert_int_equal(e[i].port_s, 6101 + 2 * i);
    }
    assert_int_equal(pcscf_pool_in_use(pool), 3);
    memset(&extra, 0xee, sizeof(extra));
    assert_int_equal(pcscf_pool_alloc(pool, &extra), -ENOSPC);
    assert_int_equal(pcscf_pool_in_use(pool), 3);

    /* deregistration releases; the slot is usable again */
    assert_int_equal(pcscf_pool_release(pool, &e[1]), 0);
    assert_int_equal(pcscf_pool_in_use(pool), 2);
    assert_int_equal(pcscf_pool_release(pool, &e[1]), -ENOENT);
    assert_int_equal(pcscf_pool_alloc(pool, &extra), 0);
    assert_int_equal(extra.spi_c, e[1].spi_c);
    assert_int_equal(extra.port_s, e[1].port_s);
    assert_int_equal(pcscf_pool_alloc(pool, &e[3]), -ENOSPC);

    for (i = 0; i < 3; i++)
        if (i != 1)
            assert_int_equal(pcscf_pool_release(pool, &e[i]), 0);
    assert_int_equal(pcscf_pool_release(pool, &extra), 0);
    assert_int_equal(pcscf_pool_in_use(pool), 0);
    pcscf_pool_free(pool);
}

static void test_pool_rotates(void **state)
{
    struct pcscf_pool *pool = NULL;
    struct pcscf_pool_entry a, b;

    (void)state;
    assert_int_equal(pcscf_pool_new(4096, 4103, 6100, 6199, &pool), 0);
    assert_int_equal(pcscf_pool_size(pool), 4);
    assert_int_equal(pcscf_pool_alloc(pool, &a), 0);
    assert_int_equal(pcscf_pool_release(pool, &a), 0);
    /* a just-released slot is not handed out again at once */
    assert_int_equal(pcscf_pool_alloc(pool, &b), 0);
    assert_int_not_equal(a.spi_c, b.spi_c);
    assert_int_equal(pcscf_pool_release(pool, &b), 0);
    pcscf_pool_free(pool);
}

static void test_pool_bad_args(void **state)
{
    struct pcscf_pool *pool = NULL;
    struct pcscf_pool_entry forged = {.idx = 0, .spi_c = 1, .port_c = 1};

    (void)state;
    assert_int_equal(pcscf_pool_new(100, 200, 6100, 6200, &pool), -EINVAL); /* reserved SPIs */
    assert_int_equal(pcscf_pool_new(5000, 4000, 6100, 6200, &pool), -EINVAL);
    assert_int_equal(pcscf_pool_new(5000, 6000, 0, 6200, &pool), -EINVAL);
    assert_int_equal(pcscf_pool_new(5000, 6000, 6200, 6100, &pool), -EINVAL);
    assert_int_equal(pcscf_pool_new(5000, 5000, 6100, 6200, &pool), -EINVAL); /* no pair */
    assert_null(pool);
    assert_int_equal(pcscf_pool_new(5000, 6000, 6100, 6200, &pool), 0);
    assert_int_equal(pcscf_pool_release(pool, &forged), -EINVAL);
    forged.idx = 100000;
    assert_int_equal(pcscf_pool_release(pool, &forged), -EINVAL);
    assert_int_equal(pcscf_pool_alloc(NULL, &forged), -EINVAL);
    pcscf_pool_free(pool);
    pcscf_pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_layout_and_exhaustion),
        cmocka_unit_test(test_pool_rotates),
        cmocka_unit_test(test_pool_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
