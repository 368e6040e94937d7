/*
 * xml: the two XML bodies of the IMS core.
 *
 *  - TS 29.228 IMS user data (the Cx User-Data AVP): IMSSubscription, ServiceProfile,
 *    PublicIdentity, InitialFilterCriteria. Parse, build, look-ups, and the iFC
 *    evaluation of TS 29.228 Annex B used by the S-CSCF (TS 24.229 §5.4.3.2, §5.4.1.7).
 *  - RFC 3680 reginfo (the body of NOTIFY for the "reg" event package).
 *
 * Everything here is plain C structs; libxml2 does not leak through this header.
 * All functions are safe to call from any thread (libxml2 is initialised once with
 * pthread_once). Parsers are XXE-safe: no network, no DTD, no entity expansion, and
 * documents larger than XML_MAX_DOC_SIZE are refused.
 *
 * Optional integers are -1 in the structs when absent, except where a field's comment
 * gives the XSD default (DefaultHandling, IdentityType: 0). Strings absent are NULL.
 */
#ifndef IMSCORE_XML_H
#define IMSCORE_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest document accepted by the parsers, in bytes. */
#define XML_MAX_DOC_SIZE (512 * 1024)

/*
 * Initialises libxml2 once for the process. Every function of this module calls it
 * itself; a daemon may call it early from main() so that the first use on a
 * freeDiameter thread does no initialisation. Never fails.
 */
void xml_init(void);

/* ---------------------------------------------------------------------------------------- */
/* TS 29.228 IMS user data                                                                   */
/* ---------------------------------------------------------------------------------------- */

enum xml_identity_type {
    XML_IDENTITY_PUBLIC_USER = 0,
    XML_IDENTITY_DISTINCT_PSI = 1,
    XML_IDENTITY_WILDCARDED_PSI = 2,
};

struct xml_public_identity {
    bool barring;         /* BarringIndication (false when absent) */
    char *identity;       /* Identity: sip:, sips: or tel: URI; never NULL */
    int identity_type;    /* Extension/IdentityType (enum xml_identity_type), 0 when absent */
    char *wildcarded_psi; /* Extension/WildcardedPSI, or NULL */
    char *display_name;   /* Extension/Extension/DisplayName, or NULL */
};

enum xml_spt_type {
    XML_SPT_REQUEST_URI = 0,
    XML_SPT_METHOD,
    XML_SPT_SIP_HEADER,
    XML_SPT_SESSION_CASE,
    XML_SPT_SESSION_DESCRIPTION,
};

enum xml_session_case {
    XML_SESSION_ORIGINATING = 0,
    XML_SESSION_TERMINATING_REGISTERED = 1,
    XML_SESSION_TERMINATING_UNREGISTERED = 2,
    XML_SESSION_ORIGINATING_UNREGISTERED = 3,
    XML_SESSION_ORIGINATING_CDIV = 4,
};

enum xml_reg_type {
    XML_REG_TYPE_NONE = -1, /* the request is not a REGISTER */
    XML_REG_TYPE_INITIAL = 0,
    XML_REG_TYPE_RE = 1,
    XML_REG_TYPE_DE = 2,
};

/* Bit for a RegistrationType value in xml_spt.reg_types. */
#define XML_REG_TYPE_BIT(t) (1u << (t))

/*
 * One Service Point Trigger. Exactly one of the value fields is set, as told by type;
 * the others are NULL (strings) or -1 (session_case).
 */
struct xml_spt {
    bool negated; /* ConditionNegated */
    int *groups;  /* Group values (each >= 0), at least one */
    size_t n_groups;
    enum xml_spt_type type;
    char *request_uri;    /* XML_SPT_REQUEST_URI: regular expression */
    char *method;         /* XML_SPT_METHOD: method name, e.g. "INVITE" */
    char *header;         /* XML_SPT_SIP_HEADER: header name */
    char *header_content; /* XML_SPT_SIP_HEADER: regex, or NULL = presence check */
    int session_case;     /* XML_SPT_SESSION_CASE: enum xml_session_case */
    char *sdp_line;       /* XML_SPT_SESSION_DESCRIPTION: line type, e.g. "m" */
    char *sdp_content;    /* XML_SPT_SESSION_DESCRIPTION: regex, or NULL = presence */
    unsigned reg_types;   /* Extension/RegistrationType set, XML_REG_TYPE_BIT(); 0 = none;
                             only used when the SPT is Method=REGISTER */
};

