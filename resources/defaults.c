/* The API server's defaults (pkg/apis/{core,apps,storage}/v1/defaults.go),
 * applied to a validated tree. Every filled-in node carries RES_F_DEFAULT. */
#include <string.h>

#include "common/mem.h"
#include "resources/object-internal.h"
#include "resources/value-internal.h"

static res_value *
mark(res_value *v)
{
        v->flags |= RES_F_DEFAULT;
        return v;
}

static bool
absent(const res_value *m, const char *key)
{
        const res_value *v = res_map_get(m, key);
        return !v || v->type == RES_NULL;
}

static void
def_str(res_arena *a, res_value *m, const char *key, const char *val)
{
        if (m && absent(m, key))
                res_map_set_in(a, m, key, mark(res_str_new_in(a, val)));
}

static void
def_int(res_arena *a, res_value *m, const char *key, int64_t val)
{
        if (m && absent(m, key))
                res_map_set_in(a, m, key, mark(res_int_new_in(a, val)));
}

static res_value *
def_map(res_arena *a, res_value *m, const char *key)
{
        return m ? res_map_ensure_map_in(a, m, key) : NULL;
}

static res_value *
seq(res_value *m, const char *key)
{
        res_value *v = res_map_get(m, key);
        return v && v->type == RES_SEQ ? v : NULL;
}

/* The tag "latest", or no tag and no digest (which means latest), pulls
 * Always; anything else IfNotPresent. */
static const char *
pull_policy(const char *image)
{
        const char *at = strchr(image, '@');
        size_t n = at ? (size_t)(at - image) : strlen(image);
        const char *slash = memrchr(image, '/', n);
        const char *from = slash ? slash + 1 : image;
        const char *colon = memchr(from, ':', n - (size_t)(from - image));
        if (!colon)
                return at ? "IfNotPresent" : "Always";
        size_t tl = n - (size_t)(colon + 1 - image);
        return tl == 6 && memcmp(colon + 1, "latest", 6) == 0 ? "Always" : "IfNotPresent";
}

static void
default_probe(res_arena *a, res_value *p)
{
        if (!p)
                return;
        def_int(a, p, "timeoutSeconds", 1);
        def_int(a, p, "periodSeconds", 10);
        def_int(a, p, "successThreshold", 1);
        def_int(a, p, "failureThreshold", 3);
}

static void
default_handler(res_arena *a, res_value *h)
{
        res_value *hg = res_map_get(h, "httpGet");
        if (hg && hg->type == RES_MAP) {
                def_str(a, hg, "path", "/");
                def_str(a, hg, "scheme", "HTTP");
        }
}

/* pod: a Pod itself rather than a template; some defaults are the Pod's
 * alone (SetDefaults_Pod): requests from limits, host ports on the host
 * network, enableServiceLinks. */
static void
default_container(res_arena *a, res_value *ctr, bool host_network, bool pod)
{
        const char *image = res_get_str(ctr, "image", "");
        def_str(a, ctr, "imagePullPolicy", pull_policy(image));
        def_str(a, ctr, "terminationMessagePath", "/dev/termination-log");
        def_str(a, ctr, "terminationMessagePolicy", "File");
        res_value *ports = seq(ctr, "ports");
        for (uint32_t i = 0; ports && i < ports->n; i++) {
                res_value *p = ports->u.items[i];
                def_str(a, p, "protocol", "TCP");
                if (pod && host_network && absent(p, "hostPort")) {
                        const res_value *cp = res_map_get(p, "containerPort");
                        if (cp && cp->type == RES_INT)
                                def_int(a, p, "hostPort", cp->u.i);
                }
        }
        static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
        for (size_t i = 0; i < 3; i++) {
                res_value *p = res_map_get(ctr, probes[i]);
                if (p && p->type == RES_MAP) {
                        default_probe(a, p);
                        default_handler(a, p);
                }
        }
        res_value *lc = res_map_get(ctr, "lifecycle");
        if (lc && lc->type == RES_MAP) {
                default_handler(a, res_map_get(lc, "postStart"));
                default_handler(a, res_map_get(lc, "preStop"));
        }
        res_value *env = seq(ctr, "env");
        for (uint32_t i = 0; env && i < env->n; i++) {
                res_value *fr = res_get(env->u.items[i], "valueFrom", "fieldRef", NULL);
                if (fr && fr->type == RES_MAP)
                        def_str(a, fr, "apiVersion", "v1");
        }
        if (!pod)
                return;
        /* Limits without requests: the requests default to the limits. */
        res_value *res = res_map_get(ctr, "resources");
        res_value *lim = res_map_get(res, "limits");
        if (lim && lim->type == RES_MAP && lim->n) {
                res_value *req = res_map_ensure_map_in(a, res, "requests");
                for (uint32_t i = 0; req && i < lim->n; i++)
                        if (absent(req, lim->u.members[i].key))
                                res_map_set_in(a, req, lim->u.members[i].key,
                                               mark(res_value_clone(lim->u.members[i].value)));
        }
}

