/* Semantic checks per kind (pkg/apis/{core,apps,storage}/validation):
 * metadata, workloads, Services, ConfigMaps, Secrets, volumes. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"
#include "resources/names.h"
#include "resources/object-internal.h"
#include "resources/quantity.h"
#include "resources/selector.h"

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

static bool
is(const res_kind_info *k, const char *kind)
{
        return strcmp(k->kind, kind) == 0;
}

static void
check_label_map(res_vctx *c, const res_value *m, bool values)
{
        for (uint32_t i = 0; m && i < m->n; i++) {
                const res_member *mem = &m->u.members[i];
                const char *msg = res_check_qualified_name(mem->key);
                if (msg)
                        res_vc_err(c, mem->line, mem->col, "Invalid value: \"%.64s\": %s", mem->key,
                                   msg);
                if (values && mem->value->type == RES_STR &&
                    (msg = res_check_label_value(mem->value->u.s)))
                        res_vc_invalid(c, NULL, mem->value, "%s", msg);
        }
}

void
res_validate_meta_maps(res_vctx *c, const res_value *meta)
{
        const res_value *l = get(meta, "labels");
        if (l) {
                size_t old = res_vc_push(c, "labels");
                check_label_map(c, l, true);
                res_vc_pop(c, old);
        }
        const res_value *a = get(meta, "annotations");
        if (a) {
                size_t old = res_vc_push(c, "annotations");
                size_t total = 0;
                for (uint32_t i = 0; i < a->n; i++) {
                        const res_member *m = &a->u.members[i];
                        _cleanup_free_ char *low = xstrdup(m->key);
                        for (char *p = low; *p; p++)
                                if (*p >= 'A' && *p <= 'Z')
                                        *p = (char)(*p - 'A' + 'a');
                        const char *msg = res_check_qualified_name(low);
                        if (msg)
                                res_vc_err(c, m->line, m->col, "Invalid value: \"%.64s\": %s",
                                           m->key, msg);
                        total += m->klen + m->value->n;
                }
                if (total > 256 * 1024)
                        res_vc_err(c, a->line, a->col, "Too long: must have at most 262144 bytes");
                res_vc_pop(c, old);
        }
}

static void
format_labels(const res_value *labels, tm_buf *b)
{
        if (!labels || labels->type != RES_MAP) {
                tm_buf_puts(b, "map[string]string(nil)");
                return;
        }
        res_value *copy = res_value_clone(labels);
        res_value_sort(copy);
        tm_buf_puts(b, "map[string]string{");
        for (uint32_t i = 0; i < copy->n; i++) {
                if (i)
                        tm_buf_puts(b, ", ");
                tm_buf_put_json_string(b, copy->u.members[i].key, copy->u.members[i].klen);
                tm_buf_putc(b, ':');
                const res_value *v = copy->u.members[i].value;
                tm_buf_put_json_string(b, v->type == RES_STR ? v->u.s : "",
                                       v->type == RES_STR ? v->n : 0);
        }
        tm_buf_putc(b, '}');
        res_value_free(copy);
}

/* maxSurge / maxUnavailable: a non-negative integer or a percentage. */
static void
check_int_or_percent(res_vctx *c, const res_value *m, const char *key, bool max100)
{
        const res_value *v = get(m, key);
        if (!v)
                return;
        if (v->type == RES_INT) {
                if (v->u.i < 0)
                        res_vc_invalid(c, key, v, "must be greater than or equal to 0");
                return;
        }
        const char *s = v->u.s;
        size_t n = strlen(s), d = strspn(s, "0123456789");
        if (n < 2 || d != n - 1 || s[n - 1] != '%') {
                res_vc_invalid(c, key, v,
                               "a valid percent string must be a numeric string followed by an "
                               "ending '%%' (e.g. '1%%',  or '93%%', regex used for validation "
                               "is '[0-9]+%%')");
                return;
        }
        if (max100 && (n > 4 || strtol(s, NULL, 10) > 100))
                res_vc_invalid(c, key, v, "must not be greater than 100%%");
}

static bool
is_zero(const res_value *v)
{
        return !v || (v->type == RES_INT && v->u.i == 0) ||
               (v->type == RES_STR && v->n >= 2 && strspn(v->u.s, "0") == v->n - 1 &&
                v->u.s[v->n - 1] == '%');
}

