/*
 * cx: the Diameter Cx/Dx application (3GPP TS 29.229, application 16777216,
 * vendor 10415) on top of freeDiameter 1.2.1. This module is the only place
 * that knows Cx AVPs: the HSS, the I-CSCF and the S-CSCF all use it.
 *
 * What it gives:
 *  - cx_init()/cx_start()/cx_shutdown(): the freeDiameter core, its log routed
 *    into the log module, and the Cx dictionary (built after the config is
 *    parsed, reusing every AVP that dict_dcca_3gpp already defined).
 *  - plain structs for UAR/UAA, MAR/MAA, SAR/SAA, LIR/LIA, RTR/RTA, PPR/PPA
 *    with builders (cx_X_build) and readers (cx_X_parse).
 *  - cx_request_check()/cx_answer_error(): the TS 29.229 §6.1 rules table used
 *    to answer DIAMETER_MISSING_AVP / DIAMETER_INVALID_AVP_VALUE.
 *  - an async client (cx_send_X) whose callbacks run on the caller's loop
 *    thread, and two ways to serve requests: on freeDiameter's threads
 *    (cx_register_server, for the HSS) or on a loop (cx_serve_rtr/ppr, for the
 *    S-CSCF).
 *
 * freeDiameter configuration file (passed to cx_init) keys that matter:
 *
 *   Identity = "hss.localdomain";       # our Diameter identity (Origin-Host)
 *   Realm = "localdomain";              # our realm (Origin-Realm)
 *   Port = 3868;                        # TCP listen port
 *   SecPort = 0;                        # REQUIRED without TLS_Cred, else parse fails
 *   No_SCTP;                            # TCP only
 *   ListenOn = "127.0.0.1";             # loopback is filtered by fd 1.2.1: it then
 *                                       # listens on all addresses (see reference §6)
 *   ConnectPeer = "icscf.localdomain" { ConnectTo = "127.0.0.1"; No_TLS; Port = 3869; };
 *   # Optional 3GPP dictionaries; order matters, and they must all be loaded
 *   # or none (dict_dcca_3gpp needs the other two first):
 *   LoadExtension = "dict_nasreq.fdx";
 *   LoadExtension = "dict_dcca.fdx";
 *   LoadExtension = "dict_dcca_3gpp.fdx";
 *   # To accept peers not listed with ConnectPeer:
 *   # LoadExtension = "acl_wl.fdx" : "/path/acl_wl.conf";  (ALLOW_IPSEC *.localdomain)
 *
 * Do not load dict_sip.fdx (RFC 4740): it reuses Cx AVP names for vendor 0.
 *
 * Threads: freeDiameter is one core per process; cx_init() may be called once.
 * Builders and parsers are thread-safe (they only touch the message given).
 */
#ifndef IMSCORE_CX_H
#define IMSCORE_CX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct msg;  /* freeDiameter message (libfdproto.h) */
struct loop; /* loop/loop.h */

/* ---------------------------------------------------------------------------
 * Constants
 */
#define CX_VENDOR_3GPP 10415u
#define CX_APP_ID      16777216u

#define CX_CMD_UAR 300 /* User-Authorization */
#define CX_CMD_SAR 301 /* Server-Assignment */
#define CX_CMD_LIR 302 /* Location-Info */
#define CX_CMD_MAR 303 /* Multimedia-Auth */
#define CX_CMD_RTR 304 /* Registration-Termination */
#define CX_CMD_PPR 305 /* Push-Profile */

