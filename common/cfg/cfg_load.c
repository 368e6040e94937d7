/* cfg_load.c: reading a libconfig file and checking it against a schema. */
#include "cfg_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATH_MAX_LEN 256

/* Formats a path shown in messages into buf[PATH_MAX_LEN], truncating if needed. */
__attribute__((format(printf, 2, 3))) static void pathf(char *buf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, PATH_MAX_LEN, fmt, ap);
    va_end(ap);
}

struct loader {
    const char *file; /* the main file, for errors not tied to a setting */
    struct cfg_error *err;
    const char *dir; /* the include directory (the main file's) */
};

/*
 * Stores in err->file the file libconfig names: the main file as given, an
 * included one (named as in its @include) joined to the include directory.
 */
static void set_file(struct loader *ld, const char *file)
{
    struct cfg_error *err = ld->err;

    if (!file || strcmp(file, ld->file) == 0 || file[0] == '/' || !ld->dir)
        snprintf(err->file, sizeof(err->file), "%s", file ? file : ld->file);
    else
        snprintf(err->file, sizeof(err->file), "%s/%s", ld->dir, file);
}

/* Where a value comes from: a setting of the file, or a default of the schema. */
struct origin {
    const config_setting_t *s; /* NULL for a default */
    const char *path;          /* dotted path shown in errors */
};

__attribute__((format(printf, 4, 5))) static int fail(struct loader *ld, const config_setting_t *s,
                                                      const char *path, const char *fmt, ...)
{
    struct cfg_error *err = ld->err;
    va_list ap;

    if (!err)
        return -EINVAL;
    set_file(ld, s ? config_setting_source_file(s) : NULL);
    err->line = s ? (int)config_setting_source_line(s) : 0;
    snprintf(err->setting, sizeof(err->setting), "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* The prefix of messages about a value: nothing for the file, a note for a default. */
static const char *dflt(const struct origin *o)
{
    return o->s ? "" : "invalid schema default: ";
}

static const char *lc_type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:
        return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        return "an integer";
    case CONFIG_TYPE_FLOAT:
        return "a float";
    case CONFIG_TYPE_STRING:
        return "a string";
    case CONFIG_TYPE_BOOL:
        return "a boolean";
    case CONFIG_TYPE_ARRAY:
        return "an array";
    case CONFIG_TYPE_LIST:
        return "a list";
    }
    return "nothing";
}

static const char *expected_name(enum cfg_kind kind)
{
    switch (kind) {
    case CFG_STRING:
    case CFG_PATH:
        return "a string";
    case CFG_ADDRESS:
        return "a string \"host\" or \"host:port\"";
    case CFG_INT:
        return "an integer";
    case CFG_PORT:
        return "an integer port";
    case CFG_BOOL:
        return "a boolean (true or false)";
    case CFG_FLOAT:
        return "a number";
    case CFG_DURATION:
        return "a duration (seconds, or a string such as \"30s\", \"5m\", \"2h\")";
    case CFG_STRING_LIST:
        return "a list of strings";
    case CFG_INT_LIST:
        return "a list of integers";
    case CFG_GROUP_LIST:
        return "a list of groups";
    }
    return "?";
}

static int type_error(struct loader *ld, const config_setting_t *s, const char *path,
                      const char *expected)
{
    return fail(ld, s, path, "expected %s, got %s", expected, lc_type_name(s));
}

static bool has_range(const struct cfg_spec *spec)
{
    return spec->min != 0 || spec->max != 0;
}

static int check_int(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                     long long v)
{
    long long lo = spec->min, hi = spec->max;

    if (spec->kind == CFG_PORT && !has_range(spec)) {
        lo = 1;
        hi = 65535;
    } else if (!has_range(spec)) {
        if (spec->kind == CFG_DURATION && v < 0)
            return fail(ld, o->s, o->path, "%smust not be negative (got %lld)", dflt(o), v);
        return 0;
    }
    if (v < lo || v > hi)
        return fail(ld, o->s, o->path, "%smust be between %lld and %lld (got %lld)", dflt(o), lo,
                    hi, v);
    return 0;
}

static int check_float(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                       double v)
{
    if (has_range(spec) && (v < (double)spec->min || v > (double)spec->max))
        return fail(ld, o->s, o->path, "%smust be between %lld and %lld (got %g)", dflt(o),
                    spec->min, spec->max, v);
    return 0;
}

