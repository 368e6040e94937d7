/*
 * daemon_ctl.c: control socket path, request and answer printing shared by
 * imsctl hss, reg and pcscf (see daemon_ctl.h).
 */
#include "daemon_ctl.h"

#include "ctl/ctl.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

int imsctl_ctl_opt(const char *prog, struct imsctl_ctl_opts *opts, bool allow_json, int argc,
                   char **argv, int *i)
{
    const char *a = argv[*i];
    const char **slot = NULL;

    if (allow_json && strcmp(a, "--json") == 0) {
        opts->json = true;
        return 1;
    }
    if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
        slot = &opts->conf;
    else if (strcmp(a, "--state-dir") == 0)
        slot = &opts->state_dir;
    else if (strcmp(a, "--socket") == 0)
        slot = &opts->sock;
    else
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: missing value after %s\n", prog, a);
        return -1;
    }
    *slot = argv[++*i];
    return 1;
}

int imsctl_socket_path(const char *prog, const struct imsctl_ctl_opts *opts,
                       const char *default_name, char *out, size_t len)
{
    const char *sd = opts->state_dir, *name = default_name, *v = NULL;
    config_t cfg;
    int n, rc = 0;

    if (opts->sock) {
        n = snprintf(out, len, "%s", opts->sock);
        if (n < 0 || (size_t)n >= len) {
            fprintf(stderr, "%s: socket path too long\n", prog);
            return IMSCTL_EXIT_USAGE;
        }
        return 0;
    }
    config_init(&cfg);
    if (opts->conf) {
        if (config_read_file(&cfg, opts->conf) != CONFIG_TRUE) {
            fprintf(stderr, "%s: %s:%d: %s\n", prog, opts->conf, config_error_line(&cfg),
                    config_error_type(&cfg) == CONFIG_ERR_FILE_IO ? "cannot read the file"
                                                                  : config_error_text(&cfg));
            rc = IMSCTL_EXIT_USAGE;
            goto out;
        }
        if (config_lookup_string(&cfg, "control.socket", &v) == CONFIG_TRUE && *v)
            name = v;
    }
    if (!sd || !*sd)
        sd = getenv("IMS_STATE_DIR");
    if ((!sd || !*sd) && opts->conf && config_lookup_string(&cfg, "state_dir", &v) == CONFIG_TRUE)
        sd = v;
    if (!sd || !*sd)
        sd = "var";
    n = name[0] == '/' ? snprintf(out, len, "%s", name) : snprintf(out, len, "%s/%s", sd, name);
    if (n < 0 || (size_t)n >= len) {
        fprintf(stderr, "%s: control socket path too long\n", prog);
        rc = IMSCTL_EXIT_USAGE;
    }
out:
    config_destroy(&cfg);
    return rc;
}

int imsctl_ctl_request(const char *prog, const char *daemon, const char *path, const char *request,
                       int timeout_ms, char **reply)
{
    int rc = ctl_call(path, request, timeout_ms, reply);

    if (rc == 0)
        return 0;
    if (rc == -ETIMEDOUT)
        fprintf(stderr, "%s: no answer from %s within %d s\n", prog, daemon, timeout_ms / 1000);
    else if (rc == -ENOENT || rc == -ECONNREFUSED)
        fprintf(stderr, "%s: cannot reach %s at %s: %s (is it running?)\n", prog, daemon, path,
                strerror(-rc));
    else
        fprintf(stderr, "%s: talking to %s at %s: %s\n", prog, daemon, path, strerror(-rc));
    return IMSCTL_EXIT_FAIL;
}

/* Parses one "TYPE TAB k=v ..." line (modified in place) into rec. Returns 0 or -EPROTO. */
static int parse_record(char *line, struct imsctl_rec *rec)
{
    char *f[IMSCTL_REC_FIELDS + 1];
    size_t nf = ctl_split(line, f, IMSCTL_REC_FIELDS + 1);

    if (nf == 0 || !*f[0])
        return -EPROTO;
    memset(rec, 0, sizeof(*rec));
    rec->type = f[0];
    for (size_t i = 1; i < nf; i++) {
        char *eq = strchr(f[i], '=');
        if (!eq || eq == f[i])
            return -EPROTO;
        *eq = '\0';
        rec->key[rec->n] = f[i];
        rec->val[rec->n] = eq + 1;
        rec->n++;
    }
    return 0;
}

int imsctl_records_parse(const char *prog, char *reply, struct imsctl_rec **recs, size_t *n)
{
    struct imsctl_rec *v = NULL;
    size_t count = 0, lines = 0;
    bool ok = false;
    char *save = NULL;

    for (const char *p = reply; *p; p++)
        lines += *p == '\n';
    v = calloc(lines ? lines : 1, sizeof(*v));
    if (!v) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return IMSCTL_EXIT_FAIL;
    }
    for (char *line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (ok) {
            fprintf(stderr, "%s: unexpected answer after OK: '%s'\n", prog, line);
            goto fail;
        }
        if (strcmp(line, "OK") == 0) {
            ok = true;
        } else if (strncmp(line, "ERR ", 4) == 0) {
            fprintf(stderr, "%s: %s\n", prog, line + 4);
            goto fail;
        } else if (count >= lines || parse_record(line, &v[count]) != 0) {
            fprintf(stderr, "%s: malformed answer line: '%s'\n", prog, line);
            goto fail;
        } else {
            count++;
        }
    }
    if (!ok) {
        fprintf(stderr, "%s: the answer was cut short (no OK line)\n", prog);
        goto fail;
    }
    *recs = v;
    *n = count;
    return 0;
