/*
 * Standard base64 (RFC 4648 §4) with a strict decoder. See codec.h for
 * exactly what the decoder accepts.
 */
#include "codec/codec.h"

#include <errno.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of one base64 character, or -1 (also for '='). */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int codec_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
    size_t o = 0;

    if (!out || (!in && len > 0))
        return -EINVAL;
    if (len > (SIZE_MAX / 4) * 3 - 3 || out_size < CODEC_BASE64_LEN(len) + 1)
        return -ENOSPC;
    for (size_t i = 0; i < len; i += 3) {
        size_t rest = len - i;
        uint32_t v = (uint32_t)in[i] << 16;
        if (rest > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (rest > 2)
            v |= in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 0x3f];
        out[o++] = b64_alphabet[(v >> 12) & 0x3f];
        out[o++] = rest > 1 ? b64_alphabet[(v >> 6) & 0x3f] : '=';
        out[o++] = rest > 2 ? b64_alphabet[v & 0x3f] : '=';
    }
    out[o] = '\0';
    return 0;
}

int codec_base64_decode(const char *b64, size_t b64_len, uint8_t *out, size_t out_size,
                        size_t *out_len)
{
    size_t chars = b64_len; /* significant characters, padding removed */
    size_t pad = 0;
    size_t need, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    if (!b64 && b64_len > 0)
        return -EINVAL;
    /* Padding: one or two '=' closing a complete 4-character group. */
    while (chars > 0 && b64[chars - 1] == '=' && pad < 2) {
        chars--;
        pad++;
    }
    if (pad > 0 && b64_len % 4 != 0)
        return -EINVAL;
    if (chars % 4 == 1)
        return -EINVAL;
    if (pad > 0 && (chars % 4) + pad != 4)
        return -EINVAL;
    need = (chars / 4) * 3 + (chars % 4 ? chars % 4 - 1 : 0);
    if (need > out_size)
        return -ENOSPC;
    if (!out && need > 0)
        return -EINVAL;

    for (size_t i = 0; i < chars; i++) {
        int v = b64_value((unsigned char)b64[i]);
        if (v < 0)
            return -EINVAL;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Leftover bits of the last character must be zero (canonical form). */
    if (acc != 0)
        return -EINVAL;
    if (out_len)
        *out_len = o;
    return 0;
}
