#include "resources/value.h"
#include "common/mem.h"
#include "resources/value-internal.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

res_value *
res_value_new(res_type type)
{
        res_value *v = xcalloc(1, sizeof(*v));
        v->type = (uint8_t)type;
        return v;
}

res_value *
res_null_new(void)
{
        return res_value_new(RES_NULL);
}

res_value *
res_bool_new(bool b)
{
        res_value *v = res_value_new(RES_BOOL);
        v->u.b = b;
        return v;
}

res_value *
res_int_new(int64_t i)
{
        res_value *v = res_value_new(RES_INT);
        v->u.i = i;
        return v;
}

res_value *
res_float_new(double f)
{
        res_value *v = res_value_new(RES_FLOAT);
        v->u.f = f;
        return v;
}

res_value *
res_str_take(char *s, size_t n)
{
        res_value *v = res_value_new(RES_STR);
        v->u.s = s;
        v->n = (uint32_t)n;
        return v;
}

res_value *
res_str_newn(const char *s, size_t n)
{
        char *p = xmalloc(n + 1);
        memcpy(p, s, n);
        p[n] = '\0';
        return res_str_take(p, n);
}

res_value *
res_str_newn_packed(const char *s, size_t n)
{
        res_value *v = xmalloc(sizeof(*v) + n + 1);
        memset(v, 0, sizeof(*v));
        v->type = RES_STR;
        v->flags = RES_F_ADATA; /* u.s goes with the node */
        v->u.s = (char *)(v + 1);
        memcpy(v->u.s, s, n);
        v->u.s[n] = '\0';
        v->n = (uint32_t)n;
        return v;
}

res_value *
res_str_new(const char *s)
{
        return res_str_newn(s, strlen(s));
}

res_value *
res_seq_new(void)
{
        return res_value_new(RES_SEQ);
}

res_value *
res_map_new(void)
{
        return res_value_new(RES_MAP);
}

void
res_value_free(res_value *v)
{
        if (!v)
                return;
        bool own = !(v->flags & RES_F_ADATA);
        switch (v->type) {
        case RES_STR:
                if (own)
                        free(v->u.s);
                break;
        case RES_SEQ:
                for (uint32_t i = 0; i < v->n; i++)
                        res_value_free(v->u.items[i]);
                if (own)
                        free(v->u.items);
                break;
        case RES_MAP:
                for (uint32_t i = 0; i < v->n; i++) {
                        if (own)
                                free(v->u.members[i].key);
                        res_value_free(v->u.members[i].value);
                }
                if (own)
                        free(v->u.members);
                break;
        default:
                break;
        }
        if (!(v->flags & RES_F_ANODE))
                free(v);
}

void
res_value_unshare(res_value *v)
{
        if (!(v->flags & RES_F_ADATA))
                return;
        v->flags &= (uint8_t)~RES_F_ADATA;
        switch (v->type) {
        case RES_STR:
                v->u.s = xmemdup(v->u.s, (size_t)v->n + 1);
                break;
        case RES_SEQ: {
                /* room to grow: it is unshared to be added to */
                res_value **items = xmalloc((v->n + 4) * sizeof(*items));
                if (v->n)
                        memcpy(items, v->u.items, v->n * sizeof(*items));
                v->u.items = items;
                v->cap = v->n + 4;
                break;
        }
        case RES_MAP: {
                res_member *members = xmalloc((v->n + 4) * sizeof(*members));
                if (v->n)
                        memcpy(members, v->u.members, v->n * sizeof(*members));
                v->u.members = members;
                v->cap = v->n + 4;
                for (uint32_t i = 0; i < v->n; i++)
                        v->u.members[i].key =
                            xmemdup(v->u.members[i].key, (size_t)v->u.members[i].klen + 1);
                break;
        }
        default:
                break;
        }
}

res_value *
res_value_clone(const res_value *v)
{
        if (!v)
                return NULL;
        res_value *c = xmalloc(sizeof(*c));
        *c = *v;
        c->flags &= (uint8_t) ~(RES_F_ANODE | RES_F_ADATA);
        switch (v->type) {
        case RES_STR:
                c->u.s = xmemdup(v->u.s, (size_t)v->n + 1);
                break;
        case RES_SEQ:
                c->cap = v->n;
                c->u.items = xcalloc(v->n ? v->n : 1, sizeof(*c->u.items));
                for (uint32_t i = 0; i < v->n; i++)
                        c->u.items[i] = res_value_clone(v->u.items[i]);
                break;
        case RES_MAP:
                c->cap = v->n;
                c->u.members = xcalloc(v->n ? v->n : 1, sizeof(*c->u.members));
                for (uint32_t i = 0; i < v->n; i++) {
                        c->u.members[i] = v->u.members[i];
                        c->u.members[i].key =
                            xmemdup(v->u.members[i].key, (size_t)v->u.members[i].klen + 1);
                        c->u.members[i].value = res_value_clone(v->u.members[i].value);
                }
                break;
        default:
                break;
        }
        return c;
}

