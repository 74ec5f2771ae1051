/* SHA-256 (OpenSSL), hex helpers, randomness. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define TM_SHA256_HEX_LEN 64

typedef struct tm_sha256 tm_sha256;

tm_sha256 *tm_sha256_new(void);
void tm_sha256_update(tm_sha256 *h, const void *p, size_t n);
/* Writes 64 hex digits and a NUL to out, and frees h. */
void tm_sha256_final_hex(tm_sha256 *h, char out[TM_SHA256_HEX_LEN + 1]);
void tm_sha256_final(tm_sha256 *h, uint8_t out[32]);
void tm_sha256_hex(const void *p, size_t n, char out[TM_SHA256_HEX_LEN + 1]);
/* Hashes one whole message with h and leaves h ready for the next one: a
 * context reused across thousands of small messages (setting one up costs
 * more than hashing a kilobyte). */
void tm_sha256_reuse_hex(tm_sha256 *h, const void *p, size_t n, char out[TM_SHA256_HEX_LEN + 1]);
/* Frees h without a digest; accepts NULL. */
void tm_sha256_free(tm_sha256 *h);
void tm_hex_encode(const uint8_t *p, size_t n, char *out /* 2n+1 */);
/* Fills buf with n bytes from the kernel's CSPRNG (getrandom(2), which
 * blocks only until it is seeded at boot); 0 or a negative errno. Use it
 * rather than RAND_bytes: OpenSSL's DRBG activates its default provider
 * and keeps ~2 MiB of libcrypto resident (see hash.c). */
int tm_random_bytes(void *buf, size_t n);
/* 64-bit FNV-1a, for hash tables (not for identity). */
uint64_t tm_fnv1a(const void *p, size_t n);
