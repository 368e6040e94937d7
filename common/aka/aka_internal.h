/*
 * Internal helpers of the aka module. Never include this from outside
 * common/aka.
 */
#ifndef IMSCORE_AKA_INTERNAL_H
#define IMSCORE_AKA_INTERNAL_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A new AES-128-ECB encryption context keyed with k, padding off. The caller
 * frees it with EVP_CIPHER_CTX_free (which wipes the key schedule).
 * Returns NULL on failure.
 */
EVP_CIPHER_CTX *aka__aes_new(const uint8_t k[16]);

/*
 * Milenage OUT1 from one keyed context: MAC-A into mac_a and/or MAC-S into
 * mac_s (either may be NULL). Returns 0 or -EIO.
 */
int aka__f1(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t rand[16],
            const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8]);

/*
 * Milenage OUT2..OUT5 from one keyed context; every output may be NULL.
 * Returns 0 or -EIO.
 */
int aka__f2345(EVP_CIPHER_CTX *aes, const uint8_t opc[16], const uint8_t rand[16], uint8_t res[8],
               uint8_t ck[16], uint8_t ik[16], uint8_t ak[6], uint8_t ak_star[6]);

/* One piece of a message to hash. */
struct aka__part {
    const void *data;
    size_t len;
};

/*
 * MD5 over the concatenation of n parts, written as 32 lowercase hex
 * characters plus NUL. Returns 0 or -EIO.
 */
int aka__md5_hex(const struct aka__part *parts, size_t n, char out[33]);

#endif
