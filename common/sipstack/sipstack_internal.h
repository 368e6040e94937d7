/*
 * Internal to common/sipstack: the SIP metrics meter (sipstack_metrics.c).
 *
 * The meter counts a request when it starts a server transaction (so
 * retransmissions are not counted twice) and a response when the TU hands it
 * to its transaction (the txn layer's on_respond hook: the layer's own
 * retransmissions are not reported). The time from a REGISTER's arrival to
 * the hand-over of its final response is its latency.
 */
#ifndef IMSCORE_SIPSTACK_INTERNAL_H
#define IMSCORE_SIPSTACK_INTERNAL_H

#include "metrics/metrics.h"
#include "txn/txn.h"

#include <stddef.h>

struct sipstack_meter;

/* The most REGISTER transactions awaiting a final response that the meter times. */
#define SIPSTACK__METER_MAX 8192

/*
 * Creates a meter updating ims (borrowed; must outlive the meter). Returns 0
 * and stores it in *out, or -ENOMEM.
 */
int sipstack__meter_new(const struct metrics_ims *ims, struct sipstack_meter **out);

/*
 * Points the transactions gauge at layer (NULL: unhooks it); the layer also
 * tells which timed REGISTERs ended unanswered.
 */
void sipstack__meter_set_layer(struct sipstack_meter *m, struct txn_layer *layer);

/* Frees the meter and unhooks the transactions gauge. Safe on NULL. */
void sipstack__meter_free(struct sipstack_meter *m);

/* A request started server transaction id: counts it, and times it when it is a REGISTER. */
void sipstack__meter_request(struct sipstack_meter *m, uint64_t id, const osip_message_t *req);

/* Counts a request that started no transaction (ACK for a 2xx, malformed request). */
void sipstack__meter_request_stateless(struct sipstack_meter *m, const char *method);

/* Counts one response sent outside any transaction (the stateless 400). */
void sipstack__meter_response_stateless(struct sipstack_meter *m, const char *method, int code);

/*
 * The TU hands resp to st: counts it by the request's method and its code, and
 * ends the timing of a REGISTER at its final response.
 */
void sipstack__meter_respond(struct sipstack_meter *m, struct txn_server *st,
                             const osip_message_t *resp);

#endif
