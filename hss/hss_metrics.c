/* hss_metrics.c: the HSS's metrics (see hss_metrics.h). */
#include "hss_metrics.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>

#define UNABLE_TO_COMPLY 5012u

static struct metrics *registry;
static struct metrics_ims ims;
static struct metrics_http *http;
static bool ready;
static struct cx_server_handlers inner; /* the handlers being wrapped */

const struct metrics_ims *hss_ims(void)
{
    return ready ? &ims : NULL;
}

int hss_metrics_start(struct loop *loop, const struct cfg *c)
{
    int rc = metrics_new(&registry);

    if (rc == 0)
        rc = metrics_ims_register(registry, &ims);
    if (rc == 0)
        rc = metrics_http_start_cfg(registry, loop_base(loop), c, &http);
    if (rc) {
        log_error("hss: metrics: %s", strerror(-rc));
        hss_metrics_stop();
        return rc;
    }
    ready = true;
    if (http)
        log_info("hss: metrics on http://%s:%u/metrics", cfg_str(c, "metrics.listen"),
                 (unsigned)metrics_http_port(http));
    return 0;
}

void hss_metrics_stop(void)
{
    ready = false;
    metrics_http_free(http);
    http = NULL;
    metrics_free(registry);
    registry = NULL;
    memset(&ims, 0, sizeof(ims));
}

void hss_metrics_answer(const char *command, int status, const struct cx_result *r)
{
    const struct metrics_ims *m = hss_ims();

    if (!m)
        return;
    if (status != 0 || !r) {
        metrics_ims_cx_answer(m, command, 0, false); /* counted as "timeout" */
        return;
    }
    if (r->exp_result)
        metrics_ims_cx_answer(m, command, r->exp_result, true);
    else
        metrics_ims_cx_answer(m, command, r->result_code, false);
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
