#include "engine/controllers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"

#define MAX_REPLICAS 1000

void
eng_pod_clear(eng_pod *p)
{
        free(p->uid);
        free(p->ns);
        free(p->name);
        free(p->node);
        free(p->owner_kind);
        free(p->owner_name);
        free(p->controller);
        free(p->pod_template_hash);
        res_value_free(p->obj);
        memset(p, 0, sizeof(*p));
}

void
eng_pods_free(eng_pods *ps)
{
        for (size_t i = 0; i < ps->n; i++)
                eng_pod_clear(&ps->items[i]);
        free(ps->items);
        ps->items = NULL;
        ps->n = ps->cap = 0;
}

static char *
dup0(const char *s)
{
        return xstrdup(s ? s : "");
}

void
eng_pods_add_copy(eng_pods *ps, const eng_pod *p)
{
        TM_GROW(ps->items, ps->cap, ps->n + 1);
        eng_pod *c = &ps->items[ps->n++];
        *c = *p;
        c->uid = dup0(p->uid);
        c->ns = dup0(p->ns);
        c->name = dup0(p->name);
        c->node = dup0(p->node);
        c->owner_kind = dup0(p->owner_kind);
        c->owner_name = dup0(p->owner_name);
        c->controller = dup0(p->controller);
        c->pod_template_hash = dup0(p->pod_template_hash);
        c->obj = res_value_clone(p->obj);
}

const eng_pod *
eng_pods_find_uid(const eng_pods *ps, const char *uid)
{
        for (size_t i = 0; i < ps->n; i++)
                if (strcmp(ps->items[i].uid, uid) == 0)
                        return &ps->items[i];
        return NULL;
}

/* A pod being deleted, its node still stopping it (metadata.
 * deletionTimestamp set, as in Kubernetes): never re-adopted, kept as it
 * is by keep_terminating until its node reports it removed, and Recreate
 * waits for it to be gone. */
bool
eng_pod_terminating(const eng_pod *p)
{
        return res_get(p->obj, "metadata", "deletionTimestamp", NULL) != NULL;
}

static const eng_pod *
find_name(const eng_pods *ps, const char *ns, const char *name)
{
        for (size_t i = 0; i < ps->n; i++)
                if (!eng_pod_terminating(&ps->items[i]) && !strcmp(ps->items[i].ns, ns) &&
                    !strcmp(ps->items[i].name, name))
                        return &ps->items[i];
        return NULL;
}

void
eng_safe_encode(uint64_t v, char *out, size_t len)
{
        /* k8s.io/apimachinery/pkg/util/rand: no vowels, no confusables. */
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        for (size_t i = 0; i < len; i++) {
                out[i] = alphabet[v % 27];
                v /= 27;
                if (v == 0)
                        v = tm_fnv1a(out, i + 1);
        }
        out[len] = '\0';
}

static uint64_t
hash64(const char *s)
{
        uint8_t d[32];
        tm_sha256 *h = tm_sha256_new();
        tm_sha256_update(h, s, strlen(s));
        tm_sha256_final(h, d);
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v = v << 8 | d[i];
        return v;
}

