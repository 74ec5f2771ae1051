/* Desired sets: every object of one snapshot, checked across objects. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "resources/object-internal.h"
#include "resources/yaml-internal.h"

#define SET_BATCH_BYTES (64 * 1024)

typedef struct set_entry {
        res_object *obj;
        const char *id; /* the object's, here for the sort to read in place */
        size_t seq;     /* order of definition, for "defined twice" */
        uint32_t col;
} set_entry;

struct res_set {
        res_limits lim;
        tm_buf scratch;   /* canonical JSON of the object being made */
        res_arena *arena; /* the trees of the batch being decoded */
        tm_sha256 *hasher;
        size_t batch; /* bytes of YAML decoded at once, at least */
        set_entry *items;
        size_t n, cap;
        size_t seen; /* objects offered, including those over the limit */
        bool sorted;
};

res_set *
res_set_new(const res_limits *lim)
{
        res_set *s = xcalloc(1, sizeof(*s));
        if (lim)
                s->lim = *lim;
        else
                res_limits_default(&s->lim);
        s->batch = SET_BATCH_BYTES;
        return s;
}

void
res_set_free(res_set *set)
{
        if (!set)
                return;
        for (size_t i = 0; i < set->n; i++)
                res_object_unref(set->items[i].obj);
        free(set->items);
        tm_buf_free(&set->scratch);
        res_arena_free(set->arena);
        tm_sha256_free(set->hasher);
        free(set);
}

static void
add_value(res_set *set, const char *path, res_value *root, uint32_t line_offset, res_diags *diags)
{
        set->seen++;
        if (set->lim.max_objects && set->seen > set->lim.max_objects) {
                res_value_free(root);
                return;
        }
        uint32_t col = root ? root->col : 0;
        res_object *o = NULL;
        if (!set->hasher)
                set->hasher = tm_sha256_new();
        if (res_object_build(root, path, line_offset, &set->scratch, set->hasher, set->arena, &o,
                             diags) < 0)
                return;
        TM_GROW(set->items, set->cap, set->n + 1);
        set->items[set->n++] = (set_entry){o, res_object_id(o), set->seen, col};
        set->sorted = false;
}

static bool
is_list(const res_value *root)
{
        const res_value *k = res_map_get(root, "kind");
        const res_value *av = res_map_get(root, "apiVersion");
        return k && k->type == RES_STR && strcmp(k->u.s, "List") == 0 && av &&
               av->type == RES_STR && strcmp(av->u.s, "v1") == 0;
}

static void
add_list(res_set *set, const char *path, res_value *root, uint32_t off, res_diags *diags)
{
        for (uint32_t i = 0; i < root->n; i++) {
                res_member *m = &root->u.members[i];
                if (strcmp(m->key, "apiVersion") == 0 || strcmp(m->key, "kind") == 0 ||
                    strcmp(m->key, "metadata") == 0 || strcmp(m->key, "items") == 0)
                        continue;
                res_diags_add(diags, path, m->line + off, m->col, "List", NULL, NULL, m->key,
                              "unknown field \"%.128s\"", m->key);
        }
        res_value *items = res_map_get(root, "items");
        if (!items || items->type == RES_NULL)
                return;
        if (items->type != RES_SEQ) {
                res_diags_add(diags, path, items->line + off, items->col, "List", NULL, NULL,
                              "items", "expected list, got %s",
                              res_type_name((res_type)items->type));
                return;
        }
        for (uint32_t i = 0; i < items->n; i++) {
                res_value *it = items->u.items[i];
                items->u.items[i] = res_null_new();
                add_value(set, path, it, off, diags);
        }
}

/* A big multi-document file is decoded a batch of documents at a time, cut
 * at "---" lines (which YAML never allows inside a scalar or collection),
 * so that only one batch of trees is alive at once: ten thousand objects
 * then cost their canonical JSON, not their trees. Positions are shifted
 * back to the file's lines; the file's limit on documents holds across
 * batches, those on nodes and aliases bound each batch (what is alive at
 * once). */
