/* fdconf: the freeDiameter file rendered from a daemon's diameter.* settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fdconf/fdconf_cfg.h"

static const struct cfg_spec schema[] = {
    FDCONF_CFG_SPECS("3870"),
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static char dir[] = "/tmp/imscore-fdconf-XXXXXX";

/* Loads text as a configuration file against schema. */
static struct cfg *load(const char *text)
{
    char path[128];
    struct cfg_error err;
    struct cfg *c = NULL;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/test.conf", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    assert_int_equal(cfg_load(path, schema, &c, &err), 0);
    return c;
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *fp = fopen(path, "r");
    size_t n;

    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_plain_tcp(void **state)
{
    char conf[256], acl[256];
    struct cfg *c = load("diameter = { identity = \"scscf.ims.example.org\";\n"
                         "  realm = \"ims.example.org\"; allow = [\"*.ims.example.org\"];\n"
                         "  peers = ( { identity = \"hss.ims.example.org\";\n"
                         "              address = \"127.0.0.1\"; port = 3868; } ); };\n");

    assert_int_equal(fdconf_write_cfg(c, dir, "scscf", true, NULL, 0), 0);
    assert_int_equal(fdconf_write_cfg(c, dir, "scscf", false, conf, sizeof(conf)), 0);
    assert_true(conf[0] == '/');
    const char *text = slurp(conf);
    assert_non_null(strstr(text, "Identity = \"scscf.ims.example.org\";"));
    assert_non_null(strstr(text, "Realm = \"ims.example.org\";"));
    assert_non_null(strstr(text, "Port = 3870;"));
    assert_non_null(strstr(text, "SecPort = 0;"));
    assert_non_null(strstr(text, "ConnectPeer = \"hss.ims.example.org\" { ConnectTo = "
                                 "\"127.0.0.1\"; Port = 3868; No_TLS; };"));
    snprintf(acl, sizeof(acl), "%s/scscf.acl_wl.conf", dir);
    assert_non_null(strstr(text, acl)); /* absolute path to the acl_wl file */
    assert_non_null(strstr(slurp(acl), "ALLOW_IPSEC *.ims.example.org"));
    cfg_free(c);
}

static void test_tls(void **state)
{
    char conf[256];
    struct cfg *c = load("diameter = { identity = \"hss.ims.example.org\";\n"
                         "  realm = \"ims.example.org\"; allow = [\"*.ims.example.org\"];\n"
                         "  tls = { cert = \"/etc/x.crt\"; key = \"/etc/x.key\";\n"
                         "          ca = \"/etc/ca.crt\"; port = 5868; }; };\n");

    assert_int_equal(fdconf_write_cfg(c, dir, "hss", false, conf, sizeof(conf)), 0);
    const char *text = slurp(conf);
    assert_non_null(strstr(text, "SecPort = 5868;"));
    assert_non_null(strstr(text, "TLS_Cred = \"/etc/x.crt\", \"/etc/x.key\";"));
    assert_non_null(strstr(text, "TLS_CA = \"/etc/ca.crt\";"));
    char acl[256];
    snprintf(acl, sizeof(acl), "%s/hss.acl_wl.conf", dir);
    assert_non_null(strstr(slurp(acl), "ALLOW_OLD_TLS *.ims.example.org"));
    cfg_free(c);
}

static void test_refused(void **state)
{
    /* A quote would break out of the freeDiameter string. */
    struct cfg *c = load("diameter = { identity = \"a\\\"b\"; realm = \"r\"; };\n");
    assert_int_not_equal(fdconf_write_cfg(c, dir, "x", true, NULL, 0), 0);
    cfg_free(c);
    /* TLS without key and CA. */
    c = load("diameter = { identity = \"a\"; realm = \"r\"; tls = { cert = \"/c\"; }; };\n");
    assert_int_equal(fdconf_write_cfg(c, dir, "x", true, NULL, 0), -EINVAL);
    cfg_free(c);
    /* Relative TLS paths: freeDiameter would resolve them somewhere else. */
    c = load("diameter = { identity = \"a\"; realm = \"r\";\n"
             "  tls = { cert = \"c.crt\"; key = \"/k\"; ca = \"/ca\"; }; };\n");
    assert_int_not_equal(fdconf_write_cfg(c, dir, "x", true, NULL, 0), 0);
    cfg_free(c);
}

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_tcp),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
