/* scscf_metrics.c: the S-CSCF's metrics (see scscf_metrics.h). */
#include "scscf_metrics.h"

#include "reg_event.h"
#include "regs.h"

static struct metrics_daemon md;

const struct metrics_ims *scscf_ims(void)
{
    return metrics_daemon_ims(&md);
}

/* Registration records in state REGISTERED (read at scrape time, on the loop thread). */
static double count_registered(void *arg)
{
    size_t n = 0;
    for (const struct scscf_reg *r = regs_first(); r; r = r->next)
        if (r->state == SCSCF_REG_REGISTERED)
            n++;
    return (double)n;
}

/* Live reg event subscriptions (read at scrape time, on the loop thread). */
static double count_subscriptions(void *arg)
{
    return (double)scscf_reg_event_count();
}

int scscf_metrics_start(struct loop *loop, const struct cfg *c)
{
    return metrics_daemon_start(&md, loop_base(loop), c, "scscf", count_registered,
                                count_subscriptions);
}

void scscf_metrics_stop(void)
{
    metrics_daemon_stop(&md);
}

void scscf_metrics_cx_answer(const char *command, int status, const struct cx_result *r)
{
    metrics_ims_cx_result(scscf_ims(), command, r ? r->result_code : 0, r ? r->exp_result : 0);
}
