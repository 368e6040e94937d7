/*
 * RFC 3680 reginfo: parser (application/reginfo+xml -> structs), namespace-aware.
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct pctx {
    char *err;
    size_t errlen;
};

#define FAIL(p, ...)                                                                               \
    do {                                                                                           \
        xml__err((p)->err, (p)->errlen, __VA_ARGS__);                                              \
        return -EPROTO;                                                                            \
    } while (0)

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

static bool in_ns(const xmlNode *n, const char *name)
{
    return xml__is_ns(n, name, XML_REGINFO_NS);
}

/* Copies the unqualified attribute name of n into *out (NULL when absent). */
static int get_attr(const xmlNode *n, const char *name, char **out)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);

    *out = NULL;
    if (v == NULL)
        return 0;
    *out = strdup((const char *)v);
    xmlFree(v);
    return *out != NULL ? 0 : -ENOMEM;
}

/* Like get_attr, but the attribute must be there and non-empty. */
static int need_attr(const xmlNode *n, const char *name, char **out, struct pctx *p)
{
    int rc = get_attr(n, name, out);

    if (rc < 0)
        return rc;
    if (*out == NULL || (*out)[0] == '\0')
        FAIL(p, "<%s> without the %s attribute", (const char *)n->name, name);
    return 0;
}

/* Reads an enumerated attribute through from(); absent or unknown values fail. */
static int enum_attr(const xmlNode *n, const char *name, int (*from)(const char *), int *out,
                     struct pctx *p)
{
    char *s = NULL;
    int rc = need_attr(n, name, &s, p);

    if (rc == 0) {
        *out = from(s);
        if (*out < 0) {
            xml__err(p->err, p->errlen, "<%s %s=\"%.40s\">: not a valid value",
                     (const char *)n->name, name, s);
            rc = -EPROTO;
        }
    }
    free(s);
    return rc;
}

/* Reads an optional unsigned integer attribute into *out (-1 when absent). */
static int num_attr(const xmlNode *n, const char *name, long long max, long long *out,
                    struct pctx *p)
{
    char *s = NULL;
    long long v;
    int rc = get_attr(n, name, &s);

    *out = -1;
    if (rc < 0 || s == NULL)
        goto out;
    if (xml__parse_ll(s, 0, max, &v) < 0) {
        xml__err(p->err, p->errlen, "<%s %s=\"%.40s\">: not a non-negative integer",
                 (const char *)n->name, name, s);
        rc = -EPROTO;
        goto out;
    }
    *out = v;
out:
    free(s);
    return rc;
}

static int text_once(const xmlNode *n, char **dst, struct pctx *p)
{
    int rc;

    if (*dst != NULL)
        FAIL(p, "duplicate <%s>", (const char *)n->name);
    rc = xml__text(n, dst);
    if (rc == -EPROTO)
        FAIL(p, "<%s> must hold text only", (const char *)n->name);
    return rc;
}

static int parse_param(const xmlNode *n, struct xml_reginfo_param *prm, struct pctx *p)
{
    int rc = need_attr(n, "name", &prm->name, p);

    if (rc < 0)
        return rc;
    rc = text_once(n, &prm->value, p);
    if (rc == 0 && prm->value[0] == '\0') {
        free(prm->value);
        prm->value = NULL;
    }
    return rc;
}

static int parse_contact(const xmlNode *n, struct xml_reginfo_contact *c, struct pctx *p)
{
    const xmlNode *ch;
    int rc, v;

    if ((rc = need_attr(n, "id", &c->id, p)) < 0)
        return rc;
    if ((rc = enum_attr(n, "state", xml__contact_state_from, &v, p)) < 0)
        return rc;
    c->state = v;
    if ((rc = enum_attr(n, "event", xml__contact_event_from, &v, p)) < 0)
        return rc;
    c->event = v;
    if ((rc = num_attr(n, "expires", LLONG_MAX, &c->expires, p)) < 0 ||
        (rc = num_attr(n, "duration-registered", LLONG_MAX, &c->duration_registered, p)) < 0 ||
        (rc = num_attr(n, "retry-after", LLONG_MAX, &c->retry_after, p)) < 0 ||
        (rc = num_attr(n, "cseq", LLONG_MAX, &c->cseq, p)) < 0 ||
        (rc = get_attr(n, "q", &c->q)) < 0 || (rc = get_attr(n, "callid", &c->callid)) < 0)
        return rc;
    if (c->q != NULL && !xml__is_qvalue(c->q))
        FAIL(p, "<contact q=\"%.20s\">: not a qvalue", c->q);
    for (ch = n->children; ch != NULL; ch = ch->next) {
        if (in_ns(ch, "uri")) {
            rc = text_once(ch, &c->uri, p);
        } else if (in_ns(ch, "display-name")) {
            rc = text_once(ch, &c->display_name, p);
        } else if (in_ns(ch, "unknown-param")) {
            rc = grow((void **)&c->params, &c->n_params, sizeof(*c->params));
            if (rc == 0)
                rc = parse_param(ch, &c->params[c->n_params - 1], p);
        }
        if (rc < 0)
            return rc;
    }
    if (c->uri == NULL || c->uri[0] == '\0')
        FAIL(p, "<contact id=\"%.40s\"> without <uri>", c->id);
    return 0;
}

static int parse_registration(const xmlNode *n, struct xml_reginfo_registration *r, struct pctx *p)
{
    const xmlNode *ch;
    int rc, v;

    if ((rc = need_attr(n, "aor", &r->aor, p)) < 0 || (rc = need_attr(n, "id", &r->id, p)) < 0)
        return rc;
    if ((rc = enum_attr(n, "state", xml__registration_state_from, &v, p)) < 0)
        return rc;
    r->state = v;
    for (ch = n->children; ch != NULL; ch = ch->next) {
        if (!in_ns(ch, "contact"))
            continue;
        rc = grow((void **)&r->contacts, &r->n_contacts, sizeof(*r->contacts));
        if (rc == 0)
            rc = parse_contact(ch, &r->contacts[r->n_contacts - 1], p);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_root(const xmlNode *root, struct xml_reginfo *ri, struct pctx *p)
{
    const xmlNode *ch;
    long long version;
    int rc, v;

    if (!xml__is(root, "reginfo"))
        FAIL(p, "root element is <%s>, not <reginfo>", (const char *)root->name);
    if (!in_ns(root, "reginfo"))
        FAIL(p, "<reginfo> is not in the namespace %s", XML_REGINFO_NS);
    if ((rc = num_attr(root, "version", UINT32_MAX, &version, p)) < 0)
        return rc;
    if (version < 0)
        FAIL(p, "<reginfo> without the version attribute");
    ri->version = (uint32_t)version;
    if ((rc = enum_attr(root, "state", xml__reginfo_state_from, &v, p)) < 0)
        return rc;
    ri->state = v;
    for (ch = root->children; ch != NULL; ch = ch->next) {
        if (!in_ns(ch, "registration"))
            continue;
        rc = grow((void **)&ri->registrations, &ri->n_registrations, sizeof(*ri->registrations));
        if (rc == 0)
            rc = parse_registration(ch, &ri->registrations[ri->n_registrations - 1], p);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int parse_doc_root(xmlNode *root, void *obj, char *err, size_t errlen)
{
    struct pctx p = {err, errlen};
    return parse_root(root, obj, &p);
}

static void free_obj(void *obj)
{
    xml_reginfo_free(obj);
}

int xml_reginfo_parse(const char *buf, size_t len, struct xml_reginfo **out, char *err,
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
