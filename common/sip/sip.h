/*
 * sip: SIP message helpers on top of libosip2 for the IMS registration flow.
 *
 * Parse and serialise messages, build responses, and read or write every header
 * the P-, I- and S-CSCF need (Via, Path, Service-Route, P-headers, Security-*,
 * Digest AKA challenge and credentials, Contact/Expires, Event, URIs).
 *
 * Facts about libosip2 5.3 this module relies on (checked on Debian 12):
 * - Headers osip does not know (Path, P-*, Security-*, Supported, Event...) are
 *   kept as osip_header_t in m->headers. osip lower-cases their names and splits
 *   comma-separated values into one osip_header_t per value (quotes respected).
 *   sip_msg_parse() restores the canonical spelling of the names (so "path"
 *   goes out as "Path", "k" as "Supported").
 * - osip's typed Authorization / WWW-Authenticate parser drops ck, ik, auts,
 *   integrity-protected and empty nonce/response values. sip_msg_parse()
 *   therefore keeps Authorization, WWW-Authenticate, Proxy-Authorization and
 *   Proxy-Authenticate as raw headers in m->headers (the typed lists are left
 *   empty), so they are forwarded unchanged. Read and write them with the
 *   sip_auth_* functions, which also fall back to osip's typed lists for
 *   messages built elsewhere.
 *
 * - osip_message_to_str() caches its output; a change made straight to an
 *   osip list afterwards is not seen until osip_message_force_update(m).
 *   sip_msg_to_str() and every sip_* function that changes m take care of it.
 * - osip writes its parse errors to stdout unless a trace function is set;
 *   the first sip_* call routes them to log_debug().
 *
 * Conventions: 0 on success or a negative errno; functions that return a count
 * say so. Strings returned through caller buffers are NUL-terminated; a value
 * that does not fit gives -ENOSPC. Nothing here keeps state between calls
 * except the once-only libosip2 parser initialisation.
 */
#ifndef IMSCORE_SIP_H
#define IMSCORE_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>

/* ------------------------------------------------------------------------ */
/* Parse, check, serialise, respond                                          */
/* ------------------------------------------------------------------------ */

/*
 * Parses one SIP message of len bytes (buf need not be NUL-terminated).
 * Initialises the libosip2 parser once (thread-safe). Checks the framing and
 * syntax: a valid start line, header lines with token names, the blank line
 * after the headers, Content-Length not larger than the body (extra bytes of
 * a datagram are ignored, RFC 3261 §18.3), Content-Type present with a body,
 * and a message osip can write back. It does not check which headers are
 * present: call sip_msg_check() next and answer a request that fails it with
 * a 400 (sip_response_new() needs only a Via).
 * On success *out is a new message owned by the caller (osip_message_free()).
 * On failure *out is NULL and, when why is not NULL, why holds a short reason
 * for a log line ("Bad start line", "Content-Length larger than body", ...);
 * such bytes cannot be answered and are dropped.
 * Returns 0, -EINVAL (bad arguments), -ENOMEM, or -EBADMSG.
 */
int sip_msg_parse(const char *buf, size_t len, osip_message_t **out, char *why, size_t whylen);

/*
 * Checks the headers every message needs: Via (the top one with a branch),
 * From (with a tag, for requests), To, Call-ID, CSeq (valid number; for
 * requests its method equals the request method), Max-Forwards (0..255 when
 * present) and Content-Length (equal to the body length when present).
 * On failure reason receives the phrase to put in a 400 ("Missing Call-ID",
 * "CSeq method mismatch", ...). Returns 0 or -EBADMSG.
 */
int sip_msg_check(const osip_message_t *m, char *reason, size_t reasonlen);

/*
 * Serialises m. On success *out is a NUL-terminated string of *len bytes
 * (without the NUL) allocated by libosip2: free it with osip_free(). len may
 * be NULL. The text is always rebuilt from the structure: libosip2's own
 * osip_message_to_str() returns the text cached by its previous call when
 * the message was changed straight through its lists (osip_list_remove on
 * m->vias, ...), unless osip_message_force_update() was called.
 * Returns 0, -EINVAL (NULL argument, or osip cannot serialise m) or -ENOMEM.
 */
int sip_msg_to_str(osip_message_t *m, char **out, size_t *len);

