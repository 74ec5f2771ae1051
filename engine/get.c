/* `timone get`: tables with kubectl's columns per kind, -o yaml|json|name. */
#include "engine/get.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/util.h"
#include "engine/plan.h"
#include "engine/podview.h"
#include "resources/selector.h"

typedef struct table {
        char **cells; /* rows * cols */
        size_t rows, cols, cap;
} table;

/* Rows are built with add() and closed with end_row(). */
typedef struct row_builder {
        table *t;
        size_t n; /* cells in the current row */
} row_builder;

static void
add(row_builder *rb, char *s)
{
        table *t = rb->t;
        size_t at = t->rows * t->cols + rb->n;
        TM_GROW(t->cells, t->cap, at + 1);
        t->cells[at] = s;
        rb->n++;
}

static void
adds(row_builder *rb, const char *s)
{
        add(rb, xstrdup(s ? s : ""));
}

static void
end_row(row_builder *rb)
{
        while (rb->n < rb->t->cols)
                adds(rb, "");
        rb->t->rows++;
        rb->n = 0;
}

static void
table_print(table *t, bool headers, tm_buf *out)
{
        size_t *w = xcalloc(t->cols, sizeof(size_t));
        for (size_t r = headers ? 0 : 1; r < t->rows; r++)
                for (size_t c = 0; c < t->cols; c++) {
                        size_t l = strlen(t->cells[r * t->cols + c]);
                        if (l > w[c])
                                w[c] = l;
                }
        for (size_t r = headers ? 0 : 1; r < t->rows; r++) {
                for (size_t c = 0; c < t->cols; c++) {
                        const char *s = t->cells[r * t->cols + c];
                        if (c + 1 == t->cols)
                                tm_buf_puts(out, s);
                        else
                                tm_buf_printf(out, "%-*s   ", (int)w[c], s);
                }
                /* kubectl leaves no trailing blanks */
                while (out->len && out->data[out->len - 1] == ' ')
                        out->data[--out->len] = '\0';
                tm_buf_putc(out, '\n');
        }
        free(w);
}

static void
table_free(table *t)
{
        for (size_t i = 0; i < t->rows * t->cols; i++)
                free(t->cells[i]);
        free(t->cells);
}

/* --- cell values --- */

static const char *str_at(const res_value *v, const char *def, ...) __attribute__((sentinel));

static const char *
str_at(const res_value *v, const char *def, ...)
{
        va_list ap;
        va_start(ap, def);
        const char *k;
        while (v && (k = va_arg(ap, const char *)))
                v = res_map_get(v, k);
        va_end(ap);
        return v && v->type == RES_STR ? v->u.s : def;
}

static char *
scalar_text(const res_value *v)
{
        if (!v)
                return xstrdup("");
        switch (v->type) {
        case RES_STR:
                return xstrdup(v->u.s);
        case RES_INT:
                return xasprintf("%lld", (long long)v->u.i);
        case RES_BOOL:
                return xstrdup(v->u.b ? "true" : "false");
        case RES_FLOAT:
                return xasprintf("%g", v->u.f);
        default:
                return xstrdup("");
        }
}

static size_t
map_size(const res_value *m)
{
        return m && m->type == RES_MAP ? m->n : 0;
}

static int
member_cmp(const void *a, const void *b)
{
        return strcmp(((const res_member *)a)->key, ((const res_member *)b)->key);
}

/* "a=b,c=d" sorted by key, or none when empty. */
static char *
map_pairs(const res_value *m, const char *none)
{
        size_t n = map_size(m);
        if (!n)
                return xstrdup(none);
        res_member *ms = xmemdup(m->u.members, n * sizeof(*ms));
        qsort(ms, n, sizeof(*ms), member_cmp);
        tm_buf b = TM_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *v = scalar_text(ms[i].value);
                tm_buf_printf(&b, "%s%s=%s", i ? "," : "", ms[i].key, v);
        }
        free(ms);
        return tm_buf_steal(&b);
}

