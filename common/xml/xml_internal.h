/*
 * Internal helpers of the xml module (libxml2 glue). Never included from outside
 * common/xml.
 */
#ifndef IMSCORE_XML_INTERNAL_H
#define IMSCORE_XML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* Writes a formatted reason into err (when err is not NULL and errlen > 0). */
void xml__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parses len bytes at buf into a document with the safe options (no network, no
 * entity substitution, no DTD loading) and refuses any document carrying a DOCTYPE.
 * *out owns the document (xmlFreeDoc). Returns 0, -EINVAL, -EMSGSIZE, -EPROTO, -ENOMEM.
 */
int xml__read(const char *buf, size_t len, xmlDocPtr *out, char *err, size_t errlen);

/*
 * Reads buf (xml__read()) and turns its root element into a new object of
 * size bytes (calloc'ed) with parse(root, obj, err, errlen); on failure the
 * object is released with free_obj. The shared body of the *_parse()
 * functions. *out is the object or NULL. Returns 0 or a negative errno with
 * the reason in err.
 */
int xml__parse_doc(const char *buf, size_t len, size_t size,
                   int (*parse)(xmlNode *root, void *obj, char *err, size_t errlen),
                   void (*free_obj)(void *obj), void **out, char *err, size_t errlen);

/* True when n is an element called name (local name; the namespace is not checked). */
bool xml__is(const xmlNode *n, const char *name);

/* True when n is an element called name in namespace ns. */
bool xml__is_ns(const xmlNode *n, const char *name, const char *ns);

/*
 * The text of a simple element: its text and CDATA children concatenated, leading and
 * trailing white space removed. Child elements or entity references are an error.
 * *out is malloc'ed (possibly ""). Returns 0, -EPROTO or -ENOMEM.
 */
int xml__text(const xmlNode *n, char **out);

/* Parses a decimal integer in [min, max] (surrounding white space allowed). */
int xml__parse_ll(const char *s, long long min, long long max, long long *out);

/* Parses an XML Schema boolean: "0", "1", "false", "true". */
int xml__parse_bool(const char *s, bool *out);

/* Serialises doc (UTF-8, indented) into a malloc'ed NUL-terminated string. */
int xml__dump(xmlDocPtr doc, char **out, size_t *len);

/* Adds a text child element (content escaped). Returns the new node or NULL. */
xmlNodePtr xml__add_text(xmlNodePtr parent, const char *name, const char *text);

/* Adds a text child element holding a decimal integer. Returns the new node or NULL. */
xmlNodePtr xml__add_int(xmlNodePtr parent, const char *name, long long v);

/* reginfo enumerations: the value for a text name, or -1 when not in the enumeration. */
int xml__reginfo_state_from(const char *name);
int xml__registration_state_from(const char *name);
int xml__contact_state_from(const char *name);
int xml__contact_event_from(const char *name);

/* True when q is an RFC 3261 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]. */
bool xml__is_qvalue(const char *q);

#endif
