#include "engine/plan.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"

struct eng_plan {
        eng_action *items;
        size_t n, cap;
        size_t counts[4];
};

static const char *const builtin_namespaces[] = {"default", "kube-system", "kube-public",
                                                 "kube-node-lease"};

static int
cmp_obj_id(const void *a, const void *b)
{
        const res_object *x = *(const res_object *const *)a, *y = *(const res_object *const *)b;
        return strcmp(res_object_id(x), res_object_id(y));
}

static int
cmp_row_id(const void *a, const void *b)
{
        const eng_row *x = *(const eng_row *const *)a, *y = *(const eng_row *const *)b;
        return strcmp(x->id, y->id);
}

static int
kind_order(const eng_action *a)
{
        return a->info ? a->info->order : INT_MAX / 2;
}

/* Applies first, in kind order; prunes last, in reverse kind order; by id
 * within a kind. The actions are made in id order, so the position made
 * stands for the id and the sort compares two integers. */
typedef struct action_key {
        int64_t key;
        size_t at;
} action_key;

static int64_t
action_order(const eng_action *a)
{
        int64_t o = kind_order(a);
        return a->type == ENG_ACT_PRUNE ? ((int64_t)1 << 40) - o : o;
}

static int
cmp_action_key(const void *pa, const void *pb)
{
        const action_key *a = pa, *b = pb;
        if (a->key != b->key)
                return a->key < b->key ? -1 : 1;
        return a->at < b->at ? -1 : a->at > b->at;
}

static void
sort_actions(eng_plan *p)
{
        if (p->n < 2)
                return;
        action_key *k = xmalloc(p->n * sizeof(*k));
        for (size_t i = 0; i < p->n; i++)
                k[i] = (action_key){action_order(&p->items[i]), i};
        qsort(k, p->n, sizeof(*k), cmp_action_key);
        eng_action *sorted = xmalloc(p->n * sizeof(*sorted));
        for (size_t i = 0; i < p->n; i++)
                sorted[i] = p->items[k[i].at];
        free(k);
        free(p->items);
        p->items = sorted;
        p->cap = p->n;
}

/* qsort unless already in order (the set and the rows come sorted). */
static void
sort_ids(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
        for (size_t i = 1; i < n; i++)
                if (cmp((char *)base + (i - 1) * size, (char *)base + i * size) > 0) {
                        qsort(base, n, size, cmp);
                        return;
                }
}

static const res_kind_info *
row_kind_info(const eng_row *r)
{
        const char *slash = strchr(r->api_version, '/');
        _cleanup_free_ char *group =
            slash ? xstrndup(r->api_version, (size_t)(slash - r->api_version)) : xstrdup("");
        return res_kind_find(group, r->kind);
}

static bool
namespace_known(const res_set *desired, const char *ns)
{
        for (size_t i = 0; i < TM_ARRAY_SIZE(builtin_namespaces); i++)
                if (strcmp(ns, builtin_namespaces[i]) == 0)
                        return true;
        return res_set_find(desired, "", "Namespace", "", ns) != NULL;
}

static void
check_namespace(const res_set *desired, const res_object *o, res_diags *diags)
{
        const res_kind_info *info = res_object_kind_info(o);
        const char *ns = res_object_namespace(o);
        if (!info || !info->namespaced || !ns || !*ns || namespace_known(desired, ns))
                return;
        /* The object's position: the tree's own positions are not kept past validation. */
        uint32_t line = res_object_line(o), col = line ? 1 : 0;
        res_diags_add(diags, res_object_file(o), line, col, res_object_kind(o), ns,
                      res_object_name(o), "metadata.namespace", "namespaces \"%s\" not found", ns);
}

static void
push(eng_plan *p, eng_action_type t, const res_object *o, const eng_row *r)
{
        TM_GROW(p->items, p->cap, p->n + 1);
        eng_action *a = &p->items[p->n++];
        memset(a, 0, sizeof(*a));
        a->type = t;
        a->obj = o;
        a->row = r;
        if (o) {
                a->info = res_object_kind_info(o);
                a->id = res_object_id(o);
                a->api_version = res_object_api_version(o);
                a->kind = res_object_kind(o);
                a->ns = res_object_namespace(o);
                a->name = res_object_name(o);
        } else {
                a->info = row_kind_info(r);
                a->id = r->id;
                a->api_version = r->api_version;
                a->kind = r->kind;
                a->ns = r->ns;
                a->name = r->name;
        }
        if (!a->ns)
                a->ns = "";
        p->counts[t]++;
}

