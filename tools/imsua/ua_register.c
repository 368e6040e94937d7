/*
 * imsua: one UE's REGISTER procedure (RFC 3261 §10, TS 24.229 §5.1.1) with
 * AKAv1-MD5 (RFC 3310, AUTS resynchronisation) or MD5 Digest. The same
 * procedure registers, re-registers (answering a fresh challenge when the
 * network asks for one) and de-registers (Expires 0).
 */
#include "log/log.h"
#include "loop/loop.h"
#include "ua_ue.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_final(void *arg, const osip_message_t *resp);

/* Ends the current procedure with code; cause/key describe a failure. */
static void end(struct ua_ue *ue, int code, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void end(struct ua_ue *ue, int code, const char *key, const char *fmt, ...)
{
    va_list ap;
    ue->cause[0] = '\0';
    ue->cause_key = key;
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(ue->cause, sizeof(ue->cause), fmt, ap);
        va_end(ap);
    }
    if (code == UA_EXIT_OK)
        ue->state = ue->req_expires ? UA_REG_REGISTERED : UA_REG_DEREGISTERED;
    else
        ue->state = UA_REG_FAILED;
    ue->cb(ue, code, ue->cause);
}

void ua_ue_new_call(struct ua_ue *ue)
{
    char rnd[17];
    sip_random_hex(rnd, sizeof(rnd), 8);
    snprintf(ue->call_id, sizeof(ue->call_id), "%s@imsua", rnd);
    sip_random_hex(ue->from_tag, sizeof(ue->from_tag), 6);
    ue->cseq = 0;
}

int ua_ue_init(struct ua_ue *ue, struct ua_net *net, const struct ua_cred *cred,
               const char *contact_user, bool security_client, uint64_t sqn_ms, ua_reg_cb cb,
               void *arg)
{
    memset(ue, 0, sizeof(*ue));
    ue->net = net;
    ue->cred = cred;
    ue->security_client = security_client;
    ue->cb = cb;
    ue->arg = arg;
    snprintf(ue->contact_user, sizeof(ue->contact_user), "%s", contact_user);
    snprintf(ue->contact, sizeof(ue->contact), "sip:%s@%s:%d;transport=%s", contact_user,
             ua_net_host(net), ua_net_port(net), ua_net_param_proto(net));
    const char *at = strchr(cred->impu, '@');
    snprintf(ue->domain, sizeof(ue->domain), "%s",
             at ? at + 1 : (strchr(cred->impi, '@') ? strchr(cred->impi, '@') + 1 : "invalid"));
    /* a domain taken from a URI may carry ;params or a port: keep the host only */
    ue->domain[strcspn(ue->domain, ";>?")] = '\0';
    snprintf(ue->ruri, sizeof(ue->ruri), "sip:%s", ue->domain);
    ua_ue_new_call(ue);
    aka_sqn_ms_init(&ue->ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0);
    if (sqn_ms) {
        /* A USIM that has seen SEQ(sqn_ms) in every IND slot. */
        for (size_t i = 0; i < (1u << ue->ms.ind_bits); i++)
            ue->ms.seq[i] = aka_sqn_seq(sqn_ms, ue->ms.ind_bits);
    }
    return ua_ctr_init(&ue->tx, net, on_final, ue);
}

void ua_ue_fini(struct ua_ue *ue)
{
    ua_ctr_fini(&ue->tx);
}