/*
 * Builds a response to the request req (RFC 3261 §8.2.6): status line with
 * code and reason (NULL: the standard phrase), all Via headers in order, From,
 * To, Call-ID, CSeq (each when req has it, so that a malformed request can
 * still get its 400) and Content-Length: 0. When code > 100 and To has no tag,
 * the tag to_tag is added (NULL: a random one). *out is owned by the caller
 * (osip_message_free()). Returns 0, -EINVAL (req is not a request, has no
 * Via, or code is out of 100..699) or -ENOMEM.
 */
int sip_response_new(const osip_message_t *req, int code, const char *reason, const char *to_tag,
                     osip_message_t **out);

/* Returns true when m is a request whose method is method (case-sensitive). */
bool sip_msg_is_method(const osip_message_t *m, const char *method);

/*
 * Writes n random bytes as 2n lowercase hex digits into buf (for tags,
 * branches, icid values). Returns 0, -ENOSPC when buflen < 2n+1, or -EIO.
 */
int sip_random_hex(char *buf, size_t buflen, size_t n);

/* ------------------------------------------------------------------------ */
/* Generic headers (those osip keeps in m->headers)                          */
/* ------------------------------------------------------------------------ */
/*
 * name is matched case-insensitively and compact forms are equivalent
 * ("Supported" = "k", "Event" = "o", ...). These functions refuse (-EINVAL)
 * names osip parses into typed fields (Via, Route, Contact, ...), except the
 * four authentication headers, which sip_msg_parse() keeps raw.
 */

/* Returns the number of header values named name (osip stores one per value). */
int sip_hdr_count(const osip_message_t *m, const char *name);

/*
 * Returns the n-th (0-based) value of header name, or NULL. The pointer
 * belongs to m and is valid until m changes. An empty header gives "".
 */
const char *sip_hdr_get(const osip_message_t *m, const char *name, int n);

/* Appends "name: value" after the other extension headers. Returns 0, -EINVAL, -ENOMEM. */
int sip_hdr_add(osip_message_t *m, const char *name, const char *value);

/* Inserts "name: value" before the first header of that name (or at the end). */
int sip_hdr_prepend(osip_message_t *m, const char *name, const char *value);

/* Removes every header named name. Returns the number removed, or -EINVAL. */
int sip_hdr_remove(osip_message_t *m, const char *name);

/* Removes every header named name, then adds one with value. Returns 0 or <0. */
int sip_hdr_replace(osip_message_t *m, const char *name, const char *value);

/*
 * Returns true when a comma-separated token header (Require, Supported,
 * Proxy-Require, Allow-Events...) contains token (case-insensitive), across
 * all headers of that name.
 */
bool sip_hdr_has_token(const osip_message_t *m, const char *name, const char *token);

/*
 * Reads a header whose value starts with a number (Expires, Min-Expires,
 * Max-Forwards, Retry-After with an optional comment and params). Returns 0,
 * -ENOENT when absent, -EBADMSG when not a number in 0..2^32-1.
 */
int sip_hdr_get_uint(const osip_message_t *m, const char *name, uint32_t *out);

/* Replaces header name with the decimal value v. Returns 0 or <0. */
int sip_hdr_set_uint(osip_message_t *m, const char *name, uint32_t v);

/* ------------------------------------------------------------------------ */
/* Generic parameters and quoting                                             */
/* ------------------------------------------------------------------------ */

#define SIP_PARAM_NAME_MAX  48
#define SIP_PARAM_VALUE_MAX 256
#define SIP_PARAMS_MAX      12

/* One ";name=value" parameter. value is unquoted; has_value false for a flag. */
struct sip_param {
    char name[SIP_PARAM_NAME_MAX];
    char value[SIP_PARAM_VALUE_MAX];
    bool has_value;
    bool quoted; /* the value was a quoted-string on the wire */
};

/*
 * Unquotes an RFC 3261/2617 quoted-string of len bytes starting at s (with
 * its quotes) into out, resolving backslash escapes. A value without quotes
 * is copied as is. Returns 0, -EBADMSG (unterminated quote) or -ENOSPC.
 */
int sip_unquote(const char *s, size_t len, char *out, size_t outlen);

