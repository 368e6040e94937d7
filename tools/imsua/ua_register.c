/*
 * imsua: the REGISTER procedure (RFC 3261 §10, TS 24.229 §5.1.1) with
 * AKAv1-MD5 or MD5 Digest, over common/transport on a common/loop.
 */
#include "log/log.h"
#include "loop/loop.h"
#include "transport/transport.h"
#include "ua.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UA_T1_MS 500
#define UA_T2_MS 4000

struct ua {
    const struct ua_opts *o;
    struct loop *loop;
    struct tp *tp;
    struct event *timer;
    struct tp_flow flow;
    int local_port;
    char domain[128];
    char ruri[300];
    char call_id[64];
    char from_tag[32];
    char branch[48];
    unsigned cseq;
    char *msg; /* last request, for UDP retransmission */
    size_t msg_len;
    int rtx_ms;
    long long deadline_ms;
    struct aka_sqn_ms ms;
    int resyncs;
    bool answered_challenge;
    int result;
    char sec_server[512]; /* Security-Server of the 401, echoed as Security-Verify */
    bool done; /* result is final; later events (e.g. the peer closing TCP) are ignored */
};

static void finish(struct ua *ua, int code)
{
    if (ua->done)
        return;
    ua->done = true;
    ua->result = code;
    loop_stop(ua->loop);
}

/* Builds and sends a REGISTER; cr may be NULL for the initial one. */
static int send_register(struct ua *ua, const struct sip_auth_credentials *cr)
{
    char auth[1200], branch_rnd[17], sec[700] = "", *buf = NULL;
    struct sip_auth_credentials init;
    if (!cr) {
        /* TS 24.229 §5.1.1.2.1: the initial REGISTER names the IMPI. */
        memset(&init, 0, sizeof(init));
        snprintf(init.scheme, sizeof(init.scheme), "Digest");
        snprintf(init.username, sizeof(init.username), "%s", ua->o->impi);
        snprintf(init.realm, sizeof(init.realm), "%s", ua->domain);
        snprintf(init.uri, sizeof(init.uri), "%s", ua->ruri);
        cr = &init;
    }
    if (sip_auth_credentials_build(cr, auth, sizeof(auth)) != 0 ||
        sip_random_hex(branch_rnd, sizeof(branch_rnd), 8) != 0)
        return -EINVAL;
    snprintf(ua->branch, sizeof(ua->branch), "z9hG4bK%s", branch_rnd);
    ua->cseq++;
    const char *proto = ua->o->tcp ? "TCP" : "UDP";
    if (ua->o->security_client) {
        /* TS 33.203 §7.1: offer ipsec-3gpp; echo the server's list once we have it. */
        int m = snprintf(
            sec, sizeof(sec),
            "Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=%u;spi-s=%u;"
            "port-c=%d;port-s=%d\r\nRequire: sec-agree\r\nProxy-Require: sec-agree\r\n%s%s%s",
            10001u, 10002u, ua->local_port, ua->local_port,
            ua->sec_server[0] ? "Security-Verify: " : "", ua->sec_server,
            ua->sec_server[0] ? "\r\n" : "");
        if (m < 0 || (size_t)m >= sizeof(sec))
            return -ENOSPC;
    }
    int n = asprintf(&buf,
                     "REGISTER %s SIP/2.0\r\n"
                     "Via: SIP/2.0/%s 127.0.0.1:%d;rport;branch=%s\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <%s>;tag=%s\r\n"
                     "To: <%s>\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: %u REGISTER\r\n"
                     "Contact: <sip:ue@127.0.0.1:%d;transport=%s>;expires=%u\r\n"
                     "Expires: %u\r\n"
                     "Authorization: %s\r\n"
                     "%s"
                     "Supported: path, sec-agree\r\n"
                     "User-Agent: imsua\r\n"
                     "Content-Length: 0\r\n\r\n",
                     ua->ruri, proto, ua->local_port, ua->branch, ua->o->impu, ua->from_tag,
                     ua->o->impu, ua->call_id, ua->cseq, ua->local_port, ua->o->tcp ? "tcp" : "udp",
                     ua->o->expires, ua->o->expires, auth, sec);
    if (n < 0)
        return -ENOMEM;
    free(ua->msg);
    ua->msg = buf;
    ua->msg_len = (size_t)n;
    ua->rtx_ms = UA_T1_MS;
    ua->deadline_ms = loop_now_ms() + ua->o->timeout_ms;
    int rc = tp_send(ua->tp, &ua->flow, ua->msg, ua->msg_len);
    if (rc < 0)
        return rc;
    struct timeval tv = {.tv_sec = 0, .tv_usec = UA_T1_MS * 1000};
    evtimer_add(ua->timer, &tv);
    return 0;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct ua *ua = arg;
    if (loop_now_ms() >= ua->deadline_ms) {
        fprintf(stderr, "no answer from P-CSCF %s:%d\n", ua->o->proxy_host, ua->o->proxy_port);
        finish(ua, UA_EXIT_TIMEOUT);
        return;
    }
    if (!ua->o->tcp) {
        tp_send(ua->tp, &ua->flow, ua->msg, ua->msg_len);
        ua->rtx_ms = ua->rtx_ms * 2 > UA_T2_MS ? UA_T2_MS : ua->rtx_ms * 2;
    }
    struct timeval tv = {.tv_sec = ua->rtx_ms / 1000, .tv_usec = (ua->rtx_ms % 1000) * 1000};
    evtimer_add(ua->timer, &tv);
}