static void
check_rolling(res_vctx *c, const res_value *st, const char *strategy_key, bool daemonset)
{
        if (!st)
                return;
        size_t old = res_vc_push(c, strategy_key);
        if (daemonset)
                res_vc_enum(c, st, "type", L("OnDelete", "RollingUpdate"));
        else
                res_vc_enum(c, st, "type", L("Recreate", "RollingUpdate"));
        const res_value *ru = get(st, "rollingUpdate");
        const char *type = str(st, "type");
        if (ru && type && strcmp(type, "RollingUpdate") != 0)
                res_vc_err_key(c, "rollingUpdate", ru->line, ru->col,
                               "Forbidden: may not be specified when strategy `type` is '%s'",
                               type);
        if (ru) {
                size_t o2 = res_vc_push(c, "rollingUpdate");
                check_int_or_percent(c, ru, "maxUnavailable", true);
                check_int_or_percent(c, ru, "maxSurge", false);
                const res_value *mu = get(ru, "maxUnavailable");
                if (mu && is_zero(mu) && is_zero(get(ru, "maxSurge")) &&
                    (!daemonset || get(ru, "maxSurge")))
                        res_vc_invalid(c, "maxUnavailable", mu,
                                       "may not be 0 when `maxSurge` is 0");
                res_vc_pop(c, o2);
        }
        res_vc_pop(c, old);
}

static void
check_workload(res_vctx *c, const res_value *spec)
{
        const char *what = is(c->kind, "Deployment")   ? "deployment"
                           : is(c->kind, "ReplicaSet") ? "replicaset"
                                                       : "daemonset";
        res_vc_range(c, spec, "replicas", 0, INT32_MAX);
        res_vc_range(c, spec, "minReadySeconds", 0, INT32_MAX);
        res_vc_range(c, spec, "revisionHistoryLimit", 0, INT32_MAX);
        const res_value *pds = get(spec, "progressDeadlineSeconds");
        const res_value *mrs = get(spec, "minReadySeconds");
        if (pds && pds->type == RES_INT && pds->u.i <= (mrs ? mrs->u.i : 0))
                res_vc_invalid(c, "progressDeadlineSeconds", pds,
                               "must be greater than minReadySeconds");
        const res_value *sel = get(spec, "selector");
        const res_value *tmpl = get(spec, "template");
        const res_value *tlabels = res_get(tmpl, "metadata", "labels", NULL);
        res_selector *s = NULL;
        if (!sel) {
                res_vc_required(c, "selector", spec, NULL);
        } else if (sel->n == 0) {
                res_vc_invalid(c, "selector", sel, "empty selector is invalid for %s", what);
        } else {
                tm_error err = {0};
                if (res_selector_from_value(sel, &s, &err) < 0) {
                        size_t old = res_vc_push(c, "selector");
                        char *colon = strstr(err.msg, ": ");
                        if (colon && !memchr(err.msg, ' ', (size_t)(colon - err.msg))) {
                                *colon = '\0';
                                size_t o2 = res_vc_push(c, err.msg);
                                res_vc_err(c, sel->line, sel->col, "%s", colon + 2);
                                res_vc_pop(c, o2);
                        } else {
                                res_vc_err(c, sel->line, sel->col, "%s", err.msg);
                        }
                        res_vc_pop(c, old);
                }
        }
        if (!tmpl) {
                res_vc_required(c, "template", spec, NULL);
        } else {
                size_t old = res_vc_push(c, "template");
                if (s && !res_selector_matches(s, tlabels)) {
                        _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                        format_labels(tlabels, &b);
                        const res_value *at = tlabels ? tlabels : tmpl;
                        res_vc_err_key(c, "metadata.labels", at->line, at->col,
                                       "Invalid value: %s: `selector` does not match template "
                                       "`labels`",
                                       b.data);
                }
                const res_value *tm = get(tmpl, "metadata");
                if (tm) {
                        size_t o2 = res_vc_push(c, "metadata");
                        res_validate_meta_maps(c, tm);
                        res_vc_pop(c, o2);
                }
                size_t o2 = res_vc_push(c, "spec");
                const res_value *ps = get(tmpl, "spec");
                res_validate_pod_spec(c, ps ? ps : tmpl, true);
                res_vc_pop(c, o2);
                res_vc_pop(c, old);
        }
        res_selector_free(s);
        if (is(c->kind, "Deployment"))
                check_rolling(c, get(spec, "strategy"), "strategy", false);
        else if (is(c->kind, "DaemonSet"))
                check_rolling(c, get(spec, "updateStrategy"), "updateStrategy", true);
}

