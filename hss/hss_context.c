/*
 * hss_context.c: configuration schema and loading, path resolution, the
 * per-thread store connections and small helpers shared by the handlers.
 */
#include "hss_context.h"

#include "fdconf/fdconf_cfg.h"
#include "metrics/metrics.h"
#include "store_extra.h"

#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct cfg_spec scscf_schema[] = {
    {"name", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "S-CSCF SIP URI (its Server-Name)", NULL},
    {"diameter_host", CFG_STRING, 0, NULL, 0, 0, NULL,
     "its Diameter identity (else learnt from its MAR/SAR Origin-Host)", NULL},
    {"mandatory", CFG_INT_LIST, 0, NULL, 0, 0xffffffffLL, NULL, "capabilities it offers", NULL},
    {"optional", CFG_INT_LIST, 0, NULL, 0, 0xffffffffLL, NULL, "optional capabilities it offers",
     NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct cfg_spec hss_schema[] = {
    CFG_DAEMON_SPECS,
    FDCONF_CFG_SPECS("3868"),
    METRICS_CFG_SPECS("0"),
    {"store.path", CFG_PATH, 0, "hss.sqlite", 0, 0, NULL,
     "SQLite store (relative: in the state directory)", NULL},
    {"control.socket", CFG_PATH, 0, "hss.ctl", 0, 0, NULL,
     "control socket for imsctl hss (relative: in the state directory)", NULL},
    {"auth.max_vectors", CFG_INT, 0, "4", 1, CX_MAX_AUTH_ITEMS, NULL,
     "most vectors answered per MAR", NULL},
    {"auth.ind_bits", CFG_INT, 0, "5", 0, 10, NULL, "IND bits of SQN (TS 33.102 Annex C)", NULL},
    {"auth.digest_realm", CFG_STRING, 0, NULL, 0, 0, NULL,
     "SIP Digest realm for HA1 from a password (default: diameter.realm)", NULL},
    {"roaming.home_network", CFG_STRING, 0, NULL, 0, 0, NULL,
     "Visited-Network-Identifier of the home network (default: diameter.realm)", NULL},
    {"capabilities.mandatory", CFG_INT_LIST, 0, NULL, 0, 0xffffffffLL, NULL,
     "capabilities a user requires of its S-CSCF (default for every subscriber)", NULL},
    {"capabilities.optional", CFG_INT_LIST, 0, NULL, 0, 0xffffffffLL, NULL,
     "capabilities a user prefers", NULL},
    {"scscfs", CFG_GROUP_LIST, 0, NULL, 0, HSS_MAX_SCSCFS, NULL, "S-CSCFs of the home network",
     scscf_schema},
    {"uar.preferred_scscf", CFG_STRING, 0, NULL, 0, 0, NULL,
     "UAR first registration: answer this Server-Name instead of capabilities", NULL},
    {"sar.keep_server_name", CFG_BOOL, 0, "true", 0, 0, NULL,
     "keep the S-CSCF name on *_DEREGISTRATION_STORE_SERVER_NAME", NULL},
    {"mar.rtr_on_reassign", CFG_BOOL, 0, "true", 0, 0, NULL,
     "send RTR to the old S-CSCF when a MAR comes from a new one (TS 29.228 8.1.1)", NULL},
    {"rtr.timeout", CFG_DURATION, 0, "10s", 1, 300, NULL, "RTR/PPR answer timeout", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static struct hss_context self;

struct hss_context *hss_self(void)
{
    return &self;
}

static void load_caps(const struct cfg *c, const char *path, uint32_t *out, size_t *n)
{
    int count = cfg_list_count(c, path);

    *n = 0;
    for (int i = 0; i < count && *n < CX_MAX_CAPS; i++)
        out[(*n)++] = (uint32_t)cfg_list_int(c, path, i);
    if (count > CX_MAX_CAPS)
        log_warn("hss: %s: only the first %d capabilities are used", path, CX_MAX_CAPS);
}

int hss_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs)
{
    int rc;

    hss_context_free();
    self.cfg = *cfgp;
    *cfgp = NULL;
    const struct cfg *c = self.cfg;

    if ((rc = cfg_state_dir(c, state_dir, self.state_dir, sizeof(self.state_dir))) ||
        (rc = cfg_path_join(self.run_dir, sizeof(self.run_dir), self.state_dir, "run/hss")) ||
        (rc = cfg_path_join(self.store_path, sizeof(self.store_path), self.state_dir,
                            cfg_str(c, "store.path"))) ||
        (rc = cfg_path_join(self.ctl_path, sizeof(self.ctl_path), self.state_dir,
                            cfg_str(c, "control.socket")))) {
        log_error("hss: bad path under the state directory %s: %s", self.state_dir, strerror(-rc));
        return rc;
    }
    if (strlen(self.ctl_path) >= 108) {
        log_error("hss: control socket path %s is too long for a Unix socket", self.ctl_path);
        return -ENAMETOOLONG;
    }
    if (create_dirs) {
        if ((rc = cfg_mkdir_p(self.state_dir)) || (rc = cfg_mkdir_p(self.run_dir))) {
            log_error("hss: cannot create %s: %s", self.run_dir, strerror(-rc));
            return rc;
        }
    }
    self.identity = cfg_str(c, "diameter.identity");
    self.realm = cfg_str(c, "diameter.realm");
    self.home_network = cfg_str_opt(c, "roaming.home_network");
    if (!self.home_network)
        self.home_network = self.realm;
    self.digest_realm = cfg_str_opt(c, "auth.digest_realm");
    if (!self.digest_realm)
        self.digest_realm = self.realm;
    self.preferred_scscf = cfg_str_opt(c, "uar.preferred_scscf");
    self.max_vectors = (unsigned)cfg_int(c, "auth.max_vectors");
    self.ind_bits = (unsigned)cfg_int(c, "auth.ind_bits");
    self.keep_server_name = cfg_bool(c, "sar.keep_server_name");
    self.rtr_on_reassign = cfg_bool(c, "mar.rtr_on_reassign");
    self.rtr_timeout_ms = (unsigned)cfg_int(c, "rtr.timeout") * 1000u;
    load_caps(c, "capabilities.mandatory", self.user_mandatory, &self.n_user_mandatory);
    load_caps(c, "capabilities.optional", self.user_optional, &self.n_user_optional);
    self.n_scscfs = 0;
    for (int i = 0; i < cfg_list_count(c, "scscfs") && self.n_scscfs < HSS_MAX_SCSCFS; i++) {
        const struct cfg *g = cfg_group(c, "scscfs", i);
        struct hss_scscf *s = &self.scscfs[self.n_scscfs++];
        s->name = cfg_str(g, "name");
        s->diameter_host = cfg_str_opt(g, "diameter_host");
        load_caps(g, "mandatory", s->mandatory, &s->n_mandatory);
        load_caps(g, "optional", s->optional, &s->n_optional);
    }
    return 0;
}

void hss_context_free(void)
{
    cfg_free(self.cfg);
    memset(&self, 0, sizeof(self));
}

/* --- per-thread store connections --- */

struct conn {
    struct store *st;
    struct conn *next;
};

static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;
static _Thread_local struct store *thread_store;

struct store *hss_store(void)
{
    char err[256];
    struct conn *c;

    if (thread_store)
        return thread_store;
    c = calloc(1, sizeof(*c));
    if (!c) {
        log_error("hss: out of memory opening the store");
        return NULL;
    }
    if (store_open(self.store_path, &c->st, err, sizeof(err)) != 0) {
        log_error("hss: cannot open store %s: %s", self.store_path, err);
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&conns_lock);
    c->next = conns;
    conns = c;
    pthread_mutex_unlock(&conns_lock);
    thread_store = c->st;
    return thread_store;
}

void hss_stores_close_all(void)
{
    pthread_mutex_lock(&conns_lock);
    while (conns) {
        struct conn *c = conns;
        conns = c->next;
        store_close(c->st);
        free(c);
    }
    pthread_mutex_unlock(&conns_lock);
    thread_store = NULL;
}

/* --- helpers --- */

static bool scscf_offers(const struct hss_scscf *s, uint32_t cap)
{
    for (size_t i = 0; i < s->n_mandatory; i++)
        if (s->mandatory[i] == cap)
            return true;
    for (size_t i = 0; i < s->n_optional; i++)
        if (s->optional[i] == cap)
            return true;
    return false;
}

int hss_caps_fill(struct cx_caps *caps)
{
    caps->present = true;
    memcpy(caps->mandatory, self.user_mandatory, sizeof(self.user_mandatory));
    caps->n_mandatory = self.n_user_mandatory;
    memcpy(caps->optional, self.user_optional, sizeof(self.user_optional));
    caps->n_optional = self.n_user_optional;
    for (size_t i = 0; i < self.n_scscfs; i++) {
        bool ok = true;
        for (size_t m = 0; m < self.n_user_mandatory && ok; m++)
            ok = scscf_offers(&self.scscfs[i], self.user_mandatory[m]);
        if (ok && cx_strlist_add(&caps->server_names, self.scscfs[i].name) != 0)
            return -ENOMEM;
    }
    return 0;
}

int hss_scscf_destination(struct store *st, const char *server_name, char *host, char *realm)
{
    const char *p, *end;
    size_t len;

    if (!server_name || !*server_name)
        return -ENOENT;
    if (st && store_extra_peer_get(st, server_name, host, realm) == 0)
        return 0;
    snprintf(realm, STORE_ID_SIZE, "%s", self.realm);
    for (size_t i = 0; i < self.n_scscfs; i++) {
        if (self.scscfs[i].diameter_host && strcmp(self.scscfs[i].name, server_name) == 0) {
            snprintf(host, STORE_ID_SIZE, "%s", self.scscfs[i].diameter_host);
            return 0;
        }
    }
    /* sip:scscf.example.org:6060;transport=tcp -> scscf.example.org */
    p = server_name;
    if (strncasecmp(p, "sips:", 5) == 0)
        p += 5;
    else if (strncasecmp(p, "sip:", 4) == 0)
        p += 4;
    if (strchr(p, '@'))
        p = strchr(p, '@') + 1;
    end = p + strcspn(p, ":;>?/");
    len = (size_t)(end - p);
    if (len == 0 || len >= STORE_ID_SIZE)
        return -ENOENT;
    memcpy(host, p, len);
    host[len] = '\0';
    return 0;
}

int hss_lookup_result(int rc, struct cx_result *r)
{
    if (rc == -ENOENT || rc == -EINVAL) {
        r->exp_result = CX_DIAMETER_ERROR_USER_UNKNOWN;
        return 0;
    }
    if (rc == STORE_EMISMATCH) {
        r->exp_result = CX_DIAMETER_ERROR_IDENTITIES_DONT_MATCH;
        return 0;
    }
    return rc;
}
