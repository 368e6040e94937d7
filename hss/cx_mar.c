/*
 * cx_mar.c: Multimedia-Auth-Request (S-CSCF -> HSS), TS 29.228 §6.3 and
 * TS 29.229 §6.3, TS 33.203 / TS 33.102 for AKA.
 *
 *  1. IMPI and IMPU exist (USER_UNKNOWN) and belong together
 *     (IDENTITIES_DONT_MATCH);
 *  2. the scheme: "Unknown" (or none) is the subscriber's own (AKA first);
 *     Digest-AKAv1-MD5 and SIP Digest when provisioned; anything else
 *     AUTH_SCHEME_NOT_SUPPORTED;
 *  3. the S-CSCF name: stored when none is; a MAR from another S-CSCF
 *     overwrites it (TS 29.228 §8.1) except for a resynchronisation, and the
 *     old S-CSCF is sent an RTR when it still served the user (§8.1.1);
 *  4. resync (SIP-Authorization = RAND || AUTS): MAC-S is verified, a bad one
 *     is DIAMETER_AUTHORIZATION_REJECTED, a good one moves SQN_HE past SQN_MS;
 *  5. 1..N vectors (capped by auth.max_vectors); their SQNs are committed to
 *     the store before this function returns, so before the MAA leaves.
 */
#include "hss_context.h"
#include "hss_cx.h"
#include "store_extra.h"

#include "aka/aka.h"
#include "log/log.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEME_AKA    "Digest-AKAv1-MD5"
#define SCHEME_DIGEST "SIP Digest"

/* Maps a requested scheme name to STORE_SCHEME_* (0: not one we support). */
static unsigned scheme_of(const char *name, unsigned provisioned)
{
    if (!name || !*name || strcasecmp(name, "Unknown") == 0)
        return (provisioned & STORE_SCHEME_AKAV1_MD5) ? STORE_SCHEME_AKAV1_MD5
                                                      : (provisioned & STORE_SCHEME_DIGEST_MD5);
    if (strcasecmp(name, SCHEME_AKA) == 0)
        return STORE_SCHEME_AKAV1_MD5;
    if (strcasecmp(name, SCHEME_DIGEST) == 0 || strcasecmp(name, "Digest-MD5") == 0 ||
        strcasecmp(name, "Digest") == 0)
        return STORE_SCHEME_DIGEST_MD5;
    return 0;
}

/* Step 3: stores the S-CSCF name. */
static int assign_scscf(struct store *st, const struct cx_mar *req, bool resync)
{
    char current[STORE_ID_SIZE] = "";
    struct store_impu rec;
    int rc;

    rc = store_scscf_claim(st, req->public_identity, req->server_name, current);
    if (rc != STORE_EASSIGNED)
        return rc;
    if (resync)
        return 0; /* §8.1: a resynchronisation never moves the user */
    rc = store_impu_get(st, req->public_identity, &rec);
    if (rc)
        return rc;
    rc = store_scscf_set(st, req->public_identity, req->server_name);
    if (rc)
        return rc;
    log_notice("MAR %s: S-CSCF changes from %s to %s (%s)", req->public_identity, current,
               req->server_name, store_reg_state_name(rec.state));
    if (rec.state != STORE_NOT_REGISTERED && hss_self()->rtr_on_reassign)
        hss_rtr_old_scscf(req->user_name, req->public_identity, current);
    return 0;
}

static int digest_item(const struct store_impi *sub, struct cx_maa *ans)
{
    struct cx_auth_item *it = &ans->items[0];
    char ha1[AKA_DIGEST_HEX_SIZE];
    const char *realm = hss_self()->digest_realm;
    int rc;

    if (sub->ha1[0]) {
        snprintf(ha1, sizeof(ha1), "%s", sub->ha1);
    } else if (sub->password[0]) {
        rc = aka_digest_ha1(sub->name, strlen(sub->name), realm, strlen(realm),
                            (const uint8_t *)sub->password, strlen(sub->password), ha1);
        if (rc)
            return rc;
    } else {
        ans->result.exp_result = CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED;
        return 0;
    }
    it->has_item_number = true;
    it->item_number = 1;
    it->scheme = strdup(SCHEME_DIGEST);
    it->digest_realm = strdup(realm);
    it->digest_algorithm = strdup("MD5");
    it->digest_qop = strdup("auth");
    it->digest_ha1 = strdup(ha1);
    OPENSSL_cleanse(ha1, sizeof(ha1));
    ans->n_items = 1;
    if (!it->scheme || !it->digest_realm || !it->digest_algorithm || !it->digest_qop ||
        !it->digest_ha1)
        return -ENOMEM;
    ans->result.result_code = CX_DIAMETER_SUCCESS;
    return 0;
}

/*
 * Step 4. Returns 0 and sets *rejected when MAC-S does not verify, or a
 * negative errno.
 */
static int resync(struct store *st, const struct store_impi *sub, const struct cx_bytes *authz,
                  bool *rejected)
{
    uint64_t sqn_ms = 0;
    int rc;

    rc = aka_auts_verify(sub->k, sub->opc, authz->data, authz->data + AKA_RAND_LEN, &sqn_ms);
    if (rc == AKA_EMAC) {
        log_warn("MAR %s: resynchronisation rejected: MAC-S does not verify", sub->name);
        *rejected = true;
        return 0;
    }
    if (rc)
        return rc;
    rc = store_sqn_resync(st, sub->name, hss_self()->ind_bits, sqn_ms);
    if (rc == 0)
        log_info("MAR %s: SQN resynchronised from SQN_MS %llu", sub->name,
                 (unsigned long long)sqn_ms);
    return rc;
}

