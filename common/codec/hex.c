/*
 * Hex encoding and strict decoding. Keys (K, OPc) pass through here, so digits
 * are converted arithmetically rather than with a lookup table indexed by the
 * secret value.
 */
#include "codec/codec.h"

#include <errno.h>
#include <string.h>

/* Value of one hex digit, or -1. Branch-free on the digit value itself. */
static int hex_nibble(unsigned char c)
{
    int d = (int)c - '0';
    int l = (int)(c | 0x20) - 'a';
    /* masks are -1 when the range test holds, 0 otherwise */
    int is_d = -((unsigned)d < 10);
    int is_l = -((unsigned)l < 6);
    return (d & is_d) | ((l + 10) & is_l) | (~(is_d | is_l) & -1);
}

int codec_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
    static const char digits[] = "0123456789abcdef";

    if (!out || (!in && len > 0))
        return -EINVAL;
    if (len > (SIZE_MAX - 1) / 2 || out_size < CODEC_HEX_LEN(len) + 1)
        return -ENOSPC;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[CODEC_HEX_LEN(len)] = '\0';
    return 0;
}

int codec_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size,
                     size_t *out_len)
{
    int bad = 0;

    if ((!hex && hex_len > 0) || (!out && hex_len > 0))
        return -EINVAL;
    if (hex_len % 2 != 0)
        return -EINVAL;
    if (hex_len / 2 > out_size)
        return -ENOSPC;
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_nibble((unsigned char)hex[2 * i]);
        int lo = hex_nibble((unsigned char)hex[2 * i + 1]);
        bad |= hi | lo;
        out[i] = (uint8_t)(((hi & 0x0f) << 4) | (lo & 0x0f));
    }
    if (bad < 0)
        return -EINVAL;
    if (out_len)
        *out_len = hex_len / 2;
    return 0;
}

int codec_hex_decode_exact(const char *hex, uint8_t *out, size_t want)
{
    size_t len;

    if (!hex || (!out && want > 0))
        return -EINVAL;
    len = strlen(hex);
    if (want > SIZE_MAX / 2 || len != CODEC_HEX_LEN(want))
        return -EINVAL;
    return codec_hex_decode(hex, len, out, want, NULL);
}
