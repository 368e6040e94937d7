/*
 * HTTP Digest (RFC 2617) with MD5 through OpenSSL's EVP interface:
 *   HA1      = MD5(username ":" realm ":" password)
 *   HA1-sess = MD5(HA1 ":" nonce ":" cnonce)                 (MD5-sess)
 *   HA2      = MD5(method ":" uri [":" MD5(body)])           (auth-int adds the body)
 *   response = MD5(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2), or
 *              MD5(HA1 ":" nonce ":" HA2) without qop
 * All digests appear in their 32-lowercase-hex form.
 */
#include "aka/aka.h"
#include "aka_internal.h"
#include "codec/codec.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <string.h>
#include <strings.h>

#define COLON                                                                                      \
    {                                                                                              \
        ":", 1                                                                                     \
    }

int aka__md5_hex(const struct aka__part *parts, size_t n, char out[33])
{
    EVP_MD_CTX *md = NULL;
    uint8_t digest[16];
    unsigned int dlen = 0;
    int rc = -EIO;

    md = EVP_MD_CTX_new();
    if (!md)
        goto out;
    if (EVP_DigestInit_ex(md, EVP_md5(), NULL) != 1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len > 0 && EVP_DigestUpdate(md, parts[i].data, parts[i].len) != 1)
            goto out;
    if (EVP_DigestFinal_ex(md, digest, &dlen) != 1 || dlen != sizeof(digest))
        goto out;
    rc = codec_hex_encode(digest, sizeof(digest), out, 33);
out:
    OPENSSL_cleanse(digest, sizeof(digest));
    EVP_MD_CTX_free(md);
    return rc;
}

/* Copies a 32-hex-digit digest to out in lowercase; -EINVAL if malformed. */
static int digest_hex_normalise(const char *in, char out[33])
{
    if (!in || strlen(in) != AKA_DIGEST_HEX_LEN)
        return -EINVAL;
    for (int i = 0; i < AKA_DIGEST_HEX_LEN; i++) {
        if (!isxdigit((unsigned char)in[i]))
            return -EINVAL;
        out[i] = (char)tolower((unsigned char)in[i]);
    }
    out[AKA_DIGEST_HEX_LEN] = '\0';
    return 0;
}

const char *aka_qop_name(enum aka_qop qop)
{
    switch (qop) {
    case AKA_QOP_AUTH:
        return "auth";
    case AKA_QOP_AUTH_INT:
        return "auth-int";
    case AKA_QOP_NONE:
    default:
        return NULL;
    }
}

int aka_qop_parse(const char *s, size_t len, enum aka_qop *qop)
{
    if (!s || !qop)
        return -EINVAL;
    if (len == 4 && strncasecmp(s, "auth", 4) == 0)
        *qop = AKA_QOP_AUTH;
    else if (len == 8 && strncasecmp(s, "auth-int", 8) == 0)
        *qop = AKA_QOP_AUTH_INT;
    else
        return -EINVAL;
    return 0;
}

int aka_digest_ha1(const char *username, size_t username_len, const char *realm, size_t realm_len,
                   const uint8_t *password, size_t password_len, char ha1[AKA_DIGEST_HEX_SIZE])
{
    if (!ha1 || (!username && username_len) || (!realm && realm_len) || (!password && password_len))
        return -EINVAL;
    struct aka__part parts[] = {
        {username, username_len}, COLON, {realm, realm_len}, COLON, {password, password_len},
    };
    return aka__md5_hex(parts, sizeof(parts) / sizeof(parts[0]), ha1);
}

int aka_digest_ha1_sess(const char *ha1, const char *nonce, const char *cnonce,
                        char ha1_sess[AKA_DIGEST_HEX_SIZE])
{
    char h[AKA_DIGEST_HEX_SIZE];
    int rc;

    if (!nonce || !cnonce || !ha1_sess)
        return -EINVAL;
    rc = digest_hex_normalise(ha1, h);
    if (rc < 0)
        return rc;
    struct aka__part parts[] = {
        {h, AKA_DIGEST_HEX_LEN}, COLON, {nonce, strlen(nonce)}, COLON, {cnonce, strlen(cnonce)},
    };
    rc = aka__md5_hex(parts, sizeof(parts) / sizeof(parts[0]), ha1_sess);
    OPENSSL_cleanse(h, sizeof(h));
    return rc;
}

