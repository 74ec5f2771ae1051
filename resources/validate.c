/* Schema-driven decoding: every field checked against the kind's schema
 * (unknown fields, types), server-set fields dropped, quantities stored in
 * Kubernetes' canonical spelling. All problems are reported, none stops
 * the walk. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "resources/object-internal.h"
#include "resources/quantity.h"

/* In a Secret, values under data, stringData and annotations (which may
 * hold a last-applied copy of the whole Secret) are never shown. */
static bool
hide_values(const res_vctx *c)
{
        return c->secret &&
               (strncmp(c->path, "data", 4) == 0 || strncmp(c->path, "stringData", 10) == 0 ||
                strncmp(c->path, "metadata.annotations", 20) == 0);
}

static size_t
vc_append(res_vctx *c, const char *s, size_t n)
{
        size_t old = c->plen;
        if (c->plen + n + 1 > sizeof(c->path)) {
                /* Too deep to name in full: mark the cut and keep going. */
                static const char cut[] = "...";
                if (c->plen + sizeof(cut) <= sizeof(c->path)) {
                        memcpy(c->path + c->plen, cut, sizeof(cut));
                        c->plen += sizeof(cut) - 1;
                }
                return old;
        }
        memcpy(c->path + c->plen, s, n);
        c->plen += n;
        c->path[c->plen] = '\0';
        return old;
}

size_t
res_vc_push(res_vctx *c, const char *key)
{
        size_t old = c->plen;
        if (c->plen)
                vc_append(c, ".", 1);
        vc_append(c, key, strlen(key));
        return old;
}

size_t
res_vc_push_index(res_vctx *c, size_t i)
{
        /* "[i]" by hand: this runs for every list item of every object */
        char b[32], *p = b + sizeof(b);
        *--p = ']';
        do {
                *--p = (char)('0' + i % 10);
                i /= 10;
        } while (i);
        *--p = '[';
        size_t old = c->plen;
        vc_append(c, p, (size_t)(b + sizeof(b) - p));
        return old;
}

