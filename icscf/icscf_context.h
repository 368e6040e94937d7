/*
 * icscf_context.h: the I-CSCF's configuration and run-time state, reached
 * through icscf_self() (one per process, used on the loop thread only).
 */
#ifndef IMSCORE_ICSCF_CONTEXT_H
#define IMSCORE_ICSCF_CONTEXT_H

#include "icscf.h"

#include "cfg/cfg.h"
#include "sipstack/sipstack.h"

#include <limits.h>
#include <stdbool.h>

struct loop;

struct icscf_context {
    struct cfg *cfg; /* owned */
    struct loop *loop;
    struct sipstack *sip;
    char state_dir[PATH_MAX];
    char run_dir[PATH_MAX];
    char fd_conf[PATH_MAX];
    const char *identity;     /* our Diameter identity */
    const char *hss_realm;    /* Destination-Realm of UAR/LIR */
    const char *hss_host;     /* Destination-Host, NULL: routed by realm */
    const char *home_network; /* Visited-Network-Identifier without P-Visited-Network-ID */
    const char *sip_listen;
    int sip_port;
    bool sip_udp, sip_tcp;
    const char *const *aliases;
    size_t n_aliases;
    const char *alias_v[8];
    unsigned hss_timeout_ms;
    int hss_fail_code; /* 480 or 500 */
    unsigned retry_after_s;
    unsigned scscf_timeout_ms; /* no final answer from an S-CSCF within this: try the next */
    struct icscf_scscf scscfs[ICSCF_MAX_SCSCFS];
    size_t n_scscfs;
};

/* The configuration schema of icscf.conf. */
extern const struct cfg_spec icscf_schema[];

/* The process's context (never NULL). */
struct icscf_context *icscf_self(void);

/*
 * Takes ownership of *cfgp (sets it NULL) and fills the context: paths under
 * the state directory (state_dir overrides the config; created when
 * create_dirs), Diameter routing, timers and the S-CSCF list. Returns 0 or a
 * negative errno (logged).
 */
int icscf_context_load(struct cfg **cfgp, const char *state_dir, bool create_dirs);

/* Frees the configuration and zeroes the context. */
void icscf_context_free(void);

/* ---- procedures (one file each), all on the loop thread ---- */

/* register.c: a REGISTER arrived on st: UAR, then forward (see the file). */
void icscf_register(struct txn_server *st, const osip_message_t *req);

/* cx_uar.c: sends the UAR for the REGISTER on st. Returns 0 or a negative errno. */
int icscf_cx_uar_send(struct txn_server *st, const char *impi, const char *impu,
                      const char *visited, bool deregistration);

/* register.c: continues the REGISTER of server transaction id with its UAA outcome. */
void icscf_register_on_uaa(uint64_t st_id, int status, const struct cx_uaa *ans);

/* initial_request.c: any other request arrived on st: LIR, then forward. */
void icscf_initial_request(struct txn_server *st, const osip_message_t *req);

/* cx_lir.c: sends the LIR for impu on behalf of st. Returns 0 or a negative errno. */
int icscf_cx_lir_send(struct txn_server *st, const char *impu);

/* initial_request.c: continues the request of server transaction id with its LIA outcome. */
void icscf_initial_on_lia(uint64_t st_id, int status, const struct cx_lia *ans);

/* forward.c: forwards the request of st (cloned) to list[order[0..n-1]] in turn,
 * failing over on timeout (scscf_timeout_ms), transport error or 5xx. route adds
 * the chosen S-CSCF's URI as top Route (initial requests). Answers st itself on
 * every outcome. Returns nothing: errors are answered. */
void icscf_forward(struct txn_server *st, const size_t *order, size_t n, bool route);

/* forward.c: frees every forwarding still pending (shutdown). */
void icscf_forward_free_all(void);

/*
 * cx_route.c: continues the request of server transaction st_id after its UAA
 * (lir false) or LIA (lir true): answers it, or forwards it to the S-CSCF the
 * HSS named or to the capable ones in turn (initial requests get a Route).
 * result, server_name and caps may be NULL (no answer: status != 0).
 */
void icscf_cx_route_answer(uint64_t st_id, bool lir, int status, const struct cx_result *result,
                           const char *server_name, const struct cx_caps *caps);

/* Answers st with code/reason, adding Retry-After when retry_after. */
void icscf_reply(struct txn_server *st, int code, const char *reason, bool retry_after);

#endif
