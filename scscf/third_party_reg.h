/*
 * third_party_reg: the S-CSCF's third-party registration towards application
 * servers (TS 24.229 §5.4.1.7, TS 29.228 Annex B/F).
 *
 * After a registration, re-registration or de-registration of a record (user-
 * or network-initiated), the registrar calls scscf_third_party_register(). It
 * evaluates the iFCs of the service profile holding the registered public
 * identity against the REGISTER (method REGISTER, session case ORIGINATING,
 * registration type initial/re/de) and sends, for each iFC that applies and in
 * priority order, a REGISTER to the AS named by ServerName: Request-URI the
 * ServerName, From the S-CSCF (scscf.name), To the public identity, Contact
 * the S-CSCF, Expires the registration's remaining lifetime (0 when it ends),
 * P-Charging-Vector (icid of the REGISTER, orig-ioi our domain),
 * P-Charging-Function-Addresses when configured, and a body carrying the
 * ServiceInfo (application/3gpp-ims+xml) and, with IncludeRegisterRequest, the
 * REGISTER itself (message/sip); both together as multipart/mixed.
 *
 * Where an AS is: an entry of the `as` list of scscf.conf whose uri has the
 * ServerName's host and port gives the address, port and transport; else a
 * ServerName whose host is a numeric IP is used as is. Names are never resolved
 * through DNS (that would block the loop).
 *
 * DefaultHandling (TS 24.229 §5.4.1.7): when the AS does not answer within
 * third_party.timeout, answers 408 or 5xx, or cannot be reached,
 * SESSION_CONTINUED logs and goes on; SESSION_TERMINATED de-registers the
 * public identity's record by the network: contacts "rejected" in reginfo
 * (NOTIFY to the watchers), SAR ADMINISTRATIVE_DEREGISTRATION, the record
 * dropped from memory and store, and de-registering REGISTERs to the other
 * ASes.
 *
 * Everything runs on the loop thread. A pending REGISTER is remembered by an
 * id of this module and refers to its record by the record's id, never by
 * pointer: when the answer comes the record is looked up again.
 */
#ifndef IMSCORE_SCSCF_THIRD_PARTY_REG_H
#define IMSCORE_SCSCF_THIRD_PARTY_REG_H

#include "cfg/cfg.h"

#include <osipparser2/osip_message.h>
#include <stddef.h>

struct scscf_reg;

/* What happened to the registration (the iFC RegistrationType, TS 29.228 Annex B). */
enum scscf_3pr_event {
    SCSCF_3PR_INITIAL = 0, /* initial registration */
    SCSCF_3PR_RE = 1,      /* re-registration */
    SCSCF_3PR_DE = 2,      /* de-registration (user or network), Expires 0 */
};

/* The schema of one element of the `as` list of scscf.conf (ended by {NULL}). */
extern const struct cfg_spec scscf_as_schema[];

/*
 * Reads and checks the `as` list and the third_party group of c (borrowed; it
 * must outlive the module's use, i.e. scscf_self()->cfg). Returns 0, or
 * -EINVAL (logged) when an entry's uri is not a sip URI with a host, or its
 * address is not numeric.
 */
int scscf_third_party_load(const struct cfg *c);

/*
 * Sends the third-party REGISTERs for public identity impu of record r after
 * event (enum scscf_3pr_event). A record that is not REGISTERED any more is a
 * de-registration whatever event says. req is the REGISTER that caused it
 * (P-Charging-Vector, header SPTs, IncludeRegisterRequest), or NULL for a
 * network-initiated change (expiry, RTR). Everything needed is copied: r may be
 * freed right after the call. Nothing is returned: each REGISTER sent and its
 * outcome is logged, and failures are handled as DefaultHandling says.
 */
void scscf_third_party_register(const struct scscf_reg *r, const char *impu, int event,
                                const osip_message_t *req);

/* Number of third-party REGISTERs waiting for their final answer (tests, logs). */
size_t scscf_third_party_pending(void);

/*
 * Forgets every pending third-party REGISTER (shutdown): abandons its client
 * transaction and frees its timer. Call before the SIP stack is freed.
 */
void scscf_third_party_free(void);

#endif
