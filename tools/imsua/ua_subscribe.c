/*
 * imsua: the UE's subscription to its own reg event (RFC 3680, RFC 6665,
 * TS 24.229 §5.1.1.3): SUBSCRIBE along the Service-Route, NOTIFYs answered and
 * their reginfo printed, refresh and unsubscription inside the dialog.
 */
#include "log/log.h"
#include "ua_ue.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_final(void *arg, const osip_message_t *resp);

void ua_call_id_of(const osip_message_t *m, char *buf, size_t len)
{
    if (!m->call_id || !m->call_id->number) {
        if (len)
            buf[0] = '\0';
        return;
    }
    snprintf(buf, len, "%s%s%s", m->call_id->number, m->call_id->host ? "@" : "",
             m->call_id->host ? m->call_id->host : "");
}

static const char *tag_of(const osip_from_t *f)
{
    osip_generic_param_t *p = NULL;
    if (!f || osip_from_get_tag((osip_from_t *)f, &p) != 0 || !p || !p->gvalue)
        return NULL;
    return p->gvalue;
}

int ua_sub_init(struct ua_sub *s, struct ua_ue *ue, ua_sub_cb cb, void *arg)
{
    char rnd[17];
    memset(s, 0, sizeof(*s));
    s->ue = ue;
    s->cb = cb;
    s->arg = arg;
    sip_random_hex(rnd, sizeof(rnd), 8);
    snprintf(s->call_id, sizeof(s->call_id), "%s@imsua", rnd);
    sip_random_hex(s->from_tag, sizeof(s->from_tag), 6);
    return ua_ctr_init(&s->tx, ue->net, on_final, s);
}

void ua_sub_fini(struct ua_sub *s)
{
    ua_ctr_fini(&s->tx);
}

int ua_sub_send(struct ua_sub *s, uint32_t expires)
{
    struct ua_ue *ue = s->ue;
    struct ua_net *net = ue->net;
    char routes[UA_MAX_ROUTES * (SIP_URI_MAX + 12)] = "", to_tag[160] = "", *buf = NULL;
    size_t off = 0;
    int rc;

    /* Dialog-creating: the Service-Route; in the dialog: its route set. */
    const char(*rs)[SIP_URI_MAX] = s->dialog ? s->routes : ue->routes;
    size_t nrs = s->dialog ? s->n_routes : ue->n_routes;
    for (size_t i = 0; i < nrs; i++) {
        int m = snprintf(routes + off, sizeof(routes) - off, "Route: <%s>\r\n", rs[i]);
        if (m < 0 || (size_t)m >= sizeof(routes) - off)
            return -ENOSPC;
        off += (size_t)m;
    }
    if (s->dialog)
        snprintf(to_tag, sizeof(to_tag), ";tag=%s", s->to_tag);
    if ((rc = ua_ctr_new_branch(&s->tx)))
        return rc;
    s->cseq++;
    int n =
        asprintf(&buf,
                 "SUBSCRIBE %s SIP/2.0\r\n"
                 "Via: SIP/2.0/%s %s:%d;rport;branch=%s\r\n"
                 "Max-Forwards: 70\r\n"
                 "%s"
                 "From: <%s>;tag=%s\r\n"
                 "To: <%s>%s\r\n"
                 "Call-ID: %s\r\n"
                 "CSeq: %u SUBSCRIBE\r\n"
                 "Contact: <%s>\r\n"
                 "Event: reg\r\n"
                 "Accept: application/reginfo+xml\r\n"
                 "Expires: %u\r\n"
                 "User-Agent: imsua\r\n"
                 "Content-Length: 0\r\n\r\n",
                 s->dialog && s->target[0] ? s->target : ue->cred->impu, ua_net_via_proto(net),
                 ua_net_host(net), ua_net_port(net), s->tx.branch, routes, ue->cred->impu,
                 s->from_tag, ue->cred->impu, to_tag, s->call_id, s->cseq, ue->contact, expires);
    if (n < 0)
        return -ENOMEM;
    if (s->state == UA_SUB_NONE)
        s->state = UA_SUB_PENDING;
    if (s->dialog && s->n_routes == 0 && s->have_peer) {
        /* No proxy asked to stay on the path: the request goes where the notifier
         * sent from (the configured proxy, e.g. an I-CSCF, is not on the dialog's path). */
        return ua_ctr_send_to(&s->tx, &s->peer, &buf, (size_t)n);
    }
    return ua_ctr_send(&s->tx, &buf, (size_t)n);
}

