/* YAML/JSON streams into res_value trees, read the way kubectl reads them
 * (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1 scalars). Built on libyaml's
 * event API; one pass, no intermediate node graph. */
#include "resources/yaml.h"
#include "common/mem.h"
#include "resources/emit-internal.h"
#include "resources/value-internal.h"
#include "resources/yaml-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml-libyaml.h>

void
res_limits_default(res_limits *out)
{
        out->max_doc_bytes = 8u << 20;
        out->max_depth = 64;
        out->max_nodes = 1000000;
        out->max_alias_nodes = 10000;
        out->max_docs = 10000;
        out->max_objects = 100000;
        out->max_scalar_bytes = 4u << 20;
}

/* ---- plain scalar resolution: go-yaml v2 resolve.go ---- */

#define R_MERGE 100 /* "<<" */

static const struct {
        const char *s;
        uint8_t type;
        int8_t v;
} resolve_map[] = {
    {"y", RES_BOOL, 1},       {"Y", RES_BOOL, 1},       {"yes", RES_BOOL, 1},
    {"Yes", RES_BOOL, 1},     {"YES", RES_BOOL, 1},     {"true", RES_BOOL, 1},
    {"True", RES_BOOL, 1},    {"TRUE", RES_BOOL, 1},    {"on", RES_BOOL, 1},
    {"On", RES_BOOL, 1},      {"ON", RES_BOOL, 1},      {"n", RES_BOOL, 0},
    {"N", RES_BOOL, 0},       {"no", RES_BOOL, 0},      {"No", RES_BOOL, 0},
    {"NO", RES_BOOL, 0},      {"false", RES_BOOL, 0},   {"False", RES_BOOL, 0},
    {"FALSE", RES_BOOL, 0},   {"off", RES_BOOL, 0},     {"Off", RES_BOOL, 0},
    {"OFF", RES_BOOL, 0},     {"~", RES_NULL, 0},       {"", RES_NULL, 0},
    {"null", RES_NULL, 0},    {"Null", RES_NULL, 0},    {"NULL", RES_NULL, 0},
    {".nan", RES_FLOAT, 0},   {".NaN", RES_FLOAT, 0},   {".NAN", RES_FLOAT, 0},
    {".inf", RES_FLOAT, 1},   {".Inf", RES_FLOAT, 1},   {".INF", RES_FLOAT, 1},
    {"+.inf", RES_FLOAT, 1},  {"+.Inf", RES_FLOAT, 1},  {"+.INF", RES_FLOAT, 1},
    {"-.inf", RES_FLOAT, -1}, {"-.Inf", RES_FLOAT, -1}, {"-.INF", RES_FLOAT, -1},
    {"<<", R_MERGE, 0},
};

static char
resolve_hint(unsigned char c)
{
        if (c == '+' || c == '-')
                return 'S';
        if (c >= '0' && c <= '9')
                return 'D';
        if (c == '.')
                return '.';
        if (c && strchr("yYnNtTfFoO~", c))
                return 'M';
        return 0;
}

/* Go's strconv.ParseInt(s, 0, 64), then ParseUint: 1 for an int64 in *iv,
 * 2 for a uint64 beyond int64 (as a double in *fv), 0 when neither. */
static int
parse_go_int(const char *s, size_t n, int64_t *iv, double *fv)
{
        size_t i = 0;
        bool neg = false, sign = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
                sign = true;
                neg = s[i] == '-';
                i++;
        }
        unsigned base = 10;
        if (n - i >= 2 && s[i] == '0') {
                char c = (char)(s[i + 1] | 0x20);
                if (n - i >= 3 && c == 'x')
                        base = 16, i += 2;
                else if (n - i >= 3 && c == 'o')
                        base = 8, i += 2;
                else if (n - i >= 3 && c == 'b')
                        base = 2, i += 2;
                else
                        base = 8, i += 1;
        }
        if (i >= n)
                return 0;
        uint64_t val = 0;
        bool over = false;
        for (; i < n; i++) {
                unsigned c = (unsigned char)s[i], d;
                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                        d = (c | 0x20) - 'a' + 10;
                else
                        return 0;
                if (d >= base)
                        return 0;
                if (val > (UINT64_MAX - d) / base)
                        over = true;
                else
                        val = val * base + d;
        }
        if (over)
                return 0;
        if (neg) {
                if (val > (uint64_t)INT64_MAX + 1)
                        return 0;
                *iv = val == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)val;
                return 1;
        }
        if (val <= INT64_MAX) {
                *iv = (int64_t)val;
                return 1;
        }
        if (sign)
                return 0;
        *fv = (double)val;
        return 2;
}