static int check_choice(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                        const char *v)
{
    char list[160] = "";
    size_t used = 0;

    if (!spec->choices)
        return 0;
    for (size_t i = 0; spec->choices[i]; i++) {
        if (strcmp(spec->choices[i], v) == 0)
            return 0;
    }
    for (size_t i = 0; spec->choices[i] && used < sizeof(list); i++) {
        int w =
            snprintf(list + used, sizeof(list) - used, "%s'%s'", i ? ", " : "", spec->choices[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return fail(ld, o->s, o->path, "%smust be one of %s (got '%s')", dflt(o), list, v);
}

static int check_string(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                        const char *v)
{
    if (spec->kind == CFG_PATH && !*v)
        return fail(ld, o->s, o->path, "%smust not be empty", dflt(o));
    if (spec->kind == CFG_ADDRESS && cfg__parse_address(v, NULL, 0, NULL) < 0)
        return fail(ld, o->s, o->path,
                    "%snot a valid address (expected \"host\", \"host:port\" or "
                    "\"[ipv6]:port\", got '%s')",
                    dflt(o), v);
    return check_choice(ld, spec, o, v);
}

static int check_count(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                       int count)
{
    if (spec->min > 0 && count < spec->min)
        return fail(ld, o->s, o->path, "must have at least %lld element%s (got %d)", spec->min,
                    spec->min == 1 ? "" : "s", count);
    if (spec->max > 0 && count > spec->max)
        return fail(ld, o->s, o->path, "must have at most %lld element%s (got %d)", spec->max,
                    spec->max == 1 ? "" : "s", count);
    return 0;
}

/* Converts a schema default into v (scalars only) and checks it like a file value. */
static int load_default(struct loader *ld, const struct cfg_spec *spec, const char *path,
                        struct cfg__value *v)
{
    struct origin o = {NULL, path};
    const char *def = spec->def;
    char *end = NULL;

    switch (spec->kind) {
    case CFG_STRING:
    case CFG_PATH:
    case CFG_ADDRESS:
        v->s = def;
        return check_string(ld, spec, &o, def);
    case CFG_INT:
    case CFG_PORT:
        errno = 0;
        v->i = strtoll(def, &end, 10);
        if (errno || end == def || *end)
            return fail(ld, NULL, path, "invalid schema default: '%s' is not an integer", def);
        return check_int(ld, spec, &o, v->i);
    case CFG_DURATION:
        if (cfg__parse_duration(def, &v->i) < 0)
            return fail(ld, NULL, path, "invalid schema default: '%s' is not a duration", def);
        return check_int(ld, spec, &o, v->i);
    case CFG_FLOAT:
        errno = 0;
        v->f = strtod(def, &end);
        if (errno || end == def || *end)
            return fail(ld, NULL, path, "invalid schema default: '%s' is not a number", def);
        return check_float(ld, spec, &o, v->f);
    case CFG_BOOL:
        if (strcmp(def, "true") != 0 && strcmp(def, "false") != 0)
            return fail(ld, NULL, path, "invalid schema default: '%s' is not true or false", def);
        v->b = strcmp(def, "true") == 0;
        return 0;
    case CFG_STRING_LIST:
    case CFG_INT_LIST:
    case CFG_GROUP_LIST:
        break;
    }
    return fail(ld, NULL, path, "invalid schema default: a %s has no default",
                cfg__kind_name(spec->kind));
}

static int join_path(char *buf, const char *a, const char *b)
{
    int w = snprintf(buf, PATH_MAX_LEN, "%s%s%s", a ? a : "", a && *a ? "." : "", b);

    return w < 0 || w >= PATH_MAX_LEN ? -ENAMETOOLONG : 0;
}

static int check_group(struct loader *ld, struct cfg *view, const config_setting_t *group,
                       const char *prefix, const char *rel);
static int finish_view(struct loader *ld, struct cfg *view, const char *prefix,
                       const config_setting_t *where);

static int load_string_list(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                            struct cfg__value *v)
{
    int n = config_setting_length(o->s), rc;

    if (n > 0 && !(v->strs = calloc((size_t)n, sizeof(*v->strs))))
        return -ENOMEM;
    for (int k = 0; k < n; k++) {
        const config_setting_t *e = config_setting_get_elem(o->s, (unsigned)k);
        char path[PATH_MAX_LEN];
        struct origin eo = {e, path};

        pathf(path, "%s[%d]", o->path, k);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return type_error(ld, e, path, "a string");
        v->strs[k] = config_setting_get_string(e);
        v->count = k + 1;
        if ((rc = check_choice(ld, spec, &eo, v->strs[k])) < 0)
            return rc;
    }
    return check_count(ld, spec, o, n);
}

static int load_int_list(struct loader *ld, const struct cfg_spec *spec, const struct origin *o,
                         struct cfg__value *v)
{
    int n = config_setting_length(o->s), rc;

    if (n > 0 && !(v->ints = calloc((size_t)n, sizeof(*v->ints))))
        return -ENOMEM;
    for (int k = 0; k < n; k++) {
        const config_setting_t *e = config_setting_get_elem(o->s, (unsigned)k);
        char path[PATH_MAX_LEN];
        struct origin eo = {e, path};

        pathf(path, "%s[%d]", o->path, k);
        if (config_setting_type(e) != CONFIG_TYPE_INT &&
            config_setting_type(e) != CONFIG_TYPE_INT64)
            return type_error(ld, e, path, "an integer");
        v->ints[k] = config_setting_get_int64(e);
        v->count = k + 1;
        if ((rc = check_int(ld, spec, &eo, v->ints[k])) < 0)
            return rc;
    }
    return 0;
}

static int load_group_list(struct loader *ld, const struct cfg *parent, const struct cfg_spec *spec,
                           const struct origin *o, struct cfg__value *v)
{
    int n = config_setting_length(o->s), rc;

    if (n > 0 && !(v->groups = calloc((size_t)n, sizeof(*v->groups))))
        return -ENOMEM;
    for (int k = 0; k < n; k++) {
        const config_setting_t *e = config_setting_get_elem(o->s, (unsigned)k);
        struct cfg *g = &v->groups[k];
        char prefix[PATH_MAX_LEN];

        pathf(prefix, "%s[%d]", o->path, k);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP)
            return type_error(ld, e, prefix, "a group { ... }");
        g->schema = spec->sub;
        g->n = cfg__schema_len(spec->sub);
        g->root = parent->root;
        v->count = k + 1;
        if (!(g->vals = calloc(g->n ? g->n : 1, sizeof(*g->vals))))
            return -ENOMEM;
        if ((rc = check_group(ld, g, e, prefix, NULL)) < 0)
            return rc;
        if ((rc = finish_view(ld, g, prefix, e)) < 0)
            return rc;
    }
    return check_count(ld, spec, o, n);
}

/* Checks one setting of the file against its schema entry and stores its value. */
static int load_value(struct loader *ld, struct cfg *view, int idx, const config_setting_t *s,
                      const char *path)
{
    const struct cfg_spec *spec = &view->schema[idx];
    struct cfg__value *v = &view->vals[idx];
    struct origin o = {s, path};
    int type = config_setting_type(s), rc = 0;

    switch (spec->kind) {
    case CFG_STRING:
    case CFG_PATH:
    case CFG_ADDRESS:
        if (type != CONFIG_TYPE_STRING)
            return type_error(ld, s, path, expected_name(spec->kind));
        v->s = config_setting_get_string(s);
        rc = check_string(ld, spec, &o, v->s);
        break;
    case CFG_INT:
    case CFG_PORT:
        if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
            return type_error(ld, s, path, expected_name(spec->kind));
        v->i = config_setting_get_int64(s);
        rc = check_int(ld, spec, &o, v->i);
        break;
    case CFG_DURATION:
        if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
            v->i = config_setting_get_int64(s);
        else if (type != CONFIG_TYPE_STRING)
            return type_error(ld, s, path, expected_name(spec->kind));
        else if (cfg__parse_duration(config_setting_get_string(s), &v->i) < 0)
            return fail(ld, s, path,
                        "not a valid duration (expected seconds or a number followed by s, m, h "
                        "or d, got '%s')",
                        config_setting_get_string(s));
        rc = check_int(ld, spec, &o, v->i);
        break;
    case CFG_FLOAT:
        if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64)
            v->f = (double)config_setting_get_int64(s);
        else if (type == CONFIG_TYPE_FLOAT)
            v->f = config_setting_get_float(s);
        else
            return type_error(ld, s, path, expected_name(spec->kind));
        rc = check_float(ld, spec, &o, v->f);
        break;
    case CFG_BOOL:
        if (type != CONFIG_TYPE_BOOL)
            return type_error(ld, s, path, expected_name(spec->kind));
        v->b = config_setting_get_bool(s) != 0;
        break;
    case CFG_STRING_LIST:
    case CFG_INT_LIST:
        if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
            return type_error(ld, s, path, expected_name(spec->kind));
        if (spec->kind == CFG_STRING_LIST)
            rc = load_string_list(ld, spec, &o, v);
        else
            rc = load_int_list(ld, spec, &o, v);
        break;
    case CFG_GROUP_LIST:
        if (type != CONFIG_TYPE_LIST && !(type == CONFIG_TYPE_ARRAY && !config_setting_length(s)))
            return type_error(ld, s, path, "a list of groups ( { ... }, ... )");
        rc = load_group_list(ld, view, spec, &o, v);
        break;
    }
    if (rc == 0)
        v->from_file = v->present = true;
    return rc;
}

/* Edit distance between two short strings (longer ones count as far apart). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[PATH_MAX_LEN + 1];

    if (la > PATH_MAX_LEN || lb > PATH_MAX_LEN)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *last_part(const char *path)
{
    const char *dot = strrchr(path, '.');

    return dot ? dot + 1 : path;
}

/*
 * The schema path (or group prefix of one) closest to the unknown rel, copied
 * into out; false when none is close enough to be a likely typo. A setting put
 * in the wrong group is found by its last name ("listen_port" -> "sip.listen_port").
 */
static bool suggest(const struct cfg_spec *schema, const char *rel, char *out, size_t outlen)
{
    size_t best = (size_t)-1, len = strlen(rel);
    const char *moved = NULL;

    for (size_t i = 0; schema[i].path; i++) {
        char cand[PATH_MAX_LEN];

        pathf(cand, "%s", schema[i].path);
        for (;;) {
            size_t d = distance(rel, cand);
            char *dot;

            if (d < best) {
                best = d;
                snprintf(out, outlen, "%s", cand);
            }
            if (!(dot = strrchr(cand, '.')))
                break;
            *dot = '\0';
        }
        if (!moved && strcmp(last_part(schema[i].path), last_part(rel)) == 0)
            moved = schema[i].path;
    }
    if (best != (size_t)-1 && best > 0 && (best <= 2 || best * 3 <= len))
        return true;
    if (moved) {
        snprintf(out, outlen, "%s", moved);
        return true;
    }
    return false;
}

static int unknown(struct loader *ld, const struct cfg *view, const config_setting_t *s,
                   const char *prefix, const char *rel)
{
    char shown[PATH_MAX_LEN], guess[PATH_MAX_LEN];

    pathf(shown, "%s%s%s", prefix, *prefix ? "." : "", rel);
    if (suggest(view->schema, rel, guess, sizeof(guess)))
        return fail(ld, s, shown, "unknown setting (did you mean '%s%s%s'?)", prefix,
                    *prefix ? "." : "", guess);
    return fail(ld, s, shown, "unknown setting");
}

/* True when some schema path lies below the group rel ("sip" for "sip.listen_port"). */
static bool is_schema_group(const struct cfg_spec *schema, const char *rel)
{
    size_t len = strlen(rel);

    for (size_t i = 0; schema[i].path; i++) {
        if (strncmp(schema[i].path, rel, len) == 0 && schema[i].path[len] == '.')
            return true;
    }
    return false;
}

/*
 * Walks every member of a group of the file: each must be a schema setting
 * (checked and stored) or a group leading to some. prefix is the shown path of
 * the view ("" for the root, "scscfs[1]" for an element of a group list), rel
 * the path of group relative to the view (NULL for the view itself).
 */
static int check_group(struct loader *ld, struct cfg *view, const config_setting_t *group,
                       const char *prefix, const char *rel)
{
    int n = config_setting_length(group), rc;

    for (int k = 0; k < n; k++) {
        const config_setting_t *m = config_setting_get_elem(group, (unsigned)k);
        char sub[PATH_MAX_LEN], shown[PATH_MAX_LEN];
        int idx;

        if ((rc = join_path(sub, rel, config_setting_name(m))) < 0)
            return fail(ld, m, config_setting_name(m), "setting path too long");
        pathf(shown, "%s%s%s", prefix, *prefix ? "." : "", sub);
        idx = cfg__schema_find(view->schema, sub);
        if (idx >= 0)
            rc = load_value(ld, view, idx, m, shown);
        else if (is_schema_group(view->schema, sub) && config_setting_is_group(m))
            rc = check_group(ld, view, m, prefix, sub);
        else if (is_schema_group(view->schema, sub))
            rc = type_error(ld, m, shown, "a group { ... }");
        else
            rc = unknown(ld, view, m, prefix, sub);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * After the walk: required settings must have been given, the others get
 * their default. Every default is checked, even when the file overrides it, so
 * a bad schema is found on the first load. where is the group the view was
 * read from (NULL for the root), for the line of a missing setting.
 */
static int finish_view(struct loader *ld, struct cfg *view, const char *prefix,
                       const config_setting_t *where)
{
    for (size_t i = 0; i < view->n; i++) {
        const struct cfg_spec *spec = &view->schema[i];
        struct cfg__value *v = &view->vals[i], scratch = {0};
        char shown[PATH_MAX_LEN];
        int rc;

        pathf(shown, "%s%s%s", prefix, *prefix ? "." : "", spec->path);
        if (spec->kind == CFG_GROUP_LIST && !spec->sub)
            return fail(ld, NULL, shown, "invalid schema: a group list needs a sub-schema");
        if (spec->def && (rc = load_default(ld, spec, shown, v->present ? &scratch : v)) < 0)
            return rc;
        if (v->present)
            continue;
        if (spec->flags & CFG_REQUIRED)
            return fail(ld, where, shown, "required setting is missing");
        v->present = spec->def != NULL;
    }
    return 0;
}

void cfg__free_values(struct cfg *cfg)
{
    for (size_t i = 0; cfg->vals && i < cfg->n; i++) {
        struct cfg__value *v = &cfg->vals[i];

        free(v->strs);
        free(v->ints);
        for (int k = 0; v->groups && k < v->count; k++)
            cfg__free_values(&v->groups[k]);
        free(v->groups);
    }
    free(cfg->vals);
    cfg->vals = NULL;
}

void cfg_free(struct cfg *cfg)
{
    if (!cfg)
        return;
    cfg__free_values(cfg);
    if (cfg->lc) {
        config_destroy(cfg->lc);
        free(cfg->lc);
    }
    free(cfg->file);
    free(cfg);
}

/* Maps a libconfig read failure to file:line: message. */
static int read_error(struct loader *ld, const config_t *lc)
{
    struct cfg_error *err = ld->err;

    if (err) {
        set_file(ld, config_error_file(lc));
        err->line = config_error_line(lc);
        err->setting[0] = '\0';
        snprintf(err->msg, sizeof(err->msg), "%s",
                 config_error_text(lc) ? config_error_text(lc) : "cannot read the file");
    }
    return -EINVAL;
}

int cfg_load(const char *file, const struct cfg_spec *schema, struct cfg **out,
             struct cfg_error *err)
{
    struct loader ld = {file, err, NULL};
    struct cfg *cfg = NULL;
    char *dir = NULL;
    struct stat st = {0};
    FILE *fp;
    int rc;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!file || !schema)
        return -EINVAL;
    /* libconfig reports only "file I/O error": open it first for the reason. */
    if (!(fp = fopen(file, "r")) || fstat(fileno(fp), &st) < 0 || S_ISDIR(st.st_mode)) {
        rc = !fp ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -EIO;
        if (fp)
            fclose(fp);
        if (err) {
            snprintf(err->file, sizeof(err->file), "%s", file);
            snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-rc));
        }
        return rc;
    }
    fclose(fp);

    rc = -ENOMEM;
    if (!(cfg = calloc(1, sizeof(*cfg))) || !(cfg->file = strdup(file)) ||
        !(cfg->lc = calloc(1, sizeof(*cfg->lc))) || !(dir = strdup(file)))
        goto out;
    config_init(cfg->lc);
    ld.dir = dirname(dir);
    config_set_include_dir(cfg->lc, ld.dir);
    if (!config_read_file(cfg->lc, file)) {
        rc = read_error(&ld, cfg->lc);
        goto out;
    }
    cfg->schema = schema;
    cfg->n = cfg__schema_len(schema);
    cfg->root = cfg;
    if (!(cfg->vals = calloc(cfg->n ? cfg->n : 1, sizeof(*cfg->vals))))
        goto out;
    if ((rc = check_group(&ld, cfg, config_root_setting(cfg->lc), "", NULL)) < 0)
        goto out;
    if ((rc = finish_view(&ld, cfg, "", NULL)) < 0)
        goto out;
    *out = cfg;
    cfg = NULL;
    rc = 0;
out:
    if (rc == -ENOMEM && err && !err->msg[0]) {
        snprintf(err->file, sizeof(err->file), "%s", file);
        snprintf(err->msg, sizeof(err->msg), "out of memory");
    }
    cfg_free(cfg);
    free(dir);
    return rc;
}