static const res_value *
containers_of(const res_value *v, bool templated)
{
        return templated ? res_get(v, "spec", "template", "spec", "containers", NULL)
                         : res_get(v, "spec", "containers", NULL);
}

static char *
join_field(const res_value *seq, const char *key, const char *none)
{
        if (!seq || seq->type != RES_SEQ || !seq->n)
                return xstrdup(none);
        tm_buf b = TM_BUF_INIT;
        for (uint32_t i = 0; i < seq->n; i++)
                tm_buf_printf(&b, "%s%s", i ? "," : "", res_get_str(seq->u.items[i], key, ""));
        return tm_buf_steal(&b);
}

static char *
selector_text(const res_value *sel)
{
        res_selector *s = NULL;
        tm_error err = {0};
        if (!sel || res_selector_from_value(sel, &s, &err) < 0)
                return xstrdup("<none>");
        tm_buf b = TM_BUF_INIT;
        res_selector_format(s, &b);
        res_selector_free(s);
        if (!b.len) {
                tm_buf_free(&b);
                return xstrdup("<none>");
        }
        return tm_buf_steal(&b);
}

static char *
access_modes(const res_value *seq)
{
        if (!seq || seq->type != RES_SEQ)
                return xstrdup("");
        static const char *const long_names[] = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
                                                 "ReadWriteOncePod"};
        static const char *const short_names[] = {"RWO", "ROX", "RWX", "RWOP"};
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "");
        for (uint32_t i = 0; i < seq->n; i++) {
                const char *m = seq->u.items[i]->type == RES_STR ? seq->u.items[i]->u.s : "";
                for (size_t k = 0; k < TM_ARRAY_SIZE(long_names); k++)
                        if (strcmp(m, long_names[k]) == 0)
                                m = short_names[k];
                tm_buf_printf(&b, "%s%s", b.len ? "," : "", m);
        }
        return tm_buf_steal(&b);
}

static char *
service_ports(const res_value *spec)
{
        const res_value *ports = res_map_get(spec, "ports");
        if (!ports || ports->type != RES_SEQ || !ports->n)
                return xstrdup("<none>");
        tm_buf b = TM_BUF_INIT;
        for (uint32_t i = 0; i < ports->n; i++) {
                const res_value *p = ports->u.items[i];
                tm_buf_printf(&b, "%s%lld", i ? "," : "", (long long)res_get_int(p, "port", 0));
                int64_t np = res_get_int(p, "nodePort", 0);
                if (np)
                        tm_buf_printf(&b, ":%lld", (long long)np);
                tm_buf_printf(&b, "/%s", res_get_str(p, "protocol", "TCP"));
        }
        return tm_buf_steal(&b);
}

static char *
service_external_ip(const res_value *spec)
{
        const char *type = res_get_str(spec, "type", "ClusterIP");
        if (strcmp(type, "ExternalName") == 0)
                return xstrdup(res_get_str(spec, "externalName", "<none>"));
        const res_value *ext = res_map_get(spec, "externalIPs");
        if (ext && ext->type == RES_SEQ && ext->n) {
                tm_buf b = TM_BUF_INIT;
                for (uint32_t i = 0; i < ext->n; i++)
                        tm_buf_printf(&b, "%s%s", i ? "," : "",
                                      ext->u.items[i]->type == RES_STR ? ext->u.items[i]->u.s : "");
                return tm_buf_steal(&b);
        }
        return xstrdup(strcmp(type, "LoadBalancer") == 0 ? "<pending>" : "<none>");
}

