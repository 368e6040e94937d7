/* cfg: loading valid files, defaults, group lists, @include and the getters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"

static int setup(void **state)
{
    static struct tmpdir d;

    tmp_setup(&d);
    *state = &d;
    return 0;
}

static int teardown(void **state)
{
    tmp_cleanup(*state);
    return 0;
}

/* data/valid.conf: values from the file, the included S-CSCF list, defaults. */
static void test_valid_file(void **state)
{
    struct cfg *cfg = NULL;
    struct cfg_error err;
    const struct cfg *g;

    assert_int_equal(cfg_load(data_path("valid.conf"), test_schema, &cfg, &err), 0);
    assert_non_null(cfg);
    assert_string_equal(cfg_file(cfg), data_path("valid.conf"));

    /* From the file. */
    assert_string_equal(cfg_str(cfg, "sip.listen_address"), "127.0.0.1");
    assert_int_equal(cfg_int(cfg, "sip.listen_port"), 5070);
    assert_string_equal(cfg_str(cfg, "sip.domain"), "ims.mnc001.mcc001.3gppnetwork.org");
    assert_int_equal(cfg_list_count(cfg, "sip.transports"), 2);
    assert_string_equal(cfg_list_str(cfg, "sip.transports", 0), "udp");
    assert_string_equal(cfg_list_str(cfg, "sip.transports", 1), "tcp");
    assert_null(cfg_list_str(cfg, "sip.transports", 2));
    assert_null(cfg_list_str(cfg, "sip.transports", -1));
    assert_string_equal(cfg_str(cfg, "log.file"), "/var/log/imscore/test.log");
    assert_int_equal(cfg_int(cfg, "registrar.max_expires"), 7200); /* "2h" */
    assert_true(cfg_float(cfg, "registrar.load_factor") == 1.0);   /* integer accepted */

    /* Defaults. */
    assert_true(cfg_bool(cfg, "sip.record_route"));
    assert_string_equal(cfg_str(cfg, "log.level"), "info");
    assert_int_equal(cfg_int(cfg, "registrar.min_expires"), 60);
    assert_int_equal(cfg_int(cfg, "registrar.max_contacts"), 10);
    assert_true(cfg_is_set(cfg, "registrar.max_contacts"));

    /* From the included file (relative to valid.conf's directory). */
    assert_int_equal(cfg_list_count(cfg, "scscfs"), 2);
    g = cfg_group(cfg, "scscfs", 0);
    assert_non_null(g);
    assert_string_equal(cfg_str(g, "uri"), "sip:scscf1.ims.mnc001.mcc001.3gppnetwork.org:6060");
    assert_int_equal(cfg_list_count(g, "mandatory"), 2);
    assert_int_equal(cfg_list_int(g, "mandatory", 0), 1);
    assert_int_equal(cfg_list_int(g, "mandatory", 1), 2);
    assert_int_equal(cfg_list_count(g, "optional"), 1);
    assert_int_equal(cfg_list_int(g, "optional", 0), 10);
    assert_string_equal(cfg_file(g), data_path("valid.conf"));
    g = cfg_group(cfg, "scscfs", 1);
    assert_non_null(g);
    assert_string_equal(cfg_str(g, "uri"), "sip:scscf2.ims.mnc001.mcc001.3gppnetwork.org:6061");
    assert_int_equal(cfg_list_count(g, "mandatory"), 1);
    assert_int_equal(cfg_list_count(g, "optional"), 0);
    assert_false(cfg_is_set(g, "optional"));
    assert_null(cfg_group(cfg, "scscfs", 2));
    cfg_free(cfg);
}

/* The smallest valid file: only the required setting; everything else defaults. */
static void test_defaults_only(void **state)
{
    struct cfg *cfg = NULL;
    struct cfg_error err;
    char host[64];
    uint16_t port = 1;

    assert_int_equal(
        tmp_load(*state, "sip = { domain = \"ims.example.org\"; };\n", test_schema, &cfg, &err), 0);
    assert_string_equal(cfg_str(cfg, "sip.domain"), "ims.example.org");
    assert_string_equal(cfg_str(cfg, "sip.listen_address"), "0.0.0.0");
    assert_int_equal(cfg_int(cfg, "sip.listen_port"), 5060);
    assert_true(cfg_bool(cfg, "sip.record_route"));
    assert_int_equal(cfg_int(cfg, "registrar.max_expires"), 3600); /* default "1h" */
    assert_true(cfg_float(cfg, "registrar.load_factor") == 0.75);
    assert_null(cfg_str(cfg, "log.file"));
    assert_false(cfg_is_set(cfg, "log.file"));
    assert_int_equal(cfg_list_count(cfg, "sip.transports"), 0);
    assert_int_equal(cfg_list_count(cfg, "scscfs"), 0);
    assert_null(cfg_group(cfg, "scscfs", 0));
    assert_int_equal(cfg_address(cfg, "sip.listen_address", host, sizeof(host), &port), 0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 0);
    assert_int_equal(cfg_address(cfg, "registrar.diameter_peer", host, sizeof(host), &port),
                     -ENOENT);
    cfg_free(cfg);
}

