/*
 * TCP connections: stream framing on read, queued writes, idle timeout, and
 * the close path shared by every reason a connection ends.
 */
#include "transport_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <event2/buffer.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bytes that may wait in one connection's output buffer before tp_send() refuses. */
#define OUTBUF_MIN_LIMIT (1024 * 1024)

/* Bytes linearised per framing attempt beyond max_msg_size (see on_read). */
#define FRAME_SLACK 8

static size_t outbuf_limit(const struct tp *tp)
{
    size_t l = 16 * tp->cfg.max_msg_size;
    return l < OUTBUF_MIN_LIMIT ? OUTBUF_MIN_LIMIT : l;
}

static long long idle_ms(const struct tp *tp)
{
    return (long long)tp->cfg.tcp_idle_timeout * 1000;
}

static void touch(struct tp__conn *c)
{
    c->last_ms = loop_now_ms();
}

static void arm_idle(struct tp__conn *c, long long ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    event_add(c->idle_ev, &tv);
}

void tp__conn_destroy(struct tp__conn *c)
{
    if (!c)
        return;
    if (c->idle_ev)
        event_free(c->idle_ev);
    if (c->bev)
        bufferevent_free(c->bev);
    free(c);
}

/* Frees a closed connection and tells the upper layer, if asked to. */
static void finish(struct tp__conn *c)
{
    struct tp *tp = c->tp;
    uint64_t id = c->id;
    bool notify = c->notify;
    tp__conn_destroy(c);
    if (notify && tp->cfg.on_conn_closed)
        tp->cfg.on_conn_closed(tp->arg, id);
}

void tp__conn_close(struct tp__conn *c, bool notify)
{
    struct tp *tp = c->tp;
    if (c->closing)
        return;
    c->closing = true;
    c->notify = notify;
    tp__conn_table_remove(&tp->conns, c);
    tp->stats.conns_open--;
    tp->stats.conns_closed++;
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    event_del(c->idle_ev);
    log_debug("transport: closed TCP connection %llu with %s:%u", (unsigned long long)c->id,
              c->remote.ip, c->remote.port);
    if (c->busy == 0)
        finish(c);
}

bool tp__conn_is_usable(const struct tp__conn *c)
{
    return c && !c->closing;
}

int tp__conn_write(struct tp__conn *c, const char *buf, size_t len)
{
    struct tp *tp = c->tp;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) + len > outbuf_limit(tp)) {
        log_warn("transport: TCP connection %llu to %s:%u has %zu bytes queued, refusing more",
                 (unsigned long long)c->id, c->remote.ip, c->remote.port, evbuffer_get_length(out));
        return -ENOBUFS;
    }
    if (bufferevent_write(c->bev, buf, len) != 0)
        return -ENOMEM;
    touch(c);
    return 0;
}

static void deliver(struct tp__conn *c, const char *buf, size_t len)
{
    struct tp *tp = c->tp;
    struct tp_msg_info info;
    memset(&info, 0, sizeof(info));
    info.proto = TP_PROTO_TCP;
    info.local = c->local;
    info.remote = c->remote;
    info.conn_id = c->id;
    info.flow.proto = TP_PROTO_TCP;
    info.flow.local = c->local;
    info.flow.remote = c->remote;
    info.flow.conn_id = c->id;
    tp->stats.msgs_in++;
    tp->stats.bytes_in += len;
    tp->cb(tp->arg, &info, buf, len);
}

static void framing_error(struct tp__conn *c, int rc)
{
    c->tp->stats.framing_errors++;
    log_warn("transport: %s on TCP connection %llu from %s:%u; closing it",
             rc == -EMSGSIZE ? "message above the size limit"
                             : "no valid Content-Length (framing lost)",
             (unsigned long long)c->id, c->remote.ip, c->remote.port);
    tp__conn_close(c, true);
}

/*
 * Cuts the input into messages. At most max_msg_size + FRAME_SLACK bytes are
 * made contiguous per step: enough for tp_frame_next() to either find a
 * complete message or report it oversize, so every step makes progress.
 */
static void on_read(struct bufferevent *bev, void *arg)
{
    struct tp__conn *c = arg;
    struct tp *tp = c->tp;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t cap = tp->cfg.max_msg_size + FRAME_SLACK;

    touch(c);
    c->busy++;
    while (!c->closing) {
        size_t n = evbuffer_get_length(in);
        if (n == 0)
            break;
        size_t want = n < cap ? n : cap;
        const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)want);
        if (!p) {
            log_error("transport: out of memory reading TCP connection %llu",
                      (unsigned long long)c->id);
            tp__conn_close(c, true);
            break;
        }
        struct tp_frame fr;
        int rc = tp_frame_next(p, want, tp->cfg.max_msg_size, &fr);
        if (rc < 0) {
            framing_error(c, rc);
            break;
        }
        tp->stats.keepalives_in += fr.pings;
        for (unsigned i = 0; i < fr.pings; i++) {
            bufferevent_write(bev, "\r\n", 2);
            tp->stats.keepalive_pongs++;
        }
        if (rc == 0) {
            if (fr.skip == 0)
                break;
            evbuffer_drain(in, fr.skip);
            continue;
        }
        deliver(c, p + fr.skip, fr.len);
        if (!c->closing)
            evbuffer_drain(in, fr.skip + fr.len);
    }
    c->busy--;
    if (c->closing && c->busy == 0)
        finish(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    touch(arg);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct tp__conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        c->connected = true;
        tp__addr_of_fd(bufferevent_getfd(bev), false, &c->local);
        touch(c);
        log_debug("transport: TCP connection %llu to %s:%u established from %s:%u",
                  (unsigned long long)c->id, c->remote.ip, c->remote.port, c->local.ip,
                  c->local.port);
        return;
    }
    size_t pending = evbuffer_get_length(bufferevent_get_input(bev));
    if (what & BEV_EVENT_ERROR) {
        int err = EVUTIL_SOCKET_ERROR();
        log_info("transport: TCP connection %llu with %s:%u %s: %s", (unsigned long long)c->id,
                 c->remote.ip, c->remote.port, c->connected ? "failed" : "could not connect",
                 strerror(err));
    } else {
        log_debug("transport: TCP connection %llu closed by %s:%u", (unsigned long long)c->id,
                  c->remote.ip, c->remote.port);
    }
    if (pending > 0)
        log_info("transport: dropping %zu bytes of an unfinished message from %s:%u", pending,
                 c->remote.ip, c->remote.port);
    tp__conn_close(c, true);
}

