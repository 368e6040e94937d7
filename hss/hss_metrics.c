/* hss_metrics.c: the HSS's metrics (see hss_metrics.h). */
#include "hss_metrics.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>

#define UNABLE_TO_COMPLY 5012u

static struct metrics_daemon md;
static struct cx_server_handlers inner; /* the handlers being wrapped */

const struct metrics_ims *hss_ims(void)
{
    return metrics_daemon_ims(&md);
}

int hss_metrics_start(struct loop *loop, const struct cfg *c)
{
    return metrics_daemon_start(&md, loop_base(loop), c, "hss", NULL, NULL);
}

void hss_metrics_stop(void)
{
    metrics_daemon_stop(&md);
}

void hss_metrics_answer(const char *command, int status, const struct cx_result *r)
{
    metrics_ims_cx_result(hss_ims(), command, status || !r ? 0 : r->result_code,
                          status || !r ? 0 : r->exp_result);
}

/* One info line per answer, naming the user: `./lab trace` finds the HSS's steps by it. */
static void log_answer(const char *cmd, const char *impi, const char *impu, int rc,
                       const struct cx_result *r)
{
    if (rc < 0)
        log_info("%s %s / %s: UNABLE_TO_COMPLY (%s)", cmd, impi ? impi : "-", impu ? impu : "-",
                 strerror(-rc));
    else if (r->exp_result)
        log_info("%s %s / %s: Experimental-Result %u", cmd, impi ? impi : "-", impu ? impu : "-",
                 r->exp_result);
    else
        log_info("%s %s / %s: Result-Code %u", cmd, impi ? impi : "-", impu ? impu : "-",
                 r->result_code);
}

/* Counts the request, calls the wrapped handler, counts and logs the answer. */
#define COUNTED(cmd, field, req_t, ans_t, impi, impu)                                              \
    static int counted_##field(const struct req_t *req, struct ans_t *ans, void *arg)              \
    {                                                                                              \
        int rc;                                                                                    \
        metrics_ims_cx_request(hss_ims(), cmd);                                                    \
        rc = inner.on_##field(req, ans, arg);                                                      \
        if (rc < 0) {                                                                              \
            struct cx_result r = {.result_code = UNABLE_TO_COMPLY};                                \
            hss_metrics_answer(cmd, 0, &r);                                                        \
        } else {                                                                                   \
            hss_metrics_answer(cmd, 0, &ans->result);                                              \
        }                                                                                          \
        log_answer(cmd, impi, impu, rc, &ans->result);                                             \
        return rc;                                                                                 \
    }

COUNTED("UAR", uar, cx_uar, cx_uaa, req->user_name, req->public_identity)
COUNTED("MAR", mar, cx_mar, cx_maa, req->user_name, req->public_identity)
COUNTED("SAR", sar, cx_sar, cx_saa, req->user_name,
        req->public_identities.n ? req->public_identities.v[0] : NULL)
COUNTED("LIR", lir, cx_lir, cx_lia, NULL, req->public_identity)

void hss_metrics_wrap(struct cx_server_handlers *h)
{
    inner = *h;
    if (h->on_uar)
        h->on_uar = counted_uar;
    if (h->on_mar)
        h->on_mar = counted_mar;
    if (h->on_sar)
        h->on_sar = counted_sar;
    if (h->on_lir)
        h->on_lir = counted_lir;
}
