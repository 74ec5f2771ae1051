/* Desired objects. An object keeps its canonical JSON, its hash and its
 * identity; the value tree is rebuilt from the JSON only when asked for,
 * so that a set of ten thousand objects stays small. */
#include <errno.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"
#include "resources/object-internal.h"
#include "resources/value-internal.h"

struct res_object {
        unsigned refs;
        uint32_t line;
        const res_kind_info *kind;
        /* file, id, defaults and json live in the same allocation as the
         * object, after it: one allocation per object */
        char *file;
        char *id; /* "group/Kind/ns/name"; ns and name point into it */
        const char *ns;
        const char *name;
        char *json;
        size_t json_len;
        res_value *tree;   /* built on demand */
        uint8_t *defaults; /* RES_F_DEFAULT of each node, in canonical pre-order */
        res_value *labels; /* built on demand */
        char hash[7 + TM_SHA256_HEX_LEN + 1];
};

const res_kind_info *
res_object_kind_info(const res_object *o)
{
        return o->kind;
}

const char *
res_object_api_version(const res_object *o)
{
        return res_kind_api_version(o->kind);
}

const char *
res_object_group(const res_object *o)
{
        return o->kind->group;
}

const char *
res_object_kind(const res_object *o)
{
        return o->kind->kind;
}

const char *
res_object_namespace(const res_object *o)
{
        return o->ns;
}

const char *
res_object_name(const res_object *o)
{
        return o->name;
}

const char *
res_object_id(const res_object *o)
{
        return o->id;
}

const char *
res_object_canonical_json(const res_object *o)
{
        return o->json;
}

const char *
res_object_hash(const res_object *o)
{
        return o->hash;
}

const char *
res_object_file(const res_object *o)
{
        return o->file;
}

uint32_t
res_object_line(const res_object *o)
{
        return o->line;
}

/* Our own canonical JSON back into a tree. */
static res_value *
parse_json(const char *json, size_t len)
{
        res_limits lim;
        res_limits_default(&lim);
        if (len > lim.max_doc_bytes)
                lim.max_doc_bytes = len;
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags d = RES_DIAGS_INIT;
        d.max = 1;
        res_value *root = NULL;
        if (res_yaml_decode(NULL, json, len, &lim, &docs, &n, &d) == 0 && n == 1) {
                root = docs[0].root;
                docs[0].root = NULL;
        }
        res_docs_free(docs, n);
        res_diags_free(&d);
        return root;
}

/* Defaulted nodes are remembered as one bit per node, in the order of the
 * canonical encoding (keys sorted), and put back on a rebuilt tree. */
static void
defaults_walk(res_value *v, uint8_t *bits, size_t *i, bool set)
{
        if (set) {
                if (bits[*i / 8] & (1u << (*i % 8)))
                        v->flags |= RES_F_DEFAULT;
        } else if (v->flags & RES_F_DEFAULT) {
                bits[*i / 8] |= (uint8_t)(1u << (*i % 8));
        }
        (*i)++;
        if (v->type == RES_SEQ)
                for (uint32_t k = 0; k < v->n; k++)
                        defaults_walk(v->u.items[k], bits, i, set);
        else if (v->type == RES_MAP)
                for (uint32_t k = 0; k < v->n; k++)
                        defaults_walk(v->u.members[k].value, bits, i, set);
}

static size_t
count_nodes(const res_value *v)
{
        size_t n = 1;
        if (v->type == RES_SEQ)
                for (uint32_t k = 0; k < v->n; k++)
                        n += count_nodes(v->u.items[k]);
        else if (v->type == RES_MAP)
                for (uint32_t k = 0; k < v->n; k++)
                        n += count_nodes(v->u.members[k].value);
        return n;
}

