/*
 * register.c: REGISTER from a UE (TS 24.229 §5.2.2). Adds Path + Require:
 * path, P-Visited-Network-ID, P-Charging-Vector and integrity-protected, runs
 * sec-agree (Security-Client -> Security-Server on the 401, Security-Verify
 * on the second REGISTER: 494 when missing or different), forwards to the
 * I-CSCF, strips ck/ik from the 401, and stores the registration from the 200.
 */
#include "pcscf_context.h"
#include "pcscf_metrics.h"
#include "sec_agree.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Removes the sec-agree option tag from Require and Proxy-Require (hop-by-hop, RFC 3329 §2.3.1). */
static void strip_sec_agree(osip_message_t *m)
{
    osip_header_t *h = NULL;
    int i = 0;

    while (osip_message_get_header(m, i, &h) >= 0) {
        if (h->hname && h->hvalue &&
            (strcasecmp(h->hname, "require") == 0 || strcasecmp(h->hname, "proxy-require") == 0) &&
            strcasecmp(h->hvalue, "sec-agree") == 0) {
            osip_list_remove(&m->headers, i);
            osip_header_free(h);
            continue;
        }
        i++;
    }
    osip_message_force_update(m);
}

static void purge_later(void *arg)
{
    struct pcscf_ue *ue = pcscf_ue_by_id((uint64_t)(uintptr_t)arg);

    if (ue)
        pcscf_ue_purge(ue, "de-registered");
}

static void drop_failed_later(void *arg)
{
    struct pcscf_ue *ue = pcscf_ue_by_id((uint64_t)(uintptr_t)arg);

    if (ue && ue->state != PCSCF_UE_REGISTERED)
        pcscf_ue_purge(ue, "registration failed");
}

static void subscribe_later(void *arg)
{
    struct pcscf_ue *ue = pcscf_ue_by_id((uint64_t)(uintptr_t)arg);

    if (ue && !ue->sub_active && pcscf_reg_subscribe(ue) != 0)
        log_warn("pcscf: %s: could not subscribe to its reg event", ue->impu);
}

static void on_401(struct pcscf_ue *ue, osip_message_t *resp)
{
    struct pcscf_context *pc = pcscf_self();
    char buf[512];
    int rc;

    rc = sip_auth_challenge_take_keys(resp, ue->ck, sizeof(ue->ck), ue->ik, sizeof(ue->ik));
    if (rc)
        log_warn("pcscf: %s: 401 without a usable WWW-Authenticate: %s", ue->impu, strerror(-rc));
    if (!ue->client.mech[0])
        return;
    pcscf_ue_sa_prepare(ue);
    if (!ue->have_slot) {
        rc = pcscf_pool_alloc(pc->pool, &ue->slot);
        if (rc) {
            log_error("pcscf: %s: no free SPI / protected-port slot (%zu in use): no "
                      "Security-Server sent",
                      ue->impu, pcscf_pool_in_use(pc->pool));
            return;
        }
        ue->have_slot = true;
    }
    if (pcscf_secagree_server(&ue->client, &ue->slot, &ue->server) != 0 ||
        sip_sec_mech_build(&ue->server, buf, sizeof(buf)) != 0 ||
        sip_hdr_replace(resp, "Security-Server", buf) != 0) {
        log_error("pcscf: %s: cannot build Security-Server", ue->impu);
        return;
    }
    if (pcscf_ue_sa_install(ue) != 0) { /* TS 33.203 §7.2: the SAs exist before the 401 goes */
        pcscf_ue_sa_fail_response(resp);
        loop_post(pc->loop, drop_failed_later, (void *)(uintptr_t)ue->id);
        return;
    }
    ue->sec = true;
    if (ue->state != PCSCF_UE_REGISTERED)
        ue->expires_at = time(NULL) + PCSCF_CHALLENGE_TTL;
    log_info("pcscf: %s: 401 relayed without ck/ik, Security-Server: %s", ue->impu, buf);
}

