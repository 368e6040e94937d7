/*
 * proxy.c: stateful-proxy helpers of RFC 3261 §16: branches, Via, Max-Forwards,
 * loop detection, Record-Route, loose routing and next-hop selection.
 */
#include "txn_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL
#define COOKIE     "z9hG4bK"

static uint64_t fnv(uint64_t h, const char *s)
{
    if (s)
        for (; *s; s++) {
            h ^= (unsigned char)*s;
            h *= FNV_PRIME;
        }
    h ^= 0x1f; /* field separator, so ("ab","c") != ("a","bc") */
    h *= FNV_PRIME;
    return h;
}

static uint64_t fnv_owned(uint64_t h, char *s)
{
    h = fnv(h, s);
    osip_free(s);
    return h;
}

int proxy_branch_new(char *buf, size_t len)
{
    unsigned char rnd[12];
    if (!buf || len < PROXY_BRANCH_LEN)
        return -EINVAL;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -EIO;
    int n = snprintf(buf, len, COOKIE);
    for (size_t i = 0; i < sizeof(rnd); i++)
        n += snprintf(buf + n, len - (size_t)n, "%02x", rnd[i]);
    return 0;
}

static const char *tag_of(osip_from_t *f)
{
    osip_generic_param_t *t = NULL;
    if (f)
        osip_from_get_tag(f, &t);
    return t ? t->gvalue : NULL;
}

/* Hash of what decides where req goes (RFC 3261 §16.6 item 8); Via excluded. */
static int loop_hash(const osip_message_t *req, uint64_t *out)
{
    if (!req->call_id || !req->cseq || !req->req_uri)
        return -EPROTO;
    uint64_t h = FNV_OFFSET;
    char *s = NULL;
    osip_uri_to_str(req->req_uri, &s);
    h = fnv_owned(h, s);
    for (int i = 0; i < osip_list_size(&req->routes); i++) {
        s = NULL;
        osip_route_to_str(osip_list_get(&req->routes, i), &s);
        h = fnv_owned(h, s);
    }
    h = fnv(h, tag_of(req->from));
    h = fnv(h, tag_of(req->to));
    h = fnv(h, req->call_id->number);
    h = fnv(h, req->call_id->host);
    h = fnv(h, req->cseq->number);
    for (int i = 0; i < osip_list_size(&req->headers); i++) {
        osip_header_t *hd = osip_list_get(&req->headers, i);
        if (hd->hname && osip_strcasecmp(hd->hname, "proxy-require") == 0)
            h = fnv(h, hd->hvalue);
    }
    for (int i = 0; i < osip_list_size(&req->proxy_authorizations); i++) {
        s = NULL;
        osip_proxy_authorization_to_str(osip_list_get(&req->proxy_authorizations, i), &s);
        h = fnv_owned(h, s);
    }
    *out = h;
    return 0;
}

int proxy_branch_derive(const osip_message_t *req, char *buf, size_t len)
{
    uint64_t lh;
    if (!req || !buf || len < PROXY_BRANCH_LEN)
        return -EINVAL;
    osip_via_t *via = osip_list_get(&req->vias, 0);
    if (!via || loop_hash(req, &lh) != 0)
        return -EPROTO;
    osip_generic_param_t *b = NULL;
    osip_via_param_get_byname(via, "branch", &b);
    uint64_t th = fnv(FNV_OFFSET, b ? b->gvalue : NULL);
    if (!b || !b->gvalue) /* RFC 2543 peer: RFC 3261 §17.2.3 fallback identity */
        th = fnv(fnv(fnv(th, via->host), via->port), tag_of(req->from));
    th = fnv(th, req->cseq->method);
    snprintf(buf, len, COOKIE "%016llx.%016llx", (unsigned long long)lh, (unsigned long long)th);
    return 0;
}

static void strip_brackets(const char *in, char *out, size_t len)
{
    size_t n = strlen(in);
    if (n >= 2 && in[0] == '[' && in[n - 1] == ']')
        snprintf(out, len, "%.*s", (int)(n - 2), in + 1);
    else
        snprintf(out, len, "%s", in);
}

