/*
 * Milenage (3GPP TS 35.206) on OpenSSL's AES-128. With E = AES-128 keyed by K:
 *   OPc   = E(OP) xor OP
 *   TEMP  = E(RAND xor OPc)
 *   OUT1  = E(TEMP xor rot(IN1 xor OPc, 64)) xor OPc, IN1 = SQN||AMF||SQN||AMF
 *           f1 = OUT1[0..7], f1* = OUT1[8..15]
 *   OUTi  = E(rot(TEMP xor OPc, r_i) xor c_i) xor OPc for i = 2..5 with
 *           r = 0, 32, 64, 96 and c_i = 1, 2, 4, 8 in the last octet
 *           f5 = OUT2[0..5], f2 = OUT2[8..15], f3 = OUT3, f4 = OUT4,
 *           f5* = OUT5[0..5]
 * rot(x, r) rotates the 128-bit x left by r bits (all r here are whole octets).
 */
#include "aka/aka.h"
#include "aka_internal.h"

#include <openssl/crypto.h>
#include <string.h>

EVP_CIPHER_CTX *aka__aes_new(const uint8_t k[16])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (!ctx)
        return NULL;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* out = E_K(in), one block. */
static int aes_block(EVP_CIPHER_CTX *aes, const uint8_t in[16], uint8_t out[16])
{
    int n = 0;

    if (EVP_EncryptUpdate(aes, out, &n, in, 16) != 1 || n != 16)
        return -EIO;
    return 0;
}

static void xor16(uint8_t out[16], const uint8_t a[16], const uint8_t b[16])
{
    for (int i = 0; i < 16; i++)
        out[i] = a[i] ^ b[i];
}

/* out = rot(in, 8 * octets), left rotation. out must not alias in. */
static void rot16(uint8_t out[16], const uint8_t in[16], int octets)
{
    for (int i = 0; i < 16; i++)
        out[i] = in[(i + octets) % 16];
}

static int milenage_temp(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t rand[16],
                         uint8_t temp[16])
{
    uint8_t in[16];
    int rc;

    xor16(in, rand, opc);
    rc = aes_block(aes, in, temp);
    OPENSSL_cleanse(in, sizeof(in));
    return rc;
}

int aka__f1(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t rand[16],
            const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    uint8_t temp[16], in1[16], x[16], y[16], out1[16];
    int rc;

    rc = milenage_temp(aes, opc, rand, temp);
    if (rc < 0)
        goto out;
    memcpy(in1, sqn, 6);
    memcpy(in1 + 6, amf, 2);
    memcpy(in1 + 8, sqn, 6);
    memcpy(in1 + 14, amf, 2);
    xor16(x, in1, opc);
    rot16(y, x, 8); /* r1 = 64 bits, c1 = 0 */
    xor16(x, y, temp);
    rc = aes_block(aes, x, out1);
    if (rc < 0)
        goto out;
    xor16(out1, out1, opc);
    if (mac_a)
        memcpy(mac_a, out1, 8);
    if (mac_s)
        memcpy(mac_s, out1 + 8, 8);
out:
    OPENSSL_cleanse(temp, sizeof(temp));
    OPENSSL_cleanse(x, sizeof(x));
    OPENSSL_cleanse(y, sizeof(y));
    OPENSSL_cleanse(out1, sizeof(out1));
    return rc;
}

/* OUTi for i = 2..5: E(rot(TEMP xor OPc, r) xor c) xor OPc. */
static int milenage_outi(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t temp[16], int i,
                         uint8_t out[16])
{
    static const int rot_octets[] = {0, 4, 8, 12};
    uint8_t x[16], y[16];
    int rc;

    xor16(x, temp, opc);
    rot16(y, x, rot_octets[i - 2]);
    y[15] ^= (uint8_t)(1u << (i - 2));
    rc = aes_block(aes, y, out);
    if (rc == 0)
        xor16(out, out, opc);
    OPENSSL_cleanse(x, sizeof(x));
    OPENSSL_cleanse(y, sizeof(y));
    return rc;
}

int aka__f2345(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t rand[16], uint8_t res[8],
               uint8_t ck[16], uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6])
{
    uint8_t temp[16], out[16];
    int rc;

    rc = milenage_temp(aes, opc, rand, temp);
    if (rc < 0)
        goto out;
    if (res || ak) {
        rc = milenage_outi(aes, opc, temp, 2, out);
        if (rc < 0)
            goto out;
        if (ak)
            memcpy(ak, out, 6);
        if (res)
            memcpy(res, out + 8, 8);
    }
    if (ck) {
        rc = milenage_outi(aes, opc, temp, 3, out);
        if (rc < 0)
            goto out;
        memcpy(ck, out, 16);
    }
    if (ik) {
        rc = milenage_outi(aes, opc, temp, 4, out);
        if (rc < 0)
            goto out;
        memcpy(ik, out, 16);
    }
    if (ak_star) {
        rc = milenage_outi(aes, opc, temp, 5, out);
        if (rc < 0)
            goto out;
        memcpy(ak_star, out, 6);
    }
out:
    OPENSSL_cleanse(temp, sizeof(temp));
    OPENSSL_cleanse(out, sizeof(out));
    return rc;
}

int aka_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
    EVP_CIPHER_CTX *aes = NULL;
    uint8_t e[16];
    int rc;

    if (!k || !op || !opc)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aes_block(aes, op, e);
    if (rc == 0)
        xor16(opc, e, op);
    OPENSSL_cleanse(e, sizeof(e));
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_f1(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16], const uint8_t sqn[6],
           const uint8_t amf[2], uint8_t mac_a[8])
{
    EVP_CIPHER_CTX *aes = NULL;
    int rc;

    if (!k || !opc || !rand || !sqn || !amf || !mac_a)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f1(aes, opc, rand, sqn, amf, mac_a, NULL);
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_f1star(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
               const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_s[8])
{
    EVP_CIPHER_CTX *aes = NULL;
    int rc;

    if (!k || !opc || !rand || !sqn || !amf || !mac_s)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f1(aes, opc, rand, sqn, amf, NULL, mac_s);
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_f2345(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16], uint8_t res[8],
              uint8_t ck[16], uint8_t ik[16], uint8_t ak[6])
{
    EVP_CIPHER_CTX *aes = NULL;
    int rc;

    if (!k || !opc || !rand)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f2345(aes, opc, rand, res, ck, ik, ak, NULL);
    EVP_CIPHER_CTX_free(aes);
    return rc;
}

int aka_f5star(const uint8_t k[16], const uint8_t opc[16], const uint8_t rand[16],
               uint8_t ak_star[6])
{
    EVP_CIPHER_CTX *aes = NULL;
    int rc;

    if (!k || !opc || !rand || !ak_star)
        return -EINVAL;
    aes = aka__aes_new(k);
    if (!aes)
        return -EIO;
    rc = aka__f2345(aes, opc, rand, NULL, NULL, NULL, NULL, ak_star);
    EVP_CIPHER_CTX_free(aes);
    return rc;
}