void
eng_uid_from(const char *salt, const char *s, char out[37])
{
        uint8_t d[32];
        tm_sha256 *h = tm_sha256_new();
        if (salt) {
                tm_sha256_update(h, salt, strlen(salt));
                tm_sha256_update(h, "/", 1);
        }
        tm_sha256_update(h, s, strlen(s));
        tm_sha256_final(h, d);
        d[6] = (uint8_t)((d[6] & 0x0f) | 0x50); /* version 5 layout, sha256 based */
        d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
        char hex[33];
        tm_hex_encode(d, 16, hex);
        snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static char *
canonical(const res_value *v)
{
        tm_buf b = TM_BUF_INIT;
        res_emit_canonical_json(v, &b);
        return tm_buf_steal(&b);
}

/* The value of maxSurge/maxUnavailable: an integer, or a percentage of
 * replicas rounded up (surge) or down (unavailable); absent: 25%, the API
 * default. Negative values count as 0, percentages are capped at 100%. */
static int64_t
int_or_percent(const res_value *v, int64_t total, bool round_up)
{
        long long pct = 25;
        if (v && v->type == RES_INT)
                return v->u.i < 0 ? 0 : v->u.i > MAX_REPLICAS ? MAX_REPLICAS : v->u.i;
        if (v && v->type == RES_STR && v->n > 1 && v->u.s[v->n - 1] == '%')
                pct = strtoll(v->u.s, NULL, 10);
        else if (v && v->type == RES_STR)
                pct = 0; /* refused by validation; be safe */
        if (pct < 0)
                pct = 0;
        if (pct > 100)
                pct = 100;
        int64_t x = total * pct;
        return round_up ? (x + 99) / 100 : x / 100;
}

typedef struct owner {
        const char *kind; /* "Deployment", "ReplicaSet", "DaemonSet", "Pod" */
        const char *ns;
        const char *name;
} owner;

/* Makes the Pod object for a template. */
static res_value *
pod_from_template(const res_value *tmpl, const char *ns, const char *name, const char *uid,
                  const char *rs_kind, const char *rs_name, const char *hash_label, const char *th)
{
        res_value *pod = res_map_new();
        res_map_set(pod, "apiVersion", res_str_new("v1"));
        res_map_set(pod, "kind", res_str_new("Pod"));
        res_value *meta = res_map_set(pod, "metadata", res_map_new());
        const res_value *tmeta = res_map_get(tmpl, "metadata");
        const res_value *labels = res_map_get(tmeta, "labels");
        res_value *l = res_map_set(meta, "labels",
                                   labels && labels->type == RES_MAP ? res_value_clone(labels)
                                                                     : res_map_new());
        if (hash_label && th && *th)
                res_map_set(l, hash_label, res_str_new(th));
        const res_value *ann = res_map_get(tmeta, "annotations");
        if (ann && ann->type == RES_MAP && ann->n)
                res_map_set(meta, "annotations", res_value_clone(ann));
        res_map_set(meta, "name", res_str_new(name));
        res_map_set(meta, "namespace", res_str_new(ns));
        res_map_set(meta, "uid", res_str_new(uid));
        if (rs_kind) {
                res_value *refs = res_map_set(meta, "ownerReferences", res_seq_new());
                res_value *ref = res_map_new();
                res_map_set(ref, "apiVersion", res_str_new("apps/v1"));
                res_map_set(ref, "kind", res_str_new(rs_kind));
                res_map_set(ref, "name", res_str_new(rs_name));
                res_map_set(ref, "controller", res_bool_new(true));
                res_map_set(ref, "blockOwnerDeletion", res_bool_new(true));
                res_seq_push(refs, ref);
        }
        const res_value *spec = res_map_get(tmpl, "spec");
        res_map_set(pod, "spec", spec ? res_value_clone(spec) : res_map_new());
        res_value_sort(pod);
        return pod;
}

/* Whether cur is the pod obj would make (a bare Pod: the same manifest). */
static bool
same_content(const eng_pod *cur, const res_value *obj)
{
        res_value *c = res_value_clone(obj);
        res_map_set(res_map_get(c, "metadata"), "uid", res_str_new(cur->uid));
        res_value *spec = res_map_get(c, "spec");
        if (*cur->node && spec && spec->type == RES_MAP && !res_get_str(spec, "nodeName", NULL))
                res_map_set(spec, "nodeName", res_str_new(cur->node));
        res_value_sort(c);
        _cleanup_free_ char *a = canonical(c);
        _cleanup_free_ char *b = canonical(cur->obj);
        res_value_free(c);
        return !strcmp(a, b);
}

/* Adds the pod obj (its metadata.uid still to set). A pod that exists
 * already (same namespace, name, controller and template hash; for a bare
 * Pod the same manifest) keeps its uid, node and status: that is how the
 * controllers re-adopt. A new one gets a new uid, unique to this cluster
 * (salt) and this incarnation: a pod deleted and made again (scaled down
 * and up, a spec changed back) is a new pod, as in Kubernetes, never the
 * old one whose containers may still be stopping. */
static void
add_pod(eng_pods *out, const eng_pods *current, res_value *obj, const char *ns, const char *name,
        const char *key, const char *salt, const char *owner_kind, const char *owner_name,
        const char *controller, const char *th, int64_t now)
{
        th = th ? th : "";
        const eng_pod *cur = NULL;
        for (size_t i = 0; i < current->n && !cur; i++) {
                const eng_pod *c = &current->items[i];
                if (!eng_pod_terminating(c) && !strcmp(c->ns, ns) && !strcmp(c->name, name) &&
                    !strcmp(c->controller, controller) && !strcmp(c->pod_template_hash, th) &&
                    (*owner_kind || same_content(c, obj)))
                        cur = c;
        }
        char uid[37];
        if (cur) {
                snprintf(uid, sizeof(uid), "%s", cur->uid);
        } else {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                _cleanup_free_ char *k = xasprintf("%s@%lld.%09ld#%zu", key, (long long)ts.tv_sec,
                                                   (long)ts.tv_nsec, out->n);
                eng_uid_from(salt, k, uid);
        }
        res_map_set(res_map_get(obj, "metadata"), "uid", res_str_new(uid));
        TM_GROW(out->items, out->cap, out->n + 1);
        eng_pod *p = &out->items[out->n++];
        memset(p, 0, sizeof(*p));
        p->uid = xstrdup(uid);
        p->ns = xstrdup(ns);
        p->name = xstrdup(name);
        p->owner_kind = xstrdup(owner_kind);
        p->owner_name = xstrdup(owner_name);
        p->controller = xstrdup(controller);
        p->pod_template_hash = xstrdup(th);
        p->obj = obj;
        if (cur) {
                p->node = xstrdup(cur->node);
                /* The scheduler's choice stays in the object, so that an
                 * unchanged pod compares equal to the stored one. */
                res_value *spec = res_map_get(obj, "spec");
                if (*cur->node && spec && spec->type == RES_MAP &&
                    !res_get_str(spec, "nodeName", NULL))
                        res_map_set(spec, "nodeName", res_str_new(cur->node));
                p->ready = cur->ready;
                p->terminated = cur->terminated;
                p->created = cur->created;
        } else {
                const char *pinned = res_get_str(res_map_get(obj, "spec"), "nodeName", "");
                p->node = xstrdup(pinned);
                p->created = now;
        }
        res_value_sort(obj);
}

/* The pod name for replica i of a ReplicaSet. */
static char *
replica_name(const char *rs_name, size_t i)
{
        _cleanup_free_ char *key = xasprintf("%s/%zu", rs_name, i);
        char sfx[6];
        eng_safe_encode(hash64(key), sfx, 5);
        return xasprintf("%s-%s", rs_name, sfx);
}

/* Pods of a ReplicaSet scaled to n (replicas 0..n-1). */
static void
replicaset_pods(eng_pods *out, const eng_pods *current, const res_value *tmpl, const char *ns,
                const char *rs_name, const char *th, size_t n, const char *controller, int64_t now,
                const char *salt)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *name = replica_name(rs_name, i);
                _cleanup_free_ char *key = xasprintf("%s/%s/%s", ns, name, th);
                res_value *obj = pod_from_template(tmpl, ns, name, "", "ReplicaSet", rs_name,
                                                   "pod-template-hash", th);
                add_pod(out, current, obj, ns, name, key, salt, "ReplicaSet", rs_name, controller,
                        th, now);
        }
}

