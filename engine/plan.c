#include "engine/plan.h"

#include <errno.h>
#include <jansson.h>
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

/* Applies first, in kind order; prunes last, in reverse kind order. */
static int
cmp_action(const void *pa, const void *pb)
{
        const eng_action *a = pa, *b = pb;
        bool ap = a->type == ENG_ACT_PRUNE, bp = b->type == ENG_ACT_PRUNE;
        if (ap != bp)
                return ap ? 1 : -1;
        int oa = kind_order(a), ob = kind_order(b);
        if (oa != ob)
                return ap ? (oa > ob ? -1 : 1) : (oa < ob ? -1 : 1);
        return strcmp(a->id, b->id);
}

static const res_kind_info *
row_kind_info(const eng_row *r)
{
        const char *slash = strchr(r->api_version, '/');
        _cleanup_free_ char *group = slash ? xstrndup(r->api_version, (size_t)(slash - r->api_version))
                                           : xstrdup("");
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
        for (size_t i = 0; i < res_set_count(desired); i++)
                check_namespace(desired, res_set_at(desired, i), diags);
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
        qsort(d, nd, sizeof(*d), cmp_obj_id);
        qsort(r, na, sizeof(*r), cmp_row_id);

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
        qsort(p->items, p->n, sizeof(*p->items), cmp_action);
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
        return p && (p->counts[ENG_ACT_CREATE] || p->counts[ENG_ACT_UPDATE] ||
                     p->counts[ENG_ACT_PRUNE]);
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

static bool
scalar_equal(const res_value *a, const res_value *b)
{
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case RES_NULL:
                return true;
        case RES_BOOL:
                return a->u.b == b->u.b;
        case RES_INT:
                return a->u.i == b->u.i;
        case RES_FLOAT:
                return a->u.f == b->u.f;
        case RES_STR:
                return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
        default:
                return false;
        }
}

static void
walk(const res_value *a, const res_value *b, tm_buf *path, path_acc *acc)
{
        if (acc->n > acc->max) /* counting far past max is wasted work */
                return;
        if (!a || !b || a->type != b->type ||
            (a->type != RES_MAP && a->type != RES_SEQ && !scalar_equal(a, b))) {
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
                        tm_buf_printf(path, "[%u]", i);
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

static res_value *
from_json(json_t *j, int depth)
{
        if (depth > 200)
                return NULL;
        switch (json_typeof(j)) {
        case JSON_OBJECT: {
                res_value *m = res_map_new();
                const char *key;
                json_t *v;
                json_object_foreach (j, key, v) {
                        res_value *c = from_json(v, depth + 1);
                        if (!c) {
                                res_value_free(m);
                                return NULL;
                        }
                        res_map_append(m, key, strlen(key), c);
                }
                return m;
        }
        case JSON_ARRAY: {
                res_value *s = res_seq_new();
                size_t i;
                json_t *v;
                json_array_foreach (j, i, v) {
                        res_value *c = from_json(v, depth + 1);
                        if (!c) {
                                res_value_free(s);
                                return NULL;
                        }
                        res_seq_push(s, c);
                }
                return s;
        }
        case JSON_STRING: {
                res_value *s = res_str_newn(json_string_value(j), json_string_length(j));
                s->flags |= RES_F_QUOTED;
                return s;
        }
        case JSON_INTEGER:
                return res_int_new(json_integer_value(j));
        case JSON_REAL:
                return res_float_new(json_real_value(j));
        case JSON_TRUE:
                return res_bool_new(true);
        case JSON_FALSE:
                return res_bool_new(false);
        case JSON_NULL:
        default:
                return res_null_new();
        }
}

int
eng_value_from_json(const char *json, size_t len, res_value **out, tm_error *err)
{
        json_error_t je;
        json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!j)
                return tm_error_set(err, -EBADMSG, "bad JSON at line %d column %d", je.line,
                                    je.column);
        res_value *v = from_json(j, 0);
        json_decref(j);
        if (!v)
                return tm_error_set(err, -EBADMSG, "JSON nested too deeply");
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
