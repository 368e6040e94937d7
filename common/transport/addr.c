/*
 * Transport addresses: conversions between socket addresses and the printable
 * form kept in struct tp_addr, comparison and hashing.
 */
#include "transport_internal.h"

#include "log/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

int tp_addr_from_sockaddr(struct tp_addr *out, const struct sockaddr *sa, socklen_t len)
{
    memset(out, 0, sizeof(*out));
    if (!sa)
        return -EAFNOSUPPORT;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        memcpy(&out->ss, sin, sizeof(*sin));
        out->len = sizeof(*sin);
        inet_ntop(AF_INET, &sin->sin_addr, out->ip, sizeof(out->ip));
        out->port = ntohs(sin->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
        memcpy(&out->ss, sin6, sizeof(*sin6));
        out->len = sizeof(*sin6);
        inet_ntop(AF_INET6, &sin6->sin6_addr, out->ip, sizeof(out->ip));
        out->port = ntohs(sin6->sin6_port);
        return 0;
    }
    return -EAFNOSUPPORT;
}

int tp_addr_set(struct tp_addr *out, const char *ip, uint16_t port)
{
    char tmp[TP_IP_STRLEN];
    memset(out, 0, sizeof(*out));
    if (!ip)
        return -EINVAL;
    size_t n = strlen(ip);
    if (n >= 2 && ip[0] == '[' && ip[n - 1] == ']') {
        if (n - 2 >= sizeof(tmp))
            return -EINVAL;
        memcpy(tmp, ip + 1, n - 2);
        tmp[n - 2] = '\0';
        ip = tmp;
    }
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, ip, &sin.sin_addr) == 1)
        return tp_addr_from_sockaddr(out, (struct sockaddr *)&sin, sizeof(sin));
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
    if (inet_pton(AF_INET6, ip, &sin6.sin6_addr) == 1)
        return tp_addr_from_sockaddr(out, (struct sockaddr *)&sin6, sizeof(sin6));
    return -EINVAL;
}

int tp_addr_is_equal(const struct tp_addr *a, const struct tp_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family || a->port != b->port)
        return 0;
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->ss;
        return x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->ss;
        return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    return 0;
}

uint64_t tp__addr_hash(const struct tp_addr *a)
{
    const unsigned char *p = NULL;
    size_t n = 0;
    if (a->ss.ss_family == AF_INET) {
        p = (const unsigned char *)&((const struct sockaddr_in *)&a->ss)->sin_addr;
        n = 4;
    } else if (a->ss.ss_family == AF_INET6) {
        p = (const unsigned char *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
        n = 16;
    }
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    h ^= a->port;
    h *= 1099511628211ULL;
    return h;
}

bool tp__addr_is_wildcard(const struct tp_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
    if (a->ss.ss_family == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
    return false;
}

bool tp__addr_is_overlapping(const struct tp_addr *a, const struct tp_addr *b)
{
    return a->ss.ss_family == b->ss.ss_family && a->port == b->port &&
           (tp__addr_is_wildcard(a) || tp__addr_is_wildcard(b) || tp_addr_is_equal(a, b));
}

int tp__addr_resolve(const char *host, uint16_t port, int socktype, struct tp_addr *out)
{
    if (!host || !*host)
        host = "0.0.0.0";
    if (tp_addr_set(out, host, port) == 0)
        return 0;
    struct addrinfo hints = {.ai_socktype = socktype, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return -EINVAL;
    int rc = -EINVAL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (tp_addr_from_sockaddr(out, ai->ai_addr, ai->ai_addrlen) == 0) {
            if (out->ss.ss_family == AF_INET)
                ((struct sockaddr_in *)&out->ss)->sin_port = htons(port);
            else
                ((struct sockaddr_in6 *)&out->ss)->sin6_port = htons(port);
            out->port = port;
            rc = 0;
            break;
        }
    }
    freeaddrinfo(res);
    return rc;
}

int tp__addr_of_fd(int fd, bool peer, struct tp_addr *out)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int rc = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                  : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
        return -errno;
    }
    return tp_addr_from_sockaddr(out, (struct sockaddr *)&ss, len);
}

/* Options and bind of a new socket for addr. Returns 0 or -errno (fd left open). */
static int setup_socket(int fd, const struct tp_addr *addr, int socktype, bool reuseport)
{
    int on = 1;

    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
        return -errno;
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
        return -errno;
    if (addr->ss.ss_family == AF_INET6 &&
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0)
        return -errno;
    if (socktype == SOCK_DGRAM &&
        (addr->ss.ss_family == AF_INET6
             ? setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on))
             : setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on))) != 0)
        return -errno;
    if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0)
        return -errno;
    return 0;
}

int tp__bind_socket(const char *host, uint16_t port, int socktype, int *out)
{
    return tp__bind_socket_ex(host, port, socktype, false, out);
}

int tp__bind_socket_ex(const char *host, uint16_t port, int socktype, bool reuseport, int *out)
{
    const char *proto = socktype == SOCK_STREAM ? "TCP" : "UDP";
    struct tp_addr addr;
    int fd, rc = tp__addr_resolve(host, port, socktype, &addr);

    if (rc < 0) {
        log_error("transport: bad %s listen address '%s'", proto, host ? host : "(null)");
        return rc;
    }
    fd = socket(addr.ss.ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    rc = fd < 0 ? -errno : setup_socket(fd, &addr, socktype, reuseport);
    if (rc < 0) {
        log_error("transport: cannot listen on %s %s:%u: %s", proto, addr.ip, port, strerror(-rc));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *out = fd;
    return 0;
}