/*
 * Writes value as a quoted-string (with quotes, escaping '"' and '\') into
 * out. Returns 0 or -ENOSPC.
 */
int sip_quote(const char *value, char *out, size_t outlen);

/* ------------------------------------------------------------------------ */
/* URIs                                                                      */
/* ------------------------------------------------------------------------ */

#define SIP_URI_MAX 512

/* Writes osip's text of uri into out. Returns 0, -EINVAL, -ENOMEM or -ENOSPC. */
int sip_uri_to_buf(const osip_uri_t *uri, char *out, size_t outlen);

/*
 * Derives the address-of-record of a sip, sips or tel URI given as text
 * (with or without <>): "sip:user@host[:port]" with scheme and host in lower
 * case and all parameters and headers dropped; a default port (5060 for sip,
 * 5061 for sips) is dropped too. For tel: "tel:" + the number without visual
 * separators (-.()) plus ";phone-context=..." when present.
 * Returns 0, -EINVAL (not a sip/sips/tel URI), -ENOSPC.
 */
int sip_uri_aor(const char *uri, char *out, size_t outlen);

/*
 * Returns true when two URIs name the same address of record: equal scheme,
 * user (case-sensitive, %-escapes decoded), host (case-insensitive) and port
 * (absent = default port); URI parameters ignored. tel URIs compare by number.
 * Unparsable input compares unequal.
 */
bool sip_uri_aor_is_equal(const char *a, const char *b);

/* ------------------------------------------------------------------------ */
/* Name-addr lists: Route, Record-Route, Path, Service-Route,                */
/* P-Associated-URI, P-Asserted-Identity, P-Preferred-Identity               */
/* ------------------------------------------------------------------------ */

struct sip_addr {
    char display[128];        /* display name, unquoted, may be empty */
    char uri[SIP_URI_MAX];    /* the URI without <> (with its own ;params) */
    char params[SIP_URI_MAX]; /* header params after '>', e.g. ";tag=1", or "" */
};

/*
 * Parses one name-addr or addr-spec ("Bob" <sip:b@h;lr>;x=y, or sip:b@h).
 * Returns 0, -EBADMSG or -ENOSPC.
 */
int sip_addr_parse(const char *value, struct sip_addr *out);

/*
 * Reads every entry of header hname in order, across repeated headers and
 * comma-separated values in one header. "Route" and "Record-Route" are read
 * from osip's typed lists, other names from m->headers.
 * Returns the number of entries stored in out (at most max), -E2BIG when
 * there are more than max, -EBADMSG when an entry does not parse.
 */
int sip_addr_list_get(const osip_message_t *m, const char *hname, struct sip_addr *out, size_t max);

/*
 * Adds "<uri[;lr]>" to header hname: at the top when prepend (a proxy adding
 * its Path or Record-Route), else at the bottom. ";lr" is appended inside the
 * brackets when lr is true and uri has no lr parameter yet. Works for Route
 * and Record-Route too (typed osip lists). Returns 0, -EINVAL or -ENOMEM.
 */
int sip_addr_list_add(osip_message_t *m, const char *hname, const char *uri, bool lr, bool prepend);

/* ------------------------------------------------------------------------ */
/* Via                                                                       */
/* ------------------------------------------------------------------------ */

struct sip_via_info {
    char transport[16]; /* "UDP", "TCP", ... */
    char host[256];     /* sent-by host */
    int port;           /* sent-by port, 0 when absent */
    char branch[128];   /* "" when absent */
    char received[64];  /* "" when absent */
    int rport;          /* -1 absent, 0 present without value, else the value */
};

/* Reads the top Via. Returns 0, -ENOENT (no Via) or -EBADMSG (bad port). */
int sip_via_top(const osip_message_t *m, struct sip_via_info *out);

/* ------------------------------------------------------------------------ */
/* P-Access-Network-Info, P-Visited-Network-ID, P-Charging-Vector            */
/* ------------------------------------------------------------------------ */

struct sip_pani {
    char access_type[64]; /* e.g. "3GPP-E-UTRAN-FDD" */
    struct sip_param params[SIP_PARAMS_MAX];
    size_t n_params;
    bool network_provided; /* the "network-provided" flag is present */
};

/* Parses a P-Access-Network-Info value. Returns 0, -EBADMSG or -ENOSPC. */
int sip_pani_parse(const char *value, struct sip_pani *out);