static bool host_is_mine(const char *host, const struct proxy_self *self)
{
    char a[256], b[256];
    if (!host || !self)
        return false;
    strip_brackets(host, a, sizeof(a));
    for (size_t i = 0; i < self->n_names; i++) {
        if (!self->names[i])
            continue;
        strip_brackets(self->names[i], b, sizeof(b));
        if (osip_strcasecmp(a, b) == 0)
            return true;
    }
    return false;
}

static int port_or(const char *port, int def)
{
    if (!port || !*port)
        return def;
    char *end = NULL;
    long v = strtol(port, &end, 10);
    if (*end || v <= 0 || v > 65535)
        return -1;
    return (int)v;
}

static bool via_is_mine(osip_via_t *via, const struct proxy_self *self)
{
    return via && host_is_mine(via->host, self) && port_or(via->port, 5060) == self->port;
}

bool proxy_is_looped(const osip_message_t *req, const struct proxy_self *self)
{
    uint64_t lh;
    char prefix[40];
    if (!req || !self || loop_hash(req, &lh) != 0)
        return false;
    snprintf(prefix, sizeof(prefix), COOKIE "%016llx.", (unsigned long long)lh);
    for (int i = 0; i < osip_list_size(&req->vias); i++) {
        osip_via_t *via = osip_list_get(&req->vias, i);
        if (!via_is_mine(via, self))
            continue;
        osip_generic_param_t *b = NULL;
        osip_via_param_get_byname(via, "branch", &b);
        if (b && b->gvalue && strncmp(b->gvalue, prefix, strlen(prefix)) == 0)
            return true;
    }
    return false;
}

int proxy_push_via(osip_message_t *msg, int proto, const char *host, int port, const char *branch)
{
    osip_via_t *via = NULL;
    char pbuf[16];
    if (!msg || !host || !*host || !branch || port <= 0 || port > 65535)
        return -EINVAL;
    if (osip_via_init(&via) != 0)
        return -ENOMEM;
    snprintf(pbuf, sizeof(pbuf), "%d", port);
    via_set_version(via, osip_strdup("2.0"));
    via_set_protocol(via, osip_strdup(proto == TXN_PROTO_TCP ? "TCP" : "UDP"));
    via_set_host(via, osip_strdup(host));
    via_set_port(via, osip_strdup(pbuf));
    if (!via->version || !via->protocol || !via->host || !via->port ||
        osip_via_set_branch(via, osip_strdup(branch)) != 0 ||
        osip_via_param_add(via, osip_strdup("rport"), NULL) != 0 ||
        osip_list_add(&msg->vias, via, 0) < 0) {
        osip_via_free(via);
        return -ENOMEM;
    }
    return 0;
}

int proxy_pop_via(osip_message_t *resp, const struct proxy_self *self)
{
    if (!resp || !self)
        return -EINVAL;
    osip_via_t *via = osip_list_get(&resp->vias, 0);
    if (!via)
        return -ENOENT;
    if (!via_is_mine(via, self))
        return -EPROTO;
    osip_list_remove(&resp->vias, 0);
    osip_via_free(via);
    return 0;
}

int proxy_max_forwards(osip_message_t *req)
{
    osip_header_t *h = NULL;
    if (!req)
        return -EINVAL;
    if (osip_message_header_get_byname(req, "max-forwards", 0, &h) < 0 || !h) {
        return osip_message_set_header(req, "Max-Forwards", "70") == 0 ? 0 : -ENOMEM;
    }
    const char *v = h->hvalue ? h->hvalue : "";
    while (*v == ' ' || *v == '\t')
        v++;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (end == v || !end || *end || n < 0 || n > 255 || *v == '-' || *v == '+')
        return -EPROTO;
    if (n == 0)
        return -ELOOP;
    char buf[8];
    snprintf(buf, sizeof(buf), "%ld", n - 1);
    char *nv = osip_strdup(buf);
    if (!nv)
        return -ENOMEM;
    osip_free(h->hvalue);
    h->hvalue = nv;
    return 0;
}

