/*
 * test_metrics_http: the /metrics endpoint over a real loopback socket,
 * served by the loop thread while a client thread sends raw HTTP requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "loop/loop.h"
#include "metrics/metrics.h"

#define NREQ 7

static const char *const requests[NREQ] = {
    "GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
    "HEAD /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    "GET /metrics?debug=1 HTTP/1.0\r\n\r\n",
    "\x01\x02garbage\r\n\r\n",
    "GET /metrics/ HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
};

struct client {
    struct loop *loop;
    uint16_t port;
    char *resp[NREQ]; /* whole responses, NUL-terminated */
};

/* Sends one request and reads the response until the server closes. */
static char *exchange(uint16_t port, const char *req)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return NULL;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        goto out;
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
        goto out;
    for (;;) {
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap + 65536);
            if (!nb)
                goto out;
            buf = nb;
            cap += 65536;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (buf)
        buf[len] = '\0';
out:
    close(fd);
    return buf;
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    for (int i = 0; i < NREQ; i++)
        c->resp[i] = exchange(c->port, requests[i]);
    loop_stop(c->loop);
    return NULL;
}

static const char *body_of(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");
    assert_non_null(p);
    return p + 4;
}

static void assert_status(const char *resp, const char *status_line)
{
    assert_non_null(resp);
    assert_memory_equal(resp, status_line, strlen(status_line));
}

static void test_endpoint(void **state)
{
    struct loop *loop = NULL;
    struct metrics *m = NULL;
    struct metrics_ims ims;
    struct metrics_http *h = NULL;
    assert_int_equal(loop_new(&loop), 0);
    assert_int_equal(metrics_new(&m), 0);
    assert_int_equal(metrics_ims_register(m, &ims), 0);
    metrics_ims_sip_request(&ims, "REGISTER");
    metrics_ims_sip_response(&ims, "REGISTER", 401);
    metrics_ims_register_duration(&ims, 0.015);

    assert_int_equal(metrics_http_start(m, loop_base(loop), "127.0.0.1", 0, &h), 0);
    uint16_t port = metrics_http_port(h);
    assert_true(port > 0);

    /* A second endpoint on the same port is refused and leaves out untouched. */
    struct metrics_http *h2 = (struct metrics_http *)&ims;
    assert_int_equal(metrics_http_start(m, loop_base(loop), "127.0.0.1", port, &h2), -EADDRINUSE);
    assert_ptr_equal(h2, (struct metrics_http *)&ims);
    assert_int_equal(metrics_http_start(m, loop_base(loop), "localhost", 0, &h2), -EINVAL);
    assert_int_equal(metrics_http_start(m, loop_base(loop), "1.2.3", 0, &h2), -EINVAL);

    struct evbuffer *want = evbuffer_new();
    assert_non_null(want);
    assert_int_equal(metrics_render(m, want), 0);
    evbuffer_add(want, "", 1);
    const char *want_text = (const char *)evbuffer_pullup(want, -1);

    struct client c = {.loop = loop, .port = port};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, client_main, &c), 0);
    assert_int_equal(loop_run(loop), 0);
    assert_int_equal(pthread_join(th, NULL), 0);

    /* GET /metrics: 200, the exposition content type, exactly the rendered text. */
    assert_status(c.resp[0], "HTTP/1.1 200 OK\r\n");
    assert_non_null(strstr(c.resp[0], "\r\nContent-Type: text/plain; version=0.0.4; "
                                      "charset=utf-8\r\n"));
    assert_string_equal(body_of(c.resp[0]), want_text);
    assert_non_null(strstr(want_text, "imscore_sip_requests_total{method=\"REGISTER\"} 1\n"));
    assert_non_null(
        strstr(want_text, "imscore_register_duration_seconds_bucket{le=\"0.025\"} 1\n"));
    /* Unknown path: 404. */
    assert_status(c.resp[1], "HTTP/1.1 404 Not Found\r\n");
    assert_null(strstr(body_of(c.resp[1]), "imscore_"));
    /* Other methods on /metrics: 405 with Allow. */
    assert_status(c.resp[2], "HTTP/1.1 405 Method Not Allowed\r\n");
    assert_non_null(strstr(c.resp[2], "\r\nAllow: GET\r\n"));
    assert_status(c.resp[3], "HTTP/1.1 405 Method Not Allowed\r\n");
    /* A query string does not change the path; HTTP/1.0 is answered too. */
    assert_non_null(c.resp[4]);
    assert_memory_equal(c.resp[4], "HTTP/1.", 7);
    assert_memory_equal(c.resp[4] + 8, " 200 OK\r\n", 9);
    assert_string_equal(body_of(c.resp[4]), want_text);
    /* Garbage is refused by the HTTP parser (400) and the server keeps serving. */
    assert_non_null(c.resp[5]);
    if (c.resp[5][0] != '\0')
        assert_memory_equal(c.resp[5], "HTTP/1.1 400 ", 13);
    assert_status(c.resp[6], "HTTP/1.1 404 Not Found\r\n");

    for (int i = 0; i < NREQ; i++)
        free(c.resp[i]);
    evbuffer_free(want);
    metrics_http_free(h);
    metrics_http_free(NULL);
    metrics_free(m);
    loop_free(loop);
}

/* Writes text to a temporary file and loads it against the metrics schema. */
static int load_conf(const char *text, struct cfg **out)
{
    static const struct cfg_spec schema[] = {
        METRICS_CFG_SPECS("9090"),
        {NULL, 0, 0, NULL, 0, 0, NULL, NULL, NULL},
    };
    char path[] = "/tmp/test_metrics_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = cfg_load(path, schema, out, NULL);
    unlink(path);
    return rc;
}

static void test_cfg(void **state)
{
    struct loop *loop = NULL;
    struct metrics *m = NULL;
    struct cfg *c = NULL;
    struct metrics_http *h = NULL;
    assert_int_equal(loop_new(&loop), 0);
    assert_int_equal(metrics_new(&m), 0);

    /* Defaults: 127.0.0.1:9090. */
    assert_int_equal(load_conf("", &c), 0);
    assert_string_equal(cfg_str(c, "metrics.listen"), "127.0.0.1");
    assert_int_equal(cfg_int(c, "metrics.port"), 9090);
    assert_int_equal(metrics_cfg_check(c), 0);
    cfg_free(c);

    /* port 0 disables the endpoint. */
    assert_int_equal(load_conf("metrics = { listen = \"::1\"; port = 0; };\n", &c), 0);
    h = (struct metrics_http *)m;
    assert_int_equal(metrics_http_start_cfg(m, loop_base(loop), c, &h), 0);
    assert_null(h);
    cfg_free(c);

    /* A host name is not a listen address. */
    assert_int_equal(load_conf("metrics = { listen = \"localhost\"; port = 9; };\n", &c), 0);
    assert_int_equal(metrics_cfg_check(c), -EINVAL);
    assert_int_equal(metrics_http_start_cfg(m, loop_base(loop), c, &h), -EINVAL);
    cfg_free(c);

    /* Out of range ports are rejected by the schema. */
    assert_int_equal(load_conf("metrics = { port = 70000; };\n", &c), -EINVAL);
    assert_int_equal(load_conf("metrics = { port = -1; };\n", &c), -EINVAL);

    metrics_free(m);
    loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoint),
        cmocka_unit_test(test_cfg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
