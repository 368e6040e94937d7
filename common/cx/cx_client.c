/*
 * Async Cx client: send a request, decode the answer on the freeDiameter
 * thread, run the caller's callback on its loop thread.
 *
 * A request in flight is a struct pending. It sits in a registry until
 * freeDiameter reports the answer or the timeout; it is then handed to the
 * loop with loop_post_owned(), which calls deliver() (the callback) or, if
 * the loop is freed first, drop(). Whatever is still registered at
 * cx_shutdown() is freed without callbacks.
 */
#include "cx_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*generic_cb)(void);

struct cmd_ops {
    const char *name;
    size_t ans_size;
    int (*parse)(struct msg *msg, void *out);
    void (*free_fields)(void *ans);
    void (*invoke)(generic_cb cb, uint64_t ctx_id, int status, const void *ans);
};

struct pending {
    struct pending *prev, *next;
    struct loop *loop;
    const struct cmd_ops *ops;
    generic_cb cb;
    uint64_t ctx_id;
    int status;
    void *ans;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending *reg_head;

static void reg_add(struct pending *p)
{
    pthread_mutex_lock(&reg_lock);
    p->next = reg_head;
    if (reg_head)
        reg_head->prev = p;
    reg_head = p;
    pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(struct pending *p)
{
    pthread_mutex_lock(&reg_lock);
    if (p->prev)
        p->prev->next = p->next;
    else if (reg_head == p)
        reg_head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
    pthread_mutex_unlock(&reg_lock);
}

static void pending_free(struct pending *p)
{
    if (p->ans) {
        p->ops->free_fields(p->ans);
        free(p->ans);
    }
    free(p);
}

static void deliver(void *arg)
{
    struct pending *p = arg;
    p->ops->invoke(p->cb, p->ctx_id, p->status, p->ans);
    pending_free(p);
}

static void drop(void *arg)
{
    struct pending *p = arg;
    log_warn("cx: %s answer for ctx %llu dropped: loop gone", p->ops->name,
             (unsigned long long)p->ctx_id);
    pending_free(p);
}

static void post(struct pending *p)
{
    reg_remove(p);
    if (loop_post_owned(p->loop, deliver, drop, p) != 0) {
        log_error("cx: cannot queue %s answer for ctx %llu", p->ops->name,
                  (unsigned long long)p->ctx_id);
        pending_free(p);
    }
}

static bool is_delivery_error(uint32_t code)
{
    return code == CX_DIAMETER_UNABLE_TO_DELIVER || code == CX_DIAMETER_REALM_NOT_SERVED ||
           code == CX_DIAMETER_TOO_BUSY || code == CX_DIAMETER_LOOP_DETECTED;
}

/* freeDiameter thread: decode the answer into p->ans, then queue p to the loop. */
static void on_answer(void *data, struct msg **ans)
{
    struct pending *p = data;
    struct msg_hdr *h = NULL;
    int ret;

    p->ans = calloc(1, p->ops->ans_size);
    if (!p->ans) {
        p->status = -ENOMEM;
    } else if ((ret = p->ops->parse(*ans, p->ans)) != 0) {
        log_warn("cx: undecodable %s answer for ctx %llu: %s", p->ops->name,
                 (unsigned long long)p->ctx_id, strerror(-ret));
        free(p->ans);
        p->ans = NULL;
        p->status = ret == -ENOMEM ? -ENOMEM : -EPROTO;
    } else if (fd_msg_hdr(*ans, &h) == 0 && (h->msg_flags & CMD_FLAG_ERROR)) {
        /* cx_hdr and cx_result come first in every answer struct. */
        const struct cx_result *r =
            (const struct cx_result *)((char *)p->ans + sizeof(struct cx_hdr));
        p->status = is_delivery_error(r->result_code) ? -EHOSTUNREACH : -EPROTO;
        log_info("cx: %s for ctx %llu failed: %u %s", p->ops->name, (unsigned long long)p->ctx_id,
                 r->result_code, cx_result_name(r->result_code, false));
    } else {
        p->status = 0;
    }
    fd_msg_free(*ans);
    *ans = NULL;
    post(p);
}

static void on_expire(void *data, DiamId_t sentto, size_t len, struct msg **req)
{
    struct pending *p = data;
    log_info("cx: %s for ctx %llu timed out (sent to %.*s)", p->ops->name,
             (unsigned long long)p->ctx_id, sentto ? (int)len : 0, sentto ? (char *)sentto : "");
    p->status = -ETIMEDOUT;
    post(p);
    fd_msg_free(*req);
    *req = NULL;
}

static int send_req(struct loop *loop, const struct cmd_ops *ops, struct msg **req, generic_cb cb,
                    uint64_t ctx_id, unsigned timeout_ms)
{
    struct pending *p = calloc(1, sizeof(*p));
    struct timespec ts;
    int ret;

    if (!p) {
        fd_msg_free(*req);
        *req = NULL;
        return -ENOMEM;
    }
    p->loop = loop;
    p->ops = ops;
    p->cb = cb;
    p->ctx_id = ctx_id;
    if (!timeout_ms)
        timeout_ms = CX_DEFAULT_TIMEOUT_MS;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    reg_add(p);
    ret = fd_msg_send_timeout(req, on_answer, p, on_expire, &ts);
    if (ret != 0) {
        log_error("cx: cannot send %s request: %s", ops->name, strerror(ret));
        reg_remove(p);
        free(p);
        if (*req)
            fd_msg_free(*req);
        *req = NULL;
        return -ret;
    }
    return 0;
}

void cx__client_shutdown(void)
{
    pthread_mutex_lock(&reg_lock);
    struct pending *p = reg_head;
    reg_head = NULL;
    pthread_mutex_unlock(&reg_lock);
    while (p) {
        struct pending *next = p->next;
        log_warn("cx: %s for ctx %llu abandoned at shutdown", p->ops->name,
                 (unsigned long long)p->ctx_id);
        pending_free(p);
        p = next;
    }
}

/* One typed front end per command; the struct cx_X answers all start with hdr, result. */
#define CX_CLIENT(req_t, ans_t, NAME)                                                              \
    static int parse_##ans_t(struct msg *msg, void *out)                                           \
    {                                                                                              \
        return cx_##ans_t##_parse(msg, out);                                                       \
    }                                                                                              \
    static void free_##ans_t(void *ans)                                                            \
    {                                                                                              \
        cx_##ans_t##_free_fields(ans);                                                             \
    }                                                                                              \
    static void invoke_##ans_t(generic_cb cb, uint64_t id, int status, const void *ans)            \
    {                                                                                              \
        ((cx_##ans_t##_cb)cb)(id, status, ans);                                                    \
    }                                                                                              \
    static const struct cmd_ops ops_##ans_t = {NAME, sizeof(struct cx_##ans_t), parse_##ans_t,     \
                                               free_##ans_t, invoke_##ans_t};                      \
    int cx_send_##req_t(struct loop *loop, const struct cx_##req_t *req, cx_##ans_t##_cb cb,       \
                        uint64_t ctx_id, unsigned timeout_ms)                                      \
    {                                                                                              \
        struct msg *m = NULL;                                                                      \
        int ret;                                                                                   \
        _Static_assert(offsetof(struct cx_##ans_t, result) == sizeof(struct cx_hdr),               \
                       "answer layout");                                                           \
        if (!loop || !req || !cb)                                                                  \
            return -EINVAL;                                                                        \
        if (!cx__is_started())                                                                     \
            return -ENOTCONN;                                                                      \
        if ((ret = cx_##req_t##_build(req, &m)) != 0)                                              \
            return ret;                                                                            \
        return send_req(loop, &ops_##ans_t, &m, (generic_cb)cb, ctx_id, timeout_ms);               \
    }

CX_CLIENT(uar, uaa, "UAR")
CX_CLIENT(mar, maa, "MAR")
CX_CLIENT(sar, saa, "SAR")
CX_CLIENT(lir, lia, "LIR")
CX_CLIENT(rtr, rta, "RTR")
CX_CLIENT(ppr, ppa, "PPR")
