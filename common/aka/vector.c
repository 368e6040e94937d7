/*
 * Network side of AKA (TS 33.102 §6.3.2, §6.3.5): authentication vector
 * generation and verification of the AUTS a UE sends on sync failure.
 */
#include "aka/aka.h"
#include "aka_internal.h"
#include "codec/codec.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

int aka_vector_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t amf[2],
                        uint64_t sqn, const uint8_t *rand, struct aka_vector *out)
{
    EVP_CIPHER_CTX *aes = NULL;
    uint8_t sqn_b[AKA_SQN_LEN], ak[AKA_AK_LEN], mac_a[AKA_MAC_LEN];
    int rc;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (!k || !opc || !amf || sqn > AKA_SQN_MAX)
        return -EINVAL;
    if (rand)
        memcpy(out->rand, rand, AKA_RAND_LEN);
    else if (RAND_bytes(out->rand, AKA_RAND_LEN) != 1)
        return -EIO;

    aes = aka__aes_new(k);
    if (!aes) {
        rc = -EIO;
        goto out;
    }
    aka_sqn_pack(sqn, sqn_b);
    rc = aka__f1(aes, opc, out->rand, sqn_b, amf, mac_a, NULL);
    if (rc < 0)
        goto out;
    rc = aka__f2345(aes, opc, out->rand, out->xres, out->ck, out->ik, ak, NULL);
    if (rc < 0)
        goto out;
    out->xres_len = AKA_RES_LEN;
    for (int i = 0; i < AKA_SQN_LEN; i++)
        out->autn[i] = sqn_b[i] ^ ak[i];
    memcpy(out->autn + 6, amf, AKA_AMF_LEN);
    memcpy(out->autn + 8, mac_a, AKA_MAC_LEN);
out:
    if (rc < 0)
        OPENSSL_cleanse(out, sizeof(*out));
    OPENSSL_cleanse(ak, sizeof(ak));
    OPENSSL_cleanse(mac_a, sizeof(mac_a));
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_auts_verify(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                    const uint8_t auts[14], uint64_t *sqn_ms)
{
    static const uint8_t amf_star[AKA_AMF_LEN] = {0x00, 0x00};
    EVP_CIPHER_CTX *aes = NULL;
    uint8_t ak_star[AKA_AK_LEN], sqn_b[AKA_SQN_LEN], xmac_s[AKA_MAC_LEN];
    int rc;

    if (!k || !opc || !rand || !auts)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f2345(aes, opc, rand, NULL, NULL, NULL, NULL, ak_star);
    if (rc < 0)
        goto out;
    for (int i = 0; i < AKA_SQN_LEN; i++)
        sqn_b[i] = auts[i] ^ ak_star[i];
    rc = aka__f1(aes, opc, rand, sqn_b, amf_star, NULL, xmac_s);
    if (rc < 0)
        goto out;
    if (!codec_ct_equal(xmac_s, auts + AKA_SQN_LEN, AKA_MAC_LEN)) {
        rc = AKA_EMAC;
        goto out;
    }
    if (sqn_ms)
        *sqn_ms = aka_sqn_unpack(sqn_b);
out:
    OPENSSL_cleanse(ak_star, sizeof(ak_star));
    OPENSSL_cleanse(sqn_b, sizeof(sqn_b));
    OPENSSL_cleanse(xmac_s, sizeof(xmac_s));
    EVP_CIPHER_CTX_free(aes);
    return rc;
}