/* Fixes the dialog from a 2xx (uac: Record-Route reversed) or a NOTIFY (as is). */
static void set_dialog(struct ua_sub *s, const osip_message_t *m, const char *remote_tag,
                       bool reverse)
{
    struct sip_addr rr[UA_MAX_ROUTES];
    const osip_contact_t *ct = osip_list_get(&m->contacts, 0);
    int n = sip_addr_list_get(m, "Record-Route", rr, UA_MAX_ROUTES);

    snprintf(s->to_tag, sizeof(s->to_tag), "%s", remote_tag);
    s->n_routes = 0;
    for (int i = 0; i < n; i++)
        snprintf(s->routes[s->n_routes++], SIP_URI_MAX, "%s", rr[reverse ? n - 1 - i : i].uri);
    if (!ct || !ct->url || sip_uri_to_buf(ct->url, s->target, sizeof(s->target)) != 0)
        s->target[0] = '\0';
    s->dialog = true;
}

static void on_final(void *arg, const osip_message_t *resp)
{
    struct ua_sub *s = arg;
    char cause[200];
    if (!resp) {
        s->state = UA_SUB_TERMINATED;
        s->cb(s, UA_SUB_EV_FAILED, "no answer to SUBSCRIBE");
        return;
    }
    int code = resp->status_code;
    if (code >= 200 && code < 300) {
        const char *tag = tag_of(resp->to);
        uint32_t e = 0;
        if (!tag) {
            s->state = UA_SUB_TERMINATED;
            s->cb(s, UA_SUB_EV_FAILED, "2xx to SUBSCRIBE without a To tag");
            return;
        }
        if (!s->dialog)
            set_dialog(s, resp, tag, true);
        if (sip_hdr_get_uint(resp, "Expires", &e) != 0) {
            /* RFC 6665 §4.1.2.1: the 2xx must carry Expires */
            s->state = UA_SUB_TERMINATED;
            s->cb(s, UA_SUB_EV_FAILED, "2xx to SUBSCRIBE without Expires");
            return;
        }
        s->expires = e;
        if (s->state == UA_SUB_PENDING)
            s->state = UA_SUB_ACTIVE;
        s->cb(s, UA_SUB_EV_ACCEPTED, NULL);
        return;
    }
    snprintf(cause, sizeof(cause), "SUBSCRIBE rejected: %d %s", code,
             resp->reason_phrase ? resp->reason_phrase : "");
    s->state = UA_SUB_TERMINATED;
    s->cb(s, UA_SUB_EV_FAILED, cause);
}

/* Prints the NOTIFY line for our IMPU (docs/imsua.md). */
static void print_reginfo(const struct ua_sub *s, const struct xml_reginfo *ri)
{
    const struct ua_ue *ue = s->ue;
    const struct xml_reginfo_registration *r = NULL;
    const struct xml_reginfo_contact *c = NULL;

    for (size_t i = 0; i < ri->n_registrations && !r; i++)
        if (sip_uri_aor_is_equal(ri->registrations[i].aor, ue->cred->impu))
            r = &ri->registrations[i];
    if (!r && ri->n_registrations)
        r = &ri->registrations[0];
    if (!r) {
        printf("NOTIFY reg %s: no registration\n", xml_reginfo_state_name(ri->state));
        return;
    }
    for (size_t i = 0; i < r->n_contacts && !c; i++)
        if (sip_uri_aor_is_equal(r->contacts[i].uri, ue->contact))
            c = &r->contacts[i];
    if (!c && r->n_contacts)
        c = &r->contacts[0];
    if (!c) {
        printf("NOTIFY reg %s %s: no contact\n", xml_registration_state_name(r->state), r->aor);
        return;
    }
    printf("NOTIFY reg %s %s: contact %s %s (%s) expires %lld\n",
           xml_registration_state_name(r->state), r->aor, c->uri, xml_contact_state_name(c->state),
           xml_contact_event_name(c->event), c->expires < 0 ? 0 : c->expires);
}