const res_value *
res_object_value(const res_object *o)
{
        res_object *w = (res_object *)o;
        if (!w->tree) {
                w->tree = parse_json(o->json, o->json_len);
                if (w->tree && w->defaults) {
                        size_t i = 0;
                        defaults_walk(w->tree, w->defaults, &i, true);
                }
        }
        return w->tree;
}

const res_value *
res_object_labels(const res_object *o)
{
        res_object *w = (res_object *)o;
        if (w->tree)
                return res_get(w->tree, "metadata", "labels", NULL);
        if (!w->labels) {
                res_value *t = parse_json(o->json, o->json_len);
                res_member *m = res_map_member(res_map_get(t, "metadata"), "labels");
                if (m && m->value->type == RES_MAP) {
                        w->labels = m->value;
                        m->value = res_null_new();
                }
                res_value_free(t);
        }
        return w->labels;
}

static res_value *
output_tree(const res_object *o, bool mask_secrets)
{
        res_value *t = parse_json(o->json, o->json_len);
        if (!t)
                return res_map_new();
        if (mask_secrets && strcmp(o->kind->kind, "Secret") == 0) {
                res_value *data = res_map_get(t, "data");
                for (uint32_t i = 0; data && data->type == RES_MAP && i < data->n; i++) {
                        res_value_free(data->u.members[i].value);
                        data->u.members[i].value = res_str_new("***");
                }
                /* kubectl's copy of the applied manifest holds the data too */
                res_member *m = res_map_member(res_get(t, "metadata", "annotations", NULL),
                                               "kubectl.kubernetes.io/last-applied-configuration");
                if (m) {
                        res_value_free(m->value);
                        m->value = res_str_new("***");
                }
        }
        return t;
}

void
res_object_emit_yaml(const res_object *o, tm_buf *out, bool mask_secrets)
{
        res_value *t = output_tree(o, mask_secrets);
        res_emit_yaml(t, out, 0);
        res_value_free(t);
}

void
res_object_emit_json(const res_object *o, tm_buf *out, bool mask_secrets)
{
        res_value *t = output_tree(o, mask_secrets);
        res_emit_json(t, out, true);
        res_value_free(t);
}

res_object *
res_object_ref(res_object *o)
{
        if (o)
                o->refs++;
        return o;
}

void
res_object_unref(res_object *o)
{
        if (!o || --o->refs > 0)
                return;
        /* Secret data lives in json: do not leave it in freed memory. */
        if (o->json && strcmp(o->kind->kind, "Secret") == 0)
                explicit_bzero(o->json, o->json_len);
        res_value_free(o->tree);
        res_value_free(o->labels);
        free(o);
}

static void
split_api_version(const char *av, char *group, size_t gsz, const char **version)
{
        const char *slash = strrchr(av, '/');
        if (!slash) {
                group[0] = '\0';
                *version = av;
                return;
        }
        size_t n = (size_t)(slash - av);
        if (n >= gsz)
                n = gsz - 1;
        memcpy(group, av, n);
        group[n] = '\0';
        *version = slash + 1;
}

/* apiVersion and kind: which schema applies. NULL (with an error) when
 * none does. */
