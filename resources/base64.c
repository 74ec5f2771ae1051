/* Base64 as Go's encoding/json reads and writes []byte
 * (base64.StdEncoding): padded, '\r' and '\n' skipped on input. */
#include <stdint.h>
#include <string.h>

#include "common/mem.h"
#include "resources/object-internal.h"

static const char enc_table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
dec_char(unsigned char c)
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

long
res_base64_decode(const char *s, size_t n, unsigned char *out, size_t *bad_at)
{
        size_t o = 0, i = 0;
        for (;;) {
                int q[4];
                size_t pos[4];
                int got = 0, pad = 0;
                while (got < 4) {
                        while (i < n && (s[i] == '\r' || s[i] == '\n'))
                                i++;
                        if (i >= n)
                                break;
                        pos[got] = i;
                        unsigned char ch = (unsigned char)s[i];
                        if (ch == '=') {
                                /* Padding only in the last two places of a quantum. */
                                if (got < 2) {
                                        *bad_at = i;
                                        return -1;
                                }
                                q[got++] = 0;
                                pad++;
                                i++;
                                if (got == 3) {
                                        while (i < n && (s[i] == '\r' || s[i] == '\n'))
                                                i++;
                                        if (i >= n || s[i] != '=') {
                                                *bad_at = i < n ? i : n;
                                                return -1;
                                        }
                                        q[got++] = 0;
                                        pad++;
                                        i++;
                                }
                                break;
                        }
                        if (pad) {
                                *bad_at = i;
                                return -1;
                        }
                        int d = dec_char(ch);
                        if (d < 0) {
                                *bad_at = i;
                                return -1;
                        }
                        q[got++] = d;
                        i++;
                }
                if (got == 0)
                        break;
                if (got < 4) {
                        /* Truncated quantum: Go reports the start of it. */
                        *bad_at = pos[0];
                        return -1;
                }
                uint32_t v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 | (uint32_t)q[2] << 6 |
                             (uint32_t)q[3];
                out[o++] = (unsigned char)(v >> 16);
                if (pad < 2)
                        out[o++] = (unsigned char)(v >> 8);
                if (pad < 1)
                        out[o++] = (unsigned char)v;
                if (pad) {
                        while (i < n && (s[i] == '\r' || s[i] == '\n'))
                                i++;
                        if (i < n) {
                                *bad_at = i;
                                return -1;
                        }
                        break;
                }
        }
        return (long)o;
}

char *
res_base64_encode(const unsigned char *p, size_t n, size_t *out_len)
{
        size_t len = (n + 2) / 3 * 4;
        char *out = xmalloc(len + 1);
        size_t o = 0;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t)p[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t)p[i + 1] << 8;
                if (i + 2 < n)
                        v |= p[i + 2];
                out[o++] = enc_table[v >> 18 & 63];
                out[o++] = enc_table[v >> 12 & 63];
                out[o++] = i + 1 < n ? enc_table[v >> 6 & 63] : '=';
                out[o++] = i + 2 < n ? enc_table[v & 63] : '=';
        }
        out[o] = '\0';
        *out_len = o;
        return out;
}
