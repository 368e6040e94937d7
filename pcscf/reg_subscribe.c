/*
 * reg_subscribe.c: the P-CSCF's own subscription to the reg event of each
 * registered UE (TS 24.229 §5.2.3, RFC 3680). After the 200 of a
 * registration it sends SUBSCRIBE (Event: reg, Request-URI the IMPU, Route
 * the UE's Service-Route) and handles the NOTIFYs: a registration or our
 * contact terminated (expired, deactivated, probation, unregistered,
 * rejected) or the subscription terminated purges the UE and its SAs. A
 * NOTIFY addressed to us in no subscription we know (say, late, after the
 * purge) gets 481 (RFC 6665 §4.1.3).
 */
#include "pcscf_context.h"

#include "log/log.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static void on_subscribe_response(void *arg, struct txn_client *ct, osip_message_t **resp,
                                  bool local)
{
    struct pcscf_ue *ue = pcscf_ue_by_id((uint64_t)(uintptr_t)arg);
    int code = (*resp)->status_code;

    if (code < 200)
        return;
    if (!ue) {
        log_info("pcscf: reg-event SUBSCRIBE answered %d for a UE that is gone", code);
        return;
    }
    if (code >= 300) {
        ue->sub_active = false;
        log_warn("pcscf: %s: reg-event SUBSCRIBE answered %d%s", ue->impu, code,
                 local ? " (local)" : "");
        return;
    }
    log_info("pcscf: %s: reg-event subscription accepted (%d)", ue->impu, code);
}

int pcscf_reg_subscribe(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();
    char routes[PCSCF_MAX_ROUTES * (SIP_URI_MAX + 16)] = "";
    char text[8192], branch[PROXY_BRANCH_LEN], why[128];
    osip_message_t *m = NULL;
    struct txn_addr dst;
    size_t off = 0;
    int rc, len;

    if (ue->n_routes == 0) {
        log_warn("pcscf: %s: no Service-Route: not subscribing to its reg event", ue->impu);
        return -ENOENT;
    }
    for (size_t i = 0; i < ue->n_routes && off < sizeof(routes); i++)
        off +=
            (size_t)snprintf(routes + off, sizeof(routes) - off, "Route: <%s>\r\n", ue->routes[i]);
    if (off >= sizeof(routes))
        return -ENOSPC;
    if (!ue->sub_call_id[0]) {
        char rnd[33];
        if ((rc = sip_random_hex(rnd, sizeof(rnd), 16)) ||
            (rc = sip_random_hex(ue->sub_from_tag, sizeof(ue->sub_from_tag), 8)))
            return rc;
        snprintf(ue->sub_call_id, sizeof(ue->sub_call_id), "pcscf-reg-%s@%s", rnd, pc->advertise);
    }
    if ((rc = proxy_branch_new(branch, sizeof(branch))))
        return rc;
    ue->sub_cseq++;
    len = snprintf(text, sizeof(text),
                   "SUBSCRIBE %s SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
                   "%s"
                   "Max-Forwards: 70\r\n"
                   "From: <%s>;tag=%s\r\n"
                   "To: <%s>\r\n"
                   "Call-ID: %s\r\n"
                   "CSeq: %u SUBSCRIBE\r\n"
                   "Contact: <%s>\r\n"
                   "P-Asserted-Identity: <%s>\r\n"
                   "Event: reg\r\n"
                   "Accept: application/reginfo+xml\r\n"
                   "Expires: %u\r\n"
                   "Content-Length: 0\r\n\r\n",
                   ue->impu, pc->advertise, pc->sip_port, branch, routes, pc->self_uri,
                   ue->sub_from_tag, ue->impu, ue->sub_call_id, ue->sub_cseq, pc->self_uri,
                   pc->self_uri, pc->reg_sub_expires);
    if (len < 0 || (size_t)len >= sizeof(text))
        return -ENOSPC;
    rc = sip_msg_parse(text, (size_t)len, &m, why, sizeof(why));
    if (rc) {
        log_error("pcscf: %s: our SUBSCRIBE does not parse: %s", ue->impu, why);
        return rc;
    }
    rc = pcscf_resolve(ue->routes[0], &dst);
    if (rc == 0)
        rc = txn_request(sipstack_txn(pc->sip), &m, &dst, on_subscribe_response,
                         (void *)(uintptr_t)ue->id, NULL);
    osip_message_free(m);
    if (rc) {
        log_warn("pcscf: %s: cannot send the reg-event SUBSCRIBE: %s", ue->impu, strerror(-rc));
        return rc;
    }
    ue->sub_active = true;
    log_info("pcscf: %s: SUBSCRIBE Event: reg sent to %s:%d (Call-ID %s, tag %s)", ue->impu,
             dst.host, dst.port, ue->sub_call_id, ue->sub_from_tag);
    return 0;
}

/* The UE whose subscription dialog req is in (Call-ID and our From tag as To tag), or NULL. */
static struct pcscf_ue *ue_by_dialog(const osip_message_t *req)
{
    osip_generic_param_t *tag = NULL;
    char cid[160];

