/* A container's env (image env, env with $(VAR) references, valueFrom,
 * envFrom) and its mounts (volumeMounts, /etc/hosts, /etc/resolv.conf). */
#include "executors/agent-internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"
#include "resources/names.h"
#include "resources/quantity.h"

#define ENV_MAX 4096

typedef struct envv {
        char **v;
        size_t n, cap;
} envv;

static void
env_set(envv *e, const char *name, const char *val, size_t vlen)
{
        size_t nl = strlen(name);
        char *kv = xmalloc(nl + vlen + 2);
        memcpy(kv, name, nl);
        kv[nl] = '=';
        memcpy(kv + nl + 1, val, vlen);
        kv[nl + 1 + vlen] = '\0';
        for (size_t i = 0; i < e->n; i++) {
                if (!strncmp(e->v[i], name, nl) && e->v[i][nl] == '=') {
                        explicit_bzero(e->v[i], strlen(e->v[i]));
                        free(e->v[i]);
                        e->v[i] = kv;
                        return;
                }
        }
        TM_GROW(e->v, e->cap, e->n + 2);
        e->v[e->n++] = kv;
        e->v[e->n] = NULL;
}

static const char *
env_get(const envv *e, const char *name, size_t nl)
{
        for (size_t i = 0; i < e->n; i++)
                if (!strncmp(e->v[i], name, nl) && e->v[i][nl] == '=')
                        return e->v[i] + nl + 1;
        return NULL;
}

/* Kubernetes' $(VAR) expansion: defined vars expand, $$ escapes, others stay. */
static char *
expand(const envv *e, const char *s)
{
        tm_buf b = TM_BUF_INIT;
        for (const char *p = s; *p; p++) {
                if (p[0] == '$' && p[1] == '$') {
                        tm_buf_putc(&b, '$');
                        p++;
                } else if (p[0] == '$' && p[1] == '(') {
                        const char *end = strchr(p + 2, ')');
                        const char *val = end ? env_get(e, p + 2, (size_t)(end - p - 2)) : NULL;
                        if (val) {
                                tm_buf_puts(&b, val);
                                p = end;
                        } else {
                                tm_buf_putc(&b, '$');
                        }
                } else {
                        tm_buf_putc(&b, *p);
                }
        }
        return tm_buf_steal(&b);
}

char *
agent_env_expand(char *const *env, const char *s)
{
        envv e = {(char **)env, 0, 0};
        while (env && env[e.n])
                e.n++;
        return expand(&e, s);
}

static int
b64(const char *in, size_t n, char **out, size_t *len)
{
        unsigned char *buf = xmalloc(n / 4 * 3 + 4);
        EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
        int l = 0, f = 0;
        EVP_DecodeInit(ctx);
        int ok = EVP_DecodeUpdate(ctx, buf, &l, (const unsigned char *)in, (int)n) >= 0 &&
                 EVP_DecodeFinal(ctx, buf + l, &f) >= 0;
        EVP_ENCODE_CTX_free(ctx);
        if (!ok) {
                free(buf);
                return -EINVAL;
        }
        *out = (char *)buf;
        *len = (size_t)(l + f);
        return 0;
}

/* Looks up key in a ConfigMap (data) or Secret (data, base64). */
static int
lookup_key(exe_agent *a, agent_pod *p, bool secret, const char *name, const char *key, char **val,
           size_t *len)
{
        const res_value *obj = agent_find_object(secret ? a->secrets : a->configmaps, p->ns, name);
        if (!obj)
                return -ENOENT;
        const res_value *v = res_map_get(res_map_get(obj, "data"), key);
        if (!v || v->type != RES_STR)
                return -ENOKEY;
        if (secret)
                return b64(v->u.s, v->n, val, len);
        *val = xmemdup(v->u.s, v->n);
        *len = v->n;
        return 0;
}

static const char *
field_value(agent_pod *p, const char *path, char *tmp, size_t tl)
{
        const res_value *meta = res_map_get(p->obj, "metadata");
        if (!strcmp(path, "metadata.name"))
                return p->name;
        if (!strcmp(path, "metadata.namespace"))
                return p->ns;
        if (!strcmp(path, "metadata.uid"))
                return p->uid;
        if (!strcmp(path, "spec.nodeName"))
                return res_get_str(res_map_get(p->obj, "spec"), "nodeName", "");
        if (!strcmp(path, "spec.serviceAccountName"))
                return res_get_str(res_map_get(p->obj, "spec"), "serviceAccountName", "default");
        if (!strcmp(path, "status.podIP") || !strcmp(path, "status.podIPs"))
                return p->ip;
        if (!strcmp(path, "status.hostIP") || !strcmp(path, "status.hostIPs"))
                return "";
        const char *which = tm_str_has_prefix(path, "metadata.labels['")        ? "labels"
                            : tm_str_has_prefix(path, "metadata.annotations['") ? "annotations"
                                                                                : NULL;
        if (which) {
                const char *k = strchr(path, '\'') + 1;
                const char *e = strchr(k, '\'');
                if (!e)
                        return NULL;
                snprintf(tmp, tl, "%.*s", (int)(e - k), k);
                return res_get_str(res_map_get(meta, which), tmp, "");
        }
        return NULL;
}

