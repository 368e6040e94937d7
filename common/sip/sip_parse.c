/*
 * sip_parse.c: parse and validate incoming messages, serialise, build responses.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const sip__auth_names[] = {
    "Authorization",
    "WWW-Authenticate",
    "Proxy-Authorization",
    "Proxy-Authenticate",
};

/* Checks "METHOD SP URI SP SIP/2.0" or "SIP/2.0 SP 3DIGIT SP reason". */
static bool sip__start_line_ok(const char *buf, size_t len)
{
    size_t e = 0, i = 0, sp1, sp2;

    while (e < len && buf[e] != '\r' && buf[e] != '\n')
        e++;
    if (e >= 12 && strncmp(buf, "SIP/2.0 ", 8) == 0) {
        return isdigit((unsigned char)buf[8]) && isdigit((unsigned char)buf[9]) &&
               isdigit((unsigned char)buf[10]) && buf[8] != '0' && (e == 11 || buf[11] == ' ');
    }
    while (i < e && sip__is_token_char((unsigned char)buf[i]))
        i++;
    if (i == 0 || i >= e || buf[i] != ' ')
        return false;
    sp1 = i++;
    while (i < e && buf[i] != ' ' && buf[i] > 0x20)
        i++;
    if (i == sp1 + 1 || i >= e || buf[i] != ' ')
        return false;
    sp2 = i;
    return e - sp2 - 1 == 7 && strncmp(buf + sp2 + 1, "SIP/2.0", 7) == 0;
}

static const char *sip__auth_name(const char *name, size_t n)
{
    size_t i;

    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
        n--;
    for (i = 0; i < sizeof(sip__auth_names) / sizeof(sip__auth_names[0]); i++) {
        if (strlen(sip__auth_names[i]) == n && strncasecmp(name, sip__auth_names[i], n) == 0)
            return sip__auth_names[i];
    }
    return NULL;
}

/* Returns the index after the line end (CRLF, CR or LF) at buf[i]. */
static size_t sip__eol_next(const char *buf, size_t end, size_t i)
{
    if (i < end && buf[i] == '\r') {
        i++;
        if (i < end && buf[i] == '\n')
            i++;
    } else if (i < end && buf[i] == '\n') {
        i++;
    }
    return i;
}

/*
 * Finds the blank line ending the headers (line ends CRLF, CR or LF, as for
 * osip); returns the offset of the body, or 0 when there is no blank line.
 */
static size_t sip__body_offset(const char *buf, size_t len)
{
    size_t i = 0, next;

    for (;;) {
        while (i < len && buf[i] != '\r' && buf[i] != '\n')
            i++;
        next = sip__eol_next(buf, len, i);
        if (next == i || next >= len)
            return 0;
        if (buf[next] == '\r' || buf[next] == '\n') {
            /* a final CR alone may be a CRLF cut short: call it truncated */
            if (buf[next] == '\r' && next + 1 == len)
                return 0;
            return sip__eol_next(buf, len, next);
        }
        i = next;
    }
}

/* One logical header line of the raw message (folded lines joined). */
struct sip__raw_hdr {
    const char *name;
    size_t namelen;
    const char *value; /* after the colon, up to the end of the logical line */
    size_t valuelen;
};

typedef int (*sip__raw_cb)(const struct sip__raw_hdr *h, void *arg);

/*
 * Walks the header lines of buf[0..hdr_end) after the start line. Returns 0,
 * the first negative callback return, or -EBADMSG for a line without a colon
 * or whose name is not a token.
 */
static int sip__raw_scan(const char *buf, size_t hdr_end, sip__raw_cb cb, void *arg)
{
    size_t i = 0;

    /* a line ends at CRLF, CR or LF, as for osip; skip the start line */
    while (i < hdr_end && buf[i] != '\r' && buf[i] != '\n')
        i++;
    i = sip__eol_next(buf, hdr_end, i);
    while (i < hdr_end) {
        struct sip__raw_hdr h;
        size_t ls = i, colon, ne;
        int r;

        if (buf[i] == '\r' || buf[i] == '\n')
            break; /* the blank line */
        for (;;) {
            size_t next;
            while (i < hdr_end && buf[i] != '\r' && buf[i] != '\n')
                i++;
            next = sip__eol_next(buf, hdr_end, i);
            if (next < hdr_end && (buf[next] == ' ' || buf[next] == '\t')) {
                i = next; /* folded continuation line */
                continue;
            }
            break;
        }
        colon = ls;
        while (colon < i && buf[colon] != ':')
            colon++;
        if (colon >= i)
            return -EBADMSG;
        ne = colon;
        while (ne > ls && (buf[ne - 1] == ' ' || buf[ne - 1] == '\t'))
            ne--;
        if (ne == ls)
            return -EBADMSG;
        for (h.namelen = 0; h.namelen < ne - ls; h.namelen++) {
            if (!sip__is_token_char((unsigned char)buf[ls + h.namelen]))
                return -EBADMSG;
        }
        h.name = buf + ls;
        h.value = buf + colon + 1;
        h.valuelen = i - colon - 1;
        r = cb(&h, arg);
        if (r < 0)
            return r;
        i = sip__eol_next(buf, hdr_end, i);
    }
    return 0;
}

