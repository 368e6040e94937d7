/* xfrm_detect: does the kernel accept ESP SAs? (see xfrm_detect.h) */
#include "xfrm_detect.h"

#include "xfrm_msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

const char *pcscf_esp_status_name(enum pcscf_esp_status status)
{
    switch (status) {
    case PCSCF_ESP_AVAILABLE:
        return "available";
    case PCSCF_ESP_NO_XFRM:
        return "no-xfrm";
    case PCSCF_ESP_NO_PERMISSION:
        return "no-permission";
    case PCSCF_ESP_NO_ESP:
        return "no-esp";
    case PCSCF_ESP_ERROR:
    default:
        return "error";
    }
}

/* Sends one request and waits for its ack. Returns 0 or the negative errno of the ack. */
static int nl_transact(int fd, const void *msg, size_t len, uint32_t seq)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    union {
        struct nlmsghdr h;
        uint8_t raw[8192];
    } rx;
    ssize_t n;
    int tries;

    if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        return -errno;
    for (tries = 0; tries < 8; tries++) {
        struct nlmsghdr *h;
        size_t left;

        n = recv(fd, rx.raw, sizeof(rx.raw), 0);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
        left = (size_t)n;
        for (h = &rx.h; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_seq != seq)
                continue;
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);

                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
                    return -EPROTO;
                return e->error; /* 0 = ack, else -errno */
            }
        }
    }
    return -EPROTO;
}

enum pcscf_esp_status pcscf_esp_detect(char *why, size_t whylen)
{
    struct pcscf_xfrm_params p;
    struct pcscf_xfrm_sa sas[4];
    uint8_t msg[PCSCF_XFRM_MSG_MAX];
    struct timeval tv = {.tv_sec = 2};
    enum pcscf_esp_status st;
    size_t len = 0;
    uint32_t seq = (uint32_t)time(NULL);
    int fd = -1, rc;
    char dummy[1];

    if (!why) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
    if (fd < 0) {
        snprintf(why, whylen,
                 "kernel has no XFRM netlink (socket(NETLINK_XFRM): %s): IPsec needs "
                 "CONFIG_XFRM_USER",
                 strerror(errno));
        return PCSCF_ESP_NO_XFRM;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

    memset(&p, 0, sizeof(p));
    p.family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", p.pcscf_addr);
    inet_pton(AF_INET, "127.0.0.1", p.ue_addr);
    p.spi_ps = 0xfffff000u + (uint32_t)(getpid() & 0x7ff) * 2;
    p.spi_pc = p.spi_ps + 1;
    p.spi_uc = p.spi_ps;
    p.spi_us = p.spi_pc;
    p.port_pc = p.port_ps = p.port_uc = p.port_us = 9;
    p.alg = PCSCF_ALG_HMAC_SHA1_96;
    p.ealg = PCSCF_EALG_NONE;
    memset(p.ik, 0x5a, sizeof(p.ik));
    pcscf_xfrm_plan(&p, sas);

    rc = pcscf_xfrm_build_newsa(&sas[PCSCF_SA_IN_S], seq, msg, sizeof(msg), &len);
    if (rc == 0)
        rc = nl_transact(fd, msg, len, seq);
    if (rc == 0) {
        /* it worked: take the scratch SA away again */
        if (pcscf_xfrm_build_delsa(&sas[PCSCF_SA_IN_S], seq + 1, msg, sizeof(msg), &len) == 0)
            nl_transact(fd, msg, len, seq + 1);
        snprintf(why, whylen, "kernel accepts ESP transport-mode SAs (hmac(sha1)) over XFRM");
        st = PCSCF_ESP_AVAILABLE;
    } else if (rc == -EPERM || rc == -EACCES) {
        snprintf(why, whylen,
                 "kernel refused to add an ESP SA (%s): the P-CSCF needs CAP_NET_ADMIN for "
                 "ipsec = true",
                 strerror(-rc));
        st = PCSCF_ESP_NO_PERMISSION;
    } else if (rc == -EPROTONOSUPPORT || rc == -ENOENT || rc == -ENOSYS || rc == -EINVAL ||
               rc == -EAFNOSUPPORT || rc == -EOPNOTSUPP) {
        snprintf(why, whylen,
                 "kernel has no ESP support: adding a scratch ESP SA failed (%s); load esp4/esp6 "
                 "and xfrm4/xfrm6 or use ipsec = false",
                 strerror(-rc));
        st = PCSCF_ESP_NO_ESP;
    } else {
        snprintf(why, whylen, "could not probe the kernel for ESP (%s)", strerror(-rc));
        st = PCSCF_ESP_ERROR;
    }
    close(fd);
    return st;
}
