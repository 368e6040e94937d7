/* cfg_print.c: error text, the effective configuration and the Markdown reference. */
#include "cfg_internal.h"

#include <stdarg.h>
#include <string.h>

const char *cfg_error_format(const struct cfg_error *err, char *buf, size_t len)
{
    char line[24] = "";

    if (!buf || len == 0)
        return buf;
    if (!err) {
        buf[0] = '\0';
        return buf;
    }
    if (err->line > 0)
        snprintf(line, sizeof(line), ":%d", err->line);
    snprintf(buf, len, "%s%s: %s%s%s", err->file, line, err->setting, err->setting[0] ? ": " : "",
             err->msg);
    return buf;
}

/* Formats a shown path into buf[300], truncating if needed. */
__attribute__((format(printf, 2, 3))) static void pathf(char *buf, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, 300, fmt, ap);
    va_end(ap);
}

/* Writes s as a libconfig string literal. */
static void put_quoted(const char *s, FILE *fp)
{
    fputc('"', fp);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(fp, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", fp);
        else if (c == '\t')
            fputs("\\t", fp);
        else if (c < 0x20)
            fprintf(fp, "\\x%02x", c);
        else
            fputc(c, fp);
    }
    fputc('"', fp);
}

static void dump_view(const struct cfg *cfg, const char *prefix, FILE *fp)
{
    for (size_t i = 0; i < cfg->n; i++) {
        const struct cfg_spec *spec = &cfg->schema[i];
        const struct cfg__value *v = &cfg->vals[i];
        char path[300];

        pathf(path, "%s%s%s", prefix, *prefix ? "." : "", spec->path);
        if (!v->present) {
            fprintf(fp, "# %s: not set\n", path);
            continue;
        }
        if (spec->kind == CFG_GROUP_LIST) {
            fprintf(fp, "# %s: %d group%s\n", path, v->count, v->count == 1 ? "" : "s");
            for (int k = 0; k < v->count; k++) {
                char sub[300];
                pathf(sub, "%s[%d]", path, k);
                dump_view(&v->groups[k], sub, fp);
            }
            continue;
        }
        fprintf(fp, "%s = ", path);
        switch (spec->kind) {
        case CFG_STRING:
        case CFG_ADDRESS:
        case CFG_PATH:
            put_quoted(v->s, fp);
            break;
        case CFG_INT:
        case CFG_PORT:
        case CFG_DURATION:
            fprintf(fp, "%lld", v->i);
            break;
        case CFG_FLOAT:
            fprintf(fp, "%g", v->f);
            break;
        case CFG_BOOL:
            fputs(v->b ? "true" : "false", fp);
            break;
        case CFG_STRING_LIST:
        case CFG_INT_LIST:
            fputc('[', fp);
            for (int k = 0; k < v->count; k++) {
                if (k)
                    fputs(", ", fp);
                if (spec->kind == CFG_STRING_LIST)
                    put_quoted(v->strs[k], fp);
                else
                    fprintf(fp, "%lld", v->ints[k]);
            }
            fputc(']', fp);
            break;
        case CFG_GROUP_LIST:
            break;
        }
        fprintf(fp, ";%s\n", v->from_file ? "" : "  # default");
    }
}

void cfg_dump(const struct cfg *cfg, FILE *fp)
{
    if (!cfg || !fp)
        return;
    if (cfg->root == cfg)
        fprintf(fp, "# effective configuration from %s\n", cfg->file);
    dump_view(cfg, "", fp);
}

/* Writes text for a Markdown table cell: '|' escaped, newlines as spaces. */
static void put_cell(const char *s, FILE *fp)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", fp);
        else if (*s == '\n')
            fputc(' ', fp);
        else
            fputc(*s, fp);
    }
}

static void put_allowed(const struct cfg_spec *spec, FILE *fp)
{
    bool ranged = spec->min != 0 || spec->max != 0;

    if (spec->choices) {
        for (size_t k = 0; spec->choices[k]; k++)
            fprintf(fp, "%s`%s`", k ? ", " : "", spec->choices[k]);
        if (spec->kind == CFG_STRING_LIST)
            fputs(" (each)", fp);
        return;
    }
    switch (spec->kind) {
    case CFG_PORT:
        fprintf(fp, "%lld..%lld", ranged ? spec->min : 1, ranged ? spec->max : 65535);
        break;
    case CFG_INT:
    case CFG_FLOAT:
    case CFG_DURATION:
    case CFG_INT_LIST:
        if (ranged)
            fprintf(fp, "%lld..%lld%s", spec->min, spec->max,
                    spec->kind == CFG_INT_LIST ? " (each)" : "");
        break;
    case CFG_STRING_LIST:
    case CFG_GROUP_LIST:
        if (spec->min > 0 && spec->max > 0)
            fprintf(fp, "%lld..%lld elements", spec->min, spec->max);
        else if (spec->min > 0)
            fprintf(fp, "at least %lld element%s", spec->min, spec->min == 1 ? "" : "s");
        else if (spec->max > 0)
            fprintf(fp, "at most %lld element%s", spec->max, spec->max == 1 ? "" : "s");
        break;
    case CFG_ADDRESS:
        fputs("`host`, `host:port`, `[ipv6]:port`", fp);
        break;
    case CFG_STRING:
    case CFG_BOOL:
    case CFG_PATH:
        break;
    }
}

static void reference_rows(const struct cfg_spec *schema, const char *prefix, FILE *fp)
{
    for (size_t i = 0; schema && schema[i].path; i++) {
        const struct cfg_spec *spec = &schema[i];

        fprintf(fp, "| `%s%s` | %s | %s | ", prefix, spec->path, cfg__kind_name(spec->kind),
                spec->flags & CFG_REQUIRED ? "yes" : "no");
        if (spec->def) {
            fputc('`', fp);
            put_cell(spec->def, fp);
            fputc('`', fp);
        }
        fputs(" | ", fp);
        put_allowed(spec, fp);
        fputs(" | ", fp);
        put_cell(spec->help, fp);
        fputs(" |\n", fp);
        if (spec->kind == CFG_GROUP_LIST) {
            char sub[300];
            pathf(sub, "%s%s[].", prefix, spec->path);
            reference_rows(spec->sub, sub, fp);
        }
    }
}

void cfg_print_reference(const struct cfg_spec *schema, FILE *fp)
{
    if (!fp)
        return;
    fputs("| Setting | Type | Required | Default | Allowed | Description |\n", fp);
    fputs("|---|---|---|---|---|---|\n", fp);
    reference_rows(schema, "", fp);
}