static void
headers(row_builder *rb, const res_kind_info *info, const eng_get_opts *o)
{
        static const struct {
                const char *kind;
                const char *cols, *wide;
        } h[] = {
            {"Namespace", "STATUS", ""},
            {"Pod", "READY|STATUS|RESTARTS", "IP|NODE|NOMINATED NODE|READINESS GATES"},
            {"ReplicaSet", "DESIRED|CURRENT|READY", "CONTAINERS|IMAGES|SELECTOR"},
            {"Deployment", "READY|UP-TO-DATE|AVAILABLE", "CONTAINERS|IMAGES|SELECTOR"},
            {"DaemonSet", "DESIRED|CURRENT|READY|UP-TO-DATE|AVAILABLE|NODE SELECTOR",
             "CONTAINERS|IMAGES|SELECTOR"},
            {"Service", "TYPE|CLUSTER-IP|EXTERNAL-IP|PORT(S)", "SELECTOR"},
            {"ConfigMap", "DATA", ""},
            {"Secret", "TYPE|DATA", ""},
            {"PersistentVolume",
             "CAPACITY|ACCESS MODES|RECLAIM POLICY|STATUS|CLAIM|STORAGECLASS|"
             "VOLUMEATTRIBUTESCLASS|REASON",
             "VOLUMEMODE"},
            {"PersistentVolumeClaim",
             "STATUS|VOLUME|CAPACITY|ACCESS MODES|STORAGECLASS|VOLUMEATTRIBUTESCLASS",
             "VOLUMEMODE"},
            {"StorageClass", "PROVISIONER|RECLAIMPOLICY|VOLUMEBINDINGMODE|ALLOWVOLUMEEXPANSION",
             ""},
        };
        if (o->all_namespaces && info->namespaced)
                adds(rb, "NAMESPACE");
        adds(rb, "NAME");
        for (size_t i = 0; i < TM_ARRAY_SIZE(h); i++) {
                if (strcmp(h[i].kind, info->kind) != 0)
                        continue;
                _cleanup_free_ char *cols = xstrdup(h[i].cols);
                for (char *save = NULL, *c = strtok_r(cols, "|", &save); c;
                     c = strtok_r(NULL, "|", &save))
                        adds(rb, c);
                adds(rb, "AGE");
                if (o->wide && *h[i].wide) {
                        _cleanup_free_ char *w = xstrdup(h[i].wide);
                        for (char *save = NULL, *c = strtok_r(w, "|", &save); c;
                             c = strtok_r(NULL, "|", &save))
                                adds(rb, c);
                }
                break;
        }
        if (rb->n == (o->all_namespaces && info->namespaced ? 2u : 1u))
                adds(rb, "AGE");
        if (o->show_labels)
                adds(rb, "LABELS");
}

static void
workload_wide(row_builder *rb, const res_value *v)
{
        const res_value *cs = containers_of(v, true);
        add(rb, join_field(cs, "name", "<none>"));
        add(rb, join_field(cs, "image", "<none>"));
        add(rb, selector_text(res_get(v, "spec", "selector", NULL)));
}

/* The controllers' live pods of a workload, and how many of them are ready. */
static void
count_pods(const eng_get_opts *o, const char *kind, const eng_record *rec, unsigned *have,
           unsigned *ready)
{
        _cleanup_free_ char *ctl = xasprintf("%s/%s", kind, rec->name);
        for (size_t i = 0; o->pods && i < o->n_pods; i++) {
                const eng_pod *p = &o->pods[i].pod;
                if (p->terminated || !tm_streq(p->ns, rec->ns))
                        continue;
                bool mine = tm_streq(p->controller, ctl) ||
                            (tm_streq(p->owner_kind, kind) && tm_streq(p->owner_name, rec->name));
                if (!mine)
                        continue;
                (*have)++;
                if (p->ready)
                        (*ready)++;
        }
}

