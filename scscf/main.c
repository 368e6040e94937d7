/*
 * scscf: the serving CSCF. Registrar and authentication (TS 24.229 §5.4.1)
 * over SIP (UDP and TCP) with Cx (MAR/SAR, RTR/PPR) to the HSS, and the reg
 * event package (SUBSCRIBE/NOTIFY, TS 24.229 §5.4.2).
 *
 *   scscf [-c config/scscf.conf] [--state-dir DIR] [--check-config] [-v] [-l LEVEL]
 *
 * Runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT and
 * reopens its log on SIGHUP.
 */
#include "control.h"
#include "cx_rtr_ppr.h"
#include "reg_event.h"
#include "reg_store.h"
#include "registrar.h"
#include "scscf_context.h"
#include "scscf_metrics.h"
#include "third_party_reg.h"

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "fdconf/fdconf_cfg.h"
#include "log/log.h"
#include "loop/loop.h"
#include "sipstack/sipstack.h"
#include "xml/xml.h"

#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONF "config/scscf.conf"

static atomic_bool peer_watch_stop;

/* Helper thread: logs "diameter peer <hss> open" once the HSS connection is open. */
static void *peer_watch(void *arg)
{
    const char *name = arg;

    while (!atomic_load(&peer_watch_stop)) {
        if (cx_peer_wait_open(name, 200) == 0) {
            log_notice("scscf: diameter peer %s open", name);
            break;
        }
    }
    return NULL;
}

static void on_term(void *arg)
{
    log_notice("scscf: stopping");
    loop_stop(arg);
}

static void on_hup(void *arg)
{
    log_reopen();
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    scscf_registrar_tick();
    scscf_reg_event_tick(scscf_now());
}

static void on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src)
{
    if (MSG_IS_REGISTER(req)) {
        scscf_register(st, req);
        return;
    }
    if (MSG_IS_SUBSCRIBE(req)) {
        scscf_subscribe(st, req, src);
        return;
    }
    if (MSG_IS_ACK(req)) {
        txn_server_release(st);
        return;
    }
    if (txn_respond_code(st, 501, NULL) != 0)
        log_warn("scscf: could not answer %s", req->sip_method);
}

int main(int argc, char **argv)
{
    struct scscf_context *s = scscf_self();
    struct txn_handlers h = {.on_request = on_request};
    struct sipstack_config sc;
    struct cfg_cli cli;
    struct cfg *cfg = NULL;
    struct loop *loop = NULL;
    struct sipstack *sip = NULL;
    struct event *tick = NULL;
    pthread_t watcher;
    bool cx_up = false, watching = false, store_open = false;
    int subs;
    char hss_name[256];
    int rc, status = 1;

    if (!cfg_cli_start(argc, argv, "scscf", DEFAULT_CONF, scscf_schema, &cli, &cfg, &status))
        return status;
    status = 1;
    if (scscf_context_load(&cfg, cli.state_dir, !cli.check_config) != 0)
        goto out;
    if (cli.check_config) {
        status = fdconf_write_cfg(s->cfg, s->run_dir, "scscf", true, NULL, 0) == 0 &&
                         metrics_cfg_check(s->cfg) == 0
                     ? 0
                     : 1;
        goto out;
    }
    xml_init();
    if ((rc = reg_store_open(s->store_path, s->store_sync)) != 0)
        goto out;
    store_open = true;
    if ((rc = reg_store_load_regs()) < 0 || (subs = scscf_reg_event_restore()) < 0) {
        log_error("scscf: cannot read the registration store %s", s->store_path);
        goto out;
    }
    log_notice("scscf: restored %d registrations and %d reg subscriptions from %s", rc, subs,
               s->store_path);
    if ((rc = loop_new(&loop)) != 0) {
        log_error("scscf: cannot create the loop: %s", strerror(-rc));
        goto out;
    }
    s->loop = loop;
    if (fdconf_write_cfg(s->cfg, s->run_dir, "scscf", false, s->fd_conf, sizeof(s->fd_conf)) != 0)
        goto out;
    if ((rc = cx_init(s->fd_conf)) != 0) {
        log_error("scscf: freeDiameter did not start with %s", s->fd_conf);
        goto out;
    }
    cx_up = true;
    if ((rc = scscf_cx_serve(loop)) != 0)
        goto out;
    memset(&sc, 0, sizeof(sc));
    sc.listen_host = s->sip_listen;
    sc.port = s->sip_port;
    sc.udp = cfg_bool(s->cfg, "sip.udp");
    sc.tcp = cfg_bool(s->cfg, "sip.tcp");
    sc.advertise = s->sip_advertise;
    sc.aliases = s->aliases;
    sc.n_aliases = s->n_aliases;
    if ((rc = scscf_metrics_start(loop, s->cfg)) != 0)
        goto out;
    sc.metrics = scscf_ims();
    if ((rc = sipstack_new(loop, &sc, &h, NULL, NULL, &sip)) != 0)
        goto out;
    s->sip = sip;
    tick = event_new(loop_base(loop), -1, EV_PERSIST, on_tick, NULL);
    if (!tick || event_add(tick, &(struct timeval){.tv_sec = 1}) != 0) {
        log_error("scscf: cannot arm the expiry timer");
        goto out;
    }
    if (loop_on_signals(loop, on_term, on_hup, loop) != 0 || scscf_control_start(loop) != 0)
        goto out;
    if ((rc = cx_start()) != 0) {
        log_error("scscf: freeDiameter core did not start: %s", strerror(-rc));
        goto out;
    }
    snprintf(hss_name, sizeof(hss_name), "%s",
             s->hss_identity ? s->hss_identity : "hss.ims.mnc001.mcc001.3gppnetwork.org");
    if (pthread_create(&watcher, NULL, peer_watch, hss_name) == 0)
        watching = true;
    log_notice("scscf: ready: %s on %s:%d (udp %s, tcp %s), Diameter %s", s->server_name,
               s->sip_listen, s->sip_port, sc.udp ? "on" : "off", sc.tcp ? "on" : "off",
               s->identity);
    status = loop_run(loop) == 0 ? 0 : 1;
out:
    if (watching) {
        atomic_store(&peer_watch_stop, true);
        pthread_join(watcher, NULL);
    }
    if (tick)
        event_free(tick);
    if (cx_up)
        cx_shutdown();
    scscf_control_stop();
    scscf_reg_event_free();
    scscf_third_party_free();
    sipstack_free(sip);
    s->sip = NULL;
    scscf_metrics_stop();
    scscf_registrar_free();
    if (store_open)
        reg_store_close();
    loop_free(loop);
    cfg_free(cfg);
    scscf_context_free();
    return status;
}
