/* sec_agree: ipsec-3gpp mechanism agreement (see sec_agree.h). */
#include "sec_agree.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const supported_alg[] = {"hmac-sha-1-96", "hmac-md5-96"};
static const char *const supported_ealg[] = {"null", "aes-cbc"};

static bool in_list(const char *v, const char *const *list, size_t n)
{
    size_t i;

    if (!v)
        return false;
    for (i = 0; i < n; i++)
        if (strcasecmp(v, list[i]) == 0)
            return true;
    return false;
}

bool pcscf_secagree_alg_is_supported(const char *alg)
{
    return in_list(alg, supported_alg, sizeof(supported_alg) / sizeof(supported_alg[0]));
}

bool pcscf_secagree_ealg_is_supported(const char *ealg)
{
    return in_list(ealg, supported_ealg, sizeof(supported_ealg) / sizeof(supported_ealg[0]));
}

static const char *effective_ealg(const struct sip_sec_mech *m)
{
    return m->ealg[0] ? m->ealg : PCSCF_EALG_NULL;
}

static bool offer_is_usable(const struct sip_sec_mech *m)
{
    if (strcasecmp(m->mech, "ipsec-3gpp") != 0)
        return false;
    if (m->spi_c < 0 || m->spi_s < 0 || m->port_c < 0 || m->port_s < 0)
        return false;
    if (m->prot[0] && strcasecmp(m->prot, "esp") != 0)
        return false;
    if (m->mod[0] && strcasecmp(m->mod, "trans") != 0)
        return false;
    return true;
}

int pcscf_secagree_choose(const struct sip_sec_mech *client, size_t n, const char *const *alg_pref,
                          size_t n_alg, const char *const *ealg_pref, size_t n_ealg)
{
    size_t a, e, i;

    if ((!client && n) || (!alg_pref && n_alg) || (!ealg_pref && n_ealg))
        return -EINVAL;
    for (a = 0; a < n_alg; a++) {
        if (!pcscf_secagree_alg_is_supported(alg_pref[a]))
            continue;
        for (e = 0; e < n_ealg; e++) {
            if (!pcscf_secagree_ealg_is_supported(ealg_pref[e]))
                continue;
            for (i = 0; i < n; i++) {
                if (!offer_is_usable(&client[i]))
                    continue;
                if (strcasecmp(client[i].alg, alg_pref[a]) == 0 &&
                    strcasecmp(effective_ealg(&client[i]), ealg_pref[e]) == 0)
                    return (int)i;
            }
        }
    }
    return -ENOENT;
}

int pcscf_secagree_server(const struct sip_sec_mech *chosen, const struct pcscf_pool_entry *slot,
                          struct sip_sec_mech *out)
{
    if (!chosen || !slot || !out || !chosen->alg[0])
        return -EINVAL;
    sip_sec_mech_init(out);
    snprintf(out->mech, sizeof(out->mech), "ipsec-3gpp");
    out->q = 100;
    snprintf(out->prot, sizeof(out->prot), "esp");
    snprintf(out->mod, sizeof(out->mod), "trans");
    out->spi_c = slot->spi_c;
    out->spi_s = slot->spi_s;
    out->port_c = slot->port_c;
    out->port_s = slot->port_s;
    snprintf(out->alg, sizeof(out->alg), "%s", chosen->alg);
    snprintf(out->ealg, sizeof(out->ealg), "%s", effective_ealg(chosen));
    return 0;
}

int pcscf_secagree_verify(const osip_message_t *req, const struct sip_sec_mech *sent, size_t n,
                          char *why, size_t whylen)
{
    struct sip_sec_mech got[SIP_SEC_MECH_MAX];
    char reason[128] = "";
    int rc;

    if (!req || (!sent && n))
        return -EINVAL;
    rc = sip_sec_get(req, "Security-Verify", got, SIP_SEC_MECH_MAX, reason, sizeof(reason));
    if (rc < 0) {
        if (why)
            snprintf(why, whylen, "bad Security-Verify: %s", reason[0] ? reason : "too many");
        return -EBADMSG;
    }
    if (rc == 0) {
        if (why)
            snprintf(why, whylen, "no Security-Verify");
        return -ENOENT;
    }
    if (!sip_sec_is_equal(got, (size_t)rc, sent, n)) {
        if (why)
            snprintf(why, whylen, "Security-Verify differs from the Security-Server sent");
        return -EACCES;
    }
    return 0;
}

const char *pcscf_secagree_integrity(bool ipsec, enum pcscf_protection prot)
{
    switch (prot) {
    case PCSCF_PROT_YES:
        return ipsec ? "yes" : "ip-assoc-yes";
    case PCSCF_PROT_PENDING:
        return ipsec ? "no" : "ip-assoc-pending";
    case PCSCF_PROT_NONE:
    default:
        return "no";
    }
}
