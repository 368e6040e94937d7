/*
 * sip_addr.c: name-addr lists (Route, Record-Route, Path, Service-Route,
 * P-Associated-URI, P-Asserted-Identity, P-Preferred-Identity) and Via.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool sip__has_scheme(const char *uri)
{
    const char *p = uri;

    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    return *p == ':' && p[1] != '\0';
}

static int sip__addr_parse_n(const char *v, size_t len, struct sip_addr *out)
{
    size_t b = 0, e = len, i, lt, gt;
    int r;

    memset(out, 0, sizeof(*out));
    while (b < e && isspace((unsigned char)v[b]))
        b++;
    while (e > b && isspace((unsigned char)v[e - 1]))
        e--;
    if (b == e)
        return -EBADMSG;
    /* find '<' outside a quoted display name */
    lt = e;
    for (i = b; i < e; i++) {
        if (v[i] == '"') {
            for (i++; i < e && v[i] != '"'; i++) {
                if (v[i] == '\\')
                    i++;
            }
            if (i >= e)
                return -EBADMSG;
        } else if (v[i] == '<') {
            lt = i;
            break;
        }
    }
    if (lt < e) {
        size_t de = lt;
        while (de > b && isspace((unsigned char)v[de - 1]))
            de--;
        if (de > b) {
            r = sip_unquote(v + b, de - b, out->display, sizeof(out->display));
            if (r < 0)
                return r;
        }
        for (gt = lt + 1; gt < e && v[gt] != '>'; gt++)
            ;
        if (gt >= e)
            return -EBADMSG;
        r = sip__copy(out->uri, sizeof(out->uri), v + lt + 1, gt - lt - 1);
        if (r < 0)
            return r;
        i = gt + 1;
        while (i < e && isspace((unsigned char)v[i]))
            i++;
        if (i < e && v[i] != ';')
            return -EBADMSG;
        r = sip__copy(out->params, sizeof(out->params), v + i, e - i);
    } else {
        /* addr-spec: parameters after ';' belong to the header */
        for (i = b; i < e && v[i] != ';' && !isspace((unsigned char)v[i]); i++)
            ;
        r = sip__copy(out->uri, sizeof(out->uri), v + b, i - b);
        if (r < 0)
            return r;
        while (i < e && isspace((unsigned char)v[i]))
            i++;
        if (i < e && v[i] != ';')
            return -EBADMSG;
        r = sip__copy(out->params, sizeof(out->params), v + i, e - i);
    }
    if (r < 0)
        return r;
    if (!sip__has_scheme(out->uri))
        return -EBADMSG;
    return 0;
}

int sip_addr_parse(const char *value, struct sip_addr *out)
{
    if (value == NULL || out == NULL)
        return -EINVAL;
    return sip__addr_parse_n(value, strlen(value), out);
}

struct sip__addr_collect {
    struct sip_addr *out;
    size_t max;
    size_t n;
};

static int sip__addr_cb(const char *s, size_t len, void *arg)
{
    struct sip__addr_collect *c = arg;
    int r;

    if (c->n >= c->max)
        return -E2BIG;
    r = sip__addr_parse_n(s, len, &c->out[c->n]);
    if (r < 0)
        return r == -ENOSPC ? -EBADMSG : r;
    c->n++;
    return 0;
}

static osip_list_t *sip__route_list(const osip_message_t *m, const char *hname)
{
    if (strcasecmp(hname, "Route") == 0)
        return (osip_list_t *)&m->routes;
    if (strcasecmp(hname, "Record-Route") == 0)
        return (osip_list_t *)&m->record_routes;
    return NULL;
}

