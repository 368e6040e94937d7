/*
 * pcscf_context.c: configuration schema and loading of the P-CSCF, and the
 * registry of UEs it serves.
 */
#include "pcscf_context.h"

#include "sec_agree.h"
#include "xfrm_nl.h"

#include "ctl/ctl.h"
#include "log/log.h"
#include "metrics/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const transports[] = {"udp", "tcp", NULL};
static const char *const algs[] = {"hmac-sha-1-96", "hmac-md5-96", NULL};
static const char *const ealgs[] = {"null", "aes-cbc", NULL};
static const char *const sa_modes[] = {"kernel", "none", NULL};

static const struct cfg_spec host_schema[] = {
    {"name", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "host name used in SIP URIs", NULL},
    {"address", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "numeric address it maps to", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct cfg_spec pcscf_schema[] = {
    CFG_DAEMON_SPECS,
    {"sip.listen", CFG_STRING, 0, "127.0.0.1", 0, 0, NULL, "numeric address to bind", NULL},
    {"sip.port", CFG_PORT, 0, "5060", 0, 0, NULL, "SIP port (UDP and TCP)", NULL},
    {"sip.udp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on UDP", NULL},
    {"sip.tcp", CFG_BOOL, 0, "true", 0, 0, NULL, "listen on TCP", NULL},
    {"sip.advertise", CFG_STRING, 0, NULL, 0, 0, NULL,
     "host written into Via, Path and Record-Route (default: sip.listen)", NULL},
    {"sip.aliases", CFG_STRING_LIST, 0, NULL, 0, 7, NULL,
     "other names meaning this P-CSCF in Route/Request-URI (its FQDN)", NULL},
    {"domain", CFG_STRING, 0, "ims.mnc001.mcc001.3gppnetwork.org", 0, 0, NULL,
     "home network domain", NULL},
    {"visited_network_id", CFG_STRING, 0, "ims.mnc001.mcc001.3gppnetwork.org", 0, 0, NULL,
     "P-Visited-Network-ID added to REGISTER", NULL},
    {"icscf.address", CFG_STRING, 0, "127.0.0.1", 0, 0, NULL,
     "numeric address of the I-CSCF that REGISTER goes to", NULL},
    {"icscf.port", CFG_PORT, 0, "4060", 0, 0, NULL, "SIP port of the I-CSCF", NULL},
    {"icscf.transport", CFG_STRING, 0, "udp", 0, 0, transports, "transport towards the I-CSCF",
     NULL},
    {"hosts", CFG_GROUP_LIST, 0, NULL, 0, PCSCF_MAX_HOSTS, NULL,
     "static name -> address map for core hosts met in Service-Route/Route (no DNS in the lab)",
     host_schema},
    {"ipsec.enabled", CFG_BOOL, 0, "false", 0, 0, NULL,
     "install IPsec SAs through XFRM (needs kernel ESP; see docs/ipsec.md); false: trust the "
     "UE by IP address and port",
     NULL},
    {"ipsec.algs", CFG_STRING_LIST, 0, NULL, 0, PCSCF_MAX_PREF, algs,
     "integrity algorithms in order of preference (default hmac-sha-1-96, hmac-md5-96)", NULL},
    {"ipsec.ealgs", CFG_STRING_LIST, 0, NULL, 0, PCSCF_MAX_PREF, ealgs,
     "encryption algorithms in order of preference (default aes-cbc, null)", NULL},
    {"ipsec.spi_min", CFG_INT, 0, "4096", 256, 0xffffffffLL, NULL, "first SPI of the pool", NULL},
    {"ipsec.spi_max", CFG_INT, 0, "65535", 256, 0xffffffffLL, NULL, "last SPI of the pool", NULL},
    {"ipsec.port_min", CFG_PORT, 0, "6100", 0, 0, NULL, "first protected port of the pool", NULL},
    {"ipsec.port_max", CFG_PORT, 0, "6199", 0, 0, NULL, "last protected port of the pool", NULL},
    {"ipsec.sa", CFG_STRING, 0, "kernel", 0, 0, sa_modes,
     "kernel: install the ESP SAs over XFRM; none: do not (ESP is done outside the P-CSCF, or "
     "a test without ESP): the protected ports are still enforced (docs/ipsec.md)",
     NULL},
    CTL_CFG_SPEC("pcscf.ctl", "imsctl pcscf"),
    METRICS_CFG_SPECS("9093"),
    {"reg_subscribe_expires", CFG_DURATION, 0, "600000", 60, 4000000, NULL,
     "Expires of the P-CSCF's own reg-event SUBSCRIBE", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static struct pcscf_context self;

struct pcscf_context *pcscf_self(void)
{
    return &self;
}

int pcscf_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs)
{
    const struct cfg *c;
    int rc, i, n;

    pcscf_context_free();
    self.cfg = *cfgp;
    *cfgp = NULL;
    c = self.cfg;
    if ((rc = cfg_state_dir(c, state_dir, self.state_dir, sizeof(self.state_dir)))) {
        log_error("pcscf: bad state directory: %s", strerror(-rc));
        return rc;
    }
    if (create_dirs && (rc = cfg_mkdir_p(self.state_dir))) {
        log_error("pcscf: cannot create %s: %s", self.state_dir, strerror(-rc));
        return rc;
    }
    self.sip_listen = cfg_str(c, "sip.listen");
    self.advertise = cfg_str_opt(c, "sip.advertise");
    if (!self.advertise)
        self.advertise = self.sip_listen;
    self.sip_port = (int)cfg_int(c, "sip.port");
    self.sip_udp = cfg_bool(c, "sip.udp");
    self.sip_tcp = cfg_bool(c, "sip.tcp");
    if (!self.sip_udp && !self.sip_tcp) {
        log_error("pcscf: sip: neither udp nor tcp is enabled");
        return -EINVAL;
    }
    for (i = 0; i < cfg_list_count(c, "sip.aliases") && i < 7; i++)
        self.alias_v[self.n_aliases++] = cfg_list_str(c, "sip.aliases", i);
    self.domain = cfg_str(c, "domain");
    self.visited_network = cfg_str(c, "visited_network_id");
    snprintf(self.path_uri, sizeof(self.path_uri), "sip:term@%s:%d;lr",
             self.n_aliases ? self.alias_v[0] : self.advertise, self.sip_port);
    snprintf(self.self_uri, sizeof(self.self_uri), "sip:pcscf@%s:%d", self.advertise,
             self.sip_port);

    memset(&self.icscf, 0, sizeof(self.icscf));
    if (snprintf(self.icscf.host, sizeof(self.icscf.host), "%s", cfg_str(c, "icscf.address")) >=
        (int)sizeof(self.icscf.host)) {
        log_error("pcscf: icscf.address too long");
        return -EINVAL;
    }
    self.icscf.port = (int)cfg_int(c, "icscf.port");
    self.icscf.proto = strcmp(cfg_str(c, "icscf.transport"), "tcp") ? TXN_PROTO_UDP : TXN_PROTO_TCP;

    n = cfg_list_count(c, "hosts");
    for (i = 0; i < n && self.n_hosts < PCSCF_MAX_HOSTS; i++) {
        const struct cfg *g = cfg_group(c, "hosts", i);
        self.hosts[self.n_hosts].name = cfg_str(g, "name");
        self.hosts[self.n_hosts].address = cfg_str(g, "address");
        self.n_hosts++;
    }

    self.ipsec = cfg_bool(c, "ipsec.enabled");
    self.ipsec_sa_none = strcmp(cfg_str(c, "ipsec.sa"), "none") == 0;
    self.prot_port_min = (int)cfg_int(c, "ipsec.port_min");
    n = cfg_list_count(c, "ipsec.algs");
    for (i = 0; i < n; i++)
        self.alg_pref[self.n_alg++] = cfg_list_str(c, "ipsec.algs", i);
    if (self.n_alg == 0) {
        self.alg_pref[self.n_alg++] = "hmac-sha-1-96";
        self.alg_pref[self.n_alg++] = "hmac-md5-96";
    }
    n = cfg_list_count(c, "ipsec.ealgs");
    for (i = 0; i < n; i++)
        self.ealg_pref[self.n_ealg++] = cfg_list_str(c, "ipsec.ealgs", i);
    if (self.n_ealg == 0) {
        self.ealg_pref[self.n_ealg++] = "aes-cbc";
        self.ealg_pref[self.n_ealg++] = "null";
    }
    rc = pcscf_pool_new(
        (uint32_t)cfg_int(c, "ipsec.spi_min"), (uint32_t)cfg_int(c, "ipsec.spi_max"),
        (uint16_t)cfg_int(c, "ipsec.port_min"), (uint16_t)cfg_int(c, "ipsec.port_max"), &self.pool);
    if (rc) {
        log_error("pcscf: ipsec: bad SPI or port range (spi_min <= spi_max, port_min <= "
                  "port_max, at least two of each): %s",
                  strerror(-rc));
        return rc;
    }
    self.reg_sub_expires = (uint32_t)cfg_int(c, "reg_subscribe_expires");
    self.next_ue_id = 1;
    return 0;
}

void pcscf_context_free(void)
{
    while (self.ues) {
        struct pcscf_ue *ue = self.ues;
        self.ues = ue->next;
        pcscf_ue_sa_remove_all(ue); /* no SA outlives the daemon */
        free(ue);
    }
    while (self.gone) {
        struct pcscf_ue *ue = self.gone;
        self.gone = ue->next;
        free(ue);
    }
    pcscf_xfrm_nl_close(self.xfrm);
    free(self.prot_self);
    pcscf_pool_free(self.pool);
    cfg_free(self.cfg);
    memset(&self, 0, sizeof(self));
}

static bool flow_is_equal(const struct txn_addr *a, const struct txn_addr *b)
{
    if (a->proto != b->proto)
        return false;
    if (a->proto == TXN_PROTO_TCP)
        return a->conn_id == b->conn_id;
    return a->port == b->port && strcmp(a->host, b->host) == 0;
}

struct pcscf_ue *pcscf_ue_find(const char *impu, const struct txn_addr *flow)
{
    for (struct pcscf_ue *ue = self.ues; ue; ue = ue->next)
        if (flow_is_equal(&ue->flow, flow) && sip_uri_aor_is_equal(ue->impu, impu))
            return ue;
    return NULL;
}

struct pcscf_ue *pcscf_ue_by_flow(const struct txn_addr *flow)
{
    time_t now = time(NULL);

    for (struct pcscf_ue *ue = self.ues; ue; ue = ue->next)
        if (ue->state == PCSCF_UE_REGISTERED && ue->expires_at > now &&
            flow_is_equal(&ue->flow, flow))
            return ue;
    return NULL;
}

static bool ue_has_uri(const struct pcscf_ue *ue, const char *uri)
{
    if (sip_uri_aor_is_equal(ue->contact, uri))
        return true;
    for (size_t i = 0; i < ue->n_assoc; i++)
        if (sip_uri_aor_is_equal(ue->assoc[i], uri))
            return true;
    return false;
}

struct pcscf_ue *pcscf_ue_by_uri(const char *uri)
{
    for (struct pcscf_ue *ue = self.ues; ue; ue = ue->next)
        if (ue->state == PCSCF_UE_REGISTERED && ue_has_uri(ue, uri))
            return ue;
    return NULL;
}

const struct pcscf_ue *pcscf_ue_gone_by_uri(const char *uri)
{
    time_t now = time(NULL);

    for (struct pcscf_ue **p = &self.gone; *p;) {
        struct pcscf_ue *ue = *p;
        if (ue->expires_at <= now) {
            *p = ue->next;
            free(ue);
            continue;
        }
        if (ue_has_uri(ue, uri))
            return ue;
        p = &ue->next;
    }
    return NULL;
}

struct pcscf_ue *pcscf_ue_by_id(uint64_t id)
{
    for (struct pcscf_ue *ue = self.ues; ue; ue = ue->next)
        if (ue->id == id)
            return ue;
    return NULL;
}

struct pcscf_ue *pcscf_ue_new(const char *impu, const struct txn_addr *flow)
{
    struct pcscf_ue *ue = calloc(1, sizeof(*ue));

    if (!ue)
        return NULL;
    ue->id = self.next_ue_id++;
    snprintf(ue->impu, sizeof(ue->impu), "%s", impu);
    ue->flow = *flow;
    ue->state = PCSCF_UE_CHALLENGED;
    ue->expires_at = time(NULL) + PCSCF_CHALLENGE_TTL;
    ue->next = self.ues;
    self.ues = ue;
    return ue;
}

void pcscf_ue_purge(struct pcscf_ue *ue, const char *why)
{
    struct pcscf_ue **p;

    for (p = &self.ues; *p; p = &(*p)->next) {
        if (*p != ue)
            continue;
        *p = ue->next;
        pcscf_ue_sa_remove_all(ue);
        if (ue->have_slot)
            pcscf_pool_release(self.pool, &ue->slot);
        log_info("pcscf: %s on %s:%d purged (%s); %zu protected-port slots in use", ue->impu,
                 ue->flow.host, ue->flow.port, why, pcscf_pool_in_use(self.pool));
        if (ue->state != PCSCF_UE_REGISTERED) {
            free(ue);
            return;
        }
        /* kept aside, unprotected, for the NOTIFY that ends its own subscription */
        ue->have_slot = ue->sa_on = ue->old_on = ue->sec = false;
        ue->expires_at = time(NULL) + PCSCF_GONE_LINGER_S;
        ue->next = self.gone;
        self.gone = ue;
        return;
    }
}

void pcscf_ue_expire(void)
{
    time_t now = time(NULL);
    struct pcscf_ue *ue = self.ues, *next;

    for (; ue; ue = next) {
        next = ue->next;
        if (ue->expires_at <= now)
            pcscf_ue_purge(ue, ue->state == PCSCF_UE_REGISTERED ? "registration expired"
                                                                : "challenge not answered");
    }
}

int pcscf_resolve(const char *uri, struct txn_addr *out)
{
    osip_uri_t *u = NULL;
    osip_uri_param_t *tp = NULL;
    unsigned char tmp[16];
    const char *host;
    int rc = 0;

    if (!uri || !out)
        return -EINVAL;
    if (osip_uri_init(&u) != 0)
        return -ENOMEM;
    if (osip_uri_parse(u, uri) != 0 || !u->host || !u->scheme || strcasecmp(u->scheme, "sip")) {
        rc = -EPROTO;
        goto out;
    }
    memset(out, 0, sizeof(*out));
    host = u->host;
    for (size_t i = 0; i < self.n_hosts; i++)
        if (strcasecmp(self.hosts[i].name, host) == 0) {
            host = self.hosts[i].address;
            break;
        }
    if (inet_pton(AF_INET, host, tmp) != 1 && inet_pton(AF_INET6, host, tmp) != 1) {
        /* not numeric and not mapped: let the proxy core resolve it (blocks) */
        osip_message_t *m = NULL;
        rc = -EHOSTUNREACH;
        if (osip_message_init(&m) == 0 && osip_message_set_route(m, uri) == 0 &&
            osip_uri_clone(u, &m->req_uri) == 0)
            rc = proxy_next_hop(m, out);
        osip_message_free(m);
        goto out;
    }
    snprintf(out->host, sizeof(out->host), "%s", host);
    out->port = u->port && *u->port ? atoi(u->port) : 5060;
    osip_uri_uparam_get_byname(u, "transport", &tp);
    out->proto =
        tp && tp->gvalue && strcasecmp(tp->gvalue, "tcp") == 0 ? TXN_PROTO_TCP : TXN_PROTO_UDP;
    if (out->port <= 0 || out->port > 65535)
        rc = -EPROTO;
out:
    osip_uri_free(u);
    return rc;
}