static void
check_service(res_vctx *c, const res_value *spec)
{
        res_vc_enum(c, spec, "type", L("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"));
        const char *type = str(spec, "type");
        if (!type)
                type = "ClusterIP";
        bool external = strcmp(type, "ExternalName") == 0;
        bool node = strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0;
        const res_value *ports = get(spec, "ports");
        if (external) {
                const res_value *en = get(spec, "externalName");
                if (!en || !en->n)
                        res_vc_required(c, "externalName", en ? en : spec, NULL);
                else if (res_check_dns1123_subdomain(en->u.s))
                        res_vc_invalid(c, "externalName", en, "%s",
                                       res_check_dns1123_subdomain(en->u.s));
        } else if (!ports || ports->n == 0) {
                res_vc_required(c, "ports", ports ? ports : spec, NULL);
        }
        size_t old = res_vc_push(c, "ports");
        for (uint32_t i = 0; ports && i < ports->n; i++) {
                const res_value *p = ports->u.items[i];
                size_t o2 = res_vc_push_index(c, i);
                const res_value *name = get(p, "name");
                if (ports->n > 1 && (!name || !name->n))
                        res_vc_required(c, "name", p, NULL);
                else if (name && name->n)
                        res_vc_name(c, p, "name", res_check_dns1123_label, false);
                for (uint32_t j = 0; name && name->n && j < i; j++)
                        if (tm_streq(str(ports->u.items[j], "name"), name->u.s)) {
                                _cleanup_(tm_buf_free) tm_buf b = TM_BUF_INIT;
                                res_vc_fmt_value(name, &b);
                                res_vc_err_key(c, "name", name->line, name->col,
                                               "Duplicate value: %s", b.data);
                                break;
                        }
                if (!get(p, "port"))
                        res_vc_required(c, "port", p, NULL);
                res_vc_range(c, p, "port", 1, 65535);
                res_vc_enum(c, p, "protocol", L("SCTP", "TCP", "UDP"));
                const res_value *tp = get(p, "targetPort");
                if (tp && tp->type == RES_INT && tp->u.i != 0)
                        res_vc_range(c, p, "targetPort", 1, 65535);
                else if (tp && tp->type == RES_STR && res_check_iana_svc_name(tp->u.s))
                        res_vc_invalid(c, "targetPort", tp, "%s", res_check_iana_svc_name(tp->u.s));
                const res_value *np = get(p, "nodePort");
                if (np && np->type == RES_INT && np->u.i != 0) {
                        if (!node)
                                res_vc_err_key(c, "nodePort", np->line, np->col,
                                               "Forbidden: may not be used when `type` is '%s'",
                                               type);
                        else if (np->u.i < 30000 || np->u.i > 32767)
                                res_vc_invalid(c, "nodePort", np,
                                               "provided port is not in the valid range. The "
                                               "range of valid ports is 30000-32767");
                        for (uint32_t j = 0; j < i; j++) {
                                const res_value *o = get(ports->u.items[j], "nodePort");
                                if (o && o->type == RES_INT && o->u.i == np->u.i &&
                                    tm_streq(str(ports->u.items[j], "protocol"),
                                             str(p, "protocol"))) {
                                        res_vc_err_key(c, "nodePort", np->line, np->col,
                                                       "Duplicate value: %lld", (long long)np->u.i);
                                        break;
                                }
                        }
                }
                res_vc_pop(c, o2);
        }
        res_vc_pop(c, old);
        res_vc_enum(c, spec, "sessionAffinity", L("ClientIP", "None"));
        const res_value *tos = res_get(spec, "sessionAffinityConfig", "clientIP", NULL);
        if (tos) {
                old = res_vc_push(c, "sessionAffinityConfig.clientIP");
                res_vc_range(c, tos, "timeoutSeconds", 1, 86400);
                res_vc_pop(c, old);
        }
        res_vc_enum(c, spec, "externalTrafficPolicy", L("Cluster", "Local"));
        res_vc_enum(c, spec, "internalTrafficPolicy", L("Cluster", "Local"));
        const res_value *etp = get(spec, "externalTrafficPolicy");
        if (etp && !node)
                res_vc_invalid(c, "externalTrafficPolicy", etp,
                               "may only be set when `type` is 'NodePort' or 'LoadBalancer'");
        const res_value *cip = get(spec, "clusterIP");
        unsigned char buf[16];
        if (cip && cip->n && strcmp(cip->u.s, "None") != 0 &&
            inet_pton(AF_INET, cip->u.s, buf) != 1 && inet_pton(AF_INET6, cip->u.s, buf) != 1)
                res_vc_invalid(c, "clusterIP", cip, "must be empty, 'None', or a valid IP address");
        if (cip && cip->n && external)
                res_vc_err_key(c, "clusterIP", cip->line, cip->col,
                               "Forbidden: may not be set for ExternalName services");
        const res_value *sel = get(spec, "selector");
        if (sel) {
                old = res_vc_push(c, "selector");
                check_label_map(c, sel, true);
                res_vc_pop(c, old);
        }
}

