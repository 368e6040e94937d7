/*
 * RFC 3680 reginfo: builder (structs -> application/reginfo+xml).
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define ADD(expr)                                                                                  \
    do {                                                                                           \
        if ((expr) == NULL)                                                                        \
            return -ENOMEM;                                                                        \
    } while (0)

static xmlAttrPtr set_attr(xmlNodePtr n, const char *name, const char *value)
{
    return xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static xmlAttrPtr set_attr_ll(xmlNodePtr n, const char *name, long long v)
{
    char num[32];

    snprintf(num, sizeof(num), "%lld", v);
    return set_attr(n, name, num);
}

static int build_contact(xmlNodePtr reg, const struct xml_reginfo_contact *c)
{
    const char *state = xml_contact_state_name(c->state);
    const char *event = xml_contact_event_name(c->event);
    xmlNodePtr n, p;
    size_t i;

    if (c->id == NULL || c->uri == NULL || state == NULL || event == NULL ||
        (c->q != NULL && !xml__is_qvalue(c->q)) || c->expires < -1 || c->duration_registered < -1 ||
        c->retry_after < -1 || c->cseq < -1)
        return -EINVAL;
    for (i = 0; i < c->n_params; i++)
        if (c->params[i].name == NULL)
            return -EINVAL;
    ADD(n = xml__add_text(reg, "contact", NULL));
    ADD(set_attr(n, "id", c->id));
    ADD(set_attr(n, "state", state));
    ADD(set_attr(n, "event", event));
    if (c->expires >= 0)
        ADD(set_attr_ll(n, "expires", c->expires));
    if (c->duration_registered >= 0)
        ADD(set_attr_ll(n, "duration-registered", c->duration_registered));
    if (c->retry_after >= 0)
        ADD(set_attr_ll(n, "retry-after", c->retry_after));
    if (c->q != NULL)
        ADD(set_attr(n, "q", c->q));
    if (c->callid != NULL)
        ADD(set_attr(n, "callid", c->callid));
    if (c->cseq >= 0)
        ADD(set_attr_ll(n, "cseq", c->cseq));
    ADD(xml__add_text(n, "uri", c->uri));
    if (c->display_name != NULL)
        ADD(xml__add_text(n, "display-name", c->display_name));
    for (i = 0; i < c->n_params; i++) {
        ADD(p = xml__add_text(n, "unknown-param", c->params[i].value));
        ADD(set_attr(p, "name", c->params[i].name));
    }
    return 0;
}

static int build_registration(xmlNodePtr root, const struct xml_reginfo_registration *r)
{
    const char *state = xml_registration_state_name(r->state);
    xmlNodePtr n;
    size_t i;
    int rc;

    if (r->aor == NULL || r->id == NULL || state == NULL)
        return -EINVAL;
    ADD(n = xml__add_text(root, "registration", NULL));
    ADD(set_attr(n, "aor", r->aor));
    ADD(set_attr(n, "id", r->id));
    ADD(set_attr(n, "state", state));
    for (i = 0; i < r->n_contacts; i++) {
        rc = build_contact(n, &r->contacts[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int build_tree(xmlDocPtr doc, const struct xml_reginfo *ri)
{
    const char *state = xml_reginfo_state_name(ri->state);
    xmlNodePtr root;
    xmlNsPtr ns;
    size_t i;
    int rc;

    if (state == NULL)
        return -EINVAL;
    ADD(root = xmlNewDocNode(doc, NULL, (const xmlChar *)"reginfo", NULL));
    xmlDocSetRootElement(doc, root);
    ADD(ns = xmlNewNs(root, (const xmlChar *)XML_REGINFO_NS, NULL));
    xmlSetNs(root, ns);
    ADD(set_attr_ll(root, "version", ri->version));
    ADD(set_attr(root, "state", state));
    for (i = 0; i < ri->n_registrations; i++) {
        rc = build_registration(root, &ri->registrations[i]);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int xml_reginfo_build(const struct xml_reginfo *ri, char **out, size_t *len)
{
    xmlDocPtr doc = NULL;
    int rc;

    if (out == NULL)
        return -EINVAL;
    *out = NULL;
    if (len != NULL)
        *len = 0;
    if (ri == NULL || (ri->n_registrations > 0 && ri->registrations == NULL))
        return -EINVAL;
    xml_init();
    doc = xmlNewDoc((const xmlChar *)"1.0");
    if (doc == NULL)
        return -ENOMEM;
    rc = build_tree(doc, ri);
    if (rc < 0)
        goto out;
    rc = xml__dump(doc, out, len);
out:
    xmlFreeDoc(doc);
    return rc;
}
