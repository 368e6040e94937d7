/*
 * Unit test of SA install/remove against the real kernel, inside a network
 * namespace of its own (unshare(CLONE_NEWNET)), so that nothing touches the
 * host's SA database. Needs CAP_SYS_ADMIN for the namespace (root in the
 * build containers) and iproute2's `ip`; without them it exits 77 (skipped,
 * saying why).
 *
 * On a kernel without ESP (the build machines) install must fail with a clear
 * errno and a sentence naming SA 1, and leave `ip xfrm state` and
 * `ip xfrm policy` empty. On a kernel with ESP it must add exactly four SAs
 * and four policies, and remove must empty both again. Remove on nothing
 * returns 0 either way.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xfrm_nl.h"
#include "xfrm_sa.h"

/* Runs cmd (through sh) and returns how many lines of output match needle ("" = every line). */
static int count_lines(const char *cmd, const char *needle)
{
    char line[512];
    FILE *f = popen(cmd, "r");
    int n = 0;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strstr(line, needle))
            n++;
    assert_int_equal(pclose(f), 0);
    return n;
}

static void params(struct pcscf_xfrm_params *p)
{
    memset(p, 0, sizeof(*p));
    p->family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, "127.0.0.1", p->pcscf_addr), 1);
    assert_int_equal(inet_pton(AF_INET, "127.0.0.2", p->ue_addr), 1);
    p->spi_pc = 4096;
    p->spi_ps = 4097;
    p->spi_uc = 8192;
    p->spi_us = 8193;
    p->port_pc = 6100;
    p->port_ps = 6101;
    p->port_uc = 5000;
    p->port_us = 5001;
    p->alg = PCSCF_ALG_HMAC_SHA1_96;
    p->ealg = PCSCF_EALG_NONE;
    memset(p->ik, 0x5a, sizeof(p->ik));
    p->reqid_base = 4;
}

static void test_kernel_install_remove(void **state)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_nl *nl = NULL;
    char why[256] = "";
    int rc;

    (void)state;
    params(&p);
    assert_int_equal(count_lines("ip xfrm state", ""), 0);
    assert_int_equal(count_lines("ip xfrm policy", ""), 0);
    assert_int_equal(pcscf_xfrm_nl_open(PCSCF_XFRM_NL_TIMEOUT_MS, &nl), 0);

    /* nothing installed yet: remove finds nothing and that is fine */
    assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), 0);

    rc = pcscf_xfrm_sa_install(nl, &p, why, sizeof(why));
    printf("# install in a fresh namespace: %s%s\n", rc ? "" : "ok", rc ? why : "");
    if (rc == 0) {
        /* a kernel with ESP: four SAs, four policies, all ours */
        assert_int_equal(count_lines("ip xfrm state", "proto esp spi"), 4);
        assert_int_equal(count_lines("ip xfrm policy", "dir "), 4);
        /* installing the same again is refused and takes nothing away */
        assert_int_equal(pcscf_xfrm_sa_install(nl, &p, why, sizeof(why)), -EEXIST);
        assert_non_null(strstr(why, "SA 1 "));
        assert_int_equal(count_lines("ip xfrm state", "proto esp spi"), 4);
        assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), 0);
    } else {
        /* this kernel refuses ESP: a clear errno and sentence, nothing left behind */
        assert_true(rc == -EPROTONOSUPPORT || rc == -ENOENT || rc == -ENOSYS || rc == -EINVAL ||
                    rc == -EOPNOTSUPP || rc == -EAFNOSUPPORT);
        assert_non_null(strstr(why, "refused to add SA 1 (inbound to our port-s, "
                                    "127.0.0.2:5000 -> 127.0.0.1:6101, SPI 4097)"));
        assert_non_null(strstr(why, strerror(-rc)));
    }
    assert_int_equal(count_lines("ip xfrm state", ""), 0);
    assert_int_equal(count_lines("ip xfrm policy", ""), 0);
    /* and removing again is still fine */
    assert_int_equal(pcscf_xfrm_sa_remove(nl, &p), 0);
    pcscf_xfrm_nl_close(nl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_install_remove),
    };

    /* a private network namespace: its SA and policy databases start empty */
    if (unshare(CLONE_NEWNET) != 0) {
        printf("# skipped: unshare(CLONE_NEWNET): %s (needs root / CAP_SYS_ADMIN)\n",
               strerror(errno));
        return 77;
    }
    if (system("ip xfrm state >/dev/null 2>&1") != 0) {
        printf("# skipped: `ip xfrm state` does not run here (iproute2 missing?)\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