static int64_t
replicas_of(const res_value *spec)
{
        int64_t r = res_get_int(spec, "replicas", 1);
        if (r < 0)
                r = 0;
        return r > MAX_REPLICAS ? MAX_REPLICAS : r;
}

static void
template_hash(const res_value *tmpl, char th[11])
{
        _cleanup_free_ char *json = canonical(tmpl);
        eng_safe_encode(hash64(json), th, 10);
}

static bool
owned_by(const eng_pod *p, const char *ns, const char *controller)
{
        return !eng_pod_terminating(p) && !strcmp(p->ns, ns) && !strcmp(p->controller, controller);
}

/* Whether an old pod of this Deployment is still stopping. */
static bool
old_terminating(const eng_pods *current, const char *ns, const char *controller, const char *th)
{
        for (size_t i = 0; i < current->n; i++) {
                const eng_pod *p = &current->items[i];
                if (eng_pod_terminating(p) && !strcmp(p->ns, ns) &&
                    !strcmp(p->controller, controller) && strcmp(p->pod_template_hash, th) != 0)
                        return true;
        }
        return false;
}

/* A Deployment, rolled the way the Kubernetes deployment controller does
 * it, one step per call (the caller runs again on every readiness change):
 *  - RollingUpdate: old pods go first as far as availability allows
 *    (unready ones first, at most all - minAvailable - newUnavailable;
 *    then ready ones while more than replicas - maxUnavailable stay
 *    ready), then the new ReplicaSet grows up to replicas + maxSurge in
 *    total;
 *  - Recreate: every old pod goes before any new one is made;
 *  - spec.paused: the pods stay as they are (no rollout, no new
 *    ReplicaSet); the current ReplicaSet alone still scales.
 * No ReplicaSet objects are kept, so revisionHistoryLimit has nothing to
 * limit. */