/* Reads the n-th P-Access-Network-Info of m. Returns 0, -ENOENT, -EBADMSG. */
int sip_pani_get(const osip_message_t *m, int n, struct sip_pani *out);

/*
 * Returns the value of parameter name of pani (for example
 * "utran-cell-id-3gpp"), or NULL when absent. Borrowed from pani.
 */
const char *sip_pani_param(const struct sip_pani *pani, const char *name);

/*
 * Reads the n-th P-Visited-Network-ID value (quoted-string unquoted, or the
 * token) into out. Returns 0, -ENOENT, -EBADMSG or -ENOSPC.
 */
int sip_pvni_get(const osip_message_t *m, int n, char *out, size_t outlen);

/* Appends a P-Visited-Network-ID, quoting value unless it is a token. */
int sip_pvni_add(osip_message_t *m, const char *value);

struct sip_pcv {
    char icid[128];                         /* icid-value, required */
    char icid_gen_at[128];                  /* icid-generated-at, "" when absent */
    char orig_ioi[128];                     /* "" when absent */
    char term_ioi[128];                     /* "" when absent */
    struct sip_param other[SIP_PARAMS_MAX]; /* other params, kept in order */
    size_t n_other;
};

/* Parses a P-Charging-Vector value. Returns 0, -EBADMSG (no icid-value) or -ENOSPC. */
int sip_pcv_parse(const char *value, struct sip_pcv *out);

/* Reads the P-Charging-Vector of m. Returns 0, -ENOENT or -EBADMSG. */
int sip_pcv_get(const osip_message_t *m, struct sip_pcv *out);

/*
 * Sets the log trace id of the calling thread (log_trace_set()) from m: the
 * icid of its P-Charging-Vector, else its Call-ID; NULL m clears it.
 */
void sip_log_trace(const osip_message_t *m);

/* Writes pcv as a header value into buf. Returns 0, -EINVAL or -ENOSPC. */
int sip_pcv_build(const struct sip_pcv *pcv, char *buf, size_t buflen);

/* Replaces m's P-Charging-Vector with pcv. Returns 0 or <0. */
int sip_pcv_set(osip_message_t *m, const struct sip_pcv *pcv);

/* Generates a fresh random icid-value (32 hex digits). Returns 0, -ENOSPC, -EIO. */
int sip_icid_generate(char *buf, size_t buflen);

/* ------------------------------------------------------------------------ */
/* Security-Client / -Server / -Verify (RFC 3329, TS 33.203 ipsec-3gpp)       */
/* ------------------------------------------------------------------------ */

#define SIP_SEC_MECH_MAX 8

struct sip_sec_mech {
    char mech[32]; /* "ipsec-3gpp", "tls", "digest", ... */
    int q;         /* q-value in thousandths (0..1000), -1 when absent */
    char alg[32];  /* "" when absent */
    char ealg[32]; /* "" when absent */
    char prot[8];  /* "" when absent */
    char mod[16];  /* "" when absent */
    int64_t spi_c; /* 0..4294967295, -1 when absent */
    int64_t spi_s;
    int32_t port_c; /* 1..65535, -1 when absent */
    int32_t port_s;
    struct sip_param unknown[4]; /* other parameters, in order */
    size_t n_unknown;
};

/* Sets every field of mech to "absent". */
void sip_sec_mech_init(struct sip_sec_mech *mech);

/*
 * Parses a Security-* header value holding one or more comma-separated
 * mechanisms into out[0..max). Rejects duplicate parameters, spi outside
 * 0..4294967295, port outside 1..65535, q outside 0..1, prot other than
 * ah/esp, mod other than trans/tun/UDP-enc-tun, and non-token values.
 * Returns the number of mechanisms, or -EBADMSG (why says what is wrong),
 * -E2BIG (more than max).
 */
int sip_sec_parse(const char *value, struct sip_sec_mech *out, size_t max, char *why,
                  size_t whylen);

/*
 * Reads every mechanism of header hname ("Security-Client", ...) in m.
 * Returns the count (0 when absent) or an error as sip_sec_parse().
 */
int sip_sec_get(const osip_message_t *m, const char *hname, struct sip_sec_mech *out, size_t max,
                char *why, size_t whylen);