/* Cx AVP codes (vendor 10415) used by this module. */
enum cx_avp_code {
    CX_AVP_VISITED_NETWORK_ID = 600,
    CX_AVP_PUBLIC_IDENTITY = 601,
    CX_AVP_SERVER_NAME = 602,
    CX_AVP_SERVER_CAPABILITIES = 603,
    CX_AVP_MANDATORY_CAPABILITY = 604,
    CX_AVP_OPTIONAL_CAPABILITY = 605,
    CX_AVP_USER_DATA = 606,
    CX_AVP_SIP_NUMBER_AUTH_ITEMS = 607,
    CX_AVP_SIP_AUTH_SCHEME = 608,
    CX_AVP_SIP_AUTHENTICATE = 609,
    CX_AVP_SIP_AUTHORIZATION = 610,
    CX_AVP_SIP_AUTH_CONTEXT = 611,
    CX_AVP_SIP_AUTH_DATA_ITEM = 612,
    CX_AVP_SIP_ITEM_NUMBER = 613,
    CX_AVP_SERVER_ASSIGNMENT_TYPE = 614,
    CX_AVP_DEREGISTRATION_REASON = 615,
    CX_AVP_REASON_CODE = 616,
    CX_AVP_REASON_INFO = 617,
    CX_AVP_CHARGING_INFORMATION = 618,
    CX_AVP_PRIMARY_EVENT_CFN = 619,
    CX_AVP_SECONDARY_EVENT_CFN = 620,
    CX_AVP_PRIMARY_CCFN = 621,
    CX_AVP_SECONDARY_CCFN = 622,
    CX_AVP_USER_AUTHORIZATION_TYPE = 623,
    CX_AVP_USER_DATA_ALREADY_AVAILABLE = 624,
    CX_AVP_CONFIDENTIALITY_KEY = 625,
    CX_AVP_INTEGRITY_KEY = 626,
    CX_AVP_SUPPORTED_FEATURES = 628,
    CX_AVP_FEATURE_LIST_ID = 629,
    CX_AVP_FEATURE_LIST = 630,
    CX_AVP_SUPPORTED_APPLICATIONS = 631,
    CX_AVP_ASSOCIATED_IDENTITIES = 632,
    CX_AVP_ORIGINATING_REQUEST = 633,
    CX_AVP_WILDCARDED_PUBLIC_IDENTITY = 634,
    CX_AVP_SIP_DIGEST_AUTHENTICATE = 635,
    CX_AVP_UAR_FLAGS = 637,
    CX_AVP_SESSION_PRIORITY = 650,
    CX_AVP_LIA_FLAGS = 653,
    CX_AVP_SAR_FLAGS = 655,
};

/* Server-Assignment-Type (614) */
enum cx_sat {
    CX_SAT_NO_ASSIGNMENT = 0,
    CX_SAT_REGISTRATION = 1,
    CX_SAT_RE_REGISTRATION = 2,
    CX_SAT_UNREGISTERED_USER = 3,
    CX_SAT_TIMEOUT_DEREGISTRATION = 4,
    CX_SAT_USER_DEREGISTRATION = 5,
    CX_SAT_TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME = 6,
    CX_SAT_USER_DEREGISTRATION_STORE_SERVER_NAME = 7,
    CX_SAT_ADMINISTRATIVE_DEREGISTRATION = 8,
    CX_SAT_AUTHENTICATION_FAILURE = 9,
    CX_SAT_AUTHENTICATION_TIMEOUT = 10,
    CX_SAT_DEREGISTRATION_TOO_MUCH_DATA = 11,
    CX_SAT_AAA_USER_DATA_REQUEST = 12,
    CX_SAT_PGW_UPDATE = 13,
    CX_SAT_RESTORATION = 14,
};

/* User-Authorization-Type (623) */
enum cx_uat {
    CX_UAT_REGISTRATION = 0,
    CX_UAT_DE_REGISTRATION = 1,
    CX_UAT_REGISTRATION_AND_CAPABILITIES = 2,
};

/* User-Data-Already-Available (624) */
enum cx_udaa {
    CX_USER_DATA_NOT_AVAILABLE = 0,
    CX_USER_DATA_ALREADY_AVAILABLE = 1,
};

/* Reason-Code (616) */
enum cx_reason_code {
    CX_REASON_PERMANENT_TERMINATION = 0,
    CX_REASON_NEW_SERVER_ASSIGNED = 1,
    CX_REASON_SERVER_CHANGE = 2,
    CX_REASON_REMOVE_SCSCF = 3,
};

/* Originating-Request (633) */
#define CX_ORIGINATING 0