static void
run_deployment(const res_value *obj, const eng_pods *current, eng_pods *out, int64_t now,
               const char *salt)
{
        const res_value *meta = res_map_get(obj, "metadata");
        const char *ns = res_get_str(meta, "namespace", "default");
        const char *name = res_get_str(meta, "name", "");
        const res_value *spec = res_map_get(obj, "spec");
        const res_value *tmpl = res_map_get(spec, "template");
        int64_t want = replicas_of(spec);
        char th[11];
        template_hash(tmpl, th);
        _cleanup_free_ char *rs_name = xasprintf("%s-%s", name, th);
        _cleanup_free_ char *controller = xasprintf("Deployment/%s", name);

        /* What runs now for this Deployment: the new ReplicaSet's pods and
         * the others'. */
        int64_t n_new = 0, n_old = 0, ready_new = 0, ready_old = 0;
        for (size_t i = 0; i < current->n; i++) {
                const eng_pod *p = &current->items[i];
                if (!owned_by(p, ns, controller))
                        continue;
                if (!strcmp(p->pod_template_hash, th)) {
                        n_new++;
                        ready_new += p->ready;
                } else {
                        n_old++;
                        ready_old += p->ready;
                }
        }
        if (res_get_bool(spec, "paused", false)) {
                if (n_old || !n_new) {
                        for (size_t i = 0; i < current->n; i++)
                                if (owned_by(&current->items[i], ns, controller))
                                        eng_pods_add_copy(out, &current->items[i]);
                        return;
                }
                replicaset_pods(out, current, tmpl, ns, rs_name, th, (size_t)want, controller, now,
                                salt);
                return;
        }
        const res_value *strategy = res_map_get(spec, "strategy");
        bool recreate = !strcmp(res_get_str(strategy, "type", "RollingUpdate"), "Recreate");
        int64_t target_new = want;
        int64_t drop_unready = 0, keep_ready = 0;
        if (recreate && (n_old || (!n_new && old_terminating(current, ns, controller, th)))) {
                target_new = 0; /* every old pod goes, and is gone, first */
        } else if (n_old) {
                const res_value *ru = res_map_get(strategy, "rollingUpdate");
                int64_t surge = int_or_percent(res_map_get(ru, "maxSurge"), want, true);
                int64_t unavail = int_or_percent(res_map_get(ru, "maxUnavailable"), want, false);
                if (surge == 0 && unavail == 0)
                        unavail = 1;
                if (unavail > want)
                        unavail = want;
                int64_t min_avail = want - unavail;
                /* Old pods down: unready ones first, within what the new
                 * ReplicaSet's unready pods leave... */
                int64_t max_down = n_new + n_old - min_avail - (n_new - ready_new);
                if (max_down < 0)
                        max_down = 0;
                int64_t unready_old = n_old - ready_old;
                drop_unready = unready_old < max_down ? unready_old : max_down;
                /* ...then ready ones while enough stay ready. */
                int64_t drop_ready = ready_new + ready_old - min_avail;
                if (drop_ready > max_down - drop_unready)
                        drop_ready = max_down - drop_unready;
                if (drop_ready < 0)
                        drop_ready = 0;
                if (drop_ready > ready_old)
                        drop_ready = ready_old;
                keep_ready = ready_old - drop_ready;
                int64_t kept_old = n_old - drop_unready - drop_ready;
                /* The new ReplicaSet up within the surge, never down. */
                target_new = want + surge - kept_old;
                if (target_new < n_new)
                        target_new = n_new;
                if (target_new > want)
                        target_new = want;
        }
        replicaset_pods(out, current, tmpl, ns, rs_name, th, (size_t)target_new, controller, now,
                        salt);
        if (!n_old || recreate)
                return;
        /* The old pods that stay: the ready ones availability needs, the
         * unready ones not yet dropped (in the order they are listed). */
        int64_t keep_unready = n_old - ready_old - drop_unready;
        for (size_t i = 0; i < current->n; i++) {
                const eng_pod *p = &current->items[i];
                if (!owned_by(p, ns, controller) || !strcmp(p->pod_template_hash, th))
                        continue;
                int64_t *quota = p->ready ? &keep_ready : &keep_unready;
                if (*quota <= 0)
                        continue;
                eng_pods_add_copy(out, p);
                (*quota)--;
        }
}

