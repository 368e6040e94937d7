/*
 * reg_store: the S-CSCF's durable copy of its registrations and reg-event
 * subscriptions, in SQLite (common/sqldb). The memory (regs.h, reg_event.c)
 * stays the working copy; every change is written here before the SIP answer
 * that reports it leaves, so a restarted S-CSCF serves the same bindings with
 * their remaining expiry, and NOTIFYs continue each dialog's CSeq and version.
 *
 * One connection, used on the loop thread only. Every write is one
 * transaction. A write that fails is logged and counted; the daemon keeps
 * serving from memory (a lab should not lose its calls over a full disk).
 * Without reg_store_open() every call is a no-op returning 0.
 */
#ifndef IMSCORE_SCSCF_REG_STORE_H
#define IMSCORE_SCSCF_REG_STORE_H

#include "regs.h"

#include "sqldb/sqldb.h"
#include "txn/txn.h"

#include <stddef.h>
#include <stdint.h>

/* What a reg-event subscription needs to survive a restart (strings borrowed). */
struct reg_store_sub {
    uint64_t id;
    const char *impu;
    const char *call_id;
    const char *local_tag;
    const char *remote_tag;
    const char *local_uri;
    const char *remote_uri;
    const char *target;
    const char *const *routes;
    size_t n_routes;
    uint32_t cseq;        /* our last NOTIFY CSeq */
    uint32_t remote_cseq; /* the subscriber's last SUBSCRIBE CSeq */
    uint32_t version;     /* next reginfo version */
    int64_t expires_at;
    struct txn_addr src; /* where the SUBSCRIBE came from */
};

/* Opens (creating) the store at path. Returns 0 or a negative errno (logged). */
int reg_store_open(const char *path, enum sqldb_sync sync);

/* Closes the store (safe when not open). */
void reg_store_close(void);

/*
 * Writes record r as it is now: its identity, user data and active contacts.
 * A record with no active contact or not REGISTERED is deleted instead.
 * Returns 0 or a negative errno (logged).
 */
int reg_store_put_reg(const struct scscf_reg *r);

/* Deletes record r (by id). Returns 0 or a negative errno (logged). */
int reg_store_del_reg(const struct scscf_reg *r);

/*
 * Recreates every stored record in regs (ids, implicit set from the user
 * data, contacts with their expiry, even those expired meanwhile: the
 * registrar's tick expires them with the usual SAR and NOTIFY). A record
 * that no longer loads (bad user data) is logged and deleted. Returns the
 * number of records loaded, or a negative errno.
 */
int reg_store_load_regs(void);

/* Writes (inserts or replaces) subscription s. Returns 0 or a negative errno (logged). */
int reg_store_put_sub(const struct reg_store_sub *s);

/* Deletes the subscription with this id. Returns 0 or a negative errno (logged). */
int reg_store_del_sub(uint64_t id);

/*
 * Calls cb for every stored subscription (the strings live during the call
 * only). Returns the number of subscriptions, or a negative errno.
 */
int reg_store_load_subs(void (*cb)(void *arg, const struct reg_store_sub *s), void *arg);

/* Number of writes that failed since start (for metrics and tests). */
uint64_t reg_store_failures(void);

#endif