static const res_kind_info *
resolve_kind(res_vctx *c, const res_value *root)
{
        const res_member *av = res_map_member(root, "apiVersion");
        const res_member *kd = res_map_member(root, "kind");
        bool ok = true;
        if (!kd || kd->value->type != RES_STR || kd->value->n == 0) {
                if (kd && kd->value->type != RES_STR && kd->value->type != RES_NULL)
                        res_vc_err_key(c, "kind", kd->value->line, kd->value->col,
                                       "expected string, got %s",
                                       res_type_name((res_type)kd->value->type));
                else
                        res_vc_err_key(c, "kind", root->line, root->col,
                                       "Required value: Object 'Kind' is missing");
                ok = false;
        }
        if (!av || av->value->type != RES_STR || av->value->n == 0) {
                if (av && av->value->type != RES_STR && av->value->type != RES_NULL)
                        res_vc_err_key(c, "apiVersion", av->value->line, av->value->col,
                                       "expected string, got %s",
                                       res_type_name((res_type)av->value->type));
                else
                        res_vc_err_key(c, "apiVersion", root->line, root->col,
                                       "Required value: Object 'apiVersion' is missing");
                ok = false;
        }
        if (!ok)
                return NULL;
        const char *kind = kd->value->u.s;
        const char *apiv = av->value->u.s;
        char group[256];
        const char *version;
        split_api_version(apiv, group, sizeof(group), &version);
        const res_kind_info *k = res_kind_find(group, kind);
        if (k && strcmp(k->version, version) == 0 && strlen(apiv) == av->value->n &&
            strlen(kind) == kd->value->n)
                return k;
        /* Known kind, wrong apiVersion: point at the apiVersion. */
        bool known = false;
        for (size_t i = 0; i < res_kind_count(); i++)
                known |= strcmp(res_kind_at(i)->kind, kind) == 0;
        const res_member *at = known ? av : kd;
        _cleanup_(tm_buf_free) tm_buf kq = TM_BUF_INIT, vq = TM_BUF_INIT;
        tm_buf_put_json_string(&kq, kind, kd->value->n > 128 ? 128 : kd->value->n);
        tm_buf_put_json_string(&vq, apiv, av->value->n > 128 ? 128 : av->value->n);
        size_t old = res_vc_push(c, known ? "apiVersion" : "kind");
        if (strcmp(kind, "List") == 0 && strcmp(apiv, "v1") == 0)
                res_vc_err(c, at->value->line, at->value->col,
                           "Forbidden: a List may only appear at the top level of a file");
        else
                res_vc_err(c, at->value->line, at->value->col,
                           "no matches for kind %s in version %s", kq.data, vq.data);
        res_vc_pop(c, old);
        return NULL;
}

int
res_object_from_value(res_value *root, const char *file, res_object **out, res_diags *diags)
{
        return res_object_build(root, file, 0, NULL, NULL, NULL, out, diags);
}

