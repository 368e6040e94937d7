/*
 * libxml2 glue shared by the user data and reginfo code: one-time initialisation,
 * a hardened document reader, text extraction and number parsing.
 */
#include "xml/xml.h"
#include "xml_internal.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
    xmlInitParser();
}

void xml_init(void)
{
    pthread_once(&xml_once, xml_init_once);
}

void xml__err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* State shared with the SAX hook below through ctxt->_private. */
struct read_state {
    bool saw_doctype;
};

/* SAX hook called on <!DOCTYPE ...>: stop at once, before any declaration is read. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
                           const xmlChar *sys_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct read_state *st = ctxt->_private;

    st->saw_doctype = true;
    xmlStopParser(ctxt);
}

int xml__read(const char *buf, size_t len, xmlDocPtr *out, char *err, size_t errlen)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    struct read_state st = {false};
    int rc = 0;

    *out = NULL;
    if (buf == NULL || len == 0) {
        xml__err(err, errlen, "empty document");
        return -EINVAL;
    }
    if (len > XML_MAX_DOC_SIZE) {
        xml__err(err, errlen, "document of %zu bytes exceeds the %d byte limit", len,
                 XML_MAX_DOC_SIZE);
        return -EMSGSIZE;
    }
    xml_init();
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        xml__err(err, errlen, "out of memory");
        return -ENOMEM;
    }
    ctxt->_private = &st;
    ctxt->sax->internalSubset = refuse_doctype;
    /* No XML_PARSE_NOENT (no entity substitution), no XML_PARSE_DTDLOAD, no HUGE. */
    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (st.saw_doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
        xml__err(err, errlen, "DOCTYPE not allowed");
        rc = -EPROTO;
        goto out;
    }
    if (doc == NULL || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        if (e != NULL && e->code == XML_ERR_NO_MEMORY) {
            xml__err(err, errlen, "out of memory");
            rc = -ENOMEM;
            goto out;
        }
        if (e != NULL && e->message != NULL) {
            size_t n = strlen(e->message);
            while (n > 0 && isspace((unsigned char)e->message[n - 1]))
                n--;
            xml__err(err, errlen, "not well-formed XML (line %d): %.*s", e->line, (int)n,
                     e->message);
        } else {
            xml__err(err, errlen, "not well-formed XML");
        }
        rc = -EPROTO;
        goto out;
    }
    if (xmlDocGetRootElement(doc) == NULL) {
        xml__err(err, errlen, "no root element");
        rc = -EPROTO;
        goto out;
    }
    *out = doc;
    doc = NULL;
out:
    if (doc != NULL)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

bool xml__is(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

bool xml__is_ns(const xmlNode *n, const char *name, const char *ns)
{
    return xml__is(n, name) && n->ns != NULL && n->ns->href != NULL &&
           strcmp((const char *)n->ns->href, ns) == 0;
}

int xml__text(const xmlNode *n, char **out)
{
    size_t total = 0, off = 0;
    const xmlNode *c;
    char *s = NULL;
    size_t start, end;

    *out = NULL;
    for (c = n->children; c != NULL; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content != NULL)
                total += strlen((const char *)c->content);
        } else if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) {
            continue;
        } else {
            return -EPROTO; /* child element or entity reference */
        }
    }
    s = malloc(total + 1);
    if (s == NULL)
        return -ENOMEM;
    for (c = n->children; c != NULL; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content != NULL) {
            size_t l = strlen((const char *)c->content);
            memcpy(s + off, c->content, l);
            off += l;
        }
    }
    s[off] = '\0';
    start = 0;
    end = off;
    while (start < end && isspace((unsigned char)s[start]))
        start++;
    while (end > start && isspace((unsigned char)s[end - 1]))
        end--;
    memmove(s, s + start, end - start);
    s[end - start] = '\0';
    *out = s;
    return 0;
}

int xml__parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end = NULL;
    long long v;

    if (s == NULL)
        return -EINVAL;
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s) && !(*s == '-' && isdigit((unsigned char)s[1])) &&
        !(*s == '+' && isdigit((unsigned char)s[1])))
        return -EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0)
        return -ERANGE;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0')
        return -EINVAL;
    if (v < min || v > max)
        return -ERANGE;
    *out = v;
    return 0;
}

int xml__parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
        *out = false;
        return 0;
    }
    return -EINVAL;
}

int xml__dump(xmlDocPtr doc, char **out, size_t *len)
{
    xmlChar *mem = NULL;
    int size = 0;
    char *s;

    *out = NULL;
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (mem == NULL || size < 0) {
        xmlFree(mem);
        return -ENOMEM;
    }
    s = malloc((size_t)size + 1);
    if (s == NULL) {
        xmlFree(mem);
        return -ENOMEM;
    }
    memcpy(s, mem, (size_t)size);
    s[size] = '\0';
    xmlFree(mem);
    *out = s;
    if (len != NULL)
        *len = (size_t)size;
    return 0;
}

xmlNodePtr xml__add_text(xmlNodePtr parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

xmlNodePtr xml__add_int(xmlNodePtr parent, const char *name, long long v)
{
    char num[32];

    snprintf(num, sizeof(num), "%lld", v);
    return xml__add_text(parent, name, num);
}

int xml__parse_doc(const char *buf, size_t len, size_t size,
                   int (*parse)(xmlNode *root, void *obj, char *err, size_t errlen),
                   void (*free_obj)(void *obj), void **out, char *err, size_t errlen)
{
    xmlDocPtr doc = NULL;
    void *obj = NULL;
    int rc;

    *out = NULL;
    xml__err(err, errlen, "%s", "");
    rc = xml__read(buf, len, &doc, err, errlen);
    if (rc < 0)
        return rc;
    obj = calloc(1, size);
    rc = obj ? parse(xmlDocGetRootElement(doc), obj, err, errlen) : -ENOMEM;
    if (rc == -ENOMEM)
        xml__err(err, errlen, "out of memory");
    if (rc < 0)
        free_obj(obj);
    else
        *out = obj;
    xmlFreeDoc(doc);
    return rc < 0 ? rc : 0;
}