/* Base Result-Code (268) values, RFC 6733. */
#define CX_DIAMETER_SUCCESS                   2001
#define CX_DIAMETER_LIMITED_SUCCESS           2002
#define CX_DIAMETER_COMMAND_UNSUPPORTED       3001
#define CX_DIAMETER_UNABLE_TO_DELIVER         3002
#define CX_DIAMETER_REALM_NOT_SERVED          3003
#define CX_DIAMETER_TOO_BUSY                  3004
#define CX_DIAMETER_LOOP_DETECTED             3005
#define CX_DIAMETER_REDIRECT_INDICATION       3006
#define CX_DIAMETER_APPLICATION_UNSUPPORTED   3007
#define CX_DIAMETER_INVALID_HDR_BITS          3008
#define CX_DIAMETER_INVALID_AVP_BITS          3009
#define CX_DIAMETER_UNKNOWN_PEER              3010
#define CX_DIAMETER_AUTHENTICATION_REJECTED   4001
#define CX_DIAMETER_OUT_OF_SPACE              4002
#define CX_DIAMETER_ELECTION_LOST             4003
#define CX_DIAMETER_AVP_UNSUPPORTED           5001
#define CX_DIAMETER_UNKNOWN_SESSION_ID        5002
#define CX_DIAMETER_AUTHORIZATION_REJECTED    5003
#define CX_DIAMETER_INVALID_AVP_VALUE         5004
#define CX_DIAMETER_MISSING_AVP               5005
#define CX_DIAMETER_RESOURCES_EXCEEDED        5006
#define CX_DIAMETER_CONTRADICTING_AVPS        5007
#define CX_DIAMETER_AVP_NOT_ALLOWED           5008
#define CX_DIAMETER_AVP_OCCURS_TOO_MANY_TIMES 5009
#define CX_DIAMETER_NO_COMMON_APPLICATION     5010
#define CX_DIAMETER_UNSUPPORTED_VERSION       5011
#define CX_DIAMETER_UNABLE_TO_COMPLY          5012
#define CX_DIAMETER_INVALID_AVP_LENGTH        5014

/* Cx Experimental-Result-Code (298, Vendor-Id 10415) values, TS 29.229 §6.2. */
#define CX_DIAMETER_FIRST_REGISTRATION                2001
#define CX_DIAMETER_SUBSEQUENT_REGISTRATION           2002
#define CX_DIAMETER_UNREGISTERED_SERVICE              2003
#define CX_DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED    2004
#define CX_DIAMETER_ERROR_USER_UNKNOWN                5001
#define CX_DIAMETER_ERROR_IDENTITIES_DONT_MATCH       5002
#define CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED     5003
#define CX_DIAMETER_ERROR_ROAMING_NOT_ALLOWED         5004
#define CX_DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED 5005
#define CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED   5006
#define CX_DIAMETER_ERROR_IN_ASSIGNMENT_TYPE          5007
#define CX_DIAMETER_ERROR_TOO_MUCH_DATA               5008
#define CX_DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA     5009
#define CX_DIAMETER_ERROR_FEATURE_UNSUPPORTED         5011
#define CX_DIAMETER_ERROR_SERVING_NODE_FEATURE_UNSUPP 5012

/* Upper bounds of the fixed arrays in the structs below. Parsers ignore extra items. */
#define CX_MAX_CAPS       16
#define CX_MAX_AUTH_ITEMS 8
#define CX_KEY_LEN        16

/* Default answer timeout of cx_send_X() when timeout_ms is 0. */
#define CX_DEFAULT_TIMEOUT_MS 10000u

/* ---------------------------------------------------------------------------
 * Plain data. Every char * and cx_bytes below is owned by the struct (malloc'd),
 * freed by the matching cx_X_free_fields(). NULL / len 0 means "absent".
 */

/* An owned byte string. */
struct cx_bytes {
    uint8_t *data;
    size_t len;
};

/* An owned list of owned strings. */
struct cx_strlist {
    char **v;
    size_t n;
};

/*
 * The routing part shared by all messages.
 * Building a request: session_id NULL makes a new Session-Id; dest_realm is
 * required, dest_host optional; origin_* are ignored (the local identity is used).
 * Parsing: all fields are copied from the message when present.
 */
