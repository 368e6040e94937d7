/*
 * scscf_select.c: S-CSCF selection by Server-Capabilities (TS 29.228 §6.7,
 * TS 24.229 §5.3.1.2): every mandatory capability, most optional ones.
 */
#include "icscf.h"

#include "sip/sip.h"

#include <string.h>
#include <strings.h>

static bool has_cap(const struct icscf_scscf *s, uint32_t cap)
{
    for (size_t i = 0; i < s->n_caps; i++)
        if (s->caps[i] == cap)
            return true;
    return false;
}

static bool named_by_hss(const struct icscf_scscf *s, const struct cx_caps *caps)
{
    for (size_t i = 0; i < caps->server_names.n; i++)
        if (caps->server_names.v[i] && sip_uri_aor_is_equal(s->name, caps->server_names.v[i]))
            return true;
    return false;
}

int icscf_scscf_find(const struct icscf_scscf *list, size_t n, const char *server_name)
{
    if (!list || !server_name)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(list[i].name, server_name) ||
            sip_uri_aor_is_equal(list[i].name, server_name))
            return (int)i;
    return -1;
}

size_t icscf_scscf_rank(const struct icscf_scscf *list, size_t n, const struct cx_caps *caps,
                        size_t *order, size_t max)
{
    int score[ICSCF_MAX_SCSCFS];
    size_t idx[ICSCF_MAX_SCSCFS];
    size_t k = 0;

    if (!list || !order || max == 0)
        return 0;
    if (n > ICSCF_MAX_SCSCFS)
        n = ICSCF_MAX_SCSCFS;
    for (size_t i = 0; i < n; i++) {
        bool ok = true;
        int s = 0;

        if (caps && caps->present) {
            for (size_t m = 0; m < caps->n_mandatory && ok; m++)
                ok = has_cap(&list[i], caps->mandatory[m]);
            if (!ok)
                continue;
            for (size_t o = 0; o < caps->n_optional; o++)
                s += has_cap(&list[i], caps->optional[o]) ? 2 : 0;
            s += named_by_hss(&list[i], caps) ? 1 : 0;
        }
        /* insertion sort, stable: strictly greater scores move ahead */
        size_t pos = k;
        while (pos > 0 && score[pos - 1] < s) {
            score[pos] = score[pos - 1];
            idx[pos] = idx[pos - 1];
            pos--;
        }
        score[pos] = s;
        idx[pos] = i;
        k++;
    }
    if (k > max)
        k = max;
    memcpy(order, idx, k * sizeof(*order));
    return k;
}
