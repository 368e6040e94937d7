/* cfg: every way a file is rejected names the file, line, setting and reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"

/* A valid "sip" group to which each case adds or changes one thing. */
#define SIP_OK "sip = { domain = \"ims.example.org\"; };\n"

struct error_case {
    const char *name;
    const char *text;
    int line;
    const char *setting;
    const char *msg;
};

static const struct error_case cases[] = {
    {"unknown setting with a typo",
     "# scscf\n"
     "sip = {\n"
     "    domain = \"ims.example.org\";\n"
     "    lisen_port = 5070;\n"
     "};\n",
     4, "sip.lisen_port", "unknown setting (did you mean 'sip.listen_port'?)"},
    {"unknown setting in the wrong group", SIP_OK "log = {\n  listen_port = 5070;\n};\n", 3,
     "log.listen_port", "unknown setting (did you mean 'sip.listen_port'?)"},
    {"unknown group with a typo", SIP_OK "regstrar = { max_contacts = 3; };\n", 2, "regstrar",
     "unknown setting (did you mean 'registrar'?)"},
    {"unknown setting with nothing close", SIP_OK "\nfrobnicate = 1;\n", 3, "frobnicate",
     "unknown setting"},
    {"wrong type: string for a port", "sip = {\n  domain = \"x\";\n  listen_port = \"5060\";\n};\n",
     3, "sip.listen_port", "expected an integer port, got a string"},
    {"unknown top-level setting close to a group", SIP_OK "sip2 = 1;\n", 2, "sip2",
     "unknown setting (did you mean 'sip'?)"},
    {"wrong type: boolean", "sip = { domain = \"x\";\n record_route = \"yes\"; };\n", 2,
     "sip.record_route", "expected a boolean (true or false), got a string"},
    {"wrong type: scalar where a group is", "sip = 5;\n", 1, "sip",
     "expected a group { ... }, got an integer"},
    {"wrong type: group where a scalar is", "sip = { domain = { a = 1; }; };\n", 1, "sip.domain",
     "expected a string, got a group"},
    {"wrong type: float for an integer", SIP_OK "registrar = { max_contacts = 2.5; };\n", 2,
     "registrar.max_contacts", "expected an integer, got a float"},
    {"wrong type: string list element", "sip = { domain = \"x\"; transports = [ 1 ]; };\n", 1,
     "sip.transports[0]", "expected a string, got an integer"},
    {"wrong type: list of groups", SIP_OK "scscfs = [ \"a\" ];\n", 2, "scscfs",
     "expected a list of groups ( { ... }, ... ), got an array"},
    {"wrong type: element of a group list", SIP_OK "scscfs = ( \"a\" );\n", 2, "scscfs[0]",
     "expected a group { ... }, got a string"},
    {"port out of range", "sip = {\n  domain = \"x\";\n  listen_port = 70000;\n};\n", 3,
     "sip.listen_port", "must be between 1 and 65535 (got 70000)"},
    {"port zero", "sip = { domain = \"x\"; listen_port = 0; };\n", 1, "sip.listen_port",
     "must be between 1 and 65535 (got 0)"},
    {"64-bit integer out of range", SIP_OK "registrar = { max_contacts = 10000000000L; };\n", 2,
     "registrar.max_contacts", "must be between 1 and 100 (got 10000000000)"},
    {"duration out of range", SIP_OK "registrar = { max_expires = \"2d\"; };\n", 2,
     "registrar.max_expires", "must be between 60 and 86400 (got 172800)"},
    {"duration with a bad unit", SIP_OK "registrar = { min_expires = \"5x\"; };\n", 2,
     "registrar.min_expires",
     "not a valid duration (expected seconds or a number followed by s, m, h or d, got '5x')"},
    {"negative duration", SIP_OK "registrar = { min_expires = -1; };\n", 2, "registrar.min_expires",
     "must not be negative (got -1)"},
    {"float out of range", SIP_OK "registrar = { load_factor = 1.5; };\n", 2,
     "registrar.load_factor", "must be between 0 and 1 (got 1.5)"},
    {"bad choice", SIP_OK "log = {\n  level = \"verbose\";\n};\n", 3, "log.level",
     "must be one of 'error', 'warn', 'notice', 'info', 'debug' (got 'verbose')"},
    {"bad choice in a list", "sip = { domain = \"x\";\n transports = [ \"udp\", \"sctp\" ]; };\n",
     2, "sip.transports[1]", "must be one of 'udp', 'tcp' (got 'sctp')"},
    {"list too short", "sip = { domain = \"x\";\n transports = [ ]; };\n", 2, "sip.transports",
     "must have at least 1 element (got 0)"},
    {"list too long", "sip = { domain = \"x\";\n transports = [ \"udp\", \"tcp\", \"udp\" ]; };\n",
     2, "sip.transports", "must have at most 2 elements (got 3)"},
    {"bad address", "sip = { domain = \"x\";\n listen_address = \"host:99999\"; };\n", 2,
     "sip.listen_address",
     "not a valid address (expected \"host\", \"host:port\" or \"[ipv6]:port\", got "
     "'host:99999')"},
    {"empty path", SIP_OK "log = { file = \"\"; };\n", 2, "log.file", "must not be empty"},
    {"missing required setting", "log = { level = \"info\"; };\n", 0, "sip.domain",
     "required setting is missing"},
    {"missing required setting in a group list element",
     SIP_OK "scscfs = (\n  { uri = \"sip:a\"; },\n  { mandatory = [ 1 ]; }\n);\n", 4,
     "scscfs[1].uri", "required setting is missing"},
    {"unknown setting in a group list element",
     SIP_OK "scscfs = (\n  { uri = \"sip:a\";\n    mandatroy = [ 1 ]; }\n);\n", 4,
     "scscfs[0].mandatroy", "unknown setting (did you mean 'scscfs[0].mandatory'?)"},
    {"wrong type in a group list element",
     SIP_OK "scscfs = (\n  { uri = \"sip:a\";\n    optional = [ \"x\" ]; }\n);\n", 4,
     "scscfs[0].optional[0]", "expected an integer, got a string"},
    {"syntax error", "sip = {\n  domain = \"x\";\n  listen_port = ;\n};\n", 3, "", "syntax error"},
    {"duplicate setting", "sip = {\n  domain = \"x\";\n  domain = \"y\";\n};\n", 3, "",
     "duplicate setting name"},
};

