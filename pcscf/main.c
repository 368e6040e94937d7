/*
 * pcscf: the proxy-CSCF, the UE's entry point into the IMS core (TS 24.229
 * §5.2): sec-agree and IPsec parameters on REGISTER, Path towards the
 * registrar, its own reg-event subscription, identity assertion and routing
 * along the Service-Route for registered UEs.
 *
 *   pcscf [-c config/pcscf.conf] [--state-dir DIR] [--check-config] [-v] [-l LEVEL]
 *
 * Runs in the foreground, logs to stderr, stops cleanly on SIGTERM/SIGINT.
 * With ipsec.enabled = true it listens on the protected ports of its pool and
 * refuses to start when the kernel cannot install ESP SAs, unless ipsec.sa =
 * none (see docs/ipsec.md).
 */
#include "control.h"
#include "pcscf_context.h"
#include "pcscf_metrics.h"
#include "xfrm_detect.h"

#include "cfg/cfg.h"
#include "log/log.h"
#include "loop/loop.h"
#include "xml/xml.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_CONF "config/pcscf.conf"

static void on_term(void *arg)
{
    log_notice("pcscf: stopping");
    loop_stop(arg);
}

static void on_request(void *arg, struct txn_server *st, const osip_message_t *req,
                       const struct txn_addr *src)
{
    if (sip_msg_is_method(req, "REGISTER"))
        pcscf_register(st, req, src);
    else if (sip_msg_is_method(req, "ACK"))
        txn_server_release(st);
    else
        pcscf_request(st, req, src);
}

/* A UE's TCP connection closed: its flow is gone, so is its registration here. */
static void on_conn_closed(void *arg, uint64_t conn_id)
{
    struct pcscf_ue *ue = pcscf_self()->ues, *next;

    for (; ue; ue = next) {
        next = ue->next;
        /* a UE on SAs no longer needs the unprotected connection of its first REGISTER */
        if (ue->flow.proto == TXN_PROTO_TCP && ue->flow.conn_id == conn_id &&
            !pcscf_ue_is_protected(ue))
            pcscf_ue_purge(ue, "TCP flow closed");
    }
}

/* With ipsec on, the kernel must accept ESP SAs: checked before anything listens. */
static int check_ipsec(void)
{
    char why[256];
    enum pcscf_esp_status st;

    if (!pcscf_self()->ipsec) {
        log_info("pcscf: ipsec disabled: UEs are trusted by IP address and port; "
                 "sec-agree headers are still negotiated");
        return 0;
    }
    if (pcscf_self()->ipsec_sa_none) {
        log_warn("pcscf: ipsec: ipsec.sa = none: no ESP SA is installed here; requests are "
                 "trusted on the protected ports only, which is integrity protection ONLY when "
                 "something in front of the P-CSCF does ESP for these ports (docs/ipsec.md)");
        return 0;
    }
    st = pcscf_esp_detect(why, sizeof(why));
    if (st != PCSCF_ESP_AVAILABLE) {
        log_error("pcscf: ipsec.enabled = true but %s (%s); set ipsec.enabled = false or see "
                  "docs/ipsec.md",
                  why, pcscf_esp_status_name(st));
        return -ENOTSUP;
    }
    log_info("pcscf: ipsec: %s", why);
    if (pcscf_ipsec_open() != 0)
        return -ENOTSUP;
    return 0;
}

int main(int argc, char **argv)
{
    struct txn_handlers handlers = {.on_request = on_request};
    struct pcscf_context *pc = pcscf_self();
    struct sipstack_config sc;
    struct cfg_cli cli;
    struct cfg *cfg = NULL;
    struct loop *loop = NULL;
    int rc, status = 1;

    if (!cfg_cli_start(argc, argv, "pcscf", DEFAULT_CONF, pcscf_schema, &cli, &cfg, &status))
        return status;
    status = 1;
    if (pcscf_context_load(&cfg, cli.state_dir, !cli.check_config) != 0)
        goto out;
    if (cli.check_config) {
        status = metrics_cfg_check(pc->cfg) == 0 ? 0 : 1;
        goto out;
    }
    if (check_ipsec() != 0)
        goto out;
    xml_init();
    if ((rc = loop_new(&loop)) != 0) {
        log_error("pcscf: cannot create the loop: %s", strerror(-rc));
        goto out;
    }
    pc->loop = loop;
    memset(&sc, 0, sizeof(sc));
    sc.listen_host = pc->sip_listen;
    sc.port = pc->sip_port;
    sc.udp = pc->sip_udp;
    sc.tcp = pc->sip_tcp;
    sc.advertise = pc->advertise;
    sc.aliases = pc->alias_v;
    sc.n_aliases = pc->n_aliases;
    if ((rc = pcscf_metrics_start(loop, pc->cfg)) != 0)
        goto out;
    sc.metrics = pcscf_ims();
    if ((rc = sipstack_new(loop, &sc, &handlers, on_conn_closed, NULL, &pc->sip)) != 0 ||
        (rc = pcscf_protected_listen()) != 0)
        goto out;
    if (loop_on_signals(loop, on_term, NULL, loop) != 0 || pcscf_control_start(loop) != 0)
        goto out;
    log_notice("pcscf: ready: SIP on %s:%d (%s%s), I-CSCF %s:%d, Path <%s>, ipsec %s",
               pc->sip_listen, pc->sip_port, pc->sip_udp ? "udp" : "",
               pc->sip_tcp ? (pc->sip_udp ? "+tcp" : "tcp") : "", pc->icscf.host, pc->icscf.port,
               pc->path_uri, pc->ipsec ? (pc->ipsec_sa_none ? "on (sa none)" : "on") : "off");
    status = loop_run(loop) == 0 ? 0 : 1;
out:
    pcscf_control_stop();
    sipstack_free(pc->sip);
    pcscf_metrics_stop();
    pc->sip = NULL;
    loop_free(loop);
    cfg_free(cfg);
    pcscf_context_free();
    return status;
}