static int
resource_value(const res_value *c, const res_value *ref, char *out, size_t ol)
{
        const char *res = res_get_str(ref, "resource", "");
        const char *dot = strchr(res, '.');
        if (!dot)
                return -EINVAL;
        _cleanup_free_ char *section = xstrndup(res, (size_t)(dot - res));
        const char *name = dot + 1;
        const char *q = res_get_str(res_get(c, "resources", section, NULL), name, NULL);
        res_quantity v, d;
        const char *div = res_get_str(ref, "divisor", "1");
        if (!q)
                q = !strcmp(name, "cpu") ? "1" : "0"; /* node allocatable is not known: 1 core */
        if (res_quantity_parse(q, &v) < 0 || res_quantity_parse(div, &d) < 0)
                return -EINVAL;
        int64_t dm = res_quantity_milli_value(&d);
        if (dm <= 0)
                return -EINVAL;
        int64_t vm = res_quantity_milli_value(&v);
        snprintf(out, ol, "%lld", (long long)((vm + dm - 1) / dm));
        return 0;
}

int
agent_container_env(exe_agent *a, agent_pod *p, const res_value *c, char *const *image_env,
                    char ***out, size_t *n, char *reason, size_t rlen, tm_error *err)
{
        envv e = {0};
        int r = 0;
        env_set(&e, "HOSTNAME", p->name, strlen(p->name));
        for (char *const *ie = image_env; ie && *ie; ie++) {
                const char *eq = strchr(*ie, '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *k = xstrndup(*ie, (size_t)(eq - *ie));
                env_set(&e, k, eq + 1, strlen(eq + 1));
        }
        const res_value *ef = res_map_get(c, "envFrom");
        for (uint32_t i = 0; ef && ef->type == RES_SEQ && i < ef->n && r == 0; i++) {
                const res_value *src = ef->u.items[i];
                const char *prefix = res_get_str(src, "prefix", "");
                const res_value *cm = res_map_get(src, "configMapRef");
                const res_value *sr = res_map_get(src, "secretRef");
                const res_value *ref = cm ? cm : sr;
                const char *name = res_get_str(ref, "name", "");
                const res_value *obj =
                    agent_find_object(cm ? a->configmaps : a->secrets, p->ns, name);
                if (!obj) {
                        if (res_get_bool(ref, "optional", false))
                                continue;
                        r = tm_error_set(err, -EAGAIN, "%s \"%s\" not found",
                                         cm ? "configmap" : "secret", name);
                        break;
                }
                const res_value *data = res_map_get(obj, "data");
                for (uint32_t k = 0; data && data->type == RES_MAP && k < data->n; k++) {
                        const res_member *m = &data->u.members[k];
                        _cleanup_free_ char *key = xasprintf("%s%s", prefix, m->key);
                        if (res_check_env_var_name(key) != NULL || m->value->type != RES_STR)
                                continue; /* the kubelet skips invalid names too */
                        char *val = NULL;
                        size_t len = 0;
                        if (sr) {
                                if (b64(m->value->u.s, m->value->n, &val, &len) < 0)
                                        continue;
                        } else {
                                val = xmemdup(m->value->u.s, m->value->n);
                                len = m->value->n;
                        }
                        env_set(&e, key, val, len);
                        explicit_bzero(val, len);
                        free(val);
                }
        }
        const res_value *env = res_map_get(c, "env");
        for (uint32_t i = 0; r == 0 && env && env->type == RES_SEQ && i < env->n; i++) {
                const res_value *ev = env->u.items[i];
                const char *name = res_get_str(ev, "name", "");
                const res_value *vf = res_map_get(ev, "valueFrom");
                if (!vf) {
                        _cleanup_free_ char *val = expand(&e, res_get_str(ev, "value", ""));
                        env_set(&e, name, val, strlen(val));
                        continue;
                }
                const res_value *cmk = res_map_get(vf, "configMapKeyRef");
                const res_value *sk = res_map_get(vf, "secretKeyRef");
                if (cmk || sk) {
                        const res_value *ref = cmk ? cmk : sk;
                        const char *on = res_get_str(ref, "name", "");
                        const char *key = res_get_str(ref, "key", "");
                        char *val = NULL;
                        size_t len = 0;
                        int k = lookup_key(a, p, sk != NULL, on, key, &val, &len);
                        if (k < 0) {
                                if (res_get_bool(ref, "optional", false))
                                        continue;
                                r = tm_error_set(err, -EAGAIN,
                                                 k == -ENOENT ? "%s \"%s\" not found"
                                                              : "couldn't find key %3$s in %1$s "
                                                                "%4$s/%2$s",
                                                 sk ? "secret" : "configmap", on, key, p->ns);
                                break;
                        }
                        env_set(&e, name, val, len);
                        explicit_bzero(val, len);
                        free(val);
                        continue;
                }
                const res_value *fr = res_map_get(vf, "fieldRef");
                const res_value *rr = res_map_get(vf, "resourceFieldRef");
                char tmp[256], out_v[64];
                if (fr) {
                        const char *v =
                            field_value(p, res_get_str(fr, "fieldPath", ""), tmp, sizeof(tmp));
                        if (!v) {
                                r = tm_error_set(err, -EINVAL, "unsupported fieldPath \"%s\"",
                                                 res_get_str(fr, "fieldPath", ""));
                                break;
                        }
                        env_set(&e, name, v, strlen(v));
                } else if (rr) {
                        if (resource_value(c, rr, out_v, sizeof(out_v)) < 0) {
                                r = tm_error_set(err, -EINVAL, "bad resourceFieldRef for \"%s\"",
                                                 name);
                                break;
                        }
                        env_set(&e, name, out_v, strlen(out_v));
                }
        }
        if (r == 0 && e.n > ENV_MAX)
                r = tm_error_set(err, -E2BIG, "%zu environment variables, over %d", e.n, ENV_MAX);
        if (r < 0) {
                snprintf(reason, rlen, "CreateContainerConfigError");
                for (size_t i = 0; i < e.n; i++) {
                        explicit_bzero(e.v[i], strlen(e.v[i]));
                        free(e.v[i]);
                }
                free(e.v);
                return r;
        }
        if (!e.v)
                e.v = xcalloc(1, sizeof(char *));
        *out = e.v;
        *n = e.n;
        return 0;
}

static const char *const opts_ro[] = {"rbind", "rprivate", "ro", NULL};
static const char *const opts_rw[] = {"rbind", "rprivate", "rw", NULL};

static const char *
keep(char ***strings, size_t *n, size_t *cap, char *s)
{
        TM_GROW(*strings, *cap, *n + 1);
        (*strings)[(*n)++] = s;
        return s;
}

int
agent_container_mounts(exe_agent *a, agent_pod *p, const res_value *c, exe_mount **out, size_t *n,
                       char ***strings, size_t *n_strings, tm_error *err)
{
        const res_value *vms = res_map_get(c, "volumeMounts");
        size_t total = 2 + (vms && vms->type == RES_SEQ ? vms->n : 0);
        exe_mount *m = xcalloc(total, sizeof(*m));
        size_t k = 0, cap = 0;
        *strings = NULL;
        *n_strings = 0;
        m[k++] = (exe_mount){keep(strings, n_strings, &cap, xasprintf("%s/etc-hosts", p->sb.dir)),
                             "/etc/hosts", "bind", opts_rw};
        m[k++] = (exe_mount){keep(strings, n_strings, &cap, xasprintf("%s/resolv.conf", p->sb.dir)),
                             "/etc/resolv.conf", "bind", opts_rw};
        const res_value *vols = res_get(p->obj, "spec", "volumes", NULL);
        for (uint32_t i = 0; vms && vms->type == RES_SEQ && i < vms->n; i++) {
                const res_value *vm = vms->u.items[i];
                const char *name = res_get_str(vm, "name", "");
                const char *dest = res_get_str(vm, "mountPath", "");
                const char *sub = res_get_str(vm, "subPath", "");
                const res_value *vol = NULL;
                for (uint32_t j = 0; vols && vols->type == RES_SEQ && j < vols->n; j++)
                        if (!strcmp(res_get_str(vols->u.items[j], "name", ""), name))
                                vol = vols->u.items[j];
                if (!vol || dest[0] != '/' || (*sub && res_check_path_segment(sub))) {
                        free(m);
                        return tm_error_set(
                            err, -EINVAL, "volumeMount \"%s\" at \"%s\" is not valid", name, dest);
                }
                const char *base = NULL;
                _cleanup_free_ char *vdir = NULL;
                if (res_map_get(vol, "hostPath")) {
                        base = res_get_str(res_map_get(vol, "hostPath"), "path", "");
                } else if (res_map_get(vol, "persistentVolumeClaim")) {
                        for (uint32_t j = 0; a->volumes && j < a->volumes->n; j++) {
                                const res_value *b = a->volumes->u.items[j];
                                if (!strcmp(res_get_str(b, "podUID", ""), p->uid) &&
                                    !strcmp(res_get_str(b, "volume", ""), name))
                                        base = res_get_str(b, "hostPath", NULL);
                        }
                } else {
                        vdir = xasprintf("%s/volumes/%s", p->sb.dir, name);
                        base = vdir;
                }
                if (!base) {
                        free(m);
                        return tm_error_set(err, -EAGAIN, "volume \"%s\" is not ready", name);
                }
                bool ro = res_get_bool(vm, "readOnly", false) || res_map_get(vol, "configMap") ||
                          res_map_get(vol, "secret");
                char *src = *sub ? xasprintf("%s/%s", base, sub) : xstrdup(base);
                if (*sub && !res_map_get(vol, "configMap") && !res_map_get(vol, "secret"))
                        tm_mkdir_p(src, 0755, NULL); /* as the kubelet makes missing subPaths */
                m[k++] = (exe_mount){keep(strings, n_strings, &cap, src), dest, "bind",
                                     ro ? opts_ro : opts_rw};
        }
        *out = m;
        *n = k;
        return 0;
}
