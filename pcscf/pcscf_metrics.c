/* pcscf_metrics.c: the P-CSCF's metrics (see pcscf_metrics.h). */
#include "pcscf_metrics.h"

#include "pcscf_context.h"

#include "log/log.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static struct metrics *registry;
static struct metrics_ims ims;
static struct metrics_http *http;
static bool ready;

const struct metrics_ims *pcscf_ims(void)
{
    return ready ? &ims : NULL;
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
    int rc = metrics_cfg_check(c);

    if (rc == 0)
        rc = metrics_new(&registry);
    if (rc == 0)
        rc = metrics_ims_register(registry, &ims);
    if (rc == 0)
        rc = metrics_gauge_set_fn(ims.registrations, count_registered, NULL);
    if (rc == 0)
        rc = metrics_gauge_set_fn(ims.subscriptions, count_subscriptions, NULL);
    if (rc == 0)
        rc = metrics_http_start_cfg(registry, loop_base(loop), c, &http);
    if (rc) {
        log_error("pcscf: metrics: %s", strerror(-rc));
        pcscf_metrics_stop();
        return rc;
    }
    ready = true;
    if (http)
        log_info("pcscf: metrics on http://%s:%u/metrics", cfg_str(c, "metrics.listen"),
                 (unsigned)metrics_http_port(http));
    return 0;
}

void pcscf_metrics_stop(void)
{
    ready = false;
    metrics_http_free(http);
    http = NULL;
    metrics_free(registry);
    registry = NULL;
    memset(&ims, 0, sizeof(ims));
}
