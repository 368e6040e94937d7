/* cfg: the daemon command line (-c, --check-config, -v, --log-level, --help, --version). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg_test_util.h"

#define DEFAULT_CONF "/etc/imscore/scscf.conf"

/* Output of stdout (fd 1) or stderr (fd 2) while captured into a temporary file. */
struct capture {
    int fd, saved;
    char path[64];
};

static void capture_start(struct capture *c, int fd)
{
    snprintf(c->path, sizeof(c->path), "/tmp/imscore-cfg-out-XXXXXX");
    c->fd = fd;
    fflush(fd == 1 ? stdout : stderr);
    int tmp = mkstemp(c->path);
    assert_true(tmp >= 0);
    c->saved = dup(fd);
    assert_true(c->saved >= 0);
    assert_true(dup2(tmp, fd) >= 0);
    close(tmp);
}

/* Restores the stream and returns what was written (caller frees). */
static char *capture_end(struct capture *c)
{
    static const size_t max = 8192;
    char *buf = calloc(1, max);
    FILE *fp;

    fflush(c->fd == 1 ? stdout : stderr);
    assert_true(dup2(c->saved, c->fd) >= 0);
    close(c->saved);
    fp = fopen(c->path, "r");
    assert_non_null(fp);
    assert_non_null(buf);
    (void)!fread(buf, 1, max - 1, fp);
    fclose(fp);
    unlink(c->path);
    return buf;
}

static int parse(struct cfg_cli *cli, const char *const *args)
{
    char *argv[16];
    int argc = 0;

    argv[argc++] = (char *)"scscf";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    return cfg_cli_parse(argc, argv, "scscf", DEFAULT_CONF, cli);
}

static void test_parse_defaults(void **state)
{
    struct cfg_cli cli;
    const char *none[] = {NULL};

    assert_int_equal(parse(&cli, none), CFG_CLI_RUN);
    assert_string_equal(cli.daemon_name, "scscf");
    assert_string_equal(cli.conf_file, DEFAULT_CONF);
    assert_false(cli.check_config);
    assert_int_equal(cli.verbose, 0);
    assert_false(cli.log_level_set);
}

static void test_parse_options(void **state)
{
    struct cfg_cli cli;
    const char *a1[] = {"-c", "/tmp/a.conf", "--check-config", "-v", NULL};
    const char *a2[] = {"--config=/tmp/b.conf", "--log-level", "warn", NULL};
    const char *a3[] = {"-c/tmp/c.conf", "-l", "debug", "-v", NULL};
    const char *a4[] = {"--config", "/tmp/d.conf", "--log-level=error", "-vv", NULL};
    const char *a5[] = {"-v", NULL};
    const char *a6[] = {"--verbose", "--check-config", NULL};

    assert_int_equal(parse(&cli, a1), CFG_CLI_RUN);
    assert_string_equal(cli.conf_file, "/tmp/a.conf");
    assert_true(cli.check_config);
    assert_int_equal(cli.verbose, 1);
    assert_false(cli.log_level_set); /* -v with --check-config means: dump */

    assert_int_equal(parse(&cli, a2), CFG_CLI_RUN);
    assert_string_equal(cli.conf_file, "/tmp/b.conf");
    assert_true(cli.log_level_set);
    assert_int_equal(cli.log_level, LOG_LEVEL_WARN);

    assert_int_equal(parse(&cli, a3), CFG_CLI_RUN);
    assert_string_equal(cli.conf_file, "/tmp/c.conf");
    assert_int_equal(cli.log_level, LOG_LEVEL_DEBUG);

    assert_int_equal(parse(&cli, a4), CFG_CLI_RUN);
    assert_string_equal(cli.conf_file, "/tmp/d.conf");
    assert_int_equal(cli.verbose, 2);
    assert_int_equal(cli.log_level, LOG_LEVEL_ERROR); /* explicit level wins over -v */

    assert_int_equal(parse(&cli, a5), CFG_CLI_RUN);
    assert_true(cli.log_level_set);
    assert_int_equal(cli.log_level, LOG_LEVEL_DEBUG);

    assert_int_equal(parse(&cli, a6), CFG_CLI_RUN);
    assert_true(cli.check_config);
    assert_int_equal(cli.verbose, 1);
}

