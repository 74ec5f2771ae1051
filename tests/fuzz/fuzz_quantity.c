/* Kubernetes quantities (resources/quantity.c): what parses prints in its
 * canonical spelling, and that spelling parses to the same value and
 * (after at most one more round) prints the same again; sums and
 * integer views stay consistent. */
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *in, const char *out)
{
        fprintf(stderr, "quantity %s: \"%s\" -> \"%s\"\n", what, in, out ? out : "");
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char s[256];
        size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
        memcpy(s, data, n);
        s[n] = '\0';

        res_quantity q;
        int r = res_quantity_parse(s, &q);
        if (r < 0) {
                if (r != -EINVAL && r != -ERANGE)
                        fail("error code", s, res_quantity_strerror(r));
                return 0;
        }
        char c[RES_QUANTITY_STR_MAX], c2[RES_QUANTITY_STR_MAX];
        res_quantity_format(&q, c);
        if (memchr(c, '\0', sizeof(c)) == NULL || c[0] == '\0')
                fail("format", s, NULL);
        /* Beyond int64, Kubernetes keeps what its fast path read
         * ("500015000000000101e310" prints "5000150000000001010e309") but
         * caps what its slow path reads (that string, 19 digits, is read
         * as 2^63-1): no round trip to check there. */
        int64_t v = res_quantity_value(&q);
        if (v == INT64_MAX || v == INT64_MIN)
                return 0;
        res_quantity q2;
        if (res_quantity_parse(c, &q2) < 0)
                fail("canonical form does not parse", s, c);
        if (res_quantity_cmp(&q, &q2) != 0)
                fail("canonical form changes the value", s, c);
        /* As in Kubernetes, a binary quantity that is no whole multiple of
         * 1024^n prints as a plain number ("62.5Ki" -> "64000"), which
         * reads back as decimal ("64k"): stable from the second round on. */
        res_quantity_format(&q2, c2);
        res_quantity q3;
        char c3[RES_QUANTITY_STR_MAX];
        if (res_quantity_parse(c2, &q3) < 0 || res_quantity_cmp(&q, &q3) != 0)
                fail("second canonical form changes the value", c, c2);
        res_quantity_format(&q3, c3);
        if (strcmp(c2, c3) != 0)
                fail("canonical form is not stable", c2, c3);
        if (res_quantity_is_zero(&q) != res_quantity_is_zero(&q2) ||
            res_quantity_is_negative(&q) != res_quantity_is_negative(&q2))
                fail("sign", s, c);
        /* Value() and MilliValue() round away from zero and saturate:
         * |value| = ceil(|milli| / 1000) unless one of them saturated. */
        int64_t mv = res_quantity_milli_value(&q);
        if (res_quantity_is_negative(&q) ? (v > 0 || mv > 0) : (v < 0 || mv < 0))
                fail("integer views have the wrong sign", s, c);
        if (mv > INT64_MIN + 1000 && mv < INT64_MAX - 1000) {
                int64_t am = mv < 0 ? -mv : mv, av = v < 0 ? -v : v;
                if ((am + 999) / 1000 != av)
                        fail("value and milli value disagree", s, c);
        }
        /* x + 0 = x; x + x compares as twice x (no overflow silently). */
        res_quantity zero, sum;
        if (res_quantity_parse("0", &zero) < 0)
                abort();
        if (res_quantity_add(&q, &zero, &sum) < 0 || res_quantity_cmp(&sum, &q) != 0)
                fail("x + 0 != x", s, c);
        if (res_quantity_add(&q, &q, &sum) == 0) {
                int cmp = res_quantity_cmp(&sum, &q);
                if (res_quantity_is_zero(&q) ? cmp != 0
                                             : (res_quantity_is_negative(&q) ? cmp >= 0 : cmp <= 0))
                        fail("x + x", s, c);
        }
        return 0;
}
