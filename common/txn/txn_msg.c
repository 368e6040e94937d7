/*
 * txn_msg.c: building responses (RFC 3261 §8.2.6) and reason phrases.
 */
#include "txn_internal.h"

#include "sip/sip.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *txn_reason_phrase(int code)
{
    switch (code) {
    case 100:
        return "Trying";
    case 180:
        return "Ringing";
    case 181:
        return "Call Is Being Forwarded";
    case 182:
        return "Queued";
    case 183:
        return "Session Progress";
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Moved Temporarily";
    case 305:
        return "Use Proxy";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 407:
        return "Proxy Authentication Required";
    case 408:
        return "Request Timeout";
    case 416:
        return "Unsupported URI Scheme";
    case 420:
        return "Bad Extension";
    case 423:
        return "Interval Too Brief";
    case 480:
        return "Temporarily Unavailable";
    case 481:
        return "Call/Transaction Does Not Exist";
    case 482:
        return "Loop Detected";
    case 483:
        return "Too Many Hops";
    case 484:
        return "Address Incomplete";
    case 486:
        return "Busy Here";
    case 487:
        return "Request Terminated";
    case 488:
        return "Not Acceptable Here";
    case 489:
        return "Bad Event";
    case 500:
        return "Server Internal Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Server Time-out";
    case 600:
        return "Busy Everywhere";
    case 603:
        return "Decline";
    case 604:
        return "Does Not Exist Anywhere";
    default:
        return "Unknown";
    }
}

int txn_response_new(const osip_message_t *req, int code, const char *reason, osip_message_t **out)
{
    if (!req || !out || !MSG_IS_REQUEST(req) || code < 100 || code > 699)
        return -EINVAL;
    if (osip_list_size(&req->vias) <= 0 || !req->from || !req->to || !req->call_id || !req->cseq)
        return -EPROTO;
    return sip_response_new(req, code, reason ? reason : txn_reason_phrase(code), NULL, out);
}
