/* SHA-256 (OpenSSL) and hex helpers. */
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
void tm_hex_encode(const uint8_t *p, size_t n, char *out /* 2n+1 */);
/* 64-bit FNV-1a, for hash tables (not for identity). */
uint64_t tm_fnv1a(const void *p, size_t n);