static size_t
scan_digits(const char *s, size_t n, size_t i)
{
        while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        return i;
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool
yaml_style_float(const char *s, size_t n)
{
        size_t i = 0, j;
        if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
        if (i < n && s[i] == '.') {
                j = scan_digits(s, n, i + 1);
                if (j == i + 1)
                        return false;
                i = j;
        } else {
                j = scan_digits(s, n, i);
                if (j == i)
                        return false;
                i = j;
                if (i < n && s[i] == '.')
                        i = scan_digits(s, n, i + 1);
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        i++;
                j = scan_digits(s, n, i);
                if (j == i)
                        return false;
                i = j;
        }
        return i == n;
}

/* strtod that fails, like Go's ParseFloat, on overflow to infinity. */
static bool
parse_float(const char *s, size_t n, double *out)
{
        char tmp[128];
        _cleanup_free_ char *heap = NULL;
        char *p = tmp;
        if (n >= sizeof(tmp))
                p = heap = xmalloc(n + 1);
        memcpy(p, s, n);
        p[n] = '\0';
        double f = strtod(p, NULL);
        if (isinf(f))
                return false;
        *out = f;
        return true;
}

/* Go's ParseFloat for a string starting with '.': ".5", ".5e3", "._" no. */
static bool
parse_dot_float(const char *s, size_t n, double *out)
{
        char buf[128];
        size_t o = 0, i = 1;
        char prev = '.';
        bool digits = false;
        if (n >= sizeof(buf))
                return false;
        buf[o++] = '.';
        for (; i < n; i++) {
                char c = s[i];
                if (c >= '0' && c <= '9') {
                        digits = true;
                        buf[o++] = c;
                } else if (c == '_') {
                        if (prev < '0' || prev > '9' || i + 1 >= n || s[i + 1] < '0' ||
                            s[i + 1] > '9')
                                return false;
                } else {
                        break;
                }
                prev = c;
        }
        if (!digits)
                return false;
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                buf[o++] = s[i++];
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        buf[o++] = s[i++];
                size_t start = i;
                for (; i < n; i++) {
                        if (s[i] >= '0' && s[i] <= '9')
                                buf[o++] = s[i];
                        else if (s[i] == '_' && i > start && s[i - 1] != '_' && s[i - 1] >= '0' &&
                                 i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
                                continue;
                        else
                                return false;
                }
                if (i == start)
                        return false;
        }
        if (i != n)
                return false;
        return parse_float(buf, o, out);
}

/* Resolves a plain scalar into out's type and u (strings: type RES_STR
 * only, the caller owns the bytes). Returns the type, or R_MERGE. */
static int
resolve_into(const char *s, size_t n, res_value *out)
{
        out->type = RES_STR;
        if (n == 0) {
                out->type = RES_NULL;
                return RES_NULL;
        }
        char hint = resolve_hint((unsigned char)s[0]);
        if (!hint)
                return RES_STR;
        if (n <= 5) {
                for (size_t i = 0; i < TM_ARRAY_SIZE(resolve_map); i++) {
                        const char *m = resolve_map[i].s;
                        if (m[0] != s[0] || strlen(m) != n || memcmp(m, s, n) != 0)
                                continue;
                        int t = resolve_map[i].type;
                        if (t == R_MERGE)
                                return R_MERGE;
                        out->type = (uint8_t)t;
                        if (t == RES_BOOL)
                                out->u.b = resolve_map[i].v;
                        else if (t == RES_FLOAT)
                                out->u.f = resolve_map[i].v ? resolve_map[i].v * INFINITY : NAN;
                        return t;
                }
        }
        if (hint == '.') {
                if (parse_dot_float(s, n, &out->u.f))
                        out->type = RES_FLOAT;
                return out->type;
        }
        if (hint != 'D' && hint != 'S')
                return RES_STR;
        char tmp[128];
        _cleanup_free_ char *heap = NULL;
        char *plain = tmp;
        if (n >= sizeof(tmp))
                plain = heap = xmalloc(n + 1);
        size_t pn = 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] != '_')
                        plain[pn++] = s[i];
        int k = parse_go_int(plain, pn, &out->u.i, &out->u.f);
        if (k == 1) {
                out->type = RES_INT;
        } else if (k == 2) {
                out->type = RES_FLOAT;
        } else if (yaml_style_float(plain, pn) && parse_float(plain, pn, &out->u.f)) {
                out->type = RES_FLOAT;
        }
        return out->type;
}

