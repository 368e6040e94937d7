/*
 * cfg: a daemon's libconfig file, checked against a static schema at start.
 *
 * Each daemon describes every setting it knows in one table of struct cfg_spec,
 * ended by an entry whose path is NULL:
 *
 *   static const struct cfg_spec scscf_schema[] = {
 *       CFG_DAEMON_SPECS,
 *       {"sip.listen_port", CFG_PORT, 0, "5060", 0, 0, NULL, "SIP port", NULL},
 *       {"hss.peer", CFG_ADDRESS, CFG_REQUIRED, NULL, 0, 0, NULL, "Diameter peer", NULL},
 *       {NULL},
 *   };
 *
 * (Give all nine fields: -Wextra rejects a shorter positional initializer.)
 *
 * cfg_load() reads the file and rejects it, naming file, line and setting, when
 * a setting is unknown (with a "did you mean" suggestion), of the wrong type,
 * out of range, not one of its choices, or required and missing. Settings left
 * out get their default. The getters then never fail for a path of the schema.
 *
 * Paths are dotted: "sip.listen_port" is `sip = { listen_port = 5060; };` in
 * the file. A CFG_GROUP_LIST is a libconfig list of groups, each checked
 * against the entry's own sub-schema (with paths relative to the group), e.g.
 *
 *   scscfs = ( { uri = "sip:scscf1.ims.example.org:6060"; mandatory = [1, 2]; } );
 *
 * and read with cfg_group(cfg, "scscfs", i), which returns a view that works
 * with the same getters on the relative paths ("uri", "mandatory").
 *
 * A struct cfg is immutable after cfg_load() and may be read from any thread.
 */
#ifndef IMSCORE_CFG_H
#define IMSCORE_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log/log.h"

enum cfg_kind {
    CFG_STRING,      /* a string; `choices` (if set) lists the allowed values */
    CFG_INT,         /* an integer; range [min, max] when min or max is nonzero */
    CFG_BOOL,        /* true or false */
    CFG_FLOAT,       /* a number (integer accepted); range [min, max] as for CFG_INT */
    CFG_STRING_LIST, /* [ "a", "b" ] or ( "a", "b" ); choices apply to each element */
    CFG_INT_LIST,    /* [ 1, 2 ]; range [min, max] applies to each element */
    CFG_GROUP_LIST,  /* ( { ... }, { ... } ) checked against `sub` */
    CFG_ADDRESS,     /* "host", "host:port", "[v6]" or "[v6]:port" */
    CFG_PORT,        /* integer 1..65535 (or [min, max] when set) */
    CFG_DURATION,    /* seconds: an integer, or a string "30s", "5m", "2h", "1d" */
    CFG_PATH,        /* a non-empty file system path */
};

/* cfg_spec.flags */
#define CFG_REQUIRED 0x1u /* the setting must be in the file */

/*
 * One setting of a schema. `def` is the default as text ("5060", "true",
 * "5m"); lists have no default (absent means empty). For CFG_STRING_LIST and
 * CFG_GROUP_LIST, min (when > 0) and max (when > 0) bound the number of elements.
 * Each default is checked against its own entry at every cfg_load().
 * `sub` is the schema of each group of a CFG_GROUP_LIST (NULL otherwise).
 */
struct cfg_spec {
    const char *path;
    enum cfg_kind kind;
    unsigned flags;
    const char *def;
    long long min, max;
    const char *const *choices; /* NULL-terminated, or NULL */
    const char *help;
    const struct cfg_spec *sub;
};

/* Where and why a configuration was rejected. line is 0 when unknown. */
struct cfg_error {
    char file[256];
    int line;
    char setting[128]; /* dotted path, "" when the error is not about one setting */
    char msg[256];
};

struct cfg;

/*
 * Reads `file` with libconfig (an @include is relative to the file's
 * directory) and checks it against `schema` (an array ended by {NULL}).
 * On success stores a new configuration in *out, which the caller frees with
 * cfg_free(), and returns 0. On failure *out is NULL, `err` (if not NULL) says
 * where and why, and the return is -EINVAL (bad syntax or a setting the schema
 * rejects), a negative errno from opening the file (-ENOENT, -EACCES,
 * -EISDIR), or -ENOMEM. A schema that breaks its own rules (a default out of
 * range or not one of its choices, a group list without `sub`) is also
 * reported as -EINVAL, naming the setting, with line 0. A NULL file, schema or
 * out gives -EINVAL.
 */
