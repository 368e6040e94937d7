/*
 * reg_event.c: the reg event package notifier (RFC 3680, RFC 6665, TS 24.229
 * §5.4.2): SUBSCRIBE handling, subscription dialogs, reginfo and NOTIFY.
 */
#include "reg_event.h"

#include "reg_store.h"
#include "scscf_context.h"

#include "log/log.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ROUTES       8
#define MAX_PATH_ENTRIES 8

/* One subscription: the notifier side of a SUBSCRIBE dialog (RFC 6665 §4.2). */
struct scscf_sub {
    uint64_t id;
    char *impu;       /* the watched public identity (Request-URI, address of record) */
    char *call_id;    /* "number@host" */
    char *local_tag;  /* our To tag, the From tag of our NOTIFYs */
    char *remote_tag; /* the subscriber's From tag */
    char *local_uri;  /* To URI of the SUBSCRIBE */
    char *remote_uri; /* From URI of the SUBSCRIBE */
    char *target;     /* remote target: Contact URI of the SUBSCRIBE */
    char *routes[MAX_ROUTES];
    size_t n_routes; /* route set: Record-Route of the SUBSCRIBE, in order */
    uint32_t cseq;   /* our last NOTIFY CSeq */
    uint32_t remote_cseq;
    uint32_t version; /* next reginfo version */
    int64_t expires_at;
    struct txn_addr src; /* where the SUBSCRIBE came from (TCP flow reuse) */
    bool pend;           /* a change NOTIFY waits for the tick */
    char *pend_body;     /* its reginfo */
    char *pend_reason;   /* NULL: active; else the terminated reason */
    int64_t pend_at;     /* send it at this time or later */
    bool ending;         /* the queued NOTIFY is the last one */
    struct scscf_sub *next;
};

static struct scscf_sub *subs;
static uint64_t next_sub_id = 1;

static struct txn_layer *layer(void)
{
    return sipstack_txn(scscf_self()->sip);
}

static void sub_free(struct scscf_sub *s)
{
    if (!s)
        return;
    free(s->impu);
    free(s->call_id);
    free(s->local_tag);
    free(s->remote_tag);
    free(s->local_uri);
    free(s->remote_uri);
    free(s->target);
    free(s->pend_body);
    free(s->pend_reason);
    for (size_t i = 0; i < s->n_routes; i++)
        free(s->routes[i]);
    free(s);
}

static void sub_unlink(struct scscf_sub *s)
{
    for (struct scscf_sub **p = &subs; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            return;
        }
    }
}

