/* Resource quantities with the semantics of
 * k8s.io/apimachinery/pkg/api/resource: the same grammar, the same
 * rounding (up to nano, away from zero), the same cap (2^63-1 for values
 * parsed the slow way), the same canonical spelling. */
#include "resources/quantity.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

#define MAX_SIG_DIGITS 200
#define INT64_MAX_U ((u128)INT64_MAX)

/* ---- a small unsigned big integer for the exact slow path ---- */

#define BIG_LIMBS 48
typedef struct big {
        uint32_t l[BIG_LIMBS];
} big;

static void
big_mul_add(big *b, uint32_t m, uint32_t a)
{
        uint64_t carry = a;
        for (int i = 0; i < BIG_LIMBS; i++) {
                uint64_t t = (uint64_t)b->l[i] * m + carry;
                b->l[i] = (uint32_t)t;
                carry = t >> 32;
        }
}

static uint32_t
big_div(big *b, uint32_t d)
{
        uint64_t rem = 0;
        for (int i = BIG_LIMBS - 1; i >= 0; i--) {
                uint64_t cur = (rem << 32) | b->l[i];
                b->l[i] = (uint32_t)(cur / d);
                rem = cur % d;
        }
        return (uint32_t)rem;
}

/* false when b does not fit in 128 bits */
static bool
big_to_u128(const big *b, u128 *out)
{
        for (int i = 4; i < BIG_LIMBS; i++)
                if (b->l[i])
                        return false;
        *out = ((u128)b->l[3] << 96) | ((u128)b->l[2] << 64) | ((u128)b->l[1] << 32) | b->l[0];
        return true;
}

/* ---- helpers ---- */

static int
normalize(i128 mant, int64_t scale, res_qformat fmt, res_quantity *out)
{
        if (mant == 0) {
                scale = 0;
        } else {
                while (mant % 10 == 0) {
                        mant /= 10;
                        scale++;
                }
        }
        if (scale > INT32_MAX || scale < -INT32_MAX)
                return -ERANGE;
        out->mant = mant;
        out->scale = (int32_t)scale;
        out->format = fmt;
        return 0;
}

static bool
is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* The suffix table of quantitySuffixer.interpret. */
static bool
interpret(const char *s, size_t n, int *base, int64_t *exp, res_qformat *fmt)
{
        static const struct {
                const char *s;
                int base, exp;
        } tab[] = {
            {"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3},
            {"k", 10, 3},  {"M", 10, 6},  {"G", 10, 9},  {"T", 10, 12},
            {"P", 10, 15}, {"E", 10, 18}, {"Ki", 2, 10}, {"Mi", 2, 20},
            {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60},
        };
        for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
                if (strlen(tab[i].s) == n && memcmp(tab[i].s, s, n) == 0) {
                        *base = tab[i].base;
                        *exp = tab[i].exp;
                        *fmt = tab[i].base == 2 ? RES_Q_BINARY_SI : RES_Q_DECIMAL_SI;
                        return true;
                }
        }
        if (n < 2 || (s[0] != 'e' && s[0] != 'E'))
                return false;
        size_t i = 1;
        bool neg = false;
        if (s[i] == '+' || s[i] == '-')
                neg = s[i++] == '-';
        if (i >= n)
                return false;
        int64_t v = 0;
        for (; i < n; i++) {
                if (!is_digit(s[i]))
                        return false;
                v = v * 10 + (s[i] - '0');
                if (v > INT32_MAX)
                        return false;
        }
        *base = 10;
        *exp = neg ? -v : v;
        *fmt = RES_Q_DECIMAL_EXP;
        return true;
}

/* The slow path's result when it needs no big integer: digits * 10^shift *
 * 2^e2 (the value in nano) is an integer that fits under the cap, so there
 * is nothing to round and nothing to cap. False: take the slow path. */
static bool
exact_nano(const char *digits, size_t nd, int64_t shift, int64_t e2, u128 *out)
{
        const u128 cap = INT64_MAX_U * 1000000000u;
        if (nd > 19 || shift < 0 || shift > 38 || e2 < 0 || e2 > 63)
                return false;
        u128 x = 0;
        for (size_t k = 0; k < nd; k++)
                x = x * 10 + (u128)(digits[k] - '0');
        for (int64_t k = 0; k < shift; k++) {
                if (x > cap / 10)
                        return false;
                x *= 10;
        }
        if (x > cap >> e2)
                return false;
        *out = x << e2;
        return true;
}

/* ---- parsing ---- */

