/*
 * txn: the SIP transaction layer (RFC 3261 §17) on libosip2's own ICT/IST/NICT/NIST
 * state machines, driven by the daemon's libevent loop, plus the stateful-proxy
 * core (RFC 3261 §16) built on it (functions prefixed proxy_).
 *
 * The layer knows nothing about sockets. The daemon feeds it parsed messages with
 * txn_receive() and gives it a send function that writes bytes to a destination
 * (struct txn_addr). Everything runs on the loop thread; every callback below is
 * called on that thread from inside txn_receive(), a timer, or a deferred event,
 * never from inside the call that registered it.
 *
 * Timers: libosip2 5.3 compiles T1/T2/T4 in (DEFAULT_T1 500 ms, DEFAULT_T2 4 s,
 * DEFAULT_T4 5 s) and has no setter. The timer lengths live in the public
 * per-transaction contexts (osip_nict_t, ...), so this layer overwrites them when a
 * transaction is created and after each retransmission, which makes T1, T2 and T4
 * configurable per layer (txn_layer_set_timers()). Timer D stays at libosip2's
 * max(32 s, 64*T1) for UDP. Proxy Timer C (RFC 3261 §16.8) is not implemented.
 *
 * Reliability: libosip2 decides from the top Via's transport. txn_request()
 * rewrites the transport of the top Via to match the destination, so requests sent
 * over TCP are never retransmitted and server transactions reached over TCP end
 * without Timers G/I/J.
 */
#ifndef IMSCORE_TXN_H
#define IMSCORE_TXN_H

#include <osipparser2/osip_message.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct txn_layer;
struct txn_server;
struct txn_client;

enum txn_proto {
    TXN_PROTO_UDP = 0,
    TXN_PROTO_TCP = 1,
};

/*
 * A transport destination or source. host is a numeric IPv4/IPv6 address (or a
 * name for outgoing requests before resolution), port a UDP/TCP port. conn_id
 * names a TCP connection (0: any / open a new one); it is ignored for UDP.
 */
struct txn_addr {
    int proto; /* enum txn_proto */
    char host[64];
    int port;
    uint64_t conn_id;
    /*
     * Our own port: for a received message the port it arrived on (0 when
     * unknown); for a destination the port to send from (0: the transport's
     * default). Responses keep the port their request arrived on. The P-CSCF
     * uses it for the protected ports of TS 33.203 (see common/sipstack).
     */
    int local_port;
};

/*
 * Writes len bytes of one serialised SIP message to dst. Returns 0 when the
 * message was handed to the transport, or a negative errno (the transaction then
 * fails with a transport error).
 */
typedef int (*txn_send_fn)(void *arg, const struct txn_addr *dst, const char *buf, size_t len);

struct txn_handlers {
    /*
     * A new server transaction (IST for INVITE, NIST otherwise). req stays owned by
     * the transaction and is valid as long as st is. The handler answers with
     * txn_respond() now or later (see txn_server_id() for asynchronous answers).
     */
    void (*on_request)(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src);
    /*
     * A message no transaction takes: an ACK for a 2xx or a response that matches
     * no client transaction (e.g. 2xx retransmissions). The handler may take *msg
     * (setting *msg = NULL); otherwise the layer frees it. May be NULL.
     */
    void (*on_stray)(void *arg, osip_message_t **msg, const struct txn_addr *src);
    /*
     * The TU hands resp to server transaction st with txn_respond(): called once per
     * response, before it is sent (the layer's own retransmissions are not reported),
     * with the request still readable through txn_server_request(st). For metrics and
     * logs; it must not answer or release st. May be NULL.
     */
    void (*on_respond)(void *arg, struct txn_server *st, const osip_message_t *resp);
};

/* Active transaction counts and event counters, for metrics. */
struct txn_stats {
    unsigned ict, ist, nict, nist;  /* transactions currently alive per kind */
    unsigned long long timeouts;    /* client transactions ended by Timer B/F */
    unsigned long long retransmits; /* requests and responses sent again */
    unsigned long long transport_errors;
};

/*
 * Creates a transaction layer on loop. send(send_arg, ...) writes messages; h and
 * arg receive incoming requests. h is copied. The timers start at T1 500 ms,
 * T2 4 s, T4 5 s, and an INVITE server transaction answers 100 Trying at once.
 * Returns 0 and stores the layer in *out, or -EINVAL / -ENOMEM (*out untouched).
 */
int txn_layer_new(struct loop *loop, txn_send_fn send, void *send_arg, const struct txn_handlers *h,
                  void *arg, struct txn_layer **out);

