/*
 * request.c: requests other than REGISTER.
 *  - From a registered UE (matched by its flow: UDP source address and port,
 *    or TCP connection): P-Asserted-Identity from the associated URIs (the
 *    UE's P-Preferred-Identity when it is one of them; a P-Asserted-Identity
 *    sent by the UE is removed), the stored Service-Route as Route, our
 *    Record-Route on dialog-creating requests, forwarded to the first route.
 *  - From the core towards a UE (routed to us through our Path or
 *    Record-Route, Request-URI a registered contact): sent over the UE's flow.
 *  - Anything else: 403.
 * With ipsec on, a UE on SAs is recognised by the SA its request came over
 * (our port-s, its port-c): anything else from it, and anything on a
 * protected port without a matching SA, gets 403; requests to it go to its
 * port-s from our port-c (protected.c).
 */
#include "pcscf_context.h"

#include "log/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void pcscf_reply(struct txn_server *st, int code, const char *reason)
{
    txn_respond_code(st, code, reason);
}

static bool has_route_to_us(const osip_message_t *req, const struct proxy_self *self)
{
    osip_route_t *r = NULL;

    if (osip_message_get_route(req, 0, &r) < 0 || !r || !r->url)
        return false;
    return proxy_uri_is_mine(r->url, self);
}

static bool is_dialog_creating(const osip_message_t *req)
{
    return sip_msg_is_method(req, "INVITE") || sip_msg_is_method(req, "SUBSCRIBE") ||
           sip_msg_is_method(req, "REFER");
}

/* Chooses the asserted identity: the preferred one when it is associated, else the first. */
static const char *choose_identity(const struct pcscf_ue *ue, const osip_message_t *req)
{
    struct sip_addr ppi[2];
    int n = sip_addr_list_get(req, "P-Preferred-Identity", ppi, 2);

    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ue->n_assoc; i++)
            if (sip_uri_aor_is_equal(ppi[k].uri, ue->assoc[i]))
                return ue->assoc[i];
    return ue->assoc[0];
}

static int next_hop_of(const osip_message_t *req, struct txn_addr *out)
{
    osip_route_t *r = NULL;
    char uri[SIP_URI_MAX];

    if (osip_message_get_route(req, 0, &r) >= 0 && r && r->url) {
        if (sip_uri_to_buf(r->url, uri, sizeof(uri)) != 0)
            return -EPROTO;
    } else if (!req->req_uri || sip_uri_to_buf(req->req_uri, uri, sizeof(uri)) != 0) {
        return -EPROTO;
    }
    return pcscf_resolve(uri, out);
}

static void from_ue(struct txn_server *st, osip_message_t **fwd, const struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();
    struct proxy_fwd_opts opts = {.self = sipstack_self(pc->sip)};
    osip_generic_param_t *tag = NULL;
    bool in_dialog = (*fwd)->to && osip_to_get_tag((*fwd)->to, &tag) == 0 && tag;
    struct txn_addr hop;
    const char *pai;
    int rc;

    pai = choose_identity(ue, *fwd);
    sip_hdr_remove(*fwd, "P-Asserted-Identity");
    sip_hdr_remove(*fwd, "P-Preferred-Identity");
    if (sip_addr_list_add(*fwd, "P-Asserted-Identity", pai, false, false) != 0) {
        pcscf_reply(st, 500, NULL);
        return;
    }
    if (!in_dialog) {
        for (size_t i = ue->n_routes; i > 0; i--)
            if (sip_addr_list_add(*fwd, "Route", ue->routes[i - 1], true, true) != 0) {
                pcscf_reply(st, 500, NULL);
                return;
            }
        opts.record_route = is_dialog_creating(*fwd);
    }
    rc = next_hop_of(*fwd, &hop);
    if (rc) {
        log_notice("pcscf: %s: no next hop for %s: %s", ue->impu, (*fwd)->sip_method,
                   strerror(-rc));
        pcscf_reply(st, 404, "No route");
        return;
    }
    rc = proxy_forward(sipstack_txn(pc->sip), st, fwd, &hop, &opts, NULL);
    if (rc) {
        pcscf_reply(st, rc == -ELOOP ? 483 : 500, NULL);
        return;
    }
    log_info("pcscf: %s from %s forwarded to %s:%d as %s",
             opts.record_route ? "dialog request" : "request", ue->impu, hop.host, hop.port, pai);
}

