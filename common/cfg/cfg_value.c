/* cfg_value.c: schema look-ups and the parsers of durations and addresses. */
#include "cfg_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

size_t cfg__schema_len(const struct cfg_spec *schema)
{
    size_t n = 0;

    while (schema && schema[n].path)
        n++;
    return n;
}

int cfg__schema_find(const struct cfg_spec *schema, const char *path)
{
    for (size_t i = 0; path && schema && schema[i].path; i++) {
        if (strcmp(schema[i].path, path) == 0)
            return (int)i;
    }
    return -1;
}

const char *cfg__kind_name(enum cfg_kind kind)
{
    switch (kind) {
    case CFG_STRING:
        return "string";
    case CFG_INT:
        return "integer";
    case CFG_BOOL:
        return "boolean";
    case CFG_FLOAT:
        return "number";
    case CFG_STRING_LIST:
        return "string list";
    case CFG_INT_LIST:
        return "integer list";
    case CFG_GROUP_LIST:
        return "group list";
    case CFG_ADDRESS:
        return "address";
    case CFG_PORT:
        return "port";
    case CFG_DURATION:
        return "duration";
    case CFG_PATH:
        return "path";
    }
    return "?";
}

int cfg__parse_duration(const char *text, long long *out)
{
    const char *p = text;
    long long v = 0, mult = 1;

    if (!p || !isdigit((unsigned char)*p))
        return -EINVAL;
    while (isdigit((unsigned char)*p)) {
        if (v > (LLONG_MAX - 9) / 10)
            return -EINVAL;
        v = v * 10 + (*p - '0');
        p++;
    }
    if (*p == '\0' || strcmp(p, "s") == 0)
        mult = 1;
    else if (strcmp(p, "m") == 0)
        mult = 60;
    else if (strcmp(p, "h") == 0)
        mult = 3600;
    else if (strcmp(p, "d") == 0)
        mult = 86400;
    else
        return -EINVAL;
    if (v > LLONG_MAX / mult)
        return -EINVAL;
    *out = v * mult;
    return 0;
}

static bool is_hostname(const char *s, size_t len)
{
    if (len == 0 || s[0] == '.' || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '.' && c != '_')
            return false;
        if (c == '.' && i + 1 < len && s[i + 1] == '.')
            return false;
    }
    return true;
}

static bool is_ipv6(const char *s, size_t len)
{
    char buf[INET6_ADDRSTRLEN + 1];
    struct in6_addr a;

    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return inet_pton(AF_INET6, buf, &a) == 1;
}

static int parse_port(const char *s, uint16_t *port)
{
    long v = 0;

    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -EINVAL;
        v = v * 10 + (*s - '0');
        if (v > 65535)
            return -EINVAL;
    }
    if (v < 1)
        return -EINVAL;
    *port = (uint16_t)v;
    return 0;
}

int cfg__parse_address(const char *text, char *host, size_t hostlen, uint16_t *port)
{
    const char *h = text, *rest = NULL, *colon;
    size_t hlen;
    uint16_t p = 0;

    if (!text || !*text)
        return -EINVAL;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return -EINVAL;
        h = text + 1;
        hlen = (size_t)(close - h);
        if (!is_ipv6(h, hlen))
            return -EINVAL;
        if (close[1] == ':')
            rest = close + 2;
        else if (close[1] != '\0')
            return -EINVAL;
    } else if ((colon = strchr(text, ':')) != NULL && strchr(colon + 1, ':') != NULL) {
        /* Several colons: a bare IPv6 literal, which cannot carry a port. */
        hlen = strlen(text);
        if (!is_ipv6(text, hlen))
            return -EINVAL;
    } else {
        hlen = colon ? (size_t)(colon - text) : strlen(text);
        if (!is_hostname(text, hlen))
            return -EINVAL;
        if (colon)
            rest = colon + 1;
    }
    if (rest && parse_port(rest, &p) < 0)
        return -EINVAL;
    if (host) {
        if (hlen + 1 > hostlen)
            return -ENOSPC;
        memcpy(host, h, hlen);
        host[hlen] = '\0';
    }
    if (port)
        *port = p;
    return 0;
}
