/* Emitters: JSON (pretty like kubectl -o json, or compact), canonical JSON
 * (the hashed form), and kubectl-style YAML (go-yaml v2's output look). */
#include "common/mem.h"
#include "resources/emit-internal.h"
#include "resources/value-internal.h"
#include "resources/value.h"
#include "resources/yaml-internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers ---- */

size_t
res_format_float(double f, int bits, char fmt, char out[RES_FLOAT_STR_MAX])
{
        if (bits == 32)
                f = (double)(float)f;
        if (isnan(f))
                return (size_t)snprintf(out, RES_FLOAT_STR_MAX, "NaN");
        if (isinf(f))
                return (size_t)snprintf(out, RES_FLOAT_STR_MAX, f > 0 ? "+Inf" : "-Inf");
        bool neg = signbit(f);
        double a = fabs(f);
        char digs[24];
        int nd = 0, dp = 0;
        if (a != 0) {
                char buf[40];
                for (int prec = 0; prec <= 17; prec++) {
                        snprintf(buf, sizeof(buf), "%.*e", prec, a);
                        double r = strtod(buf, NULL);
                        if (bits == 32 ? (float)r == (float)a : r == a)
                                break;
                }
                char *e = strchr(buf, 'e');
                for (char *p = buf; p < e; p++)
                        if (*p >= '0' && *p <= '9')
                                digs[nd++] = *p;
                while (nd > 1 && digs[nd - 1] == '0')
                        nd--;
                dp = atoi(e + 1) + 1;
        }
        if (fmt == 'j')
                fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'E' : 'f';
        else if (fmt == 'g')
                fmt = (nd && (dp - 1 < -4 || dp - 1 >= 6)) ? 'e' : 'f';
        size_t o = 0;
        if (neg)
                out[o++] = '-';
        if (fmt == 'e' || fmt == 'E') {
                out[o++] = digs[0];
                if (nd > 1) {
                        out[o++] = '.';
                        memcpy(out + o, digs + 1, (size_t)nd - 1);
                        o += (size_t)nd - 1;
                }
                int exp = dp - 1;
                if (fmt == 'E' && exp < 0 && exp > -10)
                        o += (size_t)snprintf(out + o, RES_FLOAT_STR_MAX - o, "e-%d", -exp);
                else
                        o += (size_t)snprintf(out + o, RES_FLOAT_STR_MAX - o, "e%c%02d",
                                              exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
                return o;
        }
        /* %f with just enough decimals */
        if (dp <= 0) {
                out[o++] = '0';
        } else {
                for (int i = 0; i < dp; i++)
                        out[o++] = i < nd ? digs[i] : '0';
        }
        if (nd > dp) {
                out[o++] = '.';
                for (int i = dp; i < nd; i++)
                        out[o++] = i < 0 ? '0' : digs[i];
        }
        out[o] = '\0';
        return o;
}

/* %PRId64 without snprintf (a tenth of the cost, many per object) */
static void
put_int(tm_buf *out, int64_t i)
{
        char buf[24];
        char *p = buf + sizeof(buf);
        uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
        do {
                *--p = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (i < 0)
                *--p = '-';
        tm_buf_append(out, p, (size_t)(buf + sizeof(buf) - p));
}

/* JSON has no NaN or infinities: they come out as null. */
static void
put_json_float(tm_buf *out, double f, char fmt)
{
        char buf[RES_FLOAT_STR_MAX];
        if (isnan(f) || isinf(f)) {
                tm_buf_puts(out, "null");
                return;
        }
        size_t n = res_format_float(f, 64, fmt, buf);
        tm_buf_append(out, buf, n);
}

/* ---- JSON ---- */

static void
put_indent(tm_buf *out, int n)
{
        static const char sp[] = "                                                                ";
        while (n > 0) {
                int k = n > 64 ? 64 : n;
                tm_buf_append(out, sp, (size_t)k);
                n -= k;
        }
}

static void
emit_json(const res_value *v, tm_buf *out, int pretty, int level)
{
        switch (v ? v->type : RES_NULL) {
        case RES_NULL:
                tm_buf_puts(out, "null");
                return;
        case RES_BOOL:
                tm_buf_puts(out, v->u.b ? "true" : "false");
                return;
        case RES_INT:
                put_int(out, v->u.i);
                return;
        case RES_FLOAT:
                put_json_float(out, v->u.f, 'j');
                return;
        case RES_STR:
                tm_buf_put_json_string(out, v->u.s, v->n);
                return;
        case RES_SEQ:
        case RES_MAP:
                break;
        }
        bool map = v->type == RES_MAP;
        tm_buf_putc(out, map ? '{' : '[');
        for (uint32_t i = 0; i < v->n; i++) {
                if (i)
                        tm_buf_putc(out, ',');
                if (pretty) {
                        tm_buf_putc(out, '\n');
                        put_indent(out, 2 * (level + 1));
                }
                if (map) {
                        const res_member *m = &v->u.members[i];
                        tm_buf_put_json_string(out, m->key, m->klen);
                        tm_buf_puts(out, pretty ? ": " : ":");
                        emit_json(m->value, out, pretty, level + 1);
                } else {
                        emit_json(v->u.items[i], out, pretty, level + 1);
                }
        }
        if (pretty && v->n) {
                tm_buf_putc(out, '\n');
                put_indent(out, 2 * level);
        }
        tm_buf_putc(out, map ? '}' : ']');
}

void
res_emit_json(const res_value *v, tm_buf *out, bool pretty)
{
        emit_json(v, out, pretty, 0);
}

static int
member_ptr_cmp(const void *a, const void *b)
{
        const res_member *x = *(const res_member *const *)a, *y = *(const res_member *const *)b;
        size_t n = x->klen < y->klen ? x->klen : y->klen;
        int c = memcmp(x->key, y->key, n);
        if (c)
                return c;
        return x->klen < y->klen ? -1 : x->klen > y->klen;
}

void
res_emit_canonical_json(const res_value *v, tm_buf *out)
{
        if (!v || (v->type != RES_MAP && v->type != RES_SEQ)) {
                if (v && v->type == RES_FLOAT)
                        put_json_float(out, v->u.f, 'g');
                else
                        emit_json(v, out, 0, 0);
                return;
        }
        if (v->type == RES_SEQ) {
                tm_buf_putc(out, '[');
                for (uint32_t i = 0; i < v->n; i++) {
                        if (i)
                                tm_buf_putc(out, ',');
                        res_emit_canonical_json(v->u.items[i], out);
                }
                tm_buf_putc(out, ']');
                return;
        }
        const res_member *small[16];
        _cleanup_free_ const res_member **heap = NULL;
        const res_member **order = small;
        if (v->n > TM_ARRAY_SIZE(small))
                order = heap = xmalloc(v->n * sizeof(*order));
        bool sorted = true;
        for (uint32_t i = 0; i < v->n; i++) {
                order[i] = &v->u.members[i];
                if (i && sorted && member_ptr_cmp(&order[i - 1], &order[i]) > 0)
                        sorted = false;
        }
        if (!sorted)
                qsort(order, v->n, sizeof(*order), member_ptr_cmp);
        tm_buf_putc(out, '{');
        for (uint32_t i = 0; i < v->n; i++) {
                if (i)
                        tm_buf_putc(out, ',');
                tm_buf_put_json_string(out, order[i]->key, order[i]->klen);
                tm_buf_putc(out, ':');
                res_emit_canonical_json(order[i]->value, out);
        }
        tm_buf_putc(out, '}');
}

static inline void
put1(tm_buf *out, char c)
{
        if (__builtin_expect(out->data && out->len + 2 <= out->cap, 1)) {
                out->data[out->len++] = c;
                out->data[out->len] = '\0';
        } else {
                tm_buf_putc(out, c);
        }
}

/* True when no byte of s needs escaping in JSON (below 0x20, '"', '\\'):
 * eight bytes at a time, as nearly every key and value is plain. */
static bool
json_plain(const char *s, size_t n)
{
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
                uint64_t bad = ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b);
                if (bad & highs)
                        return false;
        }
        for (; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c < 0x20 || c == '"' || c == '\\')
                        return false;
        }
        return true;
}