/* Builds and sends a REGISTER; cr may be NULL for one naming the IMPI only. */
static int send_register(struct ua_ue *ue, const struct sip_auth_credentials *cr)
{
    char auth[1200], sec[700] = "", *buf = NULL;
    struct sip_auth_credentials init;
    struct ua_net *net = ue->net;
    int rc;

    if (!cr) {
        /* TS 24.229 §5.1.1.2.1: the initial REGISTER names the IMPI. */
        memset(&init, 0, sizeof(init));
        snprintf(init.scheme, sizeof(init.scheme), "Digest");
        snprintf(init.username, sizeof(init.username), "%s", ue->cred->impi);
        snprintf(init.realm, sizeof(init.realm), "%s", ue->domain);
        snprintf(init.uri, sizeof(init.uri), "%s", ue->ruri);
        cr = &init;
    }
    if (sip_auth_credentials_build(cr, auth, sizeof(auth)) != 0)
        return -EINVAL;
    if ((rc = ua_ctr_new_branch(&ue->tx)))
        return rc;
    ue->cseq++;
    if (ue->security_client) {
        /* TS 33.203 §7.1: offer ipsec-3gpp; echo the server's list once we have it. */
        int m = snprintf(
            sec, sizeof(sec),
            "Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=%u;spi-s=%u;"
            "port-c=%d;port-s=%d\r\nRequire: sec-agree\r\nProxy-Require: sec-agree\r\n%s%s%s",
            10001u, 10002u, ua_net_port(net), ua_net_port(net),
            ue->sec_server[0] ? "Security-Verify: " : "", ue->sec_server,
            ue->sec_server[0] ? "\r\n" : "");
        if (m < 0 || (size_t)m >= sizeof(sec))
            return -ENOSPC;
    }
    int n = asprintf(&buf,
                     "REGISTER %s SIP/2.0\r\n"
                     "Via: SIP/2.0/%s %s:%d;rport;branch=%s\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <%s>;tag=%s\r\n"
                     "To: <%s>\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: %u REGISTER\r\n"
                     "Contact: <%s>;expires=%u\r\n"
                     "Expires: %u\r\n"
                     "Authorization: %s\r\n"
                     "%s"
                     "Supported: path, sec-agree\r\n"
                     "User-Agent: imsua\r\n"
                     "Content-Length: 0\r\n\r\n",
                     ue->ruri, ua_net_via_proto(net), ua_net_host(net), ua_net_port(net),
                     ue->tx.branch, ue->cred->impu, ue->from_tag, ue->cred->impu, ue->call_id,
                     ue->cseq, ue->contact, ue->req_expires, ue->req_expires, auth, sec);
    if (n < 0)
        return -ENOMEM;
    return ua_ctr_send(&ue->tx, &buf, (size_t)n);
}

int ua_ue_register(struct ua_ue *ue, uint32_t expires)
{
    ue->req_expires = expires;
    ue->resyncs = 0;
    ue->retried_423 = false;
    ue->answered = false;
    ue->t_start_ms = loop_now_ms();
    ue->state = expires ? UA_REG_REGISTERING : UA_REG_DEREGISTERING;
    return send_register(ue, NULL);
}

/* Answers a 401: AKA (with resync) or MD5. */
static void on_challenge(struct ua_ue *ue, const osip_message_t *resp)
{
    struct sip_auth_challenge ch;
    struct sip_auth_credentials cr;
    char why[160], cnonce[17];
    const struct ua_cred *c = ue->cred;

    if (sip_auth_challenge_get(resp, false, 0, &ch, why, sizeof(why)) != 0) {
        end(ue, UA_EXIT_REJECT, "401_unusable", "401 without a usable WWW-Authenticate: %s", why);
        return;
    }
    if (ue->security_client) {
        const char *ss = sip_hdr_get(resp, "Security-Server", 0);
        struct sip_sec_mech mech[4];
        if (!ss || sip_sec_get(resp, "Security-Server", mech, 4, why, sizeof(why)) <= 0) {
            end(ue, UA_EXIT_REJECT, "sec_agree",
                "401 without a usable Security-Server (sec-agree refused)");
            return;
        }
        snprintf(ue->sec_server, sizeof(ue->sec_server), "%s", ss);
        if (ue->verbose)
            printf("Security-Server: %s\n", ss);
    }
    sip_random_hex(cnonce, sizeof(cnonce), 8);
    struct ua_auth_req rq = {
        .username = c->impi, .method = "REGISTER", .uri = ue->ruri, .cnonce = cnonce, .nc = 1};
    bool aka = strncasecmp(ch.algorithm, "AKAv1", 5) == 0;
    if (aka != c->have_k) {
        end(ue, UA_EXIT_REJECT, "401_scheme",
            "401 loop: network asks for %s, we have %s credentials",
            ch.algorithm[0] ? ch.algorithm : "MD5", c->have_k ? "AKA" : "password");
        return;
    }
    if (!aka) {
        if (ue->answered) {
            end(ue, UA_EXIT_REJECT, "401_password", "401 loop: password rejected");
            return;
        }
        if (ua_auth_md5(c->password, &ch, &rq, &cr) != 0) {
            end(ue, UA_EXIT_REJECT, "internal", "cannot compute the Digest response");
            return;
        }
        ue->answered = true;
    } else {
        int v = ua_auth_aka(c->k, c->opc, &ue->ms, &ch, &rq, &cr);
        if (v == UA_AKA_MAC_FAIL) {
            end(ue, UA_EXIT_REJECT, "mac_mismatch", "401 loop: network MAC mismatch (wrong K/OP?)");
            return;
        }
        if (v == UA_AKA_BAD_NONCE || v < 0) {
            end(ue, UA_EXIT_REJECT, "bad_nonce", "401 with an unusable AKA nonce");
            return;
        }
        if (v == UA_AKA_RESYNC) {
            if (++ue->resyncs > 1) {
                end(ue, UA_EXIT_REJECT, "resync_failed",
                    "401 loop: SQN still out of range after resync");
                return;
            }
            if (ue->verbose)
                printf("SQN out of range, sending AUTS\n");
        } else if (ue->answered) {
            end(ue, UA_EXIT_REJECT, "res_rejected", "401 loop: RES rejected");
            return;
        } else {
            if (ue->resyncs == 1 && ue->verbose)
                printf("SQN resync performed\n");
            ue->answered = true;
        }
    }
    int rc = send_register(ue, &cr);
    if (rc < 0)
        end(ue, UA_EXIT_TIMEOUT, "send_error", "no answer from P-CSCF %s:%d (cannot send: %s)",
            ua_net_opts(ue->net)->proxy_host, ua_net_opts(ue->net)->proxy_port, strerror(-rc));
}

