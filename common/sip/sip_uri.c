/*
 * sip_uri.c: URI text, address-of-record derivation and comparison.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sip_uri_to_buf(const osip_uri_t *uri, char *out, size_t outlen)
{
    char *s = NULL;
    int r;

    if (uri == NULL || out == NULL)
        return -EINVAL;
    if (osip_uri_to_str(uri, &s) != 0 || s == NULL)
        return -ENOMEM;
    r = sip__copy(out, outlen, s, strlen(s));
    osip_free(s);
    return r;
}

static int sip__hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Copies a user part, decoding %HH escapes of unreserved characters only. */
static int sip__user_canon(const char *u, char *out, size_t outlen)
{
    size_t o = 0;

    for (; *u != '\0'; u++) {
        char c = *u;
        if (c == '%' && sip__hexval((unsigned char)u[1]) >= 0 &&
            sip__hexval((unsigned char)u[2]) >= 0) {
            int d = sip__hexval((unsigned char)u[1]) * 16 + sip__hexval((unsigned char)u[2]);
            if (isalnum(d) || (d != 0 && strchr("-_.!~*'()", d) != NULL)) {
                c = (char)d;
                u += 2;
            }
        }
        if (o + 1 >= outlen)
            return -ENOSPC;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

static int sip__tel_aor(const char *s, char *out, size_t outlen)
{
    size_t off = 0, i;
    const char *semi = strchr(s, ';');
    size_t nlen = semi != NULL ? (size_t)(semi - s) : strlen(s);
    const char *ctx = NULL;
    int r;

    if (nlen == 0)
        return -EINVAL;
    r = sip__append(out, outlen, &off, "tel:");
    for (i = 0; r == 0 && i < nlen; i++) {
        char c = s[i];
        if (c == '-' || c == '.' || c == '(' || c == ')')
            continue;
        if (!isxdigit((unsigned char)c) && c != '+' && c != '*' && c != '#' && c != 'p' && c != 'w')
            return -EINVAL;
        r = sip__append(out, outlen, &off, "%c", c);
    }
    for (ctx = semi; r == 0 && ctx != NULL; ctx = strchr(ctx + 1, ';')) {
        if (strncasecmp(ctx, ";phone-context=", 15) == 0) {
            const char *e = strchr(ctx + 15, ';');
            int n = e != NULL ? (int)(e - ctx - 15) : (int)strlen(ctx + 15);
            r = sip__append(out, outlen, &off, ";phone-context=%.*s", n, ctx + 15);
            break;
        }
    }
    return r;
}

int sip_uri_aor(const char *uri, char *out, size_t outlen)
{
    osip_uri_t *u = NULL;
    char *copy = NULL, *p;
    char user[256];
    size_t off = 0, i;
    int r = -EINVAL;

    if (uri == NULL || out == NULL)
        return -EINVAL;
    while (isspace((unsigned char)*uri))
        uri++;
    copy = strdup(*uri == '<' ? uri + 1 : uri);
    if (copy == NULL)
        return -ENOMEM;
    p = strchr(copy, '>');
    if (*uri == '<') {
        if (p == NULL)
            goto out;
        *p = '\0';
    }
    sip__init();
    if (osip_uri_init(&u) != 0) {
        r = -ENOMEM;
        goto out;
    }
    if (osip_uri_parse(u, copy) != 0 || u->scheme == NULL)
        goto out;
    if (strcasecmp(u->scheme, "tel") == 0) {
        r = u->string != NULL ? sip__tel_aor(u->string, out, outlen) : -EINVAL;
        goto out;
    }
    if ((strcasecmp(u->scheme, "sip") != 0 && strcasecmp(u->scheme, "sips") != 0) ||
        u->host == NULL || u->host[0] == '\0')
        goto out;
    for (i = 0; u->scheme[i] != '\0'; i++)
        u->scheme[i] = (char)tolower((unsigned char)u->scheme[i]);
    for (i = 0; u->host[i] != '\0'; i++)
        u->host[i] = (char)tolower((unsigned char)u->host[i]);
    r = sip__append(out, outlen, &off, "%s:", u->scheme);
    if (r == 0 && u->username != NULL && u->username[0] != '\0') {
        r = sip__user_canon(u->username, user, sizeof(user));
        if (r == 0)
            r = sip__append(out, outlen, &off, "%s@", user);
    }
    if (r == 0)
        r = sip__append(out, outlen, &off, strchr(u->host, ':') != NULL ? "[%s]" : "%s", u->host);
    if (r == 0 && u->port != NULL && u->port[0] != '\0') {
        char *end = NULL;
        long port = strtol(u->port, &end, 10);
        long dflt = strcmp(u->scheme, "sips") == 0 ? 5061 : 5060;
        if (*end != '\0' || port <= 0 || port > 65535) {
            r = -EINVAL;
            goto out;
        }
        if (port != dflt)
            r = sip__append(out, outlen, &off, ":%ld", port);
    }
out:
    if (u != NULL)
        osip_uri_free(u);
    free(copy);
    return r;
}

bool sip_uri_aor_is_equal(const char *a, const char *b)
{
    char aa[SIP_URI_MAX], bb[SIP_URI_MAX];

    if (sip_uri_aor(a, aa, sizeof(aa)) != 0 || sip_uri_aor(b, bb, sizeof(bb)) != 0)
        return false;
    return strcmp(aa, bb) == 0;
}
