/*
 * pcscf_context.h: the P-CSCF's configuration and run-time state, reached
 * through pcscf_self() (one per process, used on the loop thread only), and
 * the registry of UEs it serves.
 */
#ifndef PCSCF_CONTEXT_H
#define PCSCF_CONTEXT_H

#include "ipsec_pool.h"
#include "xfrm_msg.h"

#include "cfg/cfg.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"
#include "txn/txn.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct loop;
struct pcscf_xfrm_nl;

#define PCSCF_MAX_ROUTES 4
#define PCSCF_MAX_ASSOC  8
#define PCSCF_MAX_PREF   4
#define PCSCF_MAX_HOSTS  8

/* Seconds a challenged UE (401 relayed) is kept waiting for its second REGISTER. */
#define PCSCF_CHALLENGE_TTL 120

enum pcscf_ue_state {
    PCSCF_UE_CHALLENGED, /* 401 relayed, waiting for the second REGISTER */
    PCSCF_UE_REGISTERED, /* 200 relayed */
};

/* One UE, keyed by its public identity and its flow. */
struct pcscf_ue {
    struct pcscf_ue *next;
    uint64_t id;
    enum pcscf_ue_state state;
    char impu[SIP_URI_MAX]; /* AOR of To */
    char impi[256];
    struct txn_addr flow; /* UDP source, or TCP connection */
    char contact[SIP_URI_MAX];
    time_t expires_at;
    char ck[64], ik[64]; /* from the 401, never sent to the UE */
    char icid[64];       /* P-Charging-Vector icid of the registration in progress: the
                          * challenged REGISTER and its answer share it (the trace id) */
    bool sec;            /* the UE sent Security-Client and we answered Security-Server */
    bool have_slot;
    struct pcscf_pool_entry slot;
    struct sip_sec_mech client, server;
    /* ipsec.enabled: this UE's SAs in the kernel (ue_ipsec.c) */
    bool sa_on;                  /* sa is installed (it uses slot) */
    struct pcscf_xfrm_params sa; /* what removes them again */
    bool old_on;                 /* re-registration: the previous SAs, until its 200 */
    struct pcscf_xfrm_params old_sa;
    struct pcscf_pool_entry old_slot;
    struct sip_sec_mech old_server;
    char routes[PCSCF_MAX_ROUTES][SIP_URI_MAX]; /* Service-Route */
    size_t n_routes;
    char assoc[PCSCF_MAX_ASSOC][SIP_URI_MAX]; /* P-Associated-URI */
    size_t n_assoc;
    /* our own reg-event subscription (TS 24.229 §5.2.3) */
    char sub_call_id[96];
    char sub_from_tag[40];
    uint32_t sub_cseq;
    bool sub_active;
};

struct pcscf_host_map {
    const char *name, *address;
};

struct pcscf_context {
    struct cfg *cfg; /* owned */
    struct loop *loop;
    struct sipstack *sip;
    char state_dir[PATH_MAX];
    const char *sip_listen, *advertise, *domain;
    int sip_port;
    bool sip_udp, sip_tcp;
    const char *alias_v[8];
    size_t n_aliases;
    char path_uri[SIP_URI_MAX]; /* sip:term@<advertise>:<port>;lr */
    char self_uri[SIP_URI_MAX]; /* sip:pcscf@<advertise>:<port>, our From/Contact */
    struct txn_addr icscf;      /* where REGISTER goes */
    const char *visited_network;
    bool ipsec;
    const char *alg_pref[PCSCF_MAX_PREF], *ealg_pref[PCSCF_MAX_PREF];
    size_t n_alg, n_ealg;
    struct pcscf_pool *pool;
    struct pcscf_xfrm_nl *xfrm;   /* ipsec.enabled: the XFRM socket, owned */
    bool ipsec_sa_none;           /* ipsec.sa = "none": no XFRM here, ESP is done outside */
    int prot_port_min;            /* ipsec.port_min: slot i has port-c = min + 2i (protected.c) */
    struct proxy_self *prot_self; /* per slot: our identity with port-c, for requests to UEs */
    size_t n_prot_self;
    struct pcscf_host_map hosts[PCSCF_MAX_HOSTS];
    size_t n_hosts;
    uint32_t reg_sub_expires;
    struct pcscf_ue *ues;
    struct pcscf_ue
        *gone; /* purged registered UEs, kept PCSCF_GONE_LINGER_S for their last NOTIFY */
    uint64_t next_ue_id;
};

/* The configuration schema of pcscf.conf. */
extern const struct cfg_spec pcscf_schema[];

/* The process's context (never NULL). */
struct pcscf_context *pcscf_self(void);

/*
 * Takes ownership of *cfgp (sets it NULL) and fills the context: listeners,
 * I-CSCF, sec-agree preference, the SPI/port pool, host map. Returns 0 or a
 * negative errno (logged).
 */
int pcscf_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs);

/* Frees the UEs, the pool and the configuration; zeroes the context. */
void pcscf_context_free(void);

/* ---- UE registry (pcscf_context.c) ---- */

/* Finds the UE with public identity impu (AOR compare) on flow, or NULL. */
struct pcscf_ue *pcscf_ue_find(const char *impu, const struct txn_addr *flow);

/* Finds the registered UE that sent from flow (UDP host+port, TCP connection), or NULL. */
struct pcscf_ue *pcscf_ue_by_flow(const struct txn_addr *flow);

