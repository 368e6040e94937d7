/*
 * auth: the S-CSCF's pending Digest challenges (AKAv1-MD5 and SIP Digest MD5)
 * and the verification of the answers to them (RFC 3310, RFC 2617).
 *
 * Authentication state of one challenge (owned by the loop thread):
 *
 *   PENDING --(answer verified)--> (removed; registration goes on)
 *   PENDING --(answer wrong)-----> (removed; 403 and SAR AUTHENTICATION_FAILURE)
 *   PENDING --(timeout)----------> (removed; SAR AUTHENTICATION_TIMEOUT)
 *   PENDING --(auts)-------------> (removed; MAR with RAND||AUTS, new PENDING)
 *
 * A challenge is keyed by IMPI and nonce and usable once: whatever the
 * outcome, auth_take() removes it, so a replayed nonce finds nothing and is
 * challenged again.
 */
#ifndef IMSCORE_SCSCF_AUTH_H
#define IMSCORE_SCSCF_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aka/aka.h"
#include "cx/cx.h"
#include "sip/sip.h"

enum scscf_auth_scheme {
    SCSCF_AUTH_AKAV1_MD5 = 0,
    SCSCF_AUTH_DIGEST_MD5 = 1,
};

enum scscf_auth_state {
    SCSCF_AUTH_PENDING = 0,
    SCSCF_AUTH_ANSWERED = 1, /* taken by auth_take(): being verified */
};

struct scscf_challenge {
    enum scscf_auth_state state;
    enum scscf_auth_scheme scheme;
    char *impi;
    char *impu;
    char nonce[128];
    char realm[128];
    uint8_t rand[AKA_RAND_LEN];
    uint8_t xres[16];
    size_t xres_len;
    char ha1[AKA_DIGEST_HEX_SIZE]; /* SIP Digest: HA1 from the HSS */
    int64_t expires_at;            /* wall time, seconds */
    struct scscf_challenge *next;
};

/*
 * Makes a challenge from the first usable SIP-Auth-Data-Item of an MAA and
 * remembers it for impi/impu until ttl_s seconds from now. realm is the
 * Digest realm (our home domain); qop_auth_int offers "auth,auth-int" for AKA.
 * Fills hdr for the WWW-Authenticate header (ck and ik included for AKA).
 * Returns 0, -EPROTO (no usable item: unknown scheme, wrong lengths) or
 * -ENOMEM.
 */
int auth_challenge_new(const char *impi, const char *impu, const struct cx_maa *maa,
                       const char *realm, bool qop_auth_int, unsigned ttl_s,
                       struct sip_auth_challenge *hdr);

/*
 * Removes and returns the pending challenge for impi and nonce (the caller
 * owns it: auth_challenge_free()), or NULL when there is none (never issued,
 * already used, or expired).
 */
struct scscf_challenge *auth_take(const char *impi, const char *nonce);

/*
 * Verifies the credentials cr of a request (method, body) against challenge
 * ch: username and realm must match, the digest uri is the one in cr, qop
 * auth, auth-int (body hashed) or none, and the response is compared in
 * constant time. Returns true only when the response is right.
 */
bool auth_verify(const struct scscf_challenge *ch, const struct sip_auth_credentials *cr,
                 const char *method, const char *body, size_t body_len);

/*
 * Removes every challenge whose time is over and calls cb(arg, impi, impu)
 * for each (the caller sends SAR AUTHENTICATION_TIMEOUT).
 */
void auth_expire(int64_t now, void (*cb)(void *arg, const char *impi, const char *impu), void *arg);

/*
 * Drops every pending challenge of impi without any Cx message (the user
 * has just authenticated with another one, or a new challenge replaces it).
 */
void auth_forget(const char *impi);

/* Frees a challenge. Safe on NULL. */
void auth_challenge_free(struct scscf_challenge *ch);

/* Frees every pending challenge (shutdown). */
void auth_free_all(void);

#endif
