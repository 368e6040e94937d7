/*
 * The Cx dictionary: vendor 10415, application 16777216, commands 300-305,
 * the TS 29.229 AVPs, their enumerated values and grouped rules.
 *
 * Every object is searched first (AVPs by code and vendor) and created only
 * when absent, so loading dict_dcca_3gpp.fdx (which already defines the Cx
 * AVPs, but no commands, enum values or rules) never clashes. Flag masks copy
 * dict_dcca_3gpp's exactly, so an AVP we create is the one it would create.
 */
#include "cx_internal.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>

struct cx__dict cx__d;

#define VM_MASK (AVP_FLAG_VENDOR | AVP_FLAG_MANDATORY)

enum cx__type { T_OCTETS, T_UTF8, T_URI, T_U32, T_ENUM, T_GROUPED };

struct avp_def {
    uint32_t code;
    const char *name;
    enum cx__type type;
    uint8_t mask, val;
};

/* TS 29.229 AVPs; flags as in IMS_REFERENCE §2.2 (identical to dict_dcca_3gpp 1.2.1). */
static const struct avp_def cx_avps[] = {
    {600, "Visited-Network-Identifier", T_OCTETS, VM_MASK, VM_MASK},
    {601, "Public-Identity", T_UTF8, VM_MASK, VM_MASK},
    {602, "Server-Name", T_UTF8, VM_MASK, VM_MASK},
    {603, "Server-Capabilities", T_GROUPED, VM_MASK, VM_MASK},
    {604, "Mandatory-Capability", T_U32, VM_MASK, VM_MASK},
    {605, "Optional-Capability", T_U32, VM_MASK, VM_MASK},
    {606, "User-Data", T_OCTETS, VM_MASK, VM_MASK},
    {607, "SIP-Number-Auth-Items", T_U32, VM_MASK, VM_MASK},
    {608, "SIP-Authentication-Scheme", T_UTF8, VM_MASK, VM_MASK},
    {609, "SIP-Authenticate", T_OCTETS, VM_MASK, VM_MASK},
    {610, "SIP-Authorization", T_OCTETS, VM_MASK, VM_MASK},
    {611, "SIP-Authentication-Context", T_OCTETS, VM_MASK, VM_MASK},
    {612, "SIP-Auth-Data-Item", T_GROUPED, VM_MASK, VM_MASK},
    {613, "SIP-Item-Number", T_U32, VM_MASK, VM_MASK},
    {614, "Server-Assignment-Type", T_ENUM, VM_MASK, VM_MASK},
    {615, "Deregistration-Reason", T_GROUPED, VM_MASK, VM_MASK},
    {616, "Reason-Code", T_ENUM, VM_MASK, VM_MASK},
    {617, "Reason-Info", T_UTF8, VM_MASK, VM_MASK},
    {618, "Charging-Information", T_GROUPED, VM_MASK, VM_MASK},
    {619, "Primary-Event-Charging-Function-Name", T_URI, VM_MASK, VM_MASK},
    {620, "Secondary-Event-Charging-Function-Name", T_URI, VM_MASK, VM_MASK},
    {621, "Primary-Charging-Collection-Function-Name", T_URI, VM_MASK, VM_MASK},
    {622, "Secondary-Charging-Collection-Function-Name", T_URI, VM_MASK, VM_MASK},
    {623, "User-Authorization-Type", T_ENUM, VM_MASK, VM_MASK},
    {624, "User-Data-Already-Available", T_ENUM, VM_MASK, VM_MASK},
    {625, "Confidentiality-Key", T_OCTETS, VM_MASK, VM_MASK},
    {626, "Integrity-Key", T_OCTETS, VM_MASK, VM_MASK},
    {628, "Supported-Features", T_GROUPED, AVP_FLAG_VENDOR, AVP_FLAG_VENDOR},
    {629, "Feature-List-ID", T_U32, VM_MASK, AVP_FLAG_VENDOR},
    {630, "Feature-List", T_U32, VM_MASK, AVP_FLAG_VENDOR},
    {631, "Supported-Applications", T_GROUPED, VM_MASK, AVP_FLAG_VENDOR},
    {632, "Associated-Identities", T_GROUPED, VM_MASK, AVP_FLAG_VENDOR},
    {633, "Originating-Request", T_ENUM, VM_MASK, VM_MASK},
    {634, "Wildcarded-Public-Identity", T_UTF8, VM_MASK, AVP_FLAG_VENDOR},
    {635, "SIP-Digest-Authenticate", T_GROUPED, VM_MASK, AVP_FLAG_VENDOR},
    {637, "UAR-Flags", T_U32, VM_MASK, AVP_FLAG_VENDOR},
    {650, "Session-Priority", T_ENUM, VM_MASK, AVP_FLAG_VENDOR},
    {653, "LIA-Flags", T_U32, VM_MASK, AVP_FLAG_VENDOR},
    {655, "SAR-Flags", T_U32, VM_MASK, AVP_FLAG_VENDOR},
};