/* Finds the Content-Length value (full or compact name) in the raw headers. */
static int sip__raw_cl_cb(const struct sip__raw_hdr *h, void *arg)
{
    const char **cl = arg;

    if ((h->namelen == 14 && strncasecmp(h->name, "Content-Length", 14) == 0) ||
        (h->namelen == 1 && (h->name[0] == 'l' || h->name[0] == 'L')))
        *cl = h->value;
    return 0;
}

/* Moves one raw authentication header line into m->headers, unfolded. */
static int sip__raw_auth_cb(const struct sip__raw_hdr *rh, void *arg)
{
    osip_message_t *m = arg;
    osip_header_t *h = NULL;
    const char *name = sip__auth_name(rh->name, rh->namelen);
    char *value;
    size_t k, o = 0;

    if (name == NULL)
        return 0;
    value = malloc(rh->valuelen + 1);
    if (value == NULL)
        return -ENOMEM;
    for (k = 0; k < rh->valuelen; k++) {
        char c = rh->value[k];
        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
        if (c == ' ' && (o == 0 || value[o - 1] == ' '))
            continue;
        value[o++] = c;
    }
    while (o > 0 && value[o - 1] == ' ')
        o--;
    value[o] = '\0';
    if (osip_header_init(&h) != 0) {
        free(value);
        return -ENOMEM;
    }
    h->hname = osip_strdup(name);
    h->hvalue = osip_strdup(value);
    free(value);
    if (h->hname == NULL || h->hvalue == NULL || osip_list_add(&m->headers, h, -1) < 0) {
        osip_header_free(h);
        return -ENOMEM;
    }
    return 0;
}

/*
 * Replaces osip's typed authentication headers (which lose ck, ik, auts,
 * integrity-protected and empty values) with the raw header lines of buf.
 */
static int sip__keep_raw_auth(osip_message_t *m, const char *buf, size_t hdr_end)
{
    osip_list_special_free(&m->authorizations, (void (*)(void *))osip_authorization_free);
    osip_list_special_free(&m->www_authenticates, (void (*)(void *))osip_www_authenticate_free);
    osip_list_special_free(&m->proxy_authorizations, (void (*)(void *))osip_authorization_free);
    osip_list_special_free(&m->proxy_authenticates, (void (*)(void *))osip_www_authenticate_free);
    return sip__raw_scan(buf, hdr_end, sip__raw_auth_cb, m);
}

/* Checks the raw Content-Length against the bytes after the blank line. */
static int sip__check_raw_cl(const char *buf, size_t hdr_end, size_t body_len, char *why,
                             size_t whylen)
{
    const char *cl = NULL;
    unsigned long long v = 0;
    int r = sip__raw_scan(buf, hdr_end, sip__raw_cl_cb, &cl);

    if (r == -EBADMSG)
        return sip__fail(why, whylen, "Bad header line");
    if (r < 0)
        return r;
    if (cl == NULL)
        return 0;
    while (*cl == ' ' || *cl == '\t')
        cl++;
    if (!isdigit((unsigned char)*cl))
        return sip__fail(why, whylen, "Bad Content-Length");
    for (; isdigit((unsigned char)*cl); cl++) {
        v = v * 10 + (unsigned)(*cl - '0');
        if (v > (1u << 24))
            return sip__fail(why, whylen, "Bad Content-Length");
    }
    while (*cl == ' ' || *cl == '\t')
        cl++;
    if (*cl != '\r' && *cl != '\n')
        return sip__fail(why, whylen, "Bad Content-Length");
    if (v > body_len)
        return sip__fail(why, whylen, "Content-Length larger than body");
    return 0;
}

