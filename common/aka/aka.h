/*
 * aka: 3GPP AKA for IMS.
 *
 *  - Milenage f1, f1*, f2, f3, f4, f5, f5* and OPc (TS 35.206), on OpenSSL
 *    AES-128 (EVP API);
 *  - network side: authentication vector generation, AUTS verification;
 *  - UE side: AUTN verification (MAC-A, SQN freshness) and AUTS generation
 *    (TS 33.102 §6.3.3, §6.3.5);
 *  - SQN = SEQ || IND arithmetic per TS 33.102 Annex C;
 *  - RFC 2617 HTTP Digest (MD5, MD5-sess, qop auth / auth-int) and RFC 3310
 *    Digest AKAv1-MD5 (nonce, RES as password, auts).
 *
 * Conventions: every function returns 0 or a negative errno-style code, all
 * buffers belong to the caller, nothing allocates or keeps pointers, and all
 * functions are thread-safe. Fixed-size byte arrays are passed as pointers to
 * their first byte; the sizes below are the required lengths. Intermediate
 * secrets on the stack are wiped with OPENSSL_cleanse before returning.
 *
 * Byte strings are big-endian as in the specifications. SQN is carried as a
 * uint64_t holding the 48-bit value (aka_sqn_pack / aka_sqn_unpack convert to
 * and from the 6-octet wire form).
 *
 * Error codes specific to AKA:
 *   AKA_EMAC   (-EBADMSG) a MAC (MAC-A in AUTN, MAC-S in AUTS) did not verify
 *   AKA_ESYNC  (-ERANGE)  MAC-A verified but SQN is not fresh: the UE must
 *                         answer with AUTS (synchronisation failure)
 * Other errors: -EINVAL (bad argument), -EIO (OpenSSL failure).
 */
#ifndef IMSCORE_AKA_H
#define IMSCORE_AKA_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AKA_K_LEN    16
#define AKA_OP_LEN   16
#define AKA_OPC_LEN  16
#define AKA_RAND_LEN 16
#define AKA_AUTN_LEN 16
#define AKA_SQN_LEN  6
#define AKA_AK_LEN   6
#define AKA_AMF_LEN  2
#define AKA_MAC_LEN  8
#define AKA_RES_LEN  8 /* Milenage f2 gives a 64-bit RES */
#define AKA_CK_LEN   16
#define AKA_IK_LEN   16
#define AKA_AUTS_LEN 14

#define AKA_SQN_MAX ((UINT64_C(1) << 48) - 1)

#define AKA_EMAC  (-EBADMSG)
#define AKA_ESYNC (-ERANGE)

/* ---------------------------------------------------------------------------
 * Milenage (TS 35.206). k is the 128-bit subscriber key, opc the derived
 * operator variant constant. Any output pointer documented as optional may be
 * NULL. All return 0, -EINVAL (NULL required argument) or -EIO.
 * ------------------------------------------------------------------------- */

/*
 * Computes OPc = E_K(OP) xor OP. The exact signature is relied on by the HSS.
 * opc may alias op.
 */
int aka_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/*
 * f1: network authentication function. Writes MAC-A (8 octets) for the
 * given RAND (16), SQN (6 octets) and AMF (2).
 */
int aka_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16], const uint8_t sqn[6],
           const uint8_t amf[2], uint8_t mac_a[8]);

/*
 * f1*: resynchronisation message authentication function. Writes MAC-S (8).
 */
int aka_f1star(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
               const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_s[8]);

/*
 * f2, f3, f4, f5 in one pass: RES (8 octets), CK (16), IK (16), AK (6).
 * Each output is optional (NULL skips it).
 */
int aka_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16], uint8_t res[8],
              uint8_t ck[16], uint8_t ik[16], uint8_t ak[6]);

/* f5*: resynchronisation anonymity key AK* (6 octets). */
int aka_f5star(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
               uint8_t ak_star[6]);

/* ---------------------------------------------------------------------------
 * SQN helpers (TS 33.102 Annex C). SQN (48 bits) = SEQ || IND, with IND the
 * ind_bits least significant bits (AKA_IND_BITS_DEFAULT = 5, i.e. an array of
 * 32 slots). ind_bits may be 0..AKA_IND_BITS_MAX.
 * ------------------------------------------------------------------------- */

#define AKA_IND_BITS_DEFAULT 5
#define AKA_IND_BITS_MAX     10
/* Annex C.2.2 wrap-around protection: SEQ - SEQ_MS must not exceed delta. */
#define AKA_SQN_DELTA_DEFAULT (UINT64_C(1) << 28)

