/* Constant-time comparison, delegated to OpenSSL. */
#include "codec/codec.h"

#include <openssl/crypto.h>

bool codec_ct_equal(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return true;
    if (!a || !b)
        return false;
    return CRYPTO_memcmp(a, b, len) == 0;
}
