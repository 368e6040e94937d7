/*
 * ue_ipsec.c: the IPsec SAs of each UE at run time (ipsec.enabled = true),
 * TS 33.203 §7.1-§7.4 and TS 24.229 §5.2.2:
 *   - the 401 with ck/ik to a UE that sent Security-Client: the four SAs and
 *     their policies are installed before the 401 goes out (the protected
 *     second REGISTER needs them); a failed install turns the 401 into a 500;
 *   - re-registration of a UE that has SAs: the new SAs use a new pool slot
 *     and are installed on the 401, the old ones stay until the 200 of the
 *     re-REGISTER went out, then are removed (a failed re-registration removes
 *     the new ones and keeps the old);
 *   - purge (de-registration after its 200, expiry, reg-event terminated,
 *     failed registration, TCP flow closed, shutdown) removes them all.
 * Every function is a no-op when ipsec is off. Loop thread only.
 */
#include "pcscf_context.h"
#include "xfrm_sa.h"

#include "codec/codec.h"
#include "log/log.h"
#include "loop/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int pcscf_ipsec_open(void)
{
    struct pcscf_context *pc = pcscf_self();
    int rc;

    if (!pc->ipsec || pc->xfrm)
        return 0;
    rc = pcscf_xfrm_nl_open(PCSCF_XFRM_NL_TIMEOUT_MS, &pc->xfrm);
    if (rc)
        log_error("pcscf: ipsec: cannot open the XFRM netlink socket: %s", strerror(-rc));
    return rc;
}

/* Parses a numeric address (IPv6 possibly in brackets) into out. Returns the family or 0. */
static int parse_addr(const char *host, uint8_t out[16])
{
    char tmp[64];
    size_t n;

    if (inet_pton(AF_INET, host, out) == 1)
        return AF_INET;
    n = strlen(host);
    if (n >= 2 && n < sizeof(tmp) && host[0] == '[' && host[n - 1] == ']') {
        memcpy(tmp, host + 1, n - 2);
        tmp[n - 2] = '\0';
        host = tmp;
    }
    return inet_pton(AF_INET6, host, out) == 1 ? AF_INET6 : 0;
}

static bool addr_is_unspecified(const uint8_t *a, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (a[i])
            return false;
    return true;
}

/* Fills p from ue's flow, pool slot, chosen offer and keys. Returns 0 or <0 with why. */
static int ue_params(const struct pcscf_ue *ue, struct pcscf_xfrm_params *p, char *why,
                     size_t whylen)
{
    const struct pcscf_context *pc = pcscf_self();
    const struct sip_sec_mech *c = &ue->client;
    uint8_t local[16];
    int fam;

    memset(p, 0, sizeof(*p));
    fam = parse_addr(ue->flow.host, p->ue_addr);
    if (!fam) {
        snprintf(why, whylen, "the UE address %s is not numeric", ue->flow.host);
        return -EINVAL;
    }
    if (parse_addr(pc->sip_listen, local) != fam ||
        addr_is_unspecified(local, fam == AF_INET ? 4 : 16)) {
        snprintf(why, whylen,
                 "sip.listen %s is not a concrete address of the UE's family: the SAs need the "
                 "P-CSCF's own address",
                 pc->sip_listen);
        return -EAFNOSUPPORT;
    }
    p->family = fam;
    memcpy(p->pcscf_addr, local, sizeof(local));
    if (!ue->have_slot || c->spi_c < 256 || c->spi_c > UINT32_MAX || c->spi_s < 256 ||
        c->spi_s > UINT32_MAX || c->port_c < 1 || c->port_c > 65535 || c->port_s < 1 ||
        c->port_s > 65535) {
        snprintf(why, whylen, "the Security-Client offer has no usable spi-c/spi-s/port-c/port-s");
        return -EINVAL;
    }
    p->spi_pc = ue->slot.spi_c;
    p->spi_ps = ue->slot.spi_s;
    p->port_pc = ue->slot.port_c;
    p->port_ps = ue->slot.port_s;
    p->spi_uc = (uint32_t)c->spi_c;
    p->spi_us = (uint32_t)c->spi_s;
    p->port_uc = (uint16_t)c->port_c;
    p->port_us = (uint16_t)c->port_s;
    if (pcscf_xfrm_alg_parse(ue->server.alg, &p->alg) != 0 ||
        pcscf_xfrm_ealg_parse(ue->server.ealg, &p->ealg) != 0) {
        snprintf(why, whylen, "unsupported alg %s / ealg %s", ue->server.alg, ue->server.ealg);
        return -EINVAL;
    }
    if (codec_hex_decode_exact(ue->ik, p->ik, sizeof(p->ik)) != 0) {
        snprintf(why, whylen, "the 401 carried no usable ik (32 hex digits)");
        return -EINVAL;
    }
    if (p->ealg != PCSCF_EALG_NONE && codec_hex_decode_exact(ue->ck, p->ck, sizeof(p->ck)) != 0) {
        snprintf(why, whylen, "the 401 carried no usable ck (32 hex digits) for %s",
                 ue->server.ealg);
        return -EINVAL;
    }
    /* reqids unique per slot: slot i owns 4(i+1) .. 4(i+1)+3 */
    p->reqid_base = (ue->slot.idx + 1) * 4;
    return 0;
}

/* Removes the SAs p of ue; logs a failure (they may stay in the kernel). */
static void sa_remove(const struct pcscf_ue *ue, const struct pcscf_xfrm_params *p,
                      const char *which)
{
    int rc;

    if (pcscf_self()->ipsec_sa_none)
        return; /* nothing was installed here */
    rc = pcscf_xfrm_sa_remove(pcscf_self()->xfrm, p);
    if (rc)
        log_error("pcscf: %s: could not remove its %s SAs: %s (see `ip xfrm state`)", ue->impu,
                  which, strerror(-rc));
}