bool
res_value_equal(const res_value *a, const res_value *b)
{
        if (!a || !b)
                return a == b;
        if (a->type != b->type) {
                /* 1e4 and 10000 are one number (and one canonical JSON). */
                const res_value *i = a->type == RES_INT ? a : b, *f = a->type == RES_INT ? b : a;
                return i->type == RES_INT && f->type == RES_FLOAT && f->u.f >= -0x1p63 &&
                       f->u.f < 0x1p63 && (int64_t)f->u.f == i->u.i && (double)i->u.i == f->u.f &&
                       !(f->u.f == 0 && signbit(f->u.f));
        }
        switch (a->type) {
        case RES_NULL:
                return true;
        case RES_BOOL:
                return a->u.b == b->u.b;
        case RES_INT:
                return a->u.i == b->u.i;
        case RES_FLOAT:
                return a->u.f == b->u.f || (isnan(a->u.f) && isnan(b->u.f));
        case RES_STR:
                return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
        case RES_SEQ:
                if (a->n != b->n)
                        return false;
                for (uint32_t i = 0; i < a->n; i++)
                        if (!res_value_equal(a->u.items[i], b->u.items[i]))
                                return false;
                return true;
        case RES_MAP:
                if (a->n != b->n)
                        return false;
                for (uint32_t i = 0; i < a->n; i++) {
                        const res_member *m = &a->u.members[i];
                        if (!res_value_equal(m->value, res_map_get(b, m->key)))
                                return false;
                }
                return true;
        }
        return false;
}

const char *
res_type_name(res_type t)
{
        switch (t) {
        case RES_NULL:
                return "null";
        case RES_BOOL:
                return "boolean";
        case RES_INT:
                return "integer";
        case RES_FLOAT:
                return "number";
        case RES_STR:
                return "string";
        case RES_SEQ:
                return "list";
        case RES_MAP:
                return "map";
        }
        return "unknown";
}

void
res_seq_push(res_value *seq, res_value *item)
{
        res_value_unshare(seq);
        size_t cap = seq->cap;
        TM_GROW(seq->u.items, cap, (size_t)seq->n + 1);
        seq->cap = (uint32_t)cap;
        seq->u.items[seq->n++] = item;
}

res_member *
res_map_member(const res_value *m, const char *key)
{
        if (!m || m->type != RES_MAP)
                return NULL;
        /* first byte, then the rest: most keys differ at once; the length
         * check keeps a key holding a NUL from matching its prefix */
        for (uint32_t i = 0; i < m->n; i++) {
                res_member *mem = &m->u.members[i];
                if (mem->key[0] == key[0] && strcmp(mem->key, key) == 0 && strlen(key) == mem->klen)
                        return mem;
        }
        return NULL;
}

res_value *
res_map_get(const res_value *m, const char *key)
{
        res_member *mem = res_map_member(m, key);
        return mem ? mem->value : NULL;
}

res_member *
res_map_append(res_value *m, const char *key, size_t klen, res_value *value)
{
        char *k = xmalloc(klen + 1);
        memcpy(k, key, klen);
        k[klen] = '\0';
        return res_map_append_take(m, k, klen, value);
}

res_member *
res_map_append_take(res_value *m, char *key, size_t klen, res_value *value)
{
        res_value_unshare(m);
        size_t cap = m->cap;
        TM_GROW(m->u.members, cap, (size_t)m->n + 1);
        m->cap = (uint32_t)cap;
        res_member *mem = &m->u.members[m->n++];
        memset(mem, 0, sizeof(*mem));
        mem->key = key;
        mem->klen = (uint32_t)klen;
        mem->value = value;
        return mem;
}

res_value *
res_map_set(res_value *m, const char *key, res_value *value)
{
        res_member *mem = res_map_member(m, key);
        if (mem) {
                res_value_free(mem->value);
                mem->value = value;
        } else {
                res_map_append(m, key, strlen(key), value);
        }
        return value;
}

bool
res_map_del(res_value *m, const char *key)
{
        res_member *mem = res_map_member(m, key);
        if (!mem)
                return false;
        if (!(m->flags & RES_F_ADATA))
                free(mem->key);
        res_value_free(mem->value);
        size_t idx = (size_t)(mem - m->u.members);
        memmove(mem, mem + 1, (m->n - idx - 1) * sizeof(*mem));
        m->n--;
        return true;
}