fail:
    free(v);
    return IMSCTL_EXIT_FAIL;
}

const char *imsctl_rec_get(const struct imsctl_rec *rec, const char *key)
{
    for (size_t i = 0; i < rec->n; i++)
        if (strcmp(rec->key[i], key) == 0)
            return rec->val[i];
    return NULL;
}

static const char *shown(const char *v)
{
    return v && *v ? v : "-";
}

void imsctl_print_table(FILE *out, const struct imsctl_rec *recs, size_t n, const char *type,
                        const char *const *keys, const char *const *heads, const char *empty_text)
{
    size_t ncol = 0, width[IMSCTL_REC_FIELDS] = {0}, rows = 0;

    while (keys[ncol] && ncol < IMSCTL_REC_FIELDS) {
        width[ncol] = strlen(heads[ncol]);
        ncol++;
    }
    for (size_t r = 0; r < n; r++) {
        if (strcmp(recs[r].type, type) != 0)
            continue;
        rows++;
        for (size_t c = 0; c < ncol; c++) {
            size_t w = strlen(shown(imsctl_rec_get(&recs[r], keys[c])));
            if (w > width[c])
                width[c] = w;
        }
    }
    if (rows == 0) {
        fprintf(out, "%s\n", empty_text);
        return;
    }
    for (size_t c = 0; c < ncol; c++) {
        if (c + 1 < ncol)
            fprintf(out, "%-*s  ", (int)width[c], heads[c]);
        else
            fprintf(out, "%s\n", heads[c]);
    }
    for (size_t r = 0; r < n; r++) {
        if (strcmp(recs[r].type, type) != 0)
            continue;
        for (size_t c = 0; c < ncol; c++) {
            const char *v = shown(imsctl_rec_get(&recs[r], keys[c]));
            if (c + 1 < ncol)
                fprintf(out, "%-*s  ", (int)width[c], v);
            else
                fprintf(out, "%s\n", v);
        }
    }
}

static void print_lower(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(isalnum((unsigned char)*s) ? tolower((unsigned char)*s) : '_', out);
}

void imsctl_print_blocks(FILE *out, const struct imsctl_rec *recs, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        size_t w = 0;
        if (r)
            fputc('\n', out);
        print_lower(out, recs[r].type);
        fputc('\n', out);
        for (size_t i = 0; i < recs[r].n; i++)
            if (strlen(recs[r].key[i]) > w)
                w = strlen(recs[r].key[i]);
        for (size_t i = 0; i < recs[r].n; i++)
            fprintf(out, "  %-*s  %s\n", (int)w, recs[r].key[i], shown(recs[r].val[i]));
    }
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* A decimal integer JSON can carry exactly: -?(0|[1-9][0-9]{0,14}). */
static bool is_json_int(const char *s)
{
    size_t n;

    if (*s == '-')
        s++;
    n = strlen(s);
    if (n == 0 || n > 15 || (s[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void json_object(FILE *out, const struct imsctl_rec *rec)
{
    fputc('{', out);
    for (size_t i = 0; i < rec->n; i++) {
        if (i)
            fputs(", ", out);
        json_string(out, rec->key[i]);
        fputs(": ", out);
        if (is_json_int(rec->val[i]))
            fputs(rec->val[i], out);
        else
            json_string(out, rec->val[i]);
    }
    fputc('}', out);
}

void imsctl_print_json(FILE *out, const struct imsctl_rec *recs, size_t n, bool grouped)
{
    bool first_group = true;

    if (!grouped) {
        fputc('[', out);
        for (size_t r = 0; r < n; r++) {
            fputs(r ? ",\n " : "", out);
            json_object(out, &recs[r]);
        }
        fputs("]\n", out);
        return;
    }
    fputc('{', out);
    for (size_t r = 0; r < n; r++) {
        bool seen = false, first = true;
        for (size_t p = 0; p < r && !seen; p++)
            seen = strcmp(recs[p].type, recs[r].type) == 0;
        if (seen)
            continue; /* this type was printed with its first record */
        fputs(first_group ? "\"" : ",\n \"", out);
        first_group = false;
        print_lower(out, recs[r].type);
        fputs("s\": [", out);
        for (size_t q = r; q < n; q++) {
            if (strcmp(recs[q].type, recs[r].type) != 0)
                continue;
            fputs(first ? "" : ", ", out);
            first = false;
            json_object(out, &recs[q]);
        }
        fputc(']', out);
    }
    fputs("}\n", out);
}

int imsctl_ctl_args(const char *prog, int argc, char **argv, struct imsctl_ctl_opts *opts,
                    void (*usage)(FILE *out), const char **words, size_t max_words, size_t *n_words)
{
    *n_words = 0;
    for (int i = 1; i < argc; i++) {
        int taken = imsctl_ctl_opt(prog, opts, true, argc, argv, &i);
        if (taken < 0)
            return IMSCTL_EXIT_USAGE;
        if (taken)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (argv[i][0] == '-') {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[i]);
            usage(stderr);
            return IMSCTL_EXIT_USAGE;
        }
        if (*n_words == max_words) {
            fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[i]);
            return IMSCTL_EXIT_USAGE;
        }
        words[(*n_words)++] = argv[i];
    }
    return 0;
}