struct cx_hdr {
    char *session_id;
    char *origin_host;
    char *origin_realm;
    char *dest_host;
    char *dest_realm;
};

/*
 * The outcome carried by an answer. Exactly one of result_code (Result-Code)
 * and exp_result (Experimental-Result-Code with Vendor-Id 10415) is nonzero in
 * a well-formed answer. error_bit is the header E flag (parse only).
 * Building: exp_result != 0 writes Experimental-Result, else Result-Code.
 */
struct cx_result {
    uint32_t result_code;
    uint32_t exp_result;
    bool error_bit;
};

/* Server-Capabilities (603). */
struct cx_caps {
    bool present;
    uint32_t mandatory[CX_MAX_CAPS];
    size_t n_mandatory;
    uint32_t optional[CX_MAX_CAPS];
    size_t n_optional;
    struct cx_strlist server_names;
};

/* One Supported-Features (628) group. */
struct cx_features {
    bool present;
    uint32_t vendor_id;
    uint32_t list_id;
    uint32_t list;
};

/* Charging-Information (618): the four Diameter URIs, each optional. */
struct cx_charging {
    char *primary_ecf;
    char *secondary_ecf;
    char *primary_ccf;
    char *secondary_ccf;
};

/* One SIP-Auth-Data-Item (612). */
struct cx_auth_item {
    bool has_item_number;
    uint32_t item_number;
    char *scheme;                      /* SIP-Authentication-Scheme, e.g. "Digest-AKAv1-MD5" */
    struct cx_bytes sip_authenticate;  /* RAND||AUTN in an MAA */
    struct cx_bytes sip_authorization; /* XRES in an MAA; RAND||AUTS in a resync MAR */
    struct cx_bytes sip_auth_context;
    bool has_ck, has_ik;
    uint8_t ck[CX_KEY_LEN];
    uint8_t ik[CX_KEY_LEN];
    /* SIP-Digest-Authenticate (635) for "SIP Digest" (RFC 4590 AVPs, vendor 0). */
    char *digest_realm;
    char *digest_algorithm;
    char *digest_qop;
    char *digest_ha1;
};

/* UAR: I-CSCF -> HSS. */
struct cx_uar {
    struct cx_hdr hdr;
    char *user_name;                    /* IMPI, required */
    char *public_identity;              /* IMPU, required */
    struct cx_bytes visited_network_id; /* required */
    int auth_type;                      /* User-Authorization-Type, -1 = absent (REGISTRATION) */
    bool has_uar_flags;
    uint32_t uar_flags;
    struct cx_features features;
};

/* UAA: HSS -> I-CSCF. */
struct cx_uaa {
    struct cx_hdr hdr;
    struct cx_result result;
    char *server_name;
    struct cx_caps caps;
    struct cx_features features;
};

/* MAR: S-CSCF -> HSS. */
struct cx_mar {
    struct cx_hdr hdr;
    char *user_name;       /* required */
    char *public_identity; /* required */
    char *server_name;     /* required */
    uint32_t num_auth_items;
    struct cx_auth_item auth; /* the request's SIP-Auth-Data-Item (scheme, resync) */
};

/* MAA: HSS -> S-CSCF. */
struct cx_maa {
    struct cx_hdr hdr;
    struct cx_result result;
    char *user_name;
    char *public_identity;
    bool has_num_auth_items;
    uint32_t num_auth_items;
    struct cx_auth_item items[CX_MAX_AUTH_ITEMS];
    size_t n_items;
};

/* SAR: S-CSCF -> HSS. */
struct cx_sar {
    struct cx_hdr hdr;
    char *user_name;                     /* optional */
    struct cx_strlist public_identities; /* 0..n */
    char *wildcarded_public_identity;
    char *server_name;               /* required */
    int server_assignment_type;      /* required, enum cx_sat */
    int user_data_already_available; /* required, enum cx_udaa */
    bool has_sar_flags;
    uint32_t sar_flags;
    struct cx_features features;
};