static bool
simple_key(const char *k)
{
        if (!*k)
                return false;
        for (const char *p = k; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
                        return false;
        return true;
}

size_t
res_vc_push_mapkey(res_vctx *c, const char *key)
{
        if (simple_key(key))
                return res_vc_push(c, key);
        size_t old = c->plen;
        size_t n = strnlen(key, 128);
        vc_append(c, "[", 1);
        vc_append(c, key, n);
        vc_append(c, "]", 1);
        return old;
}

void
res_vc_pop(res_vctx *c, size_t len)
{
        c->plen = len;
        c->path[len] = '\0';
}

static void
vc_verr(res_vctx *c, uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        if (!line) {
                line = c->line;
                col = c->col;
        }
        if (line)
                line += c->line_offset;
        res_diags_add(c->diags, c->file, line, col, c->kind ? c->kind->kind : NULL, c->ns, c->name,
                      c->plen ? c->path : NULL, "%s", msg);
        c->errors++;
}

void
res_vc_err(res_vctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vc_verr(c, line, col, fmt, ap);
        va_end(ap);
}

void
res_vc_err_key(res_vctx *c, const char *key, uint32_t line, uint32_t col, const char *fmt, ...)
{
        size_t old = res_vc_push(c, key);
        va_list ap;
        va_start(ap, fmt);
        vc_verr(c, line, col, fmt, ap);
        va_end(ap);
        res_vc_pop(c, old);
}

void
res_vc_fmt_value(const res_value *v, tm_buf *out)
{
        switch (v->type) {
        case RES_STR: {
                size_t n = v->n > 64 ? 64 : v->n;
                tm_buf_put_json_string(out, v->u.s, n);
                if (v->n > n)
                        tm_buf_puts(out, "...");
                break;
        }
        case RES_INT:
                tm_buf_printf(out, "%lld", (long long)v->u.i);
                break;
        case RES_FLOAT:
                tm_buf_printf(out, "%g", v->u.f);
                break;
        case RES_BOOL:
                tm_buf_puts(out, v->u.b ? "true" : "false");
                break;
        default:
                tm_buf_puts(out, res_type_name((res_type)v->type));
                break;
        }
}

void
res_map_remove_at(res_value *m, uint32_t i)
{
        if (!(m->flags & RES_F_ADATA))
                free(m->u.members[i].key);
        res_value_free(m->u.members[i].value);
        memmove(&m->u.members[i], &m->u.members[i + 1],
                (size_t)(m->n - i - 1) * sizeof(res_member));
        m->n--;
}

static const char *
ftype_name(uint8_t t)
{
        switch (t) {
        case FT_STR:
                return "string";
        case FT_INT32:
        case FT_INT64:
                return "integer";
        case FT_BOOL:
                return "boolean";
        case FT_QTY:
                return "quantity";
        case FT_INTSTR:
                return "integer or string";
        case FT_OBJ:
                return "map";
        }
        return "value";
}

static void
type_error(res_vctx *c, const res_value *v, const char *want)
{
        /* Remember the path so that no "Required value" follows for it. */
        if (c->nbad < TM_ARRAY_SIZE(c->bad))
                c->bad[c->nbad++] = tm_fnv1a(c->path, c->plen);
        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
        tm_buf_printf(&b, "expected %s, got %s", want, res_type_name((res_type)v->type));
        if (!hide_values(c) && (v->type == RES_STR || v->type == RES_INT || v->type == RES_FLOAT)) {
                tm_buf_putc(&b, ' ');
                res_vc_fmt_value(v, &b);
        }
        res_vc_err(c, v->line, v->col, "%s", b.data);
}

/* A float with an integral value reads as an integer, as it does after
 * kubectl's YAML-to-JSON step. */
static bool
float_to_int(res_value *v)
{
        if (v->type != RES_FLOAT)
                return v->type == RES_INT;
        double f = v->u.f;
        if (!isfinite(f) || f != floor(f) || f < -9.2e18 || f > 9.2e18)
                return false;
        v->type = RES_INT;
        v->u.i = (int64_t)f;
        return true;
}

static void
set_string(res_value *v, const char *s)
{
        size_t n = strlen(s);
        if (v->type == RES_STR && !(v->flags & RES_F_ADATA))
                free(v->u.s);
        v->flags &= (uint8_t)~RES_F_ADATA;
        v->type = RES_STR;
        v->u.s = xmemdup(s, n + 1);
        v->n = (uint32_t)n;
}

static void
decode_qty(res_vctx *c, res_value *v)
{
        char buf[64];
        const char *s;
        if (v->type == RES_STR) {
                s = v->u.s;
        } else if (v->type == RES_INT) {
                snprintf(buf, sizeof(buf), "%lld", (long long)v->u.i);
                s = buf;
        } else if (v->type == RES_FLOAT && isfinite(v->u.f)) {
                snprintf(buf, sizeof(buf), "%.15g", v->u.f);
                if (strtod(buf, NULL) != v->u.f)
                        snprintf(buf, sizeof(buf), "%.17g", v->u.f);
                s = buf;
        } else {
                type_error(c, v, "quantity");
                return;
        }
        res_quantity q;
        int r = res_quantity_parse(s, &q);
        if (r < 0) {
                _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                if (!hide_values(c))
                        res_vc_fmt_value(v, &b);
                res_vc_err(c, v->line, v->col, "Invalid value: %s: %s", b.data ? b.data : "",
                           r == -ERANGE ? "quantity is too great"
                                        : "quantities must match the regular expression "
                                          "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
                return;
        }
        char out[RES_QUANTITY_STR_MAX];
        res_quantity_format(&q, out);
        set_string(v, out);
        v->flags |= RES_F_QUOTED;
}

/* Checks one value against a scalar or object type; returns false when
 * the value must be dropped. */
static bool
decode_one(res_vctx *c, res_value *v, const res_field *f)
{
        switch (f->type) {
        case FT_STR:
                if (v->type != RES_STR) {
                        type_error(c, v, "string");
                        return false;
                }
                return true;
        case FT_INT32:
        case FT_INT64:
                if (!float_to_int(v)) {
                        type_error(c, v, "integer");
                        return false;
                }
                if (f->type == FT_INT32 && (v->u.i < INT32_MIN || v->u.i > INT32_MAX)) {
                        res_vc_err(c, v->line, v->col,
                                   "Invalid value: %lld: must fit in a 32-bit integer",
                                   (long long)v->u.i);
                        return false;
                }
                return true;
        case FT_BOOL:
                if (v->type != RES_BOOL) {
                        type_error(c, v, "boolean");
                        return false;
                }
                return true;
        case FT_QTY: {
                size_t before = c->errors;
                decode_qty(c, v);
                return c->errors == before;
        }
        case FT_INTSTR:
                if (v->type == RES_STR)
                        return true;
                if (!float_to_int(v)) {
                        type_error(c, v, "integer or string");
                        return false;
                }
                if (v->u.i < INT32_MIN || v->u.i > INT32_MAX) {
                        res_vc_err(c, v->line, v->col,
                                   "Invalid value: %lld: must fit in a 32-bit integer",
                                   (long long)v->u.i);
                        return false;
                }
                return true;
        case FT_OBJ:
                if (v->type != RES_MAP) {
                        type_error(c, v, "map");
                        return false;
                }
                res_decode_schema(c, v, f->obj);
                return true;
        default:
                return true;
        }
}

static bool
decode_field(res_vctx *c, res_value *v, const res_field *f)
{
        if (f->shape == FS_ONE)
                return decode_one(c, v, f);
        if (f->shape == FS_LIST) {
                if (v->type != RES_SEQ) {
                        _cleanup_free_ char *want = xasprintf("list of %s", ftype_name(f->type));
                        type_error(c, v, want);
                        return false;
                }
                for (uint32_t i = 0; i < v->n; i++) {
                        size_t old = res_vc_push_index(c, i);
                        res_value *it = v->u.items[i];
                        if (it->type == RES_NULL && f->type == FT_OBJ) {
                                it->type = RES_MAP; /* null item: an empty object, as in Go */
                                it->flags &= (uint8_t)~RES_F_ADATA;
                                it->n = it->cap = 0;
                                it->u.members = NULL;
                        }
                        decode_one(c, it, f);
                        res_vc_pop(c, old);
                }
                return true;
        }
        /* FS_MAP */
        if (v->type != RES_MAP) {
                _cleanup_free_ char *want = xasprintf("map of %s", ftype_name(f->type));
                type_error(c, v, want);
                return false;
        }
        for (uint32_t i = 0; i < v->n;) {
                res_member *m = &v->u.members[i];
                size_t old = res_vc_push_mapkey(c, m->key);
                bool keep = true;
                if (m->value->type == RES_NULL && f->type == FT_STR) {
                        /* `key:` with no value is "" once in a map[string]string */
                        m->value->type = RES_STR;
                        m->value->flags &= (uint8_t)~RES_F_ADATA;
                        m->value->u.s = xstrdup("");
                        m->value->n = 0;
                } else {
                        keep = decode_one(c, m->value, f);
                }
                res_vc_pop(c, old);
                if (keep)
                        i++;
                else
                        res_map_remove_at(v, i);
        }
        return true;
}

void
res_decode_schema(res_vctx *c, res_value *m, const res_schema *s)
{
        for (uint32_t i = 0; i < m->n;) {
                res_member *mem = &m->u.members[i];
                const res_field *f =
                    strlen(mem->key) == mem->klen ? res_schema_field(s, mem->key, mem->klen) : NULL;
                if (!f) {
                        _cleanup_(tm_buf_free) tm_buf k = TM_BUF_INIT;
                        tm_buf_put_json_string(&k, mem->key, mem->klen > 128 ? 128 : mem->klen);
                        size_t old = res_vc_push_mapkey(c, mem->key);
                        res_vc_err(c, mem->line, mem->col, "unknown field %s", k.data);
                        res_vc_pop(c, old);
                        res_map_remove_at(m, i);
                        continue;
                }
                if (f->flags & FF_FORBID) {
                        size_t old = res_vc_push(c, f->name);
                        res_vc_err(c, mem->line, mem->col,
                                   "Forbidden: not supported in manifests, set metadata.name");
                        res_vc_pop(c, old);
                        i++; /* kept until the name check, dropped with the object */
                        continue;
                }
                if (f->flags & FF_DROP || mem->value->type == RES_NULL) {
                        res_map_remove_at(m, i);
                        continue;
                }
                size_t old = res_vc_push(c, f->name);
                bool keep = decode_field(c, mem->value, f);
                res_vc_pop(c, old);
                if (keep)
                        i++;
                else
                        res_map_remove_at(m, i);
        }
}

/* Kubernetes' field error shapes (k8s.io/apimachinery/pkg/util/validation/field). */

void
res_vc_invalid(res_vctx *c, const char *key, const res_value *v, const char *fmt, ...)
{
        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
        size_t old = key ? res_vc_push(c, key) : c->plen;
        tm_buf_puts(&b, "Invalid value: ");
        if (hide_values(c))
                tm_buf_puts(&b, "<hidden>");
        else
                res_vc_fmt_value(v, &b);
        tm_buf_puts(&b, ": ");
        va_list ap;
        va_start(ap, fmt);
        tm_buf_vprintf(&b, fmt, ap);
        va_end(ap);
        res_vc_err(c, v->line, v->col, "%s", b.data);
        res_vc_pop(c, old);
}

void
res_vc_required(res_vctx *c, const char *key, const res_value *parent, const char *detail)
{
        uint32_t line = parent ? parent->line : 0, col = parent ? parent->col : 0;
        size_t old = key ? res_vc_push(c, key) : c->plen;
        uint64_t h = tm_fnv1a(c->path, c->plen);
        for (size_t i = 0; i < c->nbad; i++)
                if (c->bad[i] == h) {
                        res_vc_pop(c, old);
                        return;
                }
        if (detail && *detail)
                res_vc_err(c, line, col, "Required value: %s", detail);
        else
                res_vc_err(c, line, col, "Required value");
        res_vc_pop(c, old);
}

void
res_vc_unsupported(res_vctx *c, const char *key, const res_value *v, const char *const *allowed)
{
        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "Unsupported value: ");
        res_vc_fmt_value(v, &b);
        tm_buf_puts(&b, ": supported values: ");
        for (size_t i = 0; allowed[i]; i++)
                tm_buf_printf(&b, "%s\"%s\"", i ? ", " : "", allowed[i]);
        size_t old = key ? res_vc_push(c, key) : c->plen;
        res_vc_err(c, v->line, v->col, "%s", b.data);
        res_vc_pop(c, old);
}

bool
res_vc_enum(res_vctx *c, const res_value *m, const char *key, const char *const *allowed)
{
        const res_value *v = res_map_get(m, key);
        if (!v || v->type != RES_STR)
                return true;
        for (size_t i = 0; allowed[i]; i++)
                if (strcmp(v->u.s, allowed[i]) == 0)
                        return true;
        res_vc_unsupported(c, key, v, allowed);
        return false;
}

void
res_vc_name(res_vctx *c, const res_value *m, const char *key, const char *(*check)(const char *),
            bool required)
{
        const res_value *v = res_map_get(m, key);
        if (!v || v->type != RES_STR || v->n == 0) {
                if (required)
                        res_vc_required(c, key, v ? v : m, NULL);
                return;
        }
        const char *msg = check(v->u.s);
        if (msg)
                res_vc_invalid(c, key, v, "%s", msg);
}

void
res_vc_range(res_vctx *c, const res_value *m, const char *key, int64_t lo, int64_t hi)
{
        const res_value *v = res_map_get(m, key);
        if (!v || v->type != RES_INT)
                return;
        if (v->u.i < lo || v->u.i > hi) {
                if (hi == INT32_MAX || hi == INT64_MAX)
                        res_vc_invalid(c, key, v, "must be greater than or equal to %lld",
                                       (long long)lo);
                else
                        res_vc_invalid(c, key, v, "must be between %lld and %lld, inclusive",
                                       (long long)lo, (long long)hi);
        }
}