/* A ReplicaSet from a manifest. As in Kubernetes, a template change does
 * not touch the pods that exist (only new replicas use the new template),
 * and its pods carry the template's labels only (pod-template-hash is the
 * Deployment controller's). */
static void
run_replicaset(const res_value *obj, const eng_pods *current, eng_pods *out, int64_t now,
               const char *salt)
{
        const res_value *meta = res_map_get(obj, "metadata");
        const char *ns = res_get_str(meta, "namespace", "default");
        const char *name = res_get_str(meta, "name", "");
        const res_value *spec = res_map_get(obj, "spec");
        const res_value *tmpl = res_map_get(spec, "template");
        char th[11];
        template_hash(tmpl, th);
        _cleanup_free_ char *controller = xasprintf("ReplicaSet/%s", name);
        size_t n = (size_t)replicas_of(spec);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *pname = replica_name(name, i);
                const eng_pod *cur = find_name(current, ns, pname);
                if (cur && !eng_pod_terminating(cur) && !strcmp(cur->controller, controller)) {
                        eng_pods_add_copy(out, cur);
                        continue;
                }
                _cleanup_free_ char *key = xasprintf("%s/%s/%s", ns, pname, th);
                res_value *pod =
                    pod_from_template(tmpl, ns, pname, "", "ReplicaSet", name, NULL, th);
                add_pod(out, current, pod, ns, pname, key, salt, "ReplicaSet", name, controller, th,
                        now);
        }
}

