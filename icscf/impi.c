/*
 * impi.c: the private identity of a REGISTER without Authorization, derived
 * from its public identity (TS 23.003 §13.3, TS 24.229 §5.3.1.2).
 */
#include "icscf.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

int icscf_impi_derive(const char *impu, char *out, size_t len)
{
    const char *p, *at, *end;
    size_t ulen, hlen;

    if (!impu || !out || len == 0)
        return -EINVAL;
    p = impu;
    if (*p == '<')
        p++;
    if (!strncasecmp(p, "sip:", 4))
        p += 4;
    else if (!strncasecmp(p, "sips:", 5))
        p += 5;
    else
        return -EINVAL;
    at = strchr(p, '@');
    if (!at || at == p)
        return -EINVAL;
    ulen = (size_t)(at - p);
    /* user part ends at '@' but must not contain URI delimiters */
    if (memchr(p, ';', ulen) || memchr(p, '?', ulen) || memchr(p, '>', ulen))
        return -EINVAL;
    end = at + 1;
    if (*end == '[') { /* IPv6 reference */
        const char *rb = strchr(end, ']');
        if (!rb)
            return -EINVAL;
        end = rb + 1;
    } else {
        end += strcspn(end, ":;?>");
    }
    hlen = (size_t)(end - (at + 1));
    if (hlen == 0)
        return -EINVAL;
    if (ulen + 1 + hlen + 1 > len)
        return -ENOSPC;
    memcpy(out, p, ulen);
    out[ulen] = '@';
    for (size_t i = 0; i < hlen; i++) {
        char c = at[1 + i];
        out[ulen + 1 + i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[ulen + 1 + hlen] = '\0';
    return 0;
}
