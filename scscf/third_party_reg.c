/*
 * third_party_reg.c: third-party REGISTER to application servers (TS 24.229
 * §5.4.1.7): iFC selection, the request, where it goes, and DefaultHandling.
 */
#include "third_party_reg.h"

#include "reg_event.h"
#include "reg_store.h"
#include "registrar.h"
#include "regs.h"
#include "scscf_context.h"

#include "log/log.h"
#include "loop/loop.h"
#include "sip/sip.h"
#include "sipstack/sipstack.h"
#include "txn/txn.h"
#include "xml/xml.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_AS    16
#define MAX_ARENA 16
#define BOUNDARY  "imscore-3pr-7d1f0a"

static const char *const transports[] = {"udp", "tcp", NULL};

const struct cfg_spec scscf_as_schema[] = {
    {"uri", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL,
     "the AS's SIP URI as iFC ServerName names it (host and port are compared)", NULL},
    {"address", CFG_STRING, CFG_REQUIRED, NULL, 0, 0, NULL, "numeric IP address to send to", NULL},
    {"port", CFG_PORT, 0, "5060", 0, 0, NULL, "SIP port to send to", NULL},
    {"transport", CFG_STRING, 0, "udp", 0, 0, transports, "transport towards it", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
};

/* One `as` entry: the host/port its uri names, and where that really is. */
struct as_entry {
    char host[256];
    int port;
    struct txn_addr dst;
};

static struct as_entry as_table[MAX_AS];
static size_t n_as;
static unsigned timeout_s = 4;
static const char *pcfa; /* P-Charging-Function-Addresses value, or NULL */

/* A third-party REGISTER waiting for its final answer. */
struct pending {
    uint64_t id;
    uint64_t reg_id; /* the record it is about (regs_by_id) */
    char *impu;
    char *as_uri;
    int default_handling; /* enum xml_default_handling */
    uint32_t expires;
    struct txn_client *ct;
    struct event *timer;
    char failed[96]; /* not sent: why (handled from the timer, never inside the caller) */
    char icid[128];  /* icid of the REGISTER: the log trace id of the outcome */
    struct pending *next;
};

static struct pending *pendings;
static uint64_t next_pending_id = 1;

static void send_all(const struct scscf_reg *r, const char *impu, int event,
                     const osip_message_t *req, const char *except_as);

/* ---- configuration ---- */

static bool is_numeric(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * Host (without [] for IPv6), port (default 5060, 5061 for sips) and transport
 * (transport=tcp param, TCP for sips) of a sip/sips URI. Returns 0 or -EPROTO.
 */
static int uri_target(const char *uri, char *host, size_t hlen, int *port, int *proto)
{
    osip_uri_t *u = NULL;
    osip_uri_param_t *tp = NULL;
    bool sips;
    int rc = -EPROTO;

    if (osip_uri_init(&u) != 0)
        return -ENOMEM;
    if (osip_uri_parse(u, uri) != 0 || !u->scheme || !u->host || !u->host[0])
        goto out;
    sips = strcasecmp(u->scheme, "sips") == 0;
    if (!sips && strcasecmp(u->scheme, "sip") != 0)
        goto out;
    if (snprintf(host, hlen, "%s", u->host) >= (int)hlen)
        goto out;
    *port = u->port && u->port[0] ? atoi(u->port) : sips ? 5061 : 5060;
    if (*port <= 0 || *port > 65535)
        goto out;
    *proto = sips ? TXN_PROTO_TCP : TXN_PROTO_UDP;
    if (osip_uri_uparam_get_byname(u, "transport", &tp) == 0 && tp && tp->gvalue &&
        strcasecmp(tp->gvalue, "tcp") == 0)
        *proto = TXN_PROTO_TCP;
    rc = 0;
out:
    osip_uri_free(u);
    return rc;
}

int scscf_third_party_load(const struct cfg *c)
{
    int count = cfg_list_count(c, "as");

    n_as = 0;
    for (int i = 0; i < count && n_as < MAX_AS; i++) {
        const struct cfg *g = cfg_group(c, "as", i);
        struct as_entry *e = &as_table[n_as];
        const char *uri = cfg_str(g, "uri"), *addr = cfg_str(g, "address");
        int proto;

        memset(e, 0, sizeof(*e));
        if (uri_target(uri, e->host, sizeof(e->host), &e->port, &proto) != 0) {
            log_error("scscf: as: uri %s is not a sip URI with a host", uri);
            return -EINVAL;
        }
        if (!is_numeric(addr) ||
            snprintf(e->dst.host, sizeof(e->dst.host), "%s", addr) >= (int)sizeof(e->dst.host)) {
            log_error("scscf: as: %s: address %s is not a numeric IP address", uri, addr);
            return -EINVAL;
        }
        e->dst.port = (int)cfg_int(g, "port");
        e->dst.proto = strcmp(cfg_str(g, "transport"), "tcp") == 0 ? TXN_PROTO_TCP : TXN_PROTO_UDP;
        n_as++;
    }
    timeout_s = (unsigned)cfg_int(c, "third_party.timeout");
    pcfa = cfg_str_opt(c, "third_party.charging_function_addresses");
    return 0;
}

/* Where the REGISTER for ServerName uri goes. Returns 0 or -EHOSTUNREACH / -EPROTO. */
static int as_destination(const char *uri, struct txn_addr *out)
{
    char host[256];
    int port, proto;

    memset(out, 0, sizeof(*out));
    if (uri_target(uri, host, sizeof(host), &port, &proto) != 0)
        return -EPROTO;
    for (size_t i = 0; i < n_as; i++) {
        if (strcasecmp(as_table[i].host, host) == 0 && as_table[i].port == port) {
            *out = as_table[i].dst;
            return 0;
        }
    }
    size_t hlen = strlen(host);
    if (!is_numeric(host) || hlen >= sizeof(out->host))
        return -EHOSTUNREACH; /* never DNS on the loop */
    memcpy(out->host, host, hlen + 1);
    out->port = port;
    out->proto = proto;
    return 0;
}

/* ---- iFC evaluation against the REGISTER ---- */

/* Strings made for the header accessor, freed after the evaluation. */
struct hdr_arena {
    const osip_message_t *m;
    char *owned[MAX_ARENA];
    size_t n;
};

static const char *arena_keep(struct hdr_arena *a, char *s)
{
    if (!s)
        return NULL;
    if (a->n == MAX_ARENA) {
        osip_free(s);
        return NULL;
    }
    a->owned[a->n++] = s;
    return s;
}

static void arena_free(struct hdr_arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        osip_free(a->owned[i]);
    a->n = 0;
}

static bool name_is(const char *name, const char *full, const char *compact)
{
    return strcasecmp(name, full) == 0 || (compact && strcasecmp(name, compact) == 0);
}

/* xml_header_value_fn over an osip message: typed headers serialised, others as stored. */
static const char *header_value(void *arg, const char *name, size_t index)
{
    struct hdr_arena *a = arg;
    osip_message_t *m = (osip_message_t *)a->m; /* the osip getters are not const */
    char *s = NULL;
    void *e;

    if (index > (size_t)INT32_MAX)
        return NULL;
    if (name_is(name, "Contact", "m")) {
        if ((e = osip_list_get(&m->contacts, (int)index)) && osip_contact_to_str(e, &s) != 0)
            s = NULL;
    } else if (name_is(name, "Via", "v")) {
        if ((e = osip_list_get(&m->vias, (int)index)) && osip_via_to_str(e, &s) != 0)
            s = NULL;
    } else if (name_is(name, "Route", NULL)) {
        if ((e = osip_list_get(&m->routes, (int)index)) && osip_route_to_str(e, &s) != 0)
            s = NULL;
    } else if (name_is(name, "Record-Route", NULL)) {
        if ((e = osip_list_get(&m->record_routes, (int)index)) &&
            osip_record_route_to_str(e, &s) != 0)
            s = NULL;
    } else if (name_is(name, "From", "f")) {
        if (index == 0 && m->from && osip_from_to_str(m->from, &s) != 0)
            s = NULL;
    } else if (name_is(name, "To", "t")) {
        if (index == 0 && m->to && osip_to_to_str(m->to, &s) != 0)
            s = NULL;
    } else if (name_is(name, "Call-ID", "i")) {
        if (index == 0 && m->call_id && osip_call_id_to_str(m->call_id, &s) != 0)
            s = NULL;
    } else if (name_is(name, "CSeq", NULL)) {
        if (index == 0 && m->cseq && osip_cseq_to_str(m->cseq, &s) != 0)
            s = NULL;
    } else if (name_is(name, "Content-Type", "c")) {
        if (index == 0 && m->content_type && osip_content_type_to_str(m->content_type, &s) != 0)
            s = NULL;
    } else {
        return sip_hdr_get(a->m, name, (int)index);
    }
    return arena_keep(a, s);
}

/*
 * The iFCs of the profile of impu in r that apply to a REGISTER of this event.
 * *out: malloc'ed array of pointers into r->profile (free the array only).
 */
static int select_ifcs(const struct scscf_reg *r, const char *impu, int event,
                       const osip_message_t *req, const struct xml_ifc ***out, size_t *n)
{
    const struct xml_service_profile *sp;
    struct hdr_arena arena = {.m = req};
    struct xml_sip_ctx ctx;
    char ruri[SIP_URI_MAX];
    int rc;

    *out = NULL;
    *n = 0;
    if (!r->profile || !(sp = xml_userdata_find_profile(r->profile, impu)))
        return 0;
    memset(&ctx, 0, sizeof(ctx));
    ctx.method = "REGISTER";
    snprintf(ruri, sizeof(ruri), "sip:%s", scscf_self()->home_domain);
    ctx.request_uri = ruri;
    if (req) {
        if (req->req_uri && sip_uri_to_buf(req->req_uri, ruri, sizeof(ruri)) != 0)
            snprintf(ruri, sizeof(ruri), "sip:%s", scscf_self()->home_domain);
        ctx.header_value = header_value;
        ctx.header_arg = &arena;
    }
    ctx.session_case = XML_SESSION_ORIGINATING; /* REGISTER: TS 29.228 Annex B */
    ctx.reg_type = event == SCSCF_3PR_INITIAL ? XML_REG_TYPE_INITIAL
                   : event == SCSCF_3PR_RE    ? XML_REG_TYPE_RE
                                              : XML_REG_TYPE_DE;
    rc = xml_ifc_select(sp, &ctx, -1, out, n);
    arena_free(&arena);
    return rc;
}

/* ---- the request ---- */

/* Appends s to the growing buffer *buf (length *len, capacity *cap). Returns 0 or -ENOMEM. */
static int buf_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t ncap = (*len + n + 1) * 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return -ENOMEM;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static int buf_str(char **buf, size_t *len, size_t *cap, const char *s)
{
    return buf_add(buf, len, cap, s, strlen(s));
}

/* Appends s XML-escaped (text content). */
static int buf_xml_text(char **buf, size_t *len, size_t *cap, const char *s)
{
    int rc = 0;

    for (; *s && rc == 0; s++) {
        switch (*s) {
        case '<':
            rc = buf_str(buf, len, cap, "&lt;");
            break;
        case '>':
            rc = buf_str(buf, len, cap, "&gt;");
            break;
        case '&':
            rc = buf_str(buf, len, cap, "&amp;");
            break;
        default:
            rc = buf_add(buf, len, cap, s, 1);
        }
    }
    return rc;
}

/*
 * The body of the REGISTER to as (TS 24.229 §5.4.1.7, Annex D 7.6): the
 * ServiceInfo in an application/3gpp-ims+xml part, the REGISTER as message/sip
 * with IncludeRegisterRequest; two parts go in a multipart/mixed. *body is NULL
 * (and *ctype NULL) when there is nothing to carry. Returns 0 or a negative errno.
 */
static int build_body(const struct xml_application_server *as, const osip_message_t *req,
                      char **body, size_t *blen, const char **ctype)
{
    char *xml = NULL, *sipfrag = NULL, *out = NULL;
    size_t xlen = 0, xcap = 0, slen = 0, olen = 0, ocap = 0;
    osip_message_t *copy = NULL;
    int rc = 0;

    *body = NULL;
    *blen = 0;
    *ctype = NULL;
    if (as->service_info) {
        if ((rc = buf_str(&xml, &xlen, &xcap,
                          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
                          "<ims-3gpp version=\"1\"><service-info>")) ||
            (rc = buf_xml_text(&xml, &xlen, &xcap, as->service_info)) ||
            (rc = buf_str(&xml, &xlen, &xcap, "</service-info></ims-3gpp>\r\n")))
            goto out;
    }
    if (as->include_register_request && req) {
        if (osip_message_clone(req, &copy) != 0) {
            rc = -ENOMEM;
            goto out;
        }
        if ((rc = sip_msg_to_str(copy, &sipfrag, &slen)))
            goto out;
    }
    if (xml && sipfrag) {
        if ((rc = buf_str(&out, &olen, &ocap,
                          "--" BOUNDARY "\r\nContent-Type: application/3gpp-ims+xml\r\n\r\n")) ||
            (rc = buf_add(&out, &olen, &ocap, xml, xlen)) ||
            (rc = buf_str(&out, &olen, &ocap,
                          "\r\n--" BOUNDARY "\r\nContent-Type: message/sip\r\n\r\n")) ||
            (rc = buf_add(&out, &olen, &ocap, sipfrag, slen)) ||
            (rc = buf_str(&out, &olen, &ocap, "\r\n--" BOUNDARY "--\r\n")))
            goto out;
        *ctype = "multipart/mixed;boundary=" BOUNDARY;
    } else if (xml) {
        out = xml;
        olen = xlen;
        xml = NULL;
        *ctype = "application/3gpp-ims+xml";
    } else if (sipfrag) {
        if ((rc = buf_add(&out, &olen, &ocap, sipfrag, slen)))
            goto out;
        *ctype = "message/sip";
    }
    *body = out;
    *blen = olen;
    out = NULL;
out:
    free(xml);
    free(out);
    osip_free(sipfrag);
    osip_message_free(copy);
    return rc;
}

/*
 * The P-Charging-Vector of the third-party REGISTER into buf: the icid of req
 * (a fresh one without req or PCV), orig-ioi our home domain, no term-ioi.
 */
static int charging_vector(const osip_message_t *req, char *buf, size_t len, char *icid,
                           size_t icid_len)
{
    struct sip_pcv pcv;
    int rc;

    if (!req || sip_pcv_get(req, &pcv) != 0) {
        memset(&pcv, 0, sizeof(pcv));
        if ((rc = sip_icid_generate(pcv.icid, sizeof(pcv.icid))))
            return rc;
    }
    snprintf(pcv.orig_ioi, sizeof(pcv.orig_ioi), "%s", scscf_self()->home_domain);
    pcv.term_ioi[0] = '\0';
    pcv.n_other = 0; /* access-network and GPRS charging info stay between UE and P-CSCF */
    snprintf(icid, icid_len, "%s", pcv.icid);
    return sip_pcv_build(&pcv, buf, len);
}

/* Builds the REGISTER to as_uri (parsed, owned by the caller in *out). */
static int build_request(const struct xml_application_server *as, const char *impu,
                         uint32_t expires, const osip_message_t *req, osip_message_t **out,
                         char *icid, size_t icid_len)
{
    struct scscf_context *s = scscf_self();
    char branch[PROXY_BRANCH_LEN], tag[17], cid[33], pcv[512], why[128];
    char *body = NULL, *text = NULL;
    const char *ctype = NULL;
    size_t blen = 0, cap;
    int rc, len;

    *out = NULL;
    if ((rc = proxy_branch_new(branch, sizeof(branch))) ||
        (rc = sip_random_hex(tag, sizeof(tag), 8)) || (rc = sip_random_hex(cid, sizeof(cid), 16)) ||
        (rc = charging_vector(req, pcv, sizeof(pcv), icid, icid_len)) ||
        (rc = build_body(as, req, &body, &blen, &ctype)))
        goto out;
    cap = 4096 + strlen(as->server_name) + strlen(impu) + 2 * strlen(s->server_name) +
          (pcfa ? strlen(pcfa) : 0) + blen;
    if (!(text = malloc(cap))) {
        rc = -ENOMEM;
        goto out;
    }
    len = snprintf(text, cap,
                   "REGISTER %s SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <%s>;tag=%s\r\n"
                   "To: <%s>\r\n"
                   "Call-ID: %s@%s\r\n"
                   "CSeq: 1 REGISTER\r\n"
                   "Contact: <%s>\r\n"
                   "Expires: %u\r\n"
                   "P-Charging-Vector: %s\r\n"
                   "%s%s%s"
                   "%s%s%s"
                   "Content-Length: %zu\r\n\r\n",
                   as->server_name, s->sip_advertise ? s->sip_advertise : s->sip_listen,
                   s->sip_port, branch, s->server_name, tag, impu, cid,
                   s->sip_advertise ? s->sip_advertise : s->sip_listen, s->server_name, expires,
                   pcv, pcfa ? "P-Charging-Function-Addresses: " : "", pcfa ? pcfa : "",
                   pcfa ? "\r\n" : "", ctype ? "Content-Type: " : "", ctype ? ctype : "",
                   ctype ? "\r\n" : "", blen);
    if (len < 0 || (size_t)len + blen >= cap) {
        rc = -ENOSPC;
        goto out;
    }
    if (blen)
        memcpy(text + len, body, blen);
    rc = sip_msg_parse(text, (size_t)len + blen, out, why, sizeof(why));
    if (rc)
        log_error("scscf: our third-party REGISTER to %s does not parse: %s", as->server_name, why);
out:
    free(body);
    free(text);
    return rc;
}

/* ---- pending requests and DefaultHandling ---- */

static struct txn_layer *layer(void)
{
    return sipstack_txn(scscf_self()->sip);
}

static struct pending *pending_take(uint64_t id)
{
    for (struct pending **pp = &pendings; *pp; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct pending *p = *pp;
            *pp = p->next;
            p->next = NULL;
            return p;
        }
    }
    return NULL;
}

static void pending_free(struct pending *p)
{
    if (!p)
        return;
    if (p->timer)
        event_free(p->timer);
    free(p->impu);
    free(p->as_uri);
    free(p);
}

/*
 * Network-initiated de-registration of the record p was about (TS 24.229
 * §5.4.1.5 as §5.4.1.7 asks for SESSION_TERMINATED).
 */
static void deregister_for(const struct pending *p)
{
    struct scscf_reg *r = regs_by_id(p->reg_id);

    if (!r || r->state != SCSCF_REG_REGISTERED || !regs_has_impu(r, p->impu)) {
        log_info("scscf: %s is not registered any more: nothing to de-register", p->impu);
        return;
    }
    log_notice("scscf: AS %s failed with DefaultHandling SESSION_TERMINATED: de-registering %s "
               "(%s)",
               p->as_uri, p->impu, r->impi);
    for (size_t i = 0; i < r->n_contacts; i++) {
        if (r->contacts[i].active) {
            r->contacts[i].active = false;
            r->contacts[i].event = SCSCF_EV_REJECTED;
        }
    }
    r->state = SCSCF_REG_NOT_REGISTERED;
    scscf_reg_event_notify(r);
    reg_store_del_reg(r);
    scscf_cx_sar(0, r->impi, r->impus[0], CX_SAT_ADMINISTRATIVE_DEREGISTRATION);
    send_all(r, p->impu, SCSCF_3PR_DE, NULL, p->as_uri);
    regs_free(r);
}

/* The final outcome of p (code: SIP status, 408 for our timeout; local: no answer came). */
static void outcome(struct pending *p, int code, bool local, const char *what)
{
    bool failed = local || code == 408 || (code >= 500 && code < 600);

    if (!failed) {
        log_info("scscf: third-party REGISTER for %s to %s (expires %u): %d%s", p->impu, p->as_uri,
                 p->expires, code, code >= 300 ? " (ignored)" : "");
        return;
    }
    log_info("scscf: third-party REGISTER for %s to %s (expires %u) failed: %s; DefaultHandling "
             "%s",
             p->impu, p->as_uri, p->expires, what,
             p->default_handling == XML_DEFAULT_HANDLING_SESSION_TERMINATED ? "SESSION_TERMINATED"
                                                                            : "SESSION_CONTINUED");
    if (p->default_handling == XML_DEFAULT_HANDLING_SESSION_TERMINATED && p->expires > 0)
        deregister_for(p);
}

static void on_response(void *arg, struct txn_client *ct, osip_message_t **resp, bool local)
{
    uint64_t id = (uint64_t)(uintptr_t)arg;
    int code = (*resp)->status_code;
    struct pending *p;
    char what[64];

    (void)ct;
    if (code < 200)
        return;
    if (!(p = pending_take(id)))
        return;
    p->ct = NULL; /* freed by the layer after this callback */
    snprintf(what, sizeof(what), "%d%s", code,
             local ? (code == 408 ? " (no answer)" : " (transport error)") : "");
    log_trace_set(p->icid[0] ? p->icid : NULL);
    outcome(p, code, local, what);
    log_trace_set(NULL);
    pending_free(p);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct pending *p = pending_take((uint64_t)(uintptr_t)arg);
    char why[96];

    (void)fd;
    (void)what;
    if (!p)
        return;
    log_trace_set(p->icid[0] ? p->icid : NULL);
    if (p->failed[0]) {
        snprintf(why, sizeof(why), "%s", p->failed);
        outcome(p, 503, true, why);
    } else {
        txn_client_abandon(p->ct);
        p->ct = NULL;
        snprintf(why, sizeof(why), "no final answer within %us", timeout_s);
        outcome(p, 408, true, why);
    }
    log_trace_set(NULL);
    pending_free(p);
}

/*
 * Sends one REGISTER to the AS of ifc. A REGISTER that cannot be sent fails
 * from a zero timer, so DefaultHandling never frees r under the caller.
 */
static void send_one(const struct scscf_reg *r, const char *impu, uint32_t expires,
                     const struct xml_ifc *ifc, const osip_message_t *req)
{
    const struct xml_application_server *as = &ifc->as;
    struct timeval tv = {.tv_sec = timeout_s};
    osip_message_t *m = NULL;
    struct pending *p = NULL;
    struct txn_addr dst;
    int rc = -ENOMEM;

    if (!(p = calloc(1, sizeof(*p))) || !(p->impu = strdup(impu)) ||
        !(p->as_uri = strdup(as->server_name)))
        goto err;
    p->id = next_pending_id++;
    p->reg_id = r->id;
    p->default_handling = as->default_handling;
    p->expires = expires;
    p->timer =
        event_new(loop_base(scscf_self()->loop), -1, 0, on_timeout, (void *)(uintptr_t)p->id);
    if (!p->timer)
        goto err;
    if ((rc = as_destination(as->server_name, &dst))) {
        log_warn("scscf: no address for AS %s (add it to the as list of the config)",
                 as->server_name);
    } else if ((rc = build_request(as, impu, expires, req, &m, p->icid, sizeof(p->icid))) == 0 &&
               (rc = txn_request(layer(), &m, &dst, on_response, (void *)(uintptr_t)p->id,
                                 &p->ct)) == 0) {
        log_info("scscf: third-party REGISTER for %s sent to %s (%s:%d/%s), expires %u%s%s", impu,
                 as->server_name, dst.host, dst.port, dst.proto == TXN_PROTO_TCP ? "tcp" : "udp",
                 expires, as->service_info ? ", with ServiceInfo" : "",
                 as->include_register_request && req ? ", with the REGISTER" : "");
    }
    if (rc) {
        snprintf(p->failed, sizeof(p->failed), "not sent: %s", strerror(-rc));
        tv.tv_sec = 0;
    }
    if (event_add(p->timer, &tv) != 0) {
        rc = -ENOMEM;
        txn_client_abandon(p->ct);
        goto err;
    }
    p->next = pendings;
    pendings = p;
    osip_message_free(m);
    return;
err:
    log_warn("scscf: third-party REGISTER for %s to %s not sent: %s", impu, as->server_name,
             strerror(-rc));
    osip_message_free(m);
    pending_free(p);
}

/* Longest remaining lifetime of r's active contacts, in seconds. */
static uint32_t reg_expires(const struct scscf_reg *r)
{
    int64_t now = scscf_now(), best = 0;

    for (size_t i = 0; i < r->n_contacts; i++)
        if (r->contacts[i].active && r->contacts[i].expires_at - now > best)
            best = r->contacts[i].expires_at - now;
    return best > UINT32_MAX ? UINT32_MAX : (uint32_t)best;
}

static void send_all(const struct scscf_reg *r, const char *impu, int event,
                     const osip_message_t *req, const char *except_as)
{
    const struct xml_ifc **ifcs = NULL;
    uint32_t expires = 0;
    size_t n = 0;
    int rc;

    if (r->state != SCSCF_REG_REGISTERED || event == SCSCF_3PR_DE ||
        (expires = reg_expires(r)) == 0) {
        event = SCSCF_3PR_DE;
        expires = 0;
    }
    if ((rc = select_ifcs(r, impu, event, req, &ifcs, &n))) {
        log_warn("scscf: iFC evaluation for %s failed: %s", impu, strerror(-rc));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (except_as && strcmp(ifcs[i]->as.server_name, except_as) == 0)
            continue;
        send_one(r, impu, expires, ifcs[i], req);
    }
    free(ifcs);
}

void scscf_third_party_register(const struct scscf_reg *r, const char *impu, int event,
                                const osip_message_t *req)
{
    if (!r || !impu || !scscf_self()->sip)
        return;
    send_all(r, impu, event, req, NULL);
}

size_t scscf_third_party_pending(void)
{
    size_t n = 0;

    for (const struct pending *p = pendings; p; p = p->next)
        n++;
    return n;
}

void scscf_third_party_free(void)
{
    while (pendings) {
        struct pending *p = pendings;
        pendings = p->next;
        log_info("scscf: shutdown: third-party REGISTER for %s to %s left unanswered", p->impu,
                 p->as_uri);
        txn_client_abandon(p->ct);
        pending_free(p);
    }
}
