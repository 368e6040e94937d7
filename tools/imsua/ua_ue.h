/*
 * imsua: the UE machinery shared by the "register" and "load" commands: the
 * network layer (one transport, client transactions, request dispatch), the
 * REGISTER procedure of one UE and its reg-event subscription. Everything runs
 * on the one loop thread.
 */
#ifndef IMSUA_UA_UE_H
#define IMSUA_UA_UE_H

#include "transport/transport.h"
#include "ua.h"

#include <event2/event.h>

struct loop;
struct ua_net;

#define UA_MAX_ROUTES 8

/* ---- network layer (ua_net.c) ---- */

/*
 * Told the final outcome of a client transaction: resp is the final response
 * (valid during the call only), or NULL when no final response came before the
 * timeout or the TCP connection closed.
 */
typedef void (*ua_final_cb)(void *arg, const osip_message_t *resp);

/*
 * Told about an incoming request (NOTIFY, ...). Returns true when it took the
 * request (and answered it); false lets the network layer answer 481
 * (with a To tag) or 405.
 */
typedef bool (*ua_request_cb)(void *arg, const osip_message_t *req, const struct tp_msg_info *info);

/* One client transaction slot (RFC 3261 §17.1.2, non-INVITE), embedded in its owner. */
struct ua_ctr {
    struct ua_net *net;
    struct ua_ctr *next; /* in the network's list of active transactions */
    bool active;
    char branch[48];
    char *msg;
    size_t len;
    struct event *timer;
    int rtx_ms;
    uint64_t conn_id;    /* TCP connection the request went on, 0 for UDP */
    struct tp_flow flow; /* where it goes */
    long long deadline_ms;
    ua_final_cb cb;
    void *arg;
};

/*
 * Opens the transport of o (bind address and port, UDP or TCP, the proxy as
 * the only next hop) on loop and works out the address to advertise (o->advertise,
 * else the bind address, else for a wildcard bind the local address the kernel
 * routes towards the proxy). Errors are printed on stderr. On success *out is
 * owned by the caller (ua_net_free) and 0 is returned; else a negative errno.
 */
int ua_net_new(struct loop *loop, const struct ua_opts *o, struct ua_net **out);

/* Frees net; every ua_ctr using it must have been finished first. NULL is safe. */
void ua_net_free(struct ua_net *net);

/* Sets the handler of incoming requests (one per network). */
void ua_net_on_request(struct ua_net *net, ua_request_cb cb, void *arg);

/* Host for Via and Contact (IPv6 in brackets), local port, "UDP"/"TCP", "udp"/"tcp". */
const char *ua_net_host(const struct ua_net *net);
int ua_net_port(const struct ua_net *net);
const char *ua_net_via_proto(const struct ua_net *net);
const char *ua_net_param_proto(const struct ua_net *net);
const struct ua_opts *ua_net_opts(const struct ua_net *net);

/*
 * Answers req (received with info) with code and no body, extra headers
 * (e.g. "Allow-Events: reg") may be NULL. Returns 0 or a negative errno.
 */
int ua_net_respond(struct ua_net *net, const osip_message_t *req, const struct tp_msg_info *info,
                   int code, const char *extra_hdr);

/*
 * Prepares slot t on net; cb(arg, resp) reports each transaction's outcome.
 * Returns 0 or -ENOMEM. ua_ctr_fini() releases it (safe on a zeroed slot).
 */
int ua_ctr_init(struct ua_ctr *t, struct ua_net *net, ua_final_cb cb, void *arg);
void ua_ctr_fini(struct ua_ctr *t);

/* Draws a fresh Via branch into t->branch for the next request. Returns 0 or <0. */
int ua_ctr_new_branch(struct ua_ctr *t);

/*
 * Sends request *msg (len bytes, its top Via carrying t->branch) to the proxy,
 * retransmitting over UDP until a final response or the timeout. Ownership of
 * *msg passes (set to NULL) whatever the result. A transaction still active in
 * t is abandoned first. Returns 0 (cb will be called) or a negative errno (cb
 * will not be called).
 */
int ua_ctr_send(struct ua_ctr *t, char **msg, size_t len);

/* Like ua_ctr_send(), to flow (a peer learnt from a request) rather than to the proxy. */
int ua_ctr_send_to(struct ua_ctr *t, const struct tp_flow *flow, char **msg, size_t len);

/* Abandons the active transaction of t, if any; cb is not called. */
void ua_ctr_cancel(struct ua_ctr *t);

/* ---- one UE's registration (ua_register.c) ---- */

enum ua_reg_state {
    UA_REG_IDLE = 0,
    UA_REG_REGISTERING,
    UA_REG_REGISTERED,
    UA_REG_DEREGISTERING,
    UA_REG_DEREGISTERED,
    UA_REG_FAILED,
};

struct ua_ue;