static bool
doc_marker_at(const char *p, size_t left)
{
        return left >= 3 && p[0] == '-' && p[1] == '-' && p[2] == '-' &&
               (left == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' || p[3] == '\n');
}

static bool
has_directive(const char *p, size_t n)
{
        for (size_t i = 0; i < n;) {
                if (p[i] == '%')
                        return true;
                const char *nl = memchr(p + i, '\n', n - i);
                if (!nl)
                        break;
                i = (size_t)(nl - p) + 1;
        }
        return false;
}

/* End of the batch that starts at pos; *lines gets its newline count. */
static size_t
batch_end(const char *p, size_t n, size_t pos, size_t batch, uint32_t *lines)
{
        size_t i = pos;
        uint32_t nl_count = 0;
        while (i < n) {
                const char *nl = memchr(p + i, '\n', n - i);
                if (!nl)
                        break;
                nl_count++;
                i = (size_t)(nl - p) + 1;
                if (i - pos >= batch && doc_marker_at(p + i, n - i)) {
                        *lines = nl_count;
                        return i;
                }
        }
        *lines = nl_count;
        return n;
}

void
res_set_add_file(res_set *set, const char *path, const void *data, size_t len, res_diags *diags)
{
        const char *p = data;
        bool batched = len > set->batch && len <= set->lim.max_doc_bytes && !has_directive(p, len);
        size_t pos = 0, used_docs = 0;
        uint32_t line = 0; /* lines before the batch */
        while (pos < len || (pos == 0 && len == 0)) {
                uint32_t lines = 0;
                size_t end = batched ? batch_end(p, len, pos, set->batch, &lines) : len;
                res_limits lim = set->lim;
                if (batched)
                        lim.max_docs = lim.max_docs > used_docs ? lim.max_docs - used_docs : 0;
                res_doc *docs = NULL;
                size_t n = 0, first = diags->n;
                if (!set->arena)
                        set->arena = res_arena_new();
                int r = res_yaml_decode_arena(path, p + pos, end - pos, &lim, set->arena, &docs, &n,
                                              diags);
                for (size_t k = first; k < diags->n; k++) {
                        res_diag *g = &diags->items[k];
                        if (g->line)
                                g->line += line;
                        /* A limit is the file's, whatever the batch had left. */
                        if (batched && strstr(g->msg, "documents in one file")) {
                                free(g->msg);
                                g->msg = xasprintf("yaml: more than %zu documents in one file",
                                                   set->lim.max_docs);
                        }
                }
                if (r < 0) {
                        res_arena_reset(set->arena);
                        return;
                }
                used_docs += n;
                for (size_t i = 0; i < n; i++) {
                        res_value *root = docs[i].root;
                        docs[i].root = NULL;
                        if (!root)
                                continue; /* an empty document */
                        if (root->type == RES_MAP && is_list(root)) {
                                add_list(set, path, root, line, diags);
                                res_value_free(root);
                        } else {
                                add_value(set, path, root, line, diags);
                        }
                }
                res_docs_free(docs, n);
                res_arena_reset(set->arena); /* every tree of the batch is freed */
                if (end >= len)
                        break;
                pos = end;
                line += lines;
        }
}

static int
entry_cmp(const void *a, const void *b)
{
        const set_entry *x = a, *y = b;
        int c = strcmp(x->id, y->id);
        if (c)
                return c;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
sort_set(res_set *set)
{
        if (!set->sorted && set->n > 1)
                qsort(set->items, set->n, sizeof(*set->items), entry_cmp);
        set->sorted = true;
}

int
res_set_finish(res_set *set, res_diags *diags)
{
        sort_set(set);
        size_t w = 0;
        for (size_t i = 0; i < set->n; i++) {
                set_entry *e = &set->items[i];
                if (w > 0 && strcmp(set->items[w - 1].id, e->id) == 0) {
                        const res_object *first = set->items[w - 1].obj, *o = e->obj;
                        const char *ns = res_object_namespace(o);
                        res_diags_add(diags, res_object_file(o), res_object_line(o), e->col,
                                      res_object_kind(o), ns, res_object_name(o), NULL,
                                      "defined twice: also at %s:%u:%u",
                                      res_object_file(first) ? res_object_file(first) : "-",
                                      res_object_line(first), set->items[w - 1].col);
                        res_object_unref(e->obj);
                        continue;
                }
                set->items[w++] = *e;
        }
        set->n = w;
        if (set->lim.max_objects && set->seen > set->lim.max_objects)
                res_diags_add(diags, NULL, 0, 0, NULL, NULL, NULL, NULL,
                              "too many objects: %zu, the limit is %zu", set->seen,
                              set->lim.max_objects);
        return res_diags_count(diags) ? -EINVAL : 0;
}

void
res_set_set_batch_bytes(res_set *set, size_t n)
{
        set->batch = n;
}

size_t
res_set_count(const res_set *set)
{
        return set->n;
}

const res_object *
res_set_at(const res_set *set, size_t i)
{
        return i < set->n ? set->items[i].obj : NULL;
}

const res_object *
res_set_find(const res_set *set, const char *group, const char *kind, const char *ns,
             const char *name)
{
        _cleanup_free_ char *id =
            xasprintf("%s/%s/%s/%s", group ? group : "", kind, ns ? ns : "", name);
        if (set->sorted) {
                size_t lo = 0, hi = set->n;
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        int c = strcmp(set->items[mid].id, id);
                        if (c == 0)
                                return set->items[mid].obj;
                        if (c < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                return NULL;
        }
        for (size_t i = 0; i < set->n; i++)
                if (strcmp(res_object_id(set->items[i].obj), id) == 0)
                        return set->items[i].obj;
        return NULL;
}