size_t
eng_plan_check(const res_set *desired, res_diags *diags)
{
        size_t before = res_diags_count(diags);
        const char *known = NULL; /* the namespace found last: objects come in runs */
        for (size_t i = 0; i < res_set_count(desired); i++) {
                const res_object *o = res_set_at(desired, i);
                const char *ns = res_object_namespace(o);
                if (known && ns && strcmp(ns, known) == 0)
                        continue;
                size_t had = res_diags_count(diags);
                check_namespace(desired, o, diags);
                if (res_diags_count(diags) == had && ns && *ns)
                        known = ns;
        }
        return res_diags_count(diags) - before;
}

int
eng_plan_build(const res_set *desired, const eng_rows *actual, eng_plan **out, res_diags *diags)
{
        size_t nd = res_set_count(desired), na = actual ? actual->n : 0;
        if (eng_plan_check(desired, diags) > 0)
                return -EINVAL;

        const res_object **d = xcalloc(nd + 1, sizeof(*d));
        const eng_row **r = xcalloc(na + 1, sizeof(*r));
        for (size_t i = 0; i < nd; i++)
                d[i] = res_set_at(desired, i);
        for (size_t i = 0; i < na; i++)
                r[i] = &actual->items[i];
        sort_ids(d, nd, sizeof(*d), cmp_obj_id);
        sort_ids(r, na, sizeof(*r), cmp_row_id);

        eng_plan *p = xcalloc(1, sizeof(*p));
        size_t i = 0, j = 0;
        while (i < nd || j < na) {
                int c = i >= nd ? 1 : j >= na ? -1 : strcmp(res_object_id(d[i]), r[j]->id);
                if (c < 0) {
                        push(p, ENG_ACT_CREATE, d[i++], NULL);
                } else if (c > 0) {
                        push(p, ENG_ACT_PRUNE, NULL, r[j++]);
                } else {
                        bool same = strcmp(res_object_hash(d[i]), r[j]->hash) == 0;
                        push(p, same ? ENG_ACT_UNCHANGED : ENG_ACT_UPDATE, d[i], r[j]);
                        i++;
                        j++;
                }
        }
        free(d);
        free(r);
        sort_actions(p);
        *out = p;
        return 0;
}

size_t
eng_plan_count(const eng_plan *p)
{
        return p ? p->n : 0;
}

eng_action *
eng_plan_at(eng_plan *p, size_t i)
{
        return i < p->n ? &p->items[i] : NULL;
}

const eng_action *
eng_plan_get(const eng_plan *p, size_t i)
{
        return i < p->n ? &p->items[i] : NULL;
}

void
eng_plan_summary(const eng_plan *p, size_t counts[4])
{
        for (int t = 0; t < 4; t++)
                counts[t] = p ? p->counts[t] : 0;
}

bool
eng_plan_has_changes(const eng_plan *p)
{
        return p &&
               (p->counts[ENG_ACT_CREATE] || p->counts[ENG_ACT_UPDATE] || p->counts[ENG_ACT_PRUNE]);
}

void
eng_plan_free(eng_plan *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                res_value_free(p->items[i].old);
                for (size_t k = 0; k < p->items[i].n_paths; k++)
                        free(p->items[i].paths[k]);
        }
        free(p->items);
        free(p);
}

int
eng_plan_set_old(eng_plan *p, size_t i, const char *json, size_t len, tm_error *err)
{
        if (i >= p->n)
                return tm_error_set(err, -EINVAL, "no action %zu", i);
        eng_action *a = &p->items[i];
        res_value *old = NULL;
        int r = eng_value_from_json(json, len, &old, err);
        if (r < 0)
                return tm_error_wrap(err, "stored object \"%s\"", a->id);
        res_value_sort(old);
        res_value_free(a->old);
        a->old = old;
        for (size_t k = 0; k < a->n_paths; k++)
                free(a->paths[k]);
        a->n_paths = 0;
        a->more_paths = false;
        if (a->type == ENG_ACT_UPDATE && a->obj) {
                res_value *cur = eng_object_tree(a->obj);
                size_t n = eng_value_diff_paths(old, cur, a->paths, ENG_PLAN_MAX_PATHS);
                res_value_free(cur);
                a->n_paths = n < ENG_PLAN_MAX_PATHS ? n : ENG_PLAN_MAX_PATHS;
                a->more_paths = n > ENG_PLAN_MAX_PATHS;
        }
        return 0;
}