/*
 * Writes one mechanism in canonical order:
 * mech;q=..;prot=..;mod=..;spi-c=..;spi-s=..;port-c=..;port-s=..;alg=..;ealg=..
 * followed by unknown params. Absent fields are left out. Returns 0 or -ENOSPC.
 */
int sip_sec_mech_build(const struct sip_sec_mech *mech, char *buf, size_t buflen);

/* Writes n mechanisms separated by ", ". Returns 0 or -ENOSPC. */
int sip_sec_build(const struct sip_sec_mech *mechs, size_t n, char *buf, size_t buflen);

/*
 * Returns true when two mechanism lists are equal: same count, and mechanism
 * i of a equals mechanism i of b (name case-insensitive, every parameter
 * equal by value; parameter order on the wire does not matter). Use it to
 * check that Security-Verify equals the Security-Server that was sent.
 */
bool sip_sec_is_equal(const struct sip_sec_mech *a, size_t na, const struct sip_sec_mech *b,
                      size_t nb);

/* ------------------------------------------------------------------------ */
/* Digest challenge and credentials (RFC 2617, RFC 3310, TS 24.229)           */
/* ------------------------------------------------------------------------ */

#define SIP_AUTH_EXTRA_MAX 6

struct sip_auth_challenge {
    char scheme[16]; /* "Digest" */
    char realm[128];
    char domain[256];
    char nonce[256];
    char opaque[128];
    char algorithm[32]; /* "AKAv1-MD5", "MD5", "" when absent */
    char qop[64];       /* qop-options unquoted, e.g. "auth,auth-int" */
    bool stale;
    char ck[64]; /* hex, "" when absent (S-CSCF -> P-CSCF only) */
    char ik[64];
    struct sip_param extra[SIP_AUTH_EXTRA_MAX]; /* other params, kept */
    size_t n_extra;
};

struct sip_auth_credentials {
    char scheme[16];
    char username[256];
    char realm[128];
    char nonce[256];
    char uri[SIP_URI_MAX];
    char response[64];
    char algorithm[32];
    char cnonce[128];
    char nc[16];
    char qop[16];
    char opaque[128];
    char auts[64];
    char integrity_protected[32]; /* "yes", "no", "tls-pending", ... or "" */
    struct sip_param extra[SIP_AUTH_EXTRA_MAX];
    size_t n_extra;
};

/*
 * Parses a WWW-Authenticate / Proxy-Authenticate value. realm and nonce are
 * required for Digest. Returns 0, -EBADMSG (why tells) or -ENOSPC.
 */
int sip_auth_challenge_parse(const char *value, struct sip_auth_challenge *out, char *why,
                             size_t whylen);

/*
 * Writes ch as a header value: Digest realm="..", nonce="..", algorithm=..,
 * qop="..", ck="..", ik="..", opaque="..", stale=true, then extra params.
 * Returns 0, -EINVAL or -ENOSPC.
 */
int sip_auth_challenge_build(const struct sip_auth_challenge *ch, char *buf, size_t buflen);

/*
 * Reads the n-th WWW-Authenticate (or Proxy-Authenticate when proxy) of m.
 * Returns 0, -ENOENT, or an error as sip_auth_challenge_parse().
 */
int sip_auth_challenge_get(const osip_message_t *m, bool proxy, int n,
                           struct sip_auth_challenge *out, char *why, size_t whylen);

/* Appends a WWW-Authenticate (Proxy-Authenticate when proxy) built from ch. */
int sip_auth_challenge_add(osip_message_t *m, bool proxy, const struct sip_auth_challenge *ch);

/*
 * P-CSCF: removes ck and ik from every WWW-Authenticate of m, keeping all
 * other parameters. The ck and ik of the first challenge are copied into ck
 * and ik when those are not NULL ("" when absent).
 * Returns 0, -ENOENT (no WWW-Authenticate), -EBADMSG or -ENOSPC.
 */
int sip_auth_challenge_take_keys(osip_message_t *m, char *ck, size_t cklen, char *ik, size_t iklen);

/*
 * Parses an Authorization / Proxy-Authorization value. username, realm,
 * nonce, uri and response are required (they may be empty quoted strings, as
 * in an initial IMS REGISTER). Returns 0, -EBADMSG (why tells) or -ENOSPC.
 */
