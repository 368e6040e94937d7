/* Loads SIP test messages from tests/unit/sip/data. */
#include "test_sip_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *test_sip_load(const char *name, size_t *len)
{
    const char *root = getenv("IMSCORE_SOURCE_DIR");
    char path[1024];
    FILE *f;
    char *raw = NULL, *out = NULL;
    long size;
    size_t i, o = 0;

    if (root == NULL)
        root = ".";
    snprintf(path, sizeof(path), "%s/tests/unit/sip/data/%s", root, name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    raw = malloc((size_t)size + 1);
    out = malloc(2 * (size_t)size + 1);
    if (raw == NULL || out == NULL || fread(raw, 1, (size_t)size, f) != (size_t)size) {
        free(out);
        out = NULL;
        goto out;
    }
    for (i = 0; i < (size_t)size; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            out[o++] = '\r';
        out[o++] = raw[i];
    }
    out[o] = '\0';
    *len = o;
out:
    free(raw);
    fclose(f);
    return out;
}