struct enum_def {
    uint32_t avp;
    int32_t value;
    const char *name;
};

static const struct enum_def cx_enums[] = {
    {614, 0, "NO_ASSIGNMENT"},
    {614, 1, "REGISTRATION"},
    {614, 2, "RE_REGISTRATION"},
    {614, 3, "UNREGISTERED_USER"},
    {614, 4, "TIMEOUT_DEREGISTRATION"},
    {614, 5, "USER_DEREGISTRATION"},
    {614, 6, "TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME"},
    {614, 7, "USER_DEREGISTRATION_STORE_SERVER_NAME"},
    {614, 8, "ADMINISTRATIVE_DEREGISTRATION"},
    {614, 9, "AUTHENTICATION_FAILURE"},
    {614, 10, "AUTHENTICATION_TIMEOUT"},
    {614, 11, "DEREGISTRATION_TOO_MUCH_DATA"},
    {614, 12, "AAA_USER_DATA_REQUEST"},
    {614, 13, "PGW_UPDATE"},
    {614, 14, "RESTORATION"},
    {616, 0, "PERMANENT_TERMINATION"},
    {616, 1, "NEW_SERVER_ASSIGNED"},
    {616, 2, "SERVER_CHANGE"},
    {616, 3, "REMOVE_S-CSCF"},
    {623, 0, "REGISTRATION"},
    {623, 1, "DE_REGISTRATION"},
    {623, 2, "REGISTRATION_AND_CAPABILITIES"},
    {624, 0, "USER_DATA_NOT_AVAILABLE"},
    {624, 1, "USER_DATA_ALREADY_AVAILABLE"},
    {633, 0, "ORIGINATING"},
    {650, 0, "PRIORITY-0"},
    {650, 1, "PRIORITY-1"},
    {650, 2, "PRIORITY-2"},
    {650, 3, "PRIORITY-3"},
    {650, 4, "PRIORITY-4"},
};

/* Grouped AVP contents: child (vendor 0 when child_vendor is 0), min, max. */
struct rule_def {
    uint32_t parent;
    uint32_t child;
    uint32_t child_vendor;
    enum rule_position pos;
    int max;
};