int sip_addr_list_get(const osip_message_t *m, const char *hname, struct sip_addr *out, size_t max)
{
    struct sip__addr_collect c = {.out = out, .max = max, .n = 0};
    osip_list_t *typed;
    const char *v;
    int i, r = 0;

    if (m == NULL || hname == NULL || out == NULL)
        return -EINVAL;
    typed = sip__route_list(m, hname);
    if (typed != NULL) {
        for (i = 0; i < osip_list_size(typed) && r == 0; i++) {
            char *s = NULL;
            if (osip_route_to_str(osip_list_get(typed, i), &s) != 0 || s == NULL)
                return -ENOMEM;
            r = sip__split_commas(s, sip__addr_cb, &c);
            osip_free(s);
        }
    } else {
        for (i = 0; r == 0 && (v = sip_hdr_get(m, hname, i)) != NULL; i++)
            r = sip__split_commas(v, sip__addr_cb, &c);
    }
    if (r < 0)
        return r;
    return (int)c.n;
}

/* True when uri (without <>) has an lr parameter. */
static bool sip__uri_has_lr(const char *uri)
{
    const char *p = strchr(uri, ';');

    for (; p != NULL; p = strchr(p + 1, ';')) {
        if (strncasecmp(p + 1, "lr", 2) == 0 && (p[3] == '\0' || p[3] == ';' || p[3] == '='))
            return true;
    }
    return false;
}

int sip_addr_list_add(osip_message_t *m, const char *hname, const char *uri, bool lr, bool prepend)
{
    char buf[SIP_URI_MAX + 8];
    osip_list_t *typed;
    osip_route_t *rt = NULL;
    int n;

    if (m == NULL || hname == NULL || uri == NULL || !sip__has_scheme(uri) ||
        strpbrk(uri, "<>\r\n ") != NULL)
        return -EINVAL;
    n = snprintf(buf, sizeof(buf), "<%s%s>", uri, lr && !sip__uri_has_lr(uri) ? ";lr" : "");
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -EINVAL;
    typed = sip__route_list(m, hname);
    if (typed == NULL)
        return prepend ? sip_hdr_prepend(m, hname, buf) : sip_hdr_add(m, hname, buf);
    sip__init();
    if (osip_route_init(&rt) != 0)
        return -ENOMEM;
    if (osip_route_parse(rt, buf) != 0) {
        osip_route_free(rt);
        return -EINVAL;
    }
    if (osip_list_add(typed, rt, prepend ? 0 : -1) < 0) {
        osip_route_free(rt);
        return -ENOMEM;
    }
    sip__touch(m);
    return 0;
}

int sip_via_top(const osip_message_t *m, struct sip_via_info *out)
{
    osip_via_t *via;
    osip_generic_param_t *p = NULL;
    int r = 0;

    if (m == NULL || out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->rport = -1;
    via = osip_list_get(&m->vias, 0);
    if (via == NULL)
        return -ENOENT;
    if (via->protocol != NULL)
        r = sip__copy(out->transport, sizeof(out->transport), via->protocol, strlen(via->protocol));
    if (r == 0 && via->host != NULL)
        r = sip__copy(out->host, sizeof(out->host), via->host, strlen(via->host));
    if (r < 0)
        return -EBADMSG;
    if (via->port != NULL) {
        char *end = NULL;
        long port = strtol(via->port, &end, 10);
        if (*end != '\0' || port <= 0 || port > 65535)
            return -EBADMSG;
        out->port = (int)port;
    }
    if (osip_via_param_get_byname(via, "branch", &p) == 0 && p != NULL && p->gvalue != NULL &&
        sip__copy(out->branch, sizeof(out->branch), p->gvalue, strlen(p->gvalue)) < 0)
        return -EBADMSG;
    p = NULL;
    if (osip_via_param_get_byname(via, "received", &p) == 0 && p != NULL && p->gvalue != NULL &&
        sip__copy(out->received, sizeof(out->received), p->gvalue, strlen(p->gvalue)) < 0)
        return -EBADMSG;
    p = NULL;
    if (osip_via_param_get_byname(via, "rport", &p) == 0 && p != NULL) {
        out->rport = 0;
        if (p->gvalue != NULL && p->gvalue[0] != '\0') {
            char *end = NULL;
            long port = strtol(p->gvalue, &end, 10);
            if (*end != '\0' || port <= 0 || port > 65535)
                return -EBADMSG;
            out->rport = (int)port;
        }
    }
    return 0;
}
