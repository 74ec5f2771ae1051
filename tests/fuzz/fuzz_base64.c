/* Secret data (resources/base64.c: Go's base64.StdEncoding as
 * encoding/json reads []byte). What decodes fits the buffer the validator
 * gives it (n / 4 * 3 + 3), re-encodes to a string that decodes to the same
 * bytes; a refusal points inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/object-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 8192)
                return 0;
        const char *s = (const char *)data;
        unsigned char *dec = malloc(size / 4 * 3 + 3);
        size_t bad = (size_t)-1;
        long n = res_base64_decode(s, size, dec, &bad);
        if (n < 0) {
                if (bad > size)
                        abort();
                free(dec);
                return 0;
        }
        if ((size_t)n > size / 4 * 3)
                abort();
        size_t elen = 0;
        char *enc = res_base64_encode(dec, (size_t)n, &elen);
        if (elen != ((size_t)n + 2) / 3 * 4 || strlen(enc) != elen || elen > size)
                abort();
        unsigned char *again = malloc(elen / 4 * 3 + 3);
        long n2 = res_base64_decode(enc, elen, again, &bad);
        if (n2 != n || memcmp(again, dec, (size_t)n) != 0) {
                fprintf(stderr, "base64 round trip: %.*s -> %s\n", (int)size, s, enc);
                abort();
        }
        free(again);
        free(enc);
        free(dec);
        return 0;
}
