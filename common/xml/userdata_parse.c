/*
 * TS 29.228 IMS user data: parser (IMSSubscription document -> structs).
 *
 * The checks follow the CxDataType XSD: required elements must be there once, the
 * enumerated values and integers must be in range, and each SPT holds exactly one
 * condition. Unknown elements (later releases, vendor extensions) are skipped.
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pctx {
    char *err;
    size_t errlen;
};

#define FAIL(p, ...)                                                                               \
    do {                                                                                           \
        xml__err((p)->err, (p)->errlen, __VA_ARGS__);                                              \
        return -EPROTO;                                                                            \
    } while (0)

/* Appends one zeroed element to a dynamic array. */
static int grow(void **arr, size_t *n, size_t elem)
{
    void *a = realloc(*arr, (*n + 1) * elem);

    if (a == NULL)
        return -ENOMEM;
    memset((char *)a + *n * elem, 0, elem);
    *arr = a;
    (*n)++;
    return 0;
}

/* Reads the text of n into *dst, refusing a second occurrence and (if required) "". */
static int take_text(const xmlNode *n, char **dst, bool nonempty, struct pctx *p)
{
    int rc;

    if (*dst != NULL)
        FAIL(p, "duplicate <%s>", (const char *)n->name);
    rc = xml__text(n, dst);
    if (rc == -ENOMEM)
        return rc;
    if (rc < 0)
        FAIL(p, "<%s> must hold text only", (const char *)n->name);
    if (nonempty && (*dst)[0] == '\0')
        FAIL(p, "<%s> is empty", (const char *)n->name);
    return 0;
}

/* Reads an integer element in [min, max]; *seen guards against duplicates. */
static int take_int(const xmlNode *n, long long min, long long max, int *dst, bool *seen,
                    struct pctx *p)
{
    char *s = NULL;
    long long v;
    int rc;

    if (seen != NULL && *seen)
        FAIL(p, "duplicate <%s>", (const char *)n->name);
    rc = take_text(n, &s, true, p);
    if (rc < 0)
        goto out;
    if (xml__parse_ll(s, min, max, &v) < 0) {
        xml__err(p->err, p->errlen, "<%s> value \"%.40s\" is not an integer in [%lld, %lld]",
                 (const char *)n->name, s, min, max);
        rc = -EPROTO;
        goto out;
    }
    *dst = (int)v;
    if (seen != NULL)
        *seen = true;
out:
    free(s);
    return rc;
}

static int take_bool(const xmlNode *n, bool *dst, bool *seen, struct pctx *p)
{
    char *s = NULL;
    int rc;

    if (seen != NULL && *seen)
        FAIL(p, "duplicate <%s>", (const char *)n->name);
    rc = take_text(n, &s, true, p);
    if (rc < 0)
        goto out;
    if (xml__parse_bool(s, dst) < 0) {
        xml__err(p->err, p->errlen, "<%s> value \"%.40s\" is not a boolean", (const char *)n->name,
                 s);
        rc = -EPROTO;
        goto out;
    }
    if (seen != NULL)
        *seen = true;
out:
    free(s);
    return rc;
}

static bool has_scheme(const char *uri, const char *scheme)
{
    size_t l = strlen(scheme);

    return strncasecmp(uri, scheme, l) == 0 && uri[l] != '\0';
}

static int parse_public_identity_ext(const xmlNode *ext, struct xml_public_identity *pi, int depth,
                                     struct pctx *p)
{
    const xmlNode *c;
    bool seen_type = false;
    int rc = 0;

    for (c = ext->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "IdentityType") && depth == 1)
            rc = take_int(c, 0, 2, &pi->identity_type, &seen_type, p);
        else if (xml__is(c, "WildcardedPSI") && depth == 1)
            rc = take_text(c, &pi->wildcarded_psi, true, p);
        else if (xml__is(c, "DisplayName"))
            rc = take_text(c, &pi->display_name, false, p);
        else if (xml__is(c, "Extension") && depth < 2)
            rc = parse_public_identity_ext(c, pi, depth + 1, p);
    }
    return rc;
}

static int parse_public_identity(const xmlNode *n, struct xml_public_identity *pi, struct pctx *p)
{
    const xmlNode *c;
    bool seen_barring = false;
    int rc = 0;

    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "BarringIndication"))
            rc = take_bool(c, &pi->barring, &seen_barring, p);
        else if (xml__is(c, "Identity"))
            rc = take_text(c, &pi->identity, true, p);
        else if (xml__is(c, "Extension"))
            rc = parse_public_identity_ext(c, pi, 1, p);
    }
    if (rc < 0)
        return rc;
    if (pi->identity == NULL)
        FAIL(p, "<PublicIdentity> without <Identity>");
    if (!has_scheme(pi->identity, "sip:") && !has_scheme(pi->identity, "sips:") &&
        !has_scheme(pi->identity, "tel:"))
        FAIL(p, "<Identity> \"%.60s\" is not a sip:, sips: or tel: URI", pi->identity);
    if (pi->identity_type == XML_IDENTITY_WILDCARDED_PSI && pi->wildcarded_psi == NULL)
        FAIL(p, "wildcarded PSI \"%.60s\" without <WildcardedPSI>", pi->identity);
    return 0;
}

