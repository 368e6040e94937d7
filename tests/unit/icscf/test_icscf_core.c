/*
 * Unit tests of the I-CSCF's pure parts: the IMPI derived from an IMPU
 * (TS 23.003), S-CSCF selection by capabilities and the UAA/LIA -> SIP mapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "icscf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void test_impi_derive(void **state)
{
    char out[256];

    assert_int_equal(icscf_impi_derive("sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org", out,
                                       sizeof(out)),
                     0);
    assert_string_equal(out, "001010000000001@ims.mnc001.mcc001.3gppnetwork.org");
    assert_int_equal(
        icscf_impi_derive("<sip:alice@IMS.Example.ORG:5060;transport=tcp>", out, sizeof(out)), 0);
    assert_string_equal(out, "alice@ims.example.org");
    assert_int_equal(icscf_impi_derive("sips:bob@[2001:db8::1]:5061", out, sizeof(out)), 0);
    assert_string_equal(out, "bob@[2001:db8::1]");
    assert_int_equal(icscf_impi_derive("sip:u@h?x=y", out, sizeof(out)), 0);
    assert_string_equal(out, "u@h");
    /* no user, tel URI, no host, foreign scheme */
    assert_int_equal(icscf_impi_derive("sip:ims.example.org", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("tel:+15550000001", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("sip:alice@", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("sip:@h", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("mailto:a@b", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("sip:a;x=1@h", out, sizeof(out)), -EINVAL);
    assert_int_equal(icscf_impi_derive("sip:[bad@h", out, 4), -ENOSPC);
    assert_int_equal(icscf_impi_derive("sip:alice@example.org", out, 17), -ENOSPC);
    assert_int_equal(icscf_impi_derive("sip:alice@example.org", out, 18), 0);
    assert_int_equal(icscf_impi_derive(NULL, out, sizeof(out)), -EINVAL);
}

static void set_scscf(struct icscf_scscf *s, const char *name, const uint32_t *caps, size_t n)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    snprintf(s->host, sizeof(s->host), "127.0.0.1");
    s->port = 6060;
    memcpy(s->caps, caps, n * sizeof(*caps));
    s->n_caps = n;
}

static void test_scscf_rank(void **state)
{
    struct icscf_scscf list[4];
    struct cx_caps caps;
    size_t order[4];
    char *names[1] = {"sip:s3.example.org:6062"};

    set_scscf(&list[0], "sip:s0.example.org:6060", (uint32_t[]){1}, 1);
    set_scscf(&list[1], "sip:s1.example.org:6061", (uint32_t[]){1, 2, 10, 11}, 4);
    set_scscf(&list[2], "sip:s2.example.org:6062", (uint32_t[]){2, 10}, 2);
    set_scscf(&list[3], "sip:s3.example.org:6062", (uint32_t[]){1, 10}, 2);

    /* no capabilities: every S-CSCF, configuration order */
    assert_int_equal(icscf_scscf_rank(list, 4, NULL, order, 4), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(order[i], i);

    /* mandatory 1; optional 10, 11: s1 (2 optional), s3 (1), s0 (0); s2 lacks 1 */
    memset(&caps, 0, sizeof(caps));
    caps.present = true;
    caps.mandatory[0] = 1;
    caps.n_mandatory = 1;
    caps.optional[0] = 10;
    caps.optional[1] = 11;
    caps.n_optional = 2;
    assert_int_equal(icscf_scscf_rank(list, 4, &caps, order, 4), 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 3);
    assert_int_equal(order[2], 0);

    /* at most max */
    assert_int_equal(icscf_scscf_rank(list, 4, &caps, order, 1), 1);
    assert_int_equal(order[0], 1);

    /* mandatory nobody has */
    caps.mandatory[1] = 99;
    caps.n_mandatory = 2;
    assert_int_equal(icscf_scscf_rank(list, 4, &caps, order, 4), 0);

    /* equal optional count: the one the HSS names goes first */
    memset(&caps, 0, sizeof(caps));
    caps.present = true;
    caps.optional[0] = 10;
    caps.n_optional = 1;
    caps.server_names.v = names;
    caps.server_names.n = 1;
    assert_int_equal(icscf_scscf_rank(list, 4, &caps, order, 4), 4);
    assert_int_equal(order[0], 3); /* has 10 and is named */
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 2);
    assert_int_equal(order[3], 0);

    assert_int_equal(icscf_scscf_find(list, 4, "sip:S2.example.org:6062"), 2);
    assert_int_equal(icscf_scscf_find(list, 4, "sip:s2.example.org:6063"), -1);
    assert_int_equal(icscf_scscf_find(list, 4, "sip:s2.example.org:6062;lr"), 2);
    assert_int_equal(icscf_scscf_find(list, 4, NULL), -1);
}

static enum icscf_route route(bool lir, int status, uint32_t rc, uint32_t exp, bool name,
                              struct icscf_reply *rep)
{
    struct cx_result r = {.result_code = rc, .exp_result = exp};
    memset(rep, 0, sizeof(*rep));
    return icscf_cx_route(lir, status, &r, name, 480, rep);
}

static void test_cx_route(void **state)
{
    struct icscf_reply rep;

    /* UAA */
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_FIRST_REGISTRATION, false, &rep),
                     ICSCF_ROUTE_SELECT);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_FIRST_REGISTRATION, true, &rep),
                     ICSCF_ROUTE_SERVER_NAME);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_SUBSEQUENT_REGISTRATION, true, &rep),
                     ICSCF_ROUTE_SERVER_NAME);
    assert_int_equal(route(false, 0, CX_DIAMETER_SUCCESS, 0, true, &rep), ICSCF_ROUTE_SERVER_NAME);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_ERROR_USER_UNKNOWN, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 403);
    assert_false(rep.retry_after);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_ERROR_IDENTITIES_DONT_MATCH, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 403);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_ERROR_ROAMING_NOT_ALLOWED, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 403);
    assert_string_equal(rep.reason, "Roaming Not Allowed");
    assert_int_equal(route(false, 0, CX_DIAMETER_AUTHORIZATION_REJECTED, 0, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 403);
    assert_int_equal(route(false, 0, 0, CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 403);
    /* HSS unreachable, timed out, too busy */
    assert_int_equal(route(false, -ETIMEDOUT, 0, 0, false, &rep), ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 480);
    assert_true(rep.retry_after);
    assert_int_equal(route(false, -EHOSTUNREACH, CX_DIAMETER_UNABLE_TO_DELIVER, 0, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 480);
    assert_int_equal(route(false, 0, CX_DIAMETER_TOO_BUSY, 0, false, &rep), ICSCF_ROUTE_REPLY);
    assert_true(rep.retry_after);
    assert_int_equal(icscf_cx_route(false, -ETIMEDOUT, NULL, false, 500, &rep), ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 500);
    assert_true(rep.retry_after);

    /* LIA */
    assert_int_equal(route(true, 0, CX_DIAMETER_SUCCESS, 0, true, &rep), ICSCF_ROUTE_SERVER_NAME);
    assert_int_equal(route(true, 0, 0, CX_DIAMETER_UNREGISTERED_SERVICE, false, &rep),
                     ICSCF_ROUTE_SELECT);
    assert_int_equal(route(true, 0, 0, CX_DIAMETER_ERROR_USER_UNKNOWN, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 404);
    assert_int_equal(route(true, 0, 0, CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED, false, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 480);
    assert_false(rep.retry_after);
    /* FIRST/SUBSEQUENT_REGISTRATION make no sense in an LIA */
    assert_int_equal(route(true, 0, 0, CX_DIAMETER_SUBSEQUENT_REGISTRATION, true, &rep),
                     ICSCF_ROUTE_REPLY);
    assert_int_equal(rep.code, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impi_derive),
        cmocka_unit_test(test_scscf_rank),
        cmocka_unit_test(test_cx_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
