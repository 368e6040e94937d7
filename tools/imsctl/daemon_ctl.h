/*
 * daemon_ctl: what the imsctl commands that talk to a running daemon share
 * (hss, reg, pcscf): finding the control socket from the daemon's
 * configuration, one request/answer over it (common/ctl), and printing the
 * record answers (ctl.h: "TYPE TAB key=value ..." lines ended by "OK") as
 * aligned text or JSON.
 */
#ifndef IMSCTL_DAEMON_CTL_H
#define IMSCTL_DAEMON_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IMSCTL_EXIT_FAIL  1
#define IMSCTL_EXIT_USAGE 2

/* The common options of the control commands. */
struct imsctl_ctl_opts {
    const char *conf;      /* -c FILE: the daemon's configuration */
    const char *state_dir; /* --state-dir DIR */
    const char *sock;      /* --socket PATH */
    bool json;             /* --json */
};

/*
 * Takes argv[*i] (and its value, advancing *i) into opts when it is one of
 * -c/--config, --state-dir, --socket (and --json when allow_json). Returns 1
 * when taken, 0 when not one of them, -1 when its value is missing (reported
 * on stderr as prog: ...).
 */
int imsctl_ctl_opt(const char *prog, struct imsctl_ctl_opts *opts, bool allow_json, int argc,
                   char **argv, int *i);

/*
 * Parses the arguments argv[1..] of a daemon command: the options of
 * imsctl_ctl_opt() (with --json) into opts, -h/--help (usage(stdout)), and up
 * to max_words words into words[] (*n_words of them). Returns 0 to go on, 1
 * when help was printed (exit 0), or IMSCTL_EXIT_USAGE after printing why.
 */
int imsctl_ctl_args(const char *prog, int argc, char **argv, struct imsctl_ctl_opts *opts,
                    void (*usage)(FILE *out), const char **words, size_t max_words,
                    size_t *n_words);

/*
 * Writes the control socket path into out (len bytes): opts->sock, else the
 * control.socket setting of opts->conf (default default_name) under the state
 * directory: opts->state_dir, else $IMS_STATE_DIR, else state_dir of the
 * configuration, else "var". An absolute control.socket is used as is.
 * Returns 0, or IMSCTL_EXIT_USAGE after printing why (unreadable
 * configuration, path too long).
 */
int imsctl_socket_path(const char *prog, const struct imsctl_ctl_opts *opts,
                       const char *default_name, char *out, size_t len);

/*
 * Sends request to the daemon at path and stores its whole answer in *reply
 * (malloc'ed, the caller frees it). daemon names it in error messages ("the
 * S-CSCF"). Returns 0, or IMSCTL_EXIT_FAIL after printing why (not running,
 * no answer within timeout_ms).
 */
int imsctl_ctl_request(const char *prog, const char *daemon, const char *path, const char *request,
                       int timeout_ms, char **reply);

/* One record of an answer: its type and fields (pointing into the answer). */
#define IMSCTL_REC_FIELDS 32
struct imsctl_rec {
    const char *type;
    const char *key[IMSCTL_REC_FIELDS];
    const char *val[IMSCTL_REC_FIELDS];
    size_t n;
};

/*
 * Parses a record answer in place. On success *recs is a malloc'ed array of
 * *n records (the caller frees the array; strings point into reply) and 0 is
 * returned. When the daemon answered "ERR text", prints "prog: text" and
 * returns IMSCTL_EXIT_FAIL; an answer without its final "OK" line (cut) or
 * with a malformed line is reported the same way.
 */
int imsctl_records_parse(const char *prog, char *reply, struct imsctl_rec **recs, size_t *n);

/* The value of key in rec, or NULL. */
const char *imsctl_rec_get(const struct imsctl_rec *rec, const char *key);

/*
 * Prints the records of type as a table: one column per entry of keys (NULL
 * ended), headed by the matching entry of heads, columns aligned; an empty
 * value prints "-". When there is none, prints empty_text instead.
 */
void imsctl_print_table(FILE *out, const struct imsctl_rec *recs, size_t n, const char *type,
                        const char *const *keys, const char *const *heads, const char *empty_text);

/*
 * Prints every record as a block: a line "<type in lower case>" then one
 * "  key  value" line per field, keys aligned.
 */
void imsctl_print_blocks(FILE *out, const struct imsctl_rec *recs, size_t n);

/*
 * Prints the records as JSON: a list of objects when grouped is false; else
 * one object whose members are the record types in lower case followed by
 * "s" ("reg" -> "regs"), each a list of objects. Values that are decimal
 * integers are written as numbers, others as strings.
 */
void imsctl_print_json(FILE *out, const struct imsctl_rec *recs, size_t n, bool grouped);

#endif