static void test_error_cases(void **state)
{
    struct tmpdir d;
    char expect[1024], text[1024];

    tmp_setup(&d);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct error_case *c = &cases[i];
        struct cfg *cfg = (struct cfg *)&d;
        struct cfg_error err;
        int rc = tmp_load(&d, c->text, test_schema, &cfg, &err);

        print_message("case: %s\n", c->name);
        assert_int_equal(rc, -EINVAL);
        assert_null(cfg);
        assert_string_equal(err.file, d.files[0]);
        assert_int_equal(err.line, c->line);
        assert_string_equal(err.setting, c->setting);
        assert_string_equal(err.msg, c->msg);
        /* The formatted line is what a daemon prints. */
        if (c->line)
            snprintf(expect, sizeof(expect), "%s:%d: %s%s%s", d.files[0], c->line, c->setting,
                     *c->setting ? ": " : "", c->msg);
        else
            snprintf(expect, sizeof(expect), "%s: %s: %s", d.files[0], c->setting, c->msg);
        assert_string_equal(cfg_error_format(&err, text, sizeof(text)), expect);
    }
    tmp_cleanup(&d);
}

/* Errors inside an included file name that file and its line. */
static void test_error_in_include(void **state)
{
    struct tmpdir d;
    struct cfg *cfg = NULL;
    struct cfg_error err;
    const char *inc;

    tmp_setup(&d);
    inc = tmp_write(&d, "peers.inc",
                    "# peers\nscscfs = (\n  { uri = \"sip:a\"; optionl = []; }\n);\n");
    assert_int_equal(tmp_load(&d, SIP_OK "@include \"peers.inc\"\n", test_schema, &cfg, &err),
                     -EINVAL);
    assert_string_equal(err.file, inc);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.setting, "scscfs[0].optionl");
    assert_string_equal(err.msg, "unknown setting (did you mean 'scscfs[0].optional'?)");

    tmp_write(&d, "peers.inc", "scscfs = (\n  { uri = \"sip:a\" \n   ;; }\n);\n");
    assert_int_equal(tmp_load(&d, SIP_OK "@include \"peers.inc\"\n", test_schema, &cfg, &err),
                     -EINVAL);
    assert_string_equal(err.file, inc);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.msg, "syntax error");

    /* A missing include is an error of the including file. */
    assert_int_equal(tmp_load(&d, SIP_OK "\n@include \"missing.inc\"\n", test_schema, &cfg, &err),
                     -EINVAL);
    assert_null(cfg);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.file, d.files[1]);
    tmp_cleanup(&d);
}