static bool
selector_matches(const res_value *sel, const res_value *labels, const char *node)
{
        if (!sel || sel->type != RES_MAP)
                return true;
        for (uint32_t i = 0; i < sel->n; i++) {
                const res_member *m = &sel->u.members[i];
                if (m->value->type != RES_STR)
                        return false;
                const char *have = res_get_str(labels, m->key, NULL);
                if (!have && !strcmp(m->key, "kubernetes.io/hostname"))
                        have = node;
                if (!have && !strcmp(m->key, "kubernetes.io/os"))
                        have = "linux";
                if (!have || strcmp(have, m->value->u.s))
                        return false;
        }
        return true;
}

static void
run_daemonset(const res_value *obj, const eng_pods *current, const eng_node_info *nodes,
              size_t n_nodes, eng_pods *out, int64_t now, const char *salt)
{
        const res_value *meta = res_map_get(obj, "metadata");
        const char *ns = res_get_str(meta, "namespace", "default");
        const char *name = res_get_str(meta, "name", "");
        const res_value *tmpl = res_get(obj, "spec", "template", NULL);
        const res_value *sel = res_get(tmpl, "spec", "nodeSelector", NULL);
        char th[11];
        template_hash(tmpl, th);
        _cleanup_free_ char *controller = xasprintf("DaemonSet/%s", name);
        for (size_t i = 0; i < n_nodes; i++) {
                if (!selector_matches(sel, nodes[i].labels, nodes[i].name))
                        continue;
                _cleanup_free_ char *key = xasprintf("%s/%s", name, nodes[i].name);
                char sfx[6];
                eng_safe_encode(hash64(key), sfx, 5);
                _cleanup_free_ char *pname = xasprintf("%s-%s", name, sfx);
                _cleanup_free_ char *ukey = xasprintf("%s/%s/%s", ns, pname, th);
                res_value *pod = pod_from_template(tmpl, ns, pname, "", "DaemonSet", name,
                                                   "controller-revision-hash", th);
                res_map_set(res_map_get(pod, "spec"), "nodeName", res_str_new(nodes[i].name));
                add_pod(out, current, pod, ns, pname, ukey, salt, "DaemonSet", name, controller, th,
                        now);
        }
}

static void
run_pod(const res_value *obj, const eng_pods *current, eng_pods *out, int64_t now, const char *salt)
{
        const res_value *meta = res_map_get(obj, "metadata");
        const char *ns = res_get_str(meta, "namespace", "default");
        const char *name = res_get_str(meta, "name", "");
        _cleanup_free_ char *json = canonical(obj);
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_hex(json, strlen(json), hex);
        _cleanup_free_ char *key = xasprintf("%s/%s/%s", ns, name, hex);
        res_value *pod = res_value_clone(obj);
        res_map_set(res_map_get(pod, "metadata"), "uid", res_str_new(""));
        _cleanup_free_ char *controller = xasprintf("Pod/%s", name);
        add_pod(out, current, pod, ns, name, key, salt, "", "", controller, "", now);
}

/* Places every pod without a node; a pod keeps the node it has. */
static void
schedule(eng_pods *out, const eng_node_info *nodes, size_t n_nodes)
{
        for (size_t i = 0; i < out->n; i++) {
                eng_pod *p = &out->items[i];
                const res_value *spec = res_map_get(p->obj, "spec");
                if (*p->node) {
                        bool known = false;
                        for (size_t k = 0; k < n_nodes; k++)
                                known |= !strcmp(nodes[k].name, p->node);
                        if (!known && res_get_str(spec, "nodeName", NULL) == NULL) {
                                free(p->node);
                                p->node = xstrdup("");
                        } else {
                                continue;
                        }
                }
                const res_value *sel = res_map_get(spec, "nodeSelector");
                size_t best = SIZE_MAX, best_load = SIZE_MAX;
                for (size_t k = 0; k < n_nodes; k++) {
                        if (!selector_matches(sel, nodes[k].labels, nodes[k].name))
                                continue;
                        size_t load = 0;
                        for (size_t j = 0; j < out->n; j++)
                                load += !strcmp(out->items[j].node, nodes[k].name);
                        if (load < best_load) {
                                best = k;
                                best_load = load;
                        }
                }
                if (best != SIZE_MAX) {
                        free(p->node);
                        p->node = xstrdup(nodes[best].name);
                        res_map_set(res_map_get(p->obj, "spec"), "nodeName",
                                    res_str_new(nodes[best].name));
                        res_value_sort(p->obj);
                }
        }
}