/* Restores the canonical spelling of extension header names osip lower-cased. */
static int sip__canonical_names(osip_message_t *m)
{
    int i, size = osip_list_size(&m->headers);

    for (i = 0; i < size; i++) {
        osip_header_t *h = osip_list_get(&m->headers, i);
        const char *c;
        char *dup;

        if (h == NULL || h->hname == NULL)
            continue;
        c = sip__hdr_canonical(h->hname);
        if (c == h->hname || strcmp(c, h->hname) == 0)
            continue;
        dup = osip_strdup(c);
        if (dup == NULL)
            return -ENOMEM;
        osip_free(h->hname);
        h->hname = dup;
    }
    return 0;
}

int sip_msg_parse(const char *buf, size_t len, osip_message_t **out, char *why, size_t whylen)
{
    osip_message_t *m = NULL;
    char *copy = NULL;
    size_t body_off, body_len;
    int r;

    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (buf == NULL || len == 0)
        return sip__fail(why, whylen, "Empty message");
    sip__init();

    copy = malloc(len + 1);
    if (copy == NULL)
        return -ENOMEM;
    memcpy(copy, buf, len);
    copy[len] = '\0';

    if (!sip__start_line_ok(copy, len)) {
        r = sip__fail(why, whylen, "Bad start line");
        goto out;
    }
    body_off = sip__body_offset(copy, len);
    if (body_off == 0) {
        r = sip__fail(why, whylen, "Truncated message (no end of headers)");
        goto out;
    }
    body_len = len - body_off;
    r = sip__check_raw_cl(copy, body_off, body_len, why, whylen);
    if (r < 0)
        goto out;

    if (osip_message_init(&m) != 0) {
        r = -ENOMEM;
        goto out;
    }
    if (osip_message_parse(m, copy, len) != 0) {
        r = sip__fail(why, whylen, "Malformed message");
        goto out;
    }
    if (m->content_length != NULL && m->content_type == NULL &&
        strtoul(m->content_length->value != NULL ? m->content_length->value : "0", NULL, 10) > 0) {
        r = sip__fail(why, whylen, "Missing Content-Type");
        goto out;
    }
    r = sip__keep_raw_auth(m, copy, body_off);
    if (r == 0)
        r = sip__canonical_names(m);
    if (r < 0)
        goto out;
    /* osip accepts some headers it then cannot write (e.g. "Accept: a/b;c"):
       refuse them here rather than fail when the message is forwarded. */
    {
        char *text = NULL;
        size_t tlen = 0;

        if (osip_message_to_str(m, &text, &tlen) != 0 || text == NULL) {
            r = sip__fail(why, whylen, "Malformed message");
            goto out;
        }
        osip_free(text);
        osip_free(m->message);
        m->message = NULL;
        m->message_length = 0;
        sip__touch(m);
    }
    *out = m;
    m = NULL;
out:
    if (m != NULL)
        osip_message_free(m);
    free(copy);
    return r;
}

int sip_msg_check(const osip_message_t *m, char *reason, size_t reasonlen)
{
    const osip_via_t *via;
    osip_generic_param_t *p = NULL;
    const char *mf;
    uint32_t v;
    bool req;
    size_t i;

    if (m == NULL)
        return sip__fail(reason, reasonlen, "No message");
    req = MSG_IS_REQUEST(m);
    if (req && (m->sip_method == NULL || m->req_uri == NULL))
        return sip__fail(reason, reasonlen, "Bad request line");
    via = osip_list_get(&m->vias, 0);
    if (via == NULL)
        return sip__fail(reason, reasonlen, "Missing Via");
    if (osip_via_param_get_byname((osip_via_t *)via, "branch", &p) != 0 || p == NULL ||
        p->gvalue == NULL || p->gvalue[0] == '\0')
        return sip__fail(reason, reasonlen, "Missing Via branch");
    if (m->from == NULL || m->from->url == NULL)
        return sip__fail(reason, reasonlen, "Missing From");
    p = NULL;
    if (req && (osip_from_get_tag(m->from, &p) != 0 || p == NULL || p->gvalue == NULL ||
                p->gvalue[0] == '\0'))
        return sip__fail(reason, reasonlen, "Missing From tag");
    if (m->to == NULL || m->to->url == NULL)
        return sip__fail(reason, reasonlen, "Missing To");
    if (m->call_id == NULL || m->call_id->number == NULL || m->call_id->number[0] == '\0')
        return sip__fail(reason, reasonlen, "Missing Call-ID");
    if (m->cseq == NULL || m->cseq->number == NULL || m->cseq->method == NULL)
        return sip__fail(reason, reasonlen, "Missing CSeq");
    for (i = 0; m->cseq->number[i] != '\0'; i++) {
        if (!isdigit((unsigned char)m->cseq->number[i]) || i >= 10)
            return sip__fail(reason, reasonlen, "Bad CSeq number");
    }
    if (i == 0 || strtoull(m->cseq->number, NULL, 10) > 0x7fffffffULL)
        return sip__fail(reason, reasonlen, "Bad CSeq number");
    if (req && strcmp(m->cseq->method, m->sip_method) != 0)
        return sip__fail(reason, reasonlen, "CSeq method mismatch");
    mf = sip_hdr_get(m, "Max-Forwards", 0);
    if (mf != NULL) {
        size_t k = 0;
        while (isdigit((unsigned char)mf[k]))
            k++;
        if (k == 0 || k > 3 || mf[k] != '\0' || sip_hdr_get_uint(m, "Max-Forwards", &v) != 0 ||
            v > 255)
            return sip__fail(reason, reasonlen, "Bad Max-Forwards");
    }
    if (m->content_length != NULL && osip_list_size(&m->bodies) == 1) {
        const osip_body_t *b = osip_list_get(&m->bodies, 0);
        const char *cl = m->content_length->value;
        if (cl == NULL || strtoul(cl, NULL, 10) != b->length)
            return sip__fail(reason, reasonlen, "Content-Length mismatch");
    }
    return 0;
}

