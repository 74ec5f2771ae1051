/* SHA-256 through libcrypto's one-algorithm functions, not EVP: the
 * first EVP digest activates OpenSSL 3's default provider, which
 * registers every algorithm it has and leaves ~2 MiB more of libcrypto
 * resident in a daemon that only ever hashes (measured with 20 pods);
 * SHA256_Init also costs nothing to set up, where each EVP init fetched
 * the method. These functions are deprecated in OpenSSL 3 but kept in
 * every 3.x, with the same assembly (SHA-NI, NEON) behind them. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/hash.h"
#include "common/mem.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <sys/random.h>

struct tm_sha256 {
        SHA256_CTX ctx;
};

tm_sha256 *
tm_sha256_new(void)
{
        tm_sha256 *h = xmalloc(sizeof(*h));
        if (SHA256_Init(&h->ctx) != 1)
                abort();
        return h;
}

void
tm_sha256_update(tm_sha256 *h, const void *p, size_t n)
{
        if (n && SHA256_Update(&h->ctx, p, n) != 1)
                abort();
}

void
tm_sha256_final(tm_sha256 *h, uint8_t out[32])
{
        if (SHA256_Final(out, &h->ctx) != 1)
                abort();
        OPENSSL_cleanse(&h->ctx, sizeof(h->ctx));
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
tm_sha256_reuse_hex(tm_sha256 *h, const void *p, size_t n, char out[TM_SHA256_HEX_LEN + 1])
{
        uint8_t d[32];
        if ((n && SHA256_Update(&h->ctx, p, n) != 1) || SHA256_Final(d, &h->ctx) != 1 ||
            SHA256_Init(&h->ctx) != 1)
                abort();
        tm_hex_encode(d, 32, out);
}

void
tm_sha256_free(tm_sha256 *h)
{
        if (!h)
                return;
        OPENSSL_cleanse(&h->ctx, sizeof(h->ctx));
        free(h);
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

int
tm_random_bytes(void *buf, size_t n)
{
        uint8_t *p = buf;
        while (n > 0) {
                ssize_t got = getrandom(p, n, 0);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0)
                        return got < 0 ? -errno : -EIO;
                p += got;
                n -= (size_t)got;
        }
        return 0;
}
