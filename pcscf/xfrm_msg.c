/* xfrm_msg: XFRM netlink messages for the TS 33.203 SAs (see xfrm_msg.h). */
#include "xfrm_msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <netinet/in.h>

int pcscf_xfrm_alg_parse(const char *name, enum pcscf_xfrm_alg *out)
{
    if (!name || !out)
        return -EINVAL;
    if (strcasecmp(name, "hmac-sha-1-96") == 0)
        *out = PCSCF_ALG_HMAC_SHA1_96;
    else if (strcasecmp(name, "hmac-md5-96") == 0)
        *out = PCSCF_ALG_HMAC_MD5_96;
    else
        return -EINVAL;
    return 0;
}

int pcscf_xfrm_ealg_parse(const char *name, enum pcscf_xfrm_ealg *out)
{
    if (!out)
        return -EINVAL;
    if (!name || !name[0] || strcasecmp(name, "null") == 0)
        *out = PCSCF_EALG_NONE;
    else if (strcasecmp(name, "aes-cbc") == 0)
        *out = PCSCF_EALG_AES_CBC;
    else
        return -EINVAL;
    return 0;
}

int pcscf_xfrm_derive_keys(enum pcscf_xfrm_alg alg, enum pcscf_xfrm_ealg ealg, const uint8_t *ik,
                           const uint8_t *ck, struct pcscf_xfrm_keys *out)
{
    if (!ik || !out || (ealg == PCSCF_EALG_AES_CBC && !ck))
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    switch (alg) {
    case PCSCF_ALG_HMAC_MD5_96: /* IKesp = IKim */
        memcpy(out->auth, ik, 16);
        out->auth_len = 16;
        break;
    case PCSCF_ALG_HMAC_SHA1_96: /* IKesp = IKim || 32 zero bits */
        memcpy(out->auth, ik, 16);
        out->auth_len = 20;
        break;
    default:
        return -EINVAL;
    }
    switch (ealg) {
    case PCSCF_EALG_NONE:
        out->enc_len = 0;
        break;
    case PCSCF_EALG_AES_CBC: /* CKesp = CKim */
        memcpy(out->enc, ck, 16);
        out->enc_len = 16;
        break;
    default:
        return -EINVAL;
    }
    return 0;
}

int pcscf_xfrm_role_is_inbound(enum pcscf_sa_role role)
{
    return role == PCSCF_SA_IN_S || role == PCSCF_SA_IN_C;
}

static void sa_fill(struct pcscf_xfrm_sa *sa, const struct pcscf_xfrm_params *p, int inbound,
                    uint16_t p_port, uint16_t u_port, uint32_t spi, uint32_t reqid)
{
    size_t alen = p->family == AF_INET ? 4 : 16;

    memset(sa, 0, sizeof(*sa));
    sa->family = p->family;
    memcpy(inbound ? sa->src : sa->dst, p->ue_addr, alen);
    memcpy(inbound ? sa->dst : sa->src, p->pcscf_addr, alen);
    sa->sport = inbound ? u_port : p_port;
    sa->dport = inbound ? p_port : u_port;
    sa->spi = spi;
    sa->reqid = reqid;
    sa->alg = p->alg;
    sa->ealg = p->ealg;
}

int pcscf_xfrm_plan(const struct pcscf_xfrm_params *p, struct pcscf_xfrm_sa out[4])
{
    struct pcscf_xfrm_keys keys;
    int i, rc;

    if (!p || !out || (p->family != AF_INET && p->family != AF_INET6))
        return -EINVAL;
    if (p->spi_pc < 256 || p->spi_ps < 256 || p->spi_uc < 256 || p->spi_us < 256)
        return -EINVAL;
    if (!p->port_pc || !p->port_ps || !p->port_uc || !p->port_us)
        return -EINVAL;
    rc = pcscf_xfrm_derive_keys(p->alg, p->ealg, p->ik, p->ck, &keys);
    if (rc)
        return rc;
    sa_fill(&out[PCSCF_SA_IN_S], p, 1, p->port_ps, p->port_uc, p->spi_ps, p->reqid_base + 0);
    sa_fill(&out[PCSCF_SA_OUT_C], p, 0, p->port_pc, p->port_us, p->spi_us, p->reqid_base + 1);
    sa_fill(&out[PCSCF_SA_IN_C], p, 1, p->port_pc, p->port_us, p->spi_pc, p->reqid_base + 2);
    sa_fill(&out[PCSCF_SA_OUT_S], p, 0, p->port_ps, p->port_uc, p->spi_uc, p->reqid_base + 3);
    for (i = 0; i < 4; i++)
        out[i].keys = keys;
    return 0;
}