res_value *
res_yaml_resolve_plain(const char *s, size_t n)
{
        res_value tmp = {0};
        int t = resolve_into(s, n, &tmp);
        if (t == RES_STR || t == R_MERGE)
                return res_str_newn(s, n);
        res_value *v = res_value_new((res_type)t);
        v->u = tmp.u;
        return v;
}

/* ---- decoder state ---- */

typedef struct frame {
        res_value *v;
        char *anchor;       /* owned; registered when the node ends */
        size_t start_nodes; /* d->nodes before this node */
        /* maps only */
        bool have_key, key_merge, discard;
        char *key; /* owned until the member is appended */
        uint32_t klen, kline, kcol;
        uint32_t *idx; /* open addressing: member index + 1; 0 is empty */
        uint32_t idx_cap;
        res_value **merges;
        size_t n_merges, cap_merges;
        /* Kept across the collections met at this depth: a node's items
         * are built here and copied out at its exact size when it ends. */
        void *buf;
        size_t buf_bytes;
} frame;

typedef struct anchor_ent {
        char *name; /* owned */
        res_value *v;
        size_t size;
} anchor_ent;

typedef struct dec {
        const char *file;
        const res_limits *lim;
        res_diags *diags;
        const char *data;
        size_t len;
        frame *st;
        size_t depth, st_cap;
        size_t nodes, alias_nodes;
        anchor_ent *anchors;
        size_t n_anchors, cap_anchors; /* open addressing, cap a power of 2 */
        res_value **grave;             /* dropped values that anchors may still point to */
        size_t n_grave, cap_grave;
        res_doc *docs;
        size_t n_docs, cap_docs;
        res_value *root;
        size_t skip;   /* > 0: inside a node being skipped */
        bool skip_doc; /* skip to the end of the document */
        bool fatal;
        size_t errors;
        res_arena *arena; /* NULL: every node on the heap */
} dec;

#define POS(m) (uint32_t)((m).line + 1), (uint32_t)((m).column + 1)

static void dec_error(dec *d, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
dec_error(dec *d, uint32_t line, uint32_t col, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = xvasprintf(fmt, ap);
        va_end(ap);
        res_diags_add(d->diags, d->file, line, col, NULL, NULL, NULL, NULL, "%s", msg);
        d->errors++;
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
                h ^= (unsigned char)s[i];
                h *= 16777619u;
        }
        return h;
}

static void
grave_add(dec *d, res_value *v)
{
        if (!v)
                return;
        TM_GROW(d->grave, d->cap_grave, d->n_grave + 1);
        d->grave[d->n_grave++] = v;
}

/* Anchors: the newest definition of a name wins. */
static anchor_ent *
anchor_slot(dec *d, const char *name)
{
        if (!d->cap_anchors)
                return NULL;
        size_t mask = d->cap_anchors - 1;
        size_t i = hash_bytes(name, strlen(name)) & mask;
        while (d->anchors[i].name) {
                if (strcmp(d->anchors[i].name, name) == 0)
                        return &d->anchors[i];
                i = (i + 1) & mask;
        }
        return &d->anchors[i];
}

static void
anchor_put(dec *d, char *name, res_value *v, size_t size)
{
        if ((d->n_anchors + 1) * 2 > d->cap_anchors) {
                anchor_ent *old = d->anchors;
                size_t oldcap = d->cap_anchors;
                d->cap_anchors = oldcap ? oldcap * 2 : 16;
                d->anchors = xcalloc(d->cap_anchors, sizeof(anchor_ent));
                for (size_t i = 0; i < oldcap; i++)
                        if (old[i].name)
                                *anchor_slot(d, old[i].name) = old[i];
                free(old);
        }
        anchor_ent *a = anchor_slot(d, name);
        if (a->name) {
                free(name);
        } else {
                a->name = name;
                d->n_anchors++;
        }
        a->v = v;
        a->size = size;
}

static void
anchors_clear(dec *d)
{
        for (size_t i = 0; i < d->cap_anchors; i++)
                free(d->anchors[i].name);
        free(d->anchors);
        d->anchors = NULL;
        d->n_anchors = d->cap_anchors = 0;
}

/* Nodes, strings, arrays and keys: in the arena when there is one. With
 * an arena, every key a frame holds is in it; without, on the heap. */
static res_value *
node_new(dec *d, res_type type)
{
        return res_value_new_in(d->arena, type);
}

static void
key_free(dec *d, char *key)
{
        if (!d->arena)
                free(key);
}

/* A heap key (from key_string) made the kind the frames hold. */
static char *
key_own(dec *d, char *key, size_t klen)
{
        if (!d->arena)
                return key;
        char *k = res_arena_memdup(d->arena, key, klen + 1);
        free(key);
        return k;
}

