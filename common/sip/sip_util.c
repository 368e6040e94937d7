/*
 * sip_util.c: token and quoted-string handling, comma and parameter splitting,
 * header name tables, random hex.
 */
#include "sip_internal.h"

#include "log/log.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

static pthread_once_t sip__once = PTHREAD_ONCE_INIT;

/* libosip2 trace lines go to our log at debug level (osip writes to stdout otherwise). */
static void sip__osip_trace(const char *file, int line, osip_trace_level_t level, const char *fmt,
                            va_list ap)
{
    char text[512];

    (void)level;
    if (!log_is_enabled(LOG_LEVEL_DEBUG))
        return;
    vsnprintf(text, sizeof(text), fmt, ap);
    text[strcspn(text, "\r\n")] = '\0';
    log_write(LOG_LEVEL_DEBUG, file, line, "osip: %s", text);
}

static void sip__init_once(void)
{
    parser_init();
    osip_trace_initialize_func(OSIP_INFO1, sip__osip_trace);
}

void sip__init(void)
{
    pthread_once(&sip__once, sip__init_once);
}

bool sip__is_token_char(int c)
{
    return isalnum(c) || (c != 0 && strchr("-.!%*_+`'~", c) != NULL);
}

bool sip__is_token(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (!sip__is_token_char((unsigned char)*s))
            return false;
    }
    return true;
}

int sip__copy(char *dst, size_t dstlen, const char *src, size_t n)
{
    if (dstlen == 0 || n >= dstlen)
        return -ENOSPC;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

int sip__append(char *buf, size_t buflen, size_t *off, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (*off >= buflen)
        return -ENOSPC;
    va_start(ap, fmt);
    r = vsnprintf(buf + *off, buflen - *off, fmt, ap);
    va_end(ap);
    if (r < 0 || (size_t)r >= buflen - *off)
        return -ENOSPC;
    *off += (size_t)r;
    return 0;
}

int sip__fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && whylen > 0) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return -EBADMSG;
}

int sip_random_hex(char *buf, size_t buflen, size_t n)
{
    unsigned char raw[64];
    size_t i;

    if (buf == NULL || n > sizeof(raw) || buflen < 2 * n + 1)
        return -ENOSPC;
    if (getrandom(raw, n, 0) != (ssize_t)n)
        return -EIO;
    for (i = 0; i < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", raw[i]);
    buf[2 * n] = '\0';
    return 0;
}

int sip_unquote(const char *s, size_t len, char *out, size_t outlen)
{
    size_t i, o = 0;

    if (s == NULL || out == NULL || outlen == 0)
        return -EINVAL;
    if (len == 0 || s[0] != '"')
        return sip__copy(out, outlen, s, len);
    if (len < 2 || s[len - 1] != '"')
        return -EBADMSG;
    for (i = 1; i < len - 1; i++) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 >= len - 1)
                return -EBADMSG; /* escape of the closing quote */
            c = s[++i];
        } else if (c == '"') {
            return -EBADMSG;
        }
        if (o + 1 >= outlen)
            return -ENOSPC;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

int sip_quote(const char *value, char *out, size_t outlen)
{
    size_t o = 0;

    if (value == NULL || out == NULL)
        return -EINVAL;
    if (outlen < 3)
        return -ENOSPC;
    out[o++] = '"';
    for (; *value != '\0'; value++) {
        if (*value == '"' || *value == '\\') {
            if (o + 1 >= outlen)
                return -ENOSPC;
            out[o++] = '\\';
        }
        if (o + 1 >= outlen)
            return -ENOSPC;
        out[o++] = *value;
    }
    if (o + 2 > outlen)
        return -ENOSPC;
    out[o++] = '"';
    out[o] = '\0';
    return 0;
}

