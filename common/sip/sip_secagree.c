/*
 * sip_secagree.c: Security-Client / -Server / -Verify (RFC 3329) with the
 * TS 33.203 ipsec-3gpp parameters.
 */
#include "sip_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sip_sec_mech_init(struct sip_sec_mech *mech)
{
    memset(mech, 0, sizeof(*mech));
    mech->q = -1;
    mech->spi_c = -1;
    mech->spi_s = -1;
    mech->port_c = -1;
    mech->port_s = -1;
}

/* Parses 1*10DIGIT in 0..max. */
static int sip__parse_num(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (!isdigit((unsigned char)s[i]) || i >= 10)
            return -EBADMSG;
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0 || v > max)
        return -EBADMSG;
    *out = v;
    return 0;
}

/* qvalue = "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")], in thousandths. */
static int sip__parse_q(const char *s, int *out)
{
    int v, scale = 100;

    if ((s[0] != '0' && s[0] != '1') || (s[1] != '\0' && s[1] != '.'))
        return -EBADMSG;
    v = (s[0] - '0') * 1000;
    if (s[1] == '.') {
        s += 2;
        if (strlen(s) > 3)
            return -EBADMSG;
        for (; *s != '\0'; s++, scale /= 10) {
            if (!isdigit((unsigned char)*s))
                return -EBADMSG;
            v += (*s - '0') * scale;
        }
    }
    if (v > 1000)
        return -EBADMSG;
    *out = v;
    return 0;
}

struct sip__sec_ctx {
    struct sip_sec_mech *out;
    size_t max;
    size_t n;
    char *why;
    size_t whylen;
};

static int sip__sec_str(const struct sip_param *p, char *dst, size_t dlen, char *why, size_t whylen)
{
    if (dst[0] != '\0')
        return sip__fail(why, whylen, "Duplicate parameter %s", p->name);
    if (!p->has_value || !sip__is_token(p->value))
        return sip__fail(why, whylen, "Bad value for %s", p->name);
    if (sip__copy(dst, dlen, p->value, strlen(p->value)) < 0)
        return sip__fail(why, whylen, "Value too long for %s", p->name);
    return 0;
}

static int sip__sec_num(const struct sip_param *p, int64_t *dst, int64_t min, int64_t max,
                        char *why, size_t whylen)
{
    int64_t v;

    if (*dst != -1)
        return sip__fail(why, whylen, "Duplicate parameter %s", p->name);
    if (!p->has_value || sip__parse_num(p->value, max, &v) != 0 || v < min)
        return sip__fail(why, whylen, "%s out of range", p->name);
    *dst = v;
    return 0;
}