/* Reads a two-part condition such as SIPHeader{Header, Content} or SessionDescription. */
static int parse_pair(const xmlNode *n, const char *first, char **a, char **b, struct pctx *p)
{
    const xmlNode *c;
    int rc = 0;

    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, first))
            rc = take_text(c, a, true, p);
        else if (xml__is(c, "Content"))
            rc = take_text(c, b, false, p);
    }
    if (rc < 0)
        return rc;
    if (*a == NULL)
        FAIL(p, "<%s> without <%s>", (const char *)n->name, first);
    if (*b != NULL && (*b)[0] == '\0') { /* empty Content: presence check */
        free(*b);
        *b = NULL;
    }
    return 0;
}

static int parse_spt_ext(const xmlNode *ext, struct xml_spt *spt, struct pctx *p)
{
    const xmlNode *c;
    int rc = 0, t;

    for (c = ext->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "RegistrationType")) {
            rc = take_int(c, 0, 2, &t, NULL, p);
            if (rc == 0)
                spt->reg_types |= XML_REG_TYPE_BIT(t);
        }
    }
    return rc;
}

static int parse_spt(const xmlNode *n, struct xml_spt *spt, struct pctx *p)
{
    const xmlNode *c;
    bool seen_neg = false;
    int nconds = 0, rc = 0;

    spt->session_case = -1;
    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xml__is(c, "ConditionNegated")) {
            rc = take_bool(c, &spt->negated, &seen_neg, p);
        } else if (xml__is(c, "Group")) {
            rc = grow((void **)&spt->groups, &spt->n_groups, sizeof(int));
            if (rc == 0)
                rc = take_int(c, 0, INT_MAX, &spt->groups[spt->n_groups - 1], NULL, p);
        } else if (xml__is(c, "RequestURI")) {
            nconds++;
            spt->type = XML_SPT_REQUEST_URI;
            rc = take_text(c, &spt->request_uri, true, p);
        } else if (xml__is(c, "Method")) {
            nconds++;
            spt->type = XML_SPT_METHOD;
            rc = take_text(c, &spt->method, true, p);
        } else if (xml__is(c, "SIPHeader")) {
            nconds++;
            spt->type = XML_SPT_SIP_HEADER;
            if (nconds == 1)
                rc = parse_pair(c, "Header", &spt->header, &spt->header_content, p);
        } else if (xml__is(c, "SessionCase")) {
            nconds++;
            spt->type = XML_SPT_SESSION_CASE;
            rc = take_int(c, 0, 4, &spt->session_case, NULL, p);
        } else if (xml__is(c, "SessionDescription")) {
            nconds++;
            spt->type = XML_SPT_SESSION_DESCRIPTION;
            if (nconds == 1)
                rc = parse_pair(c, "Line", &spt->sdp_line, &spt->sdp_content, p);
        } else if (xml__is(c, "Extension")) {
            rc = parse_spt_ext(c, spt, p);
        }
        if (rc == 0 && nconds > 1)
            FAIL(p, "<SPT> holds more than one condition");
    }
    if (rc < 0)
        return rc;
    if (nconds == 0)
        FAIL(p, "<SPT> without a condition");
    if (spt->n_groups == 0)
        FAIL(p, "<SPT> without <Group>");
    return 0;
}

static int parse_trigger_point(const xmlNode *n, struct xml_trigger_point *tp, struct pctx *p)
{
    const xmlNode *c;
    bool seen_cnf = false;
    int rc = 0;

    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "ConditionTypeCNF")) {
            rc = take_bool(c, &tp->cnf, &seen_cnf, p);
        } else if (xml__is(c, "SPT")) {
            rc = grow((void **)&tp->spts, &tp->n_spts, sizeof(*tp->spts));
            if (rc == 0)
                rc = parse_spt(c, &tp->spts[tp->n_spts - 1], p);
        }
    }
    if (rc < 0)
        return rc;
    if (!seen_cnf)
        FAIL(p, "<TriggerPoint> without <ConditionTypeCNF>");
    return 0;
}

static int parse_as(const xmlNode *n, struct xml_application_server *as, struct pctx *p)
{
    const xmlNode *c, *e;
    bool seen_dh = false;
    int rc = 0;

    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "ServerName")) {
            rc = take_text(c, &as->server_name, true, p);
        } else if (xml__is(c, "DefaultHandling")) {
            rc = take_int(c, 0, 1, &as->default_handling, &seen_dh, p);
        } else if (xml__is(c, "ServiceInfo")) {
            rc = take_text(c, &as->service_info, false, p);
        } else if (xml__is(c, "Extension")) {
            for (e = c->children; e != NULL; e = e->next) {
                if (xml__is(e, "IncludeRegisterRequest"))
                    as->include_register_request = true;
                else if (xml__is(e, "IncludeRegisterResponse"))
                    as->include_register_response = true;
            }
        }
    }
    if (rc < 0)
        return rc;
    if (as->server_name == NULL)
        FAIL(p, "<ApplicationServer> without <ServerName>");
    if (!has_scheme(as->server_name, "sip:") && !has_scheme(as->server_name, "sips:"))
        FAIL(p, "<ServerName> \"%.60s\" is not a SIP URI", as->server_name);
    return 0;
}

