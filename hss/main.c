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
#include "store_extra.h"

#include "cfg/cfg.h"
#include "cx/cx.h"
#include "fdconf/fdconf.h"
#include "log/log.h"
#include "loop/loop.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_CONF "config/hss.conf"

/* Renders the freeDiameter configuration from hss.conf into the run directory. */
static int write_fd_conf(struct hss_context *h, bool check_only)
{
    const struct cfg *c = h->cfg;
    const char *allow[64];
    struct fdconf_peer peers[16];
    struct fdconf_tls tls = {0};
    struct fdconf fc = {0};
    int rc;

    fc.identity = h->identity;
    fc.realm = h->realm;
    fc.listen_address = cfg_str(c, "diameter.listen");
    if (fc.listen_address && !*fc.listen_address)
        fc.listen_address = NULL;
    fc.port = (uint16_t)cfg_int(c, "diameter.port");
    for (int i = 0; i < cfg_list_count(c, "diameter.allow") && fc.n_allow < 64; i++)
        allow[fc.n_allow++] = cfg_list_str(c, "diameter.allow", i);
    fc.allow = allow;
    for (int i = 0; i < cfg_list_count(c, "diameter.peers") && fc.n_peers < 16; i++) {
        const struct cfg *g = cfg_group(c, "diameter.peers", i);
        peers[fc.n_peers].identity = cfg_str(g, "identity");
        peers[fc.n_peers].address = cfg_str(g, "address");
        peers[fc.n_peers++].port = (uint16_t)cfg_int(g, "port");
    }
    fc.peers = peers;
    if (cfg_is_set(c, "diameter.tls.cert")) {
        tls.cert = cfg_str(c, "diameter.tls.cert");
        tls.key = cfg_str(c, "diameter.tls.key");
        tls.ca = cfg_str(c, "diameter.tls.ca");
        tls.sec_port = (uint16_t)cfg_int(c, "diameter.tls.port");
        if (!tls.key || !tls.ca) {
            log_error("hss: diameter.tls needs cert, key and ca");
            return -EINVAL;
        }
        fc.tls = &tls;
    }
    fc.load_3gpp_dicts = cfg_bool(c, "diameter.load_3gpp_dicts");
    fc.app_threads = (unsigned)cfg_int(c, "diameter.threads");
    if (check_only) {
        FILE *fp = fopen("/dev/null", "w");
        rc = fp ? fdconf_render(&fc, fc.n_allow ? "/dev/null" : NULL, fp) : -errno;
        if (fp)
            fclose(fp);
        if (rc)
            fprintf(stderr, "hss: the diameter settings cannot make a freeDiameter "
                            "configuration (quotes or control characters, relative TLS paths?)\n");
        return rc;
    }
    rc = fdconf_write(&fc, h->run_dir, "hss", h->fd_conf, sizeof(h->fd_conf));
    if (rc)
        log_error("hss: cannot write the freeDiameter configuration in %s: %s", h->run_dir,
                  strerror(-rc));
    return rc;
}

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
    enum log_level level = LOG_LEVEL_INFO;
    bool cx_up = false;
    int rc, status = 1;

    rc = cfg_cli_parse(argc, argv, "hss", DEFAULT_CONF, &cli);
    if (rc == CFG_CLI_EXIT)
        return 0;
    if (rc < 0)
        return 2;
    if (cfg_cli_load(&cli, hss_schema, &cfg) != 0)
        return 1;
    if (cli.log_level_set)
        level = cli.log_level;
    else
        log_level_parse(cfg_str(cfg, "log.level"), &level);
    log_init("hss", cli.check_config ? LOG_LEVEL_WARN : level);
    if (hss_context_load(&cfg, cli.state_dir, !cli.check_config) != 0)
        goto out;
    if (cli.check_config) {
        status = write_fd_conf(h, true) == 0 ? 0 : 1;
        goto out;
    }
    xml_init();
    if ((rc = loop_new(&loop)) != 0) {
        log_error("hss: cannot create the loop: %s", strerror(-rc));
        goto out;
    }
    h->loop = loop;
    if (write_fd_conf(h, false) != 0 || prepare_store() != 0)
        goto out;
    if ((rc = cx_init(h->fd_conf)) != 0) {
        log_error("hss: freeDiameter did not start with %s", h->fd_conf);
        goto out;
    }
    cx_up = true;
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
    hss_stores_close_all();
    loop_free(loop);
    cfg_free(cfg);
    hss_context_free();
    return status;
}
