/* cfg: the effective configuration dump and the Markdown reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg_test_util.h"

/* Runs fn into a memory stream and returns the text (caller frees). */
static char *capture_dump(const struct cfg *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    assert_non_null(fp);
    cfg_dump(cfg, fp);
    assert_int_equal(fclose(fp), 0);
    return buf;
}

static void test_dump(void **state)
{
    struct cfg *cfg = NULL;
    struct cfg_error err;
    char *text, head[600];

    assert_int_equal(cfg_load(data_path("valid.conf"), test_schema, &cfg, &err), 0);
    text = capture_dump(cfg);
    snprintf(head, sizeof(head), "# effective configuration from %s\n", data_path("valid.conf"));
    assert_memory_equal(text, head, strlen(head));
    /* Every setting of the schema, in schema order; defaults marked. */
    assert_string_equal(text + strlen(head),
                        "sip.listen_address = \"127.0.0.1\";\n"
                        "sip.listen_port = 5070;\n"
                        "sip.domain = \"ims.mnc001.mcc001.3gppnetwork.org\";\n"
                        "sip.transports = [\"udp\", \"tcp\"];\n"
                        "sip.record_route = true;  # default\n"
                        "log.level = \"info\";  # default\n"
                        "log.file = \"/var/log/imscore/test.log\";\n"
                        "registrar.max_expires = 7200;\n"
                        "registrar.min_expires = 60;  # default\n"
                        "registrar.max_contacts = 10;  # default\n"
                        "registrar.load_factor = 1;\n"
                        "registrar.diameter_peer = \"[::1]:3868\";\n"
                        "# scscfs: 2 groups\n"
                        "scscfs[0].uri = \"sip:scscf1.ims.mnc001.mcc001.3gppnetwork.org:6060\";\n"
                        "scscfs[0].mandatory = [1, 2];\n"
                        "scscfs[0].optional = [10];\n"
                        "scscfs[1].uri = \"sip:scscf2.ims.mnc001.mcc001.3gppnetwork.org:6061\";\n"
                        "scscfs[1].mandatory = [1];\n"
                        "# scscfs[1].optional: not set\n");
    free(text);
    cfg_free(cfg);
}

/* Strings are written back as valid libconfig literals; unset settings as comments. */
static void test_dump_quoting(void **state)
{
    struct tmpdir d;
    struct cfg *cfg = NULL;
    struct cfg_error err;
    char *text;

    tmp_setup(&d);
    assert_int_equal(
        tmp_load(&d, "sip = { domain = \"a\\\"b\\\\c\\td\"; };\n", test_schema, &cfg, &err), 0);
    assert_string_equal(cfg_str(cfg, "sip.domain"), "a\"b\\c\td");
    text = capture_dump(cfg);
    assert_non_null(strstr(text, "\nsip.domain = \"a\\\"b\\\\c\\td\";\n"));
    assert_non_null(strstr(text, "\n# log.file: not set\n"));
    assert_non_null(strstr(text, "\n# sip.transports: not set\n"));
    assert_non_null(strstr(text, "\n# scscfs: not set\n"));
    free(text);
    cfg_free(cfg);
    tmp_cleanup(&d);
}

static void test_reference(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    assert_non_null(fp);
    cfg_print_reference(test_schema, fp);
    assert_int_equal(fclose(fp), 0);
    assert_string_equal(
        buf,
        "| Setting | Type | Required | Default | Allowed | Description |\n"
        "|---|---|---|---|---|---|\n"
        "| `sip.listen_address` | address | no | `0.0.0.0` | `host`, `host:port`, `[ipv6]:port` "
        "| address to bind |\n"
        "| `sip.listen_port` | port | no | `5060` | 1..65535 | SIP port (UDP and TCP) |\n"
        "| `sip.domain` | string | yes |  |  | home domain |\n"
        "| `sip.transports` | string list | no |  | `udp`, `tcp` (each) | transports served |\n"
        "| `sip.record_route` | boolean | no | `true` |  | add a Record-Route \\| Path |\n"
        "| `log.level` | string | no | `info` | `error`, `warn`, `notice`, `info`, `debug` | "
        "most verbose level logged |\n"
        "| `log.file` | path | no |  |  | log file (stderr when unset) |\n"
        "| `registrar.max_expires` | duration | no | `1h` | 60..86400 | longest binding |\n"
        "| `registrar.min_expires` | duration | no | `60` |  | shortest binding |\n"
        "| `registrar.max_contacts` | integer | no | `10` | 1..100 | contacts per AoR |\n"
        "| `registrar.load_factor` | number | no | `0.75` | 0..1 | share of capacity |\n"
        "| `registrar.diameter_peer` | address | no |  | `host`, `host:port`, `[ipv6]:port` | "
        "HSS peer |\n"
        "| `scscfs` | group list | no |  | at most 8 elements | S-CSCFs to choose from |\n"
        "| `scscfs[].uri` | string | yes |  |  | SIP URI of the S-CSCF |\n"
        "| `scscfs[].mandatory` | integer list | no |  |  | mandatory capabilities it has |\n"
        "| `scscfs[].optional` | integer list | no |  |  | optional capabilities it has |\n");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dump),
        cmocka_unit_test(test_dump_quoting),
        cmocka_unit_test(test_reference),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