int proxy_add_record_route(osip_message_t *req, int proto, const char *host, int port)
{
    char buf[256];
    osip_record_route_t *rr = NULL;
    if (!req || !host || !*host || port <= 0 || port > 65535)
        return -EINVAL;
    bool v6 = strchr(host, ':') && host[0] != '[';
    snprintf(buf, sizeof(buf), "<sip:%s%s%s:%d%s;lr>", v6 ? "[" : "", host, v6 ? "]" : "", port,
             proto == TXN_PROTO_TCP ? ";transport=tcp" : "");
    if (osip_record_route_init(&rr) != 0)
        return -ENOMEM;
    if (osip_record_route_parse(rr, buf) != 0) {
        osip_record_route_free(rr);
        return -EINVAL;
    }
    if (osip_list_add(&req->record_routes, rr, 0) < 0) {
        osip_record_route_free(rr);
        return -ENOMEM;
    }
    return 0;
}

static bool uri_is_sip(const osip_uri_t *uri, bool *sips)
{
    if (!uri || !uri->scheme || !uri->host)
        return false;
    *sips = osip_strcasecmp(uri->scheme, "sips") == 0;
    return *sips || osip_strcasecmp(uri->scheme, "sip") == 0;
}

bool proxy_uri_is_mine(const osip_uri_t *uri, const struct proxy_self *self)
{
    bool sips;
    if (!self || !uri_is_sip(uri, &sips))
        return false;
    return host_is_mine(uri->host, self) && port_or(uri->port, sips ? 5061 : 5060) == self->port;
}

static bool uri_has_param(osip_uri_t *uri, const char *name)
{
    osip_uri_param_t *p = NULL;
    osip_uri_uparam_get_byname(uri, (char *)name, &p);
    return p != NULL;
}

int proxy_route_preprocess(osip_message_t *req, const struct proxy_self *self)
{
    if (!req || !self || !MSG_IS_REQUEST(req) || !req->req_uri)
        return -EINVAL;
    int n = osip_list_size(&req->routes);
    /* strict router upstream: it put our Record-Route URI (always with lr) in the R-URI */
    if (n > 0 && proxy_uri_is_mine(req->req_uri, self) && uri_has_param(req->req_uri, "lr")) {
        osip_route_t *last = osip_list_get(&req->routes, n - 1);
        osip_uri_t *uri = NULL;
        if (!last || !last->url || osip_uri_clone(last->url, &uri) != 0)
            return -ENOMEM;
        osip_uri_free(req->req_uri);
        req->req_uri = uri;
        osip_list_remove(&req->routes, n - 1);
        osip_route_free(last);
    }
    osip_route_t *top;
    while ((top = osip_list_get(&req->routes, 0)) != NULL && proxy_uri_is_mine(top->url, self)) {
        osip_list_remove(&req->routes, 0);
        osip_route_free(top);
    }
    return 0;
}

int proxy_next_hop(const osip_message_t *req, struct txn_addr *out)
{
    if (!req || !out || !req->req_uri)
        return -EINVAL;
    osip_route_t *top = osip_list_get(&req->routes, 0);
    osip_uri_t *uri = top && top->url ? top->url : req->req_uri;
    bool sips;
    if (!uri_is_sip(uri, &sips))
        return -EPROTO;
    int port = port_or(uri->port, sips ? 5061 : 5060);
    if (port < 0)
        return -EPROTO;
    osip_uri_param_t *tp = NULL;
    osip_uri_uparam_get_byname(uri, "transport", &tp);
    int proto = TXN_PROTO_UDP;
    if (sips || (tp && tp->gvalue && osip_strcasecmp(tp->gvalue, "tcp") == 0))
        proto = TXN_PROTO_TCP;
    else if (tp && tp->gvalue && osip_strcasecmp(tp->gvalue, "udp") != 0)
        return -EPROTO; /* tls, sctp, ws: not supported */

    char host[256];
    strip_brackets(uri->host, host, sizeof(host));
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = proto == TXN_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
    /* blocking for names; numeric addresses return at once */
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return -EHOSTUNREACH;
    memset(out, 0, sizeof(*out));
    const void *a = res->ai_family == AF_INET6
                        ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
                        : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
    const char *ok = inet_ntop(res->ai_family, a, out->host, sizeof(out->host));
    freeaddrinfo(res);
    if (!ok)
        return -EHOSTUNREACH;
    out->proto = proto;
    out->port = port;
    out->conn_id = 0;
    return 0;
}