static int parse_ifc(const xmlNode *n, struct xml_ifc *ifc, struct pctx *p)
{
    const xmlNode *c;
    bool seen_prio = false, seen_as = false, seen_ppi = false;
    int rc = 0;

    ifc->profile_part_indicator = -1;
    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "Priority")) {
            rc = take_int(c, 0, INT_MAX, &ifc->priority, &seen_prio, p);
        } else if (xml__is(c, "TriggerPoint")) {
            if (ifc->trigger_point != NULL)
                FAIL(p, "duplicate <TriggerPoint>");
            ifc->trigger_point = calloc(1, sizeof(*ifc->trigger_point));
            if (ifc->trigger_point == NULL)
                return -ENOMEM;
            rc = parse_trigger_point(c, ifc->trigger_point, p);
        } else if (xml__is(c, "ApplicationServer")) {
            if (seen_as)
                FAIL(p, "duplicate <ApplicationServer>");
            seen_as = true;
            rc = parse_as(c, &ifc->as, p);
        } else if (xml__is(c, "ProfilePartIndicator")) {
            rc = take_int(c, 0, 1, &ifc->profile_part_indicator, &seen_ppi, p);
        }
    }
    if (rc < 0)
        return rc;
    if (!seen_prio)
        FAIL(p, "<InitialFilterCriteria> without <Priority>");
    if (!seen_as)
        FAIL(p, "<InitialFilterCriteria> without <ApplicationServer>");
    return 0;
}

static int parse_service_profile(const xmlNode *n, struct xml_service_profile *sp, struct pctx *p)
{
    const xmlNode *c, *e;
    bool seen_cnsa = false, seen_smpi = false;
    int rc = 0;

    sp->subscribed_media_profile_id = -1;
    for (c = n->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "PublicIdentity")) {
            rc = grow((void **)&sp->public_ids, &sp->n_public_ids, sizeof(*sp->public_ids));
            if (rc == 0)
                rc = parse_public_identity(c, &sp->public_ids[sp->n_public_ids - 1], p);
        } else if (xml__is(c, "InitialFilterCriteria")) {
            rc = grow((void **)&sp->ifcs, &sp->n_ifcs, sizeof(*sp->ifcs));
            if (rc == 0)
                rc = parse_ifc(c, &sp->ifcs[sp->n_ifcs - 1], p);
        } else if (xml__is(c, "CoreNetworkServicesAuthorization")) {
            if (seen_cnsa)
                FAIL(p, "duplicate <CoreNetworkServicesAuthorization>");
            seen_cnsa = true;
            for (e = c->children; e != NULL && rc == 0; e = e->next) {
                if (xml__is(e, "SubscribedMediaProfileId"))
                    rc = take_int(e, 0, INT_MAX, &sp->subscribed_media_profile_id, &seen_smpi, p);
            }
        }
    }
    if (rc < 0)
        return rc;
    if (sp->n_public_ids == 0)
        FAIL(p, "<ServiceProfile> without <PublicIdentity>");
    return 0;
}

static int parse_subscription(const xmlNode *root, struct xml_ims_subscription *sub, struct pctx *p)
{
    const xmlNode *c;
    int rc = 0;

    if (!xml__is(root, "IMSSubscription"))
        FAIL(p, "root element is <%s>, not <IMSSubscription>", (const char *)root->name);
    for (c = root->children; c != NULL && rc == 0; c = c->next) {
        if (xml__is(c, "PrivateID")) {
            rc = take_text(c, &sub->private_id, true, p);
        } else if (xml__is(c, "ServiceProfile")) {
            rc = grow((void **)&sub->profiles, &sub->n_profiles, sizeof(*sub->profiles));
            if (rc == 0)
                rc = parse_service_profile(c, &sub->profiles[sub->n_profiles - 1], p);
        }
    }
    if (rc < 0)
        return rc;
    if (sub->private_id == NULL)
        FAIL(p, "<IMSSubscription> without <PrivateID>");
    if (sub->n_profiles == 0)
        FAIL(p, "<IMSSubscription> without <ServiceProfile>");
    return 0;
}

static int parse_doc_root(xmlNode *root, void *obj, char *err, size_t errlen)
{
    struct pctx p = {err, errlen};
    return parse_subscription(root, obj, &p);
}

static void free_obj(void *obj)
{
    xml_ims_subscription_free(obj);
}

int xml_userdata_parse(const char *buf, size_t len, struct xml_ims_subscription **out, char *err,
                       size_t errlen)
{
    void *obj = NULL;
    int rc;

    if (out == NULL)
        return -EINVAL;
    rc = xml__parse_doc(buf, len, sizeof(**out), parse_doc_root, free_obj, &obj, err, errlen);
    *out = obj;
    return rc;
}
