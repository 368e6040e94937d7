#include "test_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void rx_cb(void *arg, const struct tp_msg_info *info, const char *buf, size_t len)
{
    struct rx *rx = arg;
    if (rx->count >= RX_MAX)
        return;
    rx->info[rx->count] = *info;
    rx->msg[rx->count] = malloc(len + 1);
    memcpy(rx->msg[rx->count], buf, len);
    rx->msg[rx->count][len] = '\0';
    rx->len[rx->count] = len;
    rx->count++;
}

void rx_closed_cb(void *arg, uint64_t conn_id)
{
    struct rx *rx = arg;
    if (rx->closed_count < RX_MAX)
        rx->closed_id[rx->closed_count] = conn_id;
    rx->closed_count++;
}

void rx_clear(struct rx *rx)
{
    for (int i = 0; i < rx->count; i++)
        free(rx->msg[i]);
    memset(rx, 0, sizeof(*rx));
}

void run_for(struct loop *loop, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    event_base_loopexit(loop_base(loop), &tv);
    event_base_dispatch(loop_base(loop));
}

int run_until(struct loop *loop, const int *counter, int target, int timeout_ms)
{
    long long deadline = loop_now_ms() + timeout_ms;
    while (*counter < target && loop_now_ms() < deadline)
        run_for(loop, 5);
    return *counter >= target;
}

int client_tcp(const char *ip, uint16_t port)
{
    struct tp_addr a;
    if (tp_addr_set(&a, ip, port) < 0)
        return -1;
    int fd = socket(a.ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int client_udp(const char *ip)
{
    struct tp_addr a;
    if (tp_addr_set(&a, ip, 0) < 0)
        return -1;
    int fd = socket(a.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void client_write(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return;
        }
        s += n;
        len -= (size_t)n;
    }
}

size_t client_read(struct loop *loop, int fd, char *buf, size_t cap, size_t want, int timeout_ms)
{
    size_t got = 0;
    long long deadline = loop_now_ms() + timeout_ms;
    while (got < want && got + 1 < cap && loop_now_ms() < deadline) {
        run_for(loop, 5);
        ssize_t n = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT);
        if (n > 0)
            got += (size_t)n;
        else if (n == 0)
            break;
    }
    buf[got] = '\0';
    return got;
}

int client_wait_eof(struct loop *loop, int fd, int timeout_ms)
{
    char tmp[4096];
    long long deadline = loop_now_ms() + timeout_ms;
    while (loop_now_ms() < deadline) {
        run_for(loop, 5);
        ssize_t n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            return 1;
    }
    return 0;
}
