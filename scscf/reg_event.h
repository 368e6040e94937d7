/*
 * reg_event: the S-CSCF as notifier of the "reg" event package (RFC 3680,
 * TS 24.229 §5.4.2). SUBSCRIBE (Event: reg) from the UE itself or from the
 * P-CSCF on its Path is answered 200 and followed by a NOTIFY with the full
 * reginfo of the implicit registration set; every later change of the
 * registration (re-registration, de-registration, expiry, RTR) is notified,
 * and a registration that ends terminates the subscriptions watching it.
 *
 * Subscriptions live in memory on the loop thread and are written to the
 * registration store (reg_store.h) when they are created, refreshed or
 * notified, so a restarted S-CSCF continues each dialog. NOTIFYs are sent as
 * a UAC through txn_request(); a 481, 408 or transport failure ends the
 * subscription.
 */
#ifndef IMSCORE_SCSCF_REG_EVENT_H
#define IMSCORE_SCSCF_REG_EVENT_H

#include "regs.h"

#include "txn/txn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Handles a SUBSCRIBE received on st from src: answers it (200 with Expires and
 * a To tag, or 400/403/404/423/481/489) and sends the NOTIFY. st is answered
 * before this returns; req stays the transaction's.
 */
void scscf_subscribe(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src);

/*
 * Builds the full reginfo document of record r (one <registration> per IMPU of
 * its implicit set, each with r's contacts) with version. The registrations are
 * "active" while r has an active contact, else "terminated"; active contacts
 * are "active" with their last event (default "registered") and remaining
 * expiry at now, inactive ones "terminated" with their event; on one line. *out is a
 * malloc'ed NUL-terminated string owned by the caller. Returns 0, -EINVAL or
 * -ENOMEM.
 */
int scscf_reginfo_build(const struct scscf_reg *r, uint32_t version, int64_t now, char **out);

/*
 * Tells every subscriber watching an IMPU of r about its current state (call it
 * after the contacts of r changed and before inactive contacts are purged).
 * The reginfo is built now and the NOTIFY queued for scscf_reg_event_tick() at
 * least 1 s later, so the final response to the REGISTER (which crosses the
 * I-CSCF and the UE's security association at the P-CSCF) arrives before a
 * NOTIFY that makes the P-CSCF drop that association. A newer change replaces
 * a queued one (full state). When r has no active contact left, the NOTIFY
 * says terminated (reginfo and Subscription-State; reason noresource) and the
 * subscription ends once it is sent. r may be freed after this returns.
 */
void scscf_reg_event_notify(const struct scscf_reg *r);

/*
 * Sends the queued change NOTIFYs that are due at now, and ends subscriptions
 * whose expiry passed (final NOTIFY, reason timeout). Called every second.
 */
void scscf_reg_event_tick(int64_t now);

/*
 * Restores the stored subscriptions (after reg_store_load_regs()); those whose
 * registration is gone get a terminated NOTIFY and end. Returns the number
 * restored or a negative errno.
 */
int scscf_reg_event_restore(void);

/* Number of live subscriptions (for tests and logs). */
size_t scscf_reg_event_count(void);

/* A read-only view of one subscription (strings owned by it; valid during the callback). */
struct scscf_reg_event_view {
    uint64_t id;
    const char *impu;       /* the watched public identity */
    const char *subscriber; /* From URI of the SUBSCRIBE */
    const char *target;     /* Contact of the SUBSCRIBE: where NOTIFYs go */
    const char *call_id;
    int64_t expires_at; /* wall time, seconds */
    uint32_t version;   /* next reginfo version */
    bool pending;       /* a change NOTIFY is queued */
    bool ending;        /* the queued NOTIFY is the last one */
};

/*
 * Calls cb(arg, view) for each live subscription watching an IMPU of r (every
 * subscription when r is NULL), on the loop thread. cb must not subscribe,
 * notify or end subscriptions.
 */
void scscf_reg_event_foreach(const struct scscf_reg *r,
                             void (*cb)(void *arg, const struct scscf_reg_event_view *v),
                             void *arg);

/* Frees every subscription without notifying (shutdown). */
void scscf_reg_event_free(void);

#endif