    if (!req->call_id || !req->call_id->number || !req->to || osip_to_get_tag(req->to, &tag) != 0 ||
        !tag || !tag->gvalue)
        return NULL;
    snprintf(cid, sizeof(cid), "%s%s%s", req->call_id->number, req->call_id->host ? "@" : "",
             req->call_id->host ? req->call_id->host : "");
    for (struct pcscf_ue *ue = pcscf_self()->ues; ue; ue = ue->next)
        if (ue->sub_call_id[0] && strcmp(ue->sub_call_id, cid) == 0 &&
            strcmp(ue->sub_from_tag, tag->gvalue) == 0)
            return ue;
    return NULL;
}

/*
 * Returns a reason when the reginfo ends the registration of a UE (impu, its
 * associated URIs assoc[n_assoc], its registered contact), else NULL: a
 * registration of one of its identities is terminated, or its contact is
 * terminated or has an event that ends it (expired, deactivated, probation,
 * unregistered, rejected). The reason is a static string.
 */
static const char *pcscf_reginfo_ended(const struct xml_reginfo *ri, const char *impu,
                                       const char *const *assoc, size_t n_assoc,
                                       const char *contact)
{
    for (size_t i = 0; ri && impu && contact && i < ri->n_registrations; i++) {
        const struct xml_reginfo_registration *r = &ri->registrations[i];
        bool mine = sip_uri_aor_is_equal(r->aor, impu);

        for (size_t a = 0; !mine && assoc && a < n_assoc; a++)
            mine = assoc[a] && sip_uri_aor_is_equal(r->aor, assoc[a]);
        if (!mine)
            continue;
        if (r->state == XML_REGISTRATION_TERMINATED)
            return "registration terminated";
        for (size_t k = 0; k < r->n_contacts; k++) {
            const struct xml_reginfo_contact *c = &r->contacts[k];
            if (!sip_uri_aor_is_equal(c->uri, contact))
                continue;
            /* RFC 3680 §5.1: these events end a contact, whatever state is written. */
            switch (c->event) {
            case XML_EVENT_EXPIRED:
            case XML_EVENT_DEACTIVATED:
            case XML_EVENT_PROBATION:
            case XML_EVENT_UNREGISTERED:
            case XML_EVENT_REJECTED:
                return xml_contact_event_name(c->event);
            default:
                if (c->state == XML_CONTACT_TERMINATED)
                    return "contact terminated";
                break;
            }
        }
    }
    return NULL;
}

/* pcscf_reginfo_ended() for a UE. */
static const char *reginfo_ended(const struct xml_reginfo *ri, const struct pcscf_ue *ue)
{
    const char *assoc[PCSCF_MAX_ASSOC];

    for (size_t i = 0; i < ue->n_assoc && i < PCSCF_MAX_ASSOC; i++)
        assoc[i] = ue->assoc[i];
    return pcscf_reginfo_ended(ri, ue->impu, assoc, ue->n_assoc, ue->contact);
}

bool pcscf_reg_notify(struct txn_server *st, const osip_message_t *req)
{
    struct pcscf_context *pc = pcscf_self();
    struct sip_substate ss;
    struct xml_reginfo *ri = NULL;
    osip_body_t *body = NULL;
    struct pcscf_ue *ue;
    const char *ended = NULL;
    char pkg[32] = "", err[160] = "";

    if (!sip_msg_is_method(req, "NOTIFY"))
        return false;
    ue = ue_by_dialog(req);
    if (!ue) {
        /* Addressed to us (our Contact), not to a UE behind us: a subscription of ours we
         * no longer know, e.g. a late NOTIFY after the UE was purged (RFC 6665 §4.1.3). */
        osip_uri_param_t *lr = NULL;

        if (!req->req_uri || !pc->sip || !proxy_uri_is_mine(req->req_uri, sipstack_self(pc->sip)))
            return false;
        /* a strict router's R-URI naming our Path / Record-Route (;lr) is routing, not us */
        osip_uri_uparam_get_byname(req->req_uri, "lr", &lr);
        if (lr)
            return false;
        log_info("pcscf: NOTIFY Call-ID %s: no such subscription: 481",
                 req->call_id && req->call_id->number ? req->call_id->number : "-");
        pcscf_reply(st, 481, "Subscription Does Not Exist");
        return true;
    }
    if (sip_event_get(req, pkg, sizeof(pkg), NULL, 0) != 0 || strcasecmp(pkg, "reg") != 0) {
        pcscf_reply(st, 489, "Bad Event");
        return true;
    }
    if (osip_message_get_body(req, 0, &body) >= 0 && body && body->body && body->length) {
        if (xml_reginfo_parse(body->body, body->length, &ri, err, sizeof(err)) != 0) {
            log_notice("pcscf: %s: NOTIFY with invalid reginfo: %s", ue->impu, err);
            pcscf_reply(st, 400, "Bad reginfo");
            return true;
        }
        ended = reginfo_ended(ri, ue);
        log_info("pcscf: %s: NOTIFY reginfo valid (%zu registrations)", ue->impu,
                 ri->n_registrations);
        xml_reginfo_free(ri);
    }
    if (!ended && sip_substate_get(req, &ss) == 0 && strcasecmp(ss.state, "terminated") == 0)
        ended = "subscription terminated";
    pcscf_reply(st, 200, NULL);
    if (ended) {
        log_notice("pcscf: %s: reg event says %s: purging state and SAs", ue->impu, ended);
        pcscf_ue_purge(ue, ended);
    }
    return true;
}
