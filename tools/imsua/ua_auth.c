/* imsua: the UE's answers to Digest challenges (AKAv1-MD5 and MD5). */
#include "ua.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ua_hex_parse(const char *hex, uint8_t *out, size_t n)
{
    if (!hex || strlen(hex) != 2 * n)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        char b[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!strchr("0123456789abcdefABCDEF", b[0]) || !strchr("0123456789abcdefABCDEF", b[1]) ||
            sscanf(b, "%2x", &v) != 1)
            return -EINVAL;
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* Common part: fills the credentials and computes the response with ha1. */
static int finish(const char *ha1, const struct sip_auth_challenge *ch,
                  const struct ua_auth_req *rq, struct sip_auth_credentials *cr)
{
    char ha2[AKA_DIGEST_HEX_SIZE];
    enum aka_qop qop = AKA_QOP_NONE;
    int rc;
    /* qop-options may list several; we use auth when offered. */
    if (ch->qop[0] && strstr(ch->qop, "auth"))
        qop = AKA_QOP_AUTH;
    memset(cr, 0, sizeof(*cr));
    snprintf(cr->scheme, sizeof(cr->scheme), "Digest");
    snprintf(cr->username, sizeof(cr->username), "%s", rq->username);
    snprintf(cr->realm, sizeof(cr->realm), "%s", ch->realm);
    snprintf(cr->nonce, sizeof(cr->nonce), "%s", ch->nonce);
    snprintf(cr->uri, sizeof(cr->uri), "%s", rq->uri);
    snprintf(cr->algorithm, sizeof(cr->algorithm), "%s", ch->algorithm);
    snprintf(cr->opaque, sizeof(cr->opaque), "%s", ch->opaque);
    if (qop == AKA_QOP_AUTH) {
        snprintf(cr->qop, sizeof(cr->qop), "auth");
        snprintf(cr->nc, sizeof(cr->nc), "%08x", rq->nc);
        snprintf(cr->cnonce, sizeof(cr->cnonce), "%s", rq->cnonce);
    }
    if ((rc = aka_digest_ha2(rq->method, rq->uri, qop, NULL, 0, ha2)) < 0)
        return rc;
    return aka_digest_response(ha1, ch->nonce, cr->nc, cr->cnonce, qop, ha2, cr->response);
}

int ua_auth_aka(const uint8_t k[16], const uint8_t opc[16], struct aka_sqn_ms *ms,
                const struct sip_auth_challenge *ch, const struct ua_auth_req *rq,
                struct sip_auth_credentials *cr)
{
    uint8_t rand[16], autn[16], auts[14];
    struct aka_ue_result r;
    char ha1[AKA_DIGEST_HEX_SIZE], auts_b64[AKA_AUTS_B64_SIZE];
    int rc;

    if (aka_nonce_parse(ch->nonce, strlen(ch->nonce), rand, autn, NULL, 0, NULL) != 0)
        return UA_AKA_BAD_NONCE;
    rc = aka_ue_check(k, opc, rand, autn, ms, &r);
    if (rc == AKA_EMAC)
        return UA_AKA_MAC_FAIL;
    if (rc == AKA_ESYNC) {
        if ((rc = aka_auts_generate(k, opc, rand, aka_sqn_ms_highest(ms), auts)) < 0 ||
            (rc = aka_auts_encode(auts, auts_b64)) < 0)
            return rc;
        if ((rc = aka_akav1_ha1(rq->username, strlen(rq->username), ch->realm, strlen(ch->realm),
                                NULL, 0, ha1)) < 0 ||
            (rc = finish(ha1, ch, rq, cr)) < 0)
            return rc;
        snprintf(cr->auts, sizeof(cr->auts), "%s", auts_b64);
        return UA_AKA_RESYNC;
    }
    if (rc != 0)
        return rc < 0 ? rc : -EPROTO;
    rc = aka_akav1_ha1(rq->username, strlen(rq->username), ch->realm, strlen(ch->realm), r.res,
                       r.res_len, ha1);
    memset(&r, 0, sizeof(r));
    if (rc < 0 || (rc = finish(ha1, ch, rq, cr)) < 0)
        return rc;
    return UA_AKA_OK;
}

int ua_auth_md5(const char *password, const struct sip_auth_challenge *ch,
                const struct ua_auth_req *rq, struct sip_auth_credentials *cr)
{
    char ha1[AKA_DIGEST_HEX_SIZE];
    int rc = aka_digest_ha1(rq->username, strlen(rq->username), ch->realm, strlen(ch->realm),
                            (const uint8_t *)password, strlen(password), ha1);
    if (rc < 0)
        return rc;
    return finish(ha1, ch, rq, cr);
}