static void
check_keys(res_vctx *c, const res_value *m, const char *field, size_t *total)
{
        if (!m)
                return;
        size_t old = res_vc_push(c, field);
        for (uint32_t i = 0; i < m->n; i++) {
                const res_member *mem = &m->u.members[i];
                const char *msg = res_check_config_key(mem->key);
                if (msg) {
                        size_t o2 = res_vc_push_mapkey(c, mem->key);
                        res_vc_err(c, mem->line, mem->col, "Invalid value: \"%.64s\": %s", mem->key,
                                   msg);
                        res_vc_pop(c, o2);
                }
                *total += mem->value->n;
        }
        res_vc_pop(c, old);
}

/* Base64 values (Secret data, ConfigMap binaryData) as Go's encoding/json
 * reads []byte; re-encoded canonically. The value is never printed. */
static void
check_base64_map(res_vctx *c, res_value *m, const char *field)
{
        if (!m)
                return;
        size_t old = res_vc_push(c, field);
        for (uint32_t i = 0; i < m->n; i++) {
                res_member *mem = &m->u.members[i];
                res_value *v = mem->value;
                if (v->type != RES_STR)
                        continue;
                unsigned char *dec = xmalloc(v->n / 4 * 3 + 3);
                size_t bad = 0;
                long n = res_base64_decode(v->u.s, v->n, dec, &bad);
                if (n < 0) {
                        size_t o2 = res_vc_push_mapkey(c, mem->key);
                        res_vc_err(c, v->line, v->col, "illegal base64 data at input byte %zu",
                                   bad);
                        res_vc_pop(c, o2);
                } else {
                        size_t len;
                        char *enc = res_base64_encode(dec, (size_t)n, &len);
                        if (!(v->flags & RES_F_ADATA))
                                free(v->u.s);
                        v->flags &= (uint8_t)~RES_F_ADATA;
                        v->u.s = enc;
                        v->n = (uint32_t)len;
                }
                if (n > 0)
                        explicit_bzero(dec, (size_t)n);
                free(dec);
        }
        res_vc_pop(c, old);
}

static bool
has_key(const res_value *a, const res_value *b, const char *key)
{
        return get(a, key) || get(b, key);
}

