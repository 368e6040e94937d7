/*
 * Stream framing of SIP messages over TCP (RFC 3261 section 18.3) and CRLF
 * keep-alives (RFC 5626 section 4.4.1). Pure: no sockets, no allocation.
 */
#include "transport/transport.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/*
 * Skips leading keep-alives. A CRLF pair is consumed only once the next bytes
 * show whether it is a double-CRLF ping or a single CRLF (keep-alive or pong),
 * so a ping split across reads is still recognised.
 */
static size_t skip_keepalives(const char *buf, size_t len, unsigned *pings)
{
    size_t i = 0;
    while (len - i >= 2 && buf[i] == '\r' && buf[i + 1] == '\n') {
        size_t rem = len - i;
        if (rem >= 4 && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            (*pings)++;
            i += 4;
        } else if (rem >= 3 && buf[i + 2] != '\r') {
            i += 2;
        } else if (rem >= 4) {
            /* "\r\n\r" then not '\n': a lone CRLF; the '\r' starts the message. */
            i += 2;
        } else {
            break; /* "\r\n" or "\r\n\r": wait to see what follows */
        }
    }
    return i;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* End of the logical header line starting at p: the CRLF not followed by WSP. */
static const char *header_end(const char *p, const char *end)
{
    for (;;) {
        const char *crlf = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (!crlf)
            return end;
        if (crlf + 2 < end && is_wsp(crlf[2])) {
            p = crlf + 2;
            continue;
        }
        return crlf;
    }
}

/*
 * Parses a Content-Length value in [p, end) (linear whitespace and folding
 * allowed around the digits). Returns 0 and stores the value, -EMSGSIZE when
 * it is above max, -EBADMSG when it is not one decimal number.
 */
static int parse_length(const char *p, const char *end, size_t max, size_t *out)
{
    while (p < end && (is_wsp(*p) || *p == '\r' || *p == '\n'))
        p++;
    if (p == end || *p < '0' || *p > '9')
        return -EBADMSG;
    size_t v = 0;
    bool big = false;
    while (p < end && *p >= '0' && *p <= '9') {
        if (!big) {
            v = v * 10 + (size_t)(*p - '0');
            if (v > max)
                big = true;
        }
        p++;
    }
    while (p < end && (is_wsp(*p) || *p == '\r' || *p == '\n'))
        p++;
    if (p != end)
        return -EBADMSG;
    if (big)
        return -EMSGSIZE;
    *out = v;
    return 0;
}

/* True when the header name [name, name_end) is Content-Length or compact l. */
static bool is_content_length(const char *name, size_t n)
{
    if (n == 1)
        return name[0] == 'l' || name[0] == 'L';
    return n == 14 && strncasecmp(name, "Content-Length", 14) == 0;
}

/*
 * Finds Content-Length among the header lines of [hdr, end), where hdr is the
 * line after the start-line and end points at the final CRLFCRLF's first CRLF
 * plus 2 (so the last header line ends with CRLF).
 */
static int find_content_length(const char *hdr, const char *end, size_t max, size_t *out)
{
    bool found = false;
    size_t value = 0;
    const char *p = hdr;
    while (p < end) {
        const char *line_end = header_end(p, end);
        const char *colon = memchr(p, ':', (size_t)(line_end - p));
        if (colon) {
            const char *name_end = colon;
            while (name_end > p && is_wsp(name_end[-1]))
                name_end--;
            if (is_content_length(p, (size_t)(name_end - p))) {
                size_t v;
                int rc = parse_length(colon + 1, line_end, max, &v);
                if (rc < 0)
                    return rc;
                if (found && v != value)
                    return -EBADMSG;
                found = true;
                value = v;
            }
        }
        p = line_end + 2;
    }
    if (!found)
        return -EBADMSG;
    *out = value;
    return 0;
}

int tp_frame_next(const char *buf, size_t len, size_t max, struct tp_frame *out)
{
    memset(out, 0, sizeof(*out));
    out->skip = skip_keepalives(buf, len, &out->pings);
    const char *msg = buf + out->skip;
    size_t avail = len - out->skip;
    if (avail == 0)
        return 0;

    size_t window = avail < max ? avail : max;
    const char *eoh = memmem(msg, window, "\r\n\r\n", 4);
    if (!eoh)
        return avail >= max ? -EMSGSIZE : 0;

    size_t hdr_len = (size_t)(eoh - msg) + 4;
    const char *first_eol = memmem(msg, hdr_len, "\r\n", 2);
    size_t body = 0;
    int rc = find_content_length(first_eol + 2, eoh + 2, max, &body);
    if (rc < 0)
        return rc;
    if (body > max - hdr_len)
        return -EMSGSIZE;
    if (avail < hdr_len + body)
        return 0;
    out->len = hdr_len + body;
    return 1;
}