static void
put_json_str(tm_buf *out, const char *s, size_t n)
{
        if (!json_plain(s, n)) {
                tm_buf_put_json_string(out, s, n);
                return;
        }
        put1(out, '"');
        tm_buf_append(out, s, n);
        put1(out, '"');
}

void
res_emit_canonical_json_sorted(const res_value *v, tm_buf *out)
{
        if (!v || (v->type != RES_MAP && v->type != RES_SEQ)) {
                if (v && v->type == RES_FLOAT)
                        put_json_float(out, v->u.f, 'g');
                else if (v && v->type == RES_STR)
                        put_json_str(out, v->u.s, v->n);
                else
                        emit_json(v, out, 0, 0);
                return;
        }
        if (v->type == RES_SEQ) {
                put1(out, '[');
                for (uint32_t i = 0; i < v->n; i++) {
                        if (i)
                                put1(out, ',');
                        res_emit_canonical_json_sorted(v->u.items[i], out);
                }
                put1(out, ']');
                return;
        }
        put1(out, '{');
        for (uint32_t i = 0; i < v->n; i++) {
                if (i)
                        put1(out, ',');
                put_json_str(out, v->u.members[i].key, v->u.members[i].klen);
                put1(out, ':');
                res_emit_canonical_json_sorted(v->u.members[i].value, out);
        }
        put1(out, '}');
}