static void
row(row_builder *rb, const res_kind_info *info, const eng_record *rec, const res_value *v,
    const eng_get_opts *o)
{
        const res_value *spec = res_map_get(v, "spec");
        char age[32];
        tm_format_age(o->now - rec->created_at, age, sizeof(age));
        if (o->all_namespaces && info->namespaced)
                adds(rb, rec->ns);
        if (o->with_kind)
                add(rb, xasprintf("%s%s%s/%s", info->singular, *info->group ? "." : "", info->group,
                                  rec->name));
        else
                adds(rb, rec->name);
        const char *k = info->kind;
        if (strcmp(k, "Namespace") == 0) {
                adds(rb, "Active");
                adds(rb, age);
        } else if (strcmp(k, "Pod") == 0) {
                res_value *status = NULL;
                tm_error err = {0};
                if (rec->status &&
                    eng_value_from_json(rec->status, strlen(rec->status), &status, &err) < 0)
                        status = NULL;
                eng_pod_view view;
                eng_pod_view_make(v, status, &view);
                res_value_free(status);
                add(rb, xasprintf("%u/%u", view.ready, view.total));
                adds(rb, view.status);
                add(rb, xasprintf("%u", view.restarts));
                adds(rb, age);
                if (o->wide) {
                        adds(rb, *view.ip ? view.ip : "<none>");
                        adds(rb, rec->node && *rec->node
                                     ? rec->node
                                     : str_at(spec, "<none>", "nodeName", NULL));
                        adds(rb, "<none>");
                        adds(rb, "<none>");
                }
        } else if (strcmp(k, "ReplicaSet") == 0 || strcmp(k, "Deployment") == 0) {
                long long want = (long long)res_get_int(spec, "replicas", 1);
                unsigned have = 0, ready = 0;
                count_pods(o, k, rec, &have, &ready);
                if (k[0] == 'R') {
                        add(rb, xasprintf("%lld", want));
                        add(rb, xasprintf("%u", have));
                        add(rb, xasprintf("%u", ready));
                } else {
                        add(rb, xasprintf("%u/%lld", ready, want));
                        add(rb, xasprintf("%u", have));
                        add(rb, xasprintf("%u", ready));
                }
                adds(rb, age);
                if (o->wide)
                        workload_wide(rb, v);
        } else if (strcmp(k, "DaemonSet") == 0) {
                unsigned have = 0, ready = 0;
                count_pods(o, k, rec, &have, &ready);
                unsigned cols[5] = {have, have, ready, have, ready};
                for (int i = 0; i < 5; i++)
                        add(rb, xasprintf("%u", cols[i]));
                add(rb,
                    map_pairs(res_get(spec, "template", "spec", "nodeSelector", NULL), "<none>"));
                adds(rb, age);
                if (o->wide)
                        workload_wide(rb, v);
        } else if (strcmp(k, "Service") == 0) {
                const char *type = res_get_str(spec, "type", "ClusterIP");
                adds(rb, type);
                adds(rb, strcmp(type, "ExternalName") == 0
                             ? "<none>"
                             : str_at(spec, "<none>", "clusterIP", NULL));
                add(rb, service_external_ip(spec));
                add(rb, service_ports(spec));
                adds(rb, age);
                if (o->wide)
                        add(rb, map_pairs(res_map_get(spec, "selector"), "<none>"));
        } else if (strcmp(k, "ConfigMap") == 0) {
                add(rb, xasprintf("%zu", map_size(res_map_get(v, "data")) +
                                             map_size(res_map_get(v, "binaryData"))));
                adds(rb, age);
        } else if (strcmp(k, "Secret") == 0) {
                adds(rb, res_get_str(v, "type", "Opaque"));
                add(rb, xasprintf("%zu", map_size(res_map_get(v, "data"))));
                adds(rb, age);
        } else if (strcmp(k, "PersistentVolume") == 0) {
                adds(rb, str_at(spec, "", "capacity", "storage", NULL));
                add(rb, access_modes(res_map_get(spec, "accessModes")));
                adds(rb, res_get_str(spec, "persistentVolumeReclaimPolicy", "Retain"));
                adds(rb, "Available");
                const res_value *claim = res_map_get(spec, "claimRef");
                if (claim)
                        add(rb, xasprintf("%s/%s", res_get_str(claim, "namespace", ""),
                                          res_get_str(claim, "name", "")));
                else
                        adds(rb, "");
                adds(rb, res_get_str(spec, "storageClassName", ""));
                adds(rb, res_get_str(spec, "volumeAttributesClassName", "<unset>"));
                adds(rb, "");
                adds(rb, age);
                if (o->wide)
                        adds(rb, res_get_str(spec, "volumeMode", "Filesystem"));
        } else if (strcmp(k, "PersistentVolumeClaim") == 0) {
                adds(rb, "Pending");
                adds(rb, res_get_str(spec, "volumeName", ""));
                adds(rb, "");
                adds(rb, "");
                adds(rb, res_get_str(spec, "storageClassName", ""));
                adds(rb, res_get_str(spec, "volumeAttributesClassName", "<unset>"));
                adds(rb, age);
                if (o->wide)
                        adds(rb, res_get_str(spec, "volumeMode", "Filesystem"));
        } else if (strcmp(k, "StorageClass") == 0) {
                const char *def = str_at(v, "", "metadata", "annotations",
                                         "storageclass.kubernetes.io/is-default-class", NULL);
                if (strcmp(def, "true") == 0) {
                        free(rb->t->cells[rb->t->rows * rb->t->cols + rb->n - 1]);
                        rb->t->cells[rb->t->rows * rb->t->cols + rb->n - 1] =
                            xasprintf("%s (default)", rec->name);
                }
                adds(rb, res_get_str(v, "provisioner", ""));
                adds(rb, res_get_str(v, "reclaimPolicy", "Delete"));
                adds(rb, res_get_str(v, "volumeBindingMode", "Immediate"));
                adds(rb, res_get_bool(v, "allowVolumeExpansion", false) ? "true" : "false");
                adds(rb, age);
        } else {
                adds(rb, age);
        }
        if (o->show_labels)
                add(rb, map_pairs(res_get(v, "metadata", "labels", NULL), "<none>"));
}