/*
 * End of one REGISTER procedure: code is UA_EXIT_OK, UA_EXIT_REJECT or
 * UA_EXIT_TIMEOUT; cause (on failure) is the human-readable cause, ue->cause_key
 * a short token for counting.
 */
typedef void (*ua_reg_cb)(struct ua_ue *ue, int code, const char *cause);

struct ua_ue {
    struct ua_net *net;
    const struct ua_cred *cred;
    bool security_client;
    bool verbose; /* print progress lines (register command) */
    char contact_user[32];
    char contact[SIP_URI_MAX];
    char domain[128];
    char ruri[300];
    char call_id[64];
    char from_tag[32];
    unsigned cseq;
    struct aka_sqn_ms ms;
    int resyncs;
    bool answered;
    char sec_server[512];
    struct ua_ctr tx;
    uint32_t req_expires;
    bool retried_423;
    enum ua_reg_state state;
    uint32_t granted;                        /* expiry granted by the last 2xx */
    char routes[UA_MAX_ROUTES][SIP_URI_MAX]; /* Service-Route of the last 2xx */
    size_t n_routes;
    char cause[256];
    const char *cause_key;
    ua_reg_cb cb;
    void *arg;
    long long t_start_ms; /* when the current procedure started */
    size_t index;         /* the owner's index (load mode) */
};

/*
 * Prepares ue for cred (which must outlive it) on net: contact_user names the
 * Contact ("ue"), sqn_ms > 0 simulates a USIM that has seen that SQN. cb is
 * told the end of every procedure. Returns 0 or a negative errno.
 */
int ua_ue_init(struct ua_ue *ue, struct ua_net *net, const struct ua_cred *cred,
               const char *contact_user, bool security_client, uint64_t sqn_ms, ua_reg_cb cb,
               void *arg);

/* Releases ue (cancels its transaction). */
void ua_ue_fini(struct ua_ue *ue);

/* Starts a new registration dialog: fresh Call-ID, From tag, CSeq (load mode). */
void ua_ue_new_call(struct ua_ue *ue);

/*
 * Starts a REGISTER procedure with Expires expires (0: de-registration),
 * answering challenges as they come, in the UE's current Call-ID. Returns 0
 * (ue->cb will be called) or a negative errno (it will not).
 */
int ua_ue_register(struct ua_ue *ue, uint32_t expires);

/* ---- reg-event subscription (ua_subscribe.c) ---- */

enum ua_sub_state {
    UA_SUB_NONE = 0,
    UA_SUB_PENDING, /* SUBSCRIBE sent, nothing back yet */
    UA_SUB_ACTIVE,
    UA_SUB_TERMINATED,
};

struct ua_sub;

/* What happened to a subscription. */
enum ua_sub_event {
    UA_SUB_EV_ACCEPTED,   /* 2xx to a SUBSCRIBE */
    UA_SUB_EV_FAILED,     /* SUBSCRIBE rejected or unanswered; cause says which */
    UA_SUB_EV_NOTIFY,     /* a NOTIFY was printed */
    UA_SUB_EV_TERMINATED, /* Subscription-State: terminated */
};

typedef void (*ua_sub_cb)(struct ua_sub *s, enum ua_sub_event ev, const char *cause);

struct ua_sub {
    struct ua_ue *ue;
    char call_id[64];
    char from_tag[32];
    char to_tag[128];
    unsigned cseq;
    char target[SIP_URI_MAX];
    char routes[UA_MAX_ROUTES][SIP_URI_MAX];
    size_t n_routes;
    bool dialog;         /* To tag and route set known */
    bool have_peer;      /* peer: where the first NOTIFY came from */
    struct tp_flow peer; /* in-dialog requests go there when the route set is empty */
    struct ua_ctr tx;
    enum ua_sub_state state;
    uint32_t expires; /* granted */
    unsigned notifies;
    uint32_t remote_cseq; /* CSeq of the last NOTIFY processed */
    char reason[64];      /* reason of the terminated Subscription-State */
    ua_sub_cb cb;
    void *arg;
};

/* Prepares s for the registered ue. Returns 0 or a negative errno. */
int ua_sub_init(struct ua_sub *s, struct ua_ue *ue, ua_sub_cb cb, void *arg);

/* Releases s. */
void ua_sub_fini(struct ua_sub *s);

/*
 * Sends SUBSCRIBE Event: reg with Expires expires: dialog-creating along the
 * UE's Service-Route the first time, in the dialog afterwards (a refresh, or
 * with 0 an unsubscription). Returns 0 or a negative errno.
 */
int ua_sub_send(struct ua_sub *s, uint32_t expires);

/*
 * Offers an incoming request to s. Returns true when it belongs to the
 * subscription's dialog (then it was answered and, for a NOTIFY, printed).
 */
bool ua_sub_on_request(struct ua_sub *s, const osip_message_t *req, const struct tp_msg_info *info);

/* "number@host" of m's Call-ID into buf. */
void ua_call_id_of(const osip_message_t *m, char *buf, size_t len);

#endif
