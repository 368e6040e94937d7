/*
 * sip_contact.c: Contact parameters and expiry, Event, Subscription-State.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool sip_contact_is_star(const osip_message_t *m)
{
    const osip_contact_t *c;

    if (m == NULL)
        return false;
    c = osip_list_get(&m->contacts, 0);
    return c != NULL && c->url == NULL && c->displayname != NULL &&
           strcmp(c->displayname, "*") == 0;
}

static const osip_generic_param_t *sip__contact_param(const osip_contact_t *c, const char *name)
{
    int i;

    if (c == NULL || name == NULL)
        return NULL;
    for (i = 0; i < osip_list_size(&c->gen_params); i++) {
        const osip_generic_param_t *p = osip_list_get(&c->gen_params, i);
        if (p != NULL && p->gname != NULL && strcasecmp(p->gname, name) == 0)
            return p;
    }
    return NULL;
}

bool sip_contact_has_param(const osip_contact_t *c, const char *name)
{
    return sip__contact_param(c, name) != NULL;
}

int sip_contact_param_get(const osip_contact_t *c, const char *name, char *out, size_t outlen)
{
    const osip_generic_param_t *p = sip__contact_param(c, name);

    if (p == NULL)
        return -ENOENT;
    if (out == NULL)
        return -EINVAL;
    if (p->gvalue == NULL)
        return sip__copy(out, outlen, "", 0);
    return sip_unquote(p->gvalue, strlen(p->gvalue), out, outlen);
}

static int sip__parse_u32(const char *s, uint32_t *out)
{
    unsigned long long v = 0;
    size_t i;

    while (isspace((unsigned char)*s))
        s++;
    for (i = 0; isdigit((unsigned char)s[i]); i++) {
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > UINT32_MAX)
            return -EBADMSG;
    }
    if (i == 0)
        return -EBADMSG;
    while (isspace((unsigned char)s[i]))
        i++;
    if (s[i] != '\0')
        return -EBADMSG;
    *out = (uint32_t)v;
    return 0;
}

int sip_contact_expires(const osip_message_t *m, const osip_contact_t *c, uint32_t dflt,
                        uint32_t max, uint32_t *out)
{
    char v[32];
    uint32_t e = dflt;
    int r;

    if (m == NULL || out == NULL)
        return -EINVAL;
    r = sip_contact_param_get(c, "expires", v, sizeof(v));
    if (r == 0) {
        if (sip__parse_u32(v, &e) < 0)
            return -EBADMSG;
    } else if (r != -ENOENT) {
        return -EBADMSG;
    } else {
        r = sip_hdr_get_uint(m, "Expires", &e);
        if (r == -ENOENT)
            e = dflt;
        else if (r < 0)
            return r;
    }
    if (max > 0 && e > max)
        e = max;
    *out = e;
    return 0;
}

int sip_contact_set_expires(osip_contact_t *c, uint32_t expires)
{
    char buf[16];
    int i;

    if (c == NULL)
        return -EINVAL;
    snprintf(buf, sizeof(buf), "%u", expires);
    for (i = 0; i < osip_list_size(&c->gen_params); i++) {
        osip_generic_param_t *p = osip_list_get(&c->gen_params, i);
        if (p != NULL && p->gname != NULL && strcasecmp(p->gname, "expires") == 0) {
            char *dup = osip_strdup(buf);
            if (dup == NULL)
                return -ENOMEM;
            osip_free(p->gvalue);
            p->gvalue = dup;
            return 0;
        }
    }
    {
        char *n = osip_strdup("expires"), *v = osip_strdup(buf);
        if (n == NULL || v == NULL || osip_generic_param_add(&c->gen_params, n, v) != 0) {
            osip_free(n);
            osip_free(v);
            return -ENOMEM;
        }
    }
    return 0;
}

int sip_contact_instance(const osip_contact_t *c, char *out, size_t outlen)
{
    int r = sip_contact_param_get(c, "+sip.instance", out, outlen);

    if (r == 0 && out[0] == '\0')
        return -EBADMSG;
    return r;
}

int sip_contact_reg_id(const osip_contact_t *c, uint32_t *out)
{
    char v[32];
    uint32_t id;
    int r;

    if (out == NULL)
        return -EINVAL;
    r = sip_contact_param_get(c, "reg-id", v, sizeof(v));
    if (r == -ENOENT)
        return r;
    if (r < 0 || sip__parse_u32(v, &id) < 0 || id == 0 || id > 0x7fffffffu)
        return -EBADMSG;
    *out = id;
    return 0;
}

int sip_event_get(const osip_message_t *m, char *pkg, size_t pkglen, char *id, size_t idlen)
{
    const char *v = sip_hdr_get(m, "Event", 0);
    struct sip_param params[SIP_PARAMS_MAX];
    const struct sip_param *p;
    size_t i = 0, n = 0, len;
    int r;

    if (v == NULL)
        return -ENOENT;
    if (pkg == NULL)
        return -EINVAL;
    len = strlen(v);
    while (i < len && isspace((unsigned char)v[i]))
        i++;
    {
        size_t b = i;
        while (i < len && sip__is_token_char((unsigned char)v[i]))
            i++;
        if (i == b)
            return -EBADMSG;
        r = sip__copy(pkg, pkglen, v + b, i - b);
        if (r < 0)
            return r;
    }
    while (i < len && isspace((unsigned char)v[i]))
        i++;
    if (i < len && v[i] != ';')
        return -EBADMSG;
    r = sip__params_parse(v + i, len - i, ';', params, SIP_PARAMS_MAX, &n);
    if (r < 0)
        return -EBADMSG;
    if (id != NULL) {
        p = sip__param_find(params, n, "id");
        r = sip__copy(id, idlen, p != NULL ? p->value : "", p != NULL ? strlen(p->value) : 0);
        if (r < 0)
            return r;
    }
    return 0;
}

int sip_substate_parse(const char *value, struct sip_substate *out)
{
    struct sip_param params[SIP_PARAMS_MAX];
    size_t i = 0, n = 0, len, k;
    int r;

    if (value == NULL || out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->expires = -1;
    out->retry_after = -1;
    len = strlen(value);
    while (i < len && isspace((unsigned char)value[i]))
        i++;
    {
        size_t b = i;
        while (i < len && sip__is_token_char((unsigned char)value[i]))
            i++;
        if (i == b)
            return -EBADMSG;
        r = sip__copy(out->state, sizeof(out->state), value + b, i - b);
        if (r < 0)
            return -EBADMSG;
    }
    while (i < len && isspace((unsigned char)value[i]))
        i++;
    if (i < len && value[i] != ';')
        return -EBADMSG;
    r = sip__params_parse(value + i, len - i, ';', params, SIP_PARAMS_MAX, &n);
    if (r < 0)
        return -EBADMSG;
    for (k = 0; k < n; k++) {
        uint32_t v;
        if (strcasecmp(params[k].name, "expires") == 0 ||
            strcasecmp(params[k].name, "retry-after") == 0) {
            if (!params[k].has_value || sip__parse_u32(params[k].value, &v) < 0)
                return -EBADMSG;
            if (strcasecmp(params[k].name, "expires") == 0)
                out->expires = v;
            else
                out->retry_after = v;
        } else if (strcasecmp(params[k].name, "reason") == 0) {
            if (!params[k].has_value || sip__copy(out->reason, sizeof(out->reason), params[k].value,
                                                  strlen(params[k].value)) < 0)
                return -EBADMSG;
        }
    }
    return 0;
}

int sip_substate_get(const osip_message_t *m, struct sip_substate *out)
{
    const char *v = sip_hdr_get(m, "Subscription-State", 0);

    if (v == NULL)
        return -ENOENT;
    return sip_substate_parse(v, out);
}

int sip_substate_build(const struct sip_substate *st, char *buf, size_t buflen)
{
    size_t off = 0;
    int r;

    if (st == NULL || buf == NULL || !sip__is_token(st->state))
        return -EINVAL;
    r = sip__append(buf, buflen, &off, "%s", st->state);
    if (r == 0 && st->reason[0] != '\0') {
        if (!sip__is_token(st->reason))
            return -EINVAL;
        r = sip__append(buf, buflen, &off, ";reason=%s", st->reason);
    }
    if (r == 0 && st->expires >= 0)
        r = sip__append(buf, buflen, &off, ";expires=%lld", (long long)st->expires);
    if (r == 0 && st->retry_after >= 0)
        r = sip__append(buf, buflen, &off, ";retry-after=%lld", (long long)st->retry_after);
    return r;
}
