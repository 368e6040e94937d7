/*
 * TS 29.228 IMS user data: builder (structs -> IMSSubscription document), in the
 * element order of the CxDataType XSD and without a namespace, as open5gs and pyHSS
 * emit it.
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <errno.h>
#include <stdlib.h>

/* Every node creation is checked: a NULL from libxml2 means out of memory. */
#define ADD(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) == NULL)                                                                        \
            return -ENOMEM;                                                                        \
    } while (0)

static int check_spt(const struct xml_spt *spt)
{
    size_t i;

    if (spt->n_groups == 0 || spt->groups == NULL)
        return -EINVAL;
    for (i = 0; i < spt->n_groups; i++)
        if (spt->groups[i] < 0)
            return -EINVAL;
    if ((spt->reg_types & ~7u) != 0)
        return -EINVAL;
    switch (spt->type) {
    case XML_SPT_REQUEST_URI:
        return spt->request_uri != NULL ? 0 : -EINVAL;
    case XML_SPT_METHOD:
        return spt->method != NULL ? 0 : -EINVAL;
    case XML_SPT_SIP_HEADER:
        return spt->header != NULL ? 0 : -EINVAL;
    case XML_SPT_SESSION_CASE:
        return spt->session_case >= 0 && spt->session_case <= 4 ? 0 : -EINVAL;
    case XML_SPT_SESSION_DESCRIPTION:
        return spt->sdp_line != NULL ? 0 : -EINVAL;
    }
    return -EINVAL;
}

static int build_spt(xmlNodePtr tp, const struct xml_spt *spt)
{
    xmlNodePtr n, c, ext;
    size_t i;
    int t, rc;

    rc = check_spt(spt);
    if (rc < 0)
        return rc;
    ADD(n = xml__add_text(tp, "SPT", NULL));
    ADD(xml__add_int(n, "ConditionNegated", spt->negated ? 1 : 0));
    for (i = 0; i < spt->n_groups; i++)
        ADD(xml__add_int(n, "Group", spt->groups[i]));
    switch (spt->type) {
    case XML_SPT_REQUEST_URI:
        ADD(xml__add_text(n, "RequestURI", spt->request_uri));
        break;
    case XML_SPT_METHOD:
        ADD(xml__add_text(n, "Method", spt->method));
        break;
    case XML_SPT_SIP_HEADER:
        ADD(c = xml__add_text(n, "SIPHeader", NULL));
        ADD(xml__add_text(c, "Header", spt->header));
        if (spt->header_content != NULL)
            ADD(xml__add_text(c, "Content", spt->header_content));
        break;
    case XML_SPT_SESSION_CASE:
        ADD(xml__add_int(n, "SessionCase", spt->session_case));
        break;
    case XML_SPT_SESSION_DESCRIPTION:
        ADD(c = xml__add_text(n, "SessionDescription", NULL));
        ADD(xml__add_text(c, "Line", spt->sdp_line));
        if (spt->sdp_content != NULL)
            ADD(xml__add_text(c, "Content", spt->sdp_content));
        break;
    }
    if (spt->reg_types != 0) {
        ADD(ext = xml__add_text(n, "Extension", NULL));
        for (t = XML_REG_TYPE_INITIAL; t <= XML_REG_TYPE_DE; t++)
            if (spt->reg_types & XML_REG_TYPE_BIT(t))
                ADD(xml__add_int(ext, "RegistrationType", t));
    }
    return 0;
}