int cfg_load(const char *file, const struct cfg_spec *schema, struct cfg **out,
             struct cfg_error *err);

/* Frees a configuration from cfg_load() and every view taken from it. Safe on NULL. */
void cfg_free(struct cfg *cfg);

/*
 * Writes the error as "file:line: setting: message" into buf (size len), e.g.
 * "scscf.conf:12: sip.listen_port: must be between 1 and 65535 (got 70000)".
 * ":line" is left out when line is 0, "setting: " when setting is empty.
 * Returns buf, always NUL-terminated (truncated if len is too small).
 */
const char *cfg_error_format(const struct cfg_error *err, char *buf, size_t len);

/*
 * Getters. `path` must be a path of the schema (of the view's sub-schema for a
 * view from cfg_group()) with a kind the getter reads; otherwise that is a
 * programming error: it is logged and the neutral value (NULL, 0, false) is
 * returned. A setting absent from the file yields its default; without a
 * default the neutral value. Returned strings belong to cfg and live until
 * cfg_free().
 */

/* A CFG_STRING, CFG_ADDRESS or CFG_PATH value, or NULL when not set and no default. */
const char *cfg_str(const struct cfg *cfg, const char *path);

/* As cfg_str(), but NULL also for an empty string (an optional setting left ""). */
const char *cfg_str_opt(const struct cfg *cfg, const char *path);

/* The names log.level accepts, most severe first (those of log_level_parse()). */
extern const char *const cfg_log_levels[];

/*
 * The settings every daemon has, at the top of its schema: state_dir (which
 * cfg_state_dir() and the --state-dir option override) and log.level (which
 * cfg_cli_start() applies).
 */
#define CFG_DAEMON_SPECS                                                                           \
    {"state_dir", CFG_PATH, 0,    "var",                                                           \
     0,           0,        NULL, "state directory (overridden by --state-dir and IMS_STATE_DIR)", \
     NULL},                                                                                        \
    {                                                                                              \
        "log.level", CFG_STRING, 0, "info", 0, 0, cfg_log_levels, "most verbose level logged",     \
            NULL                                                                                   \
    }

/* A CFG_INT, CFG_PORT or CFG_DURATION (in seconds) value; 0 when not set and no default. */
long long cfg_int(const struct cfg *cfg, const char *path);

/* A CFG_BOOL value; false when not set and no default. */
bool cfg_bool(const struct cfg *cfg, const char *path);

/* A CFG_FLOAT value; 0 when not set and no default. */
double cfg_float(const struct cfg *cfg, const char *path);

/* True when the setting is in the file or has a default. */
bool cfg_is_set(const struct cfg *cfg, const char *path);

/*
 * Splits a CFG_ADDRESS value into host (brackets of an IPv6 literal removed,
 * copied into host[hostlen]) and *port (0 when the value has none).
 * Returns 0, -ENOENT when not set and no default, -ENOSPC when host is too
 * small, -EINVAL when path is not a CFG_ADDRESS of the schema.
 */
int cfg_address(const struct cfg *cfg, const char *path, char *host, size_t hostlen,
                uint16_t *port);

/* The number of elements of a list setting (0 when absent). */
int cfg_list_count(const struct cfg *cfg, const char *path);

/* Element i of a CFG_STRING_LIST, or NULL when i is out of range. */
const char *cfg_list_str(const struct cfg *cfg, const char *path, int i);

/* Element i of a CFG_INT_LIST, or 0 when i is out of range. */
long long cfg_list_int(const struct cfg *cfg, const char *path, int i);

/*
 * Group i of a CFG_GROUP_LIST, as a view read with the getters above on paths
 * of the entry's sub-schema. The view belongs to cfg (do not free it). NULL
 * when i is out of range.
 */
const struct cfg *cfg_group(const struct cfg *cfg, const char *path, int i);

/* The file the configuration was loaded from (the root's file for a view). */
const char *cfg_file(const struct cfg *cfg);

/*
 * Prints the effective configuration: every setting of the schema with its
 * value, one per line ("sip.listen_port = 5060;"), those taken from the
 * default marked "# default", unset ones as comments. Group lists print each
 * element's settings as "scscfs[0].uri = ...".
 */