/* Finds a registered UE whose contact or associated URIs match uri, or NULL. */
struct pcscf_ue *pcscf_ue_by_uri(const char *uri);

/* Finds a UE by id (async continuations), or NULL. */
struct pcscf_ue *pcscf_ue_by_id(uint64_t id);

/* Creates a UE (owned by the registry). Returns it, or NULL on ENOMEM. */
struct pcscf_ue *pcscf_ue_new(const char *impu, const struct txn_addr *flow);

/*
 * Purges ue: releases its pool slot (and SAs), forgets it. why is logged. A
 * registered UE is kept aside (without slot or SAs) for PCSCF_GONE_LINGER_S
 * seconds, so that the NOTIFY ending its own reg-event subscription, which
 * the S-CSCF sends after the de-registration, still reaches it over its flow.
 */
void pcscf_ue_purge(struct pcscf_ue *ue, const char *why);

#define PCSCF_GONE_LINGER_S 32

/*
 * Finds a UE purged less than PCSCF_GONE_LINGER_S ago whose contact or
 * associated URIs match uri, or NULL. Only for the final NOTIFY of its own
 * reg-event subscription.
 */
const struct pcscf_ue *pcscf_ue_gone_by_uri(const char *uri);

/* Drops every UE whose registration expired or whose challenge was not answered in time. */
void pcscf_ue_expire(void);

/*
 * Resolves uri (a Route or Request-URI, text) to a transport address: host
 * map of the configuration first, numeric address next, DNS last.
 * Returns 0 or a negative errno.
 */
int pcscf_resolve(const char *uri, struct txn_addr *out);

/* ---- procedures, each in its own file, on the loop thread ---- */

/* register.c: a REGISTER from a UE arrived on st. */
void pcscf_register(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src);

/* request.c: any other request. */
void pcscf_request(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src);

/* reg_subscribe.c: subscribes to the reg event of ue (after its 200). Returns 0 or <0. */
int pcscf_reg_subscribe(struct pcscf_ue *ue);

/* reg_subscribe.c: true when req is a NOTIFY for one of our subscriptions; it is then handled. */
bool pcscf_reg_notify(struct txn_server *st, const osip_message_t *req);

/* ---- ue_ipsec.c: IPsec SAs per UE; every function is a no-op when ipsec is off ---- */

/* Opens the XFRM socket (pc->xfrm) when ipsec is on. Returns 0 or a negative errno (logged). */
int pcscf_ipsec_open(void);

/*
 * on_401, before the pool slot is taken: a registered UE's SAs become the
 * "old" ones (kept until the re-REGISTER's 200) and the new SAs get a new
 * slot; the temporary SAs of an earlier challenge are removed.
 */
void pcscf_ue_sa_prepare(struct pcscf_ue *ue);

/*
 * on_401, after Security-Server was built: installs ue's SAs from its flow,
 * slot, client/server mechanisms, ck and ik. Returns 0, or a negative errno
 * after logging why and putting back the old SAs of a re-registration; the
 * caller then answers 500 (pcscf_ue_sa_fail_response()).
 */
int pcscf_ue_sa_install(struct pcscf_ue *ue);

/* Turns the 401 resp (owned by the caller) into a 500 without challenge or Security-Server. */
void pcscf_ue_sa_fail_response(osip_message_t *resp);

/* on_200 of a REGISTER: removes the old SAs of a re-registration after the 200 went out. */
void pcscf_ue_sa_on_200(struct pcscf_ue *ue);

/* A REGISTER failed (final >= 300, not 401): a re-registration drops its new SAs, keeps the old. */
void pcscf_ue_sa_on_failure(struct pcscf_ue *ue);

/* Purge and shutdown: removes every SA of ue and releases the old slot (not ue->slot). */
void pcscf_ue_sa_remove_all(struct pcscf_ue *ue);

/* ---- protected.c: the protected ports of TS 33.203 §7.1 (ipsec on) ---- */

/*
 * ipsec on: opens UDP (and TCP when sip.tcp) listeners on every protected
 * port of the pool (port-c and port-s of each slot) and the per-slot
 * identities used in the Via of requests sent to UEs. A no-op with ipsec
 * off. Returns 0 or a negative errno (logged; the daemon then exits).
 */
int pcscf_protected_listen(void);

/* True when ipsec is on and local_port is one of our protected ports. */
bool pcscf_port_is_protected(int local_port);

/*
 * The UE whose security association src arrived over: a request that came
 * to the P-CSCF's port-s of the UE's current (or, during a re-registration,
 * previous) SAs from the UE's address and port-c. Any state (a challenged UE
 * sends its second REGISTER this way). NULL when none.
 */
struct pcscf_ue *pcscf_ue_by_sa(const struct txn_addr *src);

/*
 * Where a request to ue goes: with SAs, the UE's port-s from our port-c (the
 * SAs in use: the previous ones until a re-registration's 200); else its
 * flow. *self gets the identity for the Via (port-c), or the stack's own.
 */
void pcscf_ue_destination(const struct pcscf_ue *ue, struct txn_addr *out,
                          const struct proxy_self **self);

/* True when ue has SAs (current or previous): it must use them for every request. */
bool pcscf_ue_is_protected(const struct pcscf_ue *ue);

/* request.c: answers st with code (and the log line says why). */
void pcscf_reply(struct txn_server *st, int code, const char *reason);

#endif