/* Writes the 48-bit sqn as 6 big-endian octets (bits above 48 are dropped). */
void aka_sqn_pack(uint64_t sqn, uint8_t out[6]);

/* Returns the 48-bit value of 6 big-endian octets. */
uint64_t aka_sqn_unpack(const uint8_t in[6]);

/* SEQ part of sqn (sqn >> ind_bits). ind_bits must be <= AKA_IND_BITS_MAX. */
uint64_t aka_sqn_seq(uint64_t sqn, unsigned ind_bits);

/* IND part of sqn (its ind_bits low bits). */
unsigned aka_sqn_ind(uint64_t sqn, unsigned ind_bits);

/*
 * HSS: the SQN for the next vector. SEQ is incremented by one, IND is kept.
 * Returns 0 and sets *next; -EINVAL for sqn > AKA_SQN_MAX or ind_bits out of
 * range; -ERANGE when SEQ would wrap (the subscriber's SQN space is used up;
 * Annex C does not allow a silent wrap).
 */
int aka_sqn_next(uint64_t sqn, unsigned ind_bits, uint64_t *next);

/*
 * HSS resynchronisation (TS 33.102 §6.3.5, Annex C.3): after MAC-S verified
 * (aka_auts_verify), the next SQN to use is SEQ_MS + 1 with the IND of the
 * HSS's current sqn_he, so it is accepted by the USIM whatever slot it lands
 * in. Returns 0 and sets *next, -EINVAL or -ERANGE as aka_sqn_next.
 */
int aka_sqn_resync(uint64_t sqn_ms, uint64_t sqn_he, unsigned ind_bits, uint64_t *next);

/*
 * UE-side SQN state (Annex C.2): one SEQ_MS(i) per IND slot i. A received
 * SQN = SEQ || i is fresh when
 *   1. SEQ > SEQ_MS(i)                        (C.2.1, replay protection),
 *   2. SEQ - SEQ_MS <= delta, where SEQ_MS is the highest SEQ accepted in any
 *      slot (C.2.2, wrap-around protection; delta 0 disables the check),
 *   3. SEQ_MS - SEQ < age_limit L when SEQ < SEQ_MS (C.2.3, optional limit on
 *      the age of a vector; 0 disables the check).
 * The struct is plain data: initialise it with aka_sqn_ms_init, copy it, or
 * persist it freely.
 */
struct aka_sqn_ms {
    unsigned ind_bits;
    uint64_t delta;
    uint64_t age_limit;
    uint64_t seq[1u << AKA_IND_BITS_MAX];
};

/*
 * Sets every slot to SEQ 0 (a fresh USIM) with the given parameters.
 * Returns 0, or -EINVAL for a NULL ms or ind_bits > AKA_IND_BITS_MAX.
 */
int aka_sqn_ms_init(struct aka_sqn_ms *ms, unsigned ind_bits, uint64_t delta, uint64_t age_limit);

/*
 * Checks sqn against the rules above without changing ms.
 * Returns 0 when fresh, AKA_ESYNC when not, -EINVAL on bad arguments.
 */
int aka_sqn_ms_check(const struct aka_sqn_ms *ms, uint64_t sqn);

/*
 * Checks sqn and, when fresh, records it (SEQ_MS(IND) := SEQ).
 * Returns as aka_sqn_ms_check.
 */
int aka_sqn_ms_accept(struct aka_sqn_ms *ms, uint64_t sqn);

/*
 * SQN_MS to put in AUTS: the highest accepted SEQ with the IND of its slot
 * (0 for a fresh state).
 */
uint64_t aka_sqn_ms_highest(const struct aka_sqn_ms *ms);

/* ---------------------------------------------------------------------------
 * Authentication vectors (network side) and AUTN check (UE side).
 * ------------------------------------------------------------------------- */

struct aka_vector {
    uint8_t rand[AKA_RAND_LEN];
    uint8_t autn[AKA_AUTN_LEN]; /* SQN xor AK || AMF || MAC-A */
    uint8_t xres[AKA_RES_LEN];
    size_t xres_len; /* always AKA_RES_LEN with Milenage */
    uint8_t ck[AKA_CK_LEN];
    uint8_t ik[AKA_IK_LEN];
};