void
eng_get_table(const res_kind_info *info, const eng_record *recs, size_t n, const eng_get_opts *o,
              tm_buf *out)
{
        if (!n)
                return;
        table t = {NULL, 0, 0, 0};
        row_builder rb = {&t, 0};
        headers(&rb, info, o);
        t.cols = rb.n;
        t.rows = 1;
        rb.n = 0;
        for (size_t i = 0; i < n; i++) {
                res_value *v = NULL;
                tm_error err = {0};
                if (eng_value_from_json(recs[i].json, recs[i].json_len, &v, &err) < 0)
                        v = res_map_new();
                row(&rb, info, &recs[i], v, o);
                end_row(&rb);
                res_value_free(v);
        }
        table_print(&t, !o->no_headers, out);
        table_free(&t);
}

res_value *
eng_get_object_value(const eng_record *rec)
{
        res_value *v = NULL;
        tm_error err = {0};
        if (eng_value_from_json(rec->json, rec->json_len, &v, &err) < 0)
                return NULL;
        res_value *m = eng_value_masked(v, NULL, false);
        res_value_free(v);
        res_value *meta = res_map_ensure_map(m, "metadata");
        if (meta) {
                char ts[32];
                time_t t = (time_t)rec->created_at;
                struct tm tmv;
                gmtime_r(&t, &tmv);
                strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tmv);
                res_map_set(meta, "creationTimestamp", res_str_new(ts));
                res_map_set(meta, "generation", res_int_new(rec->generation));
                res_map_set(meta, "uid", res_str_new(rec->uid));
        }
        res_value *status = NULL;
        if (rec->status &&
            eng_value_from_json(rec->status, strlen(rec->status), &status, &err) == 0)
                res_map_set(m, "status", status);
        res_value_sort(m);
        return m;
}
