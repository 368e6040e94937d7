/*
 * fake_xfrm_kernel: a stand-in for the kernel's XFRM netlink side, for unit
 * tests. One end of a socketpair(AF_UNIX, SOCK_DGRAM) is handed to
 * pcscf_xfrm_nl_adopt(); the other is served by a thread that decodes every
 * request with the kernel's own structures (linux/xfrm.h), records what it
 * asked for, and answers like the kernel: NLMSG_ERROR with error 0, or a
 * configured -errno.
 */
#ifndef FAKE_XFRM_KERNEL_H
#define FAKE_XFRM_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "xfrm_nl.h"

#define FAKE_MAX_RECS 64

/* What the fake kernel saw in one request. */
struct fake_rec {
    uint16_t type;  /* XFRM_MSG_NEWSA, ... */
    uint16_t flags; /* nlmsg_flags */
    uint32_t spi;   /* host order (policies: the template's); 0 when the message has none */
    int dir;        /* XFRM_POLICY_IN / _OUT; for SAs: IN when addressed to local_ip */
    uint16_t sport, dport;
    uint32_t reqid; /* SA reqid, or the policy template's */
    char auth_name[64], crypt_name[64];
    unsigned auth_bits, trunc_bits, crypt_bits;
    uint8_t auth_key[20], crypt_key[16];
    bool tmpl_ok; /* NEWPOLICY: one ESP transport-mode template */
    bool bad;     /* the request did not decode (answered -EINVAL) */
};

struct fake_kernel {
    /* configuration, set before fake_kernel_start() */
    uint8_t local_ip[4]; /* the P-CSCF's IPv4 address: SAs to it are inbound */
    int fail_at;         /* 1-based message number answered with fail_err (0: none) */
    int fail_err;        /* negative errno */
    int all_err;         /* answer to every other message */
    bool silent;         /* never answer */
    bool stale;          /* send an ack of another sequence number first */
    bool garbage;        /* send a datagram that is not netlink first */
    /* state */
    int fd;
    pthread_t th;
    pthread_mutex_t mu;
    int n; /* requests seen */
    struct fake_rec recs[FAKE_MAX_RECS];
};

/*
 * Starts the thread; *nl receives the transport bound to it (timeout_ms per
 * transaction). Aborts the test on failure.
 */
void fake_kernel_start(struct fake_kernel *k, int timeout_ms, struct pcscf_xfrm_nl **nl);

/* Stops the thread (nl must be closed first, or be NULL when the code under test owns it). */
void fake_kernel_stop(struct fake_kernel *k);

/* Number of requests seen so far, and a copy of request i (0-based). Thread-safe. */
int fake_kernel_count(struct fake_kernel *k);
struct fake_rec fake_kernel_rec(struct fake_kernel *k, int i);

#endif