int aka_digest_ha2(const char *method, const char *uri, enum aka_qop qop, const uint8_t *body,
                   size_t body_len, char ha2[AKA_DIGEST_HEX_SIZE])
{
    char hbody[AKA_DIGEST_HEX_SIZE];
    size_t n = 3;
    int rc;

    if (!method || !uri || !ha2)
        return -EINVAL;
    if (qop != AKA_QOP_NONE && qop != AKA_QOP_AUTH && qop != AKA_QOP_AUTH_INT)
        return -EINVAL;
    if (qop == AKA_QOP_AUTH_INT) {
        struct aka__part b = {body, body_len};
        if (!body && body_len)
            return -EINVAL;
        rc = aka__md5_hex(&b, 1, hbody);
        if (rc < 0)
            return rc;
        n = 5;
    }
    struct aka__part parts[] = {
        {method, strlen(method)}, COLON, {uri, strlen(uri)}, COLON, {hbody, AKA_DIGEST_HEX_LEN},
    };
    return aka__md5_hex(parts, n, ha2);
}

int aka_digest_response(const char *ha1, const char *nonce, const char *nc, const char *cnonce,
                        enum aka_qop qop, const char *ha2, char response[AKA_DIGEST_HEX_SIZE])
{
    char h1[AKA_DIGEST_HEX_SIZE], h2[AKA_DIGEST_HEX_SIZE];
    const char *qop_name = aka_qop_name(qop);
    int rc;

    if (!nonce || !response)
        return -EINVAL;
    if (qop != AKA_QOP_NONE && (!qop_name || !nc || !cnonce))
        return -EINVAL;
    rc = digest_hex_normalise(ha1, h1);
    if (rc < 0)
        goto out;
    rc = digest_hex_normalise(ha2, h2);
    if (rc < 0)
        goto out;
    if (qop == AKA_QOP_NONE) {
        struct aka__part parts[] = {
            {h1, AKA_DIGEST_HEX_LEN}, COLON, {nonce, strlen(nonce)}, COLON,
            {h2, AKA_DIGEST_HEX_LEN},
        };
        rc = aka__md5_hex(parts, sizeof(parts) / sizeof(parts[0]), response);
    } else {
        struct aka__part parts[] = {
            {h1, AKA_DIGEST_HEX_LEN},
            COLON,
            {nonce, strlen(nonce)},
            COLON,
            {nc, strlen(nc)},
            COLON,
            {cnonce, strlen(cnonce)},
            COLON,
            {qop_name, strlen(qop_name)},
            COLON,
            {h2, AKA_DIGEST_HEX_LEN},
        };
        rc = aka__md5_hex(parts, sizeof(parts) / sizeof(parts[0]), response);
    }
out:
    OPENSSL_cleanse(h1, sizeof(h1));
    return rc;
}

bool aka_digest_response_is_valid(const char *expected, const char *received, size_t received_len)
{
    char want[AKA_DIGEST_HEX_SIZE], got[AKA_DIGEST_HEX_SIZE];
    bool ok = false;

    if (!received || received_len != AKA_DIGEST_HEX_LEN)
        goto out;
    memcpy(got, received, AKA_DIGEST_HEX_LEN);
    got[AKA_DIGEST_HEX_LEN] = '\0';
    if (digest_hex_normalise(expected, want) < 0 || digest_hex_normalise(got, got) < 0)
        goto out;
    ok = codec_ct_equal(want, got, AKA_DIGEST_HEX_LEN);
out:
    OPENSSL_cleanse(want, sizeof(want));
    return ok;
}
