#include "common/hash.h"
#include "common/mem.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct tm_sha256 {
        EVP_MD_CTX *ctx;
};

tm_sha256 *
tm_sha256_new(void)
{
        tm_sha256 *h = xcalloc(1, sizeof(*h));
        h->ctx = EVP_MD_CTX_new();
        if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
                abort();
        return h;
}

void
tm_sha256_update(tm_sha256 *h, const void *p, size_t n)
{
        if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
                abort();
}

void
tm_sha256_final(tm_sha256 *h, uint8_t out[32])
{
        unsigned int len = 32;
        if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1)
                abort();
        EVP_MD_CTX_free(h->ctx);
        free(h);
}

void
tm_sha256_final_hex(tm_sha256 *h, char out[TM_SHA256_HEX_LEN + 1])
{
        uint8_t d[32];
        tm_sha256_final(h, d);
        tm_hex_encode(d, 32, out);
}

void
tm_sha256_hex(const void *p, size_t n, char out[TM_SHA256_HEX_LEN + 1])
{
        tm_sha256 *h = tm_sha256_new();
        tm_sha256_update(h, p, n);
        tm_sha256_final_hex(h, out);
}

void
tm_hex_encode(const uint8_t *p, size_t n, char *out)
{
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[p[i] >> 4];
                out[2 * i + 1] = hex[p[i] & 15];
        }
        out[2 * n] = '\0';
}

uint64_t
tm_fnv1a(const void *p, size_t n)
{
        const unsigned char *s = p;
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= 1099511628211ULL;
        }
        return h;
}
