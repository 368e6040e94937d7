/*
 * ctl: a daemon's Unix-domain control socket, the line protocol `imsctl`
 * speaks to it, and the blocking client imsctl uses.
 *
 * Server side (loop thread only). ctl_server_start() listens on a path (mode
 * 0600; a stale socket file of a previous run is replaced, a socket that still
 * answers is not). Each connection carries ONE request: a line of at most
 * CTL_LINE_MAX bytes ended by LF (a CR before the LF is dropped). The handler
 * gets it with the connection's id and answers at once or later (after a
 * Diameter answer, say): ctl_reply() / ctl_record() ... ctl_record_end() add
 * answer lines, ctl_end() closes the connection once the answer is sent.
 * Ids are never reused in a process, so a late continuation that finds its
 * connection gone (the client hung up) gets -ENOENT and does nothing.
 *
 * Answers are lines. Listing commands answer records,
 *   TYPE TAB key=value TAB key=value ... LF
 * built with ctl_record()/ctl_field_*(), which replace TAB, CR, LF and other
 * control characters of values by '?', so a record is always one line, and
 * end with "OK" LF, or "ERR" SP text LF when the request failed. A client
 * reads until the server closes the connection.
 */
#ifndef IMSCORE_CTL_H
#define IMSCORE_CTL_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct ctl_server;

/* Longest request line accepted (without its LF). */
#define CTL_LINE_MAX 2048

/* Longest answer ctl_call() reads (bytes). */
#define CTL_REPLY_MAX (16u * 1024u * 1024u)

/*
 * The configuration entry of a daemon's control socket, for its cfg schema:
 *   CTL_CFG_SPEC("scscf.ctl", "imsctl reg"),
 * declares "control.socket", a path relative to the state directory.
 */
#define CTL_CFG_SPEC(default_name, what)                                                           \
    {                                                                                              \
        "control.socket", CFG_PATH, 0, default_name, 0, 0, NULL,                                   \
            "control socket for " what " (relative: in the state directory)", NULL                 \
    }

/*
 * Called on the loop thread with one request line (NUL-terminated, without
 * LF/CR; the handler may modify it, it is freed when the handler returns).
 * conn_id names the connection for ctl_reply() and ctl_end(). The handler
 * must eventually call ctl_end(conn_id) (now or from a continuation); until
 * then further input on the connection is ignored.
 */
typedef void (*ctl_handler_fn)(void *arg, uint64_t conn_id, char *line);

/*
 * Listens on path on loop's thread. name is used in log lines ("scscf").
 * handler(arg, ...) gets each request. On success *out is the server, owned
 * by the caller (ctl_server_stop()). Returns 0, -EINVAL (NULL argument, or
 * path too long for a Unix socket), -EADDRINUSE (a live server answers on
 * path), or another negative errno from socket/bind/listen (logged).
 */
int ctl_server_start(struct loop *loop, const char *name, const char *path, ctl_handler_fn handler,
                     void *arg, struct ctl_server **out);

/*
 * Closes every connection of *srv (their pending answers are dropped), stops
 * listening, removes the socket file and frees the server; sets *srv NULL.
 * Safe when srv or *srv is NULL.
 */
void ctl_server_stop(struct ctl_server **srv);

/*
 * Appends one answer line (fmt..., then LF) to connection conn_id. The text
 * is sent as given: callers keep it on one line. Returns 0, -ENOENT when the
 * connection is gone or already ended, -ENOMEM.
 */
int ctl_reply(uint64_t conn_id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Ends connection conn_id: it is closed once everything queued is sent.
 * Returns 0, or -ENOENT when it is gone or already ended.
 */
int ctl_end(uint64_t conn_id);

/*
 * ctl_reply(conn_id, "ERR %s", text) then ctl_end(conn_id); text is cleaned
 * like a field value. Returns what ctl_reply() returns.
 */
int ctl_fail(uint64_t conn_id, const char *text);

/* Starts a record line of type (a token such as "REG"). Returns 0, -ENOENT, -EINVAL. */
int ctl_record(uint64_t conn_id, const char *type);

/*
 * Appends TAB key=value to the record being written; a NULL value is written
 * as empty. Control characters of value become '?'. Returns 0 or -ENOENT.
 */
int ctl_field_str(uint64_t conn_id, const char *key, const char *value);

/* Appends TAB key=<decimal v>. Returns 0 or -ENOENT. */
int ctl_field_int(uint64_t conn_id, const char *key, long long v);

/* Ends the record line (LF). Returns 0 or -ENOENT. */
int ctl_record_end(uint64_t conn_id);

/* Number of open connections of all servers (for tests and logs). */
size_t ctl_conn_count(void);

/*
 * Splits line in place at TABs into at most max fields (the last one keeps
 * any further TABs). Returns the number of fields (0 for an empty line).
 */
size_t ctl_split(char *line, char **fields, size_t max);

/*
 * Client (blocking; any thread, no loop needed): connects to the control
 * socket at path, sends request (a LF is added when it has none), and reads
 * the answer until the server closes the connection, for at most timeout_ms
 * in total. On success *reply is a malloc'ed NUL-terminated string owned by
 * the caller, and 0 is returned. Returns -EINVAL (NULL argument, request
 * holding a LF before its end or longer than CTL_LINE_MAX), -ENAMETOOLONG,
 * -ENOENT / -ECONNREFUSED / -EACCES (nothing listens or not allowed),
 * -ETIMEDOUT, -EMSGSIZE (answer above CTL_REPLY_MAX), -ENOMEM, or another
 * negative errno; *reply is then untouched.
 */
int ctl_call(const char *path, const char *request, int timeout_ms, char **reply);

#endif
