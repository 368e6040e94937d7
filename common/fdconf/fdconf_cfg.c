/* fdconf_cfg.c: freeDiameter configuration from the diameter.* settings (see fdconf_cfg.h). */
#include "fdconf/fdconf_cfg.h"
#include "fdconf/fdconf.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_ALLOW 64
#define MAX_PEERS 16

const struct cfg_spec fdconf_peer_schema[] = {
    {"identity", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "peer Diameter identity", NULL},
    {"address", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "peer IP address", NULL},
    {"port", CFG_PORT, 0, "3868", 0, 0, NULL, "peer port", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

int fdconf_write_cfg(const struct cfg *c, const char *run_dir, const char *name, bool check_only,
                     char *conf_path, size_t conf_len)
{
    const char *allow[MAX_ALLOW];
    struct fdconf_peer peers[MAX_PEERS];
    struct fdconf_tls tls = {0};
    struct fdconf fc = {0};
    int rc;

    fc.identity = cfg_str(c, "diameter.identity");
    fc.realm = cfg_str(c, "diameter.realm");
    fc.listen_address = cfg_str(c, "diameter.listen");
    if (fc.listen_address && !*fc.listen_address)
        fc.listen_address = NULL;
    fc.port = (uint16_t)cfg_int(c, "diameter.port");
    if (cfg_list_count(c, "diameter.allow") > MAX_ALLOW)
        log_warn("%s: diameter.allow: only the first %d patterns are used", name, MAX_ALLOW);
    for (int i = 0; i < cfg_list_count(c, "diameter.allow") && fc.n_allow < MAX_ALLOW; i++)
        allow[fc.n_allow++] = cfg_list_str(c, "diameter.allow", i);
    fc.allow = allow;
    for (int i = 0; i < cfg_list_count(c, "diameter.peers") && fc.n_peers < MAX_PEERS; i++) {
        const struct cfg *g = cfg_group(c, "diameter.peers", i);
        peers[fc.n_peers].identity = cfg_str(g, "identity");
        peers[fc.n_peers].address = cfg_str(g, "address");
        peers[fc.n_peers++].port = (uint16_t)cfg_int(g, "port");
    }
    fc.peers = peers;
    if (cfg_is_set(c, "diameter.tls.cert")) {
        tls.cert = cfg_str(c, "diameter.tls.cert");
        tls.key = cfg_str(c, "diameter.tls.key");
        tls.ca = cfg_str(c, "diameter.tls.ca");
        tls.sec_port = (uint16_t)cfg_int(c, "diameter.tls.port");
        if (!tls.key || !tls.ca) {
            log_error("%s: diameter.tls needs cert, key and ca", name);
            return -EINVAL;
        }
        fc.tls = &tls;
    }
    fc.load_3gpp_dicts = cfg_bool(c, "diameter.load_3gpp_dicts");
    fc.app_threads = (unsigned)cfg_int(c, "diameter.threads");
    if (check_only) {
        FILE *fp = fopen("/dev/null", "w");
        rc = fp ? fdconf_render(&fc, fc.n_allow ? "/dev/null" : NULL, fp) : -errno;
        if (fp)
            fclose(fp);
        if (rc)
            log_error("%s: the diameter settings cannot make a freeDiameter configuration "
                      "(quotes or control characters, relative TLS paths?)",
                      name);
        return rc;
    }
    rc = fdconf_write(&fc, run_dir, name, conf_path, conf_len);
    if (rc)
        log_error("%s: cannot write the freeDiameter configuration in %s: %s", name, run_dir,
                  strerror(-rc));
    return rc;
}
