/*
 * ctl_server.c: the control socket listener and its connections (see ctl.h).
 * Everything here runs on the loop thread. Connections of every server are
 * kept in one list and found again by id, because answers may come from a
 * continuation after the client went away.
 */
#include "ctl/ctl.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct ctl_server {
    struct evconnlistener *listener;
    char name[32];
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    ctl_handler_fn handler;
    void *arg;
};

struct conn {
    uint64_t id;
    struct ctl_server *srv;
    struct bufferevent *bev;
    bool got_request; /* the one request was handed to the handler */
    bool ended;       /* ctl_end() was called: closing once flushed */
    struct conn *next;
};

static struct conn *conns;
static uint64_t next_id = 1;

static struct conn *conn_find(uint64_t id)
{
    for (struct conn *c = conns; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* A connection that still takes answer lines. */
static struct conn *conn_live(uint64_t id)
{
    struct conn *c = conn_find(id);
    return c && !c->ended ? c : NULL;
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

size_t ctl_conn_count(void)
{
    size_t n = 0;
    for (const struct conn *c = conns; c; c = c->next)
        n++;
    return n;
}

static void close_when_flushed(struct bufferevent *bev, void *arg)
{
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_close(arg);
}

int ctl_reply(uint64_t conn_id, const char *fmt, ...)
{
    struct conn *c = conn_live(conn_id);
    struct evbuffer *out;
    va_list ap;
    int n;

    if (!c)
        return -ENOENT;
    out = bufferevent_get_output(c->bev);
    va_start(ap, fmt);
    n = evbuffer_add_vprintf(out, fmt, ap);
    va_end(ap);
    if (n < 0 || evbuffer_add(out, "\n", 1) != 0)
        return -ENOMEM;
    return 0;
}

int ctl_end(uint64_t conn_id)
{
    struct conn *c = conn_live(conn_id);

    if (!c)
        return -ENOENT;
    c->ended = true;
    bufferevent_disable(c->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
        conn_close(c);
        return 0;
    }
    bufferevent_setcb(c->bev, NULL, close_when_flushed, NULL, c);
    return 0;
}

/* Adds s to out with every control character replaced by '?'. */
static int add_clean(struct evbuffer *out, const char *s)
{
    char buf[256];
    size_t n = 0;

    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        buf[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
        if (n == sizeof(buf)) {
            if (evbuffer_add(out, buf, n) != 0)
                return -ENOMEM;
            n = 0;
        }
    }
    return n && evbuffer_add(out, buf, n) != 0 ? -ENOMEM : 0;
}

int ctl_fail(uint64_t conn_id, const char *text)
{
    struct conn *c = conn_live(conn_id);
    struct evbuffer *out;
    int rc;

    if (!c)
        return -ENOENT;
    out = bufferevent_get_output(c->bev);
    if (evbuffer_add(out, "ERR ", 4) != 0 || (rc = add_clean(out, text)) != 0 ||
        evbuffer_add(out, "\n", 1) != 0)
        rc = -ENOMEM;
    else
        rc = 0;
    ctl_end(conn_id);
    return rc;
}

int ctl_record(uint64_t conn_id, const char *type)
{
    struct conn *c = conn_live(conn_id);

    if (!c)
        return -ENOENT;
    if (!type || !*type || strpbrk(type, "\t\r\n="))
        return -EINVAL;
    return evbuffer_add(bufferevent_get_output(c->bev), type, strlen(type)) == 0 ? 0 : -ENOMEM;
}

int ctl_field_str(uint64_t conn_id, const char *key, const char *value)
{
    struct conn *c = conn_live(conn_id);
    struct evbuffer *out;

    if (!c)
        return -ENOENT;
    out = bufferevent_get_output(c->bev);
    if (evbuffer_add(out, "\t", 1) != 0 || add_clean(out, key) != 0 ||
        evbuffer_add(out, "=", 1) != 0 || add_clean(out, value) != 0)
        return -ENOMEM;
    return 0;
}

int ctl_field_int(uint64_t conn_id, const char *key, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    return ctl_field_str(conn_id, key, buf);
}

int ctl_record_end(uint64_t conn_id)
{
    struct conn *c = conn_live(conn_id);

    if (!c)
        return -ENOENT;
    return evbuffer_add(bufferevent_get_output(c->bev), "\n", 1) == 0 ? 0 : -ENOMEM;
}

size_t ctl_split(char *line, char **fields, size_t max)
{
    size_t n = 0;

    if (!line || !*line || !fields || max == 0)
        return 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    struct ctl_server *srv = c->srv;
    uint64_t id = c->id;
    size_t len = 0;
    char *line;

    if (c->got_request) {
        evbuffer_drain(in, evbuffer_get_length(in)); /* one request per connection */
        return;
    }
    line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
    if (!line) {
        if (evbuffer_get_length(in) > CTL_LINE_MAX) {
            c->got_request = true;
            ctl_fail(id, "request too long");
        }
        return;
    }
    c->got_request = true;
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len > CTL_LINE_MAX)
        ctl_fail(id, "request too long");
    else if (memchr(line, '\0', len))
        ctl_fail(id, "request holds a NUL byte");
    else
        srv->handler(srv->arg, id, line); /* c may be freed from here on */
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
    c->srv = arg;
    c->next = conns;
    conns = c;
    bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
    bufferevent_enable(c->bev, EV_READ);
}

/*
 * Makes path free for a new socket: a live server there is -EADDRINUSE, a
 * stale socket file is removed, a file that is not a socket is -EEXIST.
 */
static int clear_path(const char *name, const struct sockaddr_un *sun)
{
    struct stat st;
    int probe;

    if (lstat(sun->sun_path, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) {
        log_error("%s: %s exists and is not a socket: not replacing it", name, sun->sun_path);
        return -EEXIST;
    }
    probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return -errno;
    if (connect(probe, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
        close(probe);
        log_error("%s: %s is in use: another %s runs on this state directory", name, sun->sun_path,
                  name);
        return -EADDRINUSE;
    }
    close(probe);
    if (unlink(sun->sun_path) != 0 && errno != ENOENT)
        return -errno;
    log_info("%s: removed the stale control socket %s", name, sun->sun_path);
    return 0;
}

int ctl_server_start(struct loop *loop, const char *name, const char *path, ctl_handler_fn handler,
                     void *arg, struct ctl_server **out)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct ctl_server *srv = NULL;
    mode_t old;
    int rc;

    if (!loop || !name || !path || !*path || !handler || !out ||
        strlen(path) >= sizeof(sun.sun_path))
        return -EINVAL;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    if ((rc = clear_path(name, &sun)) != 0)
        return rc;
    srv = calloc(1, sizeof(*srv));
    if (!srv)
        return -ENOMEM;
    snprintf(srv->name, sizeof(srv->name), "%s", name);
    memcpy(srv->path, path, strlen(path) + 1);
    srv->handler = handler;
    srv->arg = arg;
    old = umask(0077);
    errno = 0;
    srv->listener = evconnlistener_new_bind(loop_base(loop), on_accept, srv,
                                            LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
                                            (struct sockaddr *)&sun, (int)sizeof(sun));
    umask(old);
    if (!srv->listener) {
        rc = errno ? -errno : -EIO;
        log_error("%s: cannot listen on control socket %s: %s", name, path, strerror(-rc));
        free(srv);
        return rc;
    }
    if (chmod(path, 0600) != 0) {
        rc = -errno;
        log_error("%s: cannot make %s owner-only: %s", name, path, strerror(-rc));
        evconnlistener_free(srv->listener);
        unlink(path);
        free(srv);
        return rc;
    }
    log_info("%s: control socket %s", name, path);
    *out = srv;
    return 0;
}

void ctl_server_stop(struct ctl_server **srvp)
{
    struct ctl_server *srv = srvp ? *srvp : NULL;

    if (!srv)
        return;
    for (struct conn *c = conns, *next; c; c = next) {
        next = c->next;
        if (c->srv == srv)
            conn_close(c);
    }
    evconnlistener_free(srv->listener);
    unlink(srv->path);
    free(srv);
    *srvp = NULL;
}