/* ---- YAML ---- */

/* Decodes one UTF-8 sequence; an invalid byte comes back as itself with
 * *len 1 and cp > 0x10FFFF marking it. */
static uint32_t
utf8_next(const unsigned char *s, size_t n, size_t *len)
{
        unsigned c = s[0];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (k == 0 || k > n) {
                *len = 1;
                return 0x110000u + c;
        }
        uint32_t cp = k == 1 ? c : c & (0x7Fu >> k);
        for (size_t i = 1; i < k; i++) {
                if ((s[i] & 0xC0) != 0x80) {
                        *len = 1;
                        return 0x110000u + c;
                }
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[k] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
                *len = 1;
                return 0x110000u + c;
        }
        *len = k;
        return cp;
}

/* libyaml's IS_PRINTABLE, without the line breaks and the BOM. */
static bool
printable(uint32_t cp)
{
        return (cp >= 0x20 && cp <= 0x7E) ||
               (cp >= 0xA0 && cp <= 0xD7FF && cp != 0x2028 && cp != 0x2029) ||
               (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* go-yaml quotes what looks like a timestamp or a base-60 number. */
static bool
looks_special(const char *s, size_t n)
{
        if (n >= 5 && s[4] == '-') {
                size_t i = 0;
                while (i < 4 && s[i] >= '0' && s[i] <= '9')
                        i++;
                if (i == 4)
                        return true;
        }
        size_t i = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
                return false;
        bool colon = false;
        for (; i < n; i++) {
                char c = s[i];
                if (c == ':')
                        colon = true;
                else if (!((c >= '0' && c <= '9') || c == '_' || c == '.'))
                        return false;
        }
        return colon;
}

enum { S_PLAIN, S_LITERAL, S_DOUBLE };

static int
yaml_style(const char *s, size_t n, bool key)
{
        if (n == 0)
                return S_DOUBLE;
        const unsigned char *u = (const unsigned char *)s;
        bool plain = true, literal = !key, newline = false;
        for (size_t i = 0; i < n;) {
                if (u[i] >= 0x20 && u[i] < 0x7f) { /* printable ASCII: nothing to see */
                        i++;
                        continue;
                }
                size_t k;
                uint32_t cp = utf8_next(u + i, n - i, &k);
                if (cp == '\n') {
                        newline = true;
                        plain = false;
                        if (i > 0 && s[i - 1] == ' ')
                                literal = false;
                } else if (!printable(cp)) {
                        plain = literal = false;
                        break;
                }
                i += k;
        }
        if (!newline)
                literal = false;
        if (literal && (s[0] == ' ' || s[0] == '\n' || s[n - 1] == ' ' ||
                        (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')))
                literal = false;
        if (literal)
                return S_LITERAL;
        if (!plain)
                return S_DOUBLE;
        char c = s[0];
        bool next_blank = n == 1 || s[1] == ' ';
        if (strchr("?:-", c) ? next_blank : strchr(",[]{}#&*!|>'\"%@`", c) != NULL)
                return S_DOUBLE;
        if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
                return S_DOUBLE;
        if (n >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0))
                return S_DOUBLE; /* document markers */
        for (size_t i = 0; i + 1 < n; i++)
                if ((s[i] == ':' && s[i + 1] == ' ') || (s[i] == ' ' && s[i + 1] == '#'))
                        return S_DOUBLE;
        if (res_yaml_plain_type(s, n) != RES_STR || looks_special(s, n))
                return S_DOUBLE;
        return S_PLAIN;
}

static void
put_double_quoted(tm_buf *out, const char *s, size_t n)
{
        const unsigned char *u = (const unsigned char *)s;
        tm_buf_putc(out, '"');
        size_t run = 0;
        for (size_t i = 0; i < n;) {
                size_t k;
                uint32_t cp = utf8_next(u + i, n - i, &k);
                if (printable(cp) && cp != '"' && cp != '\\') {
                        i += k;
                        run += k;
                        continue;
                }
                tm_buf_append(out, s + i - run, run);
                run = 0;
                char esc[16];
                const char *e = NULL;
                switch (cp) {
                case 0:
                        e = "\\0";
                        break;
                case 7:
                        e = "\\a";
                        break;
                case 8:
                        e = "\\b";
                        break;
                case 9:
                        e = "\\t";
                        break;
                case 10:
                        e = "\\n";
                        break;
                case 11:
                        e = "\\v";
                        break;
                case 12:
                        e = "\\f";
                        break;
                case 13:
                        e = "\\r";
                        break;
                case 27:
                        e = "\\e";
                        break;
                case '"':
                        e = "\\\"";
                        break;
                case '\\':
                        e = "\\\\";
                        break;
                case 0x85:
                        e = "\\N";
                        break;
                case 0x2028:
                        e = "\\L";
                        break;
                case 0x2029:
                        e = "\\P";
                        break;
                default:
                        if (cp > 0x10FFFF)
                                snprintf(esc, sizeof(esc), "\\x%02X", cp - 0x110000u);
                        else if (cp <= 0xFF)
                                snprintf(esc, sizeof(esc), "\\x%02X", cp);
                        else if (cp <= 0xFFFF)
                                snprintf(esc, sizeof(esc), "\\u%04X", cp);
                        else
                                snprintf(esc, sizeof(esc), "\\U%08X", cp);
                        e = esc;
                }
                tm_buf_puts(out, e);
                i += k;
        }
        tm_buf_append(out, s + n - run, run);
        tm_buf_putc(out, '"');
}

static void
put_literal(tm_buf *out, const char *s, size_t n, int indent)
{
        tm_buf_puts(out, s[n - 1] == '\n' ? "|\n" : "|-\n");
        size_t start = 0;
        while (start < n) {
                const char *nl = memchr(s + start, '\n', n - start);
                size_t end = nl ? (size_t)(nl - s) : n;
                if (end > start) {
                        put_indent(out, indent);
                        tm_buf_append(out, s + start, end - start);
                }
                tm_buf_putc(out, '\n');
                start = end + 1;
        }
}

static void
put_yaml_string(tm_buf *out, const char *s, size_t n, bool key, int indent)
{
        switch (yaml_style(s, n, key)) {
        case S_PLAIN:
                tm_buf_append(out, s, n);
                break;
        case S_LITERAL:
                put_literal(out, s, n, indent);
                return;
        default:
                put_double_quoted(out, s, n);
        }
        if (!key)
                tm_buf_putc(out, '\n');
}

/* A scalar or empty collection after "key: " or "- ", newline included;
 * a literal block's lines go at indent. */
static void
put_yaml_scalar(const res_value *v, tm_buf *out, int indent)
{
        char buf[RES_FLOAT_STR_MAX];
        switch (v ? v->type : RES_NULL) {
        case RES_NULL:
                tm_buf_puts(out, "null\n");
                return;
        case RES_BOOL:
                tm_buf_puts(out, v->u.b ? "true\n" : "false\n");
                return;
        case RES_INT:
                put_int(out, v->u.i);
                break;
        case RES_FLOAT:
                if (isnan(v->u.f)) {
                        tm_buf_puts(out, ".nan");
                } else if (isinf(v->u.f)) {
                        tm_buf_puts(out, v->u.f > 0 ? ".inf" : "-.inf");
                } else {
                        size_t n = res_format_float(v->u.f, 64, 'g', buf);
                        tm_buf_append(out, buf, n);
                        /* keep it a float when read back */
                        if (!strpbrk(buf, ".e"))
                                tm_buf_puts(out, ".0");
                }
                break;
        case RES_STR:
                put_yaml_string(out, v->u.s, v->n, false, indent);
                return;
        case RES_SEQ:
                tm_buf_puts(out, "[]");
                break;
        case RES_MAP:
                tm_buf_puts(out, "{}");
                break;
        }
        tm_buf_putc(out, '\n');
}

static bool
is_block(const res_value *v)
{
        return v && (v->type == RES_MAP || v->type == RES_SEQ) && v->n > 0;
}

static void emit_yaml_seq(const res_value *v, tm_buf *out, int indent, bool inline_first);

static void
emit_yaml_map(const res_value *v, tm_buf *out, int indent, bool inline_first)
{
        for (uint32_t i = 0; i < v->n; i++) {
                const res_member *m = &v->u.members[i];
                if (i || !inline_first)
                        put_indent(out, indent);
                size_t at = out->len;
                put_yaml_string(out, m->key, m->klen, true, indent);
                /* libyaml reads a key of over 1024 characters only in the
                 * explicit "? key" form */
                bool explicit_key = out->len - at > 1000;
                if (explicit_key) {
                        tm_buf key = TM_BUF_INIT;
                        tm_buf_append(&key, out->data + at, out->len - at);
                        out->len = at;
                        tm_buf_puts(out, "? ");
                        tm_buf_append(out, key.data, key.len);
                        tm_buf_free(&key);
                }
                if (explicit_key) {
                        tm_buf_putc(out, '\n');
                        put_indent(out, indent);
                }
                tm_buf_putc(out, ':');
                const res_value *c = m->value;
                if (!is_block(c)) {
                        tm_buf_putc(out, ' ');
                        put_yaml_scalar(c, out, indent + 2);
                } else if (c->type == RES_MAP) {
                        tm_buf_putc(out, '\n');
                        emit_yaml_map(c, out, indent + 2, false);
                } else {
                        tm_buf_putc(out, '\n');
                        emit_yaml_seq(c, out, explicit_key ? indent + 2 : indent, false);
                }
        }
}

static void
emit_yaml_seq(const res_value *v, tm_buf *out, int indent, bool inline_first)
{
        for (uint32_t i = 0; i < v->n; i++) {
                const res_value *c = v->u.items[i];
                if (i || !inline_first)
                        put_indent(out, indent);
                tm_buf_puts(out, "- ");
                if (!is_block(c))
                        put_yaml_scalar(c, out, indent + 2);
                else if (c->type == RES_MAP)
                        emit_yaml_map(c, out, indent + 2, true);
                else
                        emit_yaml_seq(c, out, indent + 2, true);
        }
}

void
res_emit_yaml(const res_value *v, tm_buf *out, int indent)
{
        if (is_block(v) && v->type == RES_MAP) {
                emit_yaml_map(v, out, indent, false);
        } else if (is_block(v)) {
                emit_yaml_seq(v, out, indent, false);
        } else {
                put_indent(out, indent);
                put_yaml_scalar(v, out, indent + 2);
        }
}