/* Pods that no controller wants any more are deleted gracefully, as the
 * API server does it: they stay, with metadata.deletionTimestamp and
 * deletionGracePeriodSeconds set, while their node stops them, and go once
 * the node reports them removed (eng_node_status_apply). A pod never
 * scheduled, or whose containers have all ended, goes at once; one whose
 * node stays silent goes after its grace period and a margin. */
static void
keep_terminating(const eng_pods *current, eng_pods *out, int64_t now)
{
        for (size_t i = 0; i < current->n; i++) {
                const eng_pod *p = &current->items[i];
                if (eng_pods_find_uid(out, p->uid) || !*p->node || p->terminated)
                        continue;
                res_value *meta = res_map_get(p->obj, "metadata");
                if (eng_pod_terminating(p)) {
                        int64_t since =
                            tm_parse_rfc3339(res_get_str(meta, "deletionTimestamp", ""));
                        int64_t grace = res_get_int(meta, "deletionGracePeriodSeconds", 30);
                        if (since < 0 || now > since + grace + ENG_TERMINATING_MARGIN_S)
                                continue;
                        eng_pods_add_copy(out, p);
                        continue;
                }
                eng_pods_add_copy(out, p);
                res_value *m = res_map_get(out->items[out->n - 1].obj, "metadata");
                if (!m || m->type != RES_MAP)
                        continue;
                char ts[32];
                tm_format_rfc3339(now, ts, sizeof(ts));
                int64_t grace =
                    res_get_int(res_map_get(p->obj, "spec"), "terminationGracePeriodSeconds", 30);
                res_map_set(m, "deletionTimestamp", res_str_new(ts));
                res_map_set(m, "deletionGracePeriodSeconds", res_int_new(grace));
                res_value_sort(out->items[out->n - 1].obj);
        }
}

int
eng_controllers_run(const res_value *const *objs, size_t n_objs, const eng_pods *current,
                    const eng_node_info *nodes, size_t n_nodes, const char *salt, eng_pods *out,
                    tm_error *err)
{
        int64_t now = tm_wall_s();
        for (size_t i = 0; i < n_objs; i++) {
                const res_value *o = objs[i];
                const char *kind = res_get_str(o, "kind", "");
                const char *api = res_get_str(o, "apiVersion", "");
                if (!strcmp(kind, "Pod") && !strcmp(api, "v1"))
                        run_pod(o, current, out, now, salt);
                else if (!strcmp(kind, "Deployment") && !strcmp(api, "apps/v1"))
                        run_deployment(o, current, out, now, salt);
                else if (!strcmp(kind, "ReplicaSet") && !strcmp(api, "apps/v1"))
                        run_replicaset(o, current, out, now, salt);
                else if (!strcmp(kind, "DaemonSet") && !strcmp(api, "apps/v1"))
                        run_daemonset(o, current, nodes, n_nodes, out, now, salt);
        }
        /* Two controllers must not claim one pod name. */
        for (size_t i = 0; i < out->n; i++) {
                const eng_pod *p = &out->items[i];
                const eng_pod *q = find_name(out, p->ns, p->name);
                if (q != p && strcmp(q->uid, p->uid) != 0 &&
                    !(strcmp(q->controller, p->controller) == 0))
                        return tm_error_set(err, -EEXIST,
                                            "pod \"%s/%s\" is claimed by %s and by %s", p->ns,
                                            p->name, q->controller, p->controller);
        }
        keep_terminating(current, out, now);
        schedule(out, nodes, n_nodes);
        return 0;
}