/* Returns the index just past the quoted string starting at s[i] == '"', or 0. */
static size_t sip__quoted_end(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

int sip__split_commas(const char *value, sip__item_cb cb, void *arg)
{
    size_t len, i, start = 0;
    int angle = 0, r;

    if (value == NULL)
        return 0;
    len = strlen(value);
    for (i = 0; i <= len; i++) {
        if (i < len && value[i] == '"') {
            size_t e = sip__quoted_end(value, len, i);
            if (e == 0)
                return -EBADMSG;
            i = e - 1;
            continue;
        }
        if (i < len && value[i] == '<')
            angle++;
        else if (i < len && value[i] == '>' && angle > 0)
            angle--;
        if (i == len || (value[i] == ',' && angle == 0)) {
            size_t b = start, e = i;
            while (b < e && isspace((unsigned char)value[b]))
                b++;
            while (e > b && isspace((unsigned char)value[e - 1]))
                e--;
            if (e > b) {
                r = cb(value + b, e - b, arg);
                if (r < 0)
                    return r;
            }
            start = i + 1;
        }
    }
    if (angle != 0)
        return -EBADMSG;
    return 0;
}

int sip__params_parse(const char *s, size_t len, char sep, struct sip_param *out, size_t max,
                      size_t *n)
{
    size_t i = 0;
    int r;

    for (;;) {
        size_t nb, ne, vb, ve;
        struct sip_param *p;

        while (i < len && (isspace((unsigned char)s[i]) || s[i] == sep))
            i++;
        if (i >= len)
            return 0;
        nb = i;
        while (i < len && sip__is_token_char((unsigned char)s[i]))
            i++;
        ne = i;
        if (ne == nb)
            return -EBADMSG;
        if (*n >= max)
            return -E2BIG;
        p = &out[*n];
        memset(p, 0, sizeof(*p));
        r = sip__copy(p->name, sizeof(p->name), s + nb, ne - nb);
        if (r < 0)
            return r;
        while (i < len && isspace((unsigned char)s[i]))
            i++;
        if (i < len && s[i] == '=') {
            i++;
            while (i < len && isspace((unsigned char)s[i]))
                i++;
            vb = i;
            if (i < len && s[i] == '"') {
                ve = sip__quoted_end(s, len, i);
                if (ve == 0)
                    return -EBADMSG;
                i = ve;
                p->quoted = true;
                r = sip_unquote(s + vb, ve - vb, p->value, sizeof(p->value));
            } else {
                while (i < len && s[i] != sep && s[i] != ';' && s[i] != ',' &&
                       !isspace((unsigned char)s[i]) && s[i] != '"')
                    i++;
                ve = i;
                if (ve == vb)
                    return -EBADMSG;
                r = sip__copy(p->value, sizeof(p->value), s + vb, ve - vb);
            }
            if (r < 0)
                return r;
            p->has_value = true;
        }
        (*n)++;
        while (i < len && isspace((unsigned char)s[i]))
            i++;
        if (i < len && s[i] != sep)
            return -EBADMSG;
    }
}

const struct sip_param *sip__param_find(const struct sip_param *params, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcasecmp(params[i].name, name) == 0)
            return &params[i];
    }
    return NULL;
}

/* Canonical spelling of extension headers, with compact forms (RFC 3261 and successors). */
static const struct {
    const char *name;
    const char *compact;
} sip__names[] = {
    {"Path", NULL},
    {"Service-Route", NULL},
    {"P-Associated-URI", NULL},
    {"P-Asserted-Identity", NULL},
    {"P-Preferred-Identity", NULL},
    {"P-Access-Network-Info", NULL},
    {"P-Visited-Network-ID", NULL},
    {"P-Charging-Vector", NULL},
    {"P-Charging-Function-Addresses", NULL},
    {"P-Called-Party-ID", NULL},
    {"P-Served-User", NULL},
    {"P-Profile-Key", NULL},
    {"P-Early-Media", NULL},
    {"Security-Client", NULL},
    {"Security-Server", NULL},
    {"Security-Verify", NULL},
    {"Supported", "k"},
    {"Require", NULL},
    {"Proxy-Require", NULL},
    {"Unsupported", NULL},
    {"Max-Forwards", NULL},
    {"Expires", NULL},
    {"Min-Expires", NULL},
    {"Event", "o"},
    {"Allow-Events", "u"},
    {"Subscription-State", NULL},
    {"Retry-After", NULL},
    {"User-Agent", NULL},
    {"Server", NULL},
    {"Authorization", NULL},
    {"WWW-Authenticate", NULL},
    {"Proxy-Authorization", NULL},
    {"Proxy-Authenticate", NULL},
    {"Date", NULL},
    {"Timestamp", NULL},
    {"Warning", NULL},
    {"Privacy", NULL},
    {"Reason", NULL},
    {"Session-Expires", "x"},
    {"Min-SE", NULL},
    {"Refer-To", "r"},
    {"Referred-By", "b"},
    {"Accept-Contact", "a"},
    {"Reject-Contact", "j"},
    {"Request-Disposition", "d"},
    {"Subject", "s"},
    {"Organization", NULL},
    {"Priority", NULL},
    {"Feature-Caps", NULL},
    {"History-Info", NULL},
    {"Identity", "y"},
};

/* Headers osip parses into typed fields; the four authentication headers are not listed. */
static const char *const sip__typed[] = {
    "via",
    "v",
    "from",
    "f",
    "to",
    "t",
    "call-id",
    "i",
    "cseq",
    "contact",
    "m",
    "route",
    "record-route",
    "content-length",
    "l",
    "content-type",
    "c",
    "content-encoding",
    "e",
    "mime-version",
    "accept",
    "accept-encoding",
    "accept-language",
    "alert-info",
    "allow",
    "authentication-info",
    "call-info",
    "error-info",
    "proxy-authentication-info",
};

const char *sip__hdr_canonical(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(sip__names) / sizeof(sip__names[0]); i++) {
        if (strcasecmp(name, sip__names[i].name) == 0 ||
            (sip__names[i].compact != NULL && strcasecmp(name, sip__names[i].compact) == 0))
            return sip__names[i].name;
    }
    return name;
}

bool sip__hdr_name_eq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    return strcasecmp(sip__hdr_canonical(a), sip__hdr_canonical(b)) == 0;
}

bool sip__hdr_is_typed(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(sip__typed) / sizeof(sip__typed[0]); i++) {
        if (strcasecmp(name, sip__typed[i]) == 0)
            return true;
    }
    return false;
}

void sip__touch(osip_message_t *m)
{
    m->message_property = 2;
}