static char *
key_dup(dec *d, const char *key, size_t klen)
{
        return d->arena ? res_arena_memdup(d->arena, key, klen + 1) : xmemdup(key, klen + 1);
}

static void
frame_clear(dec *d, frame *f)
{
        res_value *v = f->v;
        if (v) {
                /* the items live in f->buf until the node ends */
                for (uint32_t i = 0; i < v->n; i++) {
                        if (v->type == RES_MAP) {
                                key_free(d, v->u.members[i].key);
                                res_value_free(v->u.members[i].value);
                        } else {
                                res_value_free(v->u.items[i]);
                        }
                }
                v->n = v->cap = 0;
                v->u.items = NULL;
                res_value_free(v);
        }
        free(f->anchor);
        key_free(d, f->key);
        free(f->idx);
        for (size_t i = 0; i < f->n_merges; i++)
                res_value_free(f->merges[i]);
        free(f->merges);
        void *buf = f->buf;
        size_t bytes = f->buf_bytes;
        memset(f, 0, sizeof(*f));
        f->buf = buf;
        f->buf_bytes = bytes;
}

/* Room for one more item of size in the node being built at f. */
static void
frame_reserve(frame *f, size_t size)
{
        res_value *v = f->v;
        if ((size_t)v->n + 1 <= f->buf_bytes / size)
                return;
        size_t bytes = f->buf_bytes ? f->buf_bytes * 2 : 16 * 32;
        f->buf = xrealloc(f->buf, bytes);
        f->buf_bytes = bytes;
        v->u.items = f->buf;
        v->cap = (uint32_t)(bytes / size);
}

static void
doc_reset(dec *d)
{
        while (d->depth)
                frame_clear(d, &d->st[--d->depth]);
        anchors_clear(d);
        for (size_t i = 0; i < d->n_grave; i++)
                res_value_free(d->grave[i]);
        d->n_grave = 0;
        res_value_free(d->root);
        d->root = NULL;
        d->skip = 0;
        d->skip_doc = false;
}

/* ---- map keys ---- */

static void
idx_insert(frame *f, uint32_t member)
{
        const res_member *m = &f->v->u.members[member];
        uint32_t mask = f->idx_cap - 1;
        uint32_t i = hash_bytes(m->key, m->klen) & mask;
        while (f->idx[i])
                i = (i + 1) & mask;
        f->idx[i] = member + 1;
}

static void
idx_rebuild(frame *f)
{
        free(f->idx);
        f->idx_cap = 32;
        while (f->idx_cap < f->v->n * 2 + 2)
                f->idx_cap *= 2;
        f->idx = xcalloc(f->idx_cap, sizeof(uint32_t));
        for (uint32_t i = 0; i < f->v->n; i++)
                idx_insert(f, i);
}

static res_member *
frame_find(frame *f, const char *key, size_t klen)
{
        res_value *m = f->v;
        if (!f->idx) {
                for (uint32_t i = 0; i < m->n; i++)
                        if (m->u.members[i].klen == klen &&
                            memcmp(m->u.members[i].key, key, klen) == 0)
                                return &m->u.members[i];
                return NULL;
        }
        uint32_t mask = f->idx_cap - 1;
        uint32_t i = hash_bytes(key, klen) & mask;
        while (f->idx[i]) {
                res_member *mem = &m->u.members[f->idx[i] - 1];
                if (mem->klen == klen && memcmp(mem->key, key, klen) == 0)
                        return mem;
                i = (i + 1) & mask;
        }
        return NULL;
}

/* Appends a member, taking ownership of key. */
static void
frame_append(frame *f, char *key, size_t klen, uint32_t line, uint32_t col, res_value *v)
{
        res_value *m = f->v;
        frame_reserve(f, sizeof(res_member));
        res_member *mem = &m->u.members[m->n++];
        mem->key = key;
        mem->klen = (uint32_t)klen;
        mem->line = line;
        mem->col = col;
        mem->value = v;
        if (f->idx && (size_t)m->n * 2 <= f->idx_cap)
                idx_insert(f, m->n - 1);
        else if (m->n > 8)
                idx_rebuild(f);
}