/*
 * Generates one vector for sqn (48 bits) and amf (2 octets). rand, if not
 * NULL, supplies the 16-octet RAND (tests, replays of a known challenge);
 * otherwise RAND comes from the OpenSSL CSPRNG (RAND_bytes).
 * Returns 0, -EINVAL (NULL argument, sqn > AKA_SQN_MAX) or -EIO (no
 * randomness or AES failure); *out is zeroed on failure.
 */
int aka_vector_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t amf[2],
                        uint64_t sqn, const uint8_t *rand, struct aka_vector *out);

/* What the UE learns from a challenge (aka_ue_check). */
struct aka_ue_result {
    uint64_t sqn; /* SQN recovered from AUTN (set unless AKA_EMAC) */
    uint8_t amf[AKA_AMF_LEN];
    uint8_t res[AKA_RES_LEN];
    size_t res_len;
    uint8_t ck[AKA_CK_LEN];
    uint8_t ik[AKA_IK_LEN];
};

/*
 * UE side of AKA (TS 33.102 §6.3.3): computes AK, recovers SQN = (SQN xor AK)
 * xor AK, checks MAC-A (constant time), then, when ms is not NULL, the
 * freshness of SQN (aka_sqn_ms_accept, which records it on success).
 *
 * Returns:
 *   0          authentic and fresh: out has sqn, amf, RES, CK, IK;
 *   AKA_EMAC   MAC-A wrong: the network is not authentic, out is zeroed, ms
 *              unchanged (the UE sends an authentication failure, no AUTS);
 *   AKA_ESYNC  MAC-A right but SQN not fresh: out->sqn and out->amf are set,
 *              RES/CK/IK are zeroed, ms unchanged; build AUTS with
 *              aka_auts_generate(..., aka_sqn_ms_highest(ms), ...);
 *   -EINVAL / -EIO.
 */
int aka_ue_check(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                 const uint8_t autn[16], struct aka_sqn_ms *ms, struct aka_ue_result *out);

/*
 * UE: AUTS = (SQN_MS xor f5*(RAND)) || f1*(SQN_MS, RAND, AMF* = 0x0000),
 * 14 octets (TS 33.102 §6.3.3). Returns 0, -EINVAL or -EIO.
 */
int aka_auts_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                      uint64_t sqn_ms, uint8_t auts[14]);

/*
 * Network: verifies AUTS for the RAND that was sent in the challenge. Recovers
 * SQN_MS with f5*, recomputes MAC-S with AMF* = 0x0000 and compares it in
 * constant time. On success *sqn_ms (optional) receives SQN_MS.
 * Returns 0, AKA_EMAC (MAC-S wrong; *sqn_ms untouched), -EINVAL or -EIO.
 */
int aka_auts_verify(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                    const uint8_t auts[14], uint64_t *sqn_ms);

/* ---------------------------------------------------------------------------
 * HTTP Digest, RFC 2617, MD5 (via OpenSSL EVP). Digests are exchanged as
 * 32 lowercase hex characters plus NUL (AKA_DIGEST_HEX_SIZE bytes).
 * Text parameters are NUL-terminated and hashed as given (the caller has
 * already removed quotes); username, realm and password are (pointer, length)
 * pairs so that binary passwords such as an AKA RES work.
 * ------------------------------------------------------------------------- */

#define AKA_DIGEST_HEX_LEN  32
#define AKA_DIGEST_HEX_SIZE 33

enum aka_qop {
    AKA_QOP_NONE = 0, /* RFC 2069 compatibility: no qop parameter */
    AKA_QOP_AUTH,     /* qop=auth */
    AKA_QOP_AUTH_INT, /* qop=auth-int: HA2 covers the body */
};

/*
 * Returns the qop token ("auth", "auth-int") or NULL for AKA_QOP_NONE.
 */
const char *aka_qop_name(enum aka_qop qop);

/*
 * Parses a qop token (exact, case-insensitive) of len characters.
 * Returns 0 and sets *qop, or -EINVAL for an unknown token.
 */
int aka_qop_parse(const char *s, size_t len, enum aka_qop *qop);

/*
 * HA1 = MD5(username ":" realm ":" password), written as hex to ha1.
 * password may be NULL when password_len is 0 (AKA resync: empty password).
 * Returns 0 or -EINVAL / -EIO.
 */
int aka_digest_ha1(const char *username, size_t username_len, const char *realm, size_t realm_len,
                   const uint8_t *password, size_t password_len, char ha1[AKA_DIGEST_HEX_SIZE]);

