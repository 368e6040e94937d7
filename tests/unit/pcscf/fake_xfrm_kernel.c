/* fake_xfrm_kernel: XFRM netlink peer for unit tests (see fake_xfrm_kernel.h). */
#include "fake_xfrm_kernel.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void decode_attrs(const struct nlmsghdr *h, size_t fixed, struct fake_rec *r)
{
    size_t off = NLMSG_LENGTH(NLMSG_ALIGN(fixed));

    while (off + NLA_HDRLEN <= h->nlmsg_len) {
        const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + off);
        const uint8_t *data = (const uint8_t *)a + NLA_HDRLEN;
        size_t dlen;

        if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len) {
            r->bad = true;
            return;
        }
        dlen = a->nla_len - NLA_HDRLEN;
        if (a->nla_type == XFRMA_ALG_AUTH_TRUNC && dlen >= sizeof(struct xfrm_algo_auth)) {
            const struct xfrm_algo_auth *au = (const void *)data;
            size_t klen = (au->alg_key_len + 7) / 8;

            snprintf(r->auth_name, sizeof(r->auth_name), "%.*s", (int)sizeof(au->alg_name),
                     au->alg_name);
            r->auth_bits = au->alg_key_len;
            r->trunc_bits = au->alg_trunc_len;
            if (klen <= sizeof(r->auth_key) && dlen == sizeof(*au) + klen)
                memcpy(r->auth_key, au->alg_key, klen);
            else
                r->bad = true;
        } else if (a->nla_type == XFRMA_ALG_CRYPT && dlen >= sizeof(struct xfrm_algo)) {
            const struct xfrm_algo *al = (const void *)data;
            size_t klen = (al->alg_key_len + 7) / 8;

            snprintf(r->crypt_name, sizeof(r->crypt_name), "%.*s", (int)sizeof(al->alg_name),
                     al->alg_name);
            r->crypt_bits = al->alg_key_len;
            if (klen <= sizeof(r->crypt_key) && dlen == sizeof(*al) + klen)
                memcpy(r->crypt_key, al->alg_key, klen);
            else
                r->bad = true;
        } else if (a->nla_type == XFRMA_TMPL && dlen == sizeof(struct xfrm_user_tmpl)) {
            const struct xfrm_user_tmpl *t = (const void *)data;

            r->tmpl_ok = t->id.proto == IPPROTO_ESP && t->mode == XFRM_MODE_TRANSPORT;
            r->spi = ntohl(t->id.spi);
            r->reqid = t->reqid;
        }
        off += NLA_ALIGN(a->nla_len);
    }
}

/* Decodes one request like the kernel would. Returns 0 or the errno to answer. */
static int decode(const struct fake_kernel *k, const struct nlmsghdr *h, size_t n,
                  struct fake_rec *r)
{
    memset(r, 0, sizeof(*r));
    r->bad = true;
    if (n < NLMSG_HDRLEN || h->nlmsg_len != n)
        return -EINVAL;
    r->type = h->nlmsg_type;
    r->flags = h->nlmsg_flags;
    switch (h->nlmsg_type) {
    case XFRM_MSG_NEWSA: {
        const struct xfrm_usersa_info *i = NLMSG_DATA(h);
        if (n < NLMSG_LENGTH(sizeof(*i)) || i->id.proto != IPPROTO_ESP ||
            i->mode != XFRM_MODE_TRANSPORT || i->family != AF_INET)
            return -EINVAL;
        r->spi = ntohl(i->id.spi);
        r->dir = memcmp(&i->id.daddr, k->local_ip, 4) == 0 ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
        r->sport = ntohs(i->sel.sport);
        r->dport = ntohs(i->sel.dport);
        r->reqid = i->reqid;
        r->bad = false;
        decode_attrs(h, sizeof(*i), r);
        break;
    }
    case XFRM_MSG_DELSA: {
        const struct xfrm_usersa_id *i = NLMSG_DATA(h);
        if (n < NLMSG_LENGTH(sizeof(*i)) || i->proto != IPPROTO_ESP)
            return -EINVAL;
        r->spi = ntohl(i->spi);
        r->dir = memcmp(&i->daddr, k->local_ip, 4) == 0 ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
        r->bad = false;
        break;
    }
    case XFRM_MSG_NEWPOLICY: {
        const struct xfrm_userpolicy_info *i = NLMSG_DATA(h);
        if (n < NLMSG_LENGTH(sizeof(*i)))
            return -EINVAL;
        r->dir = i->dir;
        r->sport = ntohs(i->sel.sport);
        r->dport = ntohs(i->sel.dport);
        r->bad = false;
        decode_attrs(h, sizeof(*i), r);
        break;
    }
    case XFRM_MSG_DELPOLICY: {
        const struct xfrm_userpolicy_id *i = NLMSG_DATA(h);
        if (n < NLMSG_LENGTH(sizeof(*i)))
            return -EINVAL;
        r->dir = i->dir;
        r->sport = ntohs(i->sel.sport);
        r->dport = ntohs(i->sel.dport);
        r->bad = false;
        break;
    }
    default:
        return -EINVAL;
    }
    return r->bad ? -EINVAL : 0;
}