/* The string sigs.k8s.io/yaml makes of a scalar key. -1 for collections. */
static int
key_string(const res_value *v, char **out, size_t *len)
{
        char buf[RES_FLOAT_STR_MAX];
        switch (v->type) {
        case RES_STR:
                *out = xmemdup(v->u.s, (size_t)v->n + 1);
                *len = v->n;
                return 0;
        case RES_INT:
                *out = xasprintf("%" PRId64, v->u.i);
                break;
        case RES_FLOAT:
                res_format_float(v->u.f, 32, 'g', buf);
                *out = xstrdup(strcmp(buf, "+Inf") == 0   ? ".inf"
                               : strcmp(buf, "-Inf") == 0 ? "-.inf"
                               : strcmp(buf, "NaN") == 0  ? ".nan"
                                                          : buf);
                break;
        case RES_BOOL:
                *out = xstrdup(v->u.b ? "true" : "false");
                break;
        case RES_NULL:
                *out = xstrdup("null");
                break;
        default:
                return -1;
        }
        *len = strlen(*out);
        return 0;
}

static void
set_key(dec *d, frame *f, char *key, size_t klen, uint32_t line, uint32_t col)
{
        f->have_key = true;
        if (memchr(key, '\0', klen)) {
                /* keys are C strings everywhere downstream */
                dec_error(d, line, col, "yaml: a mapping key cannot contain a NUL character");
                f->discard = true;
                key_free(d, key);
                return;
        }
        res_member *prev = frame_find(f, key, klen);
        if (prev) {
                dec_error(d, line, col, "duplicate key \"%.*s\" (first defined at line %u)",
                          klen > 200 ? 200 : (int)klen, key, prev->line);
                f->discard = true;
                key_free(d, key);
                return;
        }
        f->key = key;
        f->klen = (uint32_t)klen;
        f->kline = line;
        f->kcol = col;
}

/* ---- building ---- */

static frame *
top(dec *d)
{
        return d->depth ? &d->st[d->depth - 1] : NULL;
}

static bool
count_nodes(dec *d, size_t k, uint32_t line, uint32_t col)
{
        if (d->nodes + k > d->lim->max_nodes) {
                dec_error(d, line, col, "yaml: document has more than %zu nodes",
                          d->lim->max_nodes);
                d->fatal = true;
                return false;
        }
        d->nodes += k;
        return true;
}

static void
attach(dec *d, res_value *v)
{
        frame *f = top(d);
        if (!f) {
                if (d->root)
                        grave_add(d, d->root);
                d->root = v;
                return;
        }
        if (f->v->type == RES_SEQ) {
                frame_reserve(f, sizeof(res_value *));
                f->v->u.items[f->v->n++] = v;
                return;
        }
        if (f->discard || !f->key) {
                if (f->key_merge) {
                        TM_GROW(f->merges, f->cap_merges, f->n_merges + 1);
                        f->merges[f->n_merges++] = v;
                } else {
                        grave_add(d, v);
                }
        } else {
                frame_append(f, f->key, f->klen, f->kline, f->kcol, v);
        }
        f->key = NULL;
        f->have_key = f->key_merge = f->discard = false;
}

static size_t
tree_size(const res_value *v)
{
        size_t n = 1;
        if (v->type == RES_SEQ)
                for (uint32_t i = 0; i < v->n; i++)
                        n += tree_size(v->u.items[i]);
        else if (v->type == RES_MAP)
                for (uint32_t i = 0; i < v->n; i++)
                        n += tree_size(v->u.members[i].value);
        return n;
}

static void
merge_one(dec *d, frame *f, const res_value *src, const res_value *at)
{
        if (src->type != RES_MAP) {
                dec_error(d, at->line, at->col,
                          "yaml: map merge requires map or sequence of maps as the value");
                return;
        }
        for (uint32_t i = 0; i < src->n && !d->fatal; i++) {
                const res_member *m = &src->u.members[i];
                if (frame_find(f, m->key, m->klen))
                        continue;
                if (!count_nodes(d, tree_size(m->value), m->line, m->col))
                        return;
                frame_append(f, key_dup(d, m->key, m->klen), m->klen, m->line, m->col,
                             res_value_clone(m->value));
        }
}

static void
apply_merges(dec *d, frame *f)
{
        for (size_t i = 0; i < f->n_merges; i++) {
                res_value *src = f->merges[i];
                if (src->type == RES_SEQ) {
                        for (uint32_t j = 0; j < src->n; j++)
                                merge_one(d, f, src->u.items[j], src->u.items[j]);
                } else {
                        merge_one(d, f, src, src);
                }
                grave_add(d, src);
        }
        f->n_merges = 0;
}

