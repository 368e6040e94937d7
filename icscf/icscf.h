/*
 * icscf.h: the pure parts of the I-CSCF (no I/O), shared by the daemon and its
 * unit tests: the private identity derived from a public one (TS 23.003),
 * S-CSCF selection by capabilities (TS 29.228 §6.7, TS 24.229 §5.3.1.2) and
 * the mapping of UAA/LIA outcomes to SIP answers (TS 29.228 §6.1.1, §6.1.4).
 */
#ifndef IMSCORE_ICSCF_H
#define IMSCORE_ICSCF_H

#include "cx/cx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICSCF_MAX_SCSCFS 16

/* One S-CSCF of icscf.conf. */
struct icscf_scscf {
    char name[256]; /* its SIP URI, the Server-Name the HSS knows it by */
    char host[64];  /* numeric address to send to */
    int port;
    int proto; /* enum txn_proto */
    uint32_t caps[CX_MAX_CAPS];
    size_t n_caps;
};

/*
 * Derives the private identity of impu when a REGISTER has no Authorization
 * (TS 23.003 §13.3 read backwards: the IMPU without its scheme, parameters and
 * port): "sip:user@host:port;x" gives "user@host". Only sip and sips URIs
 * carry a user and a host; a tel URI gives -EINVAL. Writes into out[len].
 * Returns 0, -EINVAL (not a sip/sips URI with user@host) or -ENOSPC.
 */
int icscf_impi_derive(const char *impu, char *out, size_t len);

/*
 * Orders the S-CSCFs of list[n] able to serve a user whose Server-Capabilities
 * are caps (NULL or not present: no requirement): those offering every
 * mandatory capability, most optional capabilities first; among equals, those
 * the HSS names in caps->server_names first, then configuration order.
 * Stores up to max indexes into list in order[] and returns their count.
 */
size_t icscf_scscf_rank(const struct icscf_scscf *list, size_t n, const struct cx_caps *caps,
                        size_t *order, size_t max);

/*
 * Finds the entry of list[n] whose name is the same SIP URI as server_name
 * (scheme, user, host case-insensitively, port). Returns its index or -1.
 */
int icscf_scscf_find(const struct icscf_scscf *list, size_t n, const char *server_name);

/* What to do with a UAA or LIA. */
enum icscf_route {
    ICSCF_ROUTE_REPLY,       /* answer the request with reply->code */
    ICSCF_ROUTE_SERVER_NAME, /* forward to the Server-Name of the answer */
    ICSCF_ROUTE_SELECT,      /* choose an S-CSCF by the Server-Capabilities */
};

/* A SIP answer decided by icscf_cx_route(). reason is a static string. */
struct icscf_reply {
    int code;
    const char *reason;
    bool retry_after; /* add Retry-After (the HSS could not be used) */
};

/*
 * Decides what a UAA (lir false) or an LIA (lir true) means for the SIP request.
 * status is the cx_send_* callback status (0: answer in r; otherwise the HSS
 * was unreachable, timed out or answered an error). has_server_name says the
 * answer carries a Server-Name. hss_fail_code (480 or 500) is the answer when
 * the HSS cannot be used. Mapping:
 *  - UAA FIRST_REGISTRATION: Server-Name if given, else SELECT;
 *    SUBSEQUENT_REGISTRATION / SUCCESS: Server-Name (SELECT without one);
 *  - LIA SUCCESS: Server-Name, else SELECT; UNREGISTERED_SERVICE: Server-Name
 *    or SELECT;
 *  - USER_UNKNOWN: 403 (UAA) / 404 (LIA); IDENTITIES_DONT_MATCH 403;
 *    ROAMING_NOT_ALLOWED 403 "Roaming Not Allowed"; AUTHORIZATION_REJECTED 403;
 *    IDENTITY_NOT_REGISTERED 480 (LIA) or 403 (UAA de-registration);
 *  - HSS unreachable, timed out, busy or unable to comply: hss_fail_code with
 *    Retry-After; any other error 403 (UAA) or 500.
 * Fills *reply for ICSCF_ROUTE_REPLY. r may be NULL when status != 0.
 */
enum icscf_route icscf_cx_route(bool lir, int status, const struct cx_result *r,
                                bool has_server_name, int hss_fail_code, struct icscf_reply *reply);

#endif