/* Other accepted spellings: list syntax for arrays, duration units, overrides of defaults. */
static void test_other_forms(void **state)
{
    struct cfg *cfg = NULL;
    struct cfg_error err;
    char host[64];
    uint16_t port = 0;

    assert_int_equal(tmp_load(*state,
                              "sip: {\n"
                              "  domain = \"ims.example.org\";\n"
                              "  transports = ( \"tcp\" );\n"
                              "  record_route = false;\n"
                              "  listen_address = \"[2001:db8::1]:5062\";\n"
                              "};\n"
                              "log = { level = \"debug\"; };\n"
                              "registrar = { max_expires = 600; min_expires = \"5m\";\n"
                              "  max_contacts = 100; load_factor = 0.5;\n"
                              "  diameter_peer = \"hss.ims.example.org\"; };\n"
                              "scscfs = ();\n",
                              test_schema, &cfg, &err),
                     0);
    assert_int_equal(cfg_list_count(cfg, "sip.transports"), 1);
    assert_string_equal(cfg_list_str(cfg, "sip.transports", 0), "tcp");
    assert_false(cfg_bool(cfg, "sip.record_route"));
    assert_string_equal(cfg_str(cfg, "log.level"), "debug");
    assert_int_equal(cfg_int(cfg, "registrar.max_expires"), 600);
    assert_int_equal(cfg_int(cfg, "registrar.min_expires"), 300);
    assert_int_equal(cfg_int(cfg, "registrar.max_contacts"), 100);
    assert_true(cfg_float(cfg, "registrar.load_factor") == 0.5);
    assert_int_equal(cfg_list_count(cfg, "scscfs"), 0);

    assert_int_equal(cfg_address(cfg, "sip.listen_address", host, sizeof(host), &port), 0);
    assert_string_equal(host, "2001:db8::1");
    assert_int_equal(port, 5062);
    assert_int_equal(cfg_address(cfg, "registrar.diameter_peer", host, sizeof(host), &port), 0);
    assert_string_equal(host, "hss.ims.example.org");
    assert_int_equal(port, 0);
    assert_int_equal(cfg_address(cfg, "registrar.diameter_peer", host, 4, &port), -ENOSPC);
    cfg_free(cfg);
}

/* Getters used on paths outside the schema or of another kind return neutral values. */
static void test_getter_misuse(void **state)
{
    struct cfg *cfg = NULL;
    struct cfg_error err;
    char host[64];
    uint16_t port;

    assert_int_equal(cfg_load(data_path("valid.conf"), test_schema, &cfg, &err), 0);
    assert_null(cfg_str(cfg, "sip.no_such"));
    assert_int_equal(cfg_int(cfg, "sip.domain"), 0); /* a string */
    assert_null(cfg_str(cfg, "sip.listen_port"));    /* a port */
    assert_false(cfg_bool(cfg, "log.level"));
    assert_int_equal(cfg_list_count(cfg, "sip.domain"), 0);
    assert_null(cfg_list_str(cfg, "scscfs", 0)); /* a group list */
    assert_int_equal(cfg_list_int(cfg, "sip.transports", 0), 0);
    assert_null(cfg_group(cfg, "sip.transports", 0));
    assert_null(cfg_str(cfg, NULL));
    assert_null(cfg_str(NULL, "sip.domain"));
    assert_int_equal(cfg_address(cfg, "sip.domain", host, sizeof(host), &port), -EINVAL);
    /* A view only knows its sub-schema. */
    assert_null(cfg_str(cfg_group(cfg, "scscfs", 0), "sip.domain"));
    cfg_free(cfg);
}

/* Argument and file errors. */
static void test_open_errors(void **state)
{
    struct cfg *cfg = (struct cfg *)&cfg; /* must be reset to NULL */
    struct cfg_error err;

    assert_int_equal(cfg_load("/nonexistent/imscore/scscf.conf", test_schema, &cfg, &err), -ENOENT);
    assert_null(cfg);
    assert_string_equal(err.file, "/nonexistent/imscore/scscf.conf");
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    assert_int_equal(cfg_load("/tmp", test_schema, &cfg, &err), -EISDIR);
    assert_null(cfg);
    assert_string_equal(err.msg, "cannot open: Is a directory");
    assert_int_equal(cfg_load(NULL, test_schema, &cfg, &err), -EINVAL);
    assert_int_equal(cfg_load(data_path("valid.conf"), NULL, &cfg, &err), -EINVAL);
    assert_int_equal(cfg_load(data_path("valid.conf"), test_schema, NULL, &err), -EINVAL);
    /* err is optional. */
    assert_int_equal(cfg_load(data_path("valid.conf"), test_schema, &cfg, NULL), 0);
    cfg_free(cfg);
    cfg_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test_setup_teardown(test_defaults_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_forms, setup, teardown),
        cmocka_unit_test(test_getter_misuse),
        cmocka_unit_test(test_open_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
