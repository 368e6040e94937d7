/* cfg_get.c: typed getters over a loaded configuration. */
#include "cfg_internal.h"

#include <errno.h>

#define K(kind) (1u << (kind))

/*
 * The value of path when the schema has it with one of the kinds in mask.
 * Otherwise logs the programming error (naming the getter) and returns NULL.
 */
static const struct cfg__value *lookup(const struct cfg *cfg, const char *path, unsigned mask,
                                       const char *getter)
{
    int idx;

    if (!cfg || !path) {
        log_error("cfg: %s() called with a NULL %s", getter, cfg ? "path" : "configuration");
        return NULL;
    }
    idx = cfg__schema_find(cfg->schema, path);
    if (idx < 0) {
        log_error("cfg: %s(\"%s\"): no such setting in the schema", getter, path);
        return NULL;
    }
    if (!(mask & K(cfg->schema[idx].kind))) {
        log_error("cfg: %s(\"%s\"): the setting is a %s", getter, path,
                  cfg__kind_name(cfg->schema[idx].kind));
        return NULL;
    }
    return &cfg->vals[idx];
}

const char *cfg_str(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v =
        lookup(cfg, path, K(CFG_STRING) | K(CFG_ADDRESS) | K(CFG_PATH), __func__);

    return v && v->present ? v->s : NULL;
}

const char *const cfg_log_levels[] = {"error", "warn", "notice", "info", "debug", NULL};

const char *cfg_str_opt(const struct cfg *cfg, const char *path)
{
    const char *s = cfg_str(cfg, path);

    return s && *s ? s : NULL;
}

long long cfg_int(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v =
        lookup(cfg, path, K(CFG_INT) | K(CFG_PORT) | K(CFG_DURATION), __func__);

    return v && v->present ? v->i : 0;
}

bool cfg_bool(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_BOOL), __func__);

    return v && v->present ? v->b : false;
}

double cfg_float(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_FLOAT), __func__);

    return v && v->present ? v->f : 0.0;
}

bool cfg_is_set(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v = lookup(cfg, path, ~0u, __func__);

    return v && v->present;
}

int cfg_address(const struct cfg *cfg, const char *path, char *host, size_t hostlen, uint16_t *port)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_ADDRESS), __func__);

    if (!v)
        return -EINVAL;
    if (!v->present)
        return -ENOENT;
    return cfg__parse_address(v->s, host, hostlen, port);
}

int cfg_list_count(const struct cfg *cfg, const char *path)
{
    const struct cfg__value *v =
        lookup(cfg, path, K(CFG_STRING_LIST) | K(CFG_INT_LIST) | K(CFG_GROUP_LIST), __func__);

    return v ? v->count : 0;
}

const char *cfg_list_str(const struct cfg *cfg, const char *path, int i)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_STRING_LIST), __func__);

    return v && i >= 0 && i < v->count ? v->strs[i] : NULL;
}

long long cfg_list_int(const struct cfg *cfg, const char *path, int i)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_INT_LIST), __func__);

    return v && i >= 0 && i < v->count ? v->ints[i] : 0;
}

const struct cfg *cfg_group(const struct cfg *cfg, const char *path, int i)
{
    const struct cfg__value *v = lookup(cfg, path, K(CFG_GROUP_LIST), __func__);

    return v && i >= 0 && i < v->count ? &v->groups[i] : NULL;
}

const char *cfg_file(const struct cfg *cfg)
{
    return cfg && cfg->root ? cfg->root->file : NULL;
}