bool ua_sub_on_request(struct ua_sub *s, const osip_message_t *req, const struct tp_msg_info *info)
{
    struct ua_net *net = s->ue->net;
    char cid[160], pkg[32], err[160];
    struct sip_substate ss;
    struct xml_reginfo *ri = NULL;
    osip_body_t *body = NULL;

    ua_call_id_of(req, cid, sizeof(cid));
    if (strcmp(cid, s->call_id) != 0 || s->state == UA_SUB_NONE)
        return false;
    const char *ltag = tag_of(req->to), *rtag = tag_of(req->from);
    if (!ltag || strcmp(ltag, s->from_tag) != 0 || !rtag ||
        (s->dialog && strcmp(rtag, s->to_tag) != 0))
        return false; /* another dialog (or a fork we do not keep): 481 */
    if (!sip_msg_is_method(req, "NOTIFY")) {
        ua_net_respond(net, req, info, 405, "Allow: NOTIFY");
        return true;
    }
    uint32_t cseq =
        req->cseq && req->cseq->number ? (uint32_t)strtoul(req->cseq->number, NULL, 10) : 0;
    if (s->notifies && cseq <= s->remote_cseq) {
        /* a retransmission (our 200 was lost) or an old request: answer, do not print again */
        ua_net_respond(net, req, info, 200, NULL);
        return true;
    }
    if (sip_event_get(req, pkg, sizeof(pkg), NULL, 0) != 0 || strcasecmp(pkg, "reg") != 0) {
        ua_net_respond(net, req, info, 489, "Allow-Events: reg");
        return true;
    }
    if (sip_substate_get(req, &ss) != 0) {
        ua_net_respond(net, req, info, 400, NULL);
        return true;
    }
    if (osip_message_get_body(req, 0, &body) == 0 && body && body->body && body->length) {
        const osip_content_type_t *ct = req->content_type;
        if (!ct || !ct->type || !ct->subtype || strcasecmp(ct->type, "application") ||
            strcasecmp(ct->subtype, "reginfo+xml")) {
            ua_net_respond(net, req, info, 415, "Accept: application/reginfo+xml");
            return true;
        }
        if (xml_reginfo_parse(body->body, body->length, &ri, err, sizeof(err)) != 0) {
            fprintf(stderr, "NOTIFY with a bad reginfo: %s\n", err);
            ua_net_respond(net, req, info, 400, NULL);
            return true;
        }
    }
    if (!s->dialog)
        set_dialog(s, req, rtag, false); /* the NOTIFY came before the 2xx */
    if (!s->have_peer) {
        s->peer = info->flow;
        s->have_peer = true;
    }
    ua_net_respond(net, req, info, 200, NULL);
    s->notifies++;
    s->remote_cseq = cseq;
    if (ri)
        print_reginfo(s, ri);
    else
        printf("NOTIFY reg %s %s: no reginfo\n", ss.state, s->ue->cred->impu);
    fflush(stdout);
    xml_reginfo_free(ri);
    if (strcasecmp(ss.state, "terminated") == 0) {
        snprintf(s->reason, sizeof(s->reason), "%s", ss.reason[0] ? ss.reason : "none");
        s->state = UA_SUB_TERMINATED;
        ua_ctr_cancel(&s->tx);
        s->cb(s, UA_SUB_EV_TERMINATED, s->reason);
    } else {
        if (s->state == UA_SUB_PENDING && strcasecmp(ss.state, "active") == 0)
            s->state = UA_SUB_ACTIVE;
        s->cb(s, UA_SUB_EV_NOTIFY, NULL);
    }
    return true;
}
