/*
 * hss_userdata.c: the TS 29.228 IMSSubscription document the HSS sends in
 * SAA and PPR User-Data, built with common/xml from the store: one
 * ServiceProfile per stored service profile, holding the public identities
 * given (the implicit registration set) with their barring, and the
 * profile's iFCs.
 */
#include "hss_cx.h"

#include "log/log.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The store keeps iFCs as a sequence of <InitialFilterCriteria>: wrap it to parse it. */
static const char wrap_head[] = "<IMSSubscription><PrivateID>x</PrivateID><ServiceProfile>"
                                "<PublicIdentity><Identity>sip:x@x</Identity></PublicIdentity>";
static const char wrap_tail[] = "</ServiceProfile></IMSSubscription>";

/*
 * Parses the iFCs of profile_id into *ifcs (*n entries, owned by the caller,
 * freed as part of an xml_ims_subscription). Returns 0, -EPROTO or -ENOMEM.
 */
static int profile_ifcs(struct store *st, int64_t profile_id, struct xml_ifc **ifcs, size_t *n)
{
    struct xml_ims_subscription *sub = NULL;
    char *frag = NULL, *doc = NULL, err[200];
    size_t len;
    int rc;

    *ifcs = NULL;
    *n = 0;
    if (profile_id <= 0)
        return 0;
    rc = store_profile_get_ifc(st, profile_id, &frag);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    if (!frag[0])
        goto out;
    len = sizeof(wrap_head) + strlen(frag) + sizeof(wrap_tail);
    doc = malloc(len);
    if (!doc) {
        rc = -ENOMEM;
        goto out;
    }
    snprintf(doc, len, "%s%s%s", wrap_head, frag, wrap_tail);
    rc = xml_userdata_parse(doc, strlen(doc), &sub, err, sizeof(err));
    if (rc) {
        log_error("hss: service profile %lld: stored iFCs are not valid: %s", (long long)profile_id,
                  err);
        rc = -EPROTO;
        goto out;
    }
    *ifcs = sub->profiles[0].ifcs;
    *n = sub->profiles[0].n_ifcs;
    sub->profiles[0].ifcs = NULL;
    sub->profiles[0].n_ifcs = 0;
out:
    xml_ims_subscription_free(sub);
    free(doc);
    free(frag);
    return rc;
}

bool hss_profile_has_unreg_services(struct store *st, int64_t profile_id)
{
    struct xml_ims_subscription *h = NULL;
    struct xml_service_profile *sp;
    bool found = false;

    if (!st || profile_id <= 0)
        return false;
    /* A heap holder so that the module's free releases the parsed iFCs. */
    h = calloc(1, sizeof(*h));
    if (!h || !(h->profiles = calloc(1, sizeof(*h->profiles))))
        goto out;
    h->n_profiles = 1;
    sp = &h->profiles[0];
    if (profile_ifcs(st, profile_id, &sp->ifcs, &sp->n_ifcs) != 0)
        goto out;
    for (size_t i = 0; i < sp->n_ifcs && !found; i++)
        found = sp->ifcs[i].profile_part_indicator != XML_PROFILE_PART_REGISTERED;
out:
    xml_ims_subscription_free(h);
    return found;
}

int hss_userdata_build(struct store *st, const char *impi, const struct store_impu *impus, size_t n,
                       char **xml)
{
    struct xml_ims_subscription *sub = NULL;
    int64_t *ids = NULL;
    size_t n_ids = 0;
    int rc = 0;

    *xml = NULL;
    if (!st || !impi || !impus || n == 0)
        return -EINVAL;
    sub = calloc(1, sizeof(*sub));
    ids = calloc(n, sizeof(*ids));
    if (!sub || !ids || !(sub->private_id = strdup(impi))) {
        rc = -ENOMEM;
        goto out;
    }
    /* Distinct profile ids, in the order the identities come. */
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < n_ids && ids[j] != impus[i].profile_id)
            j++;
        if (j == n_ids)
            ids[n_ids++] = impus[i].profile_id;
    }
    sub->profiles = calloc(n_ids, sizeof(*sub->profiles));
    if (!sub->profiles) {
        rc = -ENOMEM;
        goto out;
    }
    for (size_t p = 0; p < n_ids; p++) {
        struct xml_service_profile *sp = &sub->profiles[p];
        sub->n_profiles++;
        sp->subscribed_media_profile_id = -1;
        sp->public_ids = calloc(n, sizeof(*sp->public_ids));
        if (!sp->public_ids) {
            rc = -ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            if (impus[i].profile_id != ids[p])
                continue;
            struct xml_public_identity *pi = &sp->public_ids[sp->n_public_ids];
            pi->identity = strdup(impus[i].uri);
            if (!pi->identity) {
                rc = -ENOMEM;
                goto out;
            }
            pi->barring = impus[i].barred;
            pi->identity_type = XML_IDENTITY_PUBLIC_USER;
            sp->n_public_ids++;
        }
        rc = profile_ifcs(st, ids[p], &sp->ifcs, &sp->n_ifcs);
        if (rc)
            goto out;
    }
    rc = xml_userdata_build(sub, xml, NULL);
out:
    xml_ims_subscription_free(sub);
    free(ids);
    return rc;
}