static struct scscf_sub *sub_by_id(uint64_t id)
{
    for (struct scscf_sub *s = subs; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

/* Writes s to the store (see reg_store.h). */
static void sub_save(const struct scscf_sub *s)
{
    struct reg_store_sub r = {
        .id = s->id,
        .impu = s->impu,
        .call_id = s->call_id,
        .local_tag = s->local_tag,
        .remote_tag = s->remote_tag,
        .local_uri = s->local_uri,
        .remote_uri = s->remote_uri,
        .target = s->target,
        .routes = (const char *const *)s->routes,
        .n_routes = s->n_routes,
        .cseq = s->cseq,
        .remote_cseq = s->remote_cseq,
        .version = s->version,
        .expires_at = s->expires_at,
        .src = s->src,
    };
    reg_store_put_sub(&r);
}

/* Ends s: unlinked, deleted from the store and freed. */
static void sub_end(struct scscf_sub *s)
{
    sub_unlink(s);
    reg_store_del_sub(s->id);
    sub_free(s);
}

size_t scscf_reg_event_count(void)
{
    size_t n = 0;
    for (const struct scscf_sub *s = subs; s; s = s->next)
        n++;
    return n;
}

void scscf_reg_event_foreach(const struct scscf_reg *r,
                             void (*cb)(void *arg, const struct scscf_reg_event_view *v), void *arg)
{
    for (const struct scscf_sub *s = subs; s; s = s->next) {
        struct scscf_reg_event_view v = {
            .id = s->id,
            .impu = s->impu,
            .subscriber = s->remote_uri,
            .target = s->target,
            .call_id = s->call_id,
            .expires_at = s->expires_at,
            .version = s->version,
            .pending = s->pend,
            .ending = s->ending,
        };
        if (!r || regs_has_impu(r, s->impu))
            cb(arg, &v);
    }
}

void scscf_reg_event_free(void)
{
    while (subs) {
        struct scscf_sub *s = subs;
        subs = s->next;
        sub_free(s);
    }
}

/* ---- reginfo ---- */

/* Removes the indentation between elements ("\n  " after '>'): one line on the wire. */
static void compact(char *doc)
{
    char *w = doc;

    for (const char *p = doc; *p;) {
        if (*p == '\n' && w > doc && w[-1] == '>') {
            while (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r')
                p++;
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
}

int scscf_reginfo_build(const struct scscf_reg *r, uint32_t version, int64_t now, char **out)
{
    struct xml_reginfo ri;
    struct xml_reginfo_registration *regs = NULL;
    struct xml_reginfo_contact *cs = NULL;
    char *ids = NULL, *cids = NULL;
    bool active = r && r->state == SCSCF_REG_REGISTERED && regs_active_contacts(r) > 0;
    size_t nr = 0;
    int rc = -ENOMEM;

    if (!r || !out)
        return -EINVAL;
    *out = NULL;
    regs = calloc(r->n_impus + 1, sizeof(*regs));
    cs = calloc(r->n_contacts + 1, sizeof(*cs));
    ids = calloc(r->n_impus + 1, 48);
    cids = calloc(r->n_contacts + 1, 24);
    if (!regs || !cs || !ids || !cids)
        goto out;
    for (size_t i = 0; i < r->n_contacts; i++) {
        const struct scscf_contact *c = &r->contacts[i];
        struct xml_reginfo_contact *x = &cs[i];
        char *id = cids + i * 24;
        snprintf(id, 24, "c%u", c->id);
        x->id = id;
        x->uri = c->uri;
        x->state = c->active && active ? XML_CONTACT_ACTIVE : XML_CONTACT_TERMINATED;
        x->event = c->event == SCSCF_EV_NONE ? XML_EVENT_REGISTERED : (int)c->event;
        if (x->state == XML_CONTACT_TERMINATED && x->event < XML_EVENT_EXPIRED)
            x->event = XML_EVENT_UNREGISTERED;
        if (x->state == XML_CONTACT_ACTIVE && x->event >= XML_EVENT_EXPIRED)
            x->event = XML_EVENT_REGISTERED;
        x->expires =
            x->state == XML_CONTACT_ACTIVE && c->expires_at > now ? c->expires_at - now : 0;
        x->duration_registered =
            c->registered_at && now >= c->registered_at ? now - c->registered_at : -1;
        x->retry_after = -1;
        x->callid = c->call_id;
        x->cseq = c->cseq ? (long long)c->cseq : -1;
    }
    for (size_t i = 0; i < r->n_impus; i++) {
        struct xml_reginfo_registration *g = &regs[nr];
        char *id = ids + i * 48;
        /* TS 24.229 §5.4.2.1.2: barred public identities are not reported. */
        if (regs_is_barred(r, r->impus[i]))
            continue;
        snprintf(id, 48, "r%llu.%zu", (unsigned long long)r->id, i);
        g->aor = r->impus[i];
        g->id = id;
        g->state = active ? XML_REGISTRATION_ACTIVE : XML_REGISTRATION_TERMINATED;
        g->contacts = cs;
        g->n_contacts = r->n_contacts;
        nr++;
    }
    memset(&ri, 0, sizeof(ri));
    ri.version = version;
    ri.state = XML_REGINFO_FULL;
    ri.registrations = regs;
    ri.n_registrations = nr;
    rc = xml_reginfo_build(&ri, out, NULL);
    if (rc == 0)
        compact(*out);
out:
    free(regs);
    free(cs);
    free(ids);
    free(cids);
    return rc;
}

/* ---- NOTIFY ---- */

static void on_notify_response(void *arg, struct txn_client *ct, osip_message_t **resp, bool local)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    struct scscf_sub *s;
    int code = (*resp)->status_code;

    if (code < 200)
        return;
    s = sub_by_id(id);
    if (code < 300) {
        log_debug("scscf: NOTIFY of subscription %llu answered %d", (unsigned long long)id, code);
        return;
    }
    log_notice("scscf: NOTIFY of reg subscription %llu answered %d%s", (unsigned long long)id, code,
               local ? " (local)" : "");
    /* RFC 6665 §4.2.2: 481 (and a transaction failure) ends the subscription. */
    if (s && (code == 481 || code == 408 || local)) {
        log_notice("scscf: reg subscription %llu for %s dropped", (unsigned long long)id, s->impu);
        sub_end(s);
    }
}

/*
 * Sends a NOTIFY in subscription s with body (may be NULL) and Subscription-State
 * substate. Returns 0 or a negative errno (logged).
 */
static int send_notify(struct scscf_sub *s, const char *substate, const char *body)
{
    struct scscf_context *ctx = scscf_self();
    char branch[PROXY_BRANCH_LEN], why[128];
    char routes[MAX_ROUTES * (SIP_URI_MAX + 16)] = "";
    size_t off = 0, blen = body ? strlen(body) : 0, cap;
    osip_message_t *m = NULL;
    struct txn_addr dst;
    char *text = NULL;
    int rc, len;

    for (size_t i = 0; i < s->n_routes && off < sizeof(routes); i++)
        off +=
            (size_t)snprintf(routes + off, sizeof(routes) - off, "Route: <%s>\r\n", s->routes[i]);
    if (off >= sizeof(routes))
        return -ENOSPC;
    if ((rc = proxy_branch_new(branch, sizeof(branch))))
        return rc;
    cap = 4096 + off + blen;
    text = malloc(cap);
    if (!text)
        return -ENOMEM;
    s->cseq++;
    len = snprintf(text, cap,
                   "NOTIFY %s SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
                   "%s"
                   "Max-Forwards: 70\r\n"
                   "From: <%s>;tag=%s\r\n"
                   "To: <%s>;tag=%s\r\n"
                   "Call-ID: %s\r\n"
                   "CSeq: %u NOTIFY\r\n"
                   "Contact: <%s>\r\n"
                   "Event: reg\r\n"
                   "Subscription-State: %s\r\n"
                   "%s"
                   "Content-Length: %zu\r\n\r\n%s",
                   s->target, ctx->sip_advertise ? ctx->sip_advertise : ctx->sip_listen,
                   ctx->sip_port, branch, routes, s->local_uri, s->local_tag, s->remote_uri,
                   s->remote_tag, s->call_id, s->cseq, ctx->server_name, substate,
                   body ? "Content-Type: application/reginfo+xml\r\n" : "", blen, body ? body : "");
    if (len < 0 || (size_t)len >= cap) {
        rc = -ENOSPC;
        goto out;
    }
    rc = sip_msg_parse(text, (size_t)len, &m, why, sizeof(why));
    if (rc) {
        log_error("scscf: our NOTIFY does not parse: %s", why);
        goto out;
    }
    if (s->n_routes == 0 && s->src.proto == TXN_PROTO_TCP) {
        dst = s->src; /* no route set: back over the subscriber's TCP connection */
    } else if ((rc = proxy_next_hop(m, &dst)) != 0) {
        log_warn("scscf: no next hop for the NOTIFY to %s: %s", s->target, strerror(-rc));
        goto out;
    }
    rc = txn_request(layer(), &m, &dst, on_notify_response, (void *)(uintptr_t)s->id, NULL);
    if (rc == 0)
        log_info("scscf: NOTIFY reg (%s) for %s sent to %s:%d", substate, s->impu, dst.host,
                 dst.port);
out:
    if (rc)
        log_warn("scscf: cannot send the NOTIFY for %s: %s", s->impu, strerror(-rc));
    osip_message_free(m);
    free(text);
    return rc;
}

/* Sends s a NOTIFY with body (may be NULL); terminated_reason as in notify_one(). */
static void send_state(struct scscf_sub *s, const char *terminated_reason, const char *body)
{
    int64_t now = scscf_now();
    char state[64];

    if (terminated_reason)
        snprintf(state, sizeof(state), "terminated%s%s", terminated_reason[0] ? ";reason=" : "",
                 terminated_reason);
    else
        snprintf(state, sizeof(state), "active;expires=%lld",
                 (long long)(s->expires_at > now ? s->expires_at - now : 0));
    if (body)
        s->version++;
    send_notify(s, state, body);
    if (!terminated_reason)
        sub_save(s); /* the dialog's CSeq and the reginfo version survive a restart */
}

static void pending_clear(struct scscf_sub *s)
{
    free(s->pend_body);
    free(s->pend_reason);
    s->pend_body = s->pend_reason = NULL;
    s->pend = false;
}

/*
 * Notifies s of r's state now. terminated_reason non-NULL ends the subscription
 * (Subscription-State: terminated;reason=...; "" for no reason). r may be NULL
 * (no body). A queued change notification is superseded (full state).
 */
static void notify_one(struct scscf_sub *s, const struct scscf_reg *r,
                       const char *terminated_reason)
{
    char *body = NULL;

    if (r && scscf_reginfo_build(r, s->version, scscf_now(), &body) != 0) {
        log_warn("scscf: cannot build the reginfo for %s", s->impu);
        return;
    }
    pending_clear(s);
    send_state(s, terminated_reason, body);
    free(body);
}

/*
 * Queues the NOTIFY of a registration change for the tick (see
 * scscf_reg_event_notify()). The body is built now: r may be gone by then.
 */
static void queue_one(struct scscf_sub *s, const struct scscf_reg *r, const char *terminated_reason)
{
    char *body = NULL, *reason = NULL;

    if (scscf_reginfo_build(r, s->version, scscf_now(), &body) != 0 ||
        (terminated_reason && !(reason = strdup(terminated_reason)))) {
        log_warn("scscf: cannot build the reginfo for %s", s->impu);
        free(body);
        return;
    }
    pending_clear(s);
    s->pend = true;
    s->pend_body = body;
    s->pend_reason = reason;
    s->pend_at = scscf_now() + 1;
    s->ending = terminated_reason != NULL;
}

void scscf_reg_event_notify(const struct scscf_reg *r)
{
    bool ended = r->state != SCSCF_REG_REGISTERED || regs_active_contacts(r) == 0;

    for (struct scscf_sub *s = subs; s; s = s->next) {
        if (s->ending || !regs_has_impu(r, s->impu))
            continue;
        queue_one(s, r, ended ? "noresource" : NULL);
        if (ended)
            log_notice("scscf: reg subscription %llu for %s terminated: registration ended",
                       (unsigned long long)s->id, s->impu);
    }
}

void scscf_reg_event_tick(int64_t now)
{
    for (struct scscf_sub *s = subs, *next; s; s = next) {
        next = s->next;
        if (s->pend && s->pend_at <= now) {
            send_state(s, s->pend_reason, s->pend_body);
            pending_clear(s);
            if (s->ending) {
                sub_end(s);
                continue;
            }
        }
        if (s->ending || s->expires_at > now)
            continue;
        log_notice("scscf: reg subscription %llu for %s expired", (unsigned long long)s->id,
                   s->impu);
        notify_one(s, regs_find_impu(s->impu), "timeout");
        sub_end(s);
    }
}

/* ---- SUBSCRIBE ---- */

static void respond(struct txn_server *st, int code, const char *reason)
{
    int rc = txn_respond_code(st, code, reason);
    if (rc)
        log_warn("scscf: could not send %d to a SUBSCRIBE: %s", code, strerror(-rc));
}

static const char *from_tag(const osip_message_t *req)
{
    osip_generic_param_t *t = NULL;
    if (!req->from || osip_from_get_tag(req->from, &t) != 0 || !t || !t->gvalue)
        return NULL;
    return t->gvalue;
}

static const char *to_tag(const osip_message_t *req)
{
    osip_generic_param_t *t = NULL;
    if (!req->to || osip_to_get_tag(req->to, &t) != 0 || !t || !t->gvalue)
        return NULL;
    return t->gvalue;
}

static void call_id_of(const osip_message_t *req, char *buf, size_t len)
{
    buf[0] = '\0';
    if (req->call_id && req->call_id->number)
        snprintf(buf, len, "%s%s%s", req->call_id->number, req->call_id->host ? "@" : "",
                 req->call_id->host ? req->call_id->host : "");
}

static struct scscf_sub *sub_find_dialog(const char *call_id, const char *rtag, const char *ltag)
{
    for (struct scscf_sub *s = subs; s; s = s->next)
        if (!s->ending && strcmp(s->call_id, call_id) == 0 && strcmp(s->remote_tag, rtag) == 0 &&
            strcmp(s->local_tag, ltag) == 0)
            return s;
    return NULL;
}

/* Host and port (default 5060) of a sip/sips URI. Returns 0 or -EPROTO. */
static int uri_host_port(const char *uri, char *host, size_t hlen, int *port)
{
    osip_uri_t *u = NULL;
    int rc = -EPROTO;

    if (osip_uri_init(&u) != 0)
        return -ENOMEM;
    if (osip_uri_parse(u, uri) == 0 && u->scheme && u->host &&
        (strcasecmp(u->scheme, "sip") == 0 || strcasecmp(u->scheme, "sips") == 0)) {
        snprintf(host, hlen, "%s", u->host);
        *port = u->port ? atoi(u->port) : 5060;
        rc = 0;
    }
    osip_uri_free(u);
    return rc;
}

/* True when impu is an identity of our home network: a tel URI, or a SIP URI of our domain. */
static bool impu_is_ours(const char *impu)
{
    struct scscf_context *ctx = scscf_self();
    char host[256];
    int port;

    if (strncasecmp(impu, "tel:", 4) == 0)
        return true;
    if (uri_host_port(impu, host, sizeof(host), &port) != 0)
        return false;
    if (ctx->home_domain && strcasecmp(host, ctx->home_domain) == 0)
        return true;
    for (size_t i = 0; i < ctx->n_aliases; i++)
        if (strcasecmp(host, ctx->aliases[i]) == 0)
            return true;
    return false;
}

/*
 * True when subscriber (a SIP URI) is one of the proxies on the Path of an
 * active contact of r: same port, and the same host or the host the SUBSCRIBE
 * came from (the Path names the P-CSCF by name, its own URI by address).
 */
static bool is_on_path(const struct scscf_reg *r, const char *subscriber,
                       const struct txn_addr *src)
{
    char shost[256], phost[256];
    int sport, pport;

    if (uri_host_port(subscriber, shost, sizeof(shost), &sport) != 0)
        return false;
    for (size_t i = 0; i < r->n_contacts; i++) {
        const struct scscf_contact *c = &r->contacts[i];
        char *copy, *save = NULL;
        bool hit = false;
        if (!c->active || !c->path || !(copy = strdup(c->path)))
            continue;
        for (char *e = strtok_r(copy, ",", &save); e && !hit; e = strtok_r(NULL, ",", &save)) {
            struct sip_addr a;
            if (sip_addr_parse(e, &a) != 0 ||
                uri_host_port(a.uri, phost, sizeof(phost), &pport) != 0)
                continue;
            hit = pport == sport &&
                  (strcasecmp(phost, shost) == 0 || (src && strcmp(src->host, shost) == 0));
        }
        free(copy);
        if (hit)
            return true;
    }
    return false;
}

/* The identity of the subscriber: the first P-Asserted-Identity, else the From URI. */
static int subscriber_of(const osip_message_t *req, char *out, size_t len)
{
    struct sip_addr pai[2];

    if (sip_addr_list_get(req, "P-Asserted-Identity", pai, 2) > 0) {
        snprintf(out, len, "%s", pai[0].uri);
        return 0;
    }
    if (req->from && req->from->url)
        return sip_uri_to_buf(req->from->url, out, len);
    return -ENOENT;
}

/* Sends the 200 to a SUBSCRIBE with our To tag, Expires and Contact. Returns 0 or <0. */
static int respond_200(struct txn_server *st, const osip_message_t *req, const char *tag,
                       uint32_t expires)
{
    osip_message_t *resp = NULL;
    char contact[SIP_URI_MAX + 4];
    int rc;

    rc = sip_response_new(req, 200, NULL, tag, &resp);
    snprintf(contact, sizeof(contact), "<%s>", scscf_self()->server_name);
    if (rc == 0)
        rc = sip_hdr_set_uint(resp, "Expires", expires);
    if (rc == 0)
        rc = osip_message_set_contact(resp, contact) == 0 ? 0 : -ENOMEM;
    if (rc) {
        osip_message_free(resp);
        return rc;
    }
    return txn_respond(st, &resp);
}

/* Creates the subscription of a dialog-creating SUBSCRIBE. Returns it or NULL (-ENOMEM). */
static struct scscf_sub *sub_new(const osip_message_t *req, const char *impu, const char *call_id,
                                 const char *rtag, const char *target, const struct txn_addr *src)
{
    struct scscf_sub *s = calloc(1, sizeof(*s));
    struct sip_addr *rr = calloc(MAX_ROUTES, sizeof(*rr));
    char ltag[17], uri[SIP_URI_MAX];
    int n;

    if (!s || !rr || sip_random_hex(ltag, sizeof(ltag), 8) != 0)
        goto err;
    s->impu = strdup(impu);
    s->call_id = strdup(call_id);
    s->local_tag = strdup(ltag);
    s->remote_tag = strdup(rtag);
    s->target = strdup(target);
    if (req->to && req->to->url && sip_uri_to_buf(req->to->url, uri, sizeof(uri)) == 0)
        s->local_uri = strdup(uri);
    if (req->from && req->from->url && sip_uri_to_buf(req->from->url, uri, sizeof(uri)) == 0)
        s->remote_uri = strdup(uri);
    if (!s->impu || !s->call_id || !s->local_tag || !s->remote_tag || !s->target || !s->local_uri ||
        !s->remote_uri)
        goto err;
    n = sip_addr_list_get(req, "Record-Route", rr, MAX_ROUTES);
    for (int i = 0; i < n; i++) {
        if (!(s->routes[i] = strdup(rr[i].uri)))
            goto err;
        s->n_routes++;
    }
    s->src = *src;
    s->id = next_sub_id++;
    free(rr);
    return s;
err:
    free(rr);
    sub_free(s);
    return NULL;
}

/* Expiry the SUBSCRIBE asks for, bounded; -1 when it must get 423, -2 for a bad value. */
static int64_t sub_expiry(const osip_message_t *req)
{
    struct scscf_context *ctx = scscf_self();
    uint32_t e = ctx->sub_default_expires;
    int rc = sip_hdr_get_uint(req, "Expires", &e);

    if (rc != 0 && rc != -ENOENT)
        return -2;
    if (rc == -ENOENT)
        e = ctx->sub_default_expires;
    if (e && e < ctx->sub_min_expires)
        return -1;
    if (e > ctx->sub_max_expires)
        e = ctx->sub_max_expires;
    return e;
}

static void respond_423(struct txn_server *st, const osip_message_t *req)
{
    osip_message_t *resp = NULL;

    if (txn_response_new(req, 423, NULL, &resp) == 0 &&
        sip_hdr_set_uint(resp, "Min-Expires", scscf_self()->sub_min_expires) == 0) {
        int rc = txn_respond(st, &resp);
        if (rc)
            log_warn("scscf: 423 to a SUBSCRIBE not sent: %s", strerror(-rc));
        return;
    }
    osip_message_free(resp);
    respond(st, 500, NULL);
}

/* A SUBSCRIBE inside an existing dialog: refresh or unsubscribe (RFC 6665 §4.2.1.2). */
static void subscribe_in_dialog(struct txn_server *st, const osip_message_t *req,
                                const char *call_id, const char *rtag, const char *ltag, int64_t e)
{
    struct scscf_sub *s = sub_find_dialog(call_id, rtag, ltag);
    uint32_t cseq =
        req->cseq && req->cseq->number ? (uint32_t)strtoul(req->cseq->number, NULL, 10) : 0;
    const struct scscf_reg *r;
    int rc;

    if (!s) {
        respond(st, 481, NULL);
        return;
    }
    if (cseq <= s->remote_cseq) {
        respond(st, 500, "Server Internal Error - CSeq out of order");
        return;
    }
    s->remote_cseq = cseq;
    s->expires_at = scscf_now() + e;
    if (e)
        sub_save(s); /* durable before the 200 leaves */
    if ((rc = respond_200(st, req, s->local_tag, (uint32_t)e)) != 0)
        log_warn("scscf: 200 to a SUBSCRIBE refresh not sent: %s", strerror(-rc));
    r = regs_find_impu(s->impu);
    if (e == 0 || !r || r->state != SCSCF_REG_REGISTERED) {
        log_notice("scscf: reg subscription %llu for %s ended by the subscriber",
                   (unsigned long long)s->id, s->impu);
        notify_one(s, r, e == 0 ? "" : "noresource");
        sub_end(s);
        return;
    }
    log_info("scscf: reg subscription %llu for %s refreshed (%lld s)", (unsigned long long)s->id,
             s->impu, (long long)e);
    notify_one(s, r, NULL);
}

void scscf_subscribe(struct txn_server *st, const osip_message_t *req, const struct txn_addr *src)
{
    char pkg[32], evid[64], uri[SIP_URI_MAX], impu[SIP_URI_MAX], who[SIP_URI_MAX],
        target[SIP_URI_MAX], call_id[256];
    const osip_contact_t *contact;
    const char *rtag = from_tag(req), *ltag = to_tag(req);
    struct scscf_reg *r;
    struct scscf_sub *s;
    int64_t e;
    int rc;

    rc = sip_event_get(req, pkg, sizeof(pkg), evid, sizeof(evid));
    if (rc != 0 || strcasecmp(pkg, "reg") != 0) {
        osip_message_t *resp = NULL;
        if (txn_response_new(req, 489, NULL, &resp) == 0 &&
            sip_hdr_add(resp, "Allow-Events", "reg") == 0) {
            if ((rc = txn_respond(st, &resp)) != 0)
                log_warn("scscf: 489 not sent: %s", strerror(-rc));
        } else {
            osip_message_free(resp);
            respond(st, 500, NULL);
        }
        return;
    }
    call_id_of(req, call_id, sizeof(call_id));
    if (!rtag || !call_id[0]) {
        respond(st, 400, "Bad Request - From tag and Call-ID required");
        return;
    }
    e = sub_expiry(req);
    if (e == -2) {
        respond(st, 400, "Bad Request - bad Expires");
        return;
    }
    if (e == -1) {
        respond_423(st, req);
        return;
    }
    if (ltag) {
        subscribe_in_dialog(st, req, call_id, rtag, ltag, e);
        return;
    }
    if (!req->req_uri || sip_uri_to_buf(req->req_uri, uri, sizeof(uri)) != 0 ||
        sip_uri_aor(uri, impu, sizeof(impu)) != 0) {
        respond(st, 400, "Bad Request - Request-URI is not a public identity");
        return;
    }
    contact = osip_list_get(&req->contacts, 0);
    if (!contact || !contact->url || sip_uri_to_buf(contact->url, target, sizeof(target)) != 0) {
        respond(st, 400, "Bad Request - Contact required");
        return;
    }
    if (!impu_is_ours(impu)) {
        log_info("scscf: SUBSCRIBE reg for %s: not a user of this network", impu);
        respond(st, 404, NULL);
        return;
    }
    r = regs_find_impu(impu);
    if (!r || r->state != SCSCF_REG_REGISTERED || regs_active_contacts(r) == 0 ||
        regs_is_barred(r, impu)) {
        log_info("scscf: SUBSCRIBE reg for %s: not registered here", impu);
        respond(st, 403, "Forbidden - not registered");
        return;
    }
    if (subscriber_of(req, who, sizeof(who)) != 0 ||
        (!regs_has_impu(r, who) && !is_on_path(r, who, src))) {
        log_notice("scscf: SUBSCRIBE reg for %s from %s refused: not the user nor its P-CSCF", impu,
                   who);
        respond(st, 403, "Forbidden - subscriber not authorised");
        return;
    }
    s = sub_new(req, impu, call_id, rtag, target, src);
    if (!s) {
        respond(st, 500, NULL);
        return;
    }
    s->remote_cseq =
        req->cseq && req->cseq->number ? (uint32_t)strtoul(req->cseq->number, NULL, 10) : 0;
    s->expires_at = scscf_now() + e;
    if (e)
        sub_save(s); /* durable before the 200 leaves */
    rc = respond_200(st, req, s->local_tag, (uint32_t)e);
    if (rc) {
        log_warn("scscf: 200 to a SUBSCRIBE not sent: %s", strerror(-rc));
        reg_store_del_sub(s->id);
        sub_free(s);
        return;
    }
    log_notice("scscf: reg subscription %llu for %s by %s accepted (%lld s)",
               (unsigned long long)s->id, impu, who, (long long)e);
    if (e == 0) {
        /* A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, then nothing. */
        notify_one(s, r, "timeout");
        sub_free(s);
        return;
    }
    s->next = subs;
    subs = s;
    notify_one(s, r, NULL);
}

/* reg_store_load_subs() callback: one restored subscription. */
static void restore_one(void *arg, const struct reg_store_sub *r)
{
    struct scscf_sub *s = calloc(1, sizeof(*s));
    size_t *n = arg;

    if (!s)
        return;
    s->id = r->id;
    s->impu = strdup(r->impu);
    s->call_id = strdup(r->call_id);
    s->local_tag = strdup(r->local_tag);
    s->remote_tag = strdup(r->remote_tag);
    s->local_uri = strdup(r->local_uri);
    s->remote_uri = strdup(r->remote_uri);
    s->target = strdup(r->target);
    for (size_t i = 0; i < r->n_routes && i < MAX_ROUTES; i++)
        if ((s->routes[i] = strdup(r->routes[i])))
            s->n_routes++;
    s->cseq = r->cseq;
    s->remote_cseq = r->remote_cseq;
    s->version = r->version;
    s->expires_at = r->expires_at;
    s->src = r->src;
    if (!s->impu || !s->call_id || !s->local_tag || !s->remote_tag || !s->local_uri ||
        !s->remote_uri || !s->target ||
        s->n_routes != (r->n_routes < MAX_ROUTES ? r->n_routes : MAX_ROUTES)) {
        sub_free(s);
        return;
    }
    if (s->id >= next_sub_id)
        next_sub_id = s->id + 1;
    s->next = subs;
    subs = s;
    (*n)++;
}

int scscf_reg_event_restore(void)
{
    size_t n = 0;
    int rc = reg_store_load_subs(restore_one, &n);

    if (rc < 0)
        return rc;
    /* A subscription whose registration did not come back has nothing to watch. */
    for (struct scscf_sub *s = subs, *next; s; s = next) {
        const struct scscf_reg *r = regs_find_impu(s->impu);
        next = s->next;
        if (!r || r->state != SCSCF_REG_REGISTERED) {
            /* The SIP stack does not run yet: the final NOTIFY (no body) goes out
             * on the first tick, and the subscription ends then. */
            log_notice("scscf: stored reg subscription %llu for %s: no registration, ending it",
                       (unsigned long long)s->id, s->impu);
            pending_clear(s);
            s->pend = true;
            s->pend_reason = strdup("noresource");
            s->pend_at = scscf_now();
            s->ending = true;
            n--;
        }
    }
    return (int)n;
}
