/*
 * protected.c: the P-CSCF's protected ports (TS 33.203 §7.1, ipsec on).
 *
 * Each UE that negotiated ipsec-3gpp has a pool slot with our port-c and
 * port-s, and offered its own port-c and port-s in Security-Client. The four
 * SAs (ue_ipsec.c) select exactly these pairs:
 *   UE port-c -> our port-s   requests from the UE, and our responses back
 *   our port-c -> UE port-s   our requests to the UE, and its responses back
 * In transport mode ESP is invisible to the sockets, so the P-CSCF needs
 * plain UDP/TCP listeners on those ports, must send its requests to a UE from
 * port-c, and trusts a request from a UE only when it arrived over the pair
 * (that is the integrity check: the kernel dropped whatever failed ESP).
 *
 * Listeners: every port of the pool is opened at start rather than per UE when
 * its SAs are installed. Start-up then fails at once (and visibly) when a port
 * is taken, instead of a UE failing at run time; a pool sized for the expected
 * UEs costs two sockets per port; and a late retransmission to a released
 * port still finds a socket (and is refused: no SA matches). The ports
 * without SAs accept nothing: pcscf_ue_by_sa() finds no UE.
 */
#include "pcscf_context.h"

#include "log/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pcscf_protected_listen(void)
{
    struct pcscf_context *pc = pcscf_self();
    const struct proxy_self *me = sipstack_self(pc->sip);
    size_t n = pcscf_pool_size(pc->pool);
    int rc;

    if (!pc->ipsec)
        return 0;
    pc->prot_self = calloc(n, sizeof(*pc->prot_self));
    if (!pc->prot_self)
        return -ENOMEM;
    pc->n_prot_self = n;
    for (size_t i = 0; i < n; i++) {
        int port_c = pc->prot_port_min + 2 * (int)i;
        pc->prot_self[i] = *me;
        pc->prot_self[i].port = port_c;
        for (int port = port_c; port <= port_c + 1; port++) {
            rc = sipstack_listen_extra(pc->sip, port, pc->sip_udp, pc->sip_tcp);
            if (rc) {
                log_error("pcscf: ipsec: cannot listen on protected port %d: %s (ipsec.port_min.."
                          "port_max must be free)",
                          port, strerror(-rc));
                return rc;
            }
        }
    }
    log_info("pcscf: ipsec: listening on the protected ports %d..%d (%s%s), %zu slots",
             pc->prot_port_min, pc->prot_port_min + 2 * (int)n - 1, pc->sip_udp ? "udp" : "",
             pc->sip_tcp ? (pc->sip_udp ? "+tcp" : "tcp") : "", n);
    return 0;
}

bool pcscf_port_is_protected(int local_port)
{
    const struct pcscf_context *pc = pcscf_self();

    return pc->ipsec && pc->n_prot_self > 0 && local_port >= pc->prot_port_min &&
           local_port < pc->prot_port_min + 2 * (int)pc->n_prot_self;
}

/* src came from the UE of p over its port-c to our port-s. */
static bool came_over(const struct pcscf_ue *ue, const struct pcscf_xfrm_params *p,
                      const struct txn_addr *src)
{
    return src->local_port == p->port_ps && src->port == p->port_uc &&
           strcmp(src->host, ue->flow.host) == 0;
}

struct pcscf_ue *pcscf_ue_by_sa(const struct txn_addr *src)
{
    if (!src || !pcscf_port_is_protected(src->local_port))
        return NULL;
    for (struct pcscf_ue *ue = pcscf_self()->ues; ue; ue = ue->next)
        if ((ue->sa_on && came_over(ue, &ue->sa, src)) ||
            (ue->old_on && came_over(ue, &ue->old_sa, src)))
            return ue;
    return NULL;
}

bool pcscf_ue_is_protected(const struct pcscf_ue *ue)
{
    return pcscf_self()->ipsec && ue && (ue->sa_on || ue->old_on);
}

void pcscf_ue_destination(const struct pcscf_ue *ue, struct txn_addr *out,
                          const struct proxy_self **self)
{
    const struct pcscf_context *pc = pcscf_self();
    const struct pcscf_xfrm_params *p;
    size_t i;

    *out = ue->flow;
    *self = sipstack_self(pc->sip);
    if (!pcscf_ue_is_protected(ue))
        return;
    /* until a re-registration's 200 the UE still listens on the previous SAs */
    p = ue->old_on ? &ue->old_sa : &ue->sa;
    out->port = p->port_us;
    out->local_port = p->port_pc;
    out->conn_id = 0; /* TCP: our own connection from port-c to the UE's port-s */
    i = (size_t)(p->port_pc - pc->prot_port_min) / 2;
    if (p->port_pc >= pc->prot_port_min && i < pc->n_prot_self)
        *self = &pc->prot_self[i];
}
