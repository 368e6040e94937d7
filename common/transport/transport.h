/*
 * transport: SIP over UDP and TCP on the daemon's libevent loop thread.
 *
 * A struct tp owns UDP and TCP listeners and every TCP connection (accepted or
 * opened by tp_send()). It delivers raw SIP message bytes, one message per call
 * of the receive callback, with the addresses and, for TCP, the connection id
 * the message came on. It does not parse SIP beyond the TCP framing of
 * RFC 3261 section 18.3 (Content-Length) and the CRLF keep-alives of
 * RFC 5626 section 4.4.1.
 *
 * Threading: every function here must be called on the loop thread that runs
 * the event_base of the loop given to tp_new(). Callbacks run on that thread.
 * A callback may call tp_send() and tp_conn_close(), but must not call
 * tp_free().
 */
#ifndef IMSCORE_TRANSPORT_H
#define IMSCORE_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct tp;

enum tp_proto {
    TP_PROTO_NONE = 0,
    TP_PROTO_UDP = 1,
    TP_PROTO_TCP = 2,
};

/* Defaults used when a tp_config field is 0 (or no config is given). */
#define TP_DEFAULT_MAX_MSG_SIZE     65535
#define TP_DEFAULT_TCP_IDLE_TIMEOUT 3600
#define TP_DEFAULT_MAX_CONNECTIONS  2048
#define TP_DEFAULT_TCP_BACKLOG      128

/* Longest printable address, with room for an IPv6 scope. */
#define TP_IP_STRLEN 64

/*
 * One transport address. ss/len hold the socket address; ip and port are the
 * same facts in printable form ("192.0.2.1" or "2001:db8::1", no brackets).
 * An unset address has ss.ss_family == AF_UNSPEC (all zero).
 */
struct tp_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char ip[TP_IP_STRLEN];
    uint16_t port;
};

/*
 * A flow: where a message came from or where one should go. The upper layer
 * copies the flow of a received message and passes it back to tp_send() to
 * answer over the same UDP socket or TCP connection.
 *   proto:   TP_PROTO_UDP or TP_PROTO_TCP.
 *   local:   our address (optional for tp_send(); for UDP it picks the
 *            listening socket with that port when several exist).
 *   remote:  the peer's address.
 *   conn_id: TCP connection id, 0 for none (and always 0 for UDP).
 */
struct tp_flow {
    enum tp_proto proto;
    struct tp_addr local;
    struct tp_addr remote;
    uint64_t conn_id;
};

/*
 * What the receive callback learns about one message. proto, local, remote and
 * conn_id describe it; flow holds the same facts packed for storing. For UDP,
 * local is the address the datagram was sent to (also with a wildcard
 * listener) and conn_id is 0. TCP connection ids start at 1 and are never
 * reused within one struct tp.
 */
struct tp_msg_info {
    enum tp_proto proto;
    struct tp_addr local;
    struct tp_addr remote;
    uint64_t conn_id;
    struct tp_flow flow;
};

/*
 * Receives one complete message. buf holds exactly len bytes of one SIP message
 * (leading keep-alive CRLFs removed; not NUL-terminated) and is valid only
 * during the call: copy what you keep.
 */
typedef void (*tp_recv_cb)(void *arg, const struct tp_msg_info *info, const char *buf, size_t len);

/*
 * Told that a TCP connection closed (peer close, error, framing error, idle
 * timeout, failed connect). Not called for tp_conn_close() or tp_free(). When
 * it runs the connection is already gone: tp_send() with that id fails.
 */
typedef void (*tp_conn_closed_cb)(void *arg, uint64_t conn_id);

/* Settings. A field left 0 takes the TP_DEFAULT_* value. */
struct tp_config {
    size_t max_msg_size;              /* largest message accepted or sent, bytes */
    unsigned tcp_idle_timeout;        /* seconds without traffic before a TCP close */
    unsigned max_connections;         /* open TCP connections, accepted + outbound */
    int tcp_backlog;                  /* listen() backlog */
    tp_conn_closed_cb on_conn_closed; /* optional; called with the tp_new() arg */
};

