/* imsua: key syntax and the subscriber file of "imsua load" (docs/imsua.md). */
#include "ua.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ua_key_parse(const char *text, uint8_t *out, size_t n)
{
    if (!text)
        return -EINVAL;
    if (strncmp(text, "ascii:", 6) == 0) {
        const char *s = text + 6;
        if (strlen(s) != n)
            return -EINVAL;
        for (size_t i = 0; i < n; i++) {
            if (!isprint((unsigned char)s[i]))
                return -EINVAL;
            out[i] = (uint8_t)s[i];
        }
        return 0;
    }
    return ua_hex_parse(text, out, n);
}

/* Strips blanks around s in place and returns it. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && isspace((unsigned char)s[l - 1]))
        s[--l] = '\0';
    return s;
}

/* Parses one data line into *c. Returns 0 or -EINVAL with why set. */
static int parse_line(char *line, struct ua_cred *c, const char **why)
{
    char *f[6];
    size_t nf = 0;
    uint8_t op[16];

    /* strtok_r would merge empty fields: split by hand. */
    for (;;) {
        if (nf == 6) {
            *why = "more than 5 fields";
            return -EINVAL;
        }
        f[nf++] = line;
        char *comma = strchr(line, ',');
        if (!comma)
            break;
        *comma = '\0';
        line = comma + 1;
    }
    for (size_t i = 0; i < nf; i++)
        f[i] = trim(f[i]);
    if (nf < 4) {
        *why = "expected impi,impu,k,op[,amf]";
        return -EINVAL;
    }
    memset(c, 0, sizeof(*c));
    if (!f[0][0] || snprintf(c->impi, sizeof(c->impi), "%s", f[0]) >= (int)sizeof(c->impi)) {
        *why = "bad impi";
        return -EINVAL;
    }
    if ((strncmp(f[1], "sip:", 4) && strncmp(f[1], "tel:", 4)) ||
        snprintf(c->impu, sizeof(c->impu), "%s", f[1]) >= (int)sizeof(c->impu)) {
        *why = "bad impu (sip: or tel: URI)";
        return -EINVAL;
    }
    if (ua_key_parse(f[2], c->k, 16)) {
        *why = "bad k (32 hex digits or ascii:16 characters)";
        return -EINVAL;
    }
    if (ua_key_parse(f[3], op, 16)) {
        *why = "bad op (32 hex digits or ascii:16 characters)";
        return -EINVAL;
    }
    c->amf[0] = 0x80;
    if (nf > 4 && f[4][0] && ua_key_parse(f[4], c->amf, 2)) {
        *why = "bad amf (4 hex digits or ascii:2 characters)";
        return -EINVAL;
    }
    if (aka_opc(c->k, op, c->opc) != 0) {
        *why = "cannot derive OPc";
        return -EINVAL;
    }
    c->have_k = true;
    return 0;
}

int ua_csv_load(const char *path, struct ua_cred **out, size_t *n, char *err, size_t errlen)
{
    FILE *fp = NULL;
    struct ua_cred *v = NULL;
    size_t cnt = 0, cap = 0, lineno = 0;
    char buf[1024];
    int rc = 0;

    *out = NULL;
    *n = 0;
    fp = fopen(path, "r");
    if (!fp) {
        rc = errno == ENOENT ? -ENOENT : -EINVAL;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    while (fgets(buf, sizeof(buf), fp)) {
        const char *why = NULL;
        lineno++;
        if (!strchr(buf, '\n') && !feof(fp)) {
            snprintf(err, errlen, "%s:%zu: line too long", path, lineno);
            rc = -EINVAL;
            goto out;
        }
        char *line = trim(buf);
        if (!line[0] || line[0] == '#' || strncmp(line, "impi,", 5) == 0)
            continue;
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct ua_cred *nv = realloc(v, ncap * sizeof(*v));
            if (!nv) {
                rc = -ENOMEM;
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            v = nv;
            cap = ncap;
        }
        if (parse_line(line, &v[cnt], &why) != 0) {
            snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
            rc = -EINVAL;
            goto out;
        }
        cnt++;
    }
    if (cnt == 0) {
        snprintf(err, errlen, "%s: no subscribers", path);
        rc = -EINVAL;
        goto out;
    }
    *out = v;
    *n = cnt;
    v = NULL;
out:
    if (fp)
        fclose(fp);
    free(v);
    return rc;
}