/* ---- netlink buffer helpers ---- */

struct nlbuf {
    uint8_t *buf;
    size_t cap;
    struct nlmsghdr *nlh;
};

static int nl_start(struct nlbuf *b, void *buf, size_t cap, uint16_t type, uint16_t flags,
                    uint32_t seq, size_t payload)
{
    if (!buf || cap < NLMSG_SPACE(payload))
        return -ENOSPC;
    memset(buf, 0, NLMSG_SPACE(payload));
    b->buf = buf;
    b->cap = cap;
    b->nlh = buf;
    b->nlh->nlmsg_len = NLMSG_LENGTH(payload);
    b->nlh->nlmsg_type = type;
    b->nlh->nlmsg_flags = flags;
    b->nlh->nlmsg_seq = seq;
    b->nlh->nlmsg_pid = 0;
    return 0;
}

static void *nl_payload(struct nlbuf *b)
{
    return NLMSG_DATA(b->nlh);
}

static int nl_attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
    size_t off = NLMSG_ALIGN(b->nlh->nlmsg_len);
    struct nlattr *a;

    if (off + NLA_ALIGN(NLA_HDRLEN + len) > b->cap)
        return -ENOSPC;
    a = (struct nlattr *)(b->buf + off);
    memset(a, 0, NLA_ALIGN(NLA_HDRLEN + len));
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    if (len)
        memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
    b->nlh->nlmsg_len = (uint32_t)(off + NLA_ALIGN(NLA_HDRLEN + len));
    return 0;
}

static void fill_selector(struct xfrm_selector *sel, const struct pcscf_xfrm_sa *sa)
{
    size_t alen = sa->family == AF_INET ? 4 : 16;

    memcpy(&sel->saddr, sa->src, alen);
    memcpy(&sel->daddr, sa->dst, alen);
    sel->sport = htons(sa->sport);
    sel->sport_mask = 0xffff;
    sel->dport = htons(sa->dport);
    sel->dport_mask = 0xffff;
    sel->family = (uint16_t)sa->family;
    sel->prefixlen_s = (uint8_t)(alen * 8);
    sel->prefixlen_d = (uint8_t)(alen * 8);
    sel->proto = 0; /* SIP runs over UDP and TCP on the same protected ports */
}

static void fill_lifetime(struct xfrm_lifetime_cfg *lft)
{
    lft->soft_byte_limit = XFRM_INF;
    lft->hard_byte_limit = XFRM_INF;
    lft->soft_packet_limit = XFRM_INF;
    lft->hard_packet_limit = XFRM_INF;
}

static int check_sa(const struct pcscf_xfrm_sa *sa, size_t *len)
{
    if (!sa || !len || (sa->family != AF_INET && sa->family != AF_INET6))
        return -EINVAL;
    if (sa->keys.auth_len != 16 && sa->keys.auth_len != 20)
        return -EINVAL;
    return 0;
}

int pcscf_xfrm_build_newsa(const struct pcscf_xfrm_sa *sa, uint32_t seq, void *buf, size_t buflen,
                           size_t *len)
{
    struct {
        struct xfrm_algo_auth hdr;
        uint8_t key[20];
    } auth;
    struct {
        struct xfrm_algo hdr;
        uint8_t key[16];
    } crypt;
    struct xfrm_usersa_info *info;
    struct nlbuf b;
    int rc;

    rc = check_sa(sa, len);
    if (rc)
        return rc;
    rc = nl_start(&b, buf, buflen, XFRM_MSG_NEWSA,
                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, sizeof(*info));
    if (rc)
        return rc;
    info = nl_payload(&b);
    fill_selector(&info->sel, sa);
    memcpy(&info->id.daddr, sa->dst, sa->family == AF_INET ? 4 : 16);
    info->id.spi = htonl(sa->spi);
    info->id.proto = IPPROTO_ESP;
    memcpy(&info->saddr, sa->src, sa->family == AF_INET ? 4 : 16);
    fill_lifetime(&info->lft);
    info->reqid = sa->reqid;
    info->family = (uint16_t)sa->family;
    info->mode = XFRM_MODE_TRANSPORT;
    info->replay_window = 32;

    memset(&auth, 0, sizeof(auth));
    snprintf(auth.hdr.alg_name, sizeof(auth.hdr.alg_name), "%s",
             sa->alg == PCSCF_ALG_HMAC_SHA1_96 ? "hmac(sha1)" : "hmac(md5)");
    auth.hdr.alg_key_len = (unsigned)(sa->keys.auth_len * 8);
    auth.hdr.alg_trunc_len = 96;
    memcpy(auth.key, sa->keys.auth, sa->keys.auth_len);
    rc = nl_attr(&b, XFRMA_ALG_AUTH_TRUNC, &auth, sizeof(auth.hdr) + sa->keys.auth_len);
    if (rc)
        return rc;

    memset(&crypt, 0, sizeof(crypt));
    snprintf(crypt.hdr.alg_name, sizeof(crypt.hdr.alg_name), "%s",
             sa->ealg == PCSCF_EALG_AES_CBC ? "cbc(aes)" : "ecb(cipher_null)");
    crypt.hdr.alg_key_len = (unsigned)(sa->keys.enc_len * 8);
    memcpy(crypt.key, sa->keys.enc, sa->keys.enc_len);
    rc = nl_attr(&b, XFRMA_ALG_CRYPT, &crypt, sizeof(crypt.hdr) + sa->keys.enc_len);
    if (rc)
        return rc;
    *len = b.nlh->nlmsg_len;
    return 0;
}

