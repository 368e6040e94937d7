/*
 * Serving Cx requests: handlers on freeDiameter's threads (cx_register_server,
 * the HSS) or on a loop thread (cx_serve_rtr/ppr, the S-CSCF).
 *
 * Whatever happens, every request gets exactly one answer: invalid requests
 * get 5005/5004 from cx_request_check(), and handler or encoding failures get
 * DIAMETER_UNABLE_TO_COMPLY.
 */
#include "cx_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct cx_server_handlers handlers;
static bool handlers_set;
static struct disp_hdl *hdl[6];

struct serve_slot {
    struct loop *loop;
    void (*handler)(void); /* cx_rtr_handler or cx_ppr_handler */
    void *arg;
};
static struct serve_slot serve_rtr, serve_ppr;

struct cx_incoming {
    struct msg *req;
    uint32_t code;
    union {
        struct cx_rtr rtr;
        struct cx_ppr ppr;
    } d;
};

/* If m has become an answer, detach and free it and return its request. */
static struct msg *back_to_request(struct msg *m)
{
    struct msg_hdr *h = NULL;
    struct msg *q = NULL;
    if (!m || fd_msg_hdr(m, &h) != 0 || (h->msg_flags & CMD_FLAG_REQUEST))
        return m;
    if (fd_msg_answ_getq(m, &q) != 0 || !q || fd_msg_answ_detach(m) != 0)
        return m; /* cannot recover: send what we have */
    fd_msg_free(m);
    return q;
}

static void answer_unable(struct msg **msg, const char *what, int why)
{
    struct cx_error err = {.result_code = CX_DIAMETER_UNABLE_TO_COMPLY};
    snprintf(err.message, sizeof(err.message), "%s failed: %s", what, strerror(-why));
    *msg = back_to_request(*msg);
    cx_answer_error(msg, &err);
}

/* Answers an invalid request at once. Returns true when it did. */
static bool reject_invalid(struct msg **msg)
{
    struct cx_error err;
    if (cx_request_check(*msg, &err) == 0)
        return false;
    cx_answer_error(msg, &err);
    return true;
}

#define CX_SERVER(req_t, ans_t, NAME)                                                              \
    static int srv_##req_t(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,  \
                           enum disp_action *act)                                                  \
    {                                                                                              \
        struct cx_##req_t req;                                                                     \
        struct cx_##ans_t ans;                                                                     \
        int ret;                                                                                   \
        *act = DISP_ACT_CONT;                                                                      \
        if (!msg || !*msg || reject_invalid(msg))                                                  \
            return 0;                                                                              \
        memset(&ans, 0, sizeof(ans));                                                              \
        ret = cx_##req_t##_parse(*msg, &req);                                                      \
        if (ret == 0) {                                                                            \
            ret = handlers.on_##req_t(&req, &ans, handlers.arg);                                   \
            cx_##req_t##_free_fields(&req);                                                        \
            if (ret == 0 && !ans.result.result_code && !ans.result.exp_result) {                   \
                log_error("cx: " NAME " handler set no result");                                   \
                ret = -EINVAL;                                                                     \
            }                                                                                      \
        }                                                                                          \
        if (ret == 0)                                                                              \
            ret = cx_##ans_t##_build(msg, &ans);                                                   \
        cx_##ans_t##_free_fields(&ans);                                                            \
        if (ret == 0)                                                                              \
            cx_answer_send(msg);                                                                   \
        else                                                                                       \
            answer_unable(msg, NAME, ret);                                                         \
        return 0;                                                                                  \
    }

CX_SERVER(uar, uaa, "UAR")
CX_SERVER(mar, maa, "MAR")
CX_SERVER(sar, saa, "SAR")
CX_SERVER(lir, lia, "LIR")
CX_SERVER(rtr, rta, "RTR")
CX_SERVER(ppr, ppa, "PPR")

static int reg(uint32_t code,
               int (*cb)(struct msg **, struct avp *, struct session *, void *, enum disp_action *))
{
    int i = cx__cmd_index(code);
    struct disp_when when = {.app = cx__d.app, .command = cx__d.req[i]};
    if (hdl[i])
        return -EALREADY;
    int ret = fd_disp_register(cb, DISP_HOW_CC, &when, NULL, &hdl[i]);
    return ret ? -ret : 0;
}

int cx_register_server(const struct cx_server_handlers *h)
{
    int ret = 0;
    if (!h)
        return -EINVAL;
    if (!cx__is_initialised())
        return -ENOTCONN;
    if (handlers_set)
        return -EALREADY;
    if ((h->on_rtr && serve_rtr.handler) || (h->on_ppr && serve_ppr.handler))
        return -EALREADY;
    handlers = *h;
    handlers_set = true;
    if ((h->on_uar && (ret = reg(CX_CMD_UAR, srv_uar))) ||
        (h->on_mar && (ret = reg(CX_CMD_MAR, srv_mar))) ||
        (h->on_sar && (ret = reg(CX_CMD_SAR, srv_sar))) ||
        (h->on_lir && (ret = reg(CX_CMD_LIR, srv_lir))) ||
        (h->on_rtr && (ret = reg(CX_CMD_RTR, srv_rtr))) ||
        (h->on_ppr && (ret = reg(CX_CMD_PPR, srv_ppr))))
        return ret;
    return 0;
}

