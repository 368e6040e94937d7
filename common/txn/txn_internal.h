/* Internal to common/txn: shared between txn_*.c and proxy*.c. */
#ifndef IMSCORE_TXN_INTERNAL_H
#define IMSCORE_TXN_INTERNAL_H

#include "txn/txn.h"

#include <event2/event.h>
#include <osip2/osip.h>
#include <sys/time.h>

/* Wrapper kinds, stored first in both wrappers so callbacks can tell them apart. */
enum txn__kind {
    TXN__SERVER = 1,
    TXN__CLIENT = 2,
};

struct txn_server {
    enum txn__kind kind;
    struct txn_layer *layer;
    osip_transaction_t *tr; /* NULL once libosip2 killed it */
    struct txn_addr src;    /* where the request came from */
    struct txn_addr dst;    /* where responses go */
    uint64_t id;
    bool tu_done; /* the TU released it (final response or release) */
    bool final;   /* a final response was passed to txn_respond() */
    int g_cur;    /* current Timer G interval (IST over UDP) */
    struct timeval g_start_seen;
    struct txn_server *next, *prev; /* layer->servers */
};

struct txn_client {
    enum txn__kind kind;
    struct txn_layer *layer;
    osip_transaction_t *tr; /* NULL once libosip2 killed it */
    struct txn_addr dst;
    txn_response_cb cb;
    void *arg;
    bool abandoned;
    bool final_done;          /* the final response was delivered (or must never be) */
    bool in_cb;               /* inside cb: free is deferred */
    int e_cur;                /* current Timer E interval (NICT over UDP) */
    void (*drop)(void *arg);  /* called instead of cb when the layer is freed first */
    osip_message_t *req_copy; /* for synthesising 408/503 */
};

struct txn_layer {
    struct loop *loop;
    osip_t *osip;
    txn_send_fn send;
    void *send_arg;
    struct txn_handlers h;
    void *arg;
    int t1, t2, t4;
    bool auto_trying;
    struct event *timer; /* osip timers */
    struct event *kick;  /* deferred pump */
    int pumping;         /* depth guard: osip execute is not re-entrant */
    osip_list_t garbage; /* killed transactions, freed after the pump */
    struct txn_server *servers;
    uint64_t next_id;
    struct txn_stats stats;
};

/* Runs every queued osip event (unless already inside), then frees garbage and re-arms the timer.
 */
void txn__pump(struct txn_layer *layer);

/*
 * Takes tr out of libosip2's lists and queues it for freeing after the pump
 * (reserved2 marks it). Returns false when it was already queued.
 */
bool txn__trash(struct txn_layer *layer, osip_transaction_t *tr);

/* Schedules txn__pump() from the loop. */
void txn__kick(struct txn_layer *layer);

/* Builds an osip event of the right type for an incoming (incoming=true) or outgoing message. */
osip_event_t *txn__event_new(osip_message_t *msg, bool incoming);

/* Sets libosip2's per-transaction timer lengths from the layer's T1/T2/T4. */
void txn__apply_timers(struct txn_layer *layer, osip_transaction_t *tr);

/* osip callbacks implemented in txn_server.c / txn_client.c. */
void txn__server_msg_cb(int type, osip_transaction_t *tr, osip_message_t *msg);
void txn__server_killed(struct txn_server *st);
void txn__client_msg_cb(int type, osip_transaction_t *tr, osip_message_t *msg);
void txn__client_failed(struct txn_client *ct, int code);
void txn__client_killed(struct txn_client *ct);
void txn__server_free(struct txn_server *st);
void txn__client_free(struct txn_client *ct);

/* Serialises msg (forcing a rebuild of osip's cached text) and sends it. */
int txn__send_msg(struct txn_layer *layer, osip_message_t *msg, const struct txn_addr *dst);

/* true for "TCP", "TLS", "SCTP" transports in a Via. */
bool txn__via_is_reliable(const osip_via_t *via);

/* Current time on libosip2's clock plus ms. */
void txn__deadline(struct timeval *tv, int ms);

#endif
