/* pcscf_metrics.c: the P-CSCF's metrics (see pcscf_metrics.h). */
#include "pcscf_metrics.h"

#include "pcscf_context.h"

#include <time.h>

static struct metrics_daemon md;

const struct metrics_ims *pcscf_ims(void)
{
    return metrics_daemon_ims(&md);
}

/* UEs whose registration is live (read at scrape time, on the loop thread). */
static double count_registered(void *arg)
{
    time_t now = time(NULL);
    size_t n = 0;

    for (const struct pcscf_ue *ue = pcscf_self()->ues; ue; ue = ue->next)
        if (ue->state == PCSCF_UE_REGISTERED && ue->expires_at > now)
            n++;
    return (double)n;
}

/* Our own reg event subscriptions that are active (read at scrape time). */
static double count_subscriptions(void *arg)
{
    size_t n = 0;

    for (const struct pcscf_ue *ue = pcscf_self()->ues; ue; ue = ue->next)
        if (ue->sub_active)
            n++;
    return (double)n;
}

int pcscf_metrics_start(struct loop *loop, const struct cfg *c)
{
    return metrics_daemon_start(&md, loop_base(loop), c, "pcscf", count_registered,
                                count_subscriptions);
}

void pcscf_metrics_stop(void)
{
    metrics_daemon_stop(&md);
}
