/*
 * control.c: the control socket of the HSS (see control.h). Everything here
 * runs on the loop thread. Connections are found again by id when the
 * RTA/PPA comes back, because the client may have gone away meanwhile.
 */
#include "control.h"
#include "hss_context.h"
#include "hss_cx.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdarg.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LINE_MAX_LEN 2048

struct conn {
    uint64_t id;
    struct bufferevent *bev;
    bool busy; /* a request is in flight */
    struct conn *next;
};

static struct evconnlistener *listener;
static struct conn *conns;
static uint64_t next_id = 1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static struct conn *conn_find(uint64_t id)
{
    for (struct conn *c = conns; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void conn_close(struct conn *c)
{
    for (struct conn **pp = &conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    bufferevent_free(c->bev);
    free(c);
}

static void close_when_flushed(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_close(c);
}

/* Writes the answer line and closes the connection once it is sent. */
static void reply(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct conn *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    evbuffer_add_vprintf(bufferevent_get_output(c->bev), fmt, ap);
    va_end(ap);
    evbuffer_add(bufferevent_get_output(c->bev), "\n", 1);
    bufferevent_disable(c->bev, EV_READ);
    bufferevent_setcb(c->bev, NULL, close_when_flushed, NULL, c);
}

static void on_done(uint64_t id, int status, uint32_t code)
{
    struct conn *c = conn_find(id);

    if (!c)
        return; /* imsctl went away */
    if (status == -ETIMEDOUT)
        reply(c, "ERR no answer from the S-CSCF");
    else if (status == 0 && code >= 2000 && code < 3000)
        reply(c, "OK %u %s", code, cx_result_name(code, false));
    else if (code)
        reply(c, "FAIL %u %s", code, cx_result_name(code, false));
    else
        reply(c, "ERR request failed: %s", strerror(-status));
}

static int deregister(struct conn *c, const char *id, int reason, const char *info)
{
    struct store *st = hss_store();
    struct store_impu rec, *set = NULL;
    const char **uris = NULL;
    char impi[STORE_ID_SIZE], server[STORE_ID_SIZE] = "";
    size_t n = 0, m = 0;
    int rc;

    if (!st)
        return -EIO;
    if (store_impu_get(st, id, &rec) == 0) {
        if (!rec.scscf[0]) {
            reply(c, "ERR %s is not assigned to any S-CSCF", id);
            return 0;
        }
        snprintf(impi, sizeof(impi), "%s", rec.impi);
        snprintf(server, sizeof(server), "%s", rec.scscf);
        rc = store_irs_impus(st, id, &set, &n);
    } else {
        snprintf(impi, sizeof(impi), "%s", id);
        rc = store_impi_impus(st, id, &set, &n);
        if (rc == -ENOENT || rc == -EINVAL) {
            reply(c, "ERR unknown identity %s", id);
            return 0;
        }
    }
    if (rc)
        return rc;
    uris = calloc(n ? n : 1, sizeof(*uris));
    if (!uris) {
        free(set);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!set[i].scscf[0])
            continue;
        if (!server[0])
            snprintf(server, sizeof(server), "%s", set[i].scscf);
        if (strcmp(server, set[i].scscf) == 0)
            uris[m++] = set[i].uri;
    }
    if (m == 0) {
        reply(c, "ERR %s is not assigned to any S-CSCF", id);
        rc = 0;
    } else {
        rc = hss_send_rtr(impi, uris, m, server, reason, info && *info ? info : NULL, on_done,
                          c->id);
        if (rc == 0)
            c->busy = true;
    }
    free(uris);
    free(set);
    return rc;
}

static int push_profile(struct conn *c, const char *impi)
{
    int rc = hss_send_ppr(impi, on_done, c->id);

    if (rc == -ENOENT) {
        reply(c, "ERR unknown IMPI %s", impi);
        return 0;
    }
    if (rc == -ENOTCONN) {
        reply(c, "ERR %s is not registered at any S-CSCF", impi);
        return 0;
    }
    if (rc == 0)
        c->busy = true;
    return rc;
}

static void handle_line(struct conn *c, char *line)
{
    char *f[4] = {NULL};
    size_t nf = 0;
    char *save = NULL;
    int rc = 0;

    for (char *t = strtok_r(line, "\t", &save); t && nf < 4; t = strtok_r(NULL, "\t", &save))
        f[nf++] = t;
    if (nf >= 2 && strcmp(f[0], "deregister") == 0) {
        char *end = NULL;
        long reason = nf >= 3 ? strtol(f[2], &end, 10) : 0;
        if (nf >= 3 && (*end || reason < 0 || reason > CX_REASON_REMOVE_SCSCF)) {
            reply(c, "ERR reason code must be 0..3");
            return;
        }
        log_info("control: deregister %s (reason %ld)", f[1], reason);
        rc = deregister(c, f[1], (int)reason, nf >= 4 ? f[3] : NULL);
    } else if (nf == 2 && strcmp(f[0], "push-profile") == 0) {
        log_info("control: push-profile %s", f[1]);
        rc = push_profile(c, f[1]);
    } else {
        reply(c, "ERR unknown request");
        return;
    }
    if (rc)
        reply(c, "ERR %s", strerror(-rc));
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = 0;
    char *line;

    if (c->busy)
        return;
    line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
    if (!line) {
        if (evbuffer_get_length(in) > LINE_MAX_LEN)
            reply(c, "ERR request too long");
        return;
    }
    if (len > LINE_MAX_LEN)
        reply(c, "ERR request too long");
    else
        handle_line(c, line);
    free(line);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_close(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
    struct event_base *base = evconnlistener_get_base(l);
    struct conn *c = calloc(1, sizeof(*c));

    if (!c) {
        evutil_closesocket(fd);
        return;
    }
    c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        evutil_closesocket(fd);
        free(c);
        return;
    }
    c->id = next_id++;
    c->next = conns;
    conns = c;
    bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
    bufferevent_enable(c->bev, EV_READ);
}

int hss_control_start(struct loop *loop, const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    mode_t old;

    if (!loop || !path || strlen(path) >= sizeof(sun.sun_path))
        return -EINVAL;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    snprintf(sock_path, sizeof(sock_path), "%s", path);
    /* A socket that still answers belongs to a running HSS: do not steal it. */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
        close(probe);
        log_error("hss: %s is in use: another HSS runs on this state directory", path);
        return -EADDRINUSE;
    }
    if (probe >= 0)
        close(probe);
    unlink(path); /* a stale socket of a previous run */
    old = umask(0077);
    listener = evconnlistener_new_bind(loop_base(loop), on_accept, NULL,
                                       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
                                       (struct sockaddr *)&sun, (int)sizeof(sun));
    umask(old);
    if (!listener) {
        int e = errno ? errno : EIO;
        log_error("hss: cannot listen on control socket %s: %s", path, strerror(e));
        return -e;
    }
    log_info("hss: control socket %s", path);
    return 0;
}

void hss_control_stop(void)
{
    while (conns)
        conn_close(conns);
    if (listener) {
        evconnlistener_free(listener);
        listener = NULL;
        unlink(sock_path);
    }
}
