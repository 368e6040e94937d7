/*
 * hss: the home subscriber server. Serves Cx (TS 29.228/29.229) on
 * freeDiameter's threads with the SQLite store, and sends RTR/PPR from its
 * loop when `imsctl hss` asks through the control socket.
 *
 *   hss [-c config/hss.conf] [--state-dir DIR] [--check-config] [-v] [-l LEVEL]
 *
 * Runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT.
 */
#include "control.h"
#include "hss_context.h"
#include "hss_cx.h"
#include "hss_metrics.h"
#include "store_extra.h"

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "fdconf/fdconf_cfg.h"
#include "log/log.h"
#include "loop/loop.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONF "config/hss.conf"

static void on_term(void *arg)
{
    log_notice("hss: stopping");
    loop_stop(arg);
}

/* Opens the store once: creates the schema and the extra table before any handler runs. */
static int prepare_store(void)
{
    struct store *st = hss_store();
    int rc;

    if (!st)
        return -EIO;
    rc = store_extra_init(st);
    if (rc)
        log_error("hss: store: %s", store_errmsg(st));
    return rc;
}

int main(int argc, char **argv)
{
    struct cx_server_handlers handlers = {
        .on_uar = hss_on_uar, .on_mar = hss_on_mar, .on_sar = hss_on_sar, .on_lir = hss_on_lir};
    struct hss_context *h = hss_self();
    struct cfg_cli cli;
    struct cfg *cfg = NULL;
    struct loop *loop = NULL;
    bool cx_up = false;
    int rc, status = 1;

    if (!cfg_cli_start(argc, argv, "hss", DEFAULT_CONF, hss_schema, &cli, &cfg, &status))
        return status;
    status = 1;
    if (hss_context_load(&cfg, cli.state_dir, !cli.check_config) != 0)
        goto out;
    if (cli.check_config) {
        status = fdconf_write_cfg(h->cfg, h->run_dir, "hss", true, NULL, 0) == 0 &&
                         metrics_cfg_check(h->cfg) == 0
                     ? 0
                     : 1;
        goto out;
    }
    xml_init();
    if ((rc = loop_new(&loop)) != 0) {
        log_error("hss: cannot create the loop: %s", strerror(-rc));
        goto out;
    }
    h->loop = loop;
    if (fdconf_write_cfg(h->cfg, h->run_dir, "hss", false, h->fd_conf, sizeof(h->fd_conf)) != 0 ||
        prepare_store() != 0)
        goto out;
    if ((rc = cx_init(h->fd_conf)) != 0) {
        log_error("hss: freeDiameter did not start with %s", h->fd_conf);
        goto out;
    }
    cx_up = true;
    if (hss_metrics_start(loop, h->cfg) != 0)
        goto out;
    hss_metrics_wrap(&handlers);
    if ((rc = cx_register_server(&handlers)) != 0) {
        log_error("hss: cannot register the Cx handlers: %s", strerror(-rc));
        goto out;
    }
    if (hss_control_start(loop, h->ctl_path) != 0 || loop_on_signals(loop, on_term, NULL, loop))
        goto out;
    if ((rc = cx_start()) != 0) {
        log_error("hss: freeDiameter core did not start: %s", strerror(-rc));
        goto out;
    }
    log_notice("hss: ready: %s (realm %s) serving Cx on port %lld, store %s", h->identity, h->realm,
               cfg_int(h->cfg, "diameter.port"), h->store_path);
    status = loop_run(loop) == 0 ? 0 : 1;
out:
    hss_control_stop();
    if (cx_up)
        cx_shutdown();
    hss_cx_pending_free_all();
    hss_metrics_stop();
    hss_stores_close_all();
    loop_free(loop);
    cfg_free(cfg);
    hss_context_free();
    return status;
}
