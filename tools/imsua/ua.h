/*
 * imsua: a command-line IMS test UE. Internal header shared by its files.
 *
 * Layers (one event loop, one transport socket per process):
 *   ua_net.c       transport, client transactions (retransmission, timeout, match by
 *                  Via branch) and dispatch of incoming requests by Call-ID;
 *   ua_register.c  one UE's REGISTER procedure (AKA / AUTS / Digest), refresh, de-register;
 *   ua_subscribe.c one UE's reg-event subscription (SUBSCRIBE, NOTIFY, reginfo);
 *   ua_run.c       the "register" command (--subscribe, --stay, signals);
 *   ua_load.c      the "load" command (many UEs, rate limit, latency report);
 *   ua_csv.c       the subscriber file of "load".
 */
#ifndef IMSUA_UA_H
#define IMSUA_UA_H

#include "aka/aka.h"
#include "sip/sip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes. */
#define UA_EXIT_OK      0
#define UA_EXIT_REJECT  1
#define UA_EXIT_USAGE   2
#define UA_EXIT_TIMEOUT 3

/* One subscriber's credentials. */
struct ua_cred {
    char impi[256];
    char impu[256];
    uint8_t k[16];
    uint8_t opc[16];
    uint8_t amf[2];
    bool have_k; /* AKA; else Digest with password */
    char password[128];
};

struct ua_opts {
    bool load; /* "imsua load" rather than "imsua register" */
    struct ua_cred cred;
    char proxy_host[64];
    int proxy_port;
    bool tcp;
    uint32_t expires;
    bool security_client;
    bool subscribe;
    bool stay;
    uint64_t sqn_ms;
    char bind[64];      /* local address to bind ("127.0.0.1" by default) */
    char advertise[64]; /* address put in Via/Contact; "" = bind, or probed when wildcard */
    int local_port;     /* 0: any */
    int timeout_ms;
    /* load mode */
    char subscribers[512];
    double rate;     /* registrations started per second */
    double duration; /* seconds during which registrations are started */
    int concurrency; /* most registrations in flight */
    bool json;
};

/*
 * Parses argv (argv[1] must be "register" or "load") into *o. Messages go to
 * stderr. Returns 0, or UA_EXIT_USAGE on any usage error.
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
 * Parses a key given on the command line or in a subscriber file: 2n hex
 * digits, or "ascii:TEXT" of exactly n printable characters. Returns 0 or
 * -EINVAL.
 */
int ua_key_parse(const char *text, uint8_t *out, size_t n);

/*
 * Reads the subscriber file of "imsua load" (docs/imsua.md): CSV lines
 * "impi,impu,k,op,amf" (amf optional, default 8000), '#' comments and blank
 * lines ignored, an optional header line starting with "impi,". Keys as
 * ua_key_parse(); OPc is derived from OP. On success *out is a malloc'ed
 * array of *n entries owned by the caller (free()), and 0 is returned. On
 * failure returns -EINVAL (err names FILE:LINE and why), -ENOENT or -ENOMEM,
 * and *out is NULL.
 */
int ua_csv_load(const char *path, struct ua_cred **out, size_t *n, char *err, size_t errlen);

/*
 * Runs the "register" command described by o until it ends (or, with o->stay,
 * until SIGINT/SIGTERM and the de-registration). Prints progress on stdout and
 * the failure cause on stderr. Returns a UA_EXIT_* code.
 */
int ua_register_run(const struct ua_opts *o);

/*
 * Runs the "load" command described by o and prints its report on stdout
 * (text, or one JSON object with o->json). Returns UA_EXIT_OK when every
 * attempt succeeded, UA_EXIT_REJECT when one failed, UA_EXIT_USAGE on a bad
 * subscriber file or socket.
 */
int ua_load_run(const struct ua_opts *o);

#endif
