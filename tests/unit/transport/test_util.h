/*
 * Helpers for the socket tests of common/transport: a message collector for
 * the receive callback, loop drivers with deadlines, and raw client sockets.
 */
#ifndef TEST_TRANSPORT_UTIL_H
#define TEST_TRANSPORT_UTIL_H

#include "loop/loop.h"
#include "transport/transport.h"

#include <stddef.h>
#include <stdint.h>

#define RX_MAX 16

/* What the receive and close callbacks saw. */
struct rx {
    int count;
    struct tp_msg_info info[RX_MAX];
    char *msg[RX_MAX]; /* NUL-terminated copies */
    size_t len[RX_MAX];
    int closed_count;
    uint64_t closed_id[RX_MAX];
};

/* tp_recv_cb storing into the struct rx given as arg. */
void rx_cb(void *arg, const struct tp_msg_info *info, const char *buf, size_t len);
/* tp_conn_closed_cb storing into the struct rx given as arg. */
void rx_closed_cb(void *arg, uint64_t conn_id);
/* Frees the copies held by rx. */
void rx_clear(struct rx *rx);

/* Runs the loop for ms milliseconds. */
void run_for(struct loop *loop, int ms);
/* Runs the loop until *counter >= target or timeout_ms pass; returns *counter >= target. */
int run_until(struct loop *loop, const int *counter, int target, int timeout_ms);

/* Blocking TCP connect to ip:port, then made non-blocking. Returns the fd or -1. */
int client_tcp(const char *ip, uint16_t port);
/* Non-blocking UDP socket bound to an ephemeral port on ip. Returns the fd or -1. */
int client_udp(const char *ip);
/* Writes all of s on fd. */
void client_write(int fd, const char *s, size_t len);
/*
 * Drives the loop while reading fd until want bytes arrived or timeout_ms
 * passed. Returns the bytes read (NUL-terminated in buf of cap bytes).
 */
size_t client_read(struct loop *loop, int fd, char *buf, size_t cap, size_t want, int timeout_ms);
/* Drives the loop until the peer closes fd. Returns 1 on EOF/reset, 0 on timeout. */
int client_wait_eof(struct loop *loop, int fd, int timeout_ms);

#endif