/* Answers a 401: AKA (with resync) or MD5. */
static void on_challenge(struct ua *ua, const osip_message_t *resp)
{
    struct sip_auth_challenge ch;
    struct sip_auth_credentials cr;
    char why[160], cnonce[17];
    if (sip_auth_challenge_get(resp, false, 0, &ch, why, sizeof(why)) != 0) {
        fprintf(stderr, "401 without a usable WWW-Authenticate: %s\n", why);
        finish(ua, UA_EXIT_REJECT);
        return;
    }
    if (ua->o->security_client) {
        const char *ss = sip_hdr_get(resp, "Security-Server", 0);
        struct sip_sec_mech mech[4];
        if (!ss || sip_sec_get(resp, "Security-Server", mech, 4, why, sizeof(why)) <= 0) {
            fprintf(stderr, "401 without a usable Security-Server (sec-agree refused)\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
        snprintf(ua->sec_server, sizeof(ua->sec_server), "%s", ss);
        printf("Security-Server: %s\n", ss);
    }
    sip_random_hex(cnonce, sizeof(cnonce), 8);
    struct ua_auth_req rq = {
        .username = ua->o->impi, .method = "REGISTER", .uri = ua->ruri, .cnonce = cnonce, .nc = 1};
    bool aka = strncasecmp(ch.algorithm, "AKAv1", 5) == 0;
    if (aka != ua->o->have_k) {
        fprintf(stderr, "401 loop: network asks for %s, we have %s credentials\n",
                ch.algorithm[0] ? ch.algorithm : "MD5", ua->o->have_k ? "AKA" : "password");
        finish(ua, UA_EXIT_REJECT);
        return;
    }
    if (!aka) {
        if (ua->answered_challenge) {
            fprintf(stderr, "401 loop: password rejected\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
        if (ua_auth_md5(ua->o->password, &ch, &rq, &cr) != 0) {
            fprintf(stderr, "cannot compute the Digest response\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
    } else {
        int v = ua_auth_aka(ua->o->k, ua->o->opc, &ua->ms, &ch, &rq, &cr);
        if (v == UA_AKA_MAC_FAIL) {
            fprintf(stderr, "401 loop: network MAC mismatch (wrong K/OP?)\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
        if (v == UA_AKA_BAD_NONCE || v < 0) {
            fprintf(stderr, "401 with an unusable AKA nonce\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
        if (v == UA_AKA_RESYNC) {
            if (++ua->resyncs > 1) {
                fprintf(stderr, "401 loop: SQN still out of range after resync\n");
                finish(ua, UA_EXIT_REJECT);
                return;
            }
            printf("SQN out of range, sending AUTS\n");
        } else if (ua->resyncs == 1 && !ua->answered_challenge) {
            printf("SQN resync performed\n");
        } else if (ua->answered_challenge) {
            fprintf(stderr, "401 loop: RES rejected\n");
            finish(ua, UA_EXIT_REJECT);
            return;
        }
        if (v == UA_AKA_OK)
            ua->answered_challenge = true;
    }
    if (!aka)
        ua->answered_challenge = true;
    int rc = send_register(ua, &cr);
    if (rc < 0) {
        fprintf(stderr, "cannot send REGISTER: %s\n", strerror(-rc));
        finish(ua, UA_EXIT_TIMEOUT);
    }
}

/* True when the Call-ID of m (osip splits it at '@') is ours. */
static bool call_id_is_ours(const struct ua *ua, const osip_message_t *m)
{
    char cid[160];
    if (!m->call_id || !m->call_id->number)
        return false;
    snprintf(cid, sizeof(cid), "%s%s%s", m->call_id->number, m->call_id->host ? "@" : "",
             m->call_id->host ? m->call_id->host : "");
    return strcmp(cid, ua->call_id) == 0;
}

static void on_recv(void *arg, const struct tp_msg_info *info, const char *buf, size_t len)
{
    struct ua *ua = arg;
    osip_message_t *m = NULL;
    char why[160] = "";
    if (ua->done)
        return;
    if (sip_msg_parse(buf, len, &m, why, sizeof(why)) != 0 || sip_msg_check(m, why, sizeof(why))) {
        log_warn("imsua: dropping bad message: %s", why);
        goto out;
    }
    if (!MSG_IS_RESPONSE(m) || !call_id_is_ours(ua, m) || !m->cseq || !m->cseq->number ||
        strtoul(m->cseq->number, NULL, 10) != ua->cseq) {
        log_info("imsua: ignoring a message not for the pending REGISTER");
        goto out;
    }
    int code = m->status_code;
    if (code < 200)
        goto out;
    evtimer_del(ua->timer);
    const char *reason = m->reason_phrase ? m->reason_phrase : "";
    if (code == 401) {
        on_challenge(ua, m);
    } else if (code >= 200 && code < 300) {
        printf("registered %s (%d %s)\n", ua->o->impu, code, reason);
        finish(ua, UA_EXIT_OK);
    } else {
        fprintf(stderr, "%d %s: %s\n", code,
                ua->answered_challenge ? "after response" : "before challenge", reason);
        finish(ua, UA_EXIT_REJECT);
    }
out:
    if (m)
        osip_message_free(m);
}

static void on_closed(void *arg, uint64_t conn_id)
{
    struct ua *ua = arg;
    if (ua->done)
        return;
    fprintf(stderr, "no answer from P-CSCF %s:%d (connection closed)\n", ua->o->proxy_host,
            ua->o->proxy_port);
    finish(ua, UA_EXIT_TIMEOUT);
}

int ua_register_run(const struct ua_opts *o)
{
    struct ua ua = {.o = o, .result = UA_EXIT_TIMEOUT};
    struct tp_config tpc = {.on_conn_closed = on_closed};
    char rnd[17];
    int rc;

    const char *at = strchr(o->impu, '@');
    snprintf(ua.domain, sizeof(ua.domain), "%s", at ? at + 1 : o->proxy_host);
    snprintf(ua.ruri, sizeof(ua.ruri), "sip:%s", ua.domain);
    sip_random_hex(rnd, sizeof(rnd), 8);
    snprintf(ua.call_id, sizeof(ua.call_id), "%s@imsua", rnd);
    sip_random_hex(ua.from_tag, sizeof(ua.from_tag), 6);
    aka_sqn_ms_init(&ua.ms, AKA_IND_BITS_DEFAULT, AKA_SQN_DELTA_DEFAULT, 0);
    if (o->sqn_ms) {
        /* A USIM that has seen SEQ(sqn_ms) in every IND slot. */
        for (size_t i = 0; i < (1u << ua.ms.ind_bits); i++)
            ua.ms.seq[i] = aka_sqn_seq(o->sqn_ms, ua.ms.ind_bits);
    }
    ua.flow.proto = o->tcp ? TP_PROTO_TCP : TP_PROTO_UDP;
    if (tp_addr_set(&ua.flow.remote, o->proxy_host, (uint16_t)o->proxy_port) != 0) {
        fprintf(stderr, "imsua: --proxy needs a numeric address, got '%s'\n", o->proxy_host);
        return UA_EXIT_USAGE;
    }
    if ((rc = loop_new(&ua.loop)) < 0 || (rc = tp_new(ua.loop, &tpc, on_recv, &ua, &ua.tp)) < 0)
        goto out;
    rc = o->tcp ? tp_listen_tcp(ua.tp, "127.0.0.1", (uint16_t)o->local_port)
                : tp_listen_udp(ua.tp, "127.0.0.1", (uint16_t)o->local_port);
    if (rc < 0) {
        fprintf(stderr, "imsua: cannot bind local port %d: %s\n", o->local_port, strerror(-rc));
        ua.result = UA_EXIT_USAGE;
        goto out;
    }
    ua.local_port = tp_local_port(ua.tp, ua.flow.proto);
    ua.timer = evtimer_new(loop_base(ua.loop), on_timer, &ua);
    if (!ua.timer) {
        rc = -ENOMEM;
        goto out;
    }
    if ((rc = send_register(&ua, NULL)) < 0) {
        fprintf(stderr, "no answer from P-CSCF %s:%d (%s)\n", o->proxy_host, o->proxy_port,
                strerror(-rc));
        ua.result = UA_EXIT_TIMEOUT;
        goto out;
    }
    loop_run(ua.loop);
    if (ua.result == UA_EXIT_OK && (o->subscribe || o->stay))
        fprintf(stderr, "imsua: --subscribe/--stay are not implemented yet\n");
out:
    if (ua.timer)
        event_free(ua.timer);
    tp_free(ua.tp);
    loop_free(ua.loop);
    free(ua.msg);
    if (rc < 0 && ua.result == UA_EXIT_TIMEOUT && !ua.msg)
        fprintf(stderr, "imsua: %s\n", strerror(-rc));
    return ua.result;
}
