/*
 * freeDiameter core life cycle for Cx: init (config, log bridge, dictionary,
 * application advertisement), start, shutdown, and peer state queries.
 */
#include "cx_internal.h"

#include "log/log.h"
#include "loop/loop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum core_phase { PHASE_NONE, PHASE_INIT, PHASE_STARTED, PHASE_DOWN };

static enum core_phase phase = PHASE_NONE;

bool cx__is_initialised(void)
{
    return phase == PHASE_INIT || phase == PHASE_STARTED;
}

bool cx__is_started(void)
{
    return phase == PHASE_STARTED;
}

/* freeDiameter log lines go to our log module, at a matching level. */
static void fd_logger(int level, const char *fmt, va_list ap)
{
    enum log_level ours;
    char buf[1024];

    if (level >= FD_LOG_ERROR)
        ours = LOG_LEVEL_ERROR;
    else if (level > FD_LOG_NOTICE)
        ours = LOG_LEVEL_WARN;
    else if (level == FD_LOG_NOTICE)
        ours = LOG_LEVEL_INFO;
    else
        ours = LOG_LEVEL_DEBUG;
    if (!log_is_enabled(ours))
        return;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    log_write(ours, "freeDiameter", 0, "%s", buf);
}

int cx_init(const char *fd_conf_file)
{
    int ret;

    if (phase != PHASE_NONE)
        return -EALREADY;
    if (!fd_conf_file)
        return -EINVAL;
    phase = PHASE_DOWN; /* freeDiameter cannot be initialised twice, even after a failure */
    if ((ret = fd_core_initialize()) != 0) {
        log_error("cx: fd_core_initialize failed: %s", strerror(ret));
        return -ret;
    }
    fd_g_debug_lvl = log_is_enabled(LOG_LEVEL_DEBUG) ? FD_LOG_DEBUG : FD_LOG_NOTICE;
    fd_log_handler_register(fd_logger);
    phase = PHASE_INIT;
    if ((ret = fd_core_parseconf(fd_conf_file)) != 0) {
        log_error("cx: cannot load freeDiameter config %s: %s", fd_conf_file, strerror(ret));
        ret = -EINVAL;
        goto err;
    }
    /* After parseconf, so the extensions (dict_dcca_3gpp) have defined their AVPs. */
    if ((ret = cx__dict_init()) != 0)
        goto err;
    if ((ret = fd_disp_app_support(cx__d.app, cx__d.vendor, 1, 0)) != 0) {
        ret = -ret;
        goto err;
    }
    log_info("cx: freeDiameter %s started as %s (realm %s)", fd_core_version,
             fd_g_config->cnf_diamid, fd_g_config->cnf_diamrlm);
    return 0;
err:
    cx_shutdown();
    return ret;
}

int cx_start(void)
{
    int ret;
    if (phase != PHASE_INIT)
        return phase == PHASE_STARTED ? -EALREADY : -ENOTCONN;
    if ((ret = fd_core_start()) != 0 || (ret = fd_core_waitstartcomplete()) != 0) {
        log_error("cx: cannot start freeDiameter: %s", strerror(ret));
        return -ret;
    }
    phase = PHASE_STARTED;
    return 0;
}

void cx_shutdown(void)
{
    if (phase != PHASE_INIT && phase != PHASE_STARTED)
        return;
    phase = PHASE_DOWN;
    cx__server_shutdown();
    fd_core_shutdown();
    fd_core_wait_shutdown_complete();
    cx__client_shutdown();
    fd_log_handler_unregister();
}

static int peer_state(const char *name)
{
    struct peer_hdr *p = NULL;
    if (fd_peer_getbyid((DiamId_t)name, strlen(name), 0, &p) != 0 || !p)
        return -1;
    return fd_peer_get_state(p);
}

int cx_peer_wait_open(const char *name, unsigned timeout_ms)
{
    if (!name || !cx__is_initialised())
        return -EINVAL;
    long long deadline = loop_now_ms();
    deadline += timeout_ms;
    for (;;) {
        if (peer_state(name) == STATE_OPEN)
            return 0;
        if (loop_now_ms() >= deadline)
            return -ETIMEDOUT;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int cx_peer_list(struct cx_peer_state *out, size_t max, size_t *n)
{
    size_t count = 0;
    if (!n || (max && !out))
        return -EINVAL;
    if (!cx__is_initialised())
        return -ENOTCONN;
    if (pthread_rwlock_rdlock(&fd_g_peers_rw) != 0)
        return -EAGAIN;
    for (struct fd_list *li = fd_g_peers.next; li != &fd_g_peers; li = li->next, count++) {
        struct peer_hdr *p = (struct peer_hdr *)li->o;
        if (count >= max || !p)
            continue;
        struct cx_peer_state *s = &out[count];
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "%s", p->info.pi_diamid ? p->info.pi_diamid : "");
        s->state = fd_peer_get_state(p);
        s->open = s->state == STATE_OPEN;
        snprintf(s->state_name, sizeof(s->state_name), "%s", STATE_STR(s->state));
    }
    pthread_rwlock_unlock(&fd_g_peers_rw);
    *n = count;
    return 0;
}
