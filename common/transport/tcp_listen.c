/*
 * TCP listeners: accept connections, enforcing the connection limit.
 */
#include "transport_internal.h"

#include "log/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Seconds to stop accepting after running out of descriptors or memory. */
#define ACCEPT_PAUSE_S 1

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    struct tp__tcpl *l = arg;
    struct tp *tp = l->tp;
    struct tp_addr peer;
    tp_addr_from_sockaddr(&peer, sa, (socklen_t)salen);
    if (tp->conns.count >= tp->cfg.max_connections) {
        log_warn("transport: refusing TCP connection from %s:%u on %s:%u: %u connections open",
                 peer.ip, peer.port, l->local.ip, l->local.port, tp->cfg.max_connections);
        tp->stats.conns_refused++;
        close(fd);
        return;
    }
    struct tp__conn *c = NULL;
    int rc = tp__conn_accept(tp, fd, &c);
    if (rc < 0) {
        log_warn("transport: cannot accept TCP connection from %s:%u: %s", peer.ip, peer.port,
                 strerror(-rc));
        return;
    }
    log_debug("transport: accepted TCP connection %llu from %s:%u on %s:%u",
              (unsigned long long)c->id, c->remote.ip, c->remote.port, c->local.ip, c->local.port);
}

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
    struct tp__tcpl *l = arg;
    evconnlistener_enable(l->lev);
}

/*
 * Out of descriptors, the pending connection stays in the backlog and the
 * listener would fire again at once: pause accepting for a second instead.
 */
static void on_accept_error(struct evconnlistener *lev, void *arg)
{
    struct tp__tcpl *l = arg;
    int err = EVUTIL_SOCKET_ERROR();
    log_warn("transport: accept on TCP %s:%u failed: %s", l->local.ip, l->local.port,
             strerror(err));
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        struct timeval tv = {.tv_sec = ACCEPT_PAUSE_S};
        evconnlistener_disable(lev);
        event_add(l->resume_ev, &tv);
    }
}

int tp_listen_tcp(struct tp *tp, const char *host, uint16_t port)
{
    return tp_listen_tcp_ex(tp, host, port, 0);
}

int tp_listen_tcp_ex(struct tp *tp, const char *host, uint16_t port, unsigned flags)
{
    int fd = -1;
    struct tp__tcpl *l = NULL;
    bool connect_from = (flags & TP_LISTEN_CONNECT_FROM) != 0;
    if (!tp || (flags & ~TP_LISTEN_CONNECT_FROM))
        return -EINVAL;
    int rc = tp__bind_socket_ex(host, port, SOCK_STREAM, connect_from, &fd);
    if (rc < 0)
        return rc;
    if (listen(fd, tp->cfg.tcp_backlog) != 0) {
        rc = -errno;
        log_error("transport: listen() on TCP %s:%u failed: %s", host, port, strerror(-rc));
        goto err;
    }
    rc = -ENOMEM;
    l = calloc(1, sizeof(*l));
    if (!l)
        goto err;
    l->tp = tp;
    l->connect_from = connect_from;
    rc = tp__addr_of_fd(fd, false, &l->local);
    if (rc < 0)
        goto err;
    /* SO_REUSEPORT would let a second listener of ours share the port silently */
    for (const struct tp__tcpl *o = tp->tcpl; o; o = o->next)
        if (tp__addr_is_overlapping(&o->local, &l->local)) {
            log_error("transport: already listening on TCP %s:%u", l->local.ip, l->local.port);
            rc = -EADDRINUSE;
            goto err;
        }
    rc = -ENOMEM;
    l->resume_ev = evtimer_new(tp->base, on_accept_resume, l);
    if (!l->resume_ev)
        goto err;
    /* backlog 0: the socket is already listening. */
    l->lev = evconnlistener_new(tp->base, on_accept, l,
                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
    if (!l->lev)
        goto err;
    evconnlistener_set_error_cb(l->lev, on_accept_error);
    struct tp__tcpl **pp = &tp->tcpl;
    while (*pp)
        pp = &(*pp)->next;
    *pp = l;
    log_info("transport: listening on TCP %s:%u", l->local.ip, l->local.port);
    return 0;
err:
    if (l && l->resume_ev)
        event_free(l->resume_ev);
    free(l);
    close(fd);
    return rc;
}

void tp__tcpl_free_all(struct tp *tp)
{
    while (tp->tcpl) {
        struct tp__tcpl *l = tp->tcpl;
        tp->tcpl = l->next;
        evconnlistener_free(l->lev);
        event_free(l->resume_ev);
        free(l);
    }
}
