/* icscf_metrics.c: the I-CSCF's metrics (see icscf_metrics.h). */
#include "icscf_metrics.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>

static struct metrics *registry;
static struct metrics_ims ims;
static struct metrics_http *http;
static bool ready;

const struct metrics_ims *icscf_ims(void)
{
    return ready ? &ims : NULL;
}

int icscf_metrics_start(struct loop *loop, const struct cfg *c)
{
    int rc = metrics_cfg_check(c);

    if (rc == 0)
        rc = metrics_new(&registry);
    if (rc == 0)
        rc = metrics_ims_register(registry, &ims);
    if (rc == 0)
        rc = metrics_http_start_cfg(registry, loop_base(loop), c, &http);
    if (rc) {
        log_error("icscf: metrics: %s", strerror(-rc));
        icscf_metrics_stop();
        return rc;
    }
    ready = true;
    if (http)
        log_info("icscf: metrics on http://%s:%u/metrics", cfg_str(c, "metrics.listen"),
                 (unsigned)metrics_http_port(http));
    return 0;
}

void icscf_metrics_stop(void)
{
    ready = false;
    metrics_http_free(http);
    http = NULL;
    metrics_free(registry);
    registry = NULL;
    memset(&ims, 0, sizeof(ims));
}

void icscf_metrics_cx_answer(const char *command, int status, const struct cx_result *r)
{
    const struct metrics_ims *m = icscf_ims();

    if (!m)
        return;
    if (!r || (status != 0 && r->result_code == 0 && r->exp_result == 0))
        metrics_ims_cx_answer(m, command, 0, false); /* "timeout": no answer */
    else if (r->exp_result)
        metrics_ims_cx_answer(m, command, r->exp_result, true);
    else
        metrics_ims_cx_answer(m, command, r->result_code, false);
}
