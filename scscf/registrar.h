/*
 * registrar: the S-CSCF's REGISTER procedure (TS 24.229 §5.4.1) and the Cx
 * paths it drives (cx_mar.c, cx_sar.c). Everything runs on the loop thread.
 *
 * A REGISTER is answered asynchronously: the Cx request carries the server
 * transaction id (txn_server_id()); on the answer the transaction is looked up
 * again and the request re-read from it, so no pointer crosses the hop.
 */
#ifndef IMSCORE_SCSCF_REGISTRAR_H
#define IMSCORE_SCSCF_REGISTRAR_H

#include "cx/cx.h"
#include "txn/txn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the registrar reads from a REGISTER (scscf_register_parse()). */
struct scscf_reg_req {
    char impi[512];
    char impu[512];     /* address of record of To */
    char nonce[256];    /* "" when the Authorization has none */
    char auts[64];      /* "" when absent */
    bool has_response;  /* Authorization carries a non-empty response */
    bool integrity_yes; /* integrity-protected="yes" (set by the P-CSCF) */
    bool deregister;    /* every contact (or *) has expires 0 */
};

/*
 * Handles a REGISTER received on st (the transaction stays the caller's only
 * until this returns: it is answered now or later by the registrar).
 */
void scscf_register(struct txn_server *st, const osip_message_t *req);

/*
 * Reads impi, impu, credentials and the de-registration flag from req into
 * out. Returns 0, or a SIP status code (400) with *why set when req is not a
 * usable REGISTER.
 */
int scscf_register_parse(const osip_message_t *req, struct scscf_reg_req *out, const char **why);

/* cx_mar.c: sends an MAR for the request on transaction txn_id (resync with RAND||AUTS when
 * rand_auts is not NULL). Returns 0 or a negative errno (then nothing was sent). */
int scscf_cx_mar(uint64_t txn_id, const char *impi, const char *impu, const uint8_t *rand_auts,
                 size_t rand_auts_len);

/* cx_sar.c: sends an SAR of type sat (enum cx_sat) for impi/impu. txn_id 0 means nobody
 * waits for the answer (failure and timeout notifications). Returns 0 or a negative errno. */
int scscf_cx_sar(uint64_t txn_id, const char *impi, const char *impu, int sat);

/* registrar.c: continuations called by cx_mar.c / cx_sar.c on the loop thread. */
void scscf_register_on_maa(uint64_t txn_id, int status, const struct cx_maa *ans);
void scscf_register_on_saa(uint64_t txn_id, int sat, int status, const struct cx_saa *ans);

/* Sends SAR AUTHENTICATION_TIMEOUT for every expired challenge and expires bindings
 * (SAR TIMEOUT_DEREGISTRATION). Called from a periodic timer. */
void scscf_registrar_tick(void);

/* Frees the registrar's pending state (shutdown). */
void scscf_registrar_free(void);

#endif