/* --- value helpers --- */

typedef struct path_acc {
        char **paths;
        size_t max, n;
} path_acc;

static void
add_path(path_acc *acc, const char *path)
{
        if (acc->n < acc->max)
                acc->paths[acc->n] = xstrdup(*path ? path : "(root)");
        acc->n++;
}

static void
walk(const res_value *a, const res_value *b, tm_buf *path, path_acc *acc)
{
        if (acc->n > acc->max) /* counting far past max is wasted work */
                return;
        if (!a || !b || a->type != b->type ||
            (a->type != RES_MAP && a->type != RES_SEQ && !res_value_equal(a, b))) {
                add_path(acc, path->data ? path->data : "");
                return;
        }
        size_t mark = path->len;
        if (a->type == RES_MAP) {
                for (uint32_t i = 0; i < b->n; i++) {
                        const res_member *m = &b->u.members[i];
                        if (mark)
                                tm_buf_putc(path, '.');
                        tm_buf_puts(path, m->key);
                        walk(res_map_get(a, m->key), m->value, path, acc);
                        path->len = mark;
                        path->data[mark] = '\0';
                }
                for (uint32_t i = 0; i < a->n; i++) {
                        const res_member *m = &a->u.members[i];
                        if (res_map_get(b, m->key))
                                continue;
                        if (mark)
                                tm_buf_putc(path, '.');
                        tm_buf_puts(path, m->key);
                        add_path(acc, path->data);
                        path->len = mark;
                        path->data[mark] = '\0';
                }
        } else if (a->type == RES_SEQ) {
                uint32_t n = a->n > b->n ? a->n : b->n;
                for (uint32_t i = 0; i < n; i++) {
                        char ib[16], *ip = ib + sizeof(ib);
                        *--ip = ']';
                        uint32_t k = i;
                        do {
                                *--ip = (char)('0' + k % 10);
                                k /= 10;
                        } while (k);
                        *--ip = '[';
                        tm_buf_append(path, ip, (size_t)(ib + sizeof(ib) - ip));
                        if (i < a->n && i < b->n)
                                walk(a->u.items[i], b->u.items[i], path, acc);
                        else
                                add_path(acc, path->data);
                        path->len = mark;
                        path->data[mark] = '\0';
                        if (i >= a->n || i >= b->n)
                                break; /* one path for a changed length is enough */
                }
        }
}

size_t
eng_value_diff_paths(const res_value *a, const res_value *b, char **paths, size_t max)
{
        path_acc acc = {paths, max, 0};
        tm_buf path = TM_BUF_INIT;
        tm_buf_puts(&path, "");
        walk(a, b, &path, &acc);
        tm_buf_free(&path);
        return acc.n;
}

/* A direct JSON reader into res_value trees: the store's canonical JSON
 * is read for every changed object, and going through jansson's hash
 * tables cost a quarter of a full diff. Strict RFC 8259, bounded depth. */
typedef struct jreader {
        const char *p, *end;
        int depth;
} jreader;

#define JSON_MAX_DEPTH 200

static void
jskip(jreader *r)
{
        while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
                r->p++;
}

static int
jhex4(const char *p, uint32_t *out)
{
        uint32_t v = 0;
        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t)(c - 'A' + 10);
                else
                        return -1;
        }
        *out = v;
        return 0;
}

