/*
 * ctl_client.c: the blocking client of a control socket (see ctl.h), for
 * imsctl and the tests. Needs no loop.
 */
#include "ctl/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes. Returns 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = fd, .events = events};
        int pr;

        if (left <= 0)
            return -ETIMEDOUT;
        pr = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (pr > 0)
            return 0;
        if (pr < 0 && errno != EINTR)
            return -errno;
    }
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(fd, POLLOUT, deadline);
            if (rc)
                return rc;
            continue;
        }
        if (w <= 0)
            return w < 0 ? -errno : -EPIPE;
        off += (size_t)w;
    }
    return 0;
}

int ctl_call(const char *path, const char *request, int timeout_ms, char **reply)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    size_t rlen, got = 0, cap = 0;
    char *buf = NULL;
    const char *lf;
    bool add_lf;
    int fd = -1, rc;

    if (!path || !request || !reply)
        return -EINVAL;
    rlen = strlen(request);
    add_lf = rlen == 0 || request[rlen - 1] != '\n';
    lf = memchr(request, '\n', rlen);
    if (rlen > CTL_LINE_MAX + 1 || (lf && lf != request + rlen - 1))
        return -EINVAL;
    if (strlen(path) >= sizeof(sun.sun_path))
        return -ENAMETOOLONG;
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
        rc = -errno;
        goto out;
    }
    if ((rc = send_all(fd, request, rlen, deadline)) != 0 ||
        (add_lf && (rc = send_all(fd, "\n", 1, deadline)) != 0))
        goto out;
    for (;;) {
        ssize_t r;

        if (cap - got < 4096 + 1) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb;
            if (ncap > CTL_REPLY_MAX + 4096 + 1)
                ncap = CTL_REPLY_MAX + 4096 + 1;
            if (ncap <= cap) {
                rc = -EMSGSIZE;
                goto out;
            }
            nb = realloc(buf, ncap);
            if (!nb) {
                rc = -ENOMEM;
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        if ((rc = wait_fd(fd, POLLIN, deadline)) != 0)
            goto out;
        r = recv(fd, buf + got, cap - got - 1, MSG_DONTWAIT);
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (r < 0) {
            rc = -errno;
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > CTL_REPLY_MAX) {
            rc = -EMSGSIZE;
            goto out;
        }
    }
    buf[got] = '\0';
    *reply = buf;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}
