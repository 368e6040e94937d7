/*
 * sip_pheader.c: P-Access-Network-Info, P-Visited-Network-ID and
 * P-Charging-Vector (RFC 7315, TS 24.229 §7.2A).
 */
#include "sip_internal.h"

#include "log/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int sip_pani_parse(const char *value, struct sip_pani *out)
{
    size_t i = 0, len;
    int r;

    if (value == NULL || out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    len = strlen(value);
    while (i < len && isspace((unsigned char)value[i]))
        i++;
    {
        size_t b = i;
        while (i < len && sip__is_token_char((unsigned char)value[i]))
            i++;
        if (i == b)
            return -EBADMSG;
        r = sip__copy(out->access_type, sizeof(out->access_type), value + b, i - b);
        if (r < 0)
            return r;
    }
    while (i < len && isspace((unsigned char)value[i]))
        i++;
    if (i < len && value[i] != ';')
        return -EBADMSG;
    r = sip__params_parse(value + i, len - i, ';', out->params, SIP_PARAMS_MAX, &out->n_params);
    if (r < 0)
        return r == -E2BIG ? -EBADMSG : r;
    out->network_provided = sip__param_find(out->params, out->n_params, "network-provided") != NULL;
    return 0;
}

int sip_pani_get(const osip_message_t *m, int n, struct sip_pani *out)
{
    const char *v = sip_hdr_get(m, "P-Access-Network-Info", n);

    if (v == NULL)
        return -ENOENT;
    return sip_pani_parse(v, out) == 0 ? 0 : -EBADMSG;
}

const char *sip_pani_param(const struct sip_pani *pani, const char *name)
{
    const struct sip_param *p;

    if (pani == NULL || name == NULL)
        return NULL;
    p = sip__param_find(pani->params, pani->n_params, name);
    return p != NULL ? p->value : NULL;
}

int sip_pvni_get(const osip_message_t *m, int n, char *out, size_t outlen)
{
    const char *v = sip_hdr_get(m, "P-Visited-Network-ID", n);
    size_t len, e;

    if (v == NULL)
        return -ENOENT;
    if (out == NULL)
        return -EINVAL;
    while (isspace((unsigned char)*v))
        v++;
    len = strlen(v);
    /* the value may carry ;params after the id: keep only the id */
    if (v[0] == '"') {
        for (e = 1; e < len && v[e] != '"'; e++) {
            if (v[e] == '\\')
                e++;
        }
        if (e >= len)
            return -EBADMSG;
        return sip_unquote(v, e + 1, out, outlen);
    }
    for (e = 0; e < len && sip__is_token_char((unsigned char)v[e]); e++)
        ;
    if (e == 0)
        return -EBADMSG;
    return sip__copy(out, outlen, v, e);
}

int sip_pvni_add(osip_message_t *m, const char *value)
{
    char buf[512];
    int r;

    if (value == NULL || *value == '\0')
        return -EINVAL;
    if (sip__is_token(value))
        return sip_hdr_add(m, "P-Visited-Network-ID", value);
    r = sip_quote(value, buf, sizeof(buf));
    if (r < 0)
        return -EINVAL;
    return sip_hdr_add(m, "P-Visited-Network-ID", buf);
}

int sip_pcv_parse(const char *value, struct sip_pcv *out)
{
    struct sip_param params[SIP_PARAMS_MAX];
    size_t n = 0, i;
    int r;

    if (value == NULL || out == NULL)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    r = sip__params_parse(value, strlen(value), ';', params, SIP_PARAMS_MAX, &n);
    if (r < 0)
        return r == -E2BIG ? -EBADMSG : r;
    for (i = 0; i < n; i++) {
        const struct sip_param *p = &params[i];
        char *dst = NULL;
        size_t dlen = 0;

        if (strcasecmp(p->name, "icid-value") == 0) {
            dst = out->icid;
            dlen = sizeof(out->icid);
        } else if (strcasecmp(p->name, "icid-generated-at") == 0) {
            dst = out->icid_gen_at;
            dlen = sizeof(out->icid_gen_at);
        } else if (strcasecmp(p->name, "orig-ioi") == 0) {
            dst = out->orig_ioi;
            dlen = sizeof(out->orig_ioi);
        } else if (strcasecmp(p->name, "term-ioi") == 0) {
            dst = out->term_ioi;
            dlen = sizeof(out->term_ioi);
        }
        if (dst != NULL) {
            if (!p->has_value || p->value[0] == '\0' || dst[0] != '\0')
                return -EBADMSG;
            r = sip__copy(dst, dlen, p->value, strlen(p->value));
            if (r < 0)
                return r;
        } else {
            out->other[out->n_other++] = *p;
        }
    }
    if (out->icid[0] == '\0')
        return -EBADMSG;
    return 0;
}

int sip_pcv_get(const osip_message_t *m, struct sip_pcv *out)
{
    const char *v = sip_hdr_get(m, "P-Charging-Vector", 0);

    if (v == NULL)
        return -ENOENT;
    return sip_pcv_parse(v, out) == 0 ? 0 : -EBADMSG;
}

/* Appends ;name=value, quoting value when it is not a token (or gen-value host). */
static int sip__param_out(char *buf, size_t buflen, size_t *off, const char *name,
                          const char *value, bool force_quote)
{
    char q[SIP_PARAM_VALUE_MAX + 8];
    const char *p;
    bool plain = !force_quote && *value != '\0';

    for (p = value; plain && *p != '\0'; p++) {
        if (!sip__is_token_char((unsigned char)*p) && *p != ':' && *p != '[' && *p != ']')
            plain = false;
    }
    if (plain)
        return sip__append(buf, buflen, off, "%s=%s", name, value);
    if (sip_quote(value, q, sizeof(q)) < 0)
        return -ENOSPC;
    return sip__append(buf, buflen, off, "%s=%s", name, q);
}

int sip_pcv_build(const struct sip_pcv *pcv, char *buf, size_t buflen)
{
    size_t off = 0, i;
    int r;

    if (pcv == NULL || buf == NULL || pcv->icid[0] == '\0')
        return -EINVAL;
    r = sip__param_out(buf, buflen, &off, "icid-value", pcv->icid, false);
    if (r == 0 && pcv->icid_gen_at[0] != '\0') {
        r = sip__append(buf, buflen, &off, ";");
        if (r == 0)
            r = sip__param_out(buf, buflen, &off, "icid-generated-at", pcv->icid_gen_at, false);
    }
    if (r == 0 && pcv->orig_ioi[0] != '\0') {
        r = sip__append(buf, buflen, &off, ";");
        if (r == 0)
            r = sip__param_out(buf, buflen, &off, "orig-ioi", pcv->orig_ioi, false);
    }
    if (r == 0 && pcv->term_ioi[0] != '\0') {
        r = sip__append(buf, buflen, &off, ";");
        if (r == 0)
            r = sip__param_out(buf, buflen, &off, "term-ioi", pcv->term_ioi, false);
    }
    for (i = 0; r == 0 && i < pcv->n_other; i++) {
        const struct sip_param *p = &pcv->other[i];
        r = sip__append(buf, buflen, &off, ";");
        if (r == 0 && p->has_value)
            r = sip__param_out(buf, buflen, &off, p->name, p->value, p->quoted);
        else if (r == 0)
            r = sip__append(buf, buflen, &off, "%s", p->name);
    }
    return r;
}

int sip_pcv_set(osip_message_t *m, const struct sip_pcv *pcv)
{
    char buf[1024];
    int r = sip_pcv_build(pcv, buf, sizeof(buf));

    if (r < 0)
        return r;
    return sip_hdr_replace(m, "P-Charging-Vector", buf);
}

void sip_log_trace(const osip_message_t *m)
{
    struct sip_pcv pcv;

    if (!m)
        log_trace_set(NULL);
    else if (sip_pcv_get(m, &pcv) == 0)
        log_trace_set(pcv.icid);
    else if (m->call_id && m->call_id->number)
        log_trace_set(m->call_id->number);
    else
        log_trace_set(NULL);
}

int sip_icid_generate(char *buf, size_t buflen)
{
    return sip_random_hex(buf, buflen, 16);
}