/* Counters, for metrics. conns_open is a gauge; everything else only grows. */
struct tp_stats {
    uint64_t msgs_in;           /* messages delivered to the receive callback */
    uint64_t bytes_in;          /* bytes of those messages */
    uint64_t msgs_out;          /* messages accepted by tp_send() */
    uint64_t bytes_out;         /* bytes of those messages */
    uint64_t send_errors;       /* tp_send() calls that failed */
    uint64_t udp_dropped;       /* datagrams dropped (oversize or unreadable) */
    uint64_t keepalives_in;     /* CRLF-only datagrams and double-CRLF TCP pings */
    uint64_t framing_errors;    /* TCP connections closed for bad or oversize framing */
    uint64_t keepalive_pongs;   /* CRLF pongs sent for double-CRLF pings */
    uint64_t conns_open;        /* TCP connections open now */
    uint64_t conns_accepted;    /* TCP connections accepted */
    uint64_t conns_connected;   /* outbound TCP connections started */
    uint64_t conns_closed;      /* TCP connections closed (any reason) */
    uint64_t conns_refused;     /* accepts or connects refused by max_connections */
    uint64_t conns_idle_closed; /* closed by the idle timeout */
};

/*
 * Creates a transport on loop's event_base. cfg may be NULL (all defaults) and
 * is copied. cb (required) gets every message; arg is passed to cb and to
 * cfg->on_conn_closed. No listener exists yet. On success stores the new
 * transport in *out (the caller owns it; free with tp_free()) and returns 0;
 * otherwise returns -EINVAL or -ENOMEM and *out is untouched. If SIGPIPE is at
 * its default disposition it is set to SIG_IGN (a write to a reset connection
 * would otherwise kill the process); loop_on_signals() does the same.
 */
int tp_new(struct loop *loop, const struct tp_config *cfg, tp_recv_cb cb, void *arg,
           struct tp **out);

/*
 * Closes every listener and connection (without calling on_conn_closed) and
 * frees the transport. Data still queued for sending is dropped. Safe on NULL.
 * Must not be called from a tp callback.
 */
void tp_free(struct tp *tp);

/*
 * Opens a UDP listener on host:port. host is a numeric IPv4 or IPv6 address or
 * a name resolved once now ("0.0.0.0" or "::" for all addresses; NULL means
 * "0.0.0.0"). port 0 picks a free port (see tp_local_port()). The socket has
 * SO_REUSEADDR, and IPV6_V6ONLY for IPv6. Replies sent with tp_send() over UDP
 * leave from a listening socket, so their source port is the SIP port.
 * Several listeners may be opened (e.g. protected ports); one that overlaps a
 * listener of this transport (same family and port, same address or a
 * wildcard) is refused with -EADDRINUSE.
 * Returns 0 or a negative errno (-EINVAL for a bad host, or the socket error).
 */
int tp_listen_udp(struct tp *tp, const char *host, uint16_t port);

/*
 * Opens a TCP listener on host:port, as tp_listen_udp() does, with the
 * configured listen backlog. Returns 0 or a negative errno.
 */
int tp_listen_tcp(struct tp *tp, const char *host, uint16_t port);

/* Flags of tp_listen_tcp_ex(). */
#define TP_LISTEN_CONNECT_FROM 0x1u /* tp_send() may open connections from this port */

/*
 * Opens a TCP listener like tp_listen_tcp(). With TP_LISTEN_CONNECT_FROM the
 * socket also gets SO_REUSEPORT, so that tp_send() can open outbound
 * connections bound to the same local address and port (a flow whose
 * local.port names this listener; TS 33.203 §7.1: the P-CSCF connects from its
 * protected client port). Another socket of the same user can then bind the
 * port too: use it only for ports that no other program should use (this
 * transport refuses a second listener of its own on the port, -EADDRINUSE).
 * flags other than TP_LISTEN_CONNECT_FROM: -EINVAL. Returns 0 or a negative
 * errno.
 */
int tp_listen_tcp_ex(struct tp *tp, const char *host, uint16_t port, unsigned flags);

/*
 * Returns the bound port of the first listener of proto (useful after binding
 * port 0), or -ENOENT when there is none.
 */
int tp_local_port(const struct tp *tp, enum tp_proto proto);