int pcscf_xfrm_build_delsa(const struct pcscf_xfrm_sa *sa, uint32_t seq, void *buf, size_t buflen,
                           size_t *len)
{
    struct xfrm_usersa_id *id;
    xfrm_address_t saddr;
    struct nlbuf b;
    int rc;

    if (!sa || !len || (sa->family != AF_INET && sa->family != AF_INET6))
        return -EINVAL;
    rc = nl_start(&b, buf, buflen, XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*id));
    if (rc)
        return rc;
    id = nl_payload(&b);
    memcpy(&id->daddr, sa->dst, sa->family == AF_INET ? 4 : 16);
    id->spi = htonl(sa->spi);
    id->family = (uint16_t)sa->family;
    id->proto = IPPROTO_ESP;
    /* the source address makes the lookup unambiguous */
    memset(&saddr, 0, sizeof(saddr));
    memcpy(&saddr, sa->src, sa->family == AF_INET ? 4 : 16);
    rc = nl_attr(&b, XFRMA_SRCADDR, &saddr, sizeof(saddr));
    if (rc)
        return rc;
    *len = b.nlh->nlmsg_len;
    return 0;
}

int pcscf_xfrm_build_newpolicy(const struct pcscf_xfrm_sa *sa, int inbound, uint32_t seq, void *buf,
                               size_t buflen, size_t *len)
{
    struct xfrm_userpolicy_info *pol;
    struct xfrm_user_tmpl tmpl;
    struct nlbuf b;
    size_t alen;
    int rc;

    rc = check_sa(sa, len);
    if (rc)
        return rc;
    alen = sa->family == AF_INET ? 4 : 16;
    rc = nl_start(&b, buf, buflen, XFRM_MSG_NEWPOLICY,
                  NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, sizeof(*pol));
    if (rc)
        return rc;
    pol = nl_payload(&b);
    fill_selector(&pol->sel, sa);
    fill_lifetime(&pol->lft);
    pol->priority = 2080;
    pol->dir = inbound ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
    pol->action = XFRM_POLICY_ALLOW;
    pol->share = XFRM_SHARE_ANY;

    memset(&tmpl, 0, sizeof(tmpl));
    memcpy(&tmpl.id.daddr, sa->dst, alen);
    tmpl.id.spi = htonl(sa->spi);
    tmpl.id.proto = IPPROTO_ESP;
    memcpy(&tmpl.saddr, sa->src, alen);
    tmpl.family = (uint16_t)sa->family;
    tmpl.reqid = sa->reqid;
    tmpl.mode = XFRM_MODE_TRANSPORT;
    tmpl.share = XFRM_SHARE_ANY;
    tmpl.aalgos = ~0u;
    tmpl.ealgos = ~0u;
    tmpl.calgos = ~0u;
    rc = nl_attr(&b, XFRMA_TMPL, &tmpl, sizeof(tmpl));
    if (rc)
        return rc;
    *len = b.nlh->nlmsg_len;
    return 0;
}

int pcscf_xfrm_build_delpolicy(const struct pcscf_xfrm_sa *sa, int inbound, uint32_t seq, void *buf,
                               size_t buflen, size_t *len)
{
    struct xfrm_userpolicy_id *id;
    struct nlbuf b;
    int rc;

    if (!sa || !len || (sa->family != AF_INET && sa->family != AF_INET6))
        return -EINVAL;
    rc = nl_start(&b, buf, buflen, XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, seq, sizeof(*id));
    if (rc)
        return rc;
    id = nl_payload(&b);
    fill_selector(&id->sel, sa);
    id->dir = inbound ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
    *len = b.nlh->nlmsg_len;
    return 0;
}
