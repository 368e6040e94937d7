/* xfrm_nl: NETLINK_XFRM request/ack transport (see xfrm_nl.h). */
#include "xfrm_nl.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

struct pcscf_xfrm_nl {
    int fd;
    int timeout_ms;
    uint32_t seq;
};

static int nl_wrap(int fd, int timeout_ms, struct pcscf_xfrm_nl **out)
{
    struct pcscf_xfrm_nl *nl = calloc(1, sizeof(*nl));

    if (!nl)
        return -ENOMEM;
    nl->fd = fd;
    nl->timeout_ms = timeout_ms;
    /* start away from 0 and from the previous run's numbers */
    nl->seq = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
    *out = nl;
    return 0;
}

int pcscf_xfrm_nl_open(int timeout_ms, struct pcscf_xfrm_nl **out)
{
    struct sockaddr_nl local = {.nl_family = AF_NETLINK};
    int fd, rc;

    if (!out || timeout_ms <= 0)
        return -EINVAL;
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
    if (fd < 0)
        return -errno;
    /* let the kernel pick our port id now, so that answers can be told apart */
    if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    rc = nl_wrap(fd, timeout_ms, out);
    if (rc)
        close(fd);
    return rc;
}

int pcscf_xfrm_nl_adopt(int fd, int timeout_ms, struct pcscf_xfrm_nl **out)
{
    if (fd < 0 || timeout_ms <= 0 || !out)
        return -EINVAL;
    return nl_wrap(fd, timeout_ms, out);
}

void pcscf_xfrm_nl_close(struct pcscf_xfrm_nl *nl)
{
    if (!nl)
        return;
    if (nl->fd >= 0)
        close(nl->fd);
    free(nl);
}

uint32_t pcscf_xfrm_nl_next_seq(struct pcscf_xfrm_nl *nl)
{
    if (!nl)
        return 1;
    if (++nl->seq == 0)
        nl->seq = 1;
    return nl->seq;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Looks through one received datagram for the ack of seq. Returns 1 and sets
 * *err when found, 0 when the datagram holds no answer to seq, -EPROTO when
 * the answer to seq is malformed.
 */
static int find_ack(const uint8_t *buf, size_t n, uint32_t seq, int *err)
{
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    size_t left = n;

    for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
        const struct nlmsgerr *e;

        if (h->nlmsg_seq != seq)
            continue;
        if (h->nlmsg_type != NLMSG_ERROR)
            continue; /* XFRM requests answer with an ack only */
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
            return -EPROTO;
        e = NLMSG_DATA(h);
        if (e->error > 0 || e->error < -4095)
            return -EPROTO;
        *err = e->error; /* 0 = ack, else -errno */
        return 1;
    }
    return 0;
}

int pcscf_xfrm_nl_transact(struct pcscf_xfrm_nl *nl, const void *msg, size_t len, uint32_t seq)
{
    union {
        struct nlmsghdr h;
        uint8_t raw[8192];
    } rx;
    const struct nlmsghdr *req = msg;
    int64_t deadline;

    if (!nl || !msg || len < NLMSG_HDRLEN || req->nlmsg_len != len || req->nlmsg_seq != seq)
        return -EINVAL;
    /* no address: an unconnected netlink socket sends to the kernel (port id 0) */
    if (send(nl->fd, msg, len, 0) < 0)
        return -errno;
    deadline = now_ms() + nl->timeout_ms;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof(from);
        struct pollfd pfd = {.fd = nl->fd, .events = POLLIN};
        int64_t left = deadline - now_ms();
        ssize_t n;
        int rc, err = 0;

        if (left <= 0)
            return -ETIMEDOUT;
        rc = poll(&pfd, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -errno;
        if (rc == 0)
            return -ETIMEDOUT;
        memset(&from, 0, sizeof(from));
        n = recvfrom(nl->fd, rx.raw, sizeof(rx.raw), MSG_DONTWAIT, (struct sockaddr *)&from,
                     &fromlen);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            continue;
        if (n < 0)
            return -errno; /* e.g. ENOBUFS: the socket overran */
        if (n == 0)
            return -EPROTO; /* the test peer went away */
        if (from.ss_family == AF_NETLINK && ((struct sockaddr_nl *)&from)->nl_pid != 0)
            continue; /* not from the kernel */
        rc = find_ack(rx.raw, (size_t)n, seq, &err);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return err;
    }
}