/* SAA: HSS -> S-CSCF. */
struct cx_saa {
    struct cx_hdr hdr;
    struct cx_result result;
    char *user_name;
    char *user_data; /* TS 29.228 IMSSubscription XML, NUL-terminated */
    struct cx_charging charging;
    struct cx_strlist associated_identities; /* User-Name values */
    char *server_name;
    struct cx_features features;
};

/* LIR: I-CSCF -> HSS. */
struct cx_lir {
    struct cx_hdr hdr;
    char *public_identity;   /* required */
    int originating_request; /* -1 = absent, else CX_ORIGINATING */
    int auth_type;           /* User-Authorization-Type, -1 = absent */
    int session_priority;    /* -1 = absent */
};

/* LIA: HSS -> I-CSCF. */
struct cx_lia {
    struct cx_hdr hdr;
    struct cx_result result;
    char *server_name;
    struct cx_caps caps;
    char *wildcarded_public_identity;
    bool has_lia_flags;
    uint32_t lia_flags;
};

/* RTR: HSS -> S-CSCF. */
struct cx_rtr {
    struct cx_hdr hdr;                       /* dest_host required */
    char *user_name;                         /* required */
    struct cx_strlist associated_identities; /* other IMPIs */
    struct cx_strlist public_identities;     /* IMPUs, 0..n */
    int reason_code;                         /* required, enum cx_reason_code */
    char *reason_info;
};

/* RTA: S-CSCF -> HSS. */
struct cx_rta {
    struct cx_hdr hdr;
    struct cx_result result;
    struct cx_strlist associated_identities;
};

/* PPR: HSS -> S-CSCF. */
struct cx_ppr {
    struct cx_hdr hdr; /* dest_host required */
    char *user_name;   /* required */
    char *user_data;
    struct cx_charging charging;
};

/* PPA: S-CSCF -> HSS. */
struct cx_ppa {
    struct cx_hdr hdr;
    struct cx_result result;
};

/* ---------------------------------------------------------------------------
 * Core
 */

/*
 * Initialises the freeDiameter core, routes its log into the log module,
 * parses fd_conf_file (which loads the extensions it lists), builds the Cx
 * dictionary and advertises Cx (auth, vendor 10415) in CER/CEA.
 * Call once per process, before anything else here. Returns 0 or a negative
 * errno (-EALREADY if called twice, -EINVAL on a bad config).
 */
int cx_init(const char *fd_conf_file);

/*
 * Starts the freeDiameter core (connections, dispatch threads) and waits until
 * it has started. Register server handlers before. Returns 0 or a negative errno.
 */
int cx_start(void);

/*
 * Stops the core and waits for it, then frees what is left of this module
 * (requests still in flight are dropped without their callbacks). Loops given
 * to cx_send_X()/cx_serve_X() must still exist when this is called. After it,
 * freeDiameter cannot be started again in this process. Safe to call twice.
 */
void cx_shutdown(void);

/*
 * Waits until the peer with Diameter identity name is in state STATE_OPEN, for
 * up to timeout_ms. Blocks the calling thread (do not call on a loop thread
 * that must stay responsive). Returns 0, -ETIMEDOUT, or -EINVAL.
 */
int cx_peer_wait_open(const char *name, unsigned timeout_ms);

/* One row of cx_peer_list(). */
struct cx_peer_state {
    char name[256]; /* Diameter identity, truncated if longer */
    int state;      /* freeDiameter enum peer_state */
    bool open;      /* state == STATE_OPEN */
    char state_name[32];
};

/*
 * Copies up to max configured/known peers into out and stores their total
 * count in *n (which may be more than max). Returns 0 or a negative errno.
 */
int cx_peer_list(struct cx_peer_state *out, size_t max, size_t *n);

/* ---------------------------------------------------------------------------
 * Codec. Builders:
 *  - requests: cx_X_build(in, &msg) creates a new request; on success *out
 *    owns a message to pass to fd_msg_send() (or cx_send_X does it for you).
 *  - answers:  cx_X_build(&msg, in) turns the request *msg into its answer in
 *    place (Session-Id, Vendor-Specific-Application-Id, Auth-Session-State=1,
 *    Origin-*, Result-Code or Experimental-Result, then the fields). On error
 *    *msg may already be the (partial) answer; the caller still owns it.
 * All return 0, -EINVAL (a required field missing), -ENOMEM or -EPROTO.
 * Parsers: cx_X_parse(msg, out) fill *out (zeroed first) from a dictionary-parsed
 * message; out owns copies. They return 0, -EBADMSG (wrong command or direction),
 * or -ENOMEM; on error *out holds nothing to free. They do not check presence
 * rules: use cx_request_check() for that.
 */