static void
default_volume(res_arena *a, res_value *v)
{
        static const char *const srcs[] = {
            "hostPath",    "emptyDir",  "secret", "configMap", "persistentVolumeClaim",
            "downwardAPI", "projected", "nfs",    "csi",       "image"};
        bool any = false;
        for (size_t i = 0; i < TM_ARRAY_SIZE(srcs); i++)
                any |= res_map_get(v, srcs[i]) != NULL;
        if (!any)
                res_map_set_in(a, v, "emptyDir", mark(res_map_new()));
        static const char *const modes[] = {"secret", "configMap", "downwardAPI", "projected"};
        for (size_t i = 0; i < 4; i++) {
                res_value *s = res_map_get(v, modes[i]);
                if (s && s->type == RES_MAP)
                        def_int(a, s, "defaultMode", 420);
        }
        res_value *hp = res_map_get(v, "hostPath");
        if (hp && hp->type == RES_MAP)
                def_str(a, hp, "type", "");
        res_value *dw = res_get(v, "downwardAPI", "items", NULL);
        for (uint32_t i = 0; dw && dw->type == RES_SEQ && i < dw->n; i++) {
                res_value *fr = res_map_get(dw->u.items[i], "fieldRef");
                if (fr && fr->type == RES_MAP)
                        def_str(a, fr, "apiVersion", "v1");
        }
        res_value *ps = res_get(v, "projected", "sources", NULL);
        for (uint32_t i = 0; ps && ps->type == RES_SEQ && i < ps->n; i++) {
                res_value *sat = res_map_get(ps->u.items[i], "serviceAccountToken");
                if (sat && sat->type == RES_MAP)
                        def_int(a, sat, "expirationSeconds", 3600);
                res_value *items = res_get(ps->u.items[i], "downwardAPI", "items", NULL);
                for (uint32_t j = 0; items && items->type == RES_SEQ && j < items->n; j++) {
                        res_value *fr = res_map_get(items->u.items[j], "fieldRef");
                        if (fr && fr->type == RES_MAP)
                                def_str(a, fr, "apiVersion", "v1");
                }
        }
}

void
res_default_pod_spec(res_arena *a, res_value *spec, bool pod)
{
        if (pod && absent(spec, "enableServiceLinks"))
                res_map_set_in(a, spec, "enableServiceLinks", mark(res_bool_new(true)));
        def_str(a, spec, "dnsPolicy", "ClusterFirst");
        def_str(a, spec, "restartPolicy", "Always");
        def_map(a, spec, "securityContext");
        def_int(a, spec, "terminationGracePeriodSeconds", 30);
        def_str(a, spec, "schedulerName", "default-scheduler");
        bool host_network = res_get_bool(spec, "hostNetwork", false);
        static const char *const lists[] = {"initContainers", "containers"};
        for (size_t k = 0; k < 2; k++) {
                res_value *cs = seq(spec, lists[k]);
                for (uint32_t i = 0; cs && i < cs->n; i++)
                        default_container(a, cs->u.items[i], host_network, pod);
        }
        res_value *vols = seq(spec, "volumes");
        for (uint32_t i = 0; vols && i < vols->n; i++)
                default_volume(a, vols->u.items[i]);
}

static void
default_template(res_arena *a, res_value *spec)
{
        res_value *tmpl = def_map(a, spec, "template");
        res_value *ps = def_map(a, tmpl, "spec");
        if (ps)
                res_default_pod_spec(a, ps, false);
}

static void
default_service(res_arena *a, res_value *spec)
{
        def_str(a, spec, "type", "ClusterIP");
        def_str(a, spec, "sessionAffinity", "None");
        const char *type = res_get_str(spec, "type", "ClusterIP");
        if (strcmp(res_get_str(spec, "sessionAffinity", ""), "ClientIP") == 0) {
                res_value *cfg = def_map(a, spec, "sessionAffinityConfig");
                res_value *cip = def_map(a, cfg, "clientIP");
                def_int(a, cip, "timeoutSeconds", 10800);
        }
        if (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0)
                def_str(a, spec, "externalTrafficPolicy", "Cluster");
        if (strcmp(type, "LoadBalancer") == 0 && absent(spec, "allocateLoadBalancerNodePorts"))
                res_map_set_in(a, spec, "allocateLoadBalancerNodePorts", mark(res_bool_new(true)));
        if (strcmp(type, "ExternalName") != 0)
                def_str(a, spec, "internalTrafficPolicy", "Cluster");
        res_value *ports = seq(spec, "ports");
        for (uint32_t i = 0; ports && i < ports->n; i++) {
                res_value *p = ports->u.items[i];
                def_str(a, p, "protocol", "TCP");
                const res_value *tp = res_map_get(p, "targetPort");
                const res_value *port = res_map_get(p, "port");
                if ((!tp || (tp->type == RES_INT && tp->u.i == 0)) && port && port->type == RES_INT)
                        res_map_set_in(a, p, "targetPort", mark(res_int_new(port->u.i)));
        }
}