/*
 * algorithm=MD5-sess: HA1' = MD5(HA1 ":" nonce ":" cnonce), where HA1 is the
 * 32-hex-character form (as in RFC 2617 §3.2.2.2 text and its errata; the
 * RFC's sample code hashes the binary HA1, which interoperates with nobody).
 * ha1_sess may alias ha1. Returns 0 or -EINVAL (ha1 not 32 hex) / -EIO.
 */
int aka_digest_ha1_sess(const char *ha1, const char *nonce, const char *cnonce,
                        char ha1_sess[AKA_DIGEST_HEX_SIZE]);

/*
 * HA2 = MD5(method ":" uri) for qop auth or none, and
 * HA2 = MD5(method ":" uri ":" MD5hex(body)) for auth-int (body may be NULL
 * when body_len is 0: an empty body). body is ignored for the other qops.
 * Returns 0 or -EINVAL / -EIO.
 */
int aka_digest_ha2(const char *method, const char *uri, enum aka_qop qop, const uint8_t *body,
                   size_t body_len, char ha2[AKA_DIGEST_HEX_SIZE]);

/*
 * response = MD5(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2) with a qop,
 * or MD5(HA1 ":" nonce ":" HA2) for AKA_QOP_NONE (nc and cnonce are then
 * ignored and may be NULL). ha1 and ha2 must be 32 hex characters (either
 * case; they are hashed in lowercase as RFC 2617 requires).
 * Returns 0 or -EINVAL / -EIO.
 */
int aka_digest_response(const char *ha1, const char *nonce, const char *nc, const char *cnonce,
                        enum aka_qop qop, const char *ha2, char response[AKA_DIGEST_HEX_SIZE]);

/*
 * Server: compares the expected response (32 hex, as computed above) with the
 * one received (received_len characters, not necessarily NUL-terminated),
 * case-insensitively and in constant time.
 * Returns true only when both are well-formed and equal.
 */
bool aka_digest_response_is_valid(const char *expected, const char *received, size_t received_len);

/* ---------------------------------------------------------------------------
 * Digest AKAv1-MD5 (RFC 3310).
 * ------------------------------------------------------------------------- */

/* Base64 length of a nonce carrying RAND||AUTN and no server data. */
#define AKA_NONCE_MIN_B64_LEN 44
/* Base64 of a 14-octet AUTS, and with its NUL. */
#define AKA_AUTS_B64_LEN  20
#define AKA_AUTS_B64_SIZE 21

/*
 * nonce = base64(RAND || AUTN || server_data), NUL-terminated in out.
 * server_data is optional (NULL / 0). out_size must be at least
 * CODEC_BASE64_LEN(32 + server_data_len) + 1.
 * Returns 0, -EINVAL or -ENOSPC.
 */
int aka_nonce_build(const uint8_t rand[16], const uint8_t autn[16], const uint8_t *server_data,
                    size_t server_data_len, char *out, size_t out_size);

/*
 * Parses nonce_len characters of a nonce (quotes already removed): strict
 * base64 that must decode to at least 32 octets. RAND and AUTN are written to
 * rand and autn. When server_data is not NULL, up to server_data_size octets
 * of the rest are copied there and *server_data_len receives their number
 * (-ENOSPC when they do not fit).
 * Returns 0, -EINVAL (not base64, or shorter than 32 octets) or -ENOSPC.
 */
int aka_nonce_parse(const char *nonce, size_t nonce_len, uint8_t rand[16], uint8_t autn[16],
                    uint8_t *server_data, size_t server_data_size, size_t *server_data_len);

/*
 * AKAv1-MD5 HA1: the RFC 2617 HA1 with the raw RES octets as the password
 * (RFC 3310 §3.3; res_len 4..16 as RES is 32..128 bits). For a resync
 * response (§3.4) pass res = NULL, res_len = 0: the password is empty.
 * The rest of the response is the plain RFC 2617 computation.
 * Returns 0 or -EINVAL / -EIO.
 */
int aka_akav1_ha1(const char *username, size_t username_len, const char *realm, size_t realm_len,
                  const uint8_t *res, size_t res_len, char ha1[AKA_DIGEST_HEX_SIZE]);

/* Encodes AUTS as the base64 value of the auts parameter (20 chars + NUL). */
int aka_auts_encode(const uint8_t auts[14], char out[AKA_AUTS_B64_SIZE]);

/*
 * Decodes an auts parameter value of len characters; it must be strict base64
 * of exactly 14 octets. Returns 0 or -EINVAL.
 */
int aka_auts_decode(const char *b64, size_t len, uint8_t auts[14]);

#endif
