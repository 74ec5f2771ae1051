/* Go durations (tm_parse_duration_ms) and RFC 3339 times
 * (tm_parse_rfc3339) from common/util.c. A duration that parses is the
 * sum of its parts (no silent wrap-around) and its canonical spelling
 * parses back; an RFC 3339 time printed in UTC parses to itself.
 * The first byte picks the parser. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits "1h2m3s4ms" into its parts and adds them with overflow checks:
 * the reference the parser must agree with. -1 on overflow. */
static int
sum_parts(const char *s, uint64_t *out)
{
        uint64_t total = 0;
        while (*s) {
                uint64_t v = 0;
                while (*s >= '0' && *s <= '9') {
                        if (__builtin_mul_overflow(v, 10, &v) ||
                            __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
                                return -1;
                        s++;
                }
                uint64_t mul = 0;
                if (s[0] == 'm' && s[1] == 's') {
                        mul = 1;
                        s += 2;
                } else {
                        mul = *s == 'h' ? 3600000 : *s == 'm' ? 60000 : 1000;
                        s++;
                }
                if (__builtin_mul_overflow(v, mul, &v) || __builtin_add_overflow(total, v, &total))
                        return -1;
        }
        *out = total;
        return 0;
}

static void
duration(const char *s)
{
        uint64_t ms = 0, ref = 0;
        int r = tm_parse_duration_ms(s, &ms);
        if (r < 0) {
                if (r != -EINVAL && r != -ERANGE)
                        abort();
                return;
        }
        if (sum_parts(s, &ref) < 0 || ref != ms) {
                fprintf(stderr, "duration \"%s\" -> %" PRIu64 " ms, parts add up to %" PRIu64 "\n",
                        s, ms, ref);
                abort();
        }
        char c[64];
        snprintf(c, sizeof(c), "%" PRIu64 "ms", ms);
        uint64_t back = 0;
        if (tm_parse_duration_ms(c, &back) < 0 || back != ms)
                abort();
}

/* RFC 3339's date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM). */
static bool
rfc3339_shape(const char *s)
{
        static const char pat[] = "dddd-dd-ddTdd:dd:dd";
        for (size_t i = 0; i < sizeof(pat) - 1; i++)
                if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
                        return false;
        s += sizeof(pat) - 1;
        if (*s == '.') {
                if (!isdigit((unsigned char)s[1]))
                        return false;
                for (s++; isdigit((unsigned char)*s); s++)
                        ;
        }
        if (*s == 'Z' || *s == 'z')
                return s[1] == '\0';
        return (*s == '+' || *s == '-') && isdigit((unsigned char)s[1]) &&
               isdigit((unsigned char)s[2]) && s[3] == ':' && isdigit((unsigned char)s[4]) &&
               isdigit((unsigned char)s[5]) && s[6] == '\0';
}

static void
rfc3339(const char *s)
{
        int64_t t = tm_parse_rfc3339(s);
        if (t == -1)
                return;
        if (!rfc3339_shape(s)) {
                fprintf(stderr, "time \"%s\" is not RFC 3339 but parses to %" PRId64 "\n", s, t);
                abort();
        }
        char c[64];
        tm_format_rfc3339(t, c, sizeof(c));
        if (!c[0])
                return; /* outside what gmtime can print */
        /* A UTC time without fraction is printed back as it was: no
         * February 30th, no hour 24, no second 60 taken as another time. */
        if (strlen(s) == 20 && s[19] == 'Z' && strcmp(c, s) != 0) {
                fprintf(stderr, "time \"%s\" read as \"%s\"\n", s, c);
                abort();
        }
        int64_t back = tm_parse_rfc3339(c);
        if (back != t) {
                fprintf(stderr, "time \"%s\" -> %" PRId64 " -> \"%s\" -> %" PRId64 "\n", s, t, c,
                        back);
                abort();
        }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1 || size > 256)
                return 0;
        char s[257];
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';
        if (data[0] & 1)
                rfc3339(s);
        else
                duration(s);
        return 0;
}