static void on_idle(evutil_socket_t fd, short what, void *arg)
{
    struct tp__conn *c = arg;
    struct tp *tp = c->tp;
    long long elapsed = loop_now_ms() - c->last_ms;
    if (elapsed < idle_ms(tp)) {
        arm_idle(c, idle_ms(tp) - elapsed);
        return;
    }
    log_info("transport: closing TCP connection %llu with %s:%u after %u s idle",
             (unsigned long long)c->id, c->remote.ip, c->remote.port, tp->cfg.tcp_idle_timeout);
    tp->stats.conns_idle_closed++;
    tp__conn_close(c, true);
}

/* Allocates a connection around bev (ownership passes, also on error). */
static int conn_new(struct tp *tp, struct bufferevent *bev, struct tp__conn **out)
{
    struct tp__conn *c = calloc(1, sizeof(*c));
    if (!c) {
        bufferevent_free(bev);
        return -ENOMEM;
    }
    c->tp = tp;
    c->bev = bev;
    c->id = tp->next_conn_id++;
    c->idle_ev = evtimer_new(tp->base, on_idle, c);
    if (!c->idle_ev) {
        tp__conn_destroy(c);
        return -ENOMEM;
    }
    int one = 1;
    setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    *out = c;
    return 0;
}

/* Starts reading and the idle timer and makes c findable. */
static int conn_start(struct tp__conn *c)
{
    struct tp *tp = c->tp;
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0)
        return -EIO;
    touch(c);
    arm_idle(c, idle_ms(tp));
    tp__conn_table_add(&tp->conns, c);
    tp->stats.conns_open++;
    return 0;
}

int tp__conn_accept(struct tp *tp, int fd, struct tp__conn **out)
{
    struct tp__conn *c = NULL;
    struct bufferevent *bev = bufferevent_socket_new(tp->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        close(fd);
        return -ENOMEM;
    }
    int rc = conn_new(tp, bev, &c);
    if (rc < 0)
        return rc;
    c->connected = true;
    tp__addr_of_fd(fd, true, &c->remote);
    tp__addr_of_fd(fd, false, &c->local);
    rc = conn_start(c);
    if (rc < 0) {
        tp__conn_destroy(c);
        return rc;
    }
    tp->stats.conns_accepted++;
    *out = c;
    return 0;
}

/* Binds fd to local, sharing the port with our listener. Returns 0 or -errno (logged). */
static int bind_local(int fd, const struct tp_addr *local, const struct tp_addr *remote)
{
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0 ||
        bind(fd, (const struct sockaddr *)&local->ss, local->len) != 0) {
        int rc = -errno;
        log_warn("transport: cannot connect to %s:%u from %s:%u: bind: %s", remote->ip,
                 remote->port, local->ip, local->port, strerror(-rc));
        return rc;
    }
    return 0;
}

int tp__conn_connect(struct tp *tp, const struct tp_addr *remote, const struct tp_addr *local,
                     struct tp__conn **out)
{
    struct tp__conn *c = NULL;
    if (tp->conns.count >= tp->cfg.max_connections) {
        log_warn("transport: not connecting to %s:%u: %u TCP connections open", remote->ip,
                 remote->port, tp->cfg.max_connections);
        tp->stats.conns_refused++;
        return -ENOBUFS;
    }
    int fd = socket(remote->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (local) {
        int brc = bind_local(fd, local, remote);
        if (brc < 0) {
            close(fd);
            return brc;
        }
    }
    struct bufferevent *bev = bufferevent_socket_new(tp->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        close(fd);
        return -ENOMEM;
    }
    int rc = conn_new(tp, bev, &c);
    if (rc < 0)
        return rc;
    c->outbound = true;
    c->remote = *remote;
    if (local)
        c->local = *local; /* known before the connect ends: tp_send() may reuse it at once */
    errno = 0;
    if (bufferevent_socket_connect(c->bev, (const struct sockaddr *)&remote->ss, remote->len) !=
        0) {
        rc = errno ? -errno : -ECONNREFUSED;
        log_info("transport: cannot connect to %s:%u: %s", remote->ip, remote->port, strerror(-rc));
        tp__conn_destroy(c);
        return rc;
    }
    rc = conn_start(c);
    if (rc < 0) {
        tp__conn_destroy(c);
        return rc;
    }
    tp->stats.conns_connected++;
    log_debug("transport: connecting TCP connection %llu to %s:%u", (unsigned long long)c->id,
              remote->ip, remote->port);
    *out = c;
    return 0;
}
