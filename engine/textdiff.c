#include "engine/textdiff.h"

#include <stdint.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"

#define DEFAULT_MAX_EDITS 2000

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_CYAN "\033[36m"
#define C_BOLD "\033[1m"
#define C_RESET "\033[0m"

typedef struct line {
        const char *p;
        size_t n; /* without the '\n' */
        uint64_t h;
} line;

static line *
split(const char *s, size_t len, size_t *count)
{
        size_t n = 0, cap = 0;
        line *v = NULL;
        size_t i = 0;
        while (i < len) {
                const char *nl = memchr(s + i, '\n', len - i);
                size_t e = nl ? (size_t)(nl - s) : len;
                TM_GROW(v, cap, n + 1);
                v[n].p = s + i;
                v[n].n = e - i;
                v[n].h = tm_fnv1a(s + i, e - i);
                n++;
                i = e + 1;
        }
        *count = n;
        return v;
}

static bool
line_eq(const line *a, const line *b)
{
        return a->h == b->h && a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

/* Myers' greedy algorithm on a[0..n) and b[0..m); marks deleted lines of
 * a and inserted lines of b. Returns false when D would exceed max. */
static bool
myers(const line *a, size_t n, const line *b, size_t m, bool *del, bool *ins, size_t max)
{
        if (n == 0 || m == 0) {
                for (size_t i = 0; i < n; i++)
                        del[i] = true;
                for (size_t j = 0; j < m; j++)
                        ins[j] = true;
                return true;
        }
        size_t dmax = n + m < max ? n + m : max;
        long off = (long)dmax + 1;
        size_t width = 2 * dmax + 3;
        long *v = xcalloc(width, sizeof(long));
        /* trace[d] holds V after step d: only indices -d..d matter, kept whole for simplicity
         * of indexing but sized by d. */
        long **trace = xcalloc(dmax + 1, sizeof(long *));
        long dfound = -1;
        for (long d = 0; d <= (long)dmax; d++) {
                for (long k = -d; k <= d; k += 2) {
                        long x;
                        if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                                x = v[off + k + 1];
                        else
                                x = v[off + k - 1] + 1;
                        long y = x - k;
                        while (x < (long)n && y < (long)m && line_eq(&a[x], &b[y])) {
                                x++;
                                y++;
                        }
                        v[off + k] = x;
                        if (x >= (long)n && y >= (long)m) {
                                dfound = d;
                                break;
                        }
                }
                trace[d] = xmalloc((size_t)(2 * d + 1) * sizeof(long));
                memcpy(trace[d], v + off - d, (size_t)(2 * d + 1) * sizeof(long));
                if (dfound >= 0)
                        break;
        }
        bool ok = dfound >= 0;
        if (ok) {
                long x = (long)n, y = (long)m;
                for (long d = dfound; d > 0; d--) {
                        long *pv = trace[d - 1]; /* index k as pv[k + d - 1] */
                        long k = x - y;
                        long pk;
                        if (k == -d || (k != d && pv[k - 1 + d - 1] < pv[k + 1 + d - 1]))
                                pk = k + 1;
                        else
                                pk = k - 1;
                        long px = pv[pk + d - 1], py = px - pk;
                        while (x > px && y > py) {
                                x--;
                                y--;
                        }
                        if (pk == k + 1)
                                ins[py] = true; /* down: b[py] inserted */
                        else
                                del[px] = true; /* right: a[px] deleted */
                        x = px;
                        y = py;
                }
        }
        for (long d = 0; d <= (long)dmax; d++)
                free(trace[d]);
        free(trace);
        free(v);
        return ok;
}

static void
put_line(tm_buf *out, char tag, const line *l, const char *color, bool use_color)
{
        if (use_color && color)
                tm_buf_puts(out, color);
        tm_buf_putc(out, tag);
        tm_buf_append(out, l->p, l->n);
        if (use_color && color)
                tm_buf_puts(out, C_RESET);
        tm_buf_putc(out, '\n');
}

static void
put_range(tm_buf *out, size_t start, size_t count)
{
        /* diff -u: "l" for one line, "l,c" otherwise, and for an empty range the line before. */
        if (count == 1)
                tm_buf_printf(out, "%zu", start + 1);
        else
                tm_buf_printf(out, "%zu,%zu", count ? start + 1 : start, count);
}

size_t
eng_textdiff(const char *a_text, size_t alen, const char *b_text, size_t blen, const char *a_name,
             const char *b_name, const eng_textdiff_opts *opts, tm_buf *out)
{
        eng_textdiff_opts o = ENG_TEXTDIFF_OPTS_INIT;
        if (opts)
                o = *opts;
        if (o.context < 0)
                o.context = 0;
        if (!o.max_edits)
                o.max_edits = DEFAULT_MAX_EDITS;
        size_t n, m;
        line *a = split(a_text ? a_text : "", a_text ? alen : 0, &n);
        line *b = split(b_text ? b_text : "", b_text ? blen : 0, &m);
        bool *del = xcalloc(n + 1, 1), *ins = xcalloc(m + 1, 1);

        size_t pre = 0;
        while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
                pre++;
        size_t suf = 0;
        while (suf < n - pre && suf < m - pre && line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
                suf++;
        size_t an = n - pre - suf, bm = m - pre - suf;
        if (!myers(a + pre, an, b + pre, bm, del + pre, ins + pre, o.max_edits)) {
                for (size_t i = 0; i < an; i++)
                        del[pre + i] = true;
                for (size_t j = 0; j < bm; j++)
                        ins[pre + j] = true;
        }

        /* Walk both sides in step: an edit script of (i, j) positions. */
        size_t hunks = 0;
        size_t i = 0, j = 0;
        size_t ctx = (size_t)o.context;
        while (i < n || j < m) {
                /* find the next change */
                size_t ci = i, cj = j;
                while (ci < n && cj < m && !del[ci] && !ins[cj]) {
                        ci++;
                        cj++;
                }
                if (ci >= n && cj >= m)
                        break;
                /* extend the hunk over changes separated by at most 2*ctx equal lines */
                size_t hs_i = ci > ctx ? ci - ctx : 0;
                size_t back = ci - hs_i;
                size_t hs_j = cj - back;
                if (hs_i < i) { /* never reach back into what was printed */
                        hs_j += i - hs_i;
                        hs_i = i;
                }
                size_t ei = ci, ej = cj;
                for (;;) {
                        while (ei < n && del[ei])
                                ei++;
                        while (ej < m && ins[ej])
                                ej++;
                        /* count equal lines after the change */
                        size_t eq = 0;
                        while (ei + eq < n && ej + eq < m && !del[ei + eq] && !ins[ej + eq])
                                eq++;
                        bool more = (ei + eq < n && del[ei + eq]) || (ej + eq < m && ins[ej + eq]);
                        if (more && eq <= 2 * ctx) {
                                ei += eq;
                                ej += eq;
                                continue;
                        }
                        size_t tail = eq < ctx ? eq : ctx;
                        ei += tail;
                        ej += tail;
                        break;
                }
                if (hunks == 0) {
                        if (o.color)
                                tm_buf_puts(out, C_BOLD);
                        tm_buf_printf(out, "--- %s\n+++ %s\n", a_name, b_name);
                        if (o.color)
                                tm_buf_puts(out, C_RESET);
                }
                hunks++;
                if (o.color)
                        tm_buf_puts(out, C_CYAN);
                tm_buf_puts(out, "@@ -");
                put_range(out, hs_i, ei - hs_i);
                tm_buf_puts(out, " +");
                put_range(out, hs_j, ej - hs_j);
                tm_buf_puts(out, " @@");
                if (o.color)
                        tm_buf_puts(out, C_RESET);
                tm_buf_putc(out, '\n');
                size_t x = hs_i, y = hs_j;
                while (x < ei || y < ej) {
                        if (x < ei && del[x]) {
                                put_line(out, '-', &a[x++], C_RED, o.color);
                        } else if (y < ej && ins[y]) {
                                put_line(out, '+', &b[y++], C_GREEN, o.color);
                        } else {
                                put_line(out, ' ', &a[x], NULL, false);
                                x++;
                                y++;
                        }
                }
                i = ei;
                j = ej;
        }
        free(del);
        free(ins);
        free(a);
        free(b);
        return hunks;
}