int sip_auth_credentials_parse(const char *value, struct sip_auth_credentials *out, char *why,
                               size_t whylen);

/*
 * Writes cr as a header value. username, realm, nonce, uri and response are
 * always written (quoted, possibly empty); the others when not empty.
 * Returns 0, -EINVAL or -ENOSPC.
 */
int sip_auth_credentials_build(const struct sip_auth_credentials *cr, char *buf, size_t buflen);

/*
 * Reads the n-th Authorization (Proxy-Authorization when proxy) of m.
 * Returns 0, -ENOENT or an error as sip_auth_credentials_parse().
 */
int sip_auth_credentials_get(const osip_message_t *m, bool proxy, int n,
                             struct sip_auth_credentials *out, char *why, size_t whylen);

/* Appends an Authorization (Proxy-Authorization when proxy) built from cr. */
int sip_auth_credentials_add(osip_message_t *m, bool proxy, const struct sip_auth_credentials *cr);

/*
 * P-CSCF: sets integrity-protected="value" on every Authorization of m
 * (replacing any existing one). Returns 0, -ENOENT (no Authorization),
 * -EBADMSG or -ENOSPC.
 */
int sip_auth_set_integrity_protected(osip_message_t *m, const char *value);

/* ------------------------------------------------------------------------ */
/* Contact, Expires, Event, Subscription-State                               */
/* ------------------------------------------------------------------------ */

/* Returns true when m has the wildcard "Contact: *". */
bool sip_contact_is_star(const osip_message_t *m);

/*
 * Copies the value of parameter name of contact c, unquoted, into out ("" for
 * a flag parameter). Returns 0, -ENOENT, -EBADMSG or -ENOSPC.
 */
int sip_contact_param_get(const osip_contact_t *c, const char *name, char *out, size_t outlen);

/*
 * Effective expiry of contact c in m (RFC 3261 §10.2.1/§10.3): its expires
 * parameter, else the Expires header, else dflt; then bounded to max when
 * max > 0 (the registrar's maximum). Returns 0 or -EBADMSG (a non-numeric
 * value). The registrar compares the result with its minimum itself (423).
 */
int sip_contact_expires(const osip_message_t *m, const osip_contact_t *c, uint32_t dflt,
                        uint32_t max, uint32_t *out);

/* Sets (or replaces) the expires parameter of c. Returns 0 or -ENOMEM. */
int sip_contact_set_expires(osip_contact_t *c, uint32_t expires);

/*
 * Reads +sip.instance of c, unquoted (e.g. "<urn:gsma:imei:...>"), into out.
 * Returns 0, -ENOENT, -EBADMSG or -ENOSPC.
 */
int sip_contact_instance(const osip_contact_t *c, char *out, size_t outlen);

/* Reads reg-id of c. Returns 0, -ENOENT or -EBADMSG (not 1..2^31-1). */
int sip_contact_reg_id(const osip_contact_t *c, uint32_t *out);

/* Returns true when contact c carries feature tag name (e.g. "+g.3gpp.icsi-ref"). */
bool sip_contact_has_param(const osip_contact_t *c, const char *name);

/*
 * Reads the Event header: package into pkg (e.g. "reg") and the id parameter
 * into id ("" when absent; id may be NULL). Returns 0, -ENOENT, -EBADMSG, -ENOSPC.
 */
int sip_event_get(const osip_message_t *m, char *pkg, size_t pkglen, char *id, size_t idlen);

struct sip_substate {
    char state[16];      /* "active", "pending", "terminated" */
    int64_t expires;     /* -1 when absent */
    char reason[32];     /* "" when absent */
    int64_t retry_after; /* -1 when absent */
};

/* Parses a Subscription-State value. Returns 0, -EBADMSG or -ENOSPC. */
int sip_substate_parse(const char *value, struct sip_substate *out);

/* Reads the Subscription-State of m. Returns 0, -ENOENT or -EBADMSG. */
int sip_substate_get(const osip_message_t *m, struct sip_substate *out);

/* Writes a Subscription-State value from st. Returns 0, -EINVAL or -ENOSPC. */
int sip_substate_build(const struct sip_substate *st, char *buf, size_t buflen);

#endif
