#include "cfg_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *const levels[] = {"error", "warn", "notice", "info", "debug", NULL};
static const char *const transports[] = {"udp", "tcp", NULL};

static const struct cfg_spec scscf_entry[] = {
    {"uri", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "SIP URI of the S-CSCF", NULL},
    {"mandatory", CFG_INT_LIST, 0, NULL, 0, 0, NULL, "mandatory capabilities it has", NULL},
    {"optional", CFG_INT_LIST, 0, NULL, 0, 0, NULL, "optional capabilities it has", NULL},
    {NULL},
};

const struct cfg_spec test_schema[] = {
    {"sip.listen_address", CFG_ADDRESS, 0, "0.0.0.0", 0, 0, NULL, "address to bind", NULL},
    {"sip.listen_port", CFG_PORT, 0, "5060", 0, 0, NULL, "SIP port (UDP and TCP)", NULL},
    {"sip.domain", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "home domain", NULL},
    {"sip.transports", CFG_STRING_LIST, 0, NULL, 1, 2, transports, "transports served", NULL},
    {"sip.record_route", CFG_BOOL, 0, "true", 0, 0, NULL, "add a Record-Route | Path", NULL},
    {"log.level", CFG_STRING, 0, "info", 0, 0, levels, "most verbose level logged", NULL},
    {"log.file", CFG_PATH, 0, NULL, 0, 0, NULL, "log file (stderr when unset)", NULL},
    {"registrar.max_expires", CFG_DURATION, 0, "1h", 60, 86400, NULL, "longest binding", NULL},
    {"registrar.min_expires", CFG_DURATION, 0, "60", 0, 0, NULL, "shortest binding", NULL},
    {"registrar.max_contacts", CFG_INT, 0, "10", 1, 100, NULL, "contacts per AoR", NULL},
    {"registrar.load_factor", CFG_FLOAT, 0, "0.75", 0, 1, NULL, "share of capacity", NULL},
    {"registrar.diameter_peer", CFG_ADDRESS, 0, NULL, 0, 0, NULL, "HSS peer", NULL},
    {"scscfs", CFG_GROUP_LIST, 0, NULL, 0, 8, NULL, "S-CSCFs to choose from", scscf_entry},
    {NULL},
};

void tmp_setup(struct tmpdir *d)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->path, sizeof(d->path), "/tmp/imscore-cfg-XXXXXX");
    assert_non_null(mkdtemp(d->path));
}

void tmp_cleanup(struct tmpdir *d)
{
    for (int i = 0; i < d->nfiles; i++)
        unlink(d->files[i]);
    rmdir(d->path);
    d->nfiles = 0;
}

const char *tmp_write(struct tmpdir *d, const char *name, const char *text)
{
    char *path, full[sizeof(d->files[0])];
    FILE *fp;
    int i;

    for (i = 0; i < d->nfiles; i++) {
        if (strcmp(strrchr(d->files[i], '/') + 1, name) == 0)
            break;
    }
    assert_true(i < 16);
    path = d->files[i];
    snprintf(full, sizeof(full), "%s/%s", d->path, name);
    memcpy(path, full, sizeof(full));
    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    if (i == d->nfiles)
        d->nfiles++;
    return path;
}

int tmp_load(struct tmpdir *d, const char *text, const struct cfg_spec *schema, struct cfg **out,
             struct cfg_error *err)
{
    return cfg_load(tmp_write(d, "test.conf", text), schema, out, err);
}

const char *data_path(const char *name)
{
    static char buf[512];
    const char *src = getenv("IMSCORE_SOURCE_DIR");

    assert_non_null(src);
    snprintf(buf, sizeof(buf), "%s/tests/unit/cfg/data/%s", src, name);
    return buf;
}