int cx_uar_build(const struct cx_uar *in, struct msg **out);
int cx_uar_parse(struct msg *msg, struct cx_uar *out);
int cx_uaa_build(struct msg **req, const struct cx_uaa *in);
int cx_uaa_parse(struct msg *msg, struct cx_uaa *out);
int cx_mar_build(const struct cx_mar *in, struct msg **out);
int cx_mar_parse(struct msg *msg, struct cx_mar *out);
int cx_maa_build(struct msg **req, const struct cx_maa *in);
int cx_maa_parse(struct msg *msg, struct cx_maa *out);
int cx_sar_build(const struct cx_sar *in, struct msg **out);
int cx_sar_parse(struct msg *msg, struct cx_sar *out);
int cx_saa_build(struct msg **req, const struct cx_saa *in);
int cx_saa_parse(struct msg *msg, struct cx_saa *out);
int cx_lir_build(const struct cx_lir *in, struct msg **out);
int cx_lir_parse(struct msg *msg, struct cx_lir *out);
int cx_lia_build(struct msg **req, const struct cx_lia *in);
int cx_lia_parse(struct msg *msg, struct cx_lia *out);
int cx_rtr_build(const struct cx_rtr *in, struct msg **out);
int cx_rtr_parse(struct msg *msg, struct cx_rtr *out);
int cx_rta_build(struct msg **req, const struct cx_rta *in);
int cx_rta_parse(struct msg *msg, struct cx_rta *out);
int cx_ppr_build(const struct cx_ppr *in, struct msg **out);
int cx_ppr_parse(struct msg *msg, struct cx_ppr *out);
int cx_ppa_build(struct msg **req, const struct cx_ppa *in);
int cx_ppa_parse(struct msg *msg, struct cx_ppa *out);

/* Free every owned field and zero the struct. Safe on NULL and on zeroed structs. */
void cx_uar_free_fields(struct cx_uar *m);
void cx_uaa_free_fields(struct cx_uaa *m);
void cx_mar_free_fields(struct cx_mar *m);
void cx_maa_free_fields(struct cx_maa *m);
void cx_sar_free_fields(struct cx_sar *m);
void cx_saa_free_fields(struct cx_saa *m);
void cx_lir_free_fields(struct cx_lir *m);
void cx_lia_free_fields(struct cx_lia *m);
void cx_rtr_free_fields(struct cx_rtr *m);
void cx_rta_free_fields(struct cx_rta *m);
void cx_ppr_free_fields(struct cx_ppr *m);
void cx_ppa_free_fields(struct cx_ppa *m);
void cx_auth_item_free_fields(struct cx_auth_item *it);

/* Appends a copy of s to l. Returns 0, -EINVAL (s NULL) or -ENOMEM. */
int cx_strlist_add(struct cx_strlist *l, const char *s);
/* Frees the strings and the array; l is left empty. Safe on NULL. */
void cx_strlist_free(struct cx_strlist *l);
/* Replaces b with a copy of len bytes at data. Returns 0 or -ENOMEM. */
int cx_bytes_set(struct cx_bytes *b, const void *data, size_t len);

/* ---------------------------------------------------------------------------
 * Results
 */

/*
 * Name of a result code: is_experimental selects the Cx Experimental-Result
 * table (vendor 10415) instead of the RFC 6733 Result-Code table. Returns a
 * static string, "UNKNOWN" for a code in neither.
 */
const char *cx_result_name(uint32_t code, bool is_experimental);

/* True when the answer's code (either kind) is 2xxx. */
bool cx_result_is_success(const struct cx_result *r);

/* ---------------------------------------------------------------------------
 * Request validation (servers)
 */