static int sip__sec_item(const char *s, size_t len, void *arg)
{
    struct sip__sec_ctx *c = arg;
    struct sip_param params[SIP_PARAMS_MAX + 4];
    struct sip_sec_mech *m;
    size_t i = 0, n = 0, k;
    int r;

    if (c->n >= c->max)
        return -E2BIG;
    m = &c->out[c->n];
    sip_sec_mech_init(m);
    while (i < len && sip__is_token_char((unsigned char)s[i]))
        i++;
    if (i == 0)
        return sip__fail(c->why, c->whylen, "Missing mechanism name");
    if (sip__copy(m->mech, sizeof(m->mech), s, i) < 0)
        return sip__fail(c->why, c->whylen, "Mechanism name too long");
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    if (i < len && s[i] != ';')
        return sip__fail(c->why, c->whylen, "Bad character after mechanism %s", m->mech);
    r = sip__params_parse(s + i, len - i, ';', params, sizeof(params) / sizeof(params[0]), &n);
    if (r == -E2BIG)
        return sip__fail(c->why, c->whylen, "Too many parameters");
    if (r < 0)
        return sip__fail(c->why, c->whylen, "Bad parameter syntax in %s", m->mech);
    for (k = 0; k < n; k++) {
        const struct sip_param *p = &params[k];
        int64_t v;

        if (strcasecmp(p->name, "q") == 0) {
            if (m->q != -1)
                return sip__fail(c->why, c->whylen, "Duplicate parameter q");
            if (!p->has_value || sip__parse_q(p->value, &m->q) != 0)
                return sip__fail(c->why, c->whylen, "q out of range");
        } else if (strcasecmp(p->name, "alg") == 0) {
            r = sip__sec_str(p, m->alg, sizeof(m->alg), c->why, c->whylen);
        } else if (strcasecmp(p->name, "ealg") == 0) {
            r = sip__sec_str(p, m->ealg, sizeof(m->ealg), c->why, c->whylen);
        } else if (strcasecmp(p->name, "prot") == 0) {
            r = sip__sec_str(p, m->prot, sizeof(m->prot), c->why, c->whylen);
            if (r == 0 && strcasecmp(m->prot, "esp") != 0 && strcasecmp(m->prot, "ah") != 0)
                r = sip__fail(c->why, c->whylen, "Unknown prot %s", m->prot);
        } else if (strcasecmp(p->name, "mod") == 0) {
            r = sip__sec_str(p, m->mod, sizeof(m->mod), c->why, c->whylen);
            if (r == 0 && strcasecmp(m->mod, "trans") != 0 && strcasecmp(m->mod, "tun") != 0 &&
                strcasecmp(m->mod, "UDP-enc-tun") != 0)
                r = sip__fail(c->why, c->whylen, "Unknown mod %s", m->mod);
        } else if (strcasecmp(p->name, "spi-c") == 0) {
            r = sip__sec_num(p, &m->spi_c, 0, 4294967295LL, c->why, c->whylen);
        } else if (strcasecmp(p->name, "spi-s") == 0) {
            r = sip__sec_num(p, &m->spi_s, 0, 4294967295LL, c->why, c->whylen);
        } else if (strcasecmp(p->name, "port-c") == 0) {
            v = m->port_c;
            r = sip__sec_num(p, &v, 1, 65535, c->why, c->whylen);
            m->port_c = (int32_t)v;
        } else if (strcasecmp(p->name, "port-s") == 0) {
            v = m->port_s;
            r = sip__sec_num(p, &v, 1, 65535, c->why, c->whylen);
            m->port_s = (int32_t)v;
        } else {
            if (sip__param_find(m->unknown, m->n_unknown, p->name) != NULL)
                return sip__fail(c->why, c->whylen, "Duplicate parameter %s", p->name);
            if (m->n_unknown >= sizeof(m->unknown) / sizeof(m->unknown[0]))
                return sip__fail(c->why, c->whylen, "Too many parameters");
            m->unknown[m->n_unknown++] = *p;
        }
        if (r < 0)
            return r;
    }
    c->n++;
    return 0;
}

int sip_sec_parse(const char *value, struct sip_sec_mech *out, size_t max, char *why, size_t whylen)
{
    struct sip__sec_ctx c = {.out = out, .max = max, .n = 0, .why = why, .whylen = whylen};
    int r;

    if (value == NULL || out == NULL)
        return -EINVAL;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    r = sip__split_commas(value, sip__sec_item, &c);
    if (r == -E2BIG)
        return r;
    if (r == -EBADMSG && c.n < max && why != NULL && why[0] == '\0')
        sip__fail(why, whylen, "Unterminated quote");
    if (r < 0)
        return r;
    if (c.n == 0)
        return sip__fail(why, whylen, "Empty Security header");
    return (int)c.n;
}

int sip_sec_get(const osip_message_t *m, const char *hname, struct sip_sec_mech *out, size_t max,
                char *why, size_t whylen)
{
    const char *v;
    size_t n = 0;
    int i, r;

    if (m == NULL || hname == NULL || out == NULL)
        return -EINVAL;
    for (i = 0; (v = sip_hdr_get(m, hname, i)) != NULL; i++) {
        if (n >= max)
            return -E2BIG;
        r = sip_sec_parse(v, out + n, max - n, why, whylen);
        if (r < 0)
            return r;
        n += (size_t)r;
    }
    return (int)n;
}