struct xml_trigger_point {
    bool cnf; /* ConditionTypeCNF: true = CNF (AND of ORed groups), false = DNF */
    struct xml_spt *spts;
    size_t n_spts; /* 0 is allowed by the XSD: such a trigger point matches everything */
};

enum xml_default_handling {
    XML_DEFAULT_HANDLING_SESSION_CONTINUED = 0,
    XML_DEFAULT_HANDLING_SESSION_TERMINATED = 1,
};

struct xml_application_server {
    char *server_name;              /* ServerName (SIP URI); never NULL */
    int default_handling;           /* enum xml_default_handling; 0 when absent */
    char *service_info;             /* ServiceInfo, or NULL */
    bool include_register_request;  /* Extension/IncludeRegisterRequest present */
    bool include_register_response; /* Extension/IncludeRegisterResponse present */
};

enum xml_profile_part {
    XML_PROFILE_PART_REGISTERED = 0,
    XML_PROFILE_PART_UNREGISTERED = 1,
};

struct xml_ifc {
    int priority;                            /* Priority, >= 0; lower value runs first */
    struct xml_trigger_point *trigger_point; /* NULL: the iFC always matches */
    struct xml_application_server as;
    int profile_part_indicator; /* enum xml_profile_part, or -1 when absent */
};

struct xml_service_profile {
    struct xml_public_identity *public_ids;
    size_t n_public_ids;             /* at least one */
    int subscribed_media_profile_id; /* CoreNetworkServicesAuthorization, or -1 */
    struct xml_ifc *ifcs;
    size_t n_ifcs;
};

struct xml_ims_subscription {
    char *private_id; /* PrivateID; never NULL */
    struct xml_service_profile *profiles;
    size_t n_profiles; /* at least one */
};

/*
 * Parses a TS 29.228 IMSSubscription document of len bytes at buf (no NUL needed).
 * Checks the required elements (PrivateID, ServiceProfile, PublicIdentity/Identity,
 * Priority, ApplicationServer/ServerName, SPT Group and exactly one SPT condition) and
 * the ranges of every enumerated or integer value. Unknown elements are ignored.
 * A document with a DOCTYPE is refused.
 *
 * On success *out receives a new subscription owned by the caller (free it with
 * xml_ims_subscription_free). On failure *out is NULL and, when err is not NULL, a
 * one-line reason is written to err (errlen bytes, NUL-terminated).
 * Returns 0, -EINVAL (bad arguments), -EMSGSIZE (over XML_MAX_DOC_SIZE), -EPROTO (not
 * well-formed or not valid user data) or -ENOMEM.
 */
int xml_userdata_parse(const char *buf, size_t len, struct xml_ims_subscription **out, char *err,
                       size_t errlen);

/*
 * Serialises sub as a TS 29.228 document with the prolog
 * <?xml version="1.0" encoding="UTF-8"?> and no namespace.
 * On success *out is a NUL-terminated malloc'ed string the caller frees with free(),
 * and *len (if not NULL) its length without the NUL. Returns 0, -EINVAL when sub
 * misses a required field or holds an out-of-range value, or -ENOMEM.
 */
int xml_userdata_build(const struct xml_ims_subscription *sub, char **out, size_t *len);

/* Frees a subscription and everything it holds. NULL is safe. */
void xml_ims_subscription_free(struct xml_ims_subscription *sub);

/*
 * Finds the ServiceProfile holding the public identity impu: first by exact Identity,
 * then by matching impu against the WildcardedPSI regular expression of wildcarded PSIs.
 * Returns a pointer into sub (valid until sub is freed), or NULL.
 */
const struct xml_service_profile *xml_userdata_find_profile(const struct xml_ims_subscription *sub,
                                                            const char *impu);