/* What cx_request_check() found. Plain data: it points into no message. */
struct cx_error {
    uint32_t result_code; /* CX_DIAMETER_MISSING_AVP, CX_DIAMETER_INVALID_AVP_VALUE, ... */
    uint32_t avp_code;    /* the missing / offending AVP, 0 if none */
    uint32_t avp_vendor;
    bool has_value; /* value of the offending Enumerated AVP */
    int32_t value;
    char message[128]; /* Error-Message text */
};

/*
 * Checks a dictionary-parsed Cx request against the TS 29.229 §6.1 rules table:
 * the command is a Cx request, every required AVP is present (the first
 * missing one gives DIAMETER_MISSING_AVP), and every Enumerated Cx AVP, even
 * inside a group, holds a defined value (else DIAMETER_INVALID_AVP_VALUE).
 * Returns 0 when valid (err zeroed), -EPROTO when err was filled, -EINVAL on
 * bad arguments.
 */
int cx_request_check(struct msg *req, struct cx_error *err);

/*
 * Turns the request *req into an error answer for err, in place: Session-Id,
 * Vendor-Specific-Application-Id, Auth-Session-State, Origin-*, Result-Code
 * = err->result_code (a base RFC 6733 code), Error-Message, and a Failed-AVP
 * holding a zero-valued AVP of the missing code, or a copy of the offending
 * value. The E bit is set for 3xxx codes only. Returns 0 or a negative errno (*req then still owned
 * by the caller, possibly already an answer).
 */
int cx_answer_error_build(struct msg **req, const struct cx_error *err);

/*
 * cx_answer_error_build() then fd_msg_send(). On success *req is NULL.
 * On failure the message is freed as well and *req is NULL; the error is
 * returned and logged. Use from freeDiameter threads or the loop.
 */
int cx_answer_error(struct msg **req, const struct cx_error *err);

/*
 * Sends an answer built by cx_X_build(&msg, ...). Always consumes *ans
 * (sent or freed) and sets it NULL. Returns 0 or a negative errno.
 */
int cx_answer_send(struct msg **ans);

/* ---------------------------------------------------------------------------
 * Async client. cx_send_X() builds the request from the struct (which stays
 * the caller's), sends it and returns at once. If it returns an error the
 * callback is never called. Otherwise the callback is called exactly once, on
 * the loop thread, unless the loop is freed or cx_shutdown() runs first:
 *   status 0            an answer arrived; ans is decoded (check ans->result,
 *                       it may hold an error code);
 *   status -ETIMEDOUT   no answer within timeout_ms (0 = CX_DEFAULT_TIMEOUT_MS);
 *                       ans is NULL;
 *   status -EHOSTUNREACH  an error answer (E bit) with a routing/delivery code
 *                       (3002, 3003, 3004, 3005), usually made locally by
 *                       freeDiameter when no peer can take the request; ans
 *                       is given and ans->result holds the code;
 *   status -EPROTO      another E-bit answer (ans given) or an answer that
 *                       could not be decoded (ans NULL);
 *   status -ENOMEM      decoding ran out of memory (ans NULL).
 * ans and its fields belong to the library and are valid during the call only.
 * ctx_id is passed back untouched: look the transaction up again with it.
 * cx_send_X() itself may be called from any thread (e.g. from a server
 * handler); only the callback is tied to the loop. Requires cx_start().
 */
typedef void (*cx_uaa_cb)(uint64_t ctx_id, int status, const struct cx_uaa *ans);
typedef void (*cx_maa_cb)(uint64_t ctx_id, int status, const struct cx_maa *ans);
typedef void (*cx_saa_cb)(uint64_t ctx_id, int status, const struct cx_saa *ans);
typedef void (*cx_lia_cb)(uint64_t ctx_id, int status, const struct cx_lia *ans);
typedef void (*cx_rta_cb)(uint64_t ctx_id, int status, const struct cx_rta *ans);
typedef void (*cx_ppa_cb)(uint64_t ctx_id, int status, const struct cx_ppa *ans);