static void to_ue(struct txn_server *st, osip_message_t **fwd, const struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();
    struct proxy_fwd_opts opts = {.self = sipstack_self(pc->sip)};
    osip_generic_param_t *tag = NULL;
    bool in_dialog = (*fwd)->to && osip_to_get_tag((*fwd)->to, &tag) == 0 && tag;
    struct txn_addr dst;
    int rc;

    /* with SAs: to the UE's port-s from our port-c, our Via naming port-c */
    pcscf_ue_destination(ue, &dst, &opts.self);
    opts.record_route = !in_dialog && is_dialog_creating(*fwd);
    rc = proxy_forward(sipstack_txn(pc->sip), st, fwd, &dst, &opts, NULL);
    if (rc) {
        pcscf_reply(st, rc == -ELOOP ? 483 : 500, NULL);
        return;
    }
    if (dst.local_port)
        log_info("pcscf: request for %s sent over its security association: %s:%d/%s from our "
                 "port-c %d",
                 ue->impu, dst.host, dst.port, dst.proto == TXN_PROTO_TCP ? "tcp" : "udp",
                 dst.local_port);
    else
        log_info("pcscf: request for %s sent over its flow %s:%d/%s", ue->impu, dst.host, dst.port,
                 dst.proto == TXN_PROTO_TCP ? "tcp" : "udp");
}

/*
 * ipsec on (TS 33.203 §7.1, TS 24.229 §5.2.2): a request that came to a
 * protected port must have come over a registered UE's SA, and a UE on SAs
 * sends nothing outside them. Returns the sending UE (NULL: not from a UE),
 * or answers 403 and sets *done.
 */
static struct pcscf_ue *ue_of_request(struct txn_server *st, const osip_message_t *req,
                                      const struct txn_addr *src, bool *done)
{
    struct pcscf_ue *ue;

    *done = false;
    if (pcscf_port_is_protected(src->local_port)) {
        ue = pcscf_ue_by_sa(src);
        if (!ue || ue->state != PCSCF_UE_REGISTERED || ue->expires_at <= time(NULL)) {
            log_notice("pcscf: %s from %s:%d to protected port %d matches no registered UE's "
                       "security association: 403",
                       req->sip_method, src->host, src->port, src->local_port);
            pcscf_reply(st, 403, "Forbidden - no security association");
            *done = true;
            return NULL;
        }
        return ue;
    }
    ue = pcscf_ue_by_flow(src);
    if (ue && pcscf_ue_is_protected(ue)) {
        log_notice("pcscf: %s from %s (%s:%d) arrived outside its security association "
                   "(unprotected port %d): 403",
                   req->sip_method, ue->impu, src->host, src->port, src->local_port);
        pcscf_reply(st, 403, "Forbidden - not integrity protected");
        *done = true;
        return NULL;
    }
    return ue;
}

void pcscf_request(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src)
{
    struct pcscf_context *pc = pcscf_self();
    const struct proxy_self *me = sipstack_self(pc->sip);
    osip_message_t *fwd = NULL;
    struct pcscf_ue *ue;
    char ruri[SIP_URI_MAX];

    if (pcscf_reg_notify(st, req))
        return;
    pcscf_ue_expire();
    bool done;
    ue = ue_of_request(st, req, src, &done);
    if (done)
        return;
    if (!ue) {
        /* towards a UE: the core routed it to us, and the target is registered here */
        const struct pcscf_ue *gone = NULL;
        if (has_route_to_us(req, me) && req->req_uri &&
            sip_uri_to_buf(req->req_uri, ruri, sizeof(ruri)) == 0 && !pcscf_ue_by_uri(ruri) &&
            MSG_IS_NOTIFY(req) && (gone = pcscf_ue_gone_by_uri(ruri))) {
            /* the S-CSCF ends the UE's own reg subscription after its de-registration */
            if (osip_message_clone(req, &fwd) != 0) {
                pcscf_reply(st, 500, NULL);
                return;
            }
            proxy_route_preprocess(fwd, me);
            log_info("pcscf: NOTIFY for de-registered %s: sent over its last flow", gone->impu);
            to_ue(st, &fwd, gone);
            osip_message_free(fwd);
            return;
        }
        if (!has_route_to_us(req, me) || !req->req_uri ||
            sip_uri_to_buf(req->req_uri, ruri, sizeof(ruri)) != 0 ||
            !(ue = pcscf_ue_by_uri(ruri))) {
            log_notice("pcscf: %s from %s:%d refused: not a registered UE", req->sip_method,
                       src->host, src->port);
            pcscf_reply(st, 403, "Forbidden - not registered");
            return;
        }
        if (osip_message_clone(req, &fwd) != 0) {
            pcscf_reply(st, 500, NULL);
            return;
        }
        proxy_route_preprocess(fwd, me);
        to_ue(st, &fwd, ue);
        osip_message_free(fwd);
        return;
    }
    if (osip_message_clone(req, &fwd) != 0) {
        pcscf_reply(st, 500, NULL);
        return;
    }
    proxy_route_preprocess(fwd, me);
    from_ue(st, &fwd, ue);
    osip_message_free(fwd);
}