static int aka_items(struct store *st, const struct cx_mar *req, struct cx_maa *ans)
{
    struct hss_context *h = hss_self();
    uint64_t sqns[CX_MAX_AUTH_ITEMS];
    struct store_auth keys;
    size_t n = req->num_auth_items;
    int rc;

    if (n < 1)
        n = 1;
    if (n > h->max_vectors)
        n = h->max_vectors;
    if (n > CX_MAX_AUTH_ITEMS)
        n = CX_MAX_AUTH_ITEMS;
    /* Committed before return: these SQNs are never handed out again. */
    rc = store_sqn_next_batch(st, req->user_name, h->ind_bits, n, sqns, &keys);
    if (rc == STORE_ENOKEY) {
        ans->result.exp_result = CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED;
        return 0;
    }
    if (rc) {
        log_error("MAR %s: no SQN: %s", req->user_name, store_errmsg(st));
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        struct cx_auth_item *it = &ans->items[i];
        struct aka_vector v;
        uint8_t challenge[AKA_RAND_LEN + AKA_AUTN_LEN];

        rc = aka_vector_generate(keys.k, keys.opc, keys.amf, sqns[i], NULL, &v);
        if (rc)
            goto out;
        memcpy(challenge, v.rand, AKA_RAND_LEN);
        memcpy(challenge + AKA_RAND_LEN, v.autn, AKA_AUTN_LEN);
        ans->n_items = i + 1;
        it->has_item_number = true;
        it->item_number = (uint32_t)(i + 1);
        it->scheme = strdup(SCHEME_AKA);
        if (!it->scheme || cx_bytes_set(&it->sip_authenticate, challenge, sizeof(challenge)) ||
            cx_bytes_set(&it->sip_authorization, v.xres, v.xres_len)) {
            OPENSSL_cleanse(&v, sizeof(v));
            rc = -ENOMEM;
            goto out;
        }
        it->has_ck = it->has_ik = true;
        memcpy(it->ck, v.ck, CX_KEY_LEN);
        memcpy(it->ik, v.ik, CX_KEY_LEN);
        OPENSSL_cleanse(&v, sizeof(v));
    }
    log_debug("MAR %s: %zu vector(s), SQN %llu..%llu", req->user_name, n,
              (unsigned long long)sqns[0], (unsigned long long)sqns[n - 1]);
    ans->result.result_code = CX_DIAMETER_SUCCESS;
out:
    OPENSSL_cleanse(&keys, sizeof(keys));
    return rc;
}

int hss_on_mar(const struct cx_mar *req, struct cx_maa *ans, void *arg)
{
    struct store *st = hss_store();
    const char *impi = hss_str(req->user_name), *impu = hss_str(req->public_identity);
    struct store_impi sub;
    unsigned scheme;
    bool is_resync = false, rejected = false;
    int rc;

    if (!st)
        return -EIO;
    rc = store_impi_impu_check(st, impi, impu);
    if (rc) {
        log_info("MAR %s / %s: %s", impi, impu, store_errmsg(st));
        return hss_lookup_result(rc, &ans->result);
    }
    if ((rc = store_impi_get(st, impi, &sub)) != 0)
        return hss_lookup_result(rc, &ans->result);
    ans->user_name = strdup(impi);
    ans->public_identity = strdup(impu);
    if (!ans->user_name || !ans->public_identity) {
        rc = -ENOMEM;
        goto out;
    }
    scheme = scheme_of(req->auth.scheme, sub.schemes);
    if (!scheme || !(scheme & sub.schemes)) {
        log_info("MAR %s: scheme '%s' not supported for this subscriber", impi,
                 hss_str(req->auth.scheme));
        ans->result.exp_result = CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED;
        goto out;
    }
    if (scheme == STORE_SCHEME_AKAV1_MD5 && req->auth.sip_authorization.len > 0) {
        if (req->auth.sip_authorization.len != AKA_RAND_LEN + AKA_AUTS_LEN) {
            log_info("MAR %s: SIP-Authorization of %zu octets is not RAND || AUTS", impi,
                     req->auth.sip_authorization.len);
            ans->result.result_code = CX_DIAMETER_INVALID_AVP_VALUE;
            goto out;
        }
        if (!sub.has_keys) {
            ans->result.exp_result = CX_DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED;
            goto out;
        }
        is_resync = true;
    }
    if (req->server_name && *req->server_name) {
        rc = assign_scscf(st, req, is_resync);
        if (rc == 0 && req->hdr.origin_host && req->hdr.origin_realm)
            rc = store_extra_peer_set(st, req->server_name, req->hdr.origin_host,
                                      req->hdr.origin_realm);
        if (rc == -EINVAL) {
            log_info("MAR %s: unusable Server-Name '%s'", impi, req->server_name);
            ans->result.result_code = CX_DIAMETER_INVALID_AVP_VALUE;
            rc = 0;
            goto out;
        }
        if (rc)
            goto out;
    }
    if (is_resync) {
        rc = resync(st, &sub, &req->auth.sip_authorization, &rejected);
        if (rc)
            goto out;
        if (rejected) {
            ans->result.result_code = CX_DIAMETER_AUTHORIZATION_REJECTED;
            goto out;
        }
    }
    ans->has_num_auth_items = true;
    if (scheme == STORE_SCHEME_DIGEST_MD5)
        rc = digest_item(&sub, ans);
    else
        rc = aka_items(st, req, ans);
    ans->num_auth_items = (uint32_t)ans->n_items;
out:
    OPENSSL_cleanse(&sub, sizeof(sub));
    return rc;
}
