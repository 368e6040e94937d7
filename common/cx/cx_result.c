/* Result-Code and Cx Experimental-Result-Code names (RFC 6733 §7.1, TS 29.229 §6.2). */
#include "cx_internal.h"

struct code_name {
    uint32_t code;
    const char *name;
};

static const struct code_name base_codes[] = {
    {2001, "DIAMETER_SUCCESS"},
    {2002, "DIAMETER_LIMITED_SUCCESS"},
    {3001, "DIAMETER_COMMAND_UNSUPPORTED"},
    {3002, "DIAMETER_UNABLE_TO_DELIVER"},
    {3003, "DIAMETER_REALM_NOT_SERVED"},
    {3004, "DIAMETER_TOO_BUSY"},
    {3005, "DIAMETER_LOOP_DETECTED"},
    {3006, "DIAMETER_REDIRECT_INDICATION"},
    {3007, "DIAMETER_APPLICATION_UNSUPPORTED"},
    {3008, "DIAMETER_INVALID_HDR_BITS"},
    {3009, "DIAMETER_INVALID_AVP_BITS"},
    {3010, "DIAMETER_UNKNOWN_PEER"},
    {4001, "DIAMETER_AUTHENTICATION_REJECTED"},
    {4002, "DIAMETER_OUT_OF_SPACE"},
    {4003, "ELECTION_LOST"},
    {5001, "DIAMETER_AVP_UNSUPPORTED"},
    {5002, "DIAMETER_UNKNOWN_SESSION_ID"},
    {5003, "DIAMETER_AUTHORIZATION_REJECTED"},
    {5004, "DIAMETER_INVALID_AVP_VALUE"},
    {5005, "DIAMETER_MISSING_AVP"},
    {5006, "DIAMETER_RESOURCES_EXCEEDED"},
    {5007, "DIAMETER_CONTRADICTING_AVPS"},
    {5008, "DIAMETER_AVP_NOT_ALLOWED"},
    {5009, "DIAMETER_AVP_OCCURS_TOO_MANY_TIMES"},
    {5010, "DIAMETER_NO_COMMON_APPLICATION"},
    {5011, "DIAMETER_UNSUPPORTED_VERSION"},
    {5012, "DIAMETER_UNABLE_TO_COMPLY"},
    {5013, "DIAMETER_INVALID_BIT_IN_HEADER"},
    {5014, "DIAMETER_INVALID_AVP_LENGTH"},
    {5015, "DIAMETER_INVALID_MESSAGE_LENGTH"},
    {5016, "DIAMETER_INVALID_AVP_BIT_COMBO"},
    {5017, "DIAMETER_NO_COMMON_SECURITY"},
};

static const struct code_name cx_codes[] = {
    {2001, "DIAMETER_FIRST_REGISTRATION"},
    {2002, "DIAMETER_SUBSEQUENT_REGISTRATION"},
    {2003, "DIAMETER_UNREGISTERED_SERVICE"},
    {2004, "DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED"},
    {5001, "DIAMETER_ERROR_USER_UNKNOWN"},
    {5002, "DIAMETER_ERROR_IDENTITIES_DONT_MATCH"},
    {5003, "DIAMETER_ERROR_IDENTITY_NOT_REGISTERED"},
    {5004, "DIAMETER_ERROR_ROAMING_NOT_ALLOWED"},
    {5005, "DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED"},
    {5006, "DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED"},
    {5007, "DIAMETER_ERROR_IN_ASSIGNMENT_TYPE"},
    {5008, "DIAMETER_ERROR_TOO_MUCH_DATA"},
    {5009, "DIAMETER_ERROR_NOT_SUPPORTED_USER_DATA"},
    {5011, "DIAMETER_ERROR_FEATURE_UNSUPPORTED"},
    {5012, "DIAMETER_ERROR_SERVING_NODE_FEATURE_UNSUPPORTED"},
};

static const char *lookup(const struct code_name *t, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return "UNKNOWN";
}

const char *cx_result_name(uint32_t code, bool is_experimental)
{
    if (is_experimental)
        return lookup(cx_codes, sizeof(cx_codes) / sizeof(cx_codes[0]), code);
    return lookup(base_codes, sizeof(base_codes) / sizeof(base_codes[0]), code);
}

bool cx_result_is_success(const struct cx_result *r)
{
    uint32_t c = r ? (r->exp_result ? r->exp_result : r->result_code) : 0;
    return c >= 2000 && c < 3000;
}
