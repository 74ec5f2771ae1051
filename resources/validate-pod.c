/* Semantic checks of a pod spec (k8s.io/kubernetes pkg/apis/core/validation):
 * containers, ports, env, resources, probes, volumes and mounts. */
#include <arpa/inet.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"
#include "resources/names.h"
#include "resources/object-internal.h"
#include "resources/quantity.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const res_value *
get(const res_value *m, const char *k)
{
        return res_map_get(m, k);
}

static const char *
str(const res_value *m, const char *k)
{
        const res_value *v = get(m, k);
        return v && v->type == RES_STR ? v->u.s : NULL;
}

static size_t
seq_n(const res_value *v)
{
        return v && v->type == RES_SEQ ? v->n : 0;
}

/* An int-or-string port: 1-65535, or an IANA service name. */
static void
check_port_ref(res_vctx *c, const res_value *m, const char *key, bool required)
{
        const res_value *v = get(m, key);
        if (!v) {
                if (required)
                        res_vc_required(c, key, m, NULL);
                return;
        }
        if (v->type == RES_INT) {
                if (v->u.i < 1 || v->u.i > 65535)
                        res_vc_invalid(c, key, v, "must be between 1 and 65535, inclusive");
        } else if (v->type == RES_STR) {
                const char *msg = res_check_iana_svc_name(v->u.s);
                if (msg)
                        res_vc_invalid(c, key, v, "%s", msg);
        }
}

static void
check_handler(res_vctx *c, const res_value *h, bool probe)
{
        static const char *const kinds[] = {"exec", "httpGet", "tcpSocket", "grpc", "sleep"};
        int n = 0;
        for (size_t i = 0; i < TM_ARRAY_SIZE(kinds); i++) {
                const res_value *v = get(h, kinds[i]);
                if (!v)
                        continue;
                if (++n > 1) {
                        size_t old = res_vc_push(c, kinds[i]);
                        res_vc_err(c, v->line, v->col,
                                   "Forbidden: may not specify more than 1 handler type");
                        res_vc_pop(c, old);
                }
        }
        if (n == 0)
                res_vc_err(c, h->line, h->col, "Required value: must specify a handler type");
        const res_value *hg = get(h, "httpGet");
        if (hg) {
                size_t old = res_vc_push(c, "httpGet");
                check_port_ref(c, hg, "port", true);
                res_vc_enum(c, hg, "scheme", L("HTTP", "HTTPS"));
                res_vc_pop(c, old);
        }
        const res_value *tcp = get(h, "tcpSocket");
        if (tcp) {
                size_t old = res_vc_push(c, "tcpSocket");
                check_port_ref(c, tcp, "port", true);
                res_vc_pop(c, old);
        }
        const res_value *ex = get(h, "exec");
        if (ex && seq_n(get(ex, "command")) == 0)
                res_vc_err_key(c, "exec.command", ex->line, ex->col, "Required value");
        if (probe) {
                res_vc_range(c, h, "initialDelaySeconds", 0, INT32_MAX);
                res_vc_range(c, h, "timeoutSeconds", 0, INT32_MAX);
                res_vc_range(c, h, "periodSeconds", 0, INT32_MAX);
                res_vc_range(c, h, "successThreshold", 0, INT32_MAX);
                res_vc_range(c, h, "failureThreshold", 0, INT32_MAX);
        }
}

static void
check_probe(res_vctx *c, const res_value *ctr, const char *key, bool one_success)
{
        const res_value *p = get(ctr, key);
        if (!p)
                return;
        size_t old = res_vc_push(c, key);
        check_handler(c, p, true);
        const res_value *st = get(p, "successThreshold");
        if (one_success && st && st->type == RES_INT && st->u.i != 1)
                res_vc_invalid(c, "successThreshold", st, "must be 1");
        res_vc_pop(c, old);
}

static bool
standard_resource(const char *name)
{
        if (strcmp(name, "cpu") == 0 || strcmp(name, "memory") == 0 ||
            strcmp(name, "ephemeral-storage") == 0 || strncmp(name, "hugepages-", 10) == 0 ||
            strcmp(name, "storage") == 0)
                return true;
        /* Extended resources need a domain: example.com/gpu. */
        return strchr(name, '/') && !res_check_qualified_name(name);
}

