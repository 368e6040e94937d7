/*
 * cx_result.c: what a UAA or an LIA means for the SIP request that caused it
 * (TS 29.228 §6.1.1 and §6.1.4, TS 24.229 §5.3.1.2 and §5.3.2.1).
 */
#include "icscf.h"

#include <errno.h>

static enum icscf_route reply(struct icscf_reply *out, int code, const char *reason, bool retry)
{
    out->code = code;
    out->reason = reason;
    out->retry_after = retry;
    return ICSCF_ROUTE_REPLY;
}

static enum icscf_route hss_failed(struct icscf_reply *out, int hss_fail_code)
{
    if (hss_fail_code == 480)
        return reply(out, 480, "Temporarily Unavailable", true);
    return reply(out, 500, "Server Internal Error", true);
}

enum icscf_route icscf_cx_route(bool lir, int status, const struct cx_result *r,
                                bool has_server_name, int hss_fail_code, struct icscf_reply *out)
{
    struct icscf_reply dummy;

    if (!out)
        out = &dummy;
    if (status != 0 || !r)
        return hss_failed(out, hss_fail_code);
    if (r->exp_result) {
        switch (r->exp_result) {
        case CX_DIAMETER_FIRST_REGISTRATION: /* == SUCCESS value 2001 */
            if (lir)
                break;
            return has_server_name ? ICSCF_ROUTE_SERVER_NAME : ICSCF_ROUTE_SELECT;
        case CX_DIAMETER_SUBSEQUENT_REGISTRATION:
            if (lir)
                break;
            return has_server_name ? ICSCF_ROUTE_SERVER_NAME : ICSCF_ROUTE_SELECT;
        case CX_DIAMETER_UNREGISTERED_SERVICE:
            if (!lir)
                break;
            return has_server_name ? ICSCF_ROUTE_SERVER_NAME : ICSCF_ROUTE_SELECT;
        case CX_DIAMETER_ERROR_USER_UNKNOWN:
            return lir ? reply(out, 404, "Not Found", false)
                       : reply(out, 403, "Forbidden - User Unknown", false);
        case CX_DIAMETER_ERROR_IDENTITIES_DONT_MATCH:
            return reply(out, 403, "Forbidden - Identities Don't Match", false);
        case CX_DIAMETER_ERROR_ROAMING_NOT_ALLOWED:
            return reply(out, 403, "Roaming Not Allowed", false);
        case CX_DIAMETER_ERROR_IDENTITY_NOT_REGISTERED:
            /* LIA: nobody serves the user; UAA: de-registration of an unregistered user */
            return lir ? reply(out, 480, "Temporarily Unavailable", false)
                       : reply(out, 403, "Forbidden - Not Registered", false);
        default:
            break;
        }
        return lir ? reply(out, 500, "Server Internal Error", false)
                   : reply(out, 403, "Forbidden", false);
    }
    switch (r->result_code) {
    case CX_DIAMETER_SUCCESS:
        return has_server_name ? ICSCF_ROUTE_SERVER_NAME : ICSCF_ROUTE_SELECT;
    case CX_DIAMETER_AUTHORIZATION_REJECTED:
        return reply(out, 403, "Forbidden - Authorization Rejected", false);
    case CX_DIAMETER_UNABLE_TO_DELIVER:
    case CX_DIAMETER_REALM_NOT_SERVED:
    case CX_DIAMETER_TOO_BUSY:
    case CX_DIAMETER_LOOP_DETECTED:
    case CX_DIAMETER_UNABLE_TO_COMPLY:
        return hss_failed(out, hss_fail_code);
    default:
        return lir ? reply(out, 500, "Server Internal Error", false)
                   : reply(out, 403, "Forbidden", false);
    }
}
