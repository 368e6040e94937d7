/*
 * icscf_context.c: configuration schema and loading of the I-CSCF.
 */
#include "icscf_context.h"

#include "fdconf/fdconf_cfg.h"
#include "log/log.h"
#include "metrics/metrics.h"
#include "txn/txn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

static const char *const transports[] = {"udp", "tcp", NULL};
static const char *const fail_codes[] = {"480", "500", NULL};

static const struct cfg_spec scscf_schema[] = {
    {"name", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL,
     "S-CSCF SIP URI, as the HSS knows it (Server-Name)", NULL},
    {"address", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "numeric IP address to send to", NULL},
    {"port", CFG_PORT, 0, "5060", 0, 0, NULL, "SIP port to send to", NULL},
    {"transport", CFG_STRING, 0, "udp", 0, 0, transports, "transport towards it", NULL},
    {"capabilities", CFG_INT_LIST, 0, NULL, 0, 0xffffffffLL, NULL,
     "capabilities it offers (Server-Capabilities values)", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct cfg_spec icscf_schema[] = {
    CFG_DAEMON_SPECS,
    {"sip.listen", CFG_STRING, 0, "127.0.0.1", 0, 0, NULL, "numeric address to bind", NULL},
    {"sip.port", CFG_PORT, 0, "4060", 0, 0, NULL, "SIP port (UDP and TCP)", NULL},
    {"sip.udp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on UDP", NULL},
    {"sip.tcp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on TCP", NULL},
    {"sip.aliases", CFG_STRING_LIST, 0, NULL, 0, 7, NULL,
     "other names meaning this I-CSCF in Route/Request-URI (FQDN, home domain)", NULL},
    FDCONF_CFG_SPECS("3869"),
    METRICS_CFG_SPECS("9091"),
    {"hss.realm", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Destination-Realm of UAR/LIR (default: diameter.realm)", NULL},
    {"hss.identity", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Destination-Host of UAR/LIR (default: none, routed by realm)", NULL},
    {"hss.timeout", CFG_DURATION, 0, "5s", 1, 60, NULL, "UAA/LIA answer timeout", NULL},
    {"hss.failure_code", CFG_STRING, 0, "480", 0, 0, fail_codes,
     "SIP answer when the HSS is unreachable or times out", NULL},
    {"hss.retry_after", CFG_DURATION, 0, "30s", 0, 3600, NULL, "Retry-After sent with that answer",
     NULL},
    {"home_network", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Visited-Network-Identifier when the REGISTER has no P-Visited-Network-ID "
     "(default: diameter.realm)",
     NULL},
    {"scscf_timeout", CFG_INT, 0, "4000", 100, 64000, NULL,
     "ms without a final answer from an S-CSCF before trying the next (TS 24.229 5.3.1.3)", NULL},
    {"scscfs", CFG_GROUP_LIST, 0, NULL, 0, ICSCF_MAX_SCSCFS, NULL,
     "S-CSCFs this I-CSCF may select, with their capabilities", scscf_schema},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static struct icscf_context self;

struct icscf_context *icscf_self(void)
{
    return &self;
}

static int load_scscf(const struct cfg *g, struct icscf_scscf *s)
{
    const char *name = cfg_str(g, "name"), *addr = cfg_str(g, "address");
    int count;

    if (strncasecmp(name, "sip:", 4) && strncasecmp(name, "sips:", 5)) {
        log_error("icscf: scscfs: name %s is not a sip URI", name);
        return -EINVAL;
    }
    if (snprintf(s->name, sizeof(s->name), "%s", name) >= (int)sizeof(s->name) ||
        snprintf(s->host, sizeof(s->host), "%s", addr) >= (int)sizeof(s->host)) {
        log_error("icscf: scscfs: %s: name or address too long", name);
        return -ENAMETOOLONG;
    }
    s->port = (int)cfg_int(g, "port");
    s->proto = strcmp(cfg_str(g, "transport"), "tcp") ? TXN_PROTO_UDP : TXN_PROTO_TCP;
    count = cfg_list_count(g, "capabilities");
    s->n_caps = 0;
    for (int i = 0; i < count && s->n_caps < CX_MAX_CAPS; i++)
        s->caps[s->n_caps++] = (uint32_t)cfg_list_int(g, "capabilities", i);
    return 0;
}

int icscf_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs)
{
    int rc;

    icscf_context_free();
    self.cfg = *cfgp;
    *cfgp = NULL;
    const struct cfg *c = self.cfg;

    if ((rc = cfg_state_dir(c, state_dir, self.state_dir, sizeof(self.state_dir))) ||
        (rc = cfg_path_join(self.run_dir, sizeof(self.run_dir), self.state_dir, "run/icscf"))) {
        log_error("icscf: bad state directory %s: %s", self.state_dir, strerror(-rc));
        return rc;
    }
    if (create_dirs) {
        if ((rc = cfg_mkdir_p(self.state_dir)) || (rc = cfg_mkdir_p(self.run_dir))) {
            log_error("icscf: cannot create %s: %s", self.run_dir, strerror(-rc));
            return rc;
        }
    }
    self.identity = cfg_str(c, "diameter.identity");
    self.hss_realm = cfg_str_opt(c, "hss.realm");
    if (!self.hss_realm)
        self.hss_realm = cfg_str(c, "diameter.realm");
    self.hss_host = cfg_str_opt(c, "hss.identity");
    self.home_network = cfg_str_opt(c, "home_network");
    if (!self.home_network)
        self.home_network = cfg_str(c, "diameter.realm");
    self.sip_listen = cfg_str(c, "sip.listen");
    self.sip_port = (int)cfg_int(c, "sip.port");
    self.sip_udp = cfg_bool(c, "sip.udp");
    self.sip_tcp = cfg_bool(c, "sip.tcp");
    if (!self.sip_udp && !self.sip_tcp) {
        log_error("icscf: sip: neither udp nor tcp is enabled");
        return -EINVAL;
    }
    self.n_aliases = 0;
    for (int i = 0; i < cfg_list_count(c, "sip.aliases") && i < 7; i++)
        self.alias_v[self.n_aliases++] = cfg_list_str(c, "sip.aliases", i);
    self.aliases = self.alias_v;
    self.hss_timeout_ms = (unsigned)cfg_int(c, "hss.timeout") * 1000u;
    self.hss_fail_code = atoi(cfg_str(c, "hss.failure_code"));
    self.retry_after_s = (unsigned)cfg_int(c, "hss.retry_after");
    self.scscf_timeout_ms = (unsigned)cfg_int(c, "scscf_timeout");
    self.n_scscfs = 0;
    for (int i = 0; i < cfg_list_count(c, "scscfs") && self.n_scscfs < ICSCF_MAX_SCSCFS; i++) {
        if ((rc = load_scscf(cfg_group(c, "scscfs", i), &self.scscfs[self.n_scscfs])))
            return rc;
        self.n_scscfs++;
    }
    if (self.n_scscfs == 0)
        log_warn("icscf: no S-CSCF configured: first registrations will get 600");
    return 0;
}

void icscf_context_free(void)
{
    cfg_free(self.cfg);
    memset(&self, 0, sizeof(self));
}
