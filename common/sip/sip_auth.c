/*
 * sip_auth.c: Digest challenge (WWW-Authenticate, Proxy-Authenticate) and
 * credentials (Authorization, Proxy-Authorization) with the AKA parameters
 * (RFC 2617, RFC 3310, TS 24.229 §7.2A: ck, ik, auts, integrity-protected).
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIP_AUTH_PARAMS_MAX 24

/* Splits "scheme params..." and parses the comma-separated auth-params. */
static int sip__auth_split(const char *value, char *scheme, size_t schemelen,
                           struct sip_param *params, size_t *n, char *why, size_t whylen)
{
    size_t i = 0, len;
    int r;

    if (why != NULL && whylen > 0)
        why[0] = '\0';
    if (value == NULL)
        return sip__fail(why, whylen, "Empty header");
    len = strlen(value);
    while (i < len && isspace((unsigned char)value[i]))
        i++;
    {
        size_t b = i;
        while (i < len && sip__is_token_char((unsigned char)value[i]))
            i++;
        if (i == b)
            return sip__fail(why, whylen, "Missing auth scheme");
        if (sip__copy(scheme, schemelen, value + b, i - b) < 0)
            return sip__fail(why, whylen, "Auth scheme too long");
    }
    if (i < len && !isspace((unsigned char)value[i]))
        return sip__fail(why, whylen, "Bad character after auth scheme");
    *n = 0;
    r = sip__params_parse(value + i, len - i, ',', params, SIP_AUTH_PARAMS_MAX, n);
    if (r == -E2BIG)
        return sip__fail(why, whylen, "Too many auth parameters");
    if (r == -ENOSPC)
        return sip__fail(why, whylen, "Auth parameter too long");
    if (r < 0)
        return sip__fail(why, whylen, "Bad auth parameter syntax");
    return 0;
}

struct sip__auth_field {
    const char *name;
    char *dst;
    size_t dlen;
    bool seen;
};

/* Stores params into the known fields, the rest into extra. */
static int sip__auth_assign(const struct sip_param *params, size_t n, struct sip__auth_field *f,
                            size_t nf, struct sip_param *extra, size_t *n_extra, char *why,
                            size_t whylen)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        const struct sip_param *p = &params[i];
        for (k = 0; k < nf; k++) {
            if (strcasecmp(p->name, f[k].name) == 0)
                break;
        }
        if (!p->has_value)
            return sip__fail(why, whylen, "Parameter %s without value", p->name);
        if (k == nf) {
            if (*n_extra >= SIP_AUTH_EXTRA_MAX)
                return sip__fail(why, whylen, "Too many auth parameters");
            extra[(*n_extra)++] = *p;
            continue;
        }
        if (f[k].seen)
            return sip__fail(why, whylen, "Duplicate parameter %s", p->name);
        f[k].seen = true;
        if (sip__copy(f[k].dst, f[k].dlen, p->value, strlen(p->value)) < 0)
            return sip__fail(why, whylen, "Parameter %s too long", p->name);
    }
    return 0;
}

int sip_auth_challenge_parse(const char *value, struct sip_auth_challenge *out, char *why,
                             size_t whylen)
{
    struct sip_param params[SIP_AUTH_PARAMS_MAX];
    char stale[16] = "";
    size_t n = 0;
    int r;

    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    r = sip__auth_split(value, out->scheme, sizeof(out->scheme), params, &n, why, whylen);
    if (r < 0)
        return r;
    {
        struct sip__auth_field f[] = {
            {"realm", out->realm, sizeof(out->realm), false},
            {"domain", out->domain, sizeof(out->domain), false},
            {"nonce", out->nonce, sizeof(out->nonce), false},
            {"opaque", out->opaque, sizeof(out->opaque), false},
            {"algorithm", out->algorithm, sizeof(out->algorithm), false},
            {"qop", out->qop, sizeof(out->qop), false},
            {"ck", out->ck, sizeof(out->ck), false},
            {"ik", out->ik, sizeof(out->ik), false},
            {"stale", stale, sizeof(stale), false},
        };
        r = sip__auth_assign(params, n, f, sizeof(f) / sizeof(f[0]), out->extra, &out->n_extra, why,
                             whylen);
        if (r < 0)
            return r;
        if (strcasecmp(out->scheme, "Digest") == 0 && (!f[0].seen || !f[2].seen))
            return sip__fail(why, whylen, "Digest challenge without %s",
                             f[0].seen ? "nonce" : "realm");
    }
    if (stale[0] != '\0' && strcasecmp(stale, "true") != 0 && strcasecmp(stale, "false") != 0)
        return sip__fail(why, whylen, "Bad stale value");
    out->stale = strcasecmp(stale, "true") == 0;
    return 0;
}