static void
check_configmap_secret(res_vctx *c, res_value *root, bool secret)
{
        res_value *data = res_map_get(root, "data");
        const char *other = secret ? "stringData" : "binaryData";
        res_value *od = res_map_get(root, other);
        size_t total = 0;
        check_keys(c, data, "data", &total);
        check_keys(c, od, other, &total);
        if (secret)
                check_base64_map(c, data, "data");
        else
                check_base64_map(c, od, "binaryData");
        if (!secret && data && od) {
                for (uint32_t i = 0; i < data->n; i++) {
                        const res_member *m = &data->u.members[i];
                        if (!get(od, m->key))
                                continue;
                        size_t old = res_vc_push(c, "data");
                        size_t o2 = res_vc_push_mapkey(c, m->key);
                        res_vc_err(c, m->line, m->col,
                                   "Invalid value: \"%.64s\": duplicate of key present in "
                                   "binaryData",
                                   m->key);
                        res_vc_pop(c, o2);
                        res_vc_pop(c, old);
                }
        }
        if (total > 1024 * 1024)
                res_vc_err(c, 0, 0, "Too long: must have at most 1048576 bytes");
        if (!secret)
                return;
        const res_value *type = get(root, "type");
        if (!type || type->type != RES_STR)
                return;
        const char *t = type->u.s;
        static const char *const types[] = {"Opaque",
                                            "kubernetes.io/service-account-token",
                                            "kubernetes.io/dockercfg",
                                            "kubernetes.io/dockerconfigjson",
                                            "kubernetes.io/basic-auth",
                                            "kubernetes.io/ssh-auth",
                                            "kubernetes.io/tls",
                                            "bootstrap.kubernetes.io/token",
                                            NULL};
        bool known = false;
        for (size_t i = 0; types[i]; i++)
                known |= strcmp(t, types[i]) == 0;
        /* Custom types are allowed, except in kubernetes.io's own name space. */
        if (!known && (strstr(t, "kubernetes.io/") || !*t)) {
                res_vc_unsupported(c, "type", type, types);
                return;
        }
        const char *need[3] = {NULL, NULL, NULL};
        if (strcmp(t, "kubernetes.io/tls") == 0) {
                need[0] = "tls.crt";
                need[1] = "tls.key";
        } else if (strcmp(t, "kubernetes.io/dockerconfigjson") == 0) {
                need[0] = ".dockerconfigjson";
        } else if (strcmp(t, "kubernetes.io/dockercfg") == 0) {
                need[0] = ".dockercfg";
        } else if (strcmp(t, "kubernetes.io/ssh-auth") == 0) {
                need[0] = "ssh-privatekey";
        } else if (strcmp(t, "kubernetes.io/basic-auth") == 0) {
                if (!has_key(data, od, "username") && !has_key(data, od, "password"))
                        res_vc_required(c, "data[username]", data ? data : root,
                                        "must have at least one of username or password");
        } else if (strcmp(t, "kubernetes.io/service-account-token") == 0) {
                if (!res_get(root, "metadata", "annotations", "kubernetes.io/service-account.name",
                             NULL))
                        res_vc_required(c,
                                        "metadata.annotations[kubernetes.io/service-account.name]",
                                        get(root, "metadata"), NULL);
        }
        for (int i = 0; need[i]; i++)
                if (!has_key(data, od, need[i])) {
                        _cleanup_free_ char *p = xasprintf("data[%s]", need[i]);
                        res_vc_required(c, p, data ? data : type, NULL);
                }
}

static const char *const access_modes[] = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                           "ReadWriteOncePod", NULL};

static void
check_access_modes(res_vctx *c, const res_value *spec)
{
        const res_value *am = get(spec, "accessModes");
        if (!am || am->n == 0) {
                res_vc_required(c, "accessModes", am ? am : spec,
                                "at least 1 access mode is required");
                return;
        }
        size_t old = res_vc_push(c, "accessModes");
        for (uint32_t i = 0; i < am->n; i++) {
                const res_value *v = am->u.items[i];
                bool ok = false;
                for (size_t k = 0; access_modes[k]; k++)
                        ok |= v->type == RES_STR && strcmp(v->u.s, access_modes[k]) == 0;
                if (!ok) {
                        size_t o2 = res_vc_push_index(c, i);
                        res_vc_unsupported(c, NULL, v, access_modes);
                        res_vc_pop(c, o2);
                }
        }
        res_vc_pop(c, old);
}

static void
check_storage_qty(res_vctx *c, const res_value *m, const char *path, const res_value *at)
{
        const res_value *v = get(m, "storage");
        if (!v) {
                res_vc_required(c, path, m ? m : at, NULL);
                return;
        }
        res_quantity q;
        if (v->type == RES_STR && res_quantity_parse(v->u.s, &q) == 0 &&
            (res_quantity_is_zero(&q) || res_quantity_is_negative(&q)))
                res_vc_invalid(c, path, v, "must be greater than zero");
}