/*
 * Sends one message (buf/len, copied; the caller keeps buf).
 *   UDP: sendto() flow->remote from a UDP listening socket of the same family:
 *        the one whose port is flow->local.port when there is one (its address
 *        must equal flow->local unless the listener or flow->local is a
 *        wildcard address), else the first.
 *   TCP: if flow->conn_id names an open connection, writes on it. Otherwise,
 *        if flow->remote is set, reuses an open connection to that address and
 *        port, or starts a non-blocking connect to it and queues the data until
 *        it is connected. When flow->local.port names a TCP listener opened
 *        with TP_LISTEN_CONNECT_FROM, only a connection from that local port
 *        is reused, and a new one is bound to the listener's address and port
 *        before it connects.
 * Returns 0 when the message was queued to the kernel or connection. Errors:
 * -EINVAL bad arguments, -EMSGSIZE len above max_msg_size, -ENOTCONN conn_id
 * gone and no remote address, -EADDRNOTAVAIL no UDP listener of that family,
 * -ENOBUFS connection limit or too much data queued on the connection, or the
 * socket's negative errno. A TCP connect that fails later closes the
 * connection and calls on_conn_closed with its id.
 */
int tp_send(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len);

/*
 * Like tp_send(), and for TCP stores the id of the connection used (existing or
 * new) in *conn_id (0 for UDP), so that a later on_conn_closed can be matched.
 * conn_id may be NULL. *conn_id is set only when 0 is returned.
 */
int tp_send_ex(struct tp *tp, const struct tp_flow *flow, const char *buf, size_t len,
               uint64_t *conn_id);

/*
 * Closes TCP connection conn_id now, dropping queued data; on_conn_closed is
 * not called. Returns 0, or -ENOTCONN when no such connection is open.
 */
int tp_conn_close(struct tp *tp, uint64_t conn_id);

/* Returns nonzero when TCP connection conn_id is open. */
int tp_conn_is_open(const struct tp *tp, uint64_t conn_id);

/* Copies the counters into *out. */
void tp_get_stats(const struct tp *tp, struct tp_stats *out);

/* "UDP" or "TCP" as written in a Via header, or "?" for anything else. */
const char *tp_proto_name(enum tp_proto proto);

/*
 * Parses "udp" or "tcp" (any case) into *out. Returns 0, or -EINVAL (then *out
 * is unchanged).
 */
int tp_proto_parse(const char *name, enum tp_proto *out);

/*
 * Fills *out from a numeric IP address (IPv4, or IPv6 with or without
 * brackets) and a port. Returns 0, or -EINVAL (then *out is zeroed).
 */
int tp_addr_set(struct tp_addr *out, const char *ip, uint16_t port);

/*
 * Fills *out from a socket address of family AF_INET or AF_INET6 of len bytes.
 * Returns 0, or -EAFNOSUPPORT (then *out is zeroed).
 */
int tp_addr_from_sockaddr(struct tp_addr *out, const struct sockaddr *sa, socklen_t len);

/* Nonzero when a and b have the same family, IP address and port. */
int tp_addr_is_equal(const struct tp_addr *a, const struct tp_addr *b);

/*
 * Stream framing (RFC 3261 section 18.3), a pure function for TCP and for
 * test tools. Result of tp_frame_next():
 *   skip:  bytes of leading CRLF keep-alives at buf to drop before anything
 *          else (valid for every return value).
 *   pings: how many of those were double-CRLF pings (RFC 5626 4.4.1); the
 *          receiver answers each with one CRLF pong.
 *   len:   when 1 is returned, the length of the message at buf + skip.
 */
struct tp_frame {
    size_t skip;
    unsigned pings;
    size_t len;
};

/*
 * Looks for the next complete message in buf[0..len) given at most max bytes
 * per message. The header block ends at the first CRLFCRLF; a Content-Length
 * (or compact "l") header, case-insensitive, must be present and give a
 * decimal body length; repeated Content-Length headers must agree.
 * Returns 1 when a full message is in buf (see out->len), 0 when more bytes are
 * needed, -EMSGSIZE when the header block or header block plus body exceeds
 * max, or -EBADMSG when Content-Length is missing, empty, non-numeric or
 * conflicting. After a negative return the stream cannot be re-synchronised.
 * out must not be NULL.
 */
int tp_frame_next(const char *buf, size_t len, size_t max, struct tp_frame *out);

#endif
