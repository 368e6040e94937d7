/*
 * sip internal helpers shared by the files of the module. Not for use outside
 * common/sip.
 */
#ifndef IMSCORE_SIP_INTERNAL_H
#define IMSCORE_SIP_INTERNAL_H

#include "sip/sip.h"

/* Calls parser_init() once for the process (thread-safe). */
void sip__init(void);

/* True for RFC 3261 token characters. */
bool sip__is_token_char(int c);

/* True when s is a non-empty token. */
bool sip__is_token(const char *s);

/* Copies n bytes of src into dst and terminates it. Returns 0 or -ENOSPC. */
int sip__copy(char *dst, size_t dstlen, const char *src, size_t n);

/* Writes a printf-style string into buf at *off. Returns 0 or -ENOSPC. */
int sip__append(char *buf, size_t buflen, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes reason into why (if not NULL) and returns -EBADMSG. */
int sip__fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Called once per comma-separated item (trimmed); a negative return stops the split. */
typedef int (*sip__item_cb)(const char *s, size_t len, void *arg);

/*
 * Splits value at commas outside quoted strings and <...>. Empty items are
 * skipped. Returns 0, the first negative callback return, or -EBADMSG for an
 * unterminated quote or bracket.
 */
int sip__split_commas(const char *value, sip__item_cb cb, void *arg);

/*
 * Parses parameters "name[=value]" separated by sep (';' or ',') from s[0..len)
 * into out[*n..max). The text may start with a separator. Values may be
 * quoted-strings (stored unquoted with quoted set). Returns 0, -EBADMSG,
 * -E2BIG or -ENOSPC.
 */
int sip__params_parse(const char *s, size_t len, char sep, struct sip_param *out, size_t max,
                      size_t *n);

/* Finds parameter name (case-insensitive) in params; NULL when absent. */
const struct sip_param *sip__param_find(const struct sip_param *params, size_t n, const char *name);

/* Returns the canonical spelling of a header name (or name itself when unknown). */
const char *sip__hdr_canonical(const char *name);

/* True when two header names are the same header (case, compact forms). */
bool sip__hdr_name_eq(const char *a, const char *b);

/* True when osip parses name into a typed field (not in m->headers). */
bool sip__hdr_is_typed(const char *name);

/* Marks the serialised cache of m stale after a change. */
void sip__touch(osip_message_t *m);

#endif