/* Sends the kernel's answer (no cmocka asserts: this runs on the peer thread). */
static void answer(int fd, const struct nlmsghdr *req, uint32_t seq, int err)
{
    struct {
        struct nlmsghdr h;
        struct nlmsgerr e;
    } a;

    memset(&a, 0, sizeof(a));
    a.h.nlmsg_len = sizeof(a);
    a.h.nlmsg_type = NLMSG_ERROR;
    a.h.nlmsg_seq = seq;
    a.e.error = err;
    a.e.msg = *req;
    if (send(fd, &a, sizeof(a), 0) != (ssize_t)sizeof(a))
        perror("fake kernel: send");
}

static void *serve(void *arg)
{
    struct fake_kernel *k = arg;
    union {
        struct nlmsghdr h;
        uint8_t raw[4096];
    } rx;

    for (;;) {
        ssize_t n = recv(k->fd, rx.raw, sizeof(rx.raw), 0);
        struct fake_rec r;
        int err, seen;

        if (n <= 0)
            break;
        err = decode(k, &rx.h, (size_t)n, &r);
        pthread_mutex_lock(&k->mu);
        if (k->n < FAKE_MAX_RECS)
            k->recs[k->n] = r;
        seen = ++k->n;
        pthread_mutex_unlock(&k->mu);
        if (k->silent)
            continue;
        if (err == 0)
            err = seen == k->fail_at ? k->fail_err : k->all_err;
        if (k->garbage && send(k->fd, "junk", 4, 0) != 4)
            perror("fake kernel: send");
        if (k->stale)
            answer(k->fd, &rx.h, rx.h.nlmsg_seq - 1, -EEXIST);
        answer(k->fd, &rx.h, rx.h.nlmsg_seq, err);
    }
    return NULL;
}

void fake_kernel_start(struct fake_kernel *k, int timeout_ms, struct pcscf_xfrm_nl **nl)
{
    int sv[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
    k->fd = sv[1];
    k->n = 0;
    assert_int_equal(pthread_mutex_init(&k->mu, NULL), 0);
    assert_int_equal(pthread_create(&k->th, NULL, serve, k), 0);
    *nl = NULL;
    assert_int_equal(pcscf_xfrm_nl_adopt(sv[0], timeout_ms, nl), 0);
}

void fake_kernel_stop(struct fake_kernel *k)
{
    shutdown(k->fd, SHUT_RDWR);
    assert_int_equal(pthread_join(k->th, NULL), 0);
    close(k->fd);
    pthread_mutex_destroy(&k->mu);
}

int fake_kernel_count(struct fake_kernel *k)
{
    int n;

    pthread_mutex_lock(&k->mu);
    n = k->n;
    pthread_mutex_unlock(&k->mu);
    return n;
}

struct fake_rec fake_kernel_rec(struct fake_kernel *k, int i)
{
    struct fake_rec r;

    pthread_mutex_lock(&k->mu);
    if (i >= 0 && i < k->n && i < FAKE_MAX_RECS)
        r = k->recs[i];
    else
        memset(&r, 0, sizeof(r));
    pthread_mutex_unlock(&k->mu);
    return r;
}
