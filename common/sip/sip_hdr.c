/*
 * sip_hdr.c: generic access to the headers osip keeps in m->headers.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool sip__hdr_name_ok(const char *name)
{
    return name != NULL && sip__is_token(name) && !sip__hdr_is_typed(name);
}

int sip_hdr_count(const osip_message_t *m, const char *name)
{
    int i, n = 0, size;

    if (m == NULL || !sip__hdr_name_ok(name))
        return -EINVAL;
    size = osip_list_size(&m->headers);
    for (i = 0; i < size; i++) {
        const osip_header_t *h = osip_list_get(&m->headers, i);
        if (h != NULL && sip__hdr_name_eq(h->hname, name))
            n++;
    }
    return n;
}

const char *sip_hdr_get(const osip_message_t *m, const char *name, int n)
{
    int i, size;

    if (m == NULL || n < 0 || !sip__hdr_name_ok(name))
        return NULL;
    size = osip_list_size(&m->headers);
    for (i = 0; i < size; i++) {
        const osip_header_t *h = osip_list_get(&m->headers, i);
        if (h == NULL || !sip__hdr_name_eq(h->hname, name))
            continue;
        if (n-- == 0)
            return h->hvalue != NULL ? h->hvalue : "";
    }
    return NULL;
}

/* Creates a header with the canonical spelling of name. */
static int sip__hdr_new(const char *name, const char *value, osip_header_t **out)
{
    osip_header_t *h = NULL;

    if (osip_header_init(&h) != 0)
        return -ENOMEM;
    h->hname = osip_strdup(sip__hdr_canonical(name));
    h->hvalue = osip_strdup(value);
    if (h->hname == NULL || h->hvalue == NULL) {
        osip_header_free(h);
        return -ENOMEM;
    }
    *out = h;
    return 0;
}

static int sip__hdr_insert(osip_message_t *m, const char *name, const char *value, bool prepend)
{
    osip_header_t *h = NULL;
    int i, pos, size, r;

    if (m == NULL || value == NULL || !sip__hdr_name_ok(name))
        return -EINVAL;
    r = sip__hdr_new(name, value, &h);
    if (r < 0)
        return r;
    size = osip_list_size(&m->headers);
    pos = size;
    if (prepend) {
        for (i = 0; i < size; i++) {
            const osip_header_t *o = osip_list_get(&m->headers, i);
            if (o != NULL && sip__hdr_name_eq(o->hname, name)) {
                pos = i;
                break;
            }
        }
    }
    if (osip_list_add(&m->headers, h, pos) < 0) {
        osip_header_free(h);
        return -ENOMEM;
    }
    sip__touch(m);
    return 0;
}

int sip_hdr_add(osip_message_t *m, const char *name, const char *value)
{
    return sip__hdr_insert(m, name, value, false);
}

int sip_hdr_prepend(osip_message_t *m, const char *name, const char *value)
{
    return sip__hdr_insert(m, name, value, true);
}

int sip_hdr_remove(osip_message_t *m, const char *name)
{
    int i, n = 0;

    if (m == NULL || !sip__hdr_name_ok(name))
        return -EINVAL;
    for (i = 0; i < osip_list_size(&m->headers);) {
        osip_header_t *h = osip_list_get(&m->headers, i);
        if (h != NULL && sip__hdr_name_eq(h->hname, name)) {
            osip_list_remove(&m->headers, i);
            osip_header_free(h);
            n++;
        } else {
            i++;
        }
    }
    if (n > 0)
        sip__touch(m);
    return n;
}

int sip_hdr_replace(osip_message_t *m, const char *name, const char *value)
{
    int r;

    if (m == NULL || value == NULL || !sip__hdr_name_ok(name))
        return -EINVAL;
    r = sip_hdr_remove(m, name);
    if (r < 0)
        return r;
    return sip_hdr_add(m, name, value);
}

struct sip__token_find {
    const char *token;
    bool found;
};

static int sip__token_cb(const char *s, size_t len, void *arg)
{
    struct sip__token_find *f = arg;

    if (strlen(f->token) == len && strncasecmp(s, f->token, len) == 0)
        f->found = true;
    return 0;
}

bool sip_hdr_has_token(const osip_message_t *m, const char *name, const char *token)
{
    struct sip__token_find f = {.token = token, .found = false};
    const char *v;
    int i;

    if (token == NULL)
        return false;
    for (i = 0; (v = sip_hdr_get(m, name, i)) != NULL && !f.found; i++)
        (void)sip__split_commas(v, sip__token_cb, &f);
    return f.found;
}

int sip_hdr_get_uint(const osip_message_t *m, const char *name, uint32_t *out)
{
    const char *v = sip_hdr_get(m, name, 0);
    unsigned long long x = 0;
    const char *p;

    if (v == NULL)
        return -ENOENT;
    p = v;
    while (isspace((unsigned char)*p))
        p++;
    if (!isdigit((unsigned char)*p))
        return -EBADMSG;
    for (; isdigit((unsigned char)*p); p++) {
        x = x * 10 + (unsigned)(*p - '0');
        if (x > UINT32_MAX)
            return -EBADMSG;
    }
    while (isspace((unsigned char)*p))
        p++;
    /* Retry-After may go on with a comment or ;params; anything else is garbage. */
    if (*p != '\0' && *p != '(' && *p != ';')
        return -EBADMSG;
    *out = (uint32_t)x;
    return 0;
}

int sip_hdr_set_uint(osip_message_t *m, const char *name, uint32_t v)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%u", v);
    return sip_hdr_replace(m, name, buf);
}
