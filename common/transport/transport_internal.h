/*
 * transport internals: shared by the files of common/transport only.
 */
#ifndef IMSCORE_TRANSPORT_INTERNAL_H
#define IMSCORE_TRANSPORT_INTERNAL_H

#include "transport/transport.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdbool.h>

/* One UDP listening socket. */
struct tp__udp {
    struct tp__udp *next;
    struct tp *tp;
    int fd;
    struct event *ev;
    struct tp_addr local;
    bool wildcard; /* bound to 0.0.0.0 or :: */
};

/* One TCP listening socket. */
struct tp__tcpl {
    struct tp__tcpl *next;
    struct tp *tp;
    struct evconnlistener *lev;
    struct event *resume_ev; /* re-enables accepting after EMFILE */
    struct tp_addr local;
    bool connect_from; /* TP_LISTEN_CONNECT_FROM: SO_REUSEPORT, outbound binds allowed */
};

/* One TCP connection, accepted or outbound. */
struct tp__conn {
    struct tp *tp;
    uint64_t id;
    struct bufferevent *bev;
    struct event *idle_ev;
    struct tp_addr local;
    struct tp_addr remote;
    long long last_ms;          /* last read or write, loop_now_ms() */
    bool outbound;              /* opened by tp_send() */
    bool connected;             /* outbound: connect finished */
    bool closing;               /* closed while busy; freed when busy drops to 0 */
    bool notify;                /* call on_conn_closed when finally freed */
    int busy;                   /* inside our read callback */
    struct tp__conn *next_id;   /* chain in the id table */
    struct tp__conn *next_addr; /* chain in the address table */
};

/* Chained hash tables of open connections, by id and by remote address. */
struct tp__conn_table {
    struct tp__conn **by_id;
    struct tp__conn **by_addr;
    size_t nbuckets; /* power of two */
    size_t count;
};

struct tp {
    struct loop *loop;
    struct event_base *base;
    struct tp_config cfg;
    tp_recv_cb cb;
    void *arg;
    struct tp__udp *udp;
    struct tp__tcpl *tcpl;
    struct tp__conn_table conns;
    uint64_t next_conn_id;
    char *udp_buf; /* max_msg_size + 1 bytes */
    struct tp_stats stats;
};

/* addr.c */
uint64_t tp__addr_hash(const struct tp_addr *a);
bool tp__addr_is_wildcard(const struct tp_addr *a);
/* Same family and port, and the same address or either a wildcard: one socket would shadow the
 * other. */
bool tp__addr_is_overlapping(const struct tp_addr *a, const struct tp_addr *b);
int tp__addr_resolve(const char *host, uint16_t port, int socktype, struct tp_addr *out);
int tp__addr_of_fd(int fd, bool peer, struct tp_addr *out);

/*
 * Opens a non-blocking socket of socktype (SOCK_STREAM or SOCK_DGRAM) bound to
 * host:port: SO_REUSEADDR, IPV6_V6ONLY for IPv6, and for UDP the packet-info
 * options that tell which local address a datagram came to. Logs why it
 * failed, naming the protocol and address. Returns 0 with *fd set, or a
 * negative errno.
 */
int tp__bind_socket(const char *host, uint16_t port, int socktype, int *fd);

/* Like tp__bind_socket(); reuseport also sets SO_REUSEPORT. */
int tp__bind_socket_ex(const char *host, uint16_t port, int socktype, bool reuseport, int *fd);

/* conn_table.c */
int tp__conn_table_init(struct tp__conn_table *t);
void tp__conn_table_fini(struct tp__conn_table *t);
int tp__conn_table_add(struct tp__conn_table *t, struct tp__conn *c);
void tp__conn_table_remove(struct tp__conn_table *t, struct tp__conn *c);
struct tp__conn *tp__conn_table_by_id(const struct tp__conn_table *t, uint64_t id);
struct tp__conn *tp__conn_table_by_addr(const struct tp__conn_table *t, const struct tp_addr *a);
/* Like tp__conn_table_by_addr(), but only a connection from our port local_port. */
struct tp__conn *tp__conn_table_by_addr_from(const struct tp__conn_table *t,
                                             const struct tp_addr *a, uint16_t local_port);
/* Removes and returns any one connection, or NULL when empty. */
struct tp__conn *tp__conn_table_pop(struct tp__conn_table *t);

/* udp.c */
int tp__udp_send(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len);
void tp__udp_free_all(struct tp *tp);

/* tcp_listen.c */
void tp__tcpl_free_all(struct tp *tp);

/* tcp_conn.c */
/* Wraps accepted socket fd (ownership passes) in a connection. */
int tp__conn_accept(struct tp *tp, int fd, struct tp__conn **out);
/*
 * Starts a non-blocking connect to remote; when local is not NULL the socket
 * is first bound to it (SO_REUSEADDR + SO_REUSEPORT, for a port shared with a
 * TP_LISTEN_CONNECT_FROM listener).
 */
int tp__conn_connect(struct tp *tp, const struct tp_addr *remote, const struct tp_addr *local,
                     struct tp__conn **out);
/* Queues len bytes on c. Returns 0 or -ENOBUFS. */
int tp__conn_write(struct tp__conn *c, const char *buf, size_t len);
/* Closes c; calls on_conn_closed when notify. May defer the free if busy. */
void tp__conn_close(struct tp__conn *c, bool notify);
/* Frees c at once without notification (tp_free). c must be out of the table. */
void tp__conn_destroy(struct tp__conn *c);
/* Nonzero when c can carry data (open and not closing). */
bool tp__conn_is_usable(const struct tp__conn *c);

#endif
