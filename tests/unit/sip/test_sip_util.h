/* Helpers shared by the sip unit tests. */
#ifndef TEST_SIP_UTIL_H
#define TEST_SIP_UTIL_H

#include <stddef.h>

/*
 * Loads tests/unit/sip/data/<name> (found through IMSCORE_SOURCE_DIR), turning
 * every bare LF into CRLF as on the wire. Returns a malloc'd NUL-terminated
 * buffer (caller frees) and its length in *len, or NULL.
 */
char *test_sip_load(const char *name, size_t *len);

#endif
