/*
 * TS 29.228 IMS user data: freeing and the look-ups the S-CSCF needs (profile of an
 * IMPU, implicit registration set, iFCs in priority order).
 */
#include "xml/xml.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static void spt_free(struct xml_spt *spt)
{
    free(spt->groups);
    free(spt->request_uri);
    free(spt->method);
    free(spt->header);
    free(spt->header_content);
    free(spt->sdp_line);
    free(spt->sdp_content);
}

static void ifc_free(struct xml_ifc *ifc)
{
    size_t i;

    if (ifc->trigger_point != NULL) {
        for (i = 0; i < ifc->trigger_point->n_spts; i++)
            spt_free(&ifc->trigger_point->spts[i]);
        free(ifc->trigger_point->spts);
        free(ifc->trigger_point);
    }
    free(ifc->as.server_name);
    free(ifc->as.service_info);
}

static void profile_free(struct xml_service_profile *sp)
{
    size_t i;

    for (i = 0; i < sp->n_public_ids; i++) {
        free(sp->public_ids[i].identity);
        free(sp->public_ids[i].wildcarded_psi);
        free(sp->public_ids[i].display_name);
    }
    free(sp->public_ids);
    for (i = 0; i < sp->n_ifcs; i++)
        ifc_free(&sp->ifcs[i]);
    free(sp->ifcs);
}

void xml_ims_subscription_free(struct xml_ims_subscription *sub)
{
    size_t i;

    if (sub == NULL)
        return;
    for (i = 0; i < sub->n_profiles; i++)
        profile_free(&sub->profiles[i]);
    free(sub->profiles);
    free(sub->private_id);
    free(sub);
}

/* True when impu matches the WildcardedPSI expression of pi, anchored at both ends. */
static bool wildcard_matches(const struct xml_public_identity *pi, const char *impu)
{
    regex_t re;
    char *anchored;
    size_t l;
    bool match;

    if (pi->identity_type != XML_IDENTITY_WILDCARDED_PSI || pi->wildcarded_psi == NULL)
        return false;
    l = strlen(pi->wildcarded_psi);
    anchored = malloc(l + 5);
    if (anchored == NULL)
        return false;
    memcpy(anchored, "^(", 2);
    memcpy(anchored + 2, pi->wildcarded_psi, l);
    memcpy(anchored + 2 + l, ")$", 3);
    if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0) {
        free(anchored);
        return false;
    }
    match = regexec(&re, impu, 0, NULL, 0) == 0;
    regfree(&re);
    free(anchored);
    return match;
}

const struct xml_public_identity *
xml_userdata_find_identity(const struct xml_ims_subscription *sub, const char *impu,
                           const struct xml_service_profile **profile)
{
    size_t i, j;
    int pass;

    if (profile != NULL)
        *profile = NULL;
    if (sub == NULL || impu == NULL)
        return NULL;
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < sub->n_profiles; i++) {
            const struct xml_service_profile *sp = &sub->profiles[i];
            for (j = 0; j < sp->n_public_ids; j++) {
                const struct xml_public_identity *pi = &sp->public_ids[j];
                bool hit = pass == 0 ? strcmp(pi->identity, impu) == 0 : wildcard_matches(pi, impu);
                if (hit) {
                    if (profile != NULL)
                        *profile = sp;
                    return pi;
                }
            }
        }
    }
    return NULL;
}

const struct xml_service_profile *xml_userdata_find_profile(const struct xml_ims_subscription *sub,
                                                            const char *impu)
{
    const struct xml_service_profile *sp = NULL;

    xml_userdata_find_identity(sub, impu, &sp);
    return sp;
}

int xml_userdata_implicit_set(const struct xml_ims_subscription *sub, const char *impu,
                              const struct xml_public_identity ***out, size_t *n)
{
    const struct xml_service_profile *sp;
    const struct xml_public_identity **arr;
    size_t i;

    if (out == NULL || n == NULL)
        return -EINVAL;
    *out = NULL;
    *n = 0;
    if (sub == NULL || impu == NULL)
        return -EINVAL;
    sp = xml_userdata_find_profile(sub, impu);
    if (sp == NULL)
        return -ENOENT;
    arr = calloc(sp->n_public_ids, sizeof(*arr));
    if (arr == NULL)
        return -ENOMEM;
    for (i = 0; i < sp->n_public_ids; i++)
        arr[i] = &sp->public_ids[i];
    *out = arr;
    *n = sp->n_public_ids;
    return 0;
}

int xml_userdata_all_public_ids(const struct xml_ims_subscription *sub,
                                const struct xml_public_identity ***out, size_t *n)
{
    const struct xml_public_identity **arr;
    size_t i, j, total = 0, k = 0;

    if (out == NULL || n == NULL)
        return -EINVAL;
    *out = NULL;
    *n = 0;
    if (sub == NULL)
        return -EINVAL;
    for (i = 0; i < sub->n_profiles; i++)
        total += sub->profiles[i].n_public_ids;
    if (total == 0)
        return 0;
    arr = calloc(total, sizeof(*arr));
    if (arr == NULL)
        return -ENOMEM;
    for (i = 0; i < sub->n_profiles; i++)
        for (j = 0; j < sub->profiles[i].n_public_ids; j++)
            arr[k++] = &sub->profiles[i].public_ids[j];
    *out = arr;
    *n = total;
    return 0;
}

int xml_ifc_sorted(const struct xml_service_profile *sp, const struct xml_ifc ***out, size_t *n)
{
    const struct xml_ifc **arr;
    size_t i, j;

    if (out == NULL || n == NULL)
        return -EINVAL;
    *out = NULL;
    *n = 0;
    if (sp == NULL)
        return -EINVAL;
    if (sp->n_ifcs == 0)
        return 0;
    arr = calloc(sp->n_ifcs, sizeof(*arr));
    if (arr == NULL)
        return -ENOMEM;
    /* Insertion sort: stable, and iFC lists are short. */
    for (i = 0; i < sp->n_ifcs; i++) {
        const struct xml_ifc *cur = &sp->ifcs[i];
        for (j = i; j > 0 && arr[j - 1]->priority > cur->priority; j--)
            arr[j] = arr[j - 1];
        arr[j] = cur;
    }
    *out = arr;
    *n = sp->n_ifcs;
    return 0;
}
