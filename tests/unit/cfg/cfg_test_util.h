/* Shared by the cfg unit tests: the test schema and temporary config files. */
#ifndef CFG_TEST_UTIL_H
#define CFG_TEST_UTIL_H

#include "cfg/cfg.h"

/* An S-CSCF/I-CSCF-like schema exercising every kind (see cfg_test_util.c). */
extern const struct cfg_spec test_schema[];

/* A private temporary directory and the files written into it. */
struct tmpdir {
    char path[64];
    char files[16][160];
    int nfiles;
};

/* Creates the directory (fails the test if it cannot). */
void tmp_setup(struct tmpdir *d);

/* Removes the files written and the directory. */
void tmp_cleanup(struct tmpdir *d);

/* Writes text into d/name and returns the full path (valid until tmp_cleanup). */
const char *tmp_write(struct tmpdir *d, const char *name, const char *text);

/* Writes text into d/test.conf and loads it against schema. Returns cfg_load()'s result. */
int tmp_load(struct tmpdir *d, const char *text, const struct cfg_spec *schema, struct cfg **out,
             struct cfg_error *err);

/* The path of a file of tests/unit/cfg/data (static buffer). */
const char *data_path(const char *name);

#endif
