/* icscf_metrics.c: the I-CSCF's metrics (see icscf_metrics.h). */
#include "icscf_metrics.h"

static struct metrics_daemon md;

const struct metrics_ims *icscf_ims(void)
{
    return metrics_daemon_ims(&md);
}

int icscf_metrics_start(struct loop *loop, const struct cfg *c)
{
    return metrics_daemon_start(&md, loop_base(loop), c, "icscf", NULL, NULL);
}

void icscf_metrics_stop(void)
{
    metrics_daemon_stop(&md);
}

void icscf_metrics_cx_answer(const char *command, int status, const struct cx_result *r)
{
    metrics_ims_cx_result(icscf_ims(), command, r ? r->result_code : 0, r ? r->exp_result : 0);
}