void cfg_dump(const struct cfg *cfg, FILE *fp);

/*
 * Prints a Markdown table of every setting of the schema: setting, type,
 * required, default, allowed values or range, description. Settings of a
 * group list appear as "scscfs[].uri".
 */
void cfg_print_reference(const struct cfg_spec *schema, FILE *fp);

/*
 * The common daemon command line:
 *   -c, --config FILE     configuration file (default: default_conf)
 *   --check-config        check the configuration, print the result, exit
 *   -v, --verbose         with --check-config print the effective configuration;
 *                         otherwise log at debug level
 *   -l, --log-level LEVEL override the configured log level
 *   -h, --help            print usage
 *   --version             print the version
 */
struct cfg_cli {
    const char *daemon_name;
    const char *conf_file; /* points into argv or to default_conf */
    bool check_config;
    int verbose;
    bool log_level_set; /* -l or -v given: log_level overrides the file */
    enum log_level log_level;
    const char *state_dir; /* --state-dir DIR, NULL when not given */
    bool print_reference;  /* --config-reference */
};

/* cfg_cli_parse() results besides negative errors */
#define CFG_CLI_RUN  0 /* go on: start the daemon (or check the configuration) */
#define CFG_CLI_EXIT 1 /* help or version was printed: exit with status 0 */

/*
 * Parses the command line into *out (argv is not modified; out keeps pointers
 * into it). Returns CFG_CLI_RUN, CFG_CLI_EXIT after printing help or version
 * to stdout, or -EINVAL after printing a usage error to stderr (exit status 2).
 */
int cfg_cli_parse(int argc, char **argv, const char *daemon_name, const char *default_conf,
                  struct cfg_cli *out);

/*
 * Loads cli->conf_file against schema. A rejected file is reported on stderr
 * as "daemon: file:line: setting: message". With --check-config, prints
 * "daemon: <file>: configuration OK" to stdout, preceded by cfg_dump() when
 * verbose. Returns what cfg_load() returns and stores the configuration in
 * *out as it does. The caller of --check-config exits 0 on 0 and 1 otherwise.
 * With --config-reference, prints cfg_print_reference(schema) to stdout,
 * loads nothing, sets *out to NULL and returns CFG_CLI_EXIT (exit status 0).
 */
int cfg_cli_load(const struct cfg_cli *cli, const struct cfg_spec *schema, struct cfg **out);

/*
 * The start of every daemon's main(): cfg_cli_parse(), cfg_cli_load(), then
 * log_init(name, level) with the level of -l/-v, else the "log.level"
 * setting of the schema (when it has one), and warn under --check-config.
 * Returns true when the daemon goes on, with *cli filled and *out loaded
 * (the caller frees it). Returns false when the process must exit now with
 * *exit_status: 0 after --help, --version or --config-reference, 2 on a
 * usage error, 1 on a rejected configuration (reported on stderr).
 */
bool cfg_cli_start(int argc, char **argv, const char *daemon_name, const char *default_conf,
                   const struct cfg_spec *schema, struct cfg_cli *cli, struct cfg **out,
                   int *exit_status);

/* ------------------------------------------------------------------------- */
/* State directory and paths                                                 */
/* ------------------------------------------------------------------------- */

/*
 * Writes the absolute state directory of a daemon into out (len bytes):
 * cli_dir (--state-dir) when not NULL or empty, else $IMS_STATE_DIR when set
 * and not empty, else the string setting "state_dir" of c when the schema
 * has it, else "var". A relative directory is taken from the current
 * directory. Nothing is created. Returns 0, -ENAMETOOLONG, or -errno of
 * getcwd().
 */
int cfg_state_dir(const struct cfg *c, const char *cli_dir, char *out, size_t len);

/*
 * out = rel when rel is absolute, else base "/" rel. Returns 0, -EINVAL for
 * a NULL or empty argument, -ENAMETOOLONG when it does not fit in len bytes.
 */
int cfg_path_join(char *out, size_t len, const char *base, const char *rel);

/*
 * mkdir -p: creates path and its missing parents; the last component gets
 * mode 0700 (it holds keys and stores), parents 0755. Existing directories
 * are left as they are. Returns 0 or -errno.
 */
int cfg_mkdir_p(const char *path);

#endif
