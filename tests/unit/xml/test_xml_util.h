/*
 * Helpers shared by the xml unit tests: reading data files from the source tree and
 * a header accessor over a fixed table.
 */
#ifndef TEST_XML_UTIL_H
#define TEST_XML_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

/* Reads tests/unit/xml/data/<name> into a malloc'ed NUL-terminated buffer. */
static inline char *test_xml_read_data(const char *name, size_t *len)
{
    const char *src = getenv("IMSCORE_SOURCE_DIR");
    char path[1024];
    FILE *f;
    long sz;
    char *buf;

    assert_non_null(src);
    snprintf(path, sizeof(path), "%s/tests/unit/xml/data/%s", src, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    sz = ftell(f);
    assert_true(sz > 0);
    rewind(f);
    buf = malloc((size_t)sz + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
    buf[sz] = '\0';
    fclose(f);
    *len = (size_t)sz;
    return buf;
}

/* One request header line for the iFC tests. */
struct test_hdr {
    const char *name;
    const char *value;
};

/*
 * xml_header_value_fn over a NULL-terminated test_hdr table: the index-th header whose
 * name matches case-insensitively.
 */
static inline const char *test_xml_header_value(void *arg, const char *name, size_t index)
{
    const struct test_hdr *h = arg;
    size_t seen = 0;

    for (; h != NULL && h->name != NULL; h++) {
        if (strcasecmp(h->name, name) != 0)
            continue;
        if (seen++ == index)
            return h->value;
    }
    return NULL;
}

#endif
