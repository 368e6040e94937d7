/*
 * pcscf_context.h: the P-CSCF's configuration and run-time state, reached
 * through pcscf_self() (one per process, used on the loop thread only), and
 * the registry of UEs it serves.
 */
#ifndef PCSCF_CONTEXT_H
#define PCSCF_CONTEXT_H

#include "ipsec_pool.h"

#include "cfg/cfg.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"
#include "txn/txn.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct loop;

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
    struct pcscf_host_map hosts[PCSCF_MAX_HOSTS];
    size_t n_hosts;
    uint32_t reg_sub_expires;
    struct pcscf_ue *ues;
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

/* Purges ue: releases its pool slot (and SAs), forgets it. why is logged. */
void pcscf_ue_purge(struct pcscf_ue *ue, const char *why);

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

/* request.c: answers st with code (and the log line says why). */
void pcscf_reply(struct txn_server *st, int code, const char *reason);

#endif