/*
 * Frees the layer and every transaction in it, without calling any response or
 * request callback (pending proxy_forward() contexts are freed too). Server and
 * client handles become invalid. Safe on NULL.
 */
void txn_layer_free(struct txn_layer *layer);

/*
 * Sets T1, T2 and T4 in milliseconds for transactions created from now on.
 * Requires 0 < t1 <= t2 and t4 > 0. Returns 0 or -EINVAL.
 */
int txn_layer_set_timers(struct txn_layer *layer, int t1_ms, int t2_ms, int t4_ms);

/* Turns the automatic 100 Trying of INVITE server transactions on or off. */
void txn_layer_set_auto_trying(struct txn_layer *layer, bool on);

/* Fills *out with the current counts. */
void txn_layer_stats(const struct txn_layer *layer, struct txn_stats *out);

/*
 * Feeds one parsed message received from src. Ownership of *msg passes to the
 * layer (*msg is set to NULL) in every case. A request gets received/rport
 * (RFC 3261 §18.2.1, RFC 3581) added to its top Via, is matched to a server
 * transaction (retransmissions are absorbed or answered with the last response),
 * or starts a new one (h->on_request). A response is matched to its client
 * transaction by branch and CSeq method (§17.1.3). Other messages go to
 * h->on_stray. Returns 0, or -EINVAL for bad arguments, -EPROTO for a message
 * missing Via, From, To, Call-ID or CSeq (dropped), -ENOMEM.
 */
int txn_receive(struct txn_layer *layer, osip_message_t **msg, const struct txn_addr *src);

/* ---- server transactions ---- */

/*
 * Sends a response through the server transaction. Ownership of *resp passes
 * (*resp = NULL) in every case. A final response ends the TU's use of st: st
 * must not be used after this call (the transaction itself lives on to absorb
 * and answer retransmissions). Returns 0, -EINVAL (NULL or not a response),
 * -EALREADY (a final response was already sent), or -ENOTCONN when the
 * transaction died (transport error); in the latter two cases a final response
 * still releases st.
 */
int txn_respond(struct txn_server *st, osip_message_t **resp);

/*
 * Builds a response to the transaction's request (txn_response_new()) and sends
 * it with txn_respond(). Same return values and lifetime rules.
 */
int txn_respond_code(struct txn_server *st, int code, const char *reason);

/*
 * Releases st without answering (e.g. the request was answered statelessly or
 * the TU is shutting down). The transaction is left to libosip2.
 */
void txn_server_release(struct txn_server *st);

/* The request that created st (owned by the transaction). */
const osip_message_t *txn_server_request(const struct txn_server *st);

/* Where the request came from. */
const struct txn_addr *txn_server_source(const struct txn_server *st);

/*
 * A non-zero id for st, unique in the layer, to carry across asynchronous hops
 * (Diameter) instead of the pointer. txn_server_lookup() finds st again, or
 * returns NULL when it is gone.
 */
uint64_t txn_server_id(const struct txn_server *st);
struct txn_server *txn_server_lookup(struct txn_layer *layer, uint64_t id);

/*
 * Finds the INVITE server transaction a CANCEL refers to (same branch, RFC 3261
 * §9.2), or NULL. The returned handle must not be released by the caller.
 */
struct txn_server *txn_server_find_invite(struct txn_layer *layer, const osip_message_t *cancel);

/* ---- client transactions ---- */

/*
 * Response callback of a client transaction. *resp is a response owned by the
 * layer; the callback may take it (*resp = NULL). Provisional responses (1xx)
 * may come several times, then exactly one final response (>= 200). local is
 * true when the layer made the final response itself: 408 on Timer B/F
 * (RFC 3261 §8.1.3.1) or 503 on a transport error. After the final response
 * returns, ct is freed and the callback is never called again.
 */
typedef void (*txn_response_cb)(void *arg, struct txn_client *ct, osip_message_t **resp,
                                bool local);

/*
 * Starts a client transaction (ICT for INVITE, NICT otherwise) sending *req to
 * dst. The request must have a top Via with an RFC 3261 branch (z9hG4bK...);
 * its transport is set to match dst->proto. Ownership of *req passes only on
 * success (*req = NULL). The request is sent from the loop right after this call
 * returns; cb(arg, ...) gets the responses. ACK cannot be sent this way (a 2xx
 * ACK has no transaction: send it with txn_send_stateless()). Stores the handle
 * in *out if out is not NULL. Returns 0, -EINVAL (bad request), -ENOMEM; on error
 * cb is never called.
 */
int txn_request(struct txn_layer *layer, osip_message_t **req, const struct txn_addr *dst,
                txn_response_cb cb, void *arg, struct txn_client **out);