/* A schema whose default breaks its own rules is rejected on the first load. */
static void test_bad_schema(void **state)
{
    static const struct cfg_spec bad_port[] = {
        {"sip.port", CFG_PORT, 0, "0", 0, 0, NULL, "port", NULL},
        {NULL},
    };
    static const char *const yesno[] = {"yes", "no", NULL};
    static const struct cfg_spec bad_choice[] = {
        {"mode", CFG_STRING, 0, "maybe", 0, 0, yesno, "mode", NULL},
        {NULL},
    };
    static const struct cfg_spec bad_int[] = {
        {"count", CFG_INT, 0, "12abc", 0, 0, NULL, "count", NULL},
        {NULL},
    };
    static const struct cfg_spec no_sub[] = {
        {"peers", CFG_GROUP_LIST, 0, NULL, 0, 0, NULL, "peers", NULL},
        {NULL},
    };
    struct tmpdir d;
    struct cfg *cfg = NULL;
    struct cfg_error err;

    tmp_setup(&d);
    /* Checked even when the file sets the value. */
    assert_int_equal(tmp_load(&d, "sip = { port = 5060; };\n", bad_port, &cfg, &err), -EINVAL);
    assert_string_equal(err.setting, "sip.port");
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "invalid schema default: must be between 1 and 65535 (got 0)");
    assert_int_equal(tmp_load(&d, "", bad_choice, &cfg, &err), -EINVAL);
    assert_string_equal(err.msg,
                        "invalid schema default: must be one of 'yes', 'no' (got 'maybe')");
    assert_int_equal(tmp_load(&d, "", bad_int, &cfg, &err), -EINVAL);
    assert_string_equal(err.msg, "invalid schema default: '12abc' is not an integer");
    assert_int_equal(tmp_load(&d, "", no_sub, &cfg, &err), -EINVAL);
    assert_string_equal(err.msg, "invalid schema: a group list needs a sub-schema");
    assert_null(cfg);
    tmp_cleanup(&d);
}

/* Addresses accepted and refused. */
static void test_addresses(void **state)
{
    static const struct {
        const char *value;
        bool ok;
    } addrs[] = {
        {"127.0.0.1", true},
        {"127.0.0.1:5060", true},
        {"pcscf.ims.example.org", true},
        {"pcscf.ims.example.org:5060", true},
        {"[::1]", true},
        {"[::1]:5060", true},
        {"::1", true},
        {"fe80::1%eth0", false},
        {"", false},
        {"host:", false},
        {"host:0", false},
        {"host:65536", false},
        {"host:5o60", false},
        {"a..b", false},
        {"[::1", false},
        {"[zz]:5060", false},
        {"[::1]5060", false},
        {"bad host", false},
        {":5060", false},
        {"-host", false},
    };
    struct tmpdir d;
    char text[256];

    tmp_setup(&d);
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        struct cfg *cfg = NULL;
        struct cfg_error err;

        print_message("address: '%s'\n", addrs[i].value);
        snprintf(text, sizeof(text), "sip = { domain = \"x\"; listen_address = \"%s\"; };\n",
                 addrs[i].value);
        assert_int_equal(tmp_load(&d, text, test_schema, &cfg, &err), addrs[i].ok ? 0 : -EINVAL);
        if (!addrs[i].ok)
            assert_string_equal(err.setting, "sip.listen_address");
        cfg_free(cfg);
    }
    tmp_cleanup(&d);
}

/* The exact text of cfg_error_format(). */
static void test_error_format(void **state)
{
    struct cfg_error err = {"scscf.conf", 12, "sip.listen_port",
                            "must be between 1 and 65535 (got 70000)"};
    char buf[300], small[16];

    assert_string_equal(cfg_error_format(&err, buf, sizeof(buf)),
                        "scscf.conf:12: sip.listen_port: must be between 1 and 65535 (got 70000)");
    err.line = 0;
    assert_string_equal(cfg_error_format(&err, buf, sizeof(buf)),
                        "scscf.conf: sip.listen_port: must be between 1 and 65535 (got 70000)");
    err.line = 3;
    err.setting[0] = '\0';
    snprintf(err.msg, sizeof(err.msg), "syntax error");
    assert_string_equal(cfg_error_format(&err, buf, sizeof(buf)), "scscf.conf:3: syntax error");
    assert_string_equal(cfg_error_format(&err, small, sizeof(small)), "scscf.conf:3: s");
    assert_string_equal(cfg_error_format(NULL, buf, sizeof(buf)), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_cases),  cmocka_unit_test(test_error_in_include),
        cmocka_unit_test(test_bad_schema),   cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_error_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
