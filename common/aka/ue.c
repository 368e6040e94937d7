/*
 * UE side of AKA (TS 33.102 §6.3.3): checking AUTN and building AUTS. This
 * is what a USIM does; imscore uses it in its test UE and in tests that
 * check the vectors the HSS hands out.
 */
#include "aka/aka.h"
#include "aka_internal.h"
#include "codec/codec.h"

#include <openssl/crypto.h>
#include <string.h>

int aka_ue_check(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                 const uint8_t autn[16], struct aka_sqn_ms *ms, struct aka_ue_result *out)
{
    EVP_CIPHER_CTX *aes = NULL;
    uint8_t ak[AKA_AK_LEN], sqn_b[AKA_SQN_LEN], xmac_a[AKA_MAC_LEN];
    int rc;

    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if (!k || !opc || !rand || !autn)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f2345(aes, opc, rand, out->res, out->ck, out->ik, ak, NULL);
    if (rc < 0)
        goto out;
    for (int i = 0; i < AKA_SQN_LEN; i++)
        sqn_b[i] = autn[i] ^ ak[i];
    rc = aka__f1(aes, opc, rand, sqn_b, autn + 6, xmac_a, NULL);
    if (rc < 0)
        goto out;
    if (!codec_ct_equal(xmac_a, autn + 8, AKA_MAC_LEN)) {
        rc = AKA_EMAC;
        goto out;
    }
    out->sqn = aka_sqn_unpack(sqn_b);
    memcpy(out->amf, autn + 6, AKA_AMF_LEN);
    if (ms) {
        rc = aka_sqn_ms_accept(ms, out->sqn);
        if (rc < 0)
            goto out;
    }
    out->res_len = AKA_RES_LEN;
out:
    if (rc < 0) {
        /* Keep only what the caller needs to react: SQN and AMF on sync failure. */
        uint64_t sqn = out->sqn;
        uint8_t amf[AKA_AMF_LEN];
        memcpy(amf, out->amf, sizeof(amf));
        OPENSSL_cleanse(out, sizeof(*out));
        if (rc == AKA_ESYNC) {
            out->sqn = sqn;
            memcpy(out->amf, amf, sizeof(amf));
        }
    }
    OPENSSL_cleanse(ak, sizeof(ak));
    OPENSSL_cleanse(sqn_b, sizeof(sqn_b));
    OPENSSL_cleanse(xmac_a, sizeof(xmac_a));
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_auts_generate(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
                      uint64_t sqn_ms, uint8_t auts[14])
{
    static const uint8_t amf_star[AKA_AMF_LEN] = {0x00, 0x00};
    EVP_CIPHER_CTX *aes = NULL;
    uint8_t ak_star[AKA_AK_LEN], sqn_b[AKA_SQN_LEN];
    int rc;

    if (!k || !opc || !rand || !auts || sqn_ms > AKA_SQN_MAX)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    aka_sqn_pack(sqn_ms, sqn_b);
    rc = aka__f2345(aes, opc, rand, NULL, NULL, NULL, NULL, ak_star);
    if (rc < 0)
        goto out;
    rc = aka__f1(aes, opc, rand, sqn_b, amf_star, NULL, auts + AKA_SQN_LEN);
    if (rc < 0)
        goto out;
    for (int i = 0; i < AKA_SQN_LEN; i++)
        auts[i] = sqn_b[i] ^ ak_star[i];
out:
    OPENSSL_cleanse(ak_star, sizeof(ak_star));
    OPENSSL_cleanse(sqn_b, sizeof(sqn_b));
    EVP_CIPHER_CTX_free(aes);
    return rc;
}