int cx_send_uar(struct loop *loop, const struct cx_uar *req, cx_uaa_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);
int cx_send_mar(struct loop *loop, const struct cx_mar *req, cx_maa_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);
int cx_send_sar(struct loop *loop, const struct cx_sar *req, cx_saa_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);
int cx_send_lir(struct loop *loop, const struct cx_lir *req, cx_lia_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);
int cx_send_rtr(struct loop *loop, const struct cx_rtr *req, cx_rta_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);
int cx_send_ppr(struct loop *loop, const struct cx_ppr *req, cx_ppa_cb cb, uint64_t ctx_id,
                unsigned timeout_ms);

/* ---------------------------------------------------------------------------
 * Serving requests on freeDiameter's threads (the HSS).
 *
 * For each non-NULL handler, cx_register_server() registers a dispatch
 * callback for the command. On a request it: validates it with
 * cx_request_check() (answering 5005/5004 itself), decodes it, calls the
 * handler with a zeroed answer struct to fill, builds the answer from the
 * request and sends it. The handler returns 0 (ans->result must hold a code)
 * or a negative errno, which is answered DIAMETER_UNABLE_TO_COMPLY. Every
 * request gets exactly one answer. Strings the handler puts in *ans must be
 * malloc'd: the library frees them with cx_X_free_fields() after sending.
 * Handlers run concurrently on several freeDiameter threads.
 * Because validation runs first, the AVPs TS 29.229 marks required are present
 * in the decoded request: e.g. cx_uar user_name, public_identity and
 * visited_network_id are non-NULL, cx_sar server_name is non-NULL and its
 * enumerated fields hold defined values. Optional fields may be NULL / -1.
 */
struct cx_server_handlers {
    int (*on_uar)(const struct cx_uar *req, struct cx_uaa *ans, void *arg);
    int (*on_mar)(const struct cx_mar *req, struct cx_maa *ans, void *arg);
    int (*on_sar)(const struct cx_sar *req, struct cx_saa *ans, void *arg);
    int (*on_lir)(const struct cx_lir *req, struct cx_lia *ans, void *arg);
    int (*on_rtr)(const struct cx_rtr *req, struct cx_rta *ans, void *arg);
    int (*on_ppr)(const struct cx_ppr *req, struct cx_ppa *ans, void *arg);
    void *arg;
};

/*
 * Registers the handlers (copied). Call after cx_init() and before cx_start(),
 * at most once. Returns 0, -EALREADY, -EINVAL or -ENOMEM.
 */
int cx_register_server(const struct cx_server_handlers *h);

/* ---------------------------------------------------------------------------
 * Serving requests on a loop (the S-CSCF receives RTR and PPR).
 *
 * The freeDiameter thread validates the request (errors are answered at once),
 * decodes it and posts it to the loop. The handler then runs on the loop thread
 * with a pending-answer token and the decoded request (valid during the call).
 * It must answer exactly once, now or later on the loop thread, with
 * cx_answer_rtr()/cx_answer_ppr(). If the loop is freed before the handler
 * runs, the request is answered DIAMETER_UNABLE_TO_COMPLY.
 */
struct cx_incoming;

typedef void (*cx_rtr_handler)(struct cx_incoming *in, const struct cx_rtr *req, void *arg);
typedef void (*cx_ppr_handler)(struct cx_incoming *in, const struct cx_ppr *req, void *arg);

/*
 * Registers the loop handler for RTR (or PPR). Call after cx_init() and before
 * cx_start(), once per command; not together with an on_rtr/on_ppr server
 * handler. loop must outlive cx_shutdown(). Returns 0, -EALREADY, -EINVAL.
 */
int cx_serve_rtr(struct loop *loop, cx_rtr_handler h, void *arg);
int cx_serve_ppr(struct loop *loop, cx_ppr_handler h, void *arg);

/*
 * Answers the request held by *in with ans (its result and fields) and frees
 * the token; *in is set NULL. Always consumes the token: if the answer cannot
 * be built, DIAMETER_UNABLE_TO_COMPLY is sent instead. Returns 0 or a negative
 * errno describing what went wrong.
 */
int cx_answer_rtr(struct cx_incoming **in, const struct cx_rta *ans);
int cx_answer_ppr(struct cx_incoming **in, const struct cx_ppa *ans);

#endif