static void
put_utf8(tm_buf *b, uint32_t cp)
{
        char u[4];
        size_t n;
        if (cp < 0x80) {
                u[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                u[0] = (char)(0xc0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3f));
                n = 2;
        } else if (cp < 0x10000) {
                u[0] = (char)(0xe0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[2] = (char)(0x80 | (cp & 0x3f));
                n = 3;
        } else {
                u[0] = (char)(0xf0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
                u[3] = (char)(0x80 | (cp & 0x3f));
                n = 4;
        }
        tm_buf_append(b, u, n);
}

/* Reads a string at r->p (at the opening quote) into a malloc'd buffer. */
static char *
jstring(jreader *r, size_t *len)
{
        r->p++;
        const char *start = r->p;
        while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
                r->p++;
        if (r->p < r->end && *r->p == '"') { /* the common case: no escapes */
                *len = (size_t)(r->p - start);
                r->p++;
                return xstrndup(start, *len);
        }
        tm_buf b = TM_BUF_INIT;
        tm_buf_append(&b, start, (size_t)(r->p - start));
        while (r->p < r->end && *r->p != '"') {
                unsigned char c = (unsigned char)*r->p;
                if (c < 0x20)
                        goto bad;
                if (c != '\\') {
                        tm_buf_putc(&b, (char)c);
                        r->p++;
                        continue;
                }
                if (r->end - r->p < 2)
                        goto bad;
                char e = r->p[1];
                r->p += 2;
                switch (e) {
                case '"':
                        tm_buf_putc(&b, '"');
                        break;
                case '\\':
                        tm_buf_putc(&b, '\\');
                        break;
                case '/':
                        tm_buf_putc(&b, '/');
                        break;
                case 'b':
                        tm_buf_putc(&b, '\b');
                        break;
                case 'f':
                        tm_buf_putc(&b, '\f');
                        break;
                case 'n':
                        tm_buf_putc(&b, '\n');
                        break;
                case 'r':
                        tm_buf_putc(&b, '\r');
                        break;
                case 't':
                        tm_buf_putc(&b, '\t');
                        break;
                case 'u': {
                        uint32_t cp, lo;
                        if (r->end - r->p < 4 || jhex4(r->p, &cp) < 0)
                                goto bad;
                        r->p += 4;
                        if (cp >= 0xd800 && cp < 0xdc00) {
                                if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
                                    jhex4(r->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                                        goto bad;
                                r->p += 6;
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        } else if (cp >= 0xdc00 && cp < 0xe000) {
                                goto bad;
                        }
                        put_utf8(&b, cp);
                        break;
                }
                default:
                        goto bad;
                }
        }
        if (r->p >= r->end)
                goto bad;
        r->p++;
        *len = b.len;
        return tm_buf_steal(&b);
bad:
        tm_buf_free(&b);
        return NULL;
}

static res_value *jvalue(jreader *r);

static bool
jdigits(jreader *r)
{
        const char *s = r->p;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
                r->p++;
        return r->p > s;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static res_value *
jnumber(jreader *r)
{
        const char *s = r->p;
        bool is_float = false;
        if (r->p < r->end && *r->p == '-')
                r->p++;
        if (r->p < r->end && *r->p == '0')
                r->p++;
        else if (!jdigits(r))
                return NULL;
        if (r->p < r->end && *r->p == '.') {
                r->p++;
                if (!jdigits(r))
                        return NULL;
                is_float = true;
        }
        if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
                r->p++;
                if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
                        r->p++;
                if (!jdigits(r))
                        return NULL;
                is_float = true;
        }
        char tmp[64];
        size_t n = (size_t)(r->p - s);
        if (n >= sizeof(tmp))
                return NULL;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        char *e = NULL;
        errno = 0;
        if (!is_float) {
                long long v = strtoll(tmp, &e, 10);
                if (*e == '\0' && errno == 0)
                        return res_int_new(v);
        }
        double d = strtod(tmp, &e);
        /* JSON has no infinity: 1e400 is refused, not read as one. */
        return *e == '\0' && isfinite(d) ? res_float_new(d) : NULL;
}

static bool
jword(jreader *r, const char *w)
{
        size_t n = strlen(w);
        if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
                return false;
        r->p += n;
        return true;
}

static res_value *
jcontainer(jreader *r, bool is_map)
{
        if (++r->depth > JSON_MAX_DEPTH)
                return NULL;
        r->p++;
        res_value *v = is_map ? res_map_new() : res_seq_new();
        bool sorted = true; /* keys so far in strictly increasing order */
        jskip(r);
        if (r->p < r->end && *r->p == (is_map ? '}' : ']')) {
                r->p++;
                r->depth--;
                return v;
        }
        for (;;) {
                jskip(r);
                char *key = NULL;
                size_t klen = 0;
                if (is_map) {
                        if (r->p >= r->end || *r->p != '"' || !(key = jstring(r, &klen)))
                                goto bad;
                        jskip(r);
                        if (r->p >= r->end || *r->p != ':') {
                                free(key);
                                goto bad;
                        }
                        r->p++;
                }
                res_value *item = jvalue(r);
                if (!item) {
                        free(key);
                        goto bad;
                }
                if (is_map) {
                        /* Stored JSON has sorted keys, where a duplicate cannot hide; only
                         * once the order breaks does each key need a search. */
                        if (v->n && strcmp(key, v->u.members[v->n - 1].key) <= 0)
                                sorted = false;
                        bool dup = !sorted && res_map_get(v, key) != NULL;
                        if (dup || strlen(key) != klen) { /* duplicate or NUL in a key */
                                free(key);
                                res_value_free(item);
                                goto bad;
                        }
                        res_map_append_take(v, key, klen, item);
                } else {
                        res_seq_push(v, item);
                }
                jskip(r);
                if (r->p < r->end && *r->p == ',') {
                        r->p++;
                        continue;
                }
                if (r->p < r->end && *r->p == (is_map ? '}' : ']')) {
                        r->p++;
                        r->depth--;
                        return v;
                }
                goto bad;
        }
bad:
        res_value_free(v);
        return NULL;
}

static res_value *
jvalue(jreader *r)
{
        jskip(r);
        if (r->p >= r->end)
                return NULL;
        switch (*r->p) {
        case '{':
                return jcontainer(r, true);
        case '[':
                return jcontainer(r, false);
        case '"': {
                /* the common case, no escapes: node and bytes in one go */
                const char *start = r->p + 1, *q = start;
                while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
                        q++;
                if (q < r->end && *q == '"') {
                        r->p = q + 1;
                        res_value *v = res_str_newn_packed(start, (size_t)(q - start));
                        v->flags |= RES_F_QUOTED;
                        return v;
                }
                size_t n = 0;
                char *s = jstring(r, &n);
                if (!s)
                        return NULL;
                res_value *v = res_str_take(s, n);
                v->flags |= RES_F_QUOTED;
                return v;
        }
        case 't':
                return jword(r, "true") ? res_bool_new(true) : NULL;
        case 'f':
                return jword(r, "false") ? res_bool_new(false) : NULL;
        case 'n':
                return jword(r, "null") ? res_null_new() : NULL;
        default:
                return jnumber(r);
        }
}

int
eng_value_from_json(const char *json, size_t len, res_value **out, tm_error *err)
{
        jreader r = {json, json + len, 0};
        res_value *v = jvalue(&r);
        if (v) {
                jskip(&r);
                if (r.p != r.end) {
                        res_value_free(v);
                        v = NULL;
                }
        }
        if (!v)
                return tm_error_set(err, -EBADMSG, "bad JSON at byte %zu", (size_t)(r.p - json));
        *out = v;
        return 0;
}

bool
eng_value_is_secret(const res_value *v)
{
        return tm_streq(res_get_str(v, "kind", NULL), "Secret") &&
               tm_streq(res_get_str(v, "apiVersion", NULL), "v1");
}

res_value *
eng_object_tree(const res_object *o)
{
        const char *json = res_object_canonical_json(o);
        res_value *v = NULL;
        tm_error err = {0};
        if (eng_value_from_json(json, strlen(json), &v, &err) < 0)
                return res_map_new(); /* our own canonical JSON: cannot happen */
        return v;
}

res_value *
eng_value_masked(const res_value *v, const res_value *other, bool before)
{
        res_value *c = res_value_clone(v);
        res_value_sort(c);
        eng_value_mask(c, other, before);
        return c;
}

void
eng_value_mask(res_value *c, const res_value *other, bool before)
{
        if (!eng_value_is_secret(c))
                return;
        const res_value *odata = other ? res_map_get(other, "data") : NULL;
        static const char *const fields[] = {"data", "stringData"};
        for (size_t f = 0; f < TM_ARRAY_SIZE(fields); f++) {
                res_value *data = res_map_get(c, fields[f]);
                if (!data || data->type != RES_MAP)
                        continue;
                for (uint32_t i = 0; i < data->n; i++) {
                        res_member *m = &data->u.members[i];
                        const char *mark = "***";
                        if (odata) {
                                const res_value *ov = res_map_get(odata, m->key);
                                if (ov && !res_value_equal(ov, m->value))
                                        mark = before ? "*** (before)" : "*** (after)";
                        }
                        res_value_free(m->value);
                        m->value = res_str_new(mark);
                }
        }
}