res_value *
res_map_ensure_map(res_value *m, const char *key)
{
        res_value *v = res_map_get(m, key);
        if (!v || v->type == RES_NULL) {
                res_value *nm = res_map_new();
                nm->flags |= RES_F_DEFAULT;
                return res_map_set(m, key, nm);
        }
        return v->type == RES_MAP ? v : NULL;
}

static int
member_cmp(const void *a, const void *b)
{
        const res_member *x = a, *y = b;
        size_t n = x->klen < y->klen ? x->klen : y->klen;
        int c = memcmp(x->key, y->key, n);
        if (c)
                return c;
        return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Most maps have a handful of members, often in order already: insertion
 * sort beats qsort's set-up there. Keys are unique, so any sort is stable. */
static void
sort_members(res_member *m, uint32_t n)
{
        if (n > 16) {
                qsort(m, n, sizeof(res_member), member_cmp);
                return;
        }
        for (uint32_t i = 1; i < n; i++) {
                if (member_cmp(&m[i - 1], &m[i]) <= 0)
                        continue;
                res_member t = m[i];
                uint32_t j = i;
                while (j > 0 && member_cmp(&m[j - 1], &t) > 0) {
                        m[j] = m[j - 1];
                        j--;
                }
                m[j] = t;
        }
}

void
res_value_sort(res_value *v)
{
        if (!v)
                return;
        if (v->type == RES_SEQ) {
                for (uint32_t i = 0; i < v->n; i++)
                        res_value_sort(v->u.items[i]);
        } else if (v->type == RES_MAP) {
                if (v->n > 1)
                        sort_members(v->u.members, v->n);
                for (uint32_t i = 0; i < v->n; i++)
                        res_value_sort(v->u.members[i].value);
        }
}

res_value *
res_value_new_in(res_arena *a, res_type type)
{
        if (!a)
                return res_value_new(type);
        res_value *v = res_arena_alloc(a, sizeof(*v));
        memset(v, 0, sizeof(*v));
        v->type = (uint8_t)type;
        v->flags = RES_F_ANODE;
        if (type == RES_STR || type == RES_SEQ || type == RES_MAP)
                v->flags |= RES_F_ADATA;
        return v;
}

res_value *
res_str_new_in(res_arena *a, const char *s)
{
        if (!a)
                return res_str_new(s);
        size_t n = strlen(s);
        res_value *v = res_value_new_in(a, RES_STR);
        v->u.s = res_arena_memdup(a, s, n + 1);
        v->n = (uint32_t)n;
        return v;
}

res_value *
res_int_new_in(res_arena *a, int64_t i)
{
        res_value *v = res_value_new_in(a, RES_INT);
        v->u.i = i;
        return v;
}

res_value *
res_map_set_in(res_arena *a, res_value *m, const char *key, res_value *value)
{
        res_member *mem = res_map_member(m, key);
        if (mem) {
                res_value_free(mem->value);
                mem->value = value;
                return value;
        }
        if (!a || !(m->flags & RES_F_ADATA))
                return res_map_set(m, key, value);
        if (m->n == m->cap) {
                uint32_t cap = m->cap < 4 ? 8 : m->cap * 2;
                res_member *members = res_arena_alloc(a, cap * sizeof(*members));
                if (m->n)
                        memcpy(members, m->u.members, m->n * sizeof(*members));
                m->u.members = members;
                m->cap = cap;
        }
        size_t klen = strlen(key);
        mem = &m->u.members[m->n++];
        memset(mem, 0, sizeof(*mem));
        mem->key = res_arena_memdup(a, key, klen + 1);
        mem->klen = (uint32_t)klen;
        mem->value = value;
        return value;
}

res_value *
res_map_ensure_map_in(res_arena *a, res_value *m, const char *key)
{
        res_value *v = res_map_get(m, key);
        if (!v || v->type == RES_NULL) {
                res_value *nm = res_value_new_in(a, RES_MAP);
                nm->flags |= RES_F_DEFAULT;
                return res_map_set_in(a, m, key, nm);
        }
        return v->type == RES_MAP ? v : NULL;
}

res_value *
res_get(const res_value *v, ...)
{
        va_list ap;
        va_start(ap, v);
        const char *key;
        while (v && (key = va_arg(ap, const char *)))
                v = res_map_get(v, key);
        va_end(ap);
        return (res_value *)v;
}

const char *
res_get_str(const res_value *m, const char *key, const char *fallback)
{
        const res_value *v = res_map_get(m, key);
        return v && v->type == RES_STR ? v->u.s : fallback;
}

int64_t
res_get_int(const res_value *m, const char *key, int64_t fallback)
{
        const res_value *v = res_map_get(m, key);
        return v && v->type == RES_INT ? v->u.i : fallback;
}

bool
res_get_bool(const res_value *m, const char *key, bool fallback)
{
        const res_value *v = res_map_get(m, key);
        return v && v->type == RES_BOOL ? v->u.b : fallback;
}