/* --state-dir on the command line, then $IMS_STATE_DIR, then "var"; relative to the cwd. */
static void test_state_dir(void **state)
{
    struct cfg_cli cli;
    const char *a1[] = {"--state-dir", "/srv/ims", NULL};
    const char *a2[] = {"--state-dir=rel/dir", NULL};
    const char *a3[] = {"--state-dir", NULL};
    char cwd[512], want[600], out[600], small[8];

    assert_int_equal(parse(&cli, a1), CFG_CLI_RUN);
    assert_string_equal(cli.state_dir, "/srv/ims");
    assert_int_equal(parse(&cli, a2), CFG_CLI_RUN);
    assert_string_equal(cli.state_dir, "rel/dir");
    assert_int_equal(parse(&cli, a3), -EINVAL);

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    unsetenv("IMS_STATE_DIR");
    assert_int_equal(cfg_state_dir(NULL, "/srv/ims", out, sizeof(out)), 0);
    assert_string_equal(out, "/srv/ims");
    assert_int_equal(cfg_state_dir(NULL, "rel/dir", out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "%s/rel/dir", cwd);
    assert_string_equal(out, want);
    assert_int_equal(cfg_state_dir(NULL, NULL, out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "%s/var", cwd);
    assert_string_equal(out, want);
    setenv("IMS_STATE_DIR", "/from/env", 1);
    assert_int_equal(cfg_state_dir(NULL, NULL, out, sizeof(out)), 0);
    assert_string_equal(out, "/from/env");
    assert_int_equal(cfg_state_dir(NULL, "/cli/wins", out, sizeof(out)), 0);
    assert_string_equal(out, "/cli/wins");
    unsetenv("IMS_STATE_DIR");
    assert_int_equal(cfg_state_dir(NULL, "/a/long/directory", small, sizeof(small)), -ENAMETOOLONG);

    assert_int_equal(cfg_path_join(out, sizeof(out), "/base", "x.db"), 0);
    assert_string_equal(out, "/base/x.db");
    assert_int_equal(cfg_path_join(out, sizeof(out), "/base", "/abs/x.db"), 0);
    assert_string_equal(out, "/abs/x.db");
    assert_int_equal(cfg_path_join(out, sizeof(out), "/base", ""), -EINVAL);
    assert_int_equal(cfg_path_join(small, sizeof(small), "/base", "x.db"), -ENAMETOOLONG);
}

/* mkdir -p: parents 0755, the last one 0700, existing directories accepted. */
static void test_mkdir_p(void **state)
{
    char base[] = "/tmp/imscore-cfg-dir-XXXXXX", path[128], cmd[160];
    struct stat sb;

    assert_non_null(mkdtemp(base));
    snprintf(path, sizeof(path), "%s/a/b/c", base);
    assert_int_equal(cfg_mkdir_p(path), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(cfg_mkdir_p(path), 0); /* again: fine */
    snprintf(path, sizeof(path), "%s/a", base);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0755 & ~umask(022));
    assert_int_equal(cfg_mkdir_p(""), -EINVAL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

/* --config-reference: the Markdown table on stdout, nothing loaded. */
static void test_config_reference(void **state)
{
    struct cfg_cli cli;
    struct capture cap;
    struct cfg *cfg = (struct cfg *)&cli; /* must be reset to NULL */
    const char *args[] = {"-c", "/nonexistent.conf", "--config-reference", NULL};
    char *out;

    assert_int_equal(parse(&cli, args), CFG_CLI_RUN);
    assert_true(cli.print_reference);
    capture_start(&cap, 1);
    assert_int_equal(cfg_cli_load(&cli, test_schema, &cfg), CFG_CLI_EXIT);
    out = capture_end(&cap);
    assert_null(cfg);
    assert_true(strncmp(out, "| Setting | Type |", 18) == 0);
    assert_non_null(strstr(out, "| `sip.listen_port` | port |"));
    free(out);
}

/* cfg_cli_start: go on with a loaded file; exit 0 / 2 / 1 for help, usage, bad file. */
static void test_start(void **state)
{
    struct cfg_cli cli;
    struct cfg *cfg = NULL;
    struct capture cap;
    int status = -1;
    char *argv_ok[] = {"scscf", "-c", (char *)data_path("valid.conf"), NULL};
    char *argv_help[] = {"scscf", "--help", NULL};
    char *argv_bad[] = {"scscf", "--bogus", NULL};
    char *argv_missing[] = {"scscf", "-c", "/nonexistent/x.conf", NULL};

    assert_true(cfg_cli_start(3, argv_ok, "scscf", DEFAULT_CONF, test_schema, &cli, &cfg, &status));
    assert_int_equal(status, 0);
    assert_non_null(cfg);
    cfg_free(cfg);
    capture_start(&cap, 1);
    assert_false(
        cfg_cli_start(2, argv_help, "scscf", DEFAULT_CONF, test_schema, &cli, &cfg, &status));
    free(capture_end(&cap));
    assert_int_equal(status, 0);
    capture_start(&cap, 2);
    assert_false(
        cfg_cli_start(2, argv_bad, "scscf", DEFAULT_CONF, test_schema, &cli, &cfg, &status));
    assert_int_equal(status, 2);
    assert_false(
        cfg_cli_start(3, argv_missing, "scscf", DEFAULT_CONF, test_schema, &cli, &cfg, &status));
    free(capture_end(&cap));
    assert_int_equal(status, 1);
    assert_null(cfg);
}

static void test_parse_errors(void **state)
{
    static const char *const bad[][3] = {
        {"-c", NULL, NULL},   {"--config", NULL, NULL},    {"--config=", NULL, NULL},
        {"-l", "loud", NULL}, {"--log-level", NULL, NULL}, {"--bogus", NULL, NULL},
        {"-x", NULL, NULL},   {"extra", NULL, NULL},       {"-", NULL, NULL},
    };
    struct cfg_cli cli;
    struct capture cap;
    char *out;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        capture_start(&cap, 2);
        int rc = parse(&cli, bad[i]);
        out = capture_end(&cap);
        print_message("args: %s %s -> %s", bad[i][0], bad[i][1] ? bad[i][1] : "", out);
        assert_int_equal(rc, -EINVAL);
        assert_true(strncmp(out, "scscf: ", 7) == 0);
        assert_non_null(strstr(out, "Try 'scscf --help'"));
        free(out);
    }
    /* No default and no -c. */
    char *argv[] = {(char *)"hss", NULL};
    capture_start(&cap, 2);
    assert_int_equal(cfg_cli_parse(1, argv, "hss", NULL, &cli), -EINVAL);
    free(capture_end(&cap));
}

static void test_help_version(void **state)
{
    struct cfg_cli cli;
    struct capture cap;
    const char *help[] = {"-c", "x.conf", "--help", NULL};
    const char *version[] = {"--version", NULL};
    char *out;

    capture_start(&cap, 1);
    assert_int_equal(parse(&cli, help), CFG_CLI_EXIT);
    out = capture_end(&cap);
    assert_true(strncmp(out, "Usage: scscf [OPTIONS]\n", 23) == 0);
    assert_non_null(strstr(out, "--check-config"));
    assert_non_null(strstr(out, "(default: " DEFAULT_CONF ")"));
    free(out);

    capture_start(&cap, 1);
    assert_int_equal(parse(&cli, version), CFG_CLI_EXIT);
    out = capture_end(&cap);
    assert_string_equal(out, "scscf (imscore) " IMSCORE_TEST_VERSION "\n");
    free(out);
}

static void test_check_config(void **state)
{
    struct cfg_cli cli;
    struct capture cap;
    struct cfg *cfg = NULL;
    struct tmpdir d;
    const char *bad;
    char *out, expect[512];
    const char *good[] = {"-c", data_path("valid.conf"), "--check-config", NULL};

    /* Valid: "configuration OK" on stdout. */
    assert_int_equal(parse(&cli, good), CFG_CLI_RUN);
    capture_start(&cap, 1);
    assert_int_equal(cfg_cli_load(&cli, test_schema, &cfg), 0);
    out = capture_end(&cap);
    snprintf(expect, sizeof(expect), "scscf: %s: configuration OK\n", data_path("valid.conf"));
    assert_string_equal(out, expect);
    assert_non_null(cfg);
    cfg_free(cfg);
    free(out);

    /* Valid and verbose: the effective configuration first. */
    cli.verbose = 1;
    capture_start(&cap, 1);
    assert_int_equal(cfg_cli_load(&cli, test_schema, &cfg), 0);
    out = capture_end(&cap);
    assert_true(strncmp(out, "# effective configuration from ", 31) == 0);
    assert_non_null(strstr(out, "\nsip.listen_port = 5070;\n"));
    assert_non_null(strstr(out, expect));
    cfg_free(cfg);
    free(out);

    /* Invalid: the located error on stderr, nothing on stdout. */
    tmp_setup(&d);
    bad = tmp_write(&d, "scscf.conf", "sip = {\n  domain = \"x\";\n  listen_port = 70000;\n};\n");
    cli.conf_file = bad;
    capture_start(&cap, 2);
    assert_int_equal(cfg_cli_load(&cli, test_schema, &cfg), -EINVAL);
    out = capture_end(&cap);
    assert_null(cfg);
    snprintf(expect, sizeof(expect),
             "scscf: %s:3: sip.listen_port: must be between 1 and 65535 (got 70000)\n", bad);
    assert_string_equal(out, expect);
    free(out);
    tmp_cleanup(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_defaults), cmocka_unit_test(test_parse_options),
        cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_check_config),   cmocka_unit_test(test_state_dir),
        cmocka_unit_test(test_mkdir_p),        cmocka_unit_test(test_config_reference),
        cmocka_unit_test(test_start),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