static void
on_start(dec *d, yaml_event_t *e, bool is_map)
{
        frame *f = top(d);
        uint32_t line = (uint32_t)e->start_mark.line + 1, col = (uint32_t)e->start_mark.column + 1;
        if (f && f->v->type == RES_MAP && !f->have_key) {
                dec_error(d, line, col, "yaml: a %s cannot be a mapping key",
                          is_map ? "map" : "list");
                f->have_key = f->discard = true;
                d->skip = 1;
                return;
        }
        if (d->depth >= d->lim->max_depth) {
                dec_error(d, line, col, "yaml: nesting deeper than %zu levels", d->lim->max_depth);
                d->fatal = true;
                return;
        }
        if (!count_nodes(d, 1, line, col))
                return;
        if (d->depth == d->st_cap) {
                size_t old = d->st_cap;
                TM_GROW(d->st, d->st_cap, d->depth + 1);
                memset(d->st + old, 0, (d->st_cap - old) * sizeof(*d->st));
        }
        f = &d->st[d->depth++];
        f->v = node_new(d, is_map ? RES_MAP : RES_SEQ);
        f->v->u.items = f->buf;
        f->v->cap = (uint32_t)(f->buf_bytes / (is_map ? sizeof(res_member) : sizeof(res_value *)));
        f->v->line = line;
        f->v->col = col;
        f->start_nodes = d->nodes - 1;
        yaml_char_t **anchor =
            is_map ? &e->data.mapping_start.anchor : &e->data.sequence_start.anchor;
        f->anchor = (char *)TAKE_PTR(*anchor);
}

static void
on_end(dec *d)
{
        frame *f = top(d);
        if (f->v->type == RES_MAP)
                apply_merges(d, f);
        res_value *v = TAKE_PTR(f->v);
        /* exactly sized: thousands of small maps add up */
        size_t size = v->type == RES_MAP ? sizeof(res_member) : sizeof(res_value *);
        if (!v->n)
                v->u.items = NULL;
        else if (d->arena)
                v->u.items = res_arena_memdup(d->arena, f->buf, v->n * size);
        else
                v->u.items = xmemdup(f->buf, v->n * size);
        v->cap = v->n;
        if (f->anchor)
                anchor_put(d, TAKE_PTR(f->anchor), v, d->nodes - f->start_nodes);
        frame_clear(d, f);
        d->depth--;
        attach(d, v);
}

static const char *
short_tag(const char *tag)
{
        static const char prefix[] = "tag:yaml.org,2002:";
        if (strncmp(tag, prefix, sizeof(prefix) - 1) == 0)
                return tag + sizeof(prefix) - 1;
        return NULL;
}

/* The value of a scalar event into *out (type and u; strings not filled).
 * Returns false (with a diagnostic) when an explicit tag does not fit. */
static bool
resolve_event(dec *d, const yaml_event_t *e, res_value *out, bool *merge)
{
        const char *s = (const char *)e->data.scalar.value;
        size_t n = e->data.scalar.length;
        const char *tag = (const char *)e->data.scalar.tag;
        *merge = false;
        out->type = RES_STR;
        if (!tag) {
                if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                        return true;
                *merge = n == 2 && s[0] == '<' && s[1] == '<';
                if (!*merge)
                        resolve_into(s, n, out);
                return true;
        }
        const char *st = short_tag(tag);
        if (!st || strcmp(st, "str") == 0 || strcmp(st, "binary") == 0 ||
            strcmp(st, "timestamp") == 0)
                return true;
        if (strcmp(st, "merge") == 0) {
                *merge = true;
                return true;
        }
        int want = strcmp(st, "int") == 0     ? RES_INT
                   : strcmp(st, "float") == 0 ? RES_FLOAT
                   : strcmp(st, "bool") == 0  ? RES_BOOL
                   : strcmp(st, "null") == 0  ? RES_NULL
                                              : -1;
        if (want < 0)
                return true;
        int got = resolve_into(s, n, out);
        if (got == R_MERGE)
                got = out->type = RES_STR;
        if (got == want)
                return true;
        if (want == RES_FLOAT && got == RES_INT) {
                out->type = RES_FLOAT;
                out->u.f = (double)out->u.i;
                return true;
        }
        static const char *const names[] = {"null", "bool", "int", "float", "str"};
        /* the value itself stays out of the message: it may be a secret */
        dec_error(d, POS(e->start_mark), "yaml: cannot decode a !!%s value as a !!%s", names[got],
                  st);
        out->type = RES_NULL;
        return false;
}

