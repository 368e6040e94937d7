/*
 * auth.c: pending challenges and Digest verification.
 */
#include "auth.h"

#include "codec/codec.h"
#include "log/log.h"
#include "scscf_context.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct scscf_challenge *pending;

void auth_challenge_free(struct scscf_challenge *ch)
{
    if (!ch)
        return;
    free(ch->impi);
    free(ch->impu);
    OPENSSL_cleanse(ch, sizeof(*ch));
    free(ch);
}

void auth_free_all(void)
{
    while (pending) {
        struct scscf_challenge *n = pending->next;
        auth_challenge_free(pending);
        pending = n;
    }
}

/* Fills ch and hdr for an AKAv1-MD5 item. Returns 0 or -EPROTO. */
static int aka_item(const struct cx_auth_item *it, bool qop_auth_int, struct scscf_challenge *ch,
                    struct sip_auth_challenge *hdr)
{
    if (it->sip_authenticate.len < AKA_RAND_LEN + AKA_AUTN_LEN || it->sip_authorization.len < 4 ||
        it->sip_authorization.len > sizeof(ch->xres) || !it->has_ck || !it->has_ik)
        return -EPROTO;
    memcpy(ch->rand, it->sip_authenticate.data, AKA_RAND_LEN);
    memcpy(ch->xres, it->sip_authorization.data, it->sip_authorization.len);
    ch->xres_len = it->sip_authorization.len;
    if (aka_nonce_build(it->sip_authenticate.data, it->sip_authenticate.data + AKA_RAND_LEN,
                        it->sip_authenticate.data + 32, it->sip_authenticate.len - 32, ch->nonce,
                        sizeof(ch->nonce)) != 0)
        return -EPROTO;
    snprintf(hdr->algorithm, sizeof(hdr->algorithm), "AKAv1-MD5");
    snprintf(hdr->qop, sizeof(hdr->qop), "%s", qop_auth_int ? "auth,auth-int" : "auth");
    if (codec_hex_encode(it->ck, CX_KEY_LEN, hdr->ck, sizeof(hdr->ck)) ||
        codec_hex_encode(it->ik, CX_KEY_LEN, hdr->ik, sizeof(hdr->ik)))
        return -EPROTO;
    return 0;
}

/* Fills ch and hdr for a SIP Digest item. Returns 0 or -EPROTO. */
static int md5_item(const struct cx_auth_item *it, struct scscf_challenge *ch,
                    struct sip_auth_challenge *hdr)
{
    uint8_t rnd[24];

    if (!it->digest_ha1 || strlen(it->digest_ha1) != AKA_DIGEST_HEX_LEN)
        return -EPROTO;
    if (it->digest_algorithm && *it->digest_algorithm &&
        strcasecmp(it->digest_algorithm, "MD5") != 0)
        return -EPROTO;
    memcpy(ch->ha1, it->digest_ha1, AKA_DIGEST_HEX_SIZE);
    if (it->digest_realm && *it->digest_realm)
        snprintf(ch->realm, sizeof(ch->realm), "%s", it->digest_realm);
    if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
        codec_base64_encode(rnd, sizeof(rnd), ch->nonce, sizeof(ch->nonce)) != 0)
        return -EPROTO;
    snprintf(hdr->algorithm, sizeof(hdr->algorithm), "MD5");
    snprintf(hdr->qop, sizeof(hdr->qop), "auth");
    return 0;
}

int auth_challenge_new(const char *impi, const char *impu, const struct cx_maa *maa,
                       const char *realm, bool qop_auth_int, unsigned ttl_s,
                       struct sip_auth_challenge *hdr)
{
    struct scscf_challenge *ch = calloc(1, sizeof(*ch));
    int rc = -EPROTO;

