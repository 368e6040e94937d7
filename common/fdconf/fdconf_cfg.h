/*
 * fdconf_cfg.h: the `diameter` section every daemon's configuration shares,
 * and the freeDiameter file rendered from it. Part of common/fdconf (its
 * second header: the module is usable without common/cfg through fdconf.h).
 *
 * In a daemon's schema:
 *
 *   const struct cfg_spec scscf_schema[] = {
 *       ...
 *       FDCONF_CFG_SPECS("3870"),
 *       {"diameter.hss_identity", ...},   // daemon-specific diameter settings
 *       ...
 *   };
 *
 * Settings: diameter.identity (required), realm (required), listen, port,
 * allow (acl_wl patterns), peers ({identity, address, port}), threads,
 * load_3gpp_dicts, tls.{cert,key,ca,port}.
 */
#ifndef IMSCORE_FDCONF_CFG_H
#define IMSCORE_FDCONF_CFG_H

#include "cfg/cfg.h"

#include <stdbool.h>
#include <stddef.h>

/* Schema of one element of diameter.peers. */
extern const struct cfg_spec fdconf_peer_schema[];

/* The diameter.* schema entries, default_port a string such as "3868". */
#define FDCONF_CFG_SPECS(default_port)                                                               \
    {"diameter.identity",     CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL,                            \
     "our Diameter identity", NULL},                                                                 \
        {"diameter.realm", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "our Diameter realm", NULL},  \
        {"diameter.listen", CFG_STRING, 0, "127.0.0.1", 0, 0, NULL, "listen address", NULL},         \
        {"diameter.port", CFG_PORT, 0, default_port, 0, 0, NULL, "Diameter TCP port", NULL},         \
        {"diameter.allow",                                                                           \
         CFG_STRING_LIST,                                                                            \
         0,                                                                                          \
         NULL,                                                                                       \
         0,                                                                                          \
         0,                                                                                          \
         NULL,                                                                                       \
         "peers accepted without being listed (acl_wl patterns, e.g. *.ims.example.org)",            \
         NULL},                                                                                      \
        {"diameter.peers",      CFG_GROUP_LIST,    0, NULL, 0, 16, NULL,                             \
         "peers to connect to", fdconf_peer_schema},                                                 \
        {"diameter.threads", CFG_INT, 0, "4", 1, 256, NULL, "freeDiameter handler threads", NULL},   \
        {"diameter.load_3gpp_dicts",                                                                 \
         CFG_BOOL,                                                                                   \
         0,                                                                                          \
         "true",                                                                                     \
         0,                                                                                          \
         0,                                                                                          \
         NULL,                                                                                       \
         "load dict_nasreq, dict_dcca, dict_dcca_3gpp",                                              \
         NULL},                                                                                      \
        {"diameter.tls.cert", CFG_PATH, 0, NULL, 0, 0, NULL, "TLS certificate (enables TLS)", NULL}, \
        {"diameter.tls.key", CFG_PATH, 0, NULL, 0, 0, NULL, "TLS private key", NULL},                \
        {"diameter.tls.ca", CFG_PATH, 0, NULL, 0, 0, NULL, "TLS CA bundle", NULL},                   \
    {                                                                                                \
        "diameter.tls.port", CFG_PORT, 0, NULL, 0, 0, NULL, "TLS port (default port + 1)", NULL      \
    }

/*
 * Renders the freeDiameter configuration of the diameter.* settings of c.
 * With check_only, only checks that a file can be rendered (values free of
 * quotes and control characters, absolute TLS paths, TLS complete) and
 * writes nothing. Otherwise writes <run_dir>/<name>.fd.conf (and its acl_wl
 * file) as fdconf_write() does, and its path into conf_path (conf_len bytes).
 * Problems are logged with the setting at fault. Returns 0 or a negative errno.
 */
int fdconf_write_cfg(const struct cfg *c, const char *run_dir, const char *name, bool check_only,
                     char *conf_path, size_t conf_len);

#endif
