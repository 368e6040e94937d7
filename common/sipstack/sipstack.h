/*
 * sipstack: the SIP stack of a CSCF daemon, assembled from the transport, the
 * SIP parser and the transaction layer, on the daemon's loop.
 *
 * It owns the UDP and TCP listeners and the transaction layer, and does the
 * checks every element must do on input before any transaction exists:
 *  - bytes that libosip2 cannot parse are dropped and logged (there is no
 *    reliable Via to answer to);
 *  - a request that parses but is malformed (missing Call-ID, CSeq method
 *    mismatch, ...) gets a stateless 400 whose reason phrase names the fault;
 *  - a malformed response is dropped and logged.
 * Everything else goes to txn_receive(), and from there to the daemon's
 * txn_handlers.
 */
#ifndef IMSCORE_SIPSTACK_H
#define IMSCORE_SIPSTACK_H

#include "metrics/metrics.h"
#include "transport/transport.h"
#include "txn/txn.h"

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct sipstack;

struct sipstack_config {
    const char *listen_host;    /* numeric address to bind, e.g. "127.0.0.1" */
    int port;                   /* UDP and TCP port */
    bool udp, tcp;              /* which listeners to open */
    const char *advertise;      /* host written into Via / Record-Route; NULL: listen_host */
    const char *const *aliases; /* other names meaning us (domain, FQDN), may be NULL */
    size_t n_aliases;
    struct tp_config tp;     /* transport limits; zero fields take the defaults */
    int t1_ms, t2_ms, t4_ms; /* 0: RFC 3261 defaults */
    /*
     * Optional (NULL: no metrics). Borrowed: the families must outlive the
     * stack (free the registry after sipstack_free()). The stack then counts
     * imscore_sip_requests_total (requests that start a server transaction,
     * ACKs for 2xx and malformed requests; retransmissions not counted),
     * imscore_sip_responses_total (responses sent on server transactions,
     * each provisional code and the final response once, and the stateless
     * 400s), imscore_register_duration_seconds (REGISTER arrival to final
     * response sent) and reports imscore_transactions_active.
     */
    const struct metrics_ims *metrics;
};

/* Counters of the input checks, for logs and metrics. */
struct sipstack_stats {
    unsigned long long unparseable;   /* dropped: libosip2 could not parse */
    unsigned long long bad_requests;  /* answered 400 */
    unsigned long long bad_responses; /* dropped */
    unsigned long long requests_in, responses_in;
};

/*
 * Creates the stack: binds the listeners, creates the transaction layer with h
 * and arg, and wires sending through the transport. conn_closed (may be NULL)
 * is told when a TCP connection closes (the P-CSCF drops the UE's flow).
 * Returns 0 and stores the stack in *out, or a negative errno (-EADDRINUSE when
 * the port is taken); *out is untouched on error and the error is logged.
 */
int sipstack_new(struct loop *loop, const struct sipstack_config *cfg, const struct txn_handlers *h,
                 void (*conn_closed)(void *arg, uint64_t conn_id), void *arg,
                 struct sipstack **out);

/*
 * Opens one more listener on port of the stack's listen_host, UDP and/or TCP
 * (the P-CSCF's protected ports, TS 33.203 §7.1). Messages arriving on it go
 * to the same handlers; their struct txn_addr source carries local_port =
 * port, and the responses of the requests leave from it (UDP) or go back on
 * their connection (TCP). Over UDP they always go to the request's source
 * address and port (the top Via gets rport, RFC 3581, when it has none): the
 * port pairs are fixed (TS 33.203 §7.1). A destination with local_port = port is sent from
 * it: UDP from this socket, TCP over a connection from this port (the TCP
 * listener allows outbound connections bound to its port, SO_REUSEPORT). Not
 * advertised anywhere (Via, Record-Route keep the main port). A listener
 * opened before a failure stays open until sipstack_free(). Returns 0,
 * -EINVAL (bad port, neither protocol) or the socket's negative errno
 * (-EADDRINUSE), logged.
 */
int sipstack_listen_extra(struct sipstack *st, int port, bool udp, bool tcp);

/* Closes the listeners and frees every transaction. Safe on NULL. */
void sipstack_free(struct sipstack *st);

/* The transaction layer, for txn_request(), proxy_forward() and friends. */
struct txn_layer *sipstack_txn(struct sipstack *st);

/* The transport, for flow checks (tp_conn_is_open()) and statistics. */
struct tp *sipstack_transport(struct sipstack *st);

/* Who we are, for the proxy_* helpers. Valid as long as the stack. */
const struct proxy_self *sipstack_self(const struct sipstack *st);

/* The host and port we advertise in Via, Record-Route, Path and Service-Route. */
const char *sipstack_host(const struct sipstack *st);
int sipstack_port(const struct sipstack *st);

/* Copies the input-check counters. */
void sipstack_stats(const struct sipstack *st, struct sipstack_stats *out);

/*
 * Converts a transport flow to a transaction-layer address and back. The
 * flow's local port becomes local_port; a local_port of 1..65535 becomes a
 * wildcard local address with that port (send from that port).
 */
void sipstack_addr_from_flow(const struct tp_flow *flow, struct txn_addr *out);
int sipstack_flow_from_addr(const struct txn_addr *addr, struct tp_flow *out);

#endif