static const struct rule_def cx_rules[] = {
    {603, 604, CX_VENDOR_3GPP, RULE_OPTIONAL, -1},
    {603, 605, CX_VENDOR_3GPP, RULE_OPTIONAL, -1},
    {603, 602, CX_VENDOR_3GPP, RULE_OPTIONAL, -1},
    {612, 613, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 608, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 609, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 610, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 611, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 625, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 626, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {612, 635, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {615, 616, CX_VENDOR_3GPP, RULE_REQUIRED, 1},
    {615, 617, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {618, 619, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {618, 620, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {618, 621, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {618, 622, CX_VENDOR_3GPP, RULE_OPTIONAL, 1},
    {628, 266, 0, RULE_REQUIRED, 1},
    {628, 629, CX_VENDOR_3GPP, RULE_REQUIRED, 1},
    {628, 630, CX_VENDOR_3GPP, RULE_REQUIRED, 1},
    {632, 1, 0, RULE_OPTIONAL, -1},
};

static const char *const cmd_names[6][2] = {
    {"User-Authorization-Request", "User-Authorization-Answer"},
    {"Server-Assignment-Request", "Server-Assignment-Answer"},
    {"Location-Info-Request", "Location-Info-Answer"},
    {"Multimedia-Auth-Request", "Multimedia-Auth-Answer"},
    {"Registration-Termination-Request", "Registration-Termination-Answer"},
    {"Push-Profile-Request", "Push-Profile-Answer"},
};

static struct dictionary *dict(void)
{
    return fd_g_config->cnf_dict;
}

static struct dict_object *find_avp(uint32_t code, uint32_t vendor)
{
    struct dict_object *o = NULL;
    struct dict_avp_request r = {.avp_vendor = vendor, .avp_code = code};
    if (fd_dict_search(dict(), DICT_AVP, AVP_BY_CODE_AND_VENDOR, &r, &o, ENOENT) != 0)
        return NULL;
    return o;
}

static struct dict_object *find_type(const char *name)
{
    struct dict_object *o = NULL;
    fd_dict_search(dict(), DICT_TYPE, TYPE_BY_NAME, name, &o, ENOENT);
    return o;
}

struct dict_object *cx__avp(uint32_t code)
{
    if (code < CX__AVP_FIRST || code > CX__AVP_LAST)
        return NULL;
    return cx__d.cx[code - CX__AVP_FIRST];
}

int cx__cmd_index(uint32_t code)
{
    return (code >= 300 && code <= 305) ? (int)(code - 300) : -1;
}

int cx__avp_basetype(struct dict_object *model)
{
    struct dict_avp_data d;
    if (!model || fd_dict_getval(model, &d) != 0)
        return -1;
    return (int)d.avp_basetype;
}

static int vendor_and_app(void)
{
    vendor_id_t vid = CX_VENDOR_3GPP;
    application_id_t aid = CX_APP_ID;
    int ret;

    if (fd_dict_search(dict(), DICT_VENDOR, VENDOR_BY_ID, &vid, &cx__d.vendor, ENOENT) != 0) {
        struct dict_vendor_data v = {.vendor_id = vid, .vendor_name = "3GPP"};
        ret = fd_dict_new(dict(), DICT_VENDOR, &v, NULL, &cx__d.vendor);
        if (ret != 0) {
            log_error("cx: cannot create vendor 10415: %s", strerror(ret));
            return -ret;
        }
    }
    if (fd_dict_search(dict(), DICT_APPLICATION, APPLICATION_BY_ID, &aid, &cx__d.app, ENOENT) !=
        0) {
        struct dict_application_data a = {.application_id = aid, .application_name = "Cx"};
        ret = fd_dict_new(dict(), DICT_APPLICATION, &a, cx__d.vendor, &cx__d.app);
        if (ret != 0) {
            log_error("cx: cannot create application 16777216: %s", strerror(ret));
            return -ret;
        }
    }
    return 0;
}

static int commands(void)
{
    for (int i = 0; i < 6; i++) {
        command_code_t code = 300 + (command_code_t)i;
        for (int answer = 0; answer < 2; answer++) {
            struct dict_object **slot = answer ? &cx__d.ans[i] : &cx__d.req[i];
            if (fd_dict_search(dict(), DICT_COMMAND, answer ? CMD_BY_CODE_A : CMD_BY_CODE_R, &code,
                               slot, ENOENT) == 0)
                continue;
            struct dict_cmd_data c = {
                .cmd_code = code,
                .cmd_name = (char *)cmd_names[i][answer],
                .cmd_flag_mask = CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE,
                .cmd_flag_val = answer ? CMD_FLAG_PROXIABLE : CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE,
            };
            int ret = fd_dict_new(dict(), DICT_COMMAND, &c, cx__d.app, slot);
            if (ret != 0) {
                log_error("cx: cannot create command %s: %s", c.cmd_name, strerror(ret));
                return -ret;
            }
        }
    }
    return 0;
}

static int make_avp(uint32_t code, uint32_t vendor, const char *name, enum cx__type t, uint8_t mask,
                    uint8_t val, struct dict_object **out)
{
    struct dict_object *type = NULL;
    struct dict_avp_data d = {
        .avp_code = code,
        .avp_vendor = vendor,
        .avp_name = (char *)name,
        .avp_flag_mask = mask,
        .avp_flag_val = val,
    };
    char tname[96];

    *out = find_avp(code, vendor);
    if (*out)
        return 0;
    switch (t) {
    case T_OCTETS:
        d.avp_basetype = AVP_TYPE_OCTETSTRING;
        break;
    case T_UTF8:
        d.avp_basetype = AVP_TYPE_OCTETSTRING;
        type = find_type("UTF8String");
        break;
    case T_URI:
        d.avp_basetype = AVP_TYPE_OCTETSTRING;
        type = find_type("DiameterURI");
        break;
    case T_U32:
        d.avp_basetype = AVP_TYPE_UNSIGNED32;
        break;
    case T_ENUM: {
        d.avp_basetype = AVP_TYPE_INTEGER32;
        snprintf(tname, sizeof(tname), "Enumerated(Cx/%s)", name);
        struct dict_type_data td = {.type_base = AVP_TYPE_INTEGER32, .type_name = tname};
        int ret = fd_dict_new(dict(), DICT_TYPE, &td, NULL, &type);
        if (ret == EEXIST)
            type = find_type(tname);
        else if (ret != 0)
            return -ret;
        break;
    }
    case T_GROUPED:
        d.avp_basetype = AVP_TYPE_GROUPED;
        break;
    }
    int ret = fd_dict_new(dict(), DICT_AVP, &d, type, out);
    if (ret != 0) {
        log_error("cx: cannot create AVP %u/%u %s: %s", code, vendor, name, strerror(ret));
        return -ret;
    }
    return 0;
}

static int enum_values(void)
{
    for (size_t i = 0; i < sizeof(cx_enums) / sizeof(cx_enums[0]); i++) {
        const struct enum_def *e = &cx_enums[i];
        struct dict_object *type = NULL;
        if (fd_dict_search(dict(), DICT_TYPE, TYPE_OF_AVP, cx__avp(e->avp), &type, ENOENT) != 0 ||
            !type)
            continue; /* an AVP with no derived type: values only matter for dumps */
        struct dict_enumval_data v = {.enum_name = (char *)e->name, .enum_value.i32 = e->value};
        int ret = fd_dict_new(dict(), DICT_ENUMVAL, &v, type, NULL);
        if (ret != 0 && ret != EEXIST) {
            log_error("cx: cannot add enum value %s to AVP %u: %s", e->name, e->avp, strerror(ret));
            return -ret;
        }
    }
    return 0;
}

static int group_rules(void)
{
    for (size_t i = 0; i < sizeof(cx_rules) / sizeof(cx_rules[0]); i++) {
        const struct rule_def *r = &cx_rules[i];
        struct dict_object *parent = cx__avp(r->parent);
        struct dict_object *child = r->child_vendor ? cx__avp(r->child) : find_avp(r->child, 0);
        if (!parent || !child)
            return -ENOENT;
        struct dict_rule_request q = {.rule_parent = parent, .rule_avp = child};
        struct dict_object *existing = NULL;
        if (fd_dict_search(dict(), DICT_RULE, RULE_BY_AVP_AND_PARENT, &q, &existing, ENOENT) == 0)
            continue;
        struct dict_rule_data d = {
            .rule_avp = child,
            .rule_position = r->pos,
            .rule_min = -1,
            .rule_max = r->max,
        };
        int ret = fd_dict_new(dict(), DICT_RULE, &d, parent, NULL);
        if (ret != 0 && ret != EEXIST) {
            log_error("cx: cannot add rule %u in %u: %s", r->child, r->parent, strerror(ret));
            return -ret;
        }
    }
    return 0;
}

static int base_avps(void)
{
    struct {
        uint32_t code;
        struct dict_object **slot;
    } base[] = {
        {263, &cx__d.session_id},
        {264, &cx__d.origin_host},
        {296, &cx__d.origin_realm},
        {293, &cx__d.dest_host},
        {283, &cx__d.dest_realm},
        {1, &cx__d.user_name},
        {260, &cx__d.vsai},
        {266, &cx__d.vendor_id},
        {258, &cx__d.auth_app_id},
        {277, &cx__d.auth_session_state},
        {268, &cx__d.result_code},
        {297, &cx__d.exp_result},
        {298, &cx__d.exp_result_code},
        {279, &cx__d.failed_avp},
        {281, &cx__d.error_message},
    };
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        *base[i].slot = find_avp(base[i].code, 0);
        if (!*base[i].slot) {
            log_error("cx: base AVP %u missing from the freeDiameter dictionary", base[i].code);
            return -ENOENT;
        }
    }
    /* RFC 4590 digest AVPs (vendor 0). Optional: only SIP Digest needs them. */
    const uint8_t m = AVP_FLAG_MANDATORY;
    if (make_avp(104, 0, "Digest-Realm", T_UTF8, VM_MASK, m, &cx__d.digest_realm) != 0 ||
        make_avp(110, 0, "Digest-QoP", T_UTF8, VM_MASK, m, &cx__d.digest_qop) != 0 ||
        make_avp(111, 0, "Digest-Algorithm", T_UTF8, VM_MASK, m, &cx__d.digest_algorithm) != 0 ||
        make_avp(121, 0, "Digest-HA1", T_OCTETS, VM_MASK, m, &cx__d.digest_ha1) != 0) {
        log_warn("cx: RFC 4590 Digest AVPs unavailable; SIP-Digest-Authenticate not supported");
        cx__d.digest_realm = cx__d.digest_qop = cx__d.digest_algorithm = cx__d.digest_ha1 = NULL;
    }
    return 0;
}

int cx__dict_init(void)
{
    int ret;

    memset(&cx__d, 0, sizeof(cx__d));
    if ((ret = vendor_and_app()) != 0 || (ret = commands()) != 0)
        return ret;
    for (size_t i = 0; i < sizeof(cx_avps) / sizeof(cx_avps[0]); i++) {
        const struct avp_def *a = &cx_avps[i];
        ret = make_avp(a->code, CX_VENDOR_3GPP, a->name, a->type, a->mask, a->val,
                       &cx__d.cx[a->code - CX__AVP_FIRST]);
        if (ret != 0)
            return ret;
    }
    if ((ret = base_avps()) != 0 || (ret = enum_values()) != 0 || (ret = group_rules()) != 0)
        return ret;
    if (cx__d.digest_realm) {
        struct dict_object *grp = cx__avp(635);
        struct dict_object *kids[] = {cx__d.digest_realm, cx__d.digest_algorithm, cx__d.digest_qop,
                                      cx__d.digest_ha1};
        for (size_t i = 0; i < 4; i++) {
            struct dict_rule_data d = {
                .rule_avp = kids[i], .rule_position = RULE_OPTIONAL, .rule_min = -1, .rule_max = 1};
            ret = fd_dict_new(dict(), DICT_RULE, &d, grp, NULL);
            if (ret != 0 && ret != EEXIST)
                return -ret;
        }
    }
    return 0;
}