static void
check_pv(res_vctx *c, const res_value *spec)
{
        const res_value *cap = get(spec, "capacity");
        if (!cap) {
                res_vc_required(c, "capacity", spec, NULL);
        } else {
                check_storage_qty(c, cap, "capacity[storage]", spec);
                for (uint32_t i = 0; i < cap->n; i++)
                        if (strcmp(cap->u.members[i].key, "storage") != 0) {
                                res_value k = {.type = RES_STR,
                                               .line = cap->u.members[i].line,
                                               .col = cap->u.members[i].col,
                                               .n = cap->u.members[i].klen,
                                               .u.s = cap->u.members[i].key};
                                res_vc_unsupported(c, "capacity", &k, L("storage"));
                        }
        }
        check_access_modes(c, spec);
        static const char *const srcs[] = {"hostPath", "local", "nfs", "csi"};
        int n = 0;
        for (size_t i = 0; i < 4; i++) {
                const res_value *s = get(spec, srcs[i]);
                if (s && ++n > 1)
                        res_vc_err_key(c, srcs[i], s->line, s->col,
                                       "Forbidden: may not specify more than 1 volume type");
        }
        if (n == 0)
                res_vc_required(c, NULL, spec, "must specify a volume type");
        const res_value *s;
        if ((s = get(spec, "hostPath")) && (!str(s, "path") || !*str(s, "path")))
                res_vc_required(c, "hostPath.path", s, NULL);
        if ((s = get(spec, "local"))) {
                if (!str(s, "path") || !*str(s, "path"))
                        res_vc_required(c, "local.path", s, NULL);
                if (!get(spec, "nodeAffinity"))
                        res_vc_required(c, "nodeAffinity", spec,
                                        "Local volume requires node affinity");
        }
        if ((s = get(spec, "nfs"))) {
                if (!str(s, "server"))
                        res_vc_required(c, "nfs.server", s, NULL);
                if (!str(s, "path"))
                        res_vc_required(c, "nfs.path", s, NULL);
        }
        res_vc_enum(c, spec, "persistentVolumeReclaimPolicy", L("Delete", "Recycle", "Retain"));
        res_vc_enum(c, spec, "volumeMode", L("Block", "Filesystem"));
        if (str(spec, "storageClassName") && *str(spec, "storageClassName"))
                res_vc_name(c, spec, "storageClassName", res_check_dns1123_subdomain, false);
}

static void
check_pvc(res_vctx *c, const res_value *spec)
{
        check_access_modes(c, spec);
        const res_value *req = res_get(spec, "resources", "requests", NULL);
        const res_value *at = get(spec, "resources");
        if (!req)
                res_vc_required(c, "resources[storage]", at ? at : spec, NULL);
        else
                check_storage_qty(c, req, "resources[storage]", spec);
        res_vc_enum(c, spec, "volumeMode", L("Block", "Filesystem"));
        if (str(spec, "storageClassName") && *str(spec, "storageClassName"))
                res_vc_name(c, spec, "storageClassName", res_check_dns1123_subdomain, false);
        const res_value *sel = get(spec, "selector");
        if (sel) {
                res_selector *s = NULL;
                tm_error err = {0};
                if (res_selector_from_value(sel, &s, &err) < 0)
                        res_vc_err_key(c, "selector", sel->line, sel->col, "%s", err.msg);
                res_selector_free(s);
        }
}

static void
check_storage_class(res_vctx *c, const res_value *root)
{
        const res_value *p = get(root, "provisioner");
        if (!p || !p->n)
                res_vc_required(c, "provisioner", p ? p : root, NULL);
        else if (res_check_qualified_name(p->u.s))
                res_vc_invalid(c, "provisioner", p, "%s", res_check_qualified_name(p->u.s));
        res_vc_enum(c, root, "reclaimPolicy", L("Delete", "Retain"));
        res_vc_enum(c, root, "volumeBindingMode", L("Immediate", "WaitForFirstConsumer"));
}

void
res_validate_object(res_vctx *c, res_value *root)
{
        const res_value *meta = get(root, "metadata");
        if (meta) {
                size_t old = res_vc_push(c, "metadata");
                const char *(*check)(const char *) = res_check_dns1123_subdomain;
                if (is(c->kind, "Namespace"))
                        check = res_check_dns1123_label;
                else if (is(c->kind, "Service"))
                        check = res_check_dns1035_label;
                res_vc_name(c, meta, "name", check, false);
                if (c->kind->namespaced && str(meta, "namespace") && *str(meta, "namespace"))
                        res_vc_name(c, meta, "namespace", res_check_dns1123_label, false);
                res_validate_meta_maps(c, meta);
                res_vc_pop(c, old);
        }
        const res_value *spec = get(root, "spec");
        const res_value *at = spec ? spec : root;
        size_t old = res_vc_push(c, "spec");
        if (is(c->kind, "Pod"))
                res_validate_pod_spec(c, at, false);
        else if (is(c->kind, "Deployment") || is(c->kind, "ReplicaSet") || is(c->kind, "DaemonSet"))
                check_workload(c, at);
        else if (is(c->kind, "Service"))
                check_service(c, at);
        else if (is(c->kind, "PersistentVolume"))
                check_pv(c, at);
        else if (is(c->kind, "PersistentVolumeClaim"))
                check_pvc(c, at);
        res_vc_pop(c, old);
        if (is(c->kind, "ConfigMap"))
                check_configmap_secret(c, root, false);
        else if (is(c->kind, "Secret"))
                check_configmap_secret(c, root, true);
        else if (is(c->kind, "StorageClass"))
                check_storage_class(c, root);
}
