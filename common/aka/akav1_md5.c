/*
 * Digest AKAv1-MD5 (RFC 3310): the nonce carries base64(RAND || AUTN ||
 * server data), the password is RES as raw octets, and a UE that detects a
 * sync failure answers with an empty password and auts = base64(AUTS).
 */
#include "aka/aka.h"
#include "codec/codec.h"

#include <openssl/crypto.h>
#include <string.h>

#define NONCE_BIN_MIN (AKA_RAND_LEN + AKA_AUTN_LEN)

int aka_nonce_build(const uint8_t rand[16], const uint8_t autn[16], const uint8_t *server_data,
                    size_t server_data_len, char *out, size_t out_size)
{
    uint8_t *bin = NULL;
    size_t len;
    int rc;

    if (!rand || !autn || !out || (!server_data && server_data_len))
        return -EINVAL;
    if (server_data_len > 4096)
        return -EINVAL;
    len = NONCE_BIN_MIN + server_data_len;
    if (out_size < CODEC_BASE64_LEN(len) + 1)
        return -ENOSPC;
    bin = OPENSSL_malloc(len);
    if (!bin)
        return -ENOMEM;
    memcpy(bin, rand, AKA_RAND_LEN);
    memcpy(bin + AKA_RAND_LEN, autn, AKA_AUTN_LEN);
    if (server_data_len)
        memcpy(bin + NONCE_BIN_MIN, server_data, server_data_len);
    rc = codec_base64_encode(bin, len, out, out_size);
    OPENSSL_free(bin);
    return rc;
}

int aka_nonce_parse(const char *nonce, size_t nonce_len, uint8_t rand[16], uint8_t autn[16],
                    uint8_t *server_data, size_t server_data_size, size_t *server_data_len)
{
    uint8_t *bin = NULL;
    size_t cap, len = 0, extra;
    int rc;

    if (!nonce || !rand || !autn || (server_data && !server_data_len))
        return -EINVAL;
    if (nonce_len < AKA_NONCE_MIN_B64_LEN - 2 || nonce_len > 8192)
        return -EINVAL;
    cap = (nonce_len / 4 + 1) * 3;
    bin = OPENSSL_malloc(cap);
    if (!bin)
        return -ENOMEM;
    rc = codec_base64_decode(nonce, nonce_len, bin, cap, &len);
    if (rc < 0)
        goto out;
    if (len < NONCE_BIN_MIN) {
        rc = -EINVAL;
        goto out;
    }
    extra = len - NONCE_BIN_MIN;
    if (server_data) {
        if (extra > server_data_size) {
            rc = -ENOSPC;
            goto out;
        }
        if (extra)
            memcpy(server_data, bin + NONCE_BIN_MIN, extra);
        *server_data_len = extra;
    }
    memcpy(rand, bin, AKA_RAND_LEN);
    memcpy(autn, bin + AKA_RAND_LEN, AKA_AUTN_LEN);
out:
    OPENSSL_free(bin);
    return rc;
}

int aka_akav1_ha1(const char *username, size_t username_len, const char *realm, size_t realm_len,
                  const uint8_t *res, size_t res_len, char ha1[AKA_DIGEST_HEX_SIZE])
{
    if (res_len != 0 && (!res || res_len < 4 || res_len > 16))
        return -EINVAL;
    return aka_digest_ha1(username, username_len, realm, realm_len, res, res_len, ha1);
}

int aka_auts_encode(const uint8_t auts[14], char out[AKA_AUTS_B64_SIZE])
{
    if (!auts || !out)
        return -EINVAL;
    return codec_base64_encode(auts, AKA_AUTS_LEN, out, AKA_AUTS_B64_SIZE);
}

int aka_auts_decode(const char *b64, size_t len, uint8_t auts[14])
{
    uint8_t buf[AKA_AUTS_LEN + 3];
    size_t n = 0;
    int rc;

    if (!b64 || !auts)
        return -EINVAL;
    rc = codec_base64_decode(b64, len, buf, sizeof(buf), &n);
    if (rc < 0 || n != AKA_AUTS_LEN) {
        rc = -EINVAL;
        goto out;
    }
    memcpy(auts, buf, AKA_AUTS_LEN);
out:
    OPENSSL_cleanse(buf, sizeof(buf));
    return rc;
}
