/* cfg_cli.c: the command line every daemon shares. */
#include "cfg_internal.h"

#include <errno.h>
#include <string.h>

#ifndef IMSCORE_VERSION
#define IMSCORE_VERSION "unknown"
#endif

static void usage(const char *name, const char *default_conf)
{
    printf("Usage: %s [OPTIONS]\n"
           "\n"
           "  -c, --config FILE      configuration file (default: %s)\n"
           "      --check-config     check the configuration file, print the result and exit\n"
           "                         (status 0 when valid, 1 otherwise)\n"
           "      --config-reference print every setting of the configuration file\n"
           "                         (Markdown) and exit\n"
           "      --state-dir DIR    state directory (store, sockets, generated files);\n"
           "                         else $IMS_STATE_DIR, else the state_dir setting\n"
           "  -v, --verbose          with --check-config, also print the effective\n"
           "                         configuration; otherwise log at debug level\n"
           "  -l, --log-level LEVEL  log level overriding the file: error, warn, notice,\n"
           "                         info or debug\n"
           "  -h, --help             print this help and exit\n"
           "      --version          print the version and exit\n",
           name, default_conf);
}

static int usage_error(const char *name, const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s '%s'\nTry '%s --help' for more information.\n", name, what, arg, name);
    return -EINVAL;
}

/*
 * Matches argv[*i] against a long option "--name" taking a value (given as
 * "--name=V" or "--name V") or a short one "-x" (given as "-xV" or "-x V").
 * Returns 1 with *val set, 0 when it is another option, -1 when the value is missing.
 * shrt 0 means there is no short form.
 */
static int opt_value(int argc, char **argv, int *i, const char *lng, char shrt, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(lng);

    if (strncmp(a, lng, n) == 0 && (a[n] == '=' || a[n] == '\0')) {
        if (a[n] == '=') {
            *val = a + n + 1;
            return 1;
        }
    } else if (!(a[0] == '-' && a[1] == shrt && a[1] != '\0')) {
        return 0;
    } else if (a[2] != '\0') {
        *val = a + 2;
        return 1;
    }
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

int cfg_cli_parse(int argc, char **argv, const char *daemon_name, const char *default_conf,
                  struct cfg_cli *out)
{
    const char *name = daemon_name ? daemon_name : "imscore";
    const char *level = NULL, *val = NULL;
    int r;

    memset(out, 0, sizeof(*out));
    out->daemon_name = name;
    out->conf_file = default_conf;
    out->log_level = LOG_LEVEL_INFO;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(name, default_conf ? default_conf : "none");
            return CFG_CLI_EXIT;
        } else if (strcmp(a, "--version") == 0) {
            printf("%s (imscore) %s\n", name, IMSCORE_VERSION);
            return CFG_CLI_EXIT;
        } else if (strcmp(a, "--config-reference") == 0) {
            out->print_reference = true;
        } else if (strcmp(a, "--check-config") == 0) {
            out->check_config = true;
        } else if (strcmp(a, "--verbose") == 0) {
            out->verbose++;
        } else if (a[0] == '-' && a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
            out->verbose += (int)strlen(a + 1); /* -v, -vv */
        } else if ((r = opt_value(argc, argv, &i, "--config", 'c', &val)) != 0) {
            if (r < 0 || !*val)
                return usage_error(name, "missing file after", a);
            out->conf_file = val;
        } else if ((r = opt_value(argc, argv, &i, "--state-dir", 0, &val)) != 0) {
            if (r < 0 || !*val)
                return usage_error(name, "missing directory after", a);
            out->state_dir = val;
        } else if ((r = opt_value(argc, argv, &i, "--log-level", 'l', &val)) != 0) {
            if (r < 0)
                return usage_error(name, "missing level after", a);
            level = val;
        } else if (a[0] == '-') {
            return usage_error(name, "unknown option", a);
        } else {
            return usage_error(name, "unexpected argument", a);
        }
    }
    if (!out->conf_file)
        return usage_error(name, "no configuration file: use", "-c FILE");
    if (level) {
        if (log_level_parse(level, &out->log_level) < 0)
            return usage_error(name, "unknown log level (use error, warn, notice, info or debug)",
                               level);
        out->log_level_set = true;
    } else if (out->verbose && !out->check_config) {
        out->log_level = LOG_LEVEL_DEBUG;
        out->log_level_set = true;
    }
    return CFG_CLI_RUN;
}

int cfg_cli_load(const struct cfg_cli *cli, const struct cfg_spec *schema, struct cfg **out)
{
    struct cfg_error err;
    char text[700];
    int rc;

    if (cli->print_reference) {
        *out = NULL;
        cfg_print_reference(schema, stdout);
        fflush(stdout);
        return CFG_CLI_EXIT;
    }
    rc = cfg_load(cli->conf_file, schema, out, &err);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", cli->daemon_name, cfg_error_format(&err, text, sizeof(text)));
        return rc;
    }
    if (cli->check_config) {
        if (cli->verbose)
            cfg_dump(*out, stdout);
        printf("%s: %s: configuration OK\n", cli->daemon_name, cli->conf_file);
        fflush(stdout);
    }
    return 0;
}

bool cfg_cli_start(int argc, char **argv, const char *daemon_name, const char *default_conf,
                   const struct cfg_spec *schema, struct cfg_cli *cli, struct cfg **out,
                   int *exit_status)
{
    enum log_level level = LOG_LEVEL_INFO;
    int rc;

    *out = NULL;
    rc = cfg_cli_parse(argc, argv, daemon_name, default_conf, cli);
    if (rc != CFG_CLI_RUN) {
        *exit_status = rc == CFG_CLI_EXIT ? 0 : 2;
        return false;
    }
    rc = cfg_cli_load(cli, schema, out);
    if (rc != 0) {
        *exit_status = rc == CFG_CLI_EXIT ? 0 : 1;
        return false;
    }
    if (cli->log_level_set)
        level = cli->log_level;
    else if (cfg__schema_find(schema, "log.level") >= 0)
        log_level_parse(cfg_str(*out, "log.level"), &level);
    log_init(daemon_name, cli->check_config ? LOG_LEVEL_WARN : level);
    *exit_status = 0;
    return true;
}
