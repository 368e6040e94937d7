/* xfrm_sa: one UE's ESP SAs and policies in the kernel (see xfrm_sa.h). */
#include "xfrm_sa.h"

#include "log/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* One step of an install: an SA or a policy of a role. */
struct step {
    bool policy;
    enum pcscf_sa_role role;
};

static const char *const role_text[4] = {
    [PCSCF_SA_IN_S] = "inbound to our port-s",
    [PCSCF_SA_OUT_C] = "outbound from our port-c",
    [PCSCF_SA_IN_C] = "inbound to our port-c",
    [PCSCF_SA_OUT_S] = "outbound from our port-s",
};

static void addr_text(int family, const uint8_t *a, char *out, size_t outlen)
{
    if (!inet_ntop(family, a, out, (socklen_t)outlen))
        snprintf(out, outlen, "?");
}

/* "SA 2 (outbound from our port-c, 10.0.0.1:6100 -> 10.0.0.2:5001, SPI 4321)" */
static void step_text(const struct pcscf_xfrm_sa *sas, struct step s, char *out, size_t outlen)
{
    const struct pcscf_xfrm_sa *sa = &sas[s.role];
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

    addr_text(sa->family, sa->src, src, sizeof(src));
    addr_text(sa->family, sa->dst, dst, sizeof(dst));
    snprintf(out, outlen, "%s %d (%s, %s%s%s:%u -> %s%s%s:%u, SPI %u)",
             s.policy ? "policy of SA" : "SA", (int)s.role + 1, role_text[s.role],
             sa->family == AF_INET6 ? "[" : "", src, sa->family == AF_INET6 ? "]" : "", sa->sport,
             sa->family == AF_INET6 ? "[" : "", dst, sa->family == AF_INET6 ? "]" : "", sa->dport,
             sa->spi);
}

/* Sends one add (add = true) or delete request of step s. Returns 0 or <0. */
static int do_step(struct pcscf_xfrm_nl *nl, const struct pcscf_xfrm_sa *sas, struct step s,
                   bool add)
{
    const struct pcscf_xfrm_sa *sa = &sas[s.role];
    uint8_t msg[PCSCF_XFRM_MSG_MAX];
    int inbound = pcscf_xfrm_role_is_inbound(s.role);
    uint32_t seq = pcscf_xfrm_nl_next_seq(nl);
    size_t len = 0;
    int rc;

    if (s.policy)
        rc = add ? pcscf_xfrm_build_newpolicy(sa, inbound, seq, msg, sizeof(msg), &len)
                 : pcscf_xfrm_build_delpolicy(sa, inbound, seq, msg, sizeof(msg), &len);
    else
        rc = add ? pcscf_xfrm_build_newsa(sa, seq, msg, sizeof(msg), &len)
                 : pcscf_xfrm_build_delsa(sa, seq, msg, sizeof(msg), &len);
    if (rc)
        return rc;
    return pcscf_xfrm_nl_transact(nl, msg, len, seq);
}

/* The eight steps of an install, in order (remove: policies first, see xfrm_sa.h). */
static struct step step_at(bool policies_first, int i)
{
    struct step s;

    s.policy = policies_first ? i < 4 : i >= 4;
    s.role = (enum pcscf_sa_role)(i % 4);
    return s;
}

static void log_sas(const char *what, const struct pcscf_xfrm_params *p)
{
    char ue[INET6_ADDRSTRLEN], pc[INET6_ADDRSTRLEN];

    if (!log_is_enabled(LOG_LEVEL_INFO))
        return;
    if (!inet_ntop(p->family, p->ue_addr, ue, sizeof(ue)))
        snprintf(ue, sizeof(ue), "?");
    if (!inet_ntop(p->family, p->pcscf_addr, pc, sizeof(pc)))
        snprintf(pc, sizeof(pc), "?");
    log_info("pcscf: ipsec: %s SAs UE %s port-c %u port-s %u spi-c %u spi-s %u <-> P-CSCF %s "
             "port-c %u port-s %u spi-c %u spi-s %u",
             what, ue, p->port_uc, p->port_us, p->spi_uc, p->spi_us, pc, p->port_pc, p->port_ps,
             p->spi_pc, p->spi_ps);
}

int pcscf_xfrm_sa_install(struct pcscf_xfrm_nl *nl, const struct pcscf_xfrm_params *p, char *why,
                          size_t whylen)
{
    struct pcscf_xfrm_sa sas[4];
    char dummy[1], what[200];
    int i, rc;

    if (!why) {
        why = dummy;
        whylen = sizeof(dummy);
    }
    if (!nl || !p) {
        snprintf(why, whylen, "no XFRM socket or no SA parameters");
        return -EINVAL;
    }
    rc = pcscf_xfrm_plan(p, sas);
    if (rc) {
        snprintf(why, whylen,
                 "the negotiated SA parameters are not usable (address family, an SPI below "
                 "256, a port 0 or an unknown algorithm): %s",
                 strerror(-rc));
        return rc;
    }
    for (i = 0; i < 8; i++) {
        rc = do_step(nl, sas, step_at(false, i), true);
        if (rc)
            break;
    }
    if (i == 8) {
        log_sas("installed", p);
        return 0;
    }
    step_text(sas, step_at(false, i), what, sizeof(what));
    snprintf(why, whylen, "the kernel refused to add %s: %s", what, strerror(-rc));
    /* take back what this call added, newest first */
    while (i-- > 0) {
        int r = do_step(nl, sas, step_at(false, i), false);

        if (r && r != -ENOENT && r != -ESRCH) {
            step_text(sas, step_at(false, i), what, sizeof(what));
            log_warn("pcscf: ipsec: cannot take back %s after a failed install: %s", what,
                     strerror(-r));
        }
    }
    return rc;
}

int pcscf_xfrm_sa_remove(struct pcscf_xfrm_nl *nl, const struct pcscf_xfrm_params *p)
{
    struct pcscf_xfrm_params q;
    struct pcscf_xfrm_sa sas[4];
    char what[200];
    int i, rc, first = 0, gone = 0;

    if (!nl || !p)
        return -EINVAL;
    /* the keys play no part in a delete: plan with valid dummy ones */
    q = *p;
    memset(q.ik, 0, sizeof(q.ik));
    memset(q.ck, 0, sizeof(q.ck));
    rc = pcscf_xfrm_plan(&q, sas);
    if (rc)
        return rc;
    for (i = 0; i < 8; i++) {
        struct step s = step_at(true, i);

        rc = do_step(nl, sas, s, false);
        if (rc == -ENOENT || rc == -ESRCH)
            gone++;
        if (rc == 0 || rc == -ENOENT || rc == -ESRCH)
            continue;
        step_text(sas, s, what, sizeof(what));
        log_warn("pcscf: ipsec: cannot remove %s: %s", what, strerror(-rc));
        if (!first)
            first = rc;
    }
    log_sas(first       ? "removed (with errors)"
            : gone == 8 ? "removed (none were there)"
                        : "removed",
            p);
    return first;
}