static void on_200(struct pcscf_ue *ue, const osip_message_t *req, osip_message_t *resp)
{
    struct pcscf_context *pc = pcscf_self();
    struct sip_addr addrs[PCSCF_MAX_ASSOC];
    osip_contact_t *c = NULL;
    uint32_t exp = 0;
    int n, i;

    n = sip_addr_list_get(resp, "Service-Route", addrs, PCSCF_MAX_ROUTES);
    ue->n_routes = 0;
    for (i = 0; i < n; i++)
        snprintf(ue->routes[ue->n_routes++], SIP_URI_MAX, "%s", addrs[i].uri);
    n = sip_addr_list_get(resp, "P-Associated-URI", addrs, PCSCF_MAX_ASSOC);
    ue->n_assoc = 0;
    for (i = 0; i < n; i++)
        snprintf(ue->assoc[ue->n_assoc++], SIP_URI_MAX, "%s", addrs[i].uri);
    if (ue->n_assoc == 0)
        snprintf(ue->assoc[ue->n_assoc++], SIP_URI_MAX, "%s", ue->impu);
    /* the registered contact: the one of the REGISTER, with the expiry the registrar granted */
    if (osip_message_get_contact(req, 0, &c) >= 0 && c && c->url)
        sip_uri_to_buf(c->url, ue->contact, sizeof(ue->contact));
    for (i = 0; osip_message_get_contact(resp, i, &c) >= 0; i++) {
        if (!c || !c->url)
            continue;
        char uri[SIP_URI_MAX];
        if (sip_uri_to_buf(c->url, uri, sizeof(uri)) == 0 &&
            sip_uri_aor_is_equal(uri, ue->contact) && sip_contact_expires(resp, c, 0, 0, &exp) == 0)
            break;
        exp = 0;
    }
    if (exp == 0)
        exp = 3600; /* the registrar did not say: the RFC 3261 default */
    ue->expires_at = time(NULL) + exp;
    ue->state = PCSCF_UE_REGISTERED;
    pcscf_ue_sa_on_200(ue);
    log_info("pcscf: %s registered via %s:%d/%s for %u s (contact %s, %zu service routes, %zu "
             "associated URIs)",
             ue->impu, ue->flow.host, ue->flow.port,
             ue->flow.proto == TXN_PROTO_TCP ? "tcp" : "udp", exp, ue->contact, ue->n_routes,
             ue->n_assoc);
    if (!ue->sub_active)
        loop_post(pc->loop, subscribe_later, (void *)(uintptr_t)ue->id);
}

static bool is_deregistration(const osip_message_t *req)
{
    osip_contact_t *c = NULL;
    uint32_t exp = 1;

    if (sip_contact_is_star(req))
        return true;
    if (osip_message_get_contact(req, 0, &c) < 0 || !c)
        return false;
    return sip_contact_expires(req, c, 3600, 0, &exp) == 0 && exp == 0;
}

static void on_response(void *arg, struct proxy_fwd *fwd, osip_message_t **resp, bool local)
{
    struct pcscf_context *pc = pcscf_self();
    uint64_t id = (uint64_t)(uintptr_t)arg;
    struct pcscf_ue *ue = pcscf_ue_by_id(id);
    int code = (*resp)->status_code;

    /* RFC 7315 §4.6: the charging vector is not for the UE. */
    sip_hdr_remove(*resp, "P-Charging-Vector");
    if (ue && code >= 200 && code != 401)
        ue->icid[0] = '\0'; /* the registration attempt is over: the next gets a new icid */
    if (code == 401) {
        if (!ue) { /* the UE is gone: still never leak the keys */
            sip_auth_challenge_take_keys(*resp, NULL, 0, NULL, 0);
            return;
        }
        on_401(ue, *resp);
        return;
    }
    if (!ue || code < 200)
        return;
    if (code >= 200 && code < 300) {
        if (is_deregistration(proxy_fwd_request(fwd))) {
            /* tear down only after the 200 went out */
            loop_post(pc->loop, purge_later, arg);
            return;
        }
        on_200(ue, proxy_fwd_request(fwd), *resp);
        return;
    }
    log_notice("pcscf: %s: REGISTER answered %d%s", ue->impu, code, local ? " (local)" : "");
    pcscf_ue_sa_on_failure(ue);
    loop_post(pc->loop, drop_failed_later, arg);
}

