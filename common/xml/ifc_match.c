/*
 * iFC evaluation (TS 29.228 Annex B; used by the S-CSCF as in TS 24.229 §5.4.3.2 and
 * for third-party registration, §5.4.1.7).
 */
#include "xml/xml.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when expr matches somewhere in subject, 0 when not, -1 when expr does not compile. */
static int regex_search(const char *expr, const char *subject)
{
    regex_t re;
    int rc;

    if (regcomp(&re, expr, REG_EXTENDED | REG_NOSUB) != 0)
        return -1;
    rc = regexec(&re, subject, 0, NULL, 0) == 0 ? 1 : 0;
    regfree(&re);
    return rc;
}

static int eval_header(const struct xml_spt *spt, const struct xml_sip_ctx *ctx)
{
    const char *v;
    size_t i;
    int r;

    if (ctx->header_value == NULL)
        return 0;
    for (i = 0; (v = ctx->header_value(ctx->header_arg, spt->header, i)) != NULL; i++) {
        if (spt->header_content == NULL)
            return 1;
        r = regex_search(spt->header_content, v);
        if (r != 0)
            return r;
    }
    return 0;
}

static int eval_sdp(const struct xml_spt *spt, const struct xml_sip_ctx *ctx)
{
    size_t i, tl = strlen(spt->sdp_line);
    int r;

    if (ctx->sdp_lines == NULL)
        return 0;
    for (i = 0; i < ctx->n_sdp_lines; i++) {
        const char *line = ctx->sdp_lines[i];
        const char *eq = line != NULL ? strchr(line, '=') : NULL;
        if (eq == NULL || (size_t)(eq - line) != tl || strncasecmp(line, spt->sdp_line, tl) != 0)
            continue;
        if (spt->sdp_content == NULL)
            return 1;
        r = regex_search(spt->sdp_content, eq + 1);
        if (r != 0)
            return r;
    }
    return 0;
}

static int eval_method(const struct xml_spt *spt, const struct xml_sip_ctx *ctx)
{
    if (ctx->method == NULL || strcmp(spt->method, ctx->method) != 0)
        return 0;
    if (spt->reg_types != 0 && strcmp(ctx->method, "REGISTER") == 0) {
        if (ctx->reg_type < XML_REG_TYPE_INITIAL || ctx->reg_type > XML_REG_TYPE_DE)
            return 0;
        return (spt->reg_types & XML_REG_TYPE_BIT(ctx->reg_type)) != 0;
    }
    return 1;
}

/* 1 true, 0 false, -1 unusable (bad expression): the SPT is then false, negated or not. */
static int eval_spt_raw(const struct xml_spt *spt, const struct xml_sip_ctx *ctx)
{
    switch (spt->type) {
    case XML_SPT_REQUEST_URI:
        if (spt->request_uri == NULL)
            return -1;
        return ctx->request_uri != NULL ? regex_search(spt->request_uri, ctx->request_uri) : 0;
    case XML_SPT_METHOD:
        return spt->method != NULL ? eval_method(spt, ctx) : -1;
    case XML_SPT_SIP_HEADER:
        return spt->header != NULL ? eval_header(spt, ctx) : -1;
    case XML_SPT_SESSION_CASE:
        return spt->session_case == ctx->session_case;
    case XML_SPT_SESSION_DESCRIPTION:
        return spt->sdp_line != NULL ? eval_sdp(spt, ctx) : -1;
    }
    return -1;
}

static bool eval_spt(const struct xml_spt *spt, const struct xml_sip_ctx *ctx)
{
    int r = eval_spt_raw(spt, ctx);

    if (r < 0)
        return false;
    return spt->negated ? r == 0 : r == 1;
}

static bool spt_in_group(const struct xml_spt *spt, int g)
{
    size_t i;

    for (i = 0; i < spt->n_groups; i++)
        if (spt->groups[i] == g)
            return true;
    return false;
}

/* True when group g was already seen in an SPT before index k (or earlier in SPT k). */
static bool group_seen_before(const struct xml_trigger_point *tp, size_t k, size_t gi)
{
    size_t i, j;

    for (i = 0; i <= k; i++) {
        size_t lim = i == k ? gi : tp->spts[i].n_groups;
        for (j = 0; j < lim; j++)
            if (tp->spts[i].groups[j] == tp->spts[k].groups[gi])
                return true;
    }
    return false;
}

bool xml_ifc_matches(const struct xml_ifc *ifc, const struct xml_sip_ctx *ctx)
{
    const struct xml_trigger_point *tp;
    bool *res, result;
    size_t i, k, gi;

    if (ifc == NULL || ctx == NULL)
        return false;
    tp = ifc->trigger_point;
    if (tp == NULL || tp->n_spts == 0)
        return true;
    res = calloc(tp->n_spts, sizeof(*res));
    if (res == NULL)
        return false;
    for (i = 0; i < tp->n_spts; i++)
        res[i] = eval_spt(&tp->spts[i], ctx);

    /* CNF: every group must have a true SPT. DNF: some group must have all SPTs true. */
    result = tp->cnf;
    for (k = 0; k < tp->n_spts; k++) {
        for (gi = 0; gi < tp->spts[k].n_groups; gi++) {
            int g = tp->spts[k].groups[gi];
            bool any = false, all = true;
            if (group_seen_before(tp, k, gi))
                continue;
            for (i = 0; i < tp->n_spts; i++) {
                if (!spt_in_group(&tp->spts[i], g))
                    continue;
                any = any || res[i];
                all = all && res[i];
            }
            if (tp->cnf && !any) {
                result = false;
                goto out;
            }
            if (!tp->cnf && all) {
                result = true;
                goto out;
            }
        }
    }
out:
    free(res);
    return result;
}

/* False when the ProfilePartIndicator rules the iFC out for this session case. */
static bool profile_part_applies(const struct xml_ifc *ifc, int session_case)
{
    bool unregistered_case = session_case == XML_SESSION_TERMINATING_UNREGISTERED ||
                             session_case == XML_SESSION_ORIGINATING_UNREGISTERED;
    bool registered_case = session_case == XML_SESSION_ORIGINATING ||
                           session_case == XML_SESSION_TERMINATING_REGISTERED;

    if (ifc->profile_part_indicator == XML_PROFILE_PART_REGISTERED)
        return !unregistered_case;
    if (ifc->profile_part_indicator == XML_PROFILE_PART_UNREGISTERED)
        return !registered_case;
    return true;
}

int xml_ifc_select(const struct xml_service_profile *sp, const struct xml_sip_ctx *ctx,
                   int after_priority, const struct xml_ifc ***out, size_t *n)
{
    const struct xml_ifc **sorted = NULL;
    size_t i, count = 0, kept = 0;
    int rc;

    if (out == NULL || n == NULL)
        return -EINVAL;
    *out = NULL;
    *n = 0;
    if (sp == NULL || ctx == NULL)
        return -EINVAL;
    rc = xml_ifc_sorted(sp, &sorted, &count);
    if (rc < 0)
        return rc;
    for (i = 0; i < count; i++) {
        const struct xml_ifc *ifc = sorted[i];
        if (ifc->priority <= after_priority || !profile_part_applies(ifc, ctx->session_case) ||
            !xml_ifc_matches(ifc, ctx))
            continue;
        sorted[kept++] = ifc;
    }
    if (kept == 0) {
        free(sorted);
        return 0;
    }
    *out = sorted;
    *n = kept;
    return 0;
}