static void
check_resources(res_vctx *c, const res_value *r)
{
        const res_value *lim = get(r, "limits"), *req = get(r, "requests");
        const res_value *maps[2] = {lim, req};
        const char *names[2] = {"limits", "requests"};
        for (int k = 0; k < 2; k++) {
                if (!maps[k])
                        continue;
                size_t old = res_vc_push(c, names[k]);
                for (uint32_t i = 0; i < maps[k]->n; i++) {
                        const res_member *m = &maps[k]->u.members[i];
                        size_t o2 = res_vc_push_mapkey(c, m->key);
                        if (!standard_resource(m->key))
                                res_vc_err(c, m->line, m->col,
                                           "Invalid value: \"%.64s\": must be a standard resource "
                                           "type or fully qualified",
                                           m->key);
                        res_quantity q;
                        if (m->value->type == RES_STR && m->value->u.s[0] == '-' &&
                            res_quantity_parse(m->value->u.s, &q) == 0 &&
                            res_quantity_is_negative(&q))
                                res_vc_invalid(c, NULL, m->value,
                                               "must be greater than or equal to 0");
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
        if (!lim || !req)
                return;
        for (uint32_t i = 0; i < req->n; i++) {
                const res_member *m = &req->u.members[i];
                const res_value *l = get(lim, m->key);
                res_quantity qr, ql;
                if (!l || l->type != RES_STR || m->value->type != RES_STR ||
                    res_quantity_parse(m->value->u.s, &qr) < 0 ||
                    res_quantity_parse(l->u.s, &ql) < 0)
                        continue;
                if (res_quantity_cmp(&qr, &ql) > 0) {
                        size_t old = res_vc_push(c, "requests");
                        size_t o2 = res_vc_push_mapkey(c, m->key);
                        res_vc_invalid(c, NULL, m->value,
                                       "must be less than or equal to %.64s limit of %s", m->key,
                                       l->u.s);
                        res_vc_pop(c, o2);
                        res_vc_pop(c, old);
                }
        }
}

static const char *const resource_fields[] = {"limits.cpu",
                                              "limits.ephemeral-storage",
                                              "limits.memory",
                                              "requests.cpu",
                                              "requests.ephemeral-storage",
                                              "requests.memory",
                                              NULL};

/* The downward API's fields: env vars may name more than volume files. */
static void
check_field_path(res_vctx *c, const res_value *fr, bool env)
{
        static const char *const env_paths[] = {"metadata.name",
                                                "metadata.namespace",
                                                "metadata.uid",
                                                "spec.nodeName",
                                                "spec.serviceAccountName",
                                                "status.hostIP",
                                                "status.hostIPs",
                                                "status.podIP",
                                                "status.podIPs",
                                                NULL};
        static const char *const vol_paths[] = {"metadata.annotations", "metadata.labels",
                                                "metadata.name",        "metadata.namespace",
                                                "metadata.uid",         NULL};
        const res_value *v = get(fr, "fieldPath");
        if (!v || v->type != RES_STR)
                return;
        const char *p = v->u.s;
        /* metadata.labels['key'] and metadata.annotations['key'] */
        if ((tm_str_has_prefix(p, "metadata.labels['") ||
             tm_str_has_prefix(p, "metadata.annotations['")) &&
            tm_str_has_suffix(p, "']"))
                return;
        const char *const *ok = env ? env_paths : vol_paths;
        for (size_t i = 0; ok[i]; i++)
                if (strcmp(p, ok[i]) == 0)
                        return;
        size_t old = res_vc_push(c, "fieldRef");
        res_vc_unsupported(c, "fieldPath", v, ok);
        res_vc_pop(c, old);
}

static void
check_env(res_vctx *c, const res_value *env)
{
        for (uint32_t i = 0; i < seq_n(env); i++) {
                const res_value *e = env->u.items[i];
                size_t old = res_vc_push_index(c, i);
                res_vc_name(c, e, "name", res_check_env_var_name, true);
                const res_value *vf = get(e, "valueFrom");
                if (vf) {
                        const char *val = str(e, "value");
                        if (val && *val)
                                res_vc_err_key(c, "valueFrom", vf->line, vf->col,
                                               "Invalid value: \"\": may not be specified when "
                                               "`value` is not empty");
                        int n = 0;
                        static const char *const src[] = {"fieldRef", "resourceFieldRef",
                                                          "configMapKeyRef", "secretKeyRef"};
                        for (size_t k = 0; k < 4; k++)
                                n += get(vf, src[k]) != NULL;
                        size_t o2 = res_vc_push(c, "valueFrom");
                        if (n != 1)
                                res_vc_err(c, vf->line, vf->col,
                                           "Invalid value: \"\": must specify exactly one of: "
                                           "`fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
                                           "or `secretKeyRef`");
                        for (size_t k = 2; k < 4; k++) {
                                const res_value *ref = get(vf, src[k]);
                                if (!ref)
                                        continue;
                                size_t o3 = res_vc_push(c, src[k]);
                                res_vc_name(c, ref, "key", res_check_config_key, true);
                                res_vc_name(c, ref, "name", res_check_dns1123_subdomain, true);
                                res_vc_pop(c, o3);
                        }
                        const res_value *fr = get(vf, "fieldRef");
                        if (fr && !str(fr, "fieldPath"))
                                res_vc_required(c, "fieldRef.fieldPath", fr, NULL);
                        else if (fr)
                                check_field_path(c, fr, true);
                        const res_value *rr = get(vf, "resourceFieldRef");
                        if (rr && !str(rr, "resource"))
                                res_vc_required(c, "resourceFieldRef.resource", rr, NULL);
                        else if (rr) {
                                size_t o3 = res_vc_push(c, "resourceFieldRef");
                                res_vc_enum(c, rr, "resource", resource_fields);
                                res_vc_pop(c, o3);
                        }
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
}

static void
check_ports(res_vctx *c, const res_value *ports)
{
        for (uint32_t i = 0; i < seq_n(ports); i++) {
                const res_value *p = ports->u.items[i];
                size_t old = res_vc_push_index(c, i);
                if (!get(p, "containerPort"))
                        res_vc_required(c, "containerPort", p, NULL);
                res_vc_range(c, p, "containerPort", 1, 65535);
                const res_value *hp = get(p, "hostPort");
                if (hp && hp->type == RES_INT && hp->u.i != 0)
                        res_vc_range(c, p, "hostPort", 1, 65535);
                res_vc_enum(c, p, "protocol", L("SCTP", "TCP", "UDP"));
                if (str(p, "name")) {
                        res_vc_name(c, p, "name", res_check_iana_svc_name, false);
                        for (uint32_t j = 0; j < i; j++)
                                if (tm_streq(str(ports->u.items[j], "name"), str(p, "name"))) {
                                        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                                        res_vc_fmt_value(get(p, "name"), &b);
                                        res_vc_err_key(c, "name", get(p, "name")->line,
                                                       get(p, "name")->col, "Duplicate value: %s",
                                                       b.data);
                                        break;
                                }
                }
                res_vc_pop(c, old);
        }
}

static bool
has_volume(const res_value *vols, const char *name)
{
        for (uint32_t i = 0; i < seq_n(vols); i++) {
                const char *n = str(vols->u.items[i], "name");
                if (n && strcmp(n, name) == 0)
                        return true;
        }
        return false;
}

static void
check_container(res_vctx *c, const res_value *ctr, const res_value *vols, bool init)
{
        res_vc_name(c, ctr, "name", res_check_dns1123_label, true);
        const res_value *img = get(ctr, "image");
        if (!img || img->type != RES_STR || img->n == 0)
                res_vc_required(c, "image", img ? img : ctr, NULL);
        res_vc_enum(c, ctr, "imagePullPolicy", L("Always", "IfNotPresent", "Never"));
        res_vc_enum(c, ctr, "terminationMessagePolicy", L("File", "FallbackToLogsOnError"));
        if (init)
                res_vc_enum(c, ctr, "restartPolicy", L("Always"));
        else if (get(ctr, "restartPolicy"))
                res_vc_err_key(c, "restartPolicy", get(ctr, "restartPolicy")->line,
                               get(ctr, "restartPolicy")->col,
                               "Forbidden: may not be set for non-init containers");
        size_t old = res_vc_push(c, "ports");
        check_ports(c, get(ctr, "ports"));
        res_vc_pop(c, old);
        old = res_vc_push(c, "env");
        check_env(c, get(ctr, "env"));
        res_vc_pop(c, old);
        const res_value *ef = get(ctr, "envFrom");
        for (uint32_t i = 0; i < seq_n(ef); i++) {
                const res_value *e = ef->u.items[i];
                old = res_vc_push(c, "envFrom");
                size_t o2 = res_vc_push_index(c, i);
                int n = (get(e, "configMapRef") != NULL) + (get(e, "secretRef") != NULL);
                if (n != 1)
                        res_vc_err(c, e->line, e->col,
                                   "Invalid value: \"\": must specify one of: `configMapRef` or "
                                   "`secretRef`");
                const char *prefix = str(e, "prefix");
                if (prefix && *prefix && res_check_env_var_name(prefix))
                        res_vc_invalid(c, "prefix", get(e, "prefix"), "%s",
                                       res_check_env_var_name(prefix));
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
        const res_value *res = get(ctr, "resources");
        if (res) {
                old = res_vc_push(c, "resources");
                check_resources(c, res);
                res_vc_pop(c, old);
        }
        const res_value *vm = get(ctr, "volumeMounts");
        for (uint32_t i = 0; i < seq_n(vm); i++) {
                const res_value *m = vm->u.items[i];
                old = res_vc_push(c, "volumeMounts");
                size_t o2 = res_vc_push_index(c, i);
                const res_value *n = get(m, "name");
                if (!n || n->type != RES_STR || !n->n)
                        res_vc_required(c, "name", m, NULL);
                else if (!has_volume(vols, n->u.s)) {
                        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                        res_vc_fmt_value(n, &b);
                        res_vc_err_key(c, "name", n->line, n->col, "Not found: %s", b.data);
                }
                const char *mp = str(m, "mountPath");
                if (!mp || !*mp)
                        res_vc_required(c, "mountPath", m, NULL);
                for (uint32_t j = 0; mp && j < i; j++) {
                        const char *o = str(vm->u.items[j], "mountPath");
                        if (o && strcmp(o, mp) == 0) {
                                res_vc_invalid(c, "mountPath", get(m, "mountPath"),
                                               "must be unique");
                                break;
                        }
                }
                const char *sp = str(m, "subPath");
                if (sp && *sp && res_check_path_segment(sp))
                        res_vc_invalid(c, "subPath", get(m, "subPath"), "%s",
                                       res_check_path_segment(sp));
                res_vc_enum(c, m, "mountPropagation",
                            L("Bidirectional", "HostToContainer", "None"));
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
        bool sidecar = init && str(ctr, "restartPolicy");
        if (!init || sidecar) {
                check_probe(c, ctr, "livenessProbe", true);
                check_probe(c, ctr, "readinessProbe", false);
                check_probe(c, ctr, "startupProbe", true);
        } else {
                static const char *const probes[] = {"livenessProbe", "readinessProbe",
                                                     "startupProbe"};
                for (size_t k = 0; k < 3; k++) {
                        const res_value *p = get(ctr, probes[k]);
                        if (p)
                                res_vc_err_key(c, probes[k], p->line, p->col,
                                               "Forbidden: may not be set for init containers "
                                               "without restartPolicy=Always");
                }
        }
        const res_value *lc = get(ctr, "lifecycle");
        if (lc) {
                static const char *const hooks[] = {"postStart", "preStop"};
                for (size_t k = 0; k < 2; k++) {
                        const res_value *h = get(lc, hooks[k]);
                        if (!h)
                                continue;
                        old = res_vc_push(c, "lifecycle");
                        size_t o2 = res_vc_push(c, hooks[k]);
                        check_handler(c, h, false);
                        res_vc_pop(c, o2);
                        res_vc_pop(c, old);
                }
        }
}

static void
check_mode(res_vctx *c, const res_value *m, const char *key)
{
        const res_value *v = get(m, key);
        if (v && v->type == RES_INT && (v->u.i < 0 || v->u.i > 0777))
                res_vc_invalid(c, key, v,
                               "must be a number between 0 and 0777 (octal), both inclusive");
}

static void
check_items(res_vctx *c, const res_value *src)
{
        const res_value *items = get(src, "items");
        for (uint32_t i = 0; i < seq_n(items); i++) {
                const res_value *it = items->u.items[i];
                size_t old = res_vc_push(c, "items");
                size_t o2 = res_vc_push_index(c, i);
                if (!get(it, "fieldRef") && !get(it, "resourceFieldRef"))
                        res_vc_name(c, it, "key", res_check_config_key, true);
                if (get(it, "fieldRef"))
                        check_field_path(c, get(it, "fieldRef"), false);
                res_vc_name(c, it, "path", res_check_path_segment, true);
                check_mode(c, it, "mode");
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
}

static void
check_volume(res_vctx *c, const res_value *v)
{
        static const char *const srcs[] = {
            "hostPath",    "emptyDir",  "secret", "configMap", "persistentVolumeClaim",
            "downwardAPI", "projected", "nfs",    "csi",       "image"};
        res_vc_name(c, v, "name", res_check_dns1123_label, true);
        int n = 0;
        for (size_t i = 0; i < TM_ARRAY_SIZE(srcs); i++) {
                const res_value *s = get(v, srcs[i]);
                if (s && ++n > 1)
                        res_vc_err_key(c, srcs[i], s->line, s->col,
                                       "Forbidden: may not specify more than 1 volume type");
        }
        const res_value *s;
        if ((s = get(v, "hostPath"))) {
                size_t old = res_vc_push(c, "hostPath");
                if (!str(s, "path") || !*str(s, "path"))
                        res_vc_required(c, "path", s, NULL);
                res_vc_enum(c, s, "type",
                            L("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate",
                              "File", "FileOrCreate", "Socket"));
                res_vc_pop(c, old);
        }
        if ((s = get(v, "emptyDir"))) {
                size_t old = res_vc_push(c, "emptyDir");
                res_vc_enum(c, s, "medium", L("", "Memory", "HugePages"));
                res_vc_pop(c, old);
        }
        if ((s = get(v, "secret"))) {
                size_t old = res_vc_push(c, "secret");
                res_vc_name(c, s, "secretName", res_check_dns1123_subdomain, true);
                check_mode(c, s, "defaultMode");
                check_items(c, s);
                res_vc_pop(c, old);
        }
        if ((s = get(v, "configMap"))) {
                size_t old = res_vc_push(c, "configMap");
                res_vc_name(c, s, "name", res_check_dns1123_subdomain, true);
                check_mode(c, s, "defaultMode");
                check_items(c, s);
                res_vc_pop(c, old);
        }
        if ((s = get(v, "persistentVolumeClaim"))) {
                size_t old = res_vc_push(c, "persistentVolumeClaim");
                res_vc_name(c, s, "claimName", res_check_dns1123_subdomain, true);
                res_vc_pop(c, old);
        }
        if ((s = get(v, "downwardAPI"))) {
                size_t old = res_vc_push(c, "downwardAPI");
                check_mode(c, s, "defaultMode");
                check_items(c, s);
                res_vc_pop(c, old);
        }
        if ((s = get(v, "projected"))) {
                size_t old = res_vc_push(c, "projected");
                check_mode(c, s, "defaultMode");
                const res_value *ss = get(s, "sources");
                for (uint32_t i = 0; i < seq_n(ss); i++) {
                        size_t o2 = res_vc_push(c, "sources");
                        size_t o3 = res_vc_push_index(c, i);
                        static const char *const ps[] = {"secret", "configMap", "downwardAPI",
                                                         "serviceAccountToken"};
                        for (size_t k = 0; k < 4; k++) {
                                const res_value *p = get(ss->u.items[i], ps[k]);
                                if (!p)
                                        continue;
                                size_t o4 = res_vc_push(c, ps[k]);
                                if (k < 3)
                                        check_items(c, p);
                                else if (!str(p, "path"))
                                        res_vc_required(c, "path", p, NULL);
                                res_vc_pop(c, o4);
                        }
                        res_vc_pop(c, o3);
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
}

static void
check_unique_names(res_vctx *c, const res_value *list, const char *field, size_t first,
                   const res_value *prev)
{
        /* Duplicate names, also against an earlier list (initContainers). */
        for (uint32_t i = 0; i < seq_n(list); i++) {
                const res_value *n = get(list->u.items[i], field);
                if (!n || n->type != RES_STR)
                        continue;
                bool dup = false;
                for (uint32_t j = 0; j < i && !dup; j++) {
                        const char *o = str(list->u.items[j], field);
                        dup = o && strcmp(o, n->u.s) == 0;
                }
                for (uint32_t j = 0; j < seq_n(prev) && !dup; j++) {
                        const char *o = str(prev->u.items[j], field);
                        dup = o && strcmp(o, n->u.s) == 0;
                }
                if (dup) {
                        size_t old = res_vc_push_index(c, first + i);
                        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                        res_vc_fmt_value(n, &b);
                        res_vc_err_key(c, field, n->line, n->col, "Duplicate value: %s", b.data);
                        res_vc_pop(c, old);
                }
        }
}

static void
check_containers(res_vctx *c, const res_value *spec, const char *key, const res_value *prev)
{
        const res_value *list = get(spec, key);
        const res_value *vols = get(spec, "volumes");
        size_t old = res_vc_push(c, key);
        for (uint32_t i = 0; i < seq_n(list); i++) {
                size_t o2 = res_vc_push_index(c, i);
                check_container(c, list->u.items[i], vols, strcmp(key, "initContainers") == 0);
                res_vc_pop(c, o2);
        }
        check_unique_names(c, list, "name", 0, prev);
        res_vc_pop(c, old);
}

void
res_validate_pod_spec(res_vctx *c, const res_value *spec, bool template)
{
        res_validate_pod_scheduling(c, spec);
        const res_value *ctrs = get(spec, "containers");
        if (seq_n(ctrs) == 0)
                res_vc_required(c, "containers", ctrs ? ctrs : spec, NULL);
        const res_value *vols = get(spec, "volumes");
        size_t old = res_vc_push(c, "volumes");
        for (uint32_t i = 0; i < seq_n(vols); i++) {
                size_t o2 = res_vc_push_index(c, i);
                check_volume(c, vols->u.items[i]);
                res_vc_pop(c, o2);
        }
        check_unique_names(c, vols, "name", 0, NULL);
        res_vc_pop(c, old);
        check_containers(c, spec, "initContainers", NULL);
        check_containers(c, spec, "containers", get(spec, "initContainers"));
        if (template)
                res_vc_enum(c, spec, "restartPolicy", L("Always"));
        else
                res_vc_enum(c, spec, "restartPolicy", L("Always", "Never", "OnFailure"));
        if (res_vc_enum(c, spec, "dnsPolicy",
                        L("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")) &&
            tm_streq(str(spec, "dnsPolicy"), "None") && !get(spec, "dnsConfig"))
                res_vc_required(c, "dnsConfig", spec,
                                "must provide `dnsConfig` when `dnsPolicy` is None");
        res_vc_range(c, spec, "terminationGracePeriodSeconds", 0, INT64_MAX);
        res_vc_range(c, spec, "activeDeadlineSeconds", 1, INT32_MAX);
        const res_value *ns = get(spec, "nodeSelector");
        if (ns) {
                old = res_vc_push(c, "nodeSelector");
                for (uint32_t i = 0; i < ns->n; i++) {
                        const res_member *m = &ns->u.members[i];
                        const char *msg = res_check_qualified_name(m->key);
                        if (msg)
                                res_vc_err(c, m->line, m->col, "Invalid value: \"%.64s\": %s",
                                           m->key, msg);
                        if (m->value->type == RES_STR &&
                            (msg = res_check_label_value(m->value->u.s)))
                                res_vc_invalid(c, NULL, m->value, "%s", msg);
                }
                res_vc_pop(c, old);
        }
        if (str(spec, "hostname"))
                res_vc_name(c, spec, "hostname", res_check_dns1123_label, false);
        if (str(spec, "subdomain"))
                res_vc_name(c, spec, "subdomain", res_check_dns1123_label, false);
        if (str(spec, "serviceAccountName"))
                res_vc_name(c, spec, "serviceAccountName", res_check_dns1123_subdomain, false);
        if (str(spec, "nodeName"))
                res_vc_name(c, spec, "nodeName", res_check_dns1123_subdomain, false);
        const res_value *tol = get(spec, "tolerations");
        for (uint32_t i = 0; i < seq_n(tol); i++) {
                const res_value *t = tol->u.items[i];
                old = res_vc_push(c, "tolerations");
                size_t o2 = res_vc_push_index(c, i);
                res_vc_enum(c, t, "operator", L("Equal", "Exists"));
                res_vc_enum(c, t, "effect", L("NoSchedule", "PreferNoSchedule", "NoExecute"));
                const char *v = str(t, "value");
                if (tm_streq(str(t, "operator"), "Exists") && v && *v)
                        res_vc_invalid(c, "operator", get(t, "operator"),
                                       "value must be empty when `operator` is 'Exists'");
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
        const res_value *ha = get(spec, "hostAliases");
        for (uint32_t i = 0; i < seq_n(ha); i++) {
                const res_value *ip = get(ha->u.items[i], "ip");
                unsigned char buf[16];
                if (ip && ip->type == RES_STR && inet_pton(AF_INET, ip->u.s, buf) != 1 &&
                    inet_pton(AF_INET6, ip->u.s, buf) != 1) {
                        old = res_vc_push(c, "hostAliases");
                        size_t o2 = res_vc_push_index(c, i);
                        res_vc_invalid(c, "ip", ip, "must be a valid IP address");
                        res_vc_pop(c, o2);
                        res_vc_pop(c, old);
                }
        }
        const res_value *ips = get(spec, "imagePullSecrets");
        for (uint32_t i = 0; i < seq_n(ips); i++) {
                old = res_vc_push(c, "imagePullSecrets");
                size_t o2 = res_vc_push_index(c, i);
                res_vc_name(c, ips->u.items[i], "name", res_check_dns1123_subdomain, true);
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
}