void pcscf_register(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src)
{
    struct pcscf_context *pc = pcscf_self();
    struct sip_sec_mech client[SIP_SEC_MECH_MAX];
    struct sip_auth_credentials cr;
    struct proxy_fwd_opts opts;
    enum pcscf_protection prot = PCSCF_PROT_NONE;
    osip_message_t *fwd = NULL;
    struct pcscf_ue *ue;
    struct sip_pcv pcv;
    char impu[SIP_URI_MAX], uri[SIP_URI_MAX], why[160] = "";
    bool has_response = false, has_auth, over_sa;
    int n, rc, chosen;

    if (!req->to || !req->to->url || sip_uri_to_buf(req->to->url, uri, sizeof(uri)) != 0 ||
        sip_uri_aor(uri, impu, sizeof(impu)) != 0) {
        pcscf_reply(st, 400, "Bad To");
        return;
    }
    has_auth = sip_auth_credentials_get(req, false, 0, &cr, why, sizeof(why)) == 0;
    if (has_auth)
        has_response = cr.response[0] != '\0';
    n = sip_sec_get(req, "Security-Client", client, SIP_SEC_MECH_MAX, why, sizeof(why));
    if (n < 0) {
        log_notice("pcscf: %s: bad Security-Client: %s", impu, why);
        pcscf_reply(st, 400, "Bad Security-Client");
        return;
    }
    pcscf_ue_expire();
    over_sa = pcscf_port_is_protected(src->local_port);
    if (over_sa) { /* TS 33.203 §7: only over the UE's SA (our port-s, its port-c) */
        ue = pcscf_ue_by_sa(src);
        if (!ue || !sip_uri_aor_is_equal(ue->impu, impu)) {
            log_notice("pcscf: REGISTER of %s from %s:%d to protected port %d matches no "
                       "security association of that UE: 403",
                       impu, src->host, src->port, src->local_port);
            pcscf_reply(st, 403, "Forbidden - no security association");
            return;
        }
    } else {
        ue = pcscf_ue_find(impu, src);
    }
    if (ue && ue->sec && has_response) {
        rc = pcscf_secagree_verify(req, &ue->server, 1, why, sizeof(why));
        if (rc) {
            log_notice("pcscf: %s from %s:%d: %s: 494", impu, src->host, src->port, why);
            metrics_ims_auth_failure(pcscf_ims(), "sec_verify_mismatch");
            pcscf_reply(st, 494, "Security Agreement Required");
            return;
        }
        prot = ue->state == PCSCF_UE_REGISTERED ? PCSCF_PROT_YES : PCSCF_PROT_PENDING;
    } else if (ue && ue->state == PCSCF_UE_REGISTERED) {
        prot = PCSCF_PROT_YES;
    }
    if (pc->ipsec) /* integrity-protected="yes" means: it came over the SA */
        prot = over_sa ? PCSCF_PROT_YES : PCSCF_PROT_NONE;
    if (!ue && !(ue = pcscf_ue_new(impu, src))) {
        pcscf_reply(st, 500, NULL);
        return;
    }
    if (has_auth && cr.username[0])
        snprintf(ue->impi, sizeof(ue->impi), "%s", cr.username);
    if (n > 0 && !(ue->sec && has_response)) {
        chosen = pcscf_secagree_choose(client, (size_t)n, pc->alg_pref, pc->n_alg, pc->ealg_pref,
                                       pc->n_ealg);
        if (chosen >= 0) {
            ue->client = client[chosen];
        } else {
            log_notice("pcscf: %s: no acceptable ipsec-3gpp offer in Security-Client", impu);
            memset(&ue->client, 0, sizeof(ue->client));
        }
    }

    if (osip_message_clone(req, &fwd) != 0) {
        pcscf_reply(st, 500, NULL);
        return;
    }
    proxy_route_preprocess(fwd, sipstack_self(pc->sip));
    sip_hdr_remove(fwd, "Security-Client");
    sip_hdr_remove(fwd, "Security-Verify");
    sip_hdr_remove(fwd, "P-Asserted-Identity");
    strip_sec_agree(fwd);
    memset(&pcv, 0, sizeof(pcv));
    if (sip_addr_list_add(fwd, "Path", pc->path_uri, true, true) != 0 ||
        (!sip_hdr_has_token(fwd, "Require", "path") && sip_hdr_add(fwd, "Require", "path") != 0) ||
        sip_hdr_remove(fwd, "P-Visited-Network-ID") < 0 ||
        sip_pvni_add(fwd, pc->visited_network) != 0 ||
        (!(has_response && ue->icid[0]) && sip_icid_generate(ue->icid, sizeof(ue->icid)) != 0) ||
        snprintf(pcv.icid, sizeof(pcv.icid), "%s", ue->icid) < 0 ||
        snprintf(pcv.icid_gen_at, sizeof(pcv.icid_gen_at), "%s", pc->advertise) < 0 ||
        sip_pcv_set(fwd, &pcv) != 0 ||
        (has_auth &&
         sip_auth_set_integrity_protected(fwd, pcscf_secagree_integrity(pc->ipsec, prot)) != 0)) {
        log_error("pcscf: %s: cannot prepare the REGISTER", impu);
        osip_message_free(fwd);
        pcscf_reply(st, 500, NULL);
        return;
    }
    sip_log_trace(fwd); /* from here on, the icid names this registration */
    log_info("pcscf: REGISTER of %s (%s) from %s:%d", impu, ue->impi[0] ? ue->impi : "no IMPI",
             src->host, src->port);
    memset(&opts, 0, sizeof(opts));
    opts.self = sipstack_self(pc->sip);
    opts.hook = on_response;
    opts.hook_arg = (void *)(uintptr_t)ue->id;
    rc = proxy_forward(sipstack_txn(pc->sip), st, &fwd, &pc->icscf, &opts, NULL);
    if (rc) {
        osip_message_free(fwd);
        log_notice("pcscf: %s: cannot forward REGISTER: %s", impu, strerror(-rc));
        pcscf_reply(st, rc == -ELOOP ? 483 : 500, NULL);
        return;
    }
    log_debug("pcscf: REGISTER of %s from %s:%d forwarded to the I-CSCF %s:%d", impu, src->host,
              src->port, pc->icscf.host, pc->icscf.port);
}