/*
 * Says the owner of ct is gone: its callback is never called again. The
 * transaction keeps running to completion (retransmissions, absorbing
 * responses). ct must not be used afterwards. Safe on NULL.
 */
void txn_client_abandon(struct txn_client *ct);

/* The request as sent (owned by the transaction), or NULL before it is sent. */
const osip_message_t *txn_client_request(const struct txn_client *ct);

/* ---- helpers ---- */

/*
 * Serialises msg and sends it to dst outside any transaction (stateless
 * forwarding of responses and of ACK for 2xx). msg stays the caller's.
 * Returns 0 or a negative errno.
 */
int txn_send_stateless(struct txn_layer *layer, osip_message_t *msg, const struct txn_addr *dst);

/*
 * Builds in *out a response with code and reason (NULL: the standard phrase) to
 * req: Via list, From, To, Call-ID and CSeq copied (RFC 3261 §8.2.6.2), and a To
 * tag added for codes above 100 when the request has none. The caller owns *out.
 * Returns 0, -EINVAL (code outside 100..699 or req not a request), -EPROTO
 * (req lacks a mandatory header), -ENOMEM.
 */
int txn_response_new(const osip_message_t *req, int code, const char *reason, osip_message_t **out);

/* The standard reason phrase for code, or "Unknown". */
const char *txn_reason_phrase(int code);

/*
 * Where a response to req, received from src, goes (RFC 3261 §18.2.2 with
 * RFC 3581): over TCP back on the same connection; over UDP to the source
 * address and the rport value, else the Via sent-by port (default 5060),
 * from the port the request arrived on (src->local_port).
 */
void txn_response_destination(const osip_message_t *req, const struct txn_addr *src,
                              struct txn_addr *out);

/* ==== stateful proxy core (proxy.c, proxy_forward.c) ==== */

/*
 * Who "we" are: the names and addresses that designate this proxy in URIs
 * (Route, Record-Route, Via), the port it listens on for UDP and TCP, and the
 * host it writes into its own Via and Record-Route values.
 */
struct proxy_self {
    const char *const *names; /* n_names host names / addresses; compared case-insensitively */
    size_t n_names;
    int port;
    const char *host; /* sent-by / Record-Route host; must also be in names */
};

/* Length of a buffer that holds any branch made by the functions below. */
#define PROXY_BRANCH_LEN 64

/*
 * Writes a new random RFC 3261 branch ("z9hG4bK" + 24 hex digits) into buf
 * (at least PROXY_BRANCH_LEN bytes). Returns 0, or -EINVAL if len is too small.
 */
int proxy_branch_new(char *buf, size_t len);

/*
 * Writes the deterministic branch for forwarding req (as received) into buf:
 * "z9hG4bK" + a hash of the fields that decide routing (Request-URI, Route,
 * From tag, To tag, Call-ID, CSeq number, Proxy-Require, Proxy-Authorization)
 * + "." + a hash of the incoming branch (RFC 3261 §16.6 item 8). The same
 * request always gets the same branch; proxy_is_looped() uses the first part.
 * Returns 0, -EINVAL, or -EPROTO (req lacks Call-ID, CSeq or Via).
 */
int proxy_branch_derive(const osip_message_t *req, char *buf, size_t len);

/*
 * RFC 3261 §16.3 item 4: true when req carries a Via whose sent-by is ours and
 * whose branch holds the routing hash req has now, i.e. the request came back
 * unchanged (a loop, answer 482). A request that came back changed (a spiral,
 * common in IMS: S-CSCF -> AS -> S-CSCF) is not a loop.
 */
bool proxy_is_looped(const osip_message_t *req, const struct proxy_self *self);

/*
 * Puts a new top Via "SIP/2.0/<UDP|TCP> host:port;branch=<branch>;rport" onto
 * msg. Returns 0, -EINVAL, or -ENOMEM.
 */
int proxy_push_via(osip_message_t *msg, int proto, const char *host, int port, const char *branch);

/*
 * Removes the top Via of resp after checking its sent-by is ours (host in
 * self->names, port == self->port, default 5060). Returns 0, -ENOENT (no Via),
 * or -EPROTO (the top Via is not ours; resp is unchanged).
 */
int proxy_pop_via(osip_message_t *resp, const struct proxy_self *self);

/*
 * RFC 3261 §16.3 item 3 and §16.6 item 3: decrements Max-Forwards, or adds
 * "Max-Forwards: 70" when absent. Returns 0, -ELOOP when the value is 0 (answer
 * 483 Too Many Hops; req unchanged), -EPROTO for a malformed value (answer 400).
 */