/* stringData is write-only: merged into data (base64), then dropped. */
static void
merge_string_data(res_arena *a, res_value *root)
{
        res_value *sd = res_map_get(root, "stringData");
        if (!sd)
                return;
        if (sd->type == RES_MAP && sd->n) {
                res_value *data = res_map_ensure_map_in(a, root, "data");
                for (uint32_t i = 0; data && i < sd->n; i++) {
                        res_value *v = sd->u.members[i].value;
                        if (v->type != RES_STR)
                                continue;
                        size_t len;
                        char *enc = res_base64_encode((const unsigned char *)v->u.s, v->n, &len);
                        res_value *nv = res_str_take(enc, len);
                        nv->line = v->line;
                        nv->col = v->col;
                        res_map_set_in(a, data, sd->u.members[i].key, nv);
                }
        }
        res_map_del(root, "stringData");
}

void
res_apply_defaults(res_arena *a, const res_kind_info *k, res_value *root)
{
        const char *kind = k->kind;
        res_value *meta = res_map_ensure_map_in(a, root, "metadata");
        if (k->namespaced) {
                const res_value *ns = res_map_get(meta, "namespace");
                if (!ns || ns->type != RES_STR || ns->n == 0)
                        res_map_set_in(a, meta, "namespace", mark(res_str_new_in(a, "default")));
        } else {
                res_map_del(meta, "namespace");
        }
        if (strcmp(kind, "Secret") == 0) {
                merge_string_data(a, root);
                def_str(a, root, "type", "Opaque");
                return;
        }
        if (strcmp(kind, "StorageClass") == 0) {
                def_str(a, root, "reclaimPolicy", "Delete");
                def_str(a, root, "volumeBindingMode", "Immediate");
                return;
        }
        if (strcmp(kind, "ConfigMap") == 0 || strcmp(kind, "Namespace") == 0)
                return;
        res_value *spec = res_map_ensure_map_in(a, root, "spec");
        if (!spec)
                return;
        if (strcmp(kind, "Pod") == 0) {
                res_default_pod_spec(a, spec, true);
        } else if (strcmp(kind, "Deployment") == 0) {
                def_int(a, spec, "replicas", 1);
                res_value *st = def_map(a, spec, "strategy");
                def_str(a, st, "type", "RollingUpdate");
                if (st && strcmp(res_get_str(st, "type", ""), "RollingUpdate") == 0) {
                        res_value *ru = def_map(a, st, "rollingUpdate");
                        def_str(a, ru, "maxUnavailable", "25%");
                        def_str(a, ru, "maxSurge", "25%");
                }
                def_int(a, spec, "revisionHistoryLimit", 10);
                def_int(a, spec, "progressDeadlineSeconds", 600);
                default_template(a, spec);
        } else if (strcmp(kind, "ReplicaSet") == 0) {
                def_int(a, spec, "replicas", 1);
                default_template(a, spec);
        } else if (strcmp(kind, "DaemonSet") == 0) {
                res_value *st = def_map(a, spec, "updateStrategy");
                def_str(a, st, "type", "RollingUpdate");
                if (st && strcmp(res_get_str(st, "type", ""), "RollingUpdate") == 0) {
                        res_value *ru = def_map(a, st, "rollingUpdate");
                        def_int(a, ru, "maxUnavailable", 1);
                        def_int(a, ru, "maxSurge", 0);
                }
                def_int(a, spec, "revisionHistoryLimit", 10);
                default_template(a, spec);
        } else if (strcmp(kind, "Service") == 0) {
                default_service(a, spec);
        } else if (strcmp(kind, "PersistentVolume") == 0) {
                def_str(a, spec, "persistentVolumeReclaimPolicy", "Retain");
                def_str(a, spec, "volumeMode", "Filesystem");
        } else if (strcmp(kind, "PersistentVolumeClaim") == 0) {
                def_str(a, spec, "volumeMode", "Filesystem");
        }
}
