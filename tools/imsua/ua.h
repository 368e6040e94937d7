/*
 * imsua: a command-line IMS test UE. Internal header shared by its files.
 */
#ifndef IMSUA_UA_H
#define IMSUA_UA_H

#include "aka/aka.h"
#include "sip/sip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes. */
#define UA_EXIT_OK      0
#define UA_EXIT_REJECT  1
#define UA_EXIT_USAGE   2
#define UA_EXIT_TIMEOUT 3

struct ua_opts {
    char impi[256];
    char impu[256];
    uint8_t k[16];
    uint8_t opc[16];
    uint8_t amf[2];
    bool have_k;
    char password[128];
    bool have_password;
    char proxy_host[64];
    int proxy_port;
    bool tcp;
    uint32_t expires;
    bool security_client;
    bool subscribe;
    bool stay;
    uint64_t sqn_ms;
    int local_port;
    int timeout_ms;
};

/*
 * Parses argv (argv[1] must be "register") into *o. Messages go to stderr.
 * Returns 0, or UA_EXIT_USAGE on any usage error.
 */
int ua_cli_parse(int argc, char **argv, struct ua_opts *o);

/* What the UE decided about an AKA challenge (ua_auth_aka). */
enum ua_aka_verdict {
    UA_AKA_OK = 0,    /* authentic and fresh: answer with the RES digest */
    UA_AKA_RESYNC,    /* authentic but SQN out of range: answer with auts */
    UA_AKA_MAC_FAIL,  /* MAC-A wrong: the network is not authentic */
    UA_AKA_BAD_NONCE, /* nonce is not base64(RAND||AUTN) */
};

/* The inputs of a Digest answer besides the challenge. */
struct ua_auth_req {
    const char *username; /* IMPI */
    const char *method;   /* "REGISTER" */
    const char *uri;      /* Request-URI */
    const char *cnonce;   /* client nonce, hex */
    unsigned nc;          /* nonce count */
};

/*
 * UE side of AKAv1-MD5 (RFC 3310): parses the nonce of ch, checks AUTN with K
 * and OPc against ms (which records a fresh SQN), and fills *cr: with the RES
 * digest on UA_AKA_OK, with auts and the empty-password digest on
 * UA_AKA_RESYNC (§3.4). cr is untouched otherwise. Returns the verdict, or a
 * negative errno on internal failure.
 */
int ua_auth_aka(const uint8_t k[16], const uint8_t opc[16], struct aka_sqn_ms *ms,
                const struct sip_auth_challenge *ch, const struct ua_auth_req *rq,
                struct sip_auth_credentials *cr);

/*
 * Plain SIP Digest (MD5, RFC 2617) answer to ch with password.
 * Returns 0 and fills *cr, or a negative errno.
 */
int ua_auth_md5(const char *password, const struct sip_auth_challenge *ch,
                const struct ua_auth_req *rq, struct sip_auth_credentials *cr);

/* Parses hex of exactly n octets into out. Returns 0 or -EINVAL. */
int ua_hex_parse(const char *hex, uint8_t *out, size_t n);

/*
 * Runs the registration described by o until it ends (or, with o->stay, until
 * SIGINT/SIGTERM and the de-registration). Prints progress on stdout and the
 * failure cause on stderr. Returns a UA_EXIT_* code.
 */
int ua_register_run(const struct ua_opts *o);

#endif