int sip_auth_credentials_parse(const char *value, struct sip_auth_credentials *out, char *why,
                               size_t whylen)
{
    struct sip_param params[SIP_AUTH_PARAMS_MAX];
    size_t n = 0, i;
    int r;

    if (out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    r = sip__auth_split(value, out->scheme, sizeof(out->scheme), params, &n, why, whylen);
    if (r < 0)
        return r;
    {
        struct sip__auth_field f[] = {
            {"username", out->username, sizeof(out->username), false},
            {"realm", out->realm, sizeof(out->realm), false},
            {"nonce", out->nonce, sizeof(out->nonce), false},
            {"uri", out->uri, sizeof(out->uri), false},
            {"response", out->response, sizeof(out->response), false},
            {"algorithm", out->algorithm, sizeof(out->algorithm), false},
            {"cnonce", out->cnonce, sizeof(out->cnonce), false},
            {"nc", out->nc, sizeof(out->nc), false},
            {"qop", out->qop, sizeof(out->qop), false},
            {"opaque", out->opaque, sizeof(out->opaque), false},
            {"auts", out->auts, sizeof(out->auts), false},
            {"integrity-protected", out->integrity_protected, sizeof(out->integrity_protected),
             false},
        };
        r = sip__auth_assign(params, n, f, sizeof(f) / sizeof(f[0]), out->extra, &out->n_extra, why,
                             whylen);
        if (r < 0)
            return r;
        if (strcasecmp(out->scheme, "Digest") == 0) {
            for (i = 0; i < 5; i++) {
                if (!f[i].seen)
                    return sip__fail(why, whylen, "Digest credentials without %s", f[i].name);
            }
            if (out->username[0] == '\0')
                return sip__fail(why, whylen, "Empty Digest username");
        }
    }
    if (out->nc[0] != '\0') {
        for (i = 0; out->nc[i] != '\0'; i++) {
            if (!isxdigit((unsigned char)out->nc[i]))
                return sip__fail(why, whylen, "Bad nc value");
        }
        if (i != 8)
            return sip__fail(why, whylen, "Bad nc value");
    }
    if (out->qop[0] != '\0' && out->cnonce[0] == '\0')
        return sip__fail(why, whylen, "qop without cnonce");
    return 0;
}

/* Appends ", name=value", quoted or as a token. */
static int sip__auth_out(char *buf, size_t buflen, size_t *off, bool *first, const char *name,
                         const char *value, bool quote)
{
    char q[SIP_URI_MAX + 16];
    int r;

    r = sip__append(buf, buflen, off, "%s", *first ? " " : ", ");
    *first = false;
    if (r < 0)
        return r;
    if (!quote) {
        if (!sip__is_token(value))
            return -EINVAL;
        return sip__append(buf, buflen, off, "%s=%s", name, value);
    }
    r = sip_quote(value, q, sizeof(q));
    if (r < 0)
        return r;
    return sip__append(buf, buflen, off, "%s=%s", name, q);
}

static int sip__auth_extra_out(char *buf, size_t buflen, size_t *off, bool *first,
                               const struct sip_param *extra, size_t n)
{
    size_t i;
    int r = 0;

    for (i = 0; i < n && r == 0; i++) {
        bool quote = extra[i].quoted || !sip__is_token(extra[i].value);
        r = sip__auth_out(buf, buflen, off, first, extra[i].name, extra[i].value, quote);
    }
    return r;
}

int sip_auth_challenge_build(const struct sip_auth_challenge *ch, char *buf, size_t buflen)
{
    size_t off = 0;
    bool first = true;
    int r;

    if (ch == NULL || buf == NULL)
        return -EINVAL;
    r = sip__append(buf, buflen, &off, "%s", sip__is_token(ch->scheme) ? ch->scheme : "Digest");
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "realm", ch->realm, true);
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "nonce", ch->nonce, true);
    if (r == 0 && ch->algorithm[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "algorithm", ch->algorithm, false);
    if (r == 0 && ch->ck[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "ck", ch->ck, true);
    if (r == 0 && ch->ik[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "ik", ch->ik, true);
    if (r == 0 && ch->qop[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "qop", ch->qop, true);
    if (r == 0 && ch->opaque[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "opaque", ch->opaque, true);
    if (r == 0 && ch->domain[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "domain", ch->domain, true);
    if (r == 0 && ch->stale)
        r = sip__auth_out(buf, buflen, &off, &first, "stale", "true", false);
    if (r == 0)
        r = sip__auth_extra_out(buf, buflen, &off, &first, ch->extra, ch->n_extra);
    return r;
}

int sip_auth_credentials_build(const struct sip_auth_credentials *cr, char *buf, size_t buflen)
{
    size_t off = 0;
    bool first = true;
    int r;

    if (cr == NULL || buf == NULL)
        return -EINVAL;
    r = sip__append(buf, buflen, &off, "%s", sip__is_token(cr->scheme) ? cr->scheme : "Digest");
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "username", cr->username, true);
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "realm", cr->realm, true);
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "nonce", cr->nonce, true);
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "uri", cr->uri, true);
    if (r == 0)
        r = sip__auth_out(buf, buflen, &off, &first, "response", cr->response, true);
    if (r == 0 && cr->algorithm[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "algorithm", cr->algorithm, false);
    if (r == 0 && cr->cnonce[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "cnonce", cr->cnonce, true);
    if (r == 0 && cr->qop[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "qop", cr->qop, false);
    if (r == 0 && cr->nc[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "nc", cr->nc, false);
    if (r == 0 && cr->opaque[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "opaque", cr->opaque, true);
    if (r == 0 && cr->auts[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "auts", cr->auts, true);
    if (r == 0 && cr->integrity_protected[0] != '\0')
        r = sip__auth_out(buf, buflen, &off, &first, "integrity-protected", cr->integrity_protected,
                          true);
    if (r == 0)
        r = sip__auth_extra_out(buf, buflen, &off, &first, cr->extra, cr->n_extra);
    return r;
}

static const char *sip__chal_name(bool proxy)
{
    return proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

static const char *sip__cred_name(bool proxy)
{
    return proxy ? "Proxy-Authorization" : "Authorization";
}

/*
 * Returns the n-th value of an authentication header: first the raw headers
 * kept by sip_msg_parse(), then osip's typed list (messages built elsewhere).
 * *tmp receives an osip-allocated string to free with osip_free() when used.
 */
static const char *sip__auth_value(const osip_message_t *m, const char *name,
                                   const osip_list_t *typed, bool challenge, int n, char **tmp)
{
    const char *v;
    int raw = sip_hdr_count(m, name);
    void *e;
    int r;

    *tmp = NULL;
    if (n < raw) {
        v = sip_hdr_get(m, name, n);
        return v;
    }
    e = osip_list_get(typed, n - raw);
    if (e == NULL)
        return NULL;
    if (challenge)
        r = osip_www_authenticate_to_str(e, tmp);
    else
        r = osip_authorization_to_str(e, tmp);
    return r == 0 ? *tmp : NULL;
}

int sip_auth_challenge_get(const osip_message_t *m, bool proxy, int n,
                           struct sip_auth_challenge *out, char *why, size_t whylen)
{
    char *tmp = NULL;
    const char *v;
    int r;

    if (m == NULL || out == NULL || n < 0)
        return -EINVAL;
    v = sip__auth_value(m, sip__chal_name(proxy),
                        proxy ? &m->proxy_authenticates : &m->www_authenticates, true, n, &tmp);
    if (v == NULL)
        return -ENOENT;
    r = sip_auth_challenge_parse(v, out, why, whylen);
    osip_free(tmp);
    return r;
}

int sip_auth_credentials_get(const osip_message_t *m, bool proxy, int n,
                             struct sip_auth_credentials *out, char *why, size_t whylen)
{
    char *tmp = NULL;
    const char *v;
    int r;

    if (m == NULL || out == NULL || n < 0)
        return -EINVAL;
    v = sip__auth_value(m, sip__cred_name(proxy),
                        proxy ? &m->proxy_authorizations : &m->authorizations, false, n, &tmp);
    if (v == NULL)
        return -ENOENT;
    r = sip_auth_credentials_parse(v, out, why, whylen);
    osip_free(tmp);
    return r;
}

/* Moves osip's typed authentication headers of one kind into raw headers. */
static int sip__auth_make_raw(osip_message_t *m, const char *name, osip_list_t *typed,
                              bool challenge)
{
    while (osip_list_size(typed) > 0) {
        void *e = osip_list_get(typed, 0);
        char *s = NULL;
        int r = challenge ? osip_www_authenticate_to_str(e, &s) : osip_authorization_to_str(e, &s);

        if (r != 0 || s == NULL)
            return -ENOMEM;
        r = sip_hdr_add(m, name, s);
        osip_free(s);
        if (r < 0)
            return r;
        osip_list_remove(typed, 0);
        if (challenge)
            osip_www_authenticate_free(e);
        else
            osip_authorization_free(e);
    }
    return 0;
}

int sip_auth_challenge_add(osip_message_t *m, bool proxy, const struct sip_auth_challenge *ch)
{
    char buf[2048];
    int r;

    if (m == NULL || ch == NULL)
        return -EINVAL;
    r = sip_auth_challenge_build(ch, buf, sizeof(buf));
    if (r < 0)
        return r;
    r = sip__auth_make_raw(m, sip__chal_name(proxy),
                           proxy ? &m->proxy_authenticates : &m->www_authenticates, true);
    if (r < 0)
        return r;
    return sip_hdr_add(m, sip__chal_name(proxy), buf);
}

int sip_auth_credentials_add(osip_message_t *m, bool proxy, const struct sip_auth_credentials *cr)
{
    char buf[2048];
    int r;

    if (m == NULL || cr == NULL)
        return -EINVAL;
    r = sip_auth_credentials_build(cr, buf, sizeof(buf));
    if (r < 0)
        return r;
    r = sip__auth_make_raw(m, sip__cred_name(proxy),
                           proxy ? &m->proxy_authorizations : &m->authorizations, false);
    if (r < 0)
        return r;
    return sip_hdr_add(m, sip__cred_name(proxy), buf);
}

/* Replaces the value of raw header h. */
static int sip__hdr_set_value(osip_message_t *m, osip_header_t *h, const char *value)
{
    char *dup = osip_strdup(value);

    if (dup == NULL)
        return -ENOMEM;
    osip_free(h->hvalue);
    h->hvalue = dup;
    sip__touch(m);
    return 0;
}

int sip_auth_challenge_take_keys(osip_message_t *m, char *ck, size_t cklen, char *ik, size_t iklen)
{
    struct sip_auth_challenge ch;
    char buf[2048];
    int i, r, found = 0;

    if (m == NULL)
        return -EINVAL;
    r = sip__auth_make_raw(m, "WWW-Authenticate", &m->www_authenticates, true);
    if (r < 0)
        return r;
    for (i = 0; i < osip_list_size(&m->headers); i++) {
        osip_header_t *h = osip_list_get(&m->headers, i);
        if (h == NULL || !sip__hdr_name_eq(h->hname, "WWW-Authenticate"))
            continue;
        r = sip_auth_challenge_parse(h->hvalue, &ch, NULL, 0);
        if (r < 0)
            return r;
        if (found++ == 0) {
            if (ck != NULL && sip__copy(ck, cklen, ch.ck, strlen(ch.ck)) < 0)
                return -ENOSPC;
            if (ik != NULL && sip__copy(ik, iklen, ch.ik, strlen(ch.ik)) < 0)
                return -ENOSPC;
        }
        if (ch.ck[0] == '\0' && ch.ik[0] == '\0')
            continue;
        ch.ck[0] = '\0';
        ch.ik[0] = '\0';
        r = sip_auth_challenge_build(&ch, buf, sizeof(buf));
        if (r == 0)
            r = sip__hdr_set_value(m, h, buf);
        if (r < 0)
            return r;
    }
    return found > 0 ? 0 : -ENOENT;
}

int sip_auth_set_integrity_protected(osip_message_t *m, const char *value)
{
    struct sip_auth_credentials cr;
    char buf[2048];
    int i, r, found = 0;

    if (m == NULL || value == NULL || !sip__is_token(value))
        return -EINVAL;
    r = sip__auth_make_raw(m, "Authorization", &m->authorizations, false);
    if (r < 0)
        return r;
    for (i = 0; i < osip_list_size(&m->headers); i++) {
        osip_header_t *h = osip_list_get(&m->headers, i);
        if (h == NULL || !sip__hdr_name_eq(h->hname, "Authorization"))
            continue;
        r = sip_auth_credentials_parse(h->hvalue, &cr, NULL, 0);
        if (r < 0)
            return r;
        if (sip__copy(cr.integrity_protected, sizeof(cr.integrity_protected), value,
                      strlen(value)) < 0)
            return -EINVAL;
        r = sip_auth_credentials_build(&cr, buf, sizeof(buf));
        if (r == 0)
            r = sip__hdr_set_value(m, h, buf);
        if (r < 0)
            return r;
        found++;
    }
    return found > 0 ? 0 : -ENOENT;
}
