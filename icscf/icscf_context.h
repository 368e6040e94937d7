/*
 * icscf_context.h: the I-CSCF's configuration and run-time state, reached
 * through icscf_self() (one per process, used on the loop thread only).
 */
#ifndef IMSCORE_ICSCF_CONTEXT_H
#define IMSCORE_ICSCF_CONTEXT_H

#include "icscf.h"

#include "cfg/cfg.h"
#include "sip/sip.h"
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

/* What a UAR says about a REGISTER (register.c). */
struct icscf_reg_ids {
    char impu[SIP_URI_MAX]; /* To, as an address of record */
    char impi[256];         /* Authorization username, else derived from impu */
    char visited[256];      /* P-Visited-Network-ID, else our home network */
    bool deregistration;    /* every Contact expires 0, or Contact: * */
};

/*
 * register.c: reads the UAR identities of the REGISTER req into *ids. On an
 * unusable request fills *rep with the answer to give (400 / 403) and returns
 * -EINVAL; otherwise returns 0. Nothing is allocated.
 */
int icscf_register_ids(const osip_message_t *req, struct icscf_reg_ids *ids,
                       struct icscf_reply *rep);

/*
 * cx_uar.c: sends the UAR of type auth_type (enum cx_uat) for the REGISTER on
 * st. The UAA of REGISTRATION / DE_REGISTRATION continues in
 * icscf_register_on_uaa(), that of REGISTRATION_AND_CAPABILITIES in
 * icscf_reselect_on_uaa(), both with txn_server_id(st). Returns 0 or a
 * negative errno (then no callback comes).
 */
int icscf_cx_uar_send(struct txn_server *st, const struct icscf_reg_ids *ids, int auth_type);

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
 * the chosen S-CSCF's URI as top Route (initial requests). reselect: when every
 * attempt failed, hand the REGISTER to icscf_reselect_start() with the S-CSCF
 * tried first instead of answering (TS 24.229 §5.3.1.3). Answers st itself on
 * every other outcome. Returns nothing: errors are answered. */
void icscf_forward(struct txn_server *st, const size_t *order, size_t n, bool route, bool reselect);

/* forward.c: frees every forwarding still pending (shutdown). */
void icscf_forward_free_all(void);

/*
 * cx_route.c: continues the request of server transaction st_id after its UAA
 * (lir false) or LIA (lir true): answers it, or forwards it to the S-CSCF the
 * HSS named or to the capable ones in turn (initial requests get a Route).
 * result, server_name and caps may be NULL (no answer: status != 0).
 * exclude (NULL: none) names an S-CSCF that already failed this REGISTER: it
 * is never chosen, and the answer then is that of a re-selection (no further
 * one is started; nobody else capable gives 504). Without exclude, a REGISTER
 * sent to the Server-Name of a UAA may be re-selected when that S-CSCF fails.
 */
void icscf_cx_route_answer(uint64_t st_id, bool lir, int status, const struct cx_result *result,
                           const char *server_name, const struct cx_caps *caps,
                           const char *exclude);

/*
 * reselect.c: the S-CSCF named by the HSS for the REGISTER on st (failed, its
 * Server-Name) did not answer in time, failed at the transport or answered
 * 5xx: sends a UAR REGISTRATION_AND_CAPABILITIES to get the Server-Capabilities
 * and remembers failed, to choose another one on the UAA (TS 24.229 §5.3.1.3,
 * TS 29.228 §6.1.1). failed is copied. Returns 0 (the UAA answers st), -EPERM
 * when st is not a REGISTER that may be re-selected (not a REGISTER, a
 * de-registration, already being re-selected), or another negative errno
 * (UAR not sent). On an error st is not answered: the caller answers it.
 */
int icscf_reselect_start(struct txn_server *st, const char *failed);

/* reselect.c: continues a re-selection with the UAA of server transaction st_id. */
void icscf_reselect_on_uaa(uint64_t st_id, int status, const struct cx_uaa *ans);

/* reselect.c: forgets every re-selection still waiting for its UAA (shutdown). */
void icscf_reselect_free_all(void);

/* Answers st with code/reason, adding Retry-After when retry_after. */
void icscf_reply(struct txn_server *st, int code, const char *reason, bool retry_after);

#endif
