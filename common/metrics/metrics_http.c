/*
 * metrics_http.c: GET /metrics over libevent's evhttp, on the daemon's loop.
 */
#include "metrics_internal.h"

#include "log/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

/* Limits on what a client may send: a scrape is one small GET. */
#define METRICS_HTTP_TIMEOUT_S   10
#define METRICS_HTTP_MAX_HEADERS 8192
#define METRICS_HTTP_MAX_BODY    1024

struct metrics_http {
    struct metrics *m;
    struct evhttp *http;
    uint16_t port;
};

/* Sends a short text/plain answer. */
static void reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
    struct evbuffer *body = evbuffer_new();
    struct evkeyvalq *hdr = evhttp_request_get_output_headers(req);
    evhttp_add_header(hdr, "Content-Type", "text/plain; charset=utf-8");
    if (body)
        evbuffer_add_printf(body, "%s\n", text);
    evhttp_send_reply(req, code, reason, body);
    if (body)
        evbuffer_free(body);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct metrics_http *h = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

    if (!path || strcmp(path, "/metrics") != 0) {
        reply_text(req, HTTP_NOTFOUND, "Not Found", "not found: try GET /metrics");
        return;
    }
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
        reply_text(req, HTTP_BADMETHOD, "Method Not Allowed", "method not allowed: use GET");
        return;
    }
    struct evbuffer *body = evbuffer_new();
    if (!body || metrics_render(h->m, body) != 0) {
        log_warn("metrics: rendering failed (out of memory)");
        if (body)
            evbuffer_free(body);
        reply_text(req, HTTP_INTERNAL, "Internal Server Error", "metrics rendering failed");
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", METRICS_CONTENT_TYPE);
    evhttp_send_reply(req, HTTP_OK, "OK", body);
    evbuffer_free(body);
}

static bool addr_is_numeric(const char *addr)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return addr && (evutil_inet_pton(AF_INET, addr, tmp) == 1 ||
                    evutil_inet_pton(AF_INET6, addr, tmp) == 1);
}

int metrics_http_start(struct metrics *m, struct event_base *base, const char *addr, uint16_t port,
                       struct metrics_http **out)
{
    int rc = -EINVAL;
    struct metrics_http *h = NULL;

    if (!m || !base || !out || !addr_is_numeric(addr))
        return -EINVAL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    h->m = m;
    rc = -ENOMEM;
    h->http = evhttp_new(base);
    if (!h->http)
        goto err;
    /* Let every method reach on_request, which answers 405 itself. */
    evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(h->http, METRICS_HTTP_TIMEOUT_S);
    evhttp_set_max_headers_size(h->http, METRICS_HTTP_MAX_HEADERS);
    evhttp_set_max_body_size(h->http, METRICS_HTTP_MAX_BODY);
    evhttp_set_gencb(h->http, on_request, h);

    errno = 0;
    struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(h->http, addr, port);
    if (!bs) {
        rc = errno ? -errno : -EADDRNOTAVAIL;
        goto err;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl) != 0) {
        rc = -errno;
        goto err;
    }
    if (ss.ss_family == AF_INET)
        h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else
        h->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    *out = h;
    return 0;
err:
    metrics_http_free(h);
    return rc;
}

uint16_t metrics_http_port(const struct metrics_http *h)
{
    return h ? h->port : 0;
}

void metrics_http_free(struct metrics_http *h)
{
    if (!h)
        return;
    if (h->http)
        evhttp_free(h->http);
    free(h);
}

int metrics_cfg_check(const struct cfg *c)
{
    const char *addr = cfg_str(c, "metrics.listen");
    if (!addr_is_numeric(addr)) {
        log_error("metrics.listen: \"%s\" is not a numeric IPv4 or IPv6 address", addr ? addr : "");
        return -EINVAL;
    }
    return 0;
}

int metrics_http_start_cfg(struct metrics *m, struct event_base *base, const struct cfg *c,
                           struct metrics_http **out)
{
    if (!c || !out)
        return -EINVAL;
    long long port = cfg_int(c, "metrics.port");
    if (port < 0 || port > 65535)
        return -EINVAL;
    if (port == 0) {
        *out = NULL;
        log_info("metrics: disabled (metrics.port = 0)");
        return 0;
    }
    int rc = metrics_cfg_check(c);
    if (rc)
        return rc;
    const char *addr = cfg_str(c, "metrics.listen");
    rc = metrics_http_start(m, base, addr, (uint16_t)port, out);
    if (rc) {
        log_error("metrics: cannot listen on %s port %lld: %s", addr, port, strerror(-rc));
        return rc;
    }
    log_info("metrics: serving http://%s%s%s:%lld/metrics", strchr(addr, ':') ? "[" : "", addr,
             strchr(addr, ':') ? "]" : "", port);
    return 0;
}