static int build_ifc(xmlNodePtr sp_node, const struct xml_ifc *ifc)
{
    const struct xml_application_server *as = &ifc->as;
    xmlNodePtr n, tp, asn, ext;
    size_t i;
    int rc;

    if (ifc->priority < 0 || as->server_name == NULL || as->default_handling < 0 ||
        as->default_handling > 1 || ifc->profile_part_indicator < -1 ||
        ifc->profile_part_indicator > 1)
        return -EINVAL;
    ADD(n = xml__add_text(sp_node, "InitialFilterCriteria", NULL));
    ADD(xml__add_int(n, "Priority", ifc->priority));
    if (ifc->trigger_point != NULL) {
        ADD(tp = xml__add_text(n, "TriggerPoint", NULL));
        ADD(xml__add_int(tp, "ConditionTypeCNF", ifc->trigger_point->cnf ? 1 : 0));
        for (i = 0; i < ifc->trigger_point->n_spts; i++) {
            rc = build_spt(tp, &ifc->trigger_point->spts[i]);
            if (rc < 0)
                return rc;
        }
    }
    ADD(asn = xml__add_text(n, "ApplicationServer", NULL));
    ADD(xml__add_text(asn, "ServerName", as->server_name));
    ADD(xml__add_int(asn, "DefaultHandling", as->default_handling));
    if (as->service_info != NULL)
        ADD(xml__add_text(asn, "ServiceInfo", as->service_info));
    if (as->include_register_request || as->include_register_response) {
        ADD(ext = xml__add_text(asn, "Extension", NULL));
        if (as->include_register_request)
            ADD(xml__add_text(ext, "IncludeRegisterRequest", NULL));
        if (as->include_register_response)
            ADD(xml__add_text(ext, "IncludeRegisterResponse", NULL));
    }
    if (ifc->profile_part_indicator >= 0)
        ADD(xml__add_int(n, "ProfilePartIndicator", ifc->profile_part_indicator));
    return 0;
}

static int build_public_identity(xmlNodePtr sp_node, const struct xml_public_identity *pi)
{
    xmlNodePtr n, ext, ext2;

    if (pi->identity == NULL || pi->identity_type < 0 || pi->identity_type > 2)
        return -EINVAL;
    ADD(n = xml__add_text(sp_node, "PublicIdentity", NULL));
    if (pi->barring)
        ADD(xml__add_text(n, "BarringIndication", "1"));
    ADD(xml__add_text(n, "Identity", pi->identity));
    ADD(ext = xml__add_text(n, "Extension", NULL));
    ADD(xml__add_int(ext, "IdentityType", pi->identity_type));
    if (pi->wildcarded_psi != NULL)
        ADD(xml__add_text(ext, "WildcardedPSI", pi->wildcarded_psi));
    if (pi->display_name != NULL) {
        ADD(ext2 = xml__add_text(ext, "Extension", NULL));
        ADD(xml__add_text(ext2, "DisplayName", pi->display_name));
    }
    return 0;
}

static int build_profile(xmlNodePtr root, const struct xml_service_profile *sp)
{
    xmlNodePtr n, cnsa;
    size_t i;
    int rc;

    if (sp->n_public_ids == 0 || sp->public_ids == NULL || sp->subscribed_media_profile_id < -1)
        return -EINVAL;
    ADD(n = xml__add_text(root, "ServiceProfile", NULL));
    for (i = 0; i < sp->n_public_ids; i++) {
        rc = build_public_identity(n, &sp->public_ids[i]);
        if (rc < 0)
            return rc;
    }
    if (sp->subscribed_media_profile_id >= 0) {
        ADD(cnsa = xml__add_text(n, "CoreNetworkServicesAuthorization", NULL));
        ADD(xml__add_int(cnsa, "SubscribedMediaProfileId", sp->subscribed_media_profile_id));
    }
    for (i = 0; i < sp->n_ifcs; i++) {
        rc = build_ifc(n, &sp->ifcs[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int build_tree(xmlDocPtr doc, const struct xml_ims_subscription *sub)
{
    xmlNodePtr root;
    size_t i;
    int rc;

    ADD(root = xmlNewDocNode(doc, NULL, (const xmlChar *)"IMSSubscription", NULL));
    xmlDocSetRootElement(doc, root);
    ADD(xml__add_text(root, "PrivateID", sub->private_id));
    for (i = 0; i < sub->n_profiles; i++) {
        rc = build_profile(root, &sub->profiles[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int xml_userdata_build(const struct xml_ims_subscription *sub, char **out, size_t *len)
{
    xmlDocPtr doc = NULL;
    int rc;

    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (len != NULL)
        *len = 0;
    if (sub == NULL || sub->private_id == NULL || sub->n_profiles == 0 || sub->profiles == NULL)
        return -EINVAL;
    xml_init();
    doc = xmlNewDoc((const xmlChar *)"1.0");
    if (doc == NULL)
        return -ENOMEM;
    rc = build_tree(doc, sub);
    if (rc < 0)
        goto out;
    rc = xml__dump(doc, out, len);
out:
    xmlFreeDoc(doc);
    return rc;
}