int
res_quantity_parse(const char *str, res_quantity *out)
{
        size_t end = strlen(str), pos = 0;
        if (end == 0)
                return -EINVAL;
        bool positive = true;
        if (str[0] == '-' || str[0] == '+') {
                positive = str[0] == '+';
                pos++;
        }
        while (pos < end && str[pos] == '0')
                pos++;
        size_t num_at = pos;
        while (pos < end && is_digit(str[pos]))
                pos++;
        size_t num_len = pos - num_at;
        size_t den_at = pos, den_len = 0;
        if (pos < end && str[pos] == '.') {
                den_at = ++pos;
                while (pos < end && is_digit(str[pos]))
                        pos++;
                den_len = pos - den_at;
        }
        size_t suf_at = pos;
        while (pos < end && strchr("eEinumkKMGTP", str[pos]))
                pos++;
        if (pos < end && (str[pos] == '-' || str[pos] == '+'))
                pos++;
        while (pos < end && is_digit(str[pos]))
                pos++;
        if (pos != end)
                return -EINVAL;
        int base;
        int64_t exp;
        res_qformat fmt;
        if (!interpret(str + suf_at, end - suf_at, &base, &exp, &fmt))
                return -EINVAL;

        /* digits = num denom, without leading zeros */
        char digits[MAX_SIG_DIGITS + 1];
        size_t nd = 0, lead = 0, trail = 0;
        bool seen = false;
        for (size_t k = 0; k < num_len + den_len; k++) {
                char c = k < num_len ? str[num_at + k] : str[den_at + k - num_len];
                if (!seen && c == '0') {
                        lead++;
                        continue;
                }
                seen = true;
                if (nd >= MAX_SIG_DIGITS) {
                        /* only zeros may follow what we keep */
                        if (c != '0')
                                return -ERANGE;
                        trail++;
                        continue;
                }
                digits[nd++] = c;
        }
        while (nd > 0 && digits[nd - 1] == '0') {
                nd--;
                trail++;
        }
        if (nd == 0)
                return normalize(0, 0, fmt, out);

        /* Kubernetes' int64 fast path: exact, and not capped. */
        size_t fast_len = (num_len ? num_len : 1) + den_len;
        if (base == 10 && fast_len <= 18 && exp - (int64_t)den_len >= -9) {
                i128 v = 0;
                for (size_t k = 0; k < nd; k++)
                        v = v * 10 + (digits[k] - '0');
                return normalize(positive ? v : -v, exp - (int64_t)den_len + (int64_t)trail, fmt,
                                 out);
        }

        /* value = digits * 10^e10 * 2^e2, rounded up to nano, capped */
        int64_t e10 = (int64_t)trail - (int64_t)den_len + (base == 10 ? exp : 0);
        int64_t e2 = base == 2 ? exp : 0;
        (void)lead;
        /* a lower bound of log10(value) past 19 means the cap */
        int64_t mag = (int64_t)nd - 1 + e10 + (e2 * 30103) / 100000;
        u128 r;
        if (exact_nano(digits, nd, e10 + 9, e2, &r)) {
                /* r is already the value in nano, exact and under the cap */
        } else if (mag >= 19) {
                r = INT64_MAX_U * 1000000000u;
        } else {
                big b;
                memset(&b, 0, sizeof(b));
                for (size_t k = 0; k < nd; k++)
                        big_mul_add(&b, 10, (uint32_t)(digits[k] - '0'));
                for (int64_t k = 0; k < e2; k++)
                        big_mul_add(&b, 2, 0);
                int64_t shift = e10 + 9;
                bool inexact = false;
                if (shift >= 0) {
                        for (int64_t k = 0; k < shift; k++)
                                big_mul_add(&b, 10, 0);
                } else if (-shift > (int64_t)nd + 20) {
                        memset(&b, 0, sizeof(b));
                        inexact = true;
                } else {
                        for (int64_t k = 0; k < -shift; k++)
                                if (big_div(&b, 10))
                                        inexact = true;
                }
                if (!big_to_u128(&b, &r))
                        r = INT64_MAX_U * 1000000000u;
                if (inexact)
                        r++;
                if (r > INT64_MAX_U * 1000000000u)
                        r = INT64_MAX_U * 1000000000u;
        }
        if (fmt == RES_Q_BINARY_SI && r < 1000000000u)
                fmt = RES_Q_DECIMAL_SI;
        return normalize(positive ? (i128)r : -(i128)r, -9, fmt, out);
}

/* ---- formatting ---- */

static size_t
u128_str(u128 v, char *out)
{
        char tmp[48];
        size_t n = 0;
        do {
                tmp[n++] = (char)('0' + (int)(v % 10));
                v /= 10;
        } while (v);
        for (size_t i = 0; i < n; i++)
                out[i] = tmp[n - 1 - i];
        out[n] = '\0';
        return n;
}

static i128
pow10_i(int n)
{
        i128 p = 1;
        while (n-- > 0)
                p *= 10;
        return p;
}

/* The number of decimal digits of |m|. */
static int
ndigits(i128 m)
{
        u128 u = m < 0 ? -(u128)m : (u128)m;
        int n = 1;
        while (u >= 10) {
                u /= 10;
                n++;
        }
        return n;
}