int proxy_max_forwards(osip_message_t *req);

/*
 * Adds our Record-Route "<sip:host:port;transport=tcp;lr>" (transport only for
 * TCP) on top of req's Record-Route list. Returns 0, -EINVAL, -ENOMEM.
 */
int proxy_add_record_route(osip_message_t *req, int proto, const char *host, int port);

/*
 * True when uri designates this proxy: sip/sips scheme, host in self->names
 * (case-insensitive) and port (default 5060, 5061 for sips) == self->port.
 */
bool proxy_uri_is_mine(const osip_uri_t *uri, const struct proxy_self *self);

/*
 * RFC 3261 §16.4 route information preprocessing. If the Request-URI is ours
 * (we were Record-Routed by a strict router) and Route headers exist, the last
 * Route value replaces the Request-URI and is removed. Then every top Route
 * that is ours is removed (one, or two with double Record-Route). Returns 0,
 * -EINVAL, -ENOMEM.
 */
int proxy_route_preprocess(osip_message_t *req, const struct proxy_self *self);

/*
 * The next hop of req (RFC 3261 §16.6 items 6-7 and RFC 3263 without NAPTR/SRV):
 * the top Route if any, else the Request-URI (its maddr ignored). Port defaults
 * to 5060 (5061 for sips), transport to UDP (TCP for sips or transport=tcp).
 * A host name is resolved with getaddrinfo(), which BLOCKS the loop: configure
 * numeric addresses in production. out->host gets a numeric address,
 * out->conn_id 0. Returns 0, -EINVAL, -EPROTO (not a sip/sips URI),
 * -EHOSTUNREACH (name does not resolve).
 */
int proxy_next_hop(const osip_message_t *req, struct txn_addr *out);

/* ---- forwarding ---- */

struct proxy_fwd;

/*
 * Called with each response to a forwarded request, our Via already removed, before
 * it is relayed upstream. 100 Trying is never relayed nor shown. The hook may modify
 * *resp, take it (*resp = NULL, then nothing is relayed), or, for a final response,
 * call proxy_fwd_retry() to try another destination (then the response is not
 * relayed and the hook sees the new branch's responses). local is true for the 408
 * (timeout) and 503 (transport error) the layer made itself. Retrying is allowed on
 * any final response.
 */
typedef void (*proxy_response_hook)(void *arg, struct proxy_fwd *fwd, osip_message_t **resp,
                                    bool local);

struct proxy_fwd_opts {
    const struct proxy_self *self; /* required; must outlive the forwarding */
    bool record_route;             /* add our Record-Route before forwarding */
    proxy_response_hook hook;      /* may be NULL: relay everything */
    void *hook_arg;
};

/*
 * Forwards *req (already validated and route-preprocessed by the caller) received
 * on server transaction st to next_hop statefully (RFC 3261 §16.6-16.7): decrements
 * Max-Forwards, optionally adds Record-Route, pushes our Via with a fresh branch
 * (proxy_branch_derive() of the incoming request), and starts a client transaction.
 * Responses are relayed upstream through st after our Via is popped; a timeout or
 * transport error is answered upstream with 408 or 503 unless the hook retries.
 * Ownership of *req and st pass on success (*req = NULL; st must not be used;
 * the forwarding context frees itself after the final response went upstream).
 * On failure nothing is sent and both stay the caller's. Returns 0, -EINVAL,
 * -ELOOP (Max-Forwards is 0: answer 483), -EPROTO, -ENOMEM.
 */
int proxy_forward(struct txn_layer *layer, struct txn_server *st, osip_message_t **req,
                  const struct txn_addr *next_hop, const struct proxy_fwd_opts *opts,
                  struct proxy_fwd **out);

/*
 * Inside the hook, for a final response: sends the request again on a new client
 * transaction with a new branch. If req is not NULL, *req (owned, taken on success)
 * replaces the request (e.g. a new Request-URI or Route; its Via list must be the
 * one of proxy_fwd_request(), the layer pushes our Via); otherwise the previous
 * request is reused. Returns 0 or a negative errno (then the response is relayed).
 */
int proxy_fwd_retry(struct proxy_fwd *fwd, osip_message_t **req, const struct txn_addr *next_hop);

/*
 * The request as it is forwarded, without our Via (owned by fwd). Clone it to build
 * a request for proxy_fwd_retry().
 */
const osip_message_t *proxy_fwd_request(const struct proxy_fwd *fwd);

/* How many client transactions fwd has started (1 + retries). */
int proxy_fwd_attempts(const struct proxy_fwd *fwd);

#endif