int
res_object_build(res_value *root, const char *file, uint32_t line_offset, tm_buf *scratch,
                 tm_sha256 *hasher, res_arena *arena, res_object **out, res_diags *diags)
{
        res_vctx c = {.file = file, .diags = diags, .line_offset = line_offset};
        if (root) {
                c.line = root->line;
                c.col = root->col;
        }
        if (!root || root->type != RES_MAP) {
                res_vc_err(&c, c.line, c.col, "expected a map (an object), got %s",
                           root ? res_type_name((res_type)root->type) : "nothing");
                res_value_free(root);
                return -EINVAL;
        }
        const res_kind_info *k = resolve_kind(&c, root);
        if (!k) {
                res_value_free(root);
                return -EINVAL;
        }
        c.kind = k;
        c.secret = strcmp(k->kind, "Secret") == 0;
        const res_value *meta = res_map_get(root, "metadata");
        const char *name = res_get_str(meta, "name", NULL);
        const char *ns = res_get_str(meta, "namespace", NULL);
        if (!k->namespaced)
                ns = NULL;
        else if (!ns || !*ns)
                ns = "default";
        /* Copies: decoding may drop what they point into. */
        _cleanup_free_ char *name_c = name ? xstrndup(name, 253) : NULL;
        _cleanup_free_ char *ns_c = ns ? xstrndup(ns, 63) : NULL;
        c.name = name_c;
        c.ns = ns_c;
        res_decode_schema(&c, root, res_kind_schema(k));
        meta = res_map_get(root, "metadata");
        name = res_get_str(meta, "name", NULL);
        if ((!name || !*name) && !res_map_get(meta, "generateName"))
                res_vc_err_key(&c, "metadata.name", meta ? meta->line : c.line,
                               meta ? meta->col : c.col,
                               "Required value: name or generateName is required");
        res_validate_object(&c, root);
        if (c.errors) {
                res_value_free(root);
                return -EINVAL;
        }
        res_apply_defaults(arena, k, root);
        res_value_sort(root);

        ns = k->namespaced ? res_get_str(res_map_get(root, "metadata"), "namespace", "") : "";
        size_t gl = strlen(k->group), kl = strlen(k->kind), nl = strlen(ns), ml = strlen(name);
        size_t idl = gl + kl + nl + ml + 4 + nl + 1 + ml + 1, fl = file ? strlen(file) + 1 : 0;
        size_t nodes = count_nodes(root), i = 0, dl = (nodes + 7) / 8;
        tm_buf local = TM_BUF_INIT, *b = scratch ? scratch : &local;
        tm_buf_reset(b);
        res_emit_canonical_json_sorted(root, b);
        /* exact size: ten thousand objects must not carry buffer slack */
        res_object *o = xmalloc(sizeof(*o) + idl + fl + dl + b->len + 1);
        memset(o, 0, sizeof(*o));
        o->refs = 1;
        o->kind = k;
        o->line = c.line ? c.line + line_offset : 0;
        char *tail = (char *)(o + 1);
        o->id = tail;
        if (file)
                o->file = memcpy(tail + idl, file, fl);
        o->defaults = memset(tail + idl + fl, 0, dl);
        o->json = tail + idl + fl + dl;
        o->json_len = b->len;
        memcpy(o->json, b->data ? b->data : "", b->len);
        o->json[b->len] = '\0';
        if (scratch && scratch->len)
                explicit_bzero(scratch->data, scratch->len);
        tm_buf_free(&local);
        /* id, then NUL-separated copies of namespace and name */
        char *p = o->id;
        p = mempcpy(p, k->group, gl);
        *p++ = '/';
        p = mempcpy(p, k->kind, kl);
        *p++ = '/';
        p = mempcpy(p, ns, nl);
        *p++ = '/';
        p = mempcpy(p, name, ml);
        *p++ = '\0';
        o->ns = p;
        p = mempcpy(p, ns, nl);
        *p++ = '\0';
        o->name = p;
        p = mempcpy(p, name, ml);
        *p = '\0';

        defaults_walk(root, o->defaults, &i, false);
        char hex[TM_SHA256_HEX_LEN + 1];
        if (hasher)
                tm_sha256_reuse_hex(hasher, o->json, o->json_len, hex);
        else
                tm_sha256_hex(o->json, o->json_len, hex);
        memcpy(o->hash, "sha256:", 7);
        memcpy(o->hash + 7, hex, sizeof(hex));
        res_value_free(root);
        *out = o;
        return 0;
}

int
res_object_from_json(const char *json, size_t len, res_object **out, tm_error *err)
{
        res_limits lim;
        res_limits_default(&lim);
        if (len > lim.max_doc_bytes)
                return tm_error_set(err, -EFBIG, "object of %zu bytes is too large", len);
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags d = RES_DIAGS_INIT;
        d.max = 4;
        int r = res_yaml_decode(NULL, json, len, &lim, &docs, &n, &d);
        if (r == 0 && n != 1) {
                res_docs_free(docs, n);
                res_diags_free(&d);
                return tm_error_set(err, -EINVAL, "expected one JSON object, got %zu documents", n);
        }
        if (r == 0) {
                res_value *root = docs[0].root;
                docs[0].root = NULL;
                res_docs_free(docs, n);
                r = res_object_from_value(root, NULL, out, &d);
        }
        if (r < 0) {
                tm_buf b = TM_BUF_INIT;
                for (size_t i = 0; i < d.n; i++) {
                        if (i)
                                tm_buf_puts(&b, "; ");
                        res_diag_format(&d.items[i], &b);
                }
                tm_error_set(err, r, "invalid object: %s", b.data ? b.data : "decode failed");
                tm_buf_free(&b);
        }
        res_diags_free(&d);
        return r;
}