/* Granted expiry of our contact in a 2xx (RFC 3261 §10.2.4), or the Expires header. */
static uint32_t granted_expiry(const struct ua_ue *ue, const osip_message_t *resp)
{
    uint32_t e = 0, dflt = ue->req_expires;
    sip_hdr_get_uint(resp, "Expires", &dflt);
    for (int i = 0; i < osip_list_size(&resp->contacts); i++) {
        const osip_contact_t *ct = osip_list_get(&resp->contacts, i);
        char uri[SIP_URI_MAX];
        if (!ct || !ct->url || sip_uri_to_buf(ct->url, uri, sizeof(uri)) != 0 ||
            !sip_uri_aor_is_equal(uri, ue->contact))
            continue;
        if (sip_contact_expires(resp, ct, dflt, 0, &e) == 0)
            return e;
    }
    return dflt;
}

static void on_ok(struct ua_ue *ue, const osip_message_t *resp)
{
    struct sip_addr sr[UA_MAX_ROUTES];
    if (ue->req_expires == 0) {
        end(ue, UA_EXIT_OK, NULL, NULL);
        return;
    }
    ue->granted = granted_expiry(ue, resp);
    if (ue->granted == 0) {
        end(ue, UA_EXIT_REJECT, "no_binding", "2xx without our contact binding");
        return;
    }
    int n = sip_addr_list_get(resp, "Service-Route", sr, UA_MAX_ROUTES);
    if (n < 0) {
        end(ue, UA_EXIT_REJECT, "bad_service_route", "2xx with an unusable Service-Route");
        return;
    }
    ue->n_routes = (size_t)n;
    for (int i = 0; i < n; i++)
        snprintf(ue->routes[i], sizeof(ue->routes[i]), "%s", sr[i].uri);
    end(ue, UA_EXIT_OK, NULL, NULL);
}

static void on_final(void *arg, const osip_message_t *resp)
{
    struct ua_ue *ue = arg;
    const struct ua_opts *o = ua_net_opts(ue->net);
    if (!resp) {
        end(ue, UA_EXIT_TIMEOUT, "timeout", "no answer from P-CSCF %s:%d", o->proxy_host,
            o->proxy_port);
        return;
    }
    int code = resp->status_code;
    const char *reason = resp->reason_phrase ? resp->reason_phrase : "";
    uint32_t min = 0;
    if (code == 423 && ue->req_expires && !ue->retried_423 &&
        sip_hdr_get_uint(resp, "Min-Expires", &min) == 0 && min > ue->req_expires) {
        /* RFC 3261 §10.2.8: retry once with the registrar's minimum */
        ue->retried_423 = true;
        ue->req_expires = min;
        ue->answered = false;
        ue->resyncs = 0;
        int rc = send_register(ue, NULL);
        if (rc < 0)
            end(ue, UA_EXIT_TIMEOUT, "send_error", "cannot send REGISTER: %s", strerror(-rc));
        return;
    }
    if (code == 401) {
        on_challenge(ue, resp);
    } else if (code >= 200 && code < 300) {
        on_ok(ue, resp);
    } else if (code == 403 && ue->answered && ue->cred->have_k) {
        end(ue, UA_EXIT_REJECT, "403", "403 after response: RES mismatch (%s)", reason);
    } else if (code == 403 && ue->answered) {
        end(ue, UA_EXIT_REJECT, "403", "403 after response: password mismatch (%s)", reason);
    } else {
        /* cause_key must outlive the call: the class of the code */
        static const char *const keys[] = {"3xx", "4xx", "5xx", "6xx"};
        end(ue, UA_EXIT_REJECT, code >= 300 && code < 700 ? keys[code / 100 - 3] : "other",
            "%d %s: %s", code, ue->answered ? "after response" : "before challenge", reason);
    }
}
