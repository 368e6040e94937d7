/*
 * icscf: the interrogating CSCF. REGISTER gets a UAR and goes to the S-CSCF the
 * HSS names or one chosen by capabilities; other initial requests get an LIR
 * and go to the serving S-CSCF. Only transaction state is kept.
 *
 *   icscf [-c config/icscf.conf] [--state-dir DIR] [--check-config] [-v] [-l LEVEL]
 *
 * Runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT.
 */
#include "icscf_context.h"
#include "icscf_metrics.h"

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "fdconf/fdconf_cfg.h"
#include "log/log.h"
#include "loop/loop.h"
#include "sip/sip.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_CONF "config/icscf.conf"

static atomic_bool watch_stop;

static void on_term(void *arg)
{
    log_notice("icscf: stopping");
    loop_stop(arg);
}

static void on_hup(void *arg)
{
    log_reopen();
}

/* Logs every Diameter peer going open or closed (helper thread: never blocks the loop). */
static void *peer_watch(void *arg)
{
    struct cx_peer_state peers[16];
    bool was_open[16] = {false};

    while (!atomic_load(&watch_stop)) {
        size_t n = 0;
        if (cx_peer_list(peers, 16, &n) == 0) {
            for (size_t i = 0; i < n && i < 16; i++) {
                if (peers[i].open != was_open[i])
                    log_notice("icscf: diameter peer %s %s", peers[i].name,
                               peers[i].open ? "open" : peers[i].state_name);
                was_open[i] = peers[i].open;
            }
        }
        usleep(200 * 1000);
    }
    return NULL;
}

static void on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src)
{
    if (sip_msg_is_method(req, "REGISTER"))
        icscf_register(st, req);
    else
        icscf_initial_request(st, req);
}

int main(int argc, char **argv)
{
    struct icscf_context *ic = icscf_self();
    struct txn_handlers handlers = {.on_request = on_request, .on_stray = NULL};
    struct sipstack_config sc;
    struct cfg_cli cli;
    struct cfg *cfg = NULL;
    struct loop *loop = NULL;
    pthread_t watcher;
    bool cx_up = false, watching = false;
    int rc, status = 1;

    if (!cfg_cli_start(argc, argv, "icscf", DEFAULT_CONF, icscf_schema, &cli, &cfg, &status))
        return status;
    status = 1;
    if (icscf_context_load(&cfg, cli.state_dir, !cli.check_config) != 0)
        goto out;
    if (cli.check_config) {
        status = fdconf_write_cfg(ic->cfg, ic->run_dir, "icscf", true, NULL, 0) == 0 &&
                         metrics_cfg_check(ic->cfg) == 0
                     ? 0
                     : 1;
        goto out;
    }
    if ((rc = loop_new(&loop)) != 0) {
        log_error("icscf: cannot create the loop: %s", strerror(-rc));
        goto out;
    }
    ic->loop = loop;
    if (fdconf_write_cfg(ic->cfg, ic->run_dir, "icscf", false, ic->fd_conf, sizeof(ic->fd_conf)))
        goto out;
    if ((rc = cx_init(ic->fd_conf)) != 0) {
        log_error("icscf: freeDiameter did not start with %s", ic->fd_conf);
        goto out;
    }
    cx_up = true;
    memset(&sc, 0, sizeof(sc));
    sc.listen_host = ic->sip_listen;
    sc.port = ic->sip_port;
    sc.udp = ic->sip_udp;
    sc.tcp = ic->sip_tcp;
    sc.aliases = ic->aliases;
    sc.n_aliases = ic->n_aliases;
    if ((rc = icscf_metrics_start(loop, ic->cfg)) != 0)
        goto out;
    sc.metrics = icscf_ims();
    if ((rc = sipstack_new(loop, &sc, &handlers, NULL, NULL, &ic->sip)) != 0)
        goto out;
    if (loop_on_signals(loop, on_term, on_hup, loop))
        goto out;
    if ((rc = cx_start()) != 0) {
        log_error("icscf: freeDiameter core did not start: %s", strerror(-rc));
        goto out;
    }
    if (pthread_create(&watcher, NULL, peer_watch, NULL) == 0)
        watching = true;
    log_notice("icscf: ready: SIP %s:%d (%s%s), Diameter %s, %zu S-CSCF(s)", ic->sip_listen,
               ic->sip_port, ic->sip_udp ? "udp" : "", ic->sip_tcp ? " tcp" : "", ic->identity,
               ic->n_scscfs);
    status = loop_run(loop) == 0 ? 0 : 1;
out:
    if (watching) {
        atomic_store(&watch_stop, true);
        pthread_join(watcher, NULL);
    }
    icscf_forward_free_all();
    if (cx_up)
        cx_shutdown();
    icscf_reselect_free_all();
    sipstack_free(ic->sip);
    icscf_metrics_stop();
    ic->sip = NULL;
    loop_free(loop);
    cfg_free(cfg);
    icscf_context_free();
    return status;
}