    if (!ch)
        return -ENOMEM;
    memset(hdr, 0, sizeof(*hdr));
    snprintf(ch->realm, sizeof(ch->realm), "%s", realm);
    for (size_t i = 0; i < maa->n_items && rc; i++) {
        const struct cx_auth_item *it = &maa->items[i];
        if (!it->scheme)
            continue;
        if (strcasecmp(it->scheme, "Digest-AKAv1-MD5") == 0) {
            ch->scheme = SCSCF_AUTH_AKAV1_MD5;
            rc = aka_item(it, qop_auth_int, ch, hdr);
        } else if (strcasecmp(it->scheme, "SIP Digest") == 0 ||
                   strcasecmp(it->scheme, "Digest-MD5") == 0) {
            ch->scheme = SCSCF_AUTH_DIGEST_MD5;
            rc = md5_item(it, ch, hdr);
        }
    }
    if (rc) {
        auth_challenge_free(ch);
        return rc;
    }
    ch->impi = strdup(impi);
    ch->impu = strdup(impu);
    if (!ch->impi || !ch->impu) {
        auth_challenge_free(ch);
        return -ENOMEM;
    }
    ch->state = SCSCF_AUTH_PENDING;
    ch->expires_at = scscf_now() + ttl_s;
    snprintf(hdr->scheme, sizeof(hdr->scheme), "Digest");
    snprintf(hdr->realm, sizeof(hdr->realm), "%s", ch->realm);
    snprintf(hdr->nonce, sizeof(hdr->nonce), "%s", ch->nonce);
    ch->next = pending;
    pending = ch;
    return 0;
}

struct scscf_challenge *auth_take(const char *impi, const char *nonce)
{
    for (struct scscf_challenge **p = &pending; *p; p = &(*p)->next) {
        struct scscf_challenge *ch = *p;
        if (ch->state == SCSCF_AUTH_PENDING && strcmp(ch->impi, impi) == 0 &&
            strcmp(ch->nonce, nonce) == 0) {
            *p = ch->next;
            ch->next = NULL;
            ch->state = SCSCF_AUTH_ANSWERED;
            return ch;
        }
    }
    return NULL;
}

bool auth_verify(const struct scscf_challenge *ch, const struct sip_auth_credentials *cr,
                 const char *method, const char *body, size_t body_len)
{
    char ha1[AKA_DIGEST_HEX_SIZE], ha2[AKA_DIGEST_HEX_SIZE], expect[AKA_DIGEST_HEX_SIZE];
    enum aka_qop qop = AKA_QOP_NONE;
    bool ok = false;
    int rc;

    if (strcmp(cr->username, ch->impi) != 0 || strcmp(cr->realm, ch->realm) != 0 ||
        strcmp(cr->nonce, ch->nonce) != 0 || !cr->uri[0])
        return false;
    if (cr->qop[0]) {
        if (aka_qop_parse(cr->qop, strlen(cr->qop), &qop) != 0)
            return false;
        if (!cr->nc[0] || !cr->cnonce[0])
            return false;
    }
    if (cr->algorithm[0]) {
        const char *want = ch->scheme == SCSCF_AUTH_AKAV1_MD5 ? "AKAv1-MD5" : "MD5";
        if (strcasecmp(cr->algorithm, want) != 0)
            return false;
    }
    if (ch->scheme == SCSCF_AUTH_AKAV1_MD5)
        rc = aka_akav1_ha1(cr->username, strlen(cr->username), cr->realm, strlen(cr->realm),
                           ch->xres, ch->xres_len, ha1);
    else
        rc = (memcpy(ha1, ch->ha1, sizeof(ha1)), 0);
    if (rc == 0)
        rc = aka_digest_ha2(method, cr->uri, qop, (const uint8_t *)body, body ? body_len : 0, ha2);
    if (rc == 0)
        rc = aka_digest_response(ha1, cr->nonce, cr->nc, cr->cnonce, qop, ha2, expect);
    if (rc == 0)
        ok = aka_digest_response_is_valid(expect, cr->response, strlen(cr->response));
    OPENSSL_cleanse(ha1, sizeof(ha1));
    OPENSSL_cleanse(expect, sizeof(expect));
    return ok;
}

void auth_expire(int64_t now, void (*cb)(void *arg, const char *impi, const char *impu), void *arg)
{
    struct scscf_challenge **p = &pending;

    while (*p) {
        struct scscf_challenge *ch = *p;
        if (ch->expires_at > now) {
            p = &ch->next;
            continue;
        }
        *p = ch->next;
        log_info("scscf: challenge for %s timed out", ch->impi);
        if (cb)
            cb(arg, ch->impi, ch->impu);
        auth_challenge_free(ch);
    }
}

void auth_forget(const char *impi)
{
    struct scscf_challenge **p = &pending;

    while (*p) {
        struct scscf_challenge *ch = *p;
        if (strcmp(ch->impi, impi) != 0) {
            p = &ch->next;
            continue;
        }
        *p = ch->next;
        auth_challenge_free(ch);
    }
}