void pcscf_ue_sa_prepare(struct pcscf_ue *ue)
{
    const struct pcscf_context *pc = pcscf_self();

    if (!pc->ipsec || !ue)
        return;
    if (ue->state == PCSCF_UE_REGISTERED && ue->sa_on && !ue->old_on) {
        /* TS 33.203 §7.4: the registered SAs stay in use until the re-REGISTER's 200 */
        ue->old_on = true;
        ue->old_sa = ue->sa;
        ue->old_slot = ue->slot;
        ue->old_server = ue->server;
        ue->sa_on = false;
        ue->have_slot = false; /* the new SAs get a new slot */
        return;
    }
    if (ue->sa_on) {
        /* a new challenge replaces the temporary SAs of the previous one (same slot) */
        sa_remove(ue, &ue->sa, "temporary");
        ue->sa_on = false;
    }
}

/* Puts back the SAs of before the re-registration (the new ones are gone). */
static void restore_old(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();

    if (!ue->old_on)
        return;
    if (ue->have_slot)
        pcscf_pool_release(pc->pool, &ue->slot);
    ue->slot = ue->old_slot;
    ue->have_slot = true;
    ue->sa = ue->old_sa;
    ue->sa_on = true;
    ue->server = ue->old_server;
    ue->old_on = false;
}

int pcscf_ue_sa_install(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();
    struct pcscf_xfrm_params p;
    char why[320] = "";
    int rc;

    if (!pc->ipsec || !ue)
        return 0;
    rc = pc->xfrm || pc->ipsec_sa_none ? ue_params(ue, &p, why, sizeof(why)) : -ENOTCONN;
    if (rc == -ENOTCONN)
        snprintf(why, sizeof(why), "the XFRM socket is not open");
    if (rc == 0 && !pc->ipsec_sa_none) /* ipsec.sa = none: ESP is done outside */
        rc = pcscf_xfrm_sa_install(pc->xfrm, &p, why, sizeof(why));
    if (rc) {
        log_error("pcscf: %s on %s:%d: cannot install its IPsec SAs: %s; answering 500 instead "
                  "of the 401",
                  ue->impu, ue->flow.host, ue->flow.port, why);
        restore_old(ue);
        ue->icid[0] = '\0'; /* this registration attempt is over */
        return rc;
    }
    ue->sa = p;
    ue->sa_on = true;
    if (pc->ipsec_sa_none)
        log_info("pcscf: %s: ipsec.sa = none: SAs not installed; protected pair UE %s port-c %u "
                 "-> port-s %u, P-CSCF port-c %u -> UE port-s %u",
                 ue->impu, ue->flow.host, p.port_uc, p.port_ps, p.port_pc, p.port_us);
    return 0;
}

void pcscf_ue_sa_fail_response(osip_message_t *resp)
{
    if (!resp)
        return;
    osip_free(resp->reason_phrase);
    resp->reason_phrase = osip_strdup("Server Internal Error");
    resp->status_code = 500;
    /* neither the challenge nor our Security-Server may reach the UE */
    sip_hdr_remove(resp, "WWW-Authenticate");
    osip_list_special_free(&resp->www_authenticates, (void (*)(void *))osip_www_authenticate_free);
    sip_hdr_remove(resp, "Security-Server");
    osip_message_force_update(resp);
}

/* After the 200 of a re-REGISTER went out: the old SAs are no longer needed. */
static void commit_later(void *arg)
{
    struct pcscf_context *pc = pcscf_self();
    struct pcscf_ue *ue = pcscf_ue_by_id((uint64_t)(uintptr_t)arg);

    if (!ue || !ue->old_on)
        return; /* purged meanwhile: the purge removed them */
    if (!ue->sa_on) {
        /* no new SAs came of the re-registration (no slot, no Security-Server): keep the old */
        restore_old(ue);
        return;
    }
    sa_remove(ue, &ue->old_sa, "previous");
    pcscf_pool_release(pc->pool, &ue->old_slot);
    ue->old_on = false;
    log_info("pcscf: %s: re-registered, now on the new SAs (SPIs %u/%u)", ue->impu, ue->sa.spi_pc,
             ue->sa.spi_ps);
}

void pcscf_ue_sa_on_200(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();

    if (!pc->ipsec || !ue || !ue->old_on)
        return;
    if (loop_post(pc->loop, commit_later, (void *)(uintptr_t)ue->id) != 0)
        commit_later((void *)(uintptr_t)ue->id); /* no memory to defer: do it now */
}

void pcscf_ue_sa_on_failure(struct pcscf_ue *ue)
{
    const struct pcscf_context *pc = pcscf_self();

    if (!pc->ipsec || !ue || !ue->old_on)
        return;
    /* a failed re-registration: the UE keeps its old SAs (TS 33.203 §7.4) */
    if (ue->sa_on)
        sa_remove(ue, &ue->sa, "new");
    ue->sa_on = false;
    restore_old(ue);
}

void pcscf_ue_sa_remove_all(struct pcscf_ue *ue)
{
    struct pcscf_context *pc = pcscf_self();

    if (!ue)
        return;
    if (ue->sa_on && pc->xfrm)
        sa_remove(ue, &ue->sa, "current");
    ue->sa_on = false;
    if (ue->old_on) {
        if (pc->xfrm)
            sa_remove(ue, &ue->old_sa, "previous");
        pcscf_pool_release(pc->pool, &ue->old_slot);
        ue->old_on = false;
    }
}