int sip_sec_mech_build(const struct sip_sec_mech *m, char *buf, size_t buflen)
{
    size_t off = 0, i;
    int r;

    if (m == NULL || buf == NULL || !sip__is_token(m->mech))
        return -EINVAL;
    r = sip__append(buf, buflen, &off, "%s", m->mech);
    if (r == 0 && m->q >= 0) {
        if (m->q % 10 == 0 && m->q % 100 != 0)
            r = sip__append(buf, buflen, &off, ";q=%d.%02d", m->q / 1000, (m->q % 1000) / 10);
        else if (m->q % 100 == 0)
            r = sip__append(buf, buflen, &off, ";q=%d.%d", m->q / 1000, (m->q % 1000) / 100);
        else
            r = sip__append(buf, buflen, &off, ";q=%d.%03d", m->q / 1000, m->q % 1000);
    }
    if (r == 0 && m->prot[0] != '\0')
        r = sip__append(buf, buflen, &off, ";prot=%s", m->prot);
    if (r == 0 && m->mod[0] != '\0')
        r = sip__append(buf, buflen, &off, ";mod=%s", m->mod);
    if (r == 0 && m->spi_c >= 0)
        r = sip__append(buf, buflen, &off, ";spi-c=%lld", (long long)m->spi_c);
    if (r == 0 && m->spi_s >= 0)
        r = sip__append(buf, buflen, &off, ";spi-s=%lld", (long long)m->spi_s);
    if (r == 0 && m->port_c >= 0)
        r = sip__append(buf, buflen, &off, ";port-c=%d", (int)m->port_c);
    if (r == 0 && m->port_s >= 0)
        r = sip__append(buf, buflen, &off, ";port-s=%d", (int)m->port_s);
    if (r == 0 && m->alg[0] != '\0')
        r = sip__append(buf, buflen, &off, ";alg=%s", m->alg);
    if (r == 0 && m->ealg[0] != '\0')
        r = sip__append(buf, buflen, &off, ";ealg=%s", m->ealg);
    for (i = 0; r == 0 && i < m->n_unknown; i++) {
        const struct sip_param *p = &m->unknown[i];
        char q[SIP_PARAM_VALUE_MAX + 8];
        if (!p->has_value) {
            r = sip__append(buf, buflen, &off, ";%s", p->name);
        } else if (p->quoted || !sip__is_token(p->value)) {
            r = sip_quote(p->value, q, sizeof(q));
            if (r == 0)
                r = sip__append(buf, buflen, &off, ";%s=%s", p->name, q);
        } else {
            r = sip__append(buf, buflen, &off, ";%s=%s", p->name, p->value);
        }
    }
    return r;
}

int sip_sec_build(const struct sip_sec_mech *mechs, size_t n, char *buf, size_t buflen)
{
    size_t off = 0, i;
    int r = 0;

    if (mechs == NULL || buf == NULL || n == 0)
        return -EINVAL;
    for (i = 0; i < n && r == 0; i++) {
        if (i > 0)
            r = sip__append(buf, buflen, &off, ", ");
        if (r == 0) {
            r = sip_sec_mech_build(&mechs[i], buf + off, buflen - off);
            off += r == 0 ? strlen(buf + off) : 0;
        }
    }
    return r;
}

static bool sip__sec_mech_eq(const struct sip_sec_mech *a, const struct sip_sec_mech *b)
{
    size_t i;

    if (strcasecmp(a->mech, b->mech) != 0 || a->q != b->q || strcasecmp(a->alg, b->alg) != 0 ||
        strcasecmp(a->ealg, b->ealg) != 0 || strcasecmp(a->prot, b->prot) != 0 ||
        strcasecmp(a->mod, b->mod) != 0 || a->spi_c != b->spi_c || a->spi_s != b->spi_s ||
        a->port_c != b->port_c || a->port_s != b->port_s || a->n_unknown != b->n_unknown)
        return false;
    for (i = 0; i < a->n_unknown; i++) {
        const struct sip_param *pa = &a->unknown[i];
        const struct sip_param *pb = sip__param_find(b->unknown, b->n_unknown, pa->name);
        if (pb == NULL || pa->has_value != pb->has_value || strcmp(pa->value, pb->value) != 0)
            return false;
    }
    return true;
}

bool sip_sec_is_equal(const struct sip_sec_mech *a, size_t na, const struct sip_sec_mech *b,
                      size_t nb)
{
    size_t i;

    if (a == NULL || b == NULL || na != nb)
        return false;
    for (i = 0; i < na; i++) {
        if (!sip__sec_mech_eq(&a[i], &b[i]))
            return false;
    }
    return true;
}