/*
 * Finds the PublicIdentity entry for impu (exact Identity, then wildcarded PSI) and,
 * when profile is not NULL, stores its ServiceProfile there. Returns a pointer into sub,
 * or NULL.
 */
const struct xml_public_identity *
xml_userdata_find_identity(const struct xml_ims_subscription *sub, const char *impu,
                           const struct xml_service_profile **profile);

/*
 * The implicit registration set of impu: every PublicIdentity of the ServiceProfile
 * holding impu, in document order (barred ones included; check ->barring).
 * On success *out is a malloc'ed array of *n pointers into sub; the caller frees the
 * array with free() (not the entries). Returns 0, -ENOENT when impu is not in sub,
 * -EINVAL or -ENOMEM.
 */
int xml_userdata_implicit_set(const struct xml_ims_subscription *sub, const char *impu,
                              const struct xml_public_identity ***out, size_t *n);

/*
 * Every PublicIdentity of every ServiceProfile, in document order. Same ownership as
 * xml_userdata_implicit_set. Returns 0, -EINVAL or -ENOMEM.
 */
int xml_userdata_all_public_ids(const struct xml_ims_subscription *sub,
                                const struct xml_public_identity ***out, size_t *n);

/*
 * The iFCs of sp sorted by ascending Priority (equal priorities keep document order).
 * *out is a malloc'ed array of *n pointers into sp; free the array only.
 * Returns 0, -EINVAL or -ENOMEM. With no iFC, *out is NULL and *n is 0.
 */
int xml_ifc_sorted(const struct xml_service_profile *sp, const struct xml_ifc ***out, size_t *n);

/* ---------------------------------------------------------------------------------------- */
/* iFC evaluation (TS 29.228 Annex B)                                                        */
/* ---------------------------------------------------------------------------------------- */

/*
 * Returns the index-th value (0-based) of the header called name in the request, or
 * NULL when there are no more. The name comparison (case, compact forms) is the
 * accessor's job. The string must stay valid until the evaluation returns.
 */
typedef const char *(*xml_header_value_fn)(void *arg, const char *name, size_t index);

/* The request an iFC is evaluated against. Borrowed; nothing is freed. */
struct xml_sip_ctx {
    const char *method;      /* e.g. "REGISTER" */
    const char *request_uri; /* the Request-URI as text */
    xml_header_value_fn header_value;
    void *header_arg;             /* passed to header_value */
    int session_case;             /* enum xml_session_case */
    int reg_type;                 /* enum xml_reg_type; XML_REG_TYPE_NONE unless REGISTER */
    const char *const *sdp_lines; /* SDP lines such as "m=audio 49170 RTP/AVP 0", or NULL */
    size_t n_sdp_lines;
};

/*
 * Evaluates the TriggerPoint of ifc against ctx. CNF: AND over groups of (OR of the
 * group's SPTs); DNF: OR over groups of (AND of the group's SPTs); ConditionNegated
 * inverts one SPT. Method=REGISTER with RegistrationType extensions matches only the
 * listed registration types. RequestURI, SIPHeader/Content and SessionDescription/Content
 * are POSIX extended regular expressions searched in the value (unanchored); an SPT
 * whose expression does not compile never matches, even when negated. A SIPHeader or
 * SessionDescription without Content checks presence only. A missing TriggerPoint, or
 * one without SPT, matches everything. Method is compared case-sensitively (RFC 3261).
 * Returns true when the iFC applies.
 */
bool xml_ifc_matches(const struct xml_ifc *ifc, const struct xml_sip_ctx *ctx);

/*
 * Selects the iFCs of sp that apply to ctx, in priority order, considering only iFCs
 * whose Priority is greater than after_priority (pass -1 for all; the S-CSCF passes the
 * priority of the last AS contacted to continue the chain). iFCs with a
 * ProfilePartIndicator are skipped when it contradicts the session case (REGISTERED
 * for the unregistered cases 2 and 3, UNREGISTERED for cases 0 and 1).
 * On success *out is a malloc'ed array of *n pointers into sp (NULL when *n is 0); each
 * entry's ->as is the ApplicationServer to contact. Free the array only.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int xml_ifc_select(const struct xml_service_profile *sp, const struct xml_sip_ctx *ctx,
                   int after_priority, const struct xml_ifc ***out, size_t *n);

/* ---------------------------------------------------------------------------------------- */
/* RFC 3680 reginfo                                                                          */
/* ---------------------------------------------------------------------------------------- */

