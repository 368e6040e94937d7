/*
 * sec_agree: the P-CSCF side of security mechanism agreement (RFC 3329,
 * TS 33.203 §7.2, TS 24.229 §5.2.2) for ipsec-3gpp. Pure: no I/O.
 *
 * Flow: the initial REGISTER carries Security-Client (the UE's mechanisms,
 * SPIs and ports). pcscf_secagree_choose() picks one of the UE's offers from
 * the configured alg/ealg preference; pcscf_secagree_server() builds the
 * Security-Server mechanism with the P-CSCF's pool slot; the 401 carries it.
 * The second REGISTER must repeat it in Security-Verify:
 * pcscf_secagree_verify() compares.
 */
#ifndef PCSCF_SEC_AGREE_H
#define PCSCF_SEC_AGREE_H

#include <stdbool.h>
#include <stddef.h>

#include "ipsec_pool.h"
#include "sip/sip.h"

/* ealg value meaning "no encryption"; an absent ealg means the same (TS 33.203 §7.2). */
#define PCSCF_EALG_NULL "null"

/* Returns true when alg is an integrity algorithm we support (hmac-sha-1-96, hmac-md5-96). */
bool pcscf_secagree_alg_is_supported(const char *alg);

/* Returns true when ealg is an encryption algorithm we support (null, aes-cbc). */
bool pcscf_secagree_ealg_is_supported(const char *ealg);

/*
 * Chooses among the n mechanisms of a Security-Client the first ipsec-3gpp
 * offer that matches the preference: for each alg of alg_pref in order, for
 * each ealg of ealg_pref in order, the first offer with that alg and ealg
 * (an offer without ealg counts as "null"). An offer must carry spi-c, spi-s,
 * port-c and port-s, and prot/mod, when present, must be esp/trans.
 * Returns the index of the chosen offer in client, or -ENOENT when none is
 * acceptable, -EINVAL on bad arguments.
 */
int pcscf_secagree_choose(const struct sip_sec_mech *client, size_t n, const char *const *alg_pref,
                          size_t n_alg, const char *const *ealg_pref, size_t n_ealg);

/*
 * Fills *out with the Security-Server mechanism for the chosen offer:
 * ipsec-3gpp;q=0.1;prot=esp;mod=trans;spi-c;spi-s;port-c;port-s from slot,
 * alg and ealg from chosen ("null" when the UE gave none). Returns 0 or -EINVAL.
 */
int pcscf_secagree_server(const struct sip_sec_mech *chosen, const struct pcscf_pool_entry *slot,
                          struct sip_sec_mech *out);

/*
 * Checks the Security-Verify of req against the n mechanisms that were sent
 * in Security-Server. Returns 0 when equal, -ENOENT when req has no
 * Security-Verify, -EACCES when it differs, -EBADMSG when it does not parse
 * (why, when not NULL, says what is wrong).
 */
int pcscf_secagree_verify(const osip_message_t *req, const struct sip_sec_mech *sent, size_t n,
                          char *why, size_t whylen);

/* What the P-CSCF knows about the REGISTER it is forwarding (TS 24.229 §5.2.2). */
enum pcscf_protection {
    PCSCF_PROT_NONE,    /* no security association yet: initial REGISTER */
    PCSCF_PROT_PENDING, /* 401 sent with Security-Server; Security-Verify matched */
    PCSCF_PROT_YES,     /* arrived over the established association (SA or registered flow) */
};

/*
 * The integrity-protected value to put into the Authorization sent to the
 * core. With ipsec: "no", "no" (a pending SA is not an integrity proof yet,
 * the REGISTER came unprotected) and "yes". Without ipsec (the lab; the UE
 * is trusted by its IP address and port): "no", "ip-assoc-pending",
 * "ip-assoc-yes". Returns a static string.
 */
const char *pcscf_secagree_integrity(bool ipsec, enum pcscf_protection prot);

#endif