int sip_msg_to_str(osip_message_t *m, char **out, size_t *len)
{
    char *s = NULL;
    size_t l = 0;

    if (m == NULL || out == NULL)
        return -EINVAL;
    *out = NULL;
    /* osip caches the text of its last serialisation and does not notice
       changes made straight to its lists: always serialise afresh. */
    osip_message_force_update(m);
    if (osip_message_to_str(m, &s, &l) != 0 || s == NULL)
        return -EINVAL;
    *out = s;
    if (len != NULL)
        *len = l;
    return 0;
}

bool sip_msg_is_method(const osip_message_t *m, const char *method)
{
    return m != NULL && method != NULL && MSG_IS_REQUEST(m) && m->sip_method != NULL &&
           strcmp(m->sip_method, method) == 0;
}

int sip_response_new(const osip_message_t *req, int code, const char *reason, const char *to_tag,
                     osip_message_t **out)
{
    osip_message_t *r = NULL;
    osip_generic_param_t *tag = NULL;
    char tagbuf[17];
    int ret = -ENOMEM;

    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (req == NULL || !MSG_IS_REQUEST(req) || code < 100 || code > 699 ||
        osip_list_size(&req->vias) == 0)
        return -EINVAL;
    if (reason == NULL)
        reason = osip_message_get_reason(code);
    if (reason == NULL)
        reason = "Unknown";
    sip__init();
    if (osip_message_init(&r) != 0)
        return -ENOMEM;
    osip_message_set_version(r, osip_strdup("SIP/2.0"));
    osip_message_set_status_code(r, code);
    osip_message_set_reason_phrase(r, osip_strdup(reason));
    if (r->sip_version == NULL || r->reason_phrase == NULL)
        goto out;
    /* a 400 may have to answer a request that lacks some of these */
    if (osip_list_clone(&req->vias, &r->vias, (int (*)(void *, void **))osip_via_clone) != 0 ||
        (req->from != NULL && osip_from_clone(req->from, &r->from) != 0) ||
        (req->to != NULL && osip_to_clone(req->to, &r->to) != 0) ||
        (req->call_id != NULL && osip_call_id_clone(req->call_id, &r->call_id) != 0) ||
        (req->cseq != NULL && osip_cseq_clone(req->cseq, &r->cseq) != 0))
        goto out;
    if (code > 100 && r->to != NULL && (osip_to_get_tag(r->to, &tag) != 0 || tag == NULL)) {
        if (to_tag == NULL) {
            ret = sip_random_hex(tagbuf, sizeof(tagbuf), 8);
            if (ret < 0)
                goto out;
            to_tag = tagbuf;
            ret = -ENOMEM;
        }
        if (osip_to_set_tag(r->to, osip_strdup(to_tag)) != 0)
            goto out;
    }
    /* RFC 7315 §4.6: the charging vector travels back with the response (the
     * P-CSCF removes it before the UE); it also keeps the trace id of the logs. */
    if (sip_hdr_get(req, "P-Charging-Vector", 0) &&
        sip_hdr_add(r, "P-Charging-Vector", sip_hdr_get(req, "P-Charging-Vector", 0)) != 0)
        goto out;
    if (osip_message_set_content_length(r, "0") != 0)
        goto out;
    *out = r;
    r = NULL;
    ret = 0;
out:
    if (r != NULL)
        osip_message_free(r);
    return ret;
}
