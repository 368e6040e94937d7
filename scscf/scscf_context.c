/*
 * scscf_context.c: the configuration schema of scscf.conf, loading it into
 * scscf_self(), and path resolution under the state directory.
 */
#include "scscf_context.h"
#include "third_party_reg.h"

#include "ctl/ctl.h"
#include "cx/cx.h"
#include "fdconf/fdconf_cfg.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const rereg_choices[] = {"if-not-protected", "always", NULL};
static const char *const sync_choices[] = {"full", "normal", NULL};

const struct cfg_spec scscf_schema[] = {
    CFG_DAEMON_SPECS,
    {"scscf.name", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL,
     "our SIP URI: Server-Name in MAR/SAR, Service-Route, NOTIFY From", NULL},
    {"scscf.home_domain", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL,
     "home network domain (Digest realm, REGISTER Request-URI)", NULL},
    {"sip.listen", CFG_STRING, 0, "127.0.0.1", 0, 0, NULL, "numeric address to bind", NULL},
    {"sip.port", CFG_PORT, 0, "6060", 0, 0, NULL, "SIP UDP and TCP port", NULL},
    {"sip.udp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on UDP", NULL},
    {"sip.tcp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on TCP", NULL},
    {"sip.advertise", CFG_STRING, 0, NULL, 0, 0, NULL,
     "host written into Via (default: sip.listen)", NULL},
    {"sip.aliases", CFG_STRING_LIST, 0, NULL, 0, SCSCF_MAX_ALIASES, NULL,
     "other names meaning us (FQDN, home domain)", NULL},
    FDCONF_CFG_SPECS("3870"),
    METRICS_CFG_SPECS("9092"),
    {"diameter.hss_identity", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Destination-Host of MAR/SAR (default: none, routed by realm)", NULL},
    {"diameter.hss_realm", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Destination-Realm of MAR/SAR (default: diameter.realm)", NULL},
    {"diameter.timeout", CFG_DURATION, 0, "10s", 1, 120, NULL, "Cx answer timeout", NULL},
    CTL_CFG_SPEC("scscf.ctl", "imsctl reg"),
    {"store.path", CFG_PATH, 0, "scscf.sqlite", 0, 0, NULL,
     "SQLite registration store (relative: in the state directory)", NULL},
    {"store.synchronous", CFG_STRING, 0, "full", 0, 0, sync_choices,
     "full: each registration is on disk before the 200 (survives power loss); normal: "
     "survives a crash of the daemon, not of the machine, and answers faster",
     NULL},
    {"registrar.min_expires", CFG_DURATION, 0, "60", 1, 86400, NULL,
     "shortest registration accepted (else 423)", NULL},
    {"registrar.max_expires", CFG_DURATION, 0, "600000", 1, 31536000, NULL,
     "longest registration granted", NULL},
    {"registrar.default_expires", CFG_DURATION, 0, "3600", 1, 31536000, NULL,
     "expiry when the REGISTER gives none", NULL},
    {"auth.vectors", CFG_INT, 0, "1", 1, CX_MAX_AUTH_ITEMS, NULL,
     "SIP-Number-Auth-Items asked per MAR", NULL},
    {"auth.challenge_timeout", CFG_DURATION, 0, "30s", 1, 3600, NULL,
     "life of a pending challenge (then SAR AUTHENTICATION_TIMEOUT)", NULL},
    {"auth.reregister_challenge", CFG_STRING, 0, "if-not-protected", 0, 0, rereg_choices,
     "challenge re-REGISTERs always, or only when not integrity-protected", NULL},
    {"auth.qop_auth_int", CFG_BOOL, 0, "true", 0, 0, NULL,
     "offer qop=\"auth,auth-int\" for AKA (else \"auth\")", NULL},
    {"reg_event.min_expires", CFG_DURATION, 0, "60", 1, 86400, NULL,
     "shortest reg-event subscription (else 423)", NULL},
    {"reg_event.max_expires", CFG_DURATION, 0, "600000", 1, 31536000, NULL,
     "longest reg-event subscription granted", NULL},
    {"reg_event.default_expires", CFG_DURATION, 0, "3600", 1, 31536000, NULL,
     "subscription expiry when the SUBSCRIBE gives none", NULL},
    {"as", CFG_GROUP_LIST, 0, NULL, 0, 16, NULL,
     "application servers of iFC ServerNames: where third-party REGISTERs go (no DNS)",
     scscf_as_schema},
    {"third_party.timeout", CFG_DURATION, 0, "4s", 1, 64, NULL,
     "no final answer from an AS to a third-party REGISTER within this: DefaultHandling applies",
     NULL},
    {"third_party.charging_function_addresses", CFG_STRING, 0, NULL, 0, 0, NULL,
     "P-Charging-Function-Addresses of third-party REGISTERs, e.g. \"ccf=192.0.2.10\" "
     "(default: none)",
     NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static struct scscf_context self;

struct scscf_context *scscf_self(void)
{
    return &self;
}

int64_t scscf_now(void)
{
    return (int64_t)time(NULL);
}

int scscf_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs)
{
    int rc;

    scscf_context_free();
    self.cfg = *cfgp;
    *cfgp = NULL;
    const struct cfg *c = self.cfg;

    if ((rc = cfg_state_dir(c, state_dir, self.state_dir, sizeof(self.state_dir))) ||
        (rc = cfg_path_join(self.run_dir, sizeof(self.run_dir), self.state_dir, "run/scscf")) ||
        (rc = cfg_path_join(self.store_path, sizeof(self.store_path), self.state_dir,
                            cfg_str(c, "store.path")))) {
        log_error("scscf: bad path under the state directory: %s", strerror(-rc));
        return rc;
    }
    if (create_dirs && ((rc = cfg_mkdir_p(self.state_dir)) || (rc = cfg_mkdir_p(self.run_dir)))) {
        log_error("scscf: cannot create %s: %s", self.run_dir, strerror(-rc));
        return rc;
    }
    self.server_name = cfg_str(c, "scscf.name");
    self.home_domain = cfg_str(c, "scscf.home_domain");
    if (strncmp(self.server_name, "sip:", 4) != 0) {
        log_error("scscf: scscf.name must be a sip: URI (got %s)", self.server_name);
        return -EINVAL;
    }
    self.identity = cfg_str(c, "diameter.identity");
    self.realm = cfg_str(c, "diameter.realm");
    self.hss_identity = cfg_str_opt(c, "diameter.hss_identity");
    self.hss_realm = cfg_str_opt(c, "diameter.hss_realm");
    if (!self.hss_realm)
        self.hss_realm = self.realm;
    self.sip_listen = cfg_str(c, "sip.listen");
    self.sip_advertise = cfg_str_opt(c, "sip.advertise");
    self.sip_port = (int)cfg_int(c, "sip.port");
    self.n_aliases = 0;
    for (int i = 0; i < cfg_list_count(c, "sip.aliases") && self.n_aliases < SCSCF_MAX_ALIASES; i++)
        self.aliases[self.n_aliases++] = cfg_list_str(c, "sip.aliases", i);
    self.min_expires = (uint32_t)cfg_int(c, "registrar.min_expires");
    self.max_expires = (uint32_t)cfg_int(c, "registrar.max_expires");
    self.default_expires = (uint32_t)cfg_int(c, "registrar.default_expires");
    if (self.min_expires > self.max_expires) {
        log_error("scscf: registrar.min_expires is above registrar.max_expires");
        return -EINVAL;
    }
    self.auth_vectors = (unsigned)cfg_int(c, "auth.vectors");
    self.challenge_timeout_s = (unsigned)cfg_int(c, "auth.challenge_timeout");
    self.rereg_policy = strcmp(cfg_str(c, "auth.reregister_challenge"), "always") == 0
                            ? SCSCF_REREG_ALWAYS
                            : SCSCF_REREG_IF_NOT_PROTECTED;
    self.qop_auth_int = cfg_bool(c, "auth.qop_auth_int");
    self.cx_timeout_ms = (unsigned)cfg_int(c, "diameter.timeout") * 1000u;
    self.sub_min_expires = (uint32_t)cfg_int(c, "reg_event.min_expires");
    self.sub_max_expires = (uint32_t)cfg_int(c, "reg_event.max_expires");
    self.sub_default_expires = (uint32_t)cfg_int(c, "reg_event.default_expires");
    sqldb_sync_parse(cfg_str(c, "store.synchronous"), &self.store_sync);
    return scscf_third_party_load(c);
}

void scscf_context_free(void)
{
    cfg_free(self.cfg);
    memset(&self, 0, sizeof(self));
}
