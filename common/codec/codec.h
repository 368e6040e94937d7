/*
 * codec: strict hex and base64 encoders/decoders and a constant-time compare.
 *
 * Everything here is pure computation on caller-owned buffers: no function
 * allocates, none keeps a pointer after it returns, and all are thread-safe.
 * Decoders validate their whole input before they report success; on failure
 * the output buffer may have been partly written and must be ignored.
 *
 * Returns follow the project convention: 0 on success or a negative errno:
 *   -EINVAL  the input is malformed (bad character, bad length, bad padding)
 *   -ENOSPC  the output buffer is too small
 */
#ifndef IMSCORE_CODEC_H
#define IMSCORE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters needed to hex-encode n bytes, not counting the terminating NUL. */
#define CODEC_HEX_LEN(n) ((size_t)(n)*2)

/* Characters needed to base64-encode n bytes (with padding), not counting the NUL. */
#define CODEC_BASE64_LEN(n) ((((size_t)(n) + 2) / 3) * 4)

/*
 * Writes the lowercase hex form of in[0..len) to out, NUL-terminated.
 * out_size must be at least CODEC_HEX_LEN(len) + 1. in may be NULL when len is 0.
 * Returns 0, -EINVAL (NULL out, or NULL in with len > 0) or -ENOSPC.
 */
int codec_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/*
 * Decodes hex_len hex digits at hex (not necessarily NUL-terminated) into out.
 * Strict: hex_len must be even and every character a hex digit (either case);
 * no whitespace, no "0x" prefix. On success *out_len (if not NULL) is set to
 * hex_len / 2. Returns 0, -EINVAL (malformed input) or -ENOSPC (out_size too
 * small for hex_len / 2 bytes).
 */
int codec_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_size,
                     size_t *out_len);

/*
 * Decodes the NUL-terminated hex string into exactly want bytes at out.
 * Returns 0, or -EINVAL when hex is NULL, not exactly 2 * want digits long, or
 * holds a non-hex character.
 */
int codec_hex_decode_exact(const char *hex, uint8_t *out, size_t want);

/*
 * Writes the standard (RFC 4648 §4, "+/" alphabet) padded base64 form of
 * in[0..len) to out, NUL-terminated. out_size must be at least
 * CODEC_BASE64_LEN(len) + 1. in may be NULL when len is 0.
 * Returns 0, -EINVAL or -ENOSPC.
 */
int codec_base64_encode(const uint8_t *in, size_t len, char *out, size_t out_size);

/*
 * Decodes b64_len characters of standard base64 at b64 (not necessarily
 * NUL-terminated) into out; *out_len (if not NULL) receives the byte count.
 *
 * Strict: only the "A-Za-z0-9+/" alphabet, no whitespace or line breaks, '='
 * only as the final one or two characters of a 4-character group, and the
 * unused low bits of the last character must be zero (canonical encoding).
 * Tolerated: missing padding, i.e. a final group of 2 or 3 characters with no
 * '=' decodes as if it were padded (RFC 4648 §3.2 allows this; some SIP
 * stacks strip the padding from nonce and auts). A final group of 1 character
 * is always invalid. An empty input decodes to zero bytes.
 *
 * Returns 0, -EINVAL (malformed) or -ENOSPC (out_size too small).
 */
int codec_base64_decode(const char *b64, size_t b64_len, uint8_t *out, size_t out_size,
                        size_t *out_len);

/*
 * Compares a[0..len) and b[0..len) in time that depends only on len (OpenSSL
 * CRYPTO_memcmp). Use it for MACs, responses and anything secret.
 * Returns true when equal. len 0 compares equal.
 */
bool codec_ct_equal(const void *a, const void *b, size_t len);

#endif
