/*
 * xfrm_msg: builds the Linux XFRM netlink messages (NETLINK_XFRM) for the
 * four IPsec SAs and their policies of TS 33.203 §7.1, with the ESP keys
 * derived from IK and CK as in TS 33.203 Annex I. Pure: it fills buffers and
 * never opens a socket (xfrm_detect and the daemon send them).
 *
 * The four SAs (transport mode ESP, the P-CSCF at address p, the UE at u):
 *   PCSCF_SA_IN_S   u:port_uc -> p:port_ps  spi_ps  (inbound, to our server port)
 *   PCSCF_SA_OUT_C  p:port_pc -> u:port_us  spi_us  (outbound, from our client port)
 *   PCSCF_SA_IN_C   u:port_us -> p:port_pc  spi_pc  (inbound, to our client port)
 *   PCSCF_SA_OUT_S  p:port_ps -> u:port_uc  spi_uc  (outbound, from our server port)
 * An SA's SPI is always the one chosen by its receiver.
 *
 * Keys (Annex I): hmac-md5-96 uses IK (128 bits); hmac-sha-1-96 uses IK
 * followed by 32 zero bits (160 bits). aes-cbc uses CK (128 bits); null uses
 * no key (kernel algorithm "ecb(cipher_null)").
 */
#ifndef PCSCF_XFRM_MSG_H
#define PCSCF_XFRM_MSG_H

#include <stddef.h>
#include <stdint.h>

enum pcscf_xfrm_alg { PCSCF_ALG_HMAC_SHA1_96, PCSCF_ALG_HMAC_MD5_96 };
enum pcscf_xfrm_ealg { PCSCF_EALG_NONE, PCSCF_EALG_AES_CBC };

/* Maps the Security-* names ("hmac-sha-1-96", "aes-cbc", "null", ...). Returns 0 or -EINVAL. */
int pcscf_xfrm_alg_parse(const char *name, enum pcscf_xfrm_alg *out);
int pcscf_xfrm_ealg_parse(const char *name, enum pcscf_xfrm_ealg *out);

/* Derived ESP keys. Lengths in bytes. */
struct pcscf_xfrm_keys {
    uint8_t auth[20];
    size_t auth_len; /* 16 (md5) or 20 (sha1) */
    uint8_t enc[16];
    size_t enc_len; /* 0 (null) or 16 (aes-cbc) */
};

/*
 * Derives the ESP integrity and encryption keys from ik and ck (16 bytes each,
 * ck may be NULL when ealg is NONE). Returns 0 or -EINVAL.
 */
int pcscf_xfrm_derive_keys(enum pcscf_xfrm_alg alg, enum pcscf_xfrm_ealg ealg, const uint8_t *ik,
                           const uint8_t *ck, struct pcscf_xfrm_keys *out);

/* One unidirectional SA (and the policy that selects it). Addresses in network byte order. */
struct pcscf_xfrm_sa {
    int family;      /* AF_INET or AF_INET6 */
    uint8_t src[16]; /* 4 bytes used for AF_INET */
    uint8_t dst[16];
    uint16_t sport, dport; /* host byte order */
    uint32_t spi;          /* host byte order */
    uint32_t reqid;
    enum pcscf_xfrm_alg alg;
    enum pcscf_xfrm_ealg ealg;
    struct pcscf_xfrm_keys keys;
};

enum pcscf_sa_role { PCSCF_SA_IN_S = 0, PCSCF_SA_OUT_C, PCSCF_SA_IN_C, PCSCF_SA_OUT_S };

/* Everything the four SAs need, as negotiated. */
struct pcscf_xfrm_params {
    int family;
    uint8_t pcscf_addr[16], ue_addr[16];
    uint32_t spi_pc, spi_ps, spi_uc, spi_us;
    uint16_t port_pc, port_ps, port_uc, port_us;
    enum pcscf_xfrm_alg alg;
    enum pcscf_xfrm_ealg ealg;
    uint8_t ik[16], ck[16];
    uint32_t reqid_base; /* SA i gets reqid_base + i */
};

/*
 * Fills out[4] (indexed by enum pcscf_sa_role) from p. Returns 0, or -EINVAL
 * (bad family, SPI < 256, port 0).
 */
int pcscf_xfrm_plan(const struct pcscf_xfrm_params *p, struct pcscf_xfrm_sa out[4]);

/* Returns true when the SA is inbound to the P-CSCF (IN_S, IN_C). */
int pcscf_xfrm_role_is_inbound(enum pcscf_sa_role role);

/*
 * Each builder writes one netlink message (struct nlmsghdr + payload +
 * attributes, 4-byte aligned) into buf of buflen bytes, with sequence number
 * seq and flags NLM_F_REQUEST|NLM_F_ACK (plus NLM_F_CREATE|NLM_F_EXCL for the
 * NEW ones), and stores its length in *len. Return 0, -EINVAL or -ENOSPC.
 *   newsa:     XFRM_MSG_NEWSA, xfrm_usersa_info + XFRMA_ALG_AUTH_TRUNC (96-bit
 *              truncation) + XFRMA_ALG_CRYPT; transport mode, ESP, selector
 *              on addresses and ports (any upper protocol: SIP uses UDP and TCP).
 *   delsa:     XFRM_MSG_DELSA, xfrm_usersa_id (dst, spi, ESP).
 *   newpolicy: XFRM_MSG_NEWPOLICY, xfrm_userpolicy_info (dir in/out by
 *              inbound) + XFRMA_TMPL requiring ESP transport with the SA's reqid.
 *   delpolicy: XFRM_MSG_DELPOLICY, xfrm_userpolicy_id (selector + dir).
 */
int pcscf_xfrm_build_newsa(const struct pcscf_xfrm_sa *sa, uint32_t seq, void *buf, size_t buflen,
                           size_t *len);
int pcscf_xfrm_build_delsa(const struct pcscf_xfrm_sa *sa, uint32_t seq, void *buf, size_t buflen,
                           size_t *len);
int pcscf_xfrm_build_newpolicy(const struct pcscf_xfrm_sa *sa, int inbound, uint32_t seq, void *buf,
                               size_t buflen, size_t *len);
int pcscf_xfrm_build_delpolicy(const struct pcscf_xfrm_sa *sa, int inbound, uint32_t seq, void *buf,
                               size_t buflen, size_t *len);

/* Size of a buffer that holds any message above. */
#define PCSCF_XFRM_MSG_MAX 1024

#endif