static void
on_scalar(dec *d, yaml_event_t *e)
{
        frame *f = top(d);
        uint32_t line = (uint32_t)e->start_mark.line + 1, col = (uint32_t)e->start_mark.column + 1;
        bool is_key = f && f->v->type == RES_MAP && !f->have_key;
        size_t n = e->data.scalar.length;
        res_value tmp = {0};
        bool merge = false;
        if (n > d->lim->max_scalar_bytes) {
                dec_error(d, line, col, "yaml: scalar of %zu bytes is over the limit of %zu", n,
                          d->lim->max_scalar_bytes);
                tmp.type = RES_NULL;
        } else {
                resolve_event(d, e, &tmp, &merge);
        }
        char *anchor_name = (char *)TAKE_PTR(e->data.scalar.anchor);
        if (is_key && merge && !anchor_name) {
                f->have_key = f->key_merge = true;
                return;
        }
        if (is_key && !anchor_name && tmp.type == RES_STR) {
                char *key = d->arena ? res_arena_memdup(d->arena, e->data.scalar.value, n + 1)
                                     : (char *)TAKE_PTR(e->data.scalar.value);
                set_key(d, f, key, n, line, col);
                return;
        }
        if (!count_nodes(d, 1, line, col)) {
                free(anchor_name);
                return;
        }
        res_value *v;
        if (tmp.type == RES_STR) {
                if (d->arena) {
                        v = node_new(d, RES_STR);
                        v->u.s = res_arena_memdup(d->arena, e->data.scalar.value, n + 1);
                        v->n = (uint32_t)n;
                } else {
                        v = res_str_take((char *)TAKE_PTR(e->data.scalar.value), n);
                }
                if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                        v->flags |= RES_F_QUOTED;
        } else {
                v = node_new(d, (res_type)tmp.type);
                v->u = tmp.u;
        }
        v->line = line;
        v->col = col;
        if (anchor_name)
                anchor_put(d, anchor_name, v, 1);
        if (is_key) {
                char *key;
                size_t klen;
                key_string(v, &key, &klen);
                if (anchor_name)
                        grave_add(d, v);
                else
                        res_value_free(v);
                if (merge)
                        f->have_key = f->key_merge = true, free(key);
                else
                        set_key(d, f, key_own(d, key, klen), klen, line, col);
                return;
        }
        attach(d, v);
}

static bool
anchor_open(dec *d, const char *name)
{
        for (size_t i = 0; i < d->depth; i++)
                if (d->st[i].anchor && strcmp(d->st[i].anchor, name) == 0)
                        return true;
        return false;
}

static void
on_alias(dec *d, const yaml_event_t *e)
{
        frame *f = top(d);
        uint32_t line = (uint32_t)e->start_mark.line + 1, col = (uint32_t)e->start_mark.column + 1;
        const char *name = (const char *)e->data.alias.anchor;
        bool is_key = f && f->v->type == RES_MAP && !f->have_key;
        anchor_ent *a = anchor_open(d, name) ? NULL : anchor_slot(d, name);
        res_value *v = NULL;
        if (!a || !a->name) {
                dec_error(d, line, col,
                          anchor_open(d, name) ? "yaml: anchor \"%s\" value contains itself"
                                               : "yaml: unknown anchor \"%s\" referenced",
                          name);
        } else if (d->alias_nodes + a->size > d->lim->max_alias_nodes) {
                dec_error(d, line, col,
                          "yaml: alias \"%s\" expands past the limit of %zu alias nodes", name,
                          d->lim->max_alias_nodes);
                d->fatal = true;
                return;
        } else if (count_nodes(d, a->size, line, col)) {
                d->alias_nodes += a->size;
                v = res_value_clone(a->v);
                v->line = line;
                v->col = col;
        } else {
                return;
        }
        if (!v)
                v = res_null_new();
        if (is_key) {
                char *key;
                size_t klen;
                if (key_string(v, &key, &klen) < 0) {
                        dec_error(d, line, col, "yaml: a %s cannot be a mapping key",
                                  v->type == RES_MAP ? "map" : "list");
                        f->have_key = f->discard = true;
                } else {
                        set_key(d, f, key_own(d, key, klen), klen, line, col);
                }
                res_value_free(v);
                return;
        }
        attach(d, v);
}

static void
on_doc_end(dec *d, uint32_t line, uint32_t col)
{
        res_value *root = TAKE_PTR(d->root);
        if (root && root->type == RES_NULL) {
                res_value_free(root);
                root = NULL;
        }
        TM_GROW(d->docs, d->cap_docs, d->n_docs + 1);
        d->docs[d->n_docs++] = (res_doc){root, line, col};
        doc_reset(d);
}