/* --- Serving on a loop --- */

static void incoming_free(struct cx_incoming *in)
{
    if (in->code == CX_CMD_RTR)
        cx_rtr_free_fields(&in->d.rtr);
    else
        cx_ppr_free_fields(&in->d.ppr);
    if (in->req)
        fd_msg_free(in->req);
    free(in);
}

/* The loop went away before the handler ran: still answer. */
static void drop_incoming(void *arg)
{
    struct cx_incoming *in = arg;
    struct msg *m = in->req;
    in->req = NULL;
    answer_unable(&m, "loop", -ESHUTDOWN);
    incoming_free(in);
}

static void run_incoming(void *arg)
{
    struct cx_incoming *in = arg;
    /* The handler may answer (and free in) before returning: move the data out first. */
    if (in->code == CX_CMD_RTR) {
        struct cx_rtr req = in->d.rtr;
        memset(&in->d.rtr, 0, sizeof(in->d.rtr));
        ((cx_rtr_handler)serve_rtr.handler)(in, &req, serve_rtr.arg);
        cx_rtr_free_fields(&req);
    } else {
        struct cx_ppr req = in->d.ppr;
        memset(&in->d.ppr, 0, sizeof(in->d.ppr));
        ((cx_ppr_handler)serve_ppr.handler)(in, &req, serve_ppr.arg);
        cx_ppr_free_fields(&req);
    }
}

static int srv_loop(struct msg **msg, uint32_t code, struct serve_slot *slot)
{
    struct cx_incoming *in = NULL;
    int ret;
    if (!msg || !*msg || reject_invalid(msg))
        return 0;
    in = calloc(1, sizeof(*in));
    if (!in) {
        answer_unable(msg, "queueing", -ENOMEM);
        return 0;
    }
    in->code = code;
    ret = code == CX_CMD_RTR ? cx_rtr_parse(*msg, &in->d.rtr) : cx_ppr_parse(*msg, &in->d.ppr);
    if (ret != 0) {
        free(in);
        answer_unable(msg, "decoding", ret);
        return 0;
    }
    in->req = *msg;
    *msg = NULL;
    if ((ret = loop_post_owned(slot->loop, run_incoming, drop_incoming, in)) != 0) {
        *msg = in->req;
        in->req = NULL;
        incoming_free(in);
        answer_unable(msg, "queueing", ret);
    }
    return 0;
}

static int srv_loop_rtr(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,
                        enum disp_action *act)
{
    *act = DISP_ACT_CONT;
    return srv_loop(msg, CX_CMD_RTR, &serve_rtr);
}

static int srv_loop_ppr(struct msg **msg, struct avp *avp, struct session *sess, void *opaque,
                        enum disp_action *act)
{
    *act = DISP_ACT_CONT;
    return srv_loop(msg, CX_CMD_PPR, &serve_ppr);
}

static int serve(struct serve_slot *slot, uint32_t code, struct loop *loop, void (*h)(void),
                 void *arg)
{
    if (!loop || !h)
        return -EINVAL;
    if (!cx__is_initialised())
        return -ENOTCONN;
    if (slot->handler || hdl[cx__cmd_index(code)])
        return -EALREADY;
    slot->loop = loop;
    slot->handler = h;
    slot->arg = arg;
    int ret = reg(code, code == CX_CMD_RTR ? srv_loop_rtr : srv_loop_ppr);
    if (ret != 0)
        memset(slot, 0, sizeof(*slot));
    return ret;
}

int cx_serve_rtr(struct loop *loop, cx_rtr_handler h, void *arg)
{
    return serve(&serve_rtr, CX_CMD_RTR, loop, (void (*)(void))h, arg);
}

int cx_serve_ppr(struct loop *loop, cx_ppr_handler h, void *arg)
{
    return serve(&serve_ppr, CX_CMD_PPR, loop, (void (*)(void))h, arg);
}

static int answer_incoming(struct cx_incoming **pin, uint32_t code, const void *ans)
{
    struct cx_incoming *in;
    struct msg *m;
    int ret;

    if (!pin || !*pin)
        return -EINVAL;
    in = *pin;
    *pin = NULL;
    m = in->req;
    in->req = NULL;
    if (in->code != code || !ans)
        ret = -EINVAL;
    else if (code == CX_CMD_RTR)
        ret = cx_rta_build(&m, ans);
    else
        ret = cx_ppa_build(&m, ans);
    if (ret == 0)
        ret = cx_answer_send(&m);
    else
        answer_unable(&m, code == CX_CMD_RTR ? "RTA" : "PPA", ret);
    incoming_free(in);
    return ret;
}

int cx_answer_rtr(struct cx_incoming **in, const struct cx_rta *ans)
{
    return answer_incoming(in, CX_CMD_RTR, ans);
}

int cx_answer_ppr(struct cx_incoming **in, const struct cx_ppa *ans)
{
    return answer_incoming(in, CX_CMD_PPR, ans);
}

void cx__server_shutdown(void)
{
    for (int i = 0; i < 6; i++)
        if (hdl[i])
            fd_disp_unregister(&hdl[i], NULL);
    memset(&serve_rtr, 0, sizeof(serve_rtr));
    memset(&serve_ppr, 0, sizeof(serve_ppr));
    memset(&handlers, 0, sizeof(handlers));
    handlers_set = false;
}