void
res_quantity_format(const res_quantity *q, char out[RES_QUANTITY_STR_MAX])
{
        if (q->mant == 0) {
                strcpy(out, "0");
                return;
        }
        bool neg = q->mant < 0;
        u128 mag = neg ? -(u128)q->mant : (u128)q->mant;
        res_qformat fmt = q->format;
        if (fmt == RES_Q_BINARY_SI) {
                /* |v| < 1024, or not an integer: decimal */
                if (q->scale < 0 || ndigits(q->mant) + q->scale > 38 ||
                    (q->scale < 4 && mag * (u128)pow10_i(q->scale) < 1024))
                        fmt = RES_Q_DECIMAL_SI;
        }
        size_t o = 0;
        if (neg)
                out[o++] = '-';
        if (fmt == RES_Q_BINARY_SI) {
                u128 v = mag * (u128)pow10_i(q->scale);
                int times = 0;
                while (v >= 1024 && v % 1024 == 0 && times < 6) {
                        v /= 1024;
                        times++;
                }
                if (v >= 1024 && v % 1024 == 0) {
                        fmt = RES_Q_DECIMAL_EXP; /* past Ei: no binary suffix */
                } else {
                        static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
                        o += u128_str(v, out + o);
                        strcpy(out + o, bin[times]);
                        return;
                }
        }
        /* decimal: exponent a multiple of 3, rounding the mantissa up */
        int64_t e = q->scale;
        int mod = (int)(e % 3);
        if (mod == 1 || mod == -2) {
                mag *= 10;
                e -= 1;
        } else if (mod == 2 || mod == -1) {
                mag *= 100;
                e -= 2;
        }
        o += u128_str(mag, out + o);
        static const char *const si[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
        if (fmt == RES_Q_DECIMAL_SI && e >= -9 && e <= 18) {
                strcpy(out + o, si[(e + 9) / 3]);
        } else if (e != 0) {
                snprintf(out + o, RES_QUANTITY_STR_MAX - o, "e%lld", (long long)e);
        }
}

/* ---- arithmetic ---- */

int
res_quantity_cmp(const res_quantity *a, const res_quantity *b)
{
        int sa = (a->mant > 0) - (a->mant < 0), sb = (b->mant > 0) - (b->mant < 0);
        if (sa != sb)
                return sa < sb ? -1 : 1;
        if (sa == 0)
                return 0;
        /* same sign: compare orders of magnitude, then digits */
        int64_t ma = (int64_t)ndigits(a->mant) + a->scale,
                mb = (int64_t)ndigits(b->mant) + b->scale;
        int c;
        if (ma != mb) {
                c = ma < mb ? -1 : 1;
        } else {
                i128 x = a->mant, y = b->mant;
                if (a->scale > b->scale)
                        x *= pow10_i(a->scale - b->scale);
                else
                        y *= pow10_i(b->scale - a->scale);
                c = (x > y) - (x < y);
                return c;
        }
        return sa > 0 ? c : -c;
}

bool
res_quantity_is_zero(const res_quantity *q)
{
        return q->mant == 0;
}

bool
res_quantity_is_negative(const res_quantity *q)
{
        return q->mant < 0;
}

int
res_quantity_add(const res_quantity *a, const res_quantity *b, res_quantity *out)
{
        if (b->mant == 0) {
                *out = *a;
                return 0;
        }
        if (a->mant == 0) {
                *out = *b;
                return 0;
        }
        int32_t s = a->scale < b->scale ? a->scale : b->scale;
        i128 x = a->mant, y = b->mant;
        int64_t dx = (int64_t)a->scale - s, dy = (int64_t)b->scale - s;
        /* keep every intermediate well inside 127 bits */
        if (ndigits(x) + dx > 36 || ndigits(y) + dy > 36)
                return -ERANGE;
        x *= pow10_i((int)dx);
        y *= pow10_i((int)dy);
        return normalize(x + y, s, a->format, out);
}

/* ceil away from zero of q * 10^-at, saturated to int64 */
static int64_t
scaled_value(const res_quantity *q, int at)
{
        if (q->mant == 0)
                return 0;
        bool neg = q->mant < 0;
        u128 mag = neg ? -(u128)q->mant : (u128)q->mant;
        int64_t e = (int64_t)q->scale - at;
        u128 v;
        if (e >= 0) {
                if ((int64_t)ndigits(q->mant) + e > 19)
                        return neg ? INT64_MIN : INT64_MAX;
                v = mag * (u128)pow10_i((int)e);
        } else if (-e > 38) {
                v = 1;
        } else {
                u128 p = (u128)pow10_i((int)-e);
                v = mag / p + (mag % p ? 1 : 0);
        }
        if (v > INT64_MAX_U)
                return neg ? INT64_MIN : INT64_MAX;
        return neg ? -(int64_t)v : (int64_t)v;
}

int64_t
res_quantity_value(const res_quantity *q)
{
        return scaled_value(q, 0);
}

int64_t
res_quantity_milli_value(const res_quantity *q)
{
        return scaled_value(q, -3);
}

const char *
res_quantity_strerror(int code)
{
        if (code == -ERANGE)
                return "quantity is too large";
        return "quantities must match the regular expression "
               "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
}