#define XML_REGINFO_NS "urn:ietf:params:xml:ns:reginfo"

enum xml_reginfo_state {
    XML_REGINFO_FULL = 0,
    XML_REGINFO_PARTIAL = 1,
};

enum xml_registration_state {
    XML_REGISTRATION_INIT = 0,
    XML_REGISTRATION_ACTIVE = 1,
    XML_REGISTRATION_TERMINATED = 2,
};

enum xml_contact_state {
    XML_CONTACT_ACTIVE = 0,
    XML_CONTACT_TERMINATED = 1,
};

enum xml_contact_event {
    XML_EVENT_REGISTERED = 0,
    XML_EVENT_CREATED,
    XML_EVENT_REFRESHED,
    XML_EVENT_SHORTENED,
    XML_EVENT_EXPIRED,
    XML_EVENT_DEACTIVATED,
    XML_EVENT_PROBATION,
    XML_EVENT_UNREGISTERED,
    XML_EVENT_REJECTED,
};

struct xml_reginfo_param {
    char *name;  /* the name attribute of <unknown-param>; never NULL */
    char *value; /* the element text, or NULL when empty */
};

struct xml_reginfo_contact {
    char *id; /* never NULL */
    enum xml_contact_state state;
    enum xml_contact_event event;
    long long expires;             /* seconds, or -1 when absent */
    long long duration_registered; /* seconds, or -1 */
    long long retry_after;         /* seconds, or -1 */
    char *q;                       /* qvalue text such as "0.5", or NULL */
    char *callid;                  /* or NULL */
    long long cseq;                /* or -1 */
    char *uri;                     /* <uri>; never NULL */
    char *display_name;            /* <display-name>, or NULL */
    struct xml_reginfo_param *params;
    size_t n_params;
};

struct xml_reginfo_registration {
    char *aor; /* never NULL */
    char *id;  /* never NULL */
    enum xml_registration_state state;
    struct xml_reginfo_contact *contacts;
    size_t n_contacts;
};

struct xml_reginfo {
    uint32_t version; /* set by the caller: +1 per NOTIFY of the subscription */
    enum xml_reginfo_state state;
    struct xml_reginfo_registration *registrations;
    size_t n_registrations;
};

/*
 * Serialises ri as an application/reginfo+xml document in the namespace XML_REGINFO_NS.
 * *out becomes a NUL-terminated malloc'ed string owned by the caller (free()), *len (if
 * not NULL) its length. Returns 0, -EINVAL when a required field is NULL or an enum or
 * q value is out of range, or -ENOMEM.
 */
int xml_reginfo_build(const struct xml_reginfo *ri, char **out, size_t *len);

/*
 * Parses a reginfo document (namespace-aware: <reginfo> and its registration, contact,
 * uri, display-name and unknown-param children must be in XML_REGINFO_NS; elements of
 * other namespaces, such as 3GPP or GRUU extensions, are ignored). Required attributes
 * and the enumerations of states and events are checked. On success *out is a new
 * reginfo owned by the caller (xml_reginfo_free); on failure *out is NULL and err gets
 * a reason. Returns 0, -EINVAL, -EMSGSIZE, -EPROTO or -ENOMEM.
 */
int xml_reginfo_parse(const char *buf, size_t len, struct xml_reginfo **out, char *err,
                      size_t errlen);

/* Frees a reginfo and everything it holds. NULL is safe. */
void xml_reginfo_free(struct xml_reginfo *ri);

/* Text names of the enumerations ("full", "active", "refreshed", ...), or NULL. */
const char *xml_reginfo_state_name(int state);
const char *xml_registration_state_name(int state);
const char *xml_contact_state_name(int state);
const char *xml_contact_event_name(int event);

#endif
