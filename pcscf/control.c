/*
 * control.c: `imsctl pcscf list` on the P-CSCF's control socket (see
 * control.h). Runs on the loop thread; reads the UE registry, never changes it.
 */
#include "control.h"
#include "pcscf_context.h"

#include "cfg/cfg.h"
#include "ctl/ctl.h"
#include "log/log.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct ctl_server *ctl_srv;

static const char *sec_state(const struct pcscf_ue *ue)
{
    if (!ue->sec)
        return "none";
    return ue->state == PCSCF_UE_REGISTERED ? "active" : "pending";
}

static const char *sub_state(const struct pcscf_ue *ue)
{
    if (ue->sub_active)
        return "active";
    return ue->sub_call_id[0] ? "ended" : "none";
}

static void ue_record(uint64_t conn, const struct pcscf_ue *ue, time_t now)
{
    char flow[128], assoc[PCSCF_MAX_ASSOC * (SIP_URI_MAX + 1)] = "", spis[64] = "", ports[64] = "";
    size_t off = 0;

    if (ue->flow.proto == TXN_PROTO_TCP)
        snprintf(flow, sizeof(flow), "tcp:%s:%d#%" PRIu64, ue->flow.host, ue->flow.port,
                 ue->flow.conn_id);
    else
        snprintf(flow, sizeof(flow), "udp:%s:%d", ue->flow.host, ue->flow.port);
    for (size_t i = 0; i < ue->n_assoc && off < sizeof(assoc); i++)
        off +=
            (size_t)snprintf(assoc + off, sizeof(assoc) - off, "%s%s", i ? "," : "", ue->assoc[i]);
    if (ue->sec && ue->have_slot && ue->client.spi_c >= 0) {
        snprintf(spis, sizeof(spis), "%" PRId64 "/%" PRId64 ",%" PRIu32 "/%" PRIu32,
                 ue->client.spi_c, ue->client.spi_s, ue->slot.spi_c, ue->slot.spi_s);
        snprintf(ports, sizeof(ports), "%" PRId32 "/%" PRId32 ",%u/%u", ue->client.port_c,
                 ue->client.port_s, (unsigned)ue->slot.port_c, (unsigned)ue->slot.port_s);
    }
    ctl_record(conn, "UE");
    ctl_field_int(conn, "id", (long long)ue->id);
    ctl_field_str(conn, "impu", ue->impu);
    ctl_field_str(conn, "impi", ue->impi);
    ctl_field_str(conn, "state", ue->state == PCSCF_UE_REGISTERED ? "registered" : "challenged");
    ctl_field_int(conn, "expires_in", ue->expires_at > now ? (long long)(ue->expires_at - now) : 0);
    ctl_field_str(conn, "flow", flow);
    ctl_field_str(conn, "contact", ue->contact);
    ctl_field_str(conn, "associated", assoc);
    ctl_field_str(conn, "sec", sec_state(ue));
    ctl_field_str(conn, "mech", ue->sec ? ue->client.mech : "");
    ctl_field_str(conn, "alg", ue->sec ? ue->server.alg : "");
    ctl_field_str(conn, "ealg", ue->sec ? ue->server.ealg : "");
    ctl_field_str(conn, "spis", spis);
    ctl_field_str(conn, "ports", ports);
    ctl_field_str(conn, "reg_sub", sub_state(ue));
    ctl_field_str(conn, "sub_call_id", ue->sub_call_id);
    ctl_record_end(conn);
}

/* One request of `imsctl pcscf` (ctl_handler_fn). */
static void on_request(void *arg, uint64_t conn, char *line)
{
    time_t now = time(NULL);

    if (strcmp(line, "list") != 0) {
        ctl_fail(conn, "unknown request (list)");
        return;
    }
    log_debug("control: pcscf list");
    for (const struct pcscf_ue *ue = pcscf_self()->ues; ue; ue = ue->next)
        ue_record(conn, ue, now);
    ctl_reply(conn, "OK");
    ctl_end(conn);
}

int pcscf_control_start(struct loop *loop)
{
    struct pcscf_context *pc = pcscf_self();
    char path[PATH_MAX];
    int rc = cfg_path_join(path, sizeof(path), pc->state_dir, cfg_str(pc->cfg, "control.socket"));

    if (rc) {
        log_error("pcscf: bad control.socket path: %s", strerror(-rc));
        return rc;
    }
    return ctl_server_start(loop, "pcscf", path, on_request, NULL, &ctl_srv);
}

void pcscf_control_stop(void)
{
    ctl_server_stop(&ctl_srv);
}