static void
on_event(dec *d, yaml_event_t *e)
{
        if (d->skip_doc && e->type != YAML_DOCUMENT_END_EVENT)
                return;
        if (d->skip) {
                if (e->type == YAML_MAPPING_START_EVENT || e->type == YAML_SEQUENCE_START_EVENT)
                        d->skip++;
                else if (e->type == YAML_MAPPING_END_EVENT || e->type == YAML_SEQUENCE_END_EVENT)
                        d->skip--;
                return;
        }
        switch (e->type) {
        case YAML_DOCUMENT_START_EVENT:
                if (d->n_docs >= d->lim->max_docs) {
                        dec_error(d, POS(e->start_mark),
                                  "yaml: more than %zu documents in one file", d->lim->max_docs);
                        d->fatal = true;
                }
                break;
        case YAML_DOCUMENT_END_EVENT:
                break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
                on_start(d, e, e->type == YAML_MAPPING_START_EVENT);
                break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
                on_end(d);
                break;
        case YAML_SCALAR_EVENT:
                on_scalar(d, e);
                break;
        case YAML_ALIAS_EVENT:
                on_alias(d, e);
                break;
        default:
                break;
        }
}

static void
parser_error(dec *d, const yaml_parser_t *p)
{
        uint32_t line, col;
        if (p->error == YAML_READER_ERROR) {
                size_t off = p->problem_offset < d->len ? p->problem_offset : d->len;
                const char *nl = NULL;
                line = 1;
                for (size_t i = 0; i < off; i++)
                        if (d->data[i] == '\n')
                                line++, nl = d->data + i;
                col = (uint32_t)(d->data + off - (nl ? nl + 1 : d->data)) + 1;
        } else {
                line = (uint32_t)p->problem_mark.line + 1;
                col = (uint32_t)p->problem_mark.column + 1;
        }
        const char *problem = p->problem ? p->problem : "unknown error";
        if (p->error == YAML_MEMORY_ERROR)
                problem = "out of memory";
        if (p->context && p->error != YAML_READER_ERROR)
                dec_error(d, line, col, "yaml: %s (%s at line %zu, column %zu)", problem,
                          p->context, p->context_mark.line + 1, p->context_mark.column + 1);
        else
                dec_error(d, line, col, "yaml: %s", problem);
}

void
res_docs_free(res_doc *docs, size_t n)
{
        if (!docs)
                return;
        for (size_t i = 0; i < n; i++)
                res_value_free(docs[i].root);
        free(docs);
}

int
res_yaml_decode(const char *file, const void *data, size_t len, const res_limits *lim,
                res_doc **docs, size_t *n_docs, res_diags *diags)
{
        return res_yaml_decode_arena(file, data, len, lim, NULL, docs, n_docs, diags);
}

int
res_yaml_decode_arena(const char *file, const void *data, size_t len, const res_limits *lim,
                      res_arena *arena, res_doc **docs, size_t *n_docs, res_diags *diags)
{
        res_limits deflim;
        if (!lim) {
                res_limits_default(&deflim);
                lim = &deflim;
        }
        dec d = {
            .file = file, .lim = lim, .diags = diags, .data = data, .len = len, .arena = arena};
        if (len > lim->max_doc_bytes) {
                dec_error(&d, 0, 0, "yaml: file of %zu bytes is over the limit of %zu bytes", len,
                          lim->max_doc_bytes);
                return -EINVAL;
        }
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
                abort();
        /* libyaml insists on a non-NULL buffer, even an empty one */
        yaml_parser_set_input_string(&parser, data ? data : (const void *)"", data ? len : 0);
        yaml_event_t e;
        uint32_t doc_line = 1, doc_col = 1;
        for (;;) {
                if (!yaml_parser_parse(&parser, &e)) {
                        parser_error(&d, &parser);
                        break;
                }
                if (e.type == YAML_DOCUMENT_START_EVENT) {
                        doc_line = (uint32_t)e.start_mark.line + 1;
                        doc_col = (uint32_t)e.start_mark.column + 1;
                }
                on_event(&d, &e);
                if (e.type == YAML_DOCUMENT_END_EVENT && !d.fatal)
                        on_doc_end(&d, doc_line, doc_col);
                bool end = e.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&e);
                if (end || d.fatal)
                        break;
        }
        yaml_parser_delete(&parser);
        doc_reset(&d);
        for (size_t i = 0; i < d.st_cap; i++)
                free(d.st[i].buf);
        free(d.st);
        free(d.grave);
        if (d.errors) {
                res_docs_free(d.docs, d.n_docs);
                return -EINVAL;
        }
        *docs = d.docs;
        *n_docs = d.n_docs;
        return 0;
}

int
res_yaml_plain_type(const char *s, size_t n)
{
        res_value tmp = {0};
        if (n == 2 && s[0] == '<' && s[1] == '<')
                return -1;
        return resolve_into(s, n, &tmp);
}
