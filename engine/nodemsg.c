#include "engine/nodemsg.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/plan.h"

#define STATUS_MAX_BYTES (16u << 20)
#define STATUS_MAX_PODS 10000
#define STATUS_MAX_EVENTS 10000

static void
json_decref_p(json_t **j)
{
        if (*j)
                json_decref(*j);
}
#define _cleanup_json_ _cleanup_(json_decref_p)

static void
add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
        for (size_t i = 0; i < *n; i++)
                if (!strcmp((*names)[i], name))
                        return;
        TM_GROW(*names, *cap, *n + 1);
        (*names)[(*n)++] = xstrdup(name);
}

typedef struct refs {
        char **cms, **secrets;
        size_t n_cms, cap_cms, n_secrets, cap_secrets;
} refs;

static void
refs_from_container(refs *r, const res_value *c)
{
        const res_value *env = res_map_get(c, "env");
        for (uint32_t i = 0; env && env->type == RES_SEQ && i < env->n; i++) {
                const res_value *vf = res_map_get(env->u.items[i], "valueFrom");
                const char *cm = res_get_str(res_map_get(vf, "configMapKeyRef"), "name", NULL);
                const char *sec = res_get_str(res_map_get(vf, "secretKeyRef"), "name", NULL);
                if (cm)
                        add_name(&r->cms, &r->n_cms, &r->cap_cms, cm);
                if (sec)
                        add_name(&r->secrets, &r->n_secrets, &r->cap_secrets, sec);
        }
        const res_value *ef = res_map_get(c, "envFrom");
        for (uint32_t i = 0; ef && ef->type == RES_SEQ && i < ef->n; i++) {
                const char *cm =
                    res_get_str(res_map_get(ef->u.items[i], "configMapRef"), "name", NULL);
                const char *sec =
                    res_get_str(res_map_get(ef->u.items[i], "secretRef"), "name", NULL);
                if (cm)
                        add_name(&r->cms, &r->n_cms, &r->cap_cms, cm);
                if (sec)
                        add_name(&r->secrets, &r->n_secrets, &r->cap_secrets, sec);
        }
}

static void
refs_from_pod(refs *r, const res_value *pod)
{
        const res_value *spec = res_map_get(pod, "spec");
        static const char *const lists[] = {"containers", "initContainers"};
        for (int l = 0; l < 2; l++) {
                const res_value *cs = res_map_get(spec, lists[l]);
                for (uint32_t i = 0; cs && cs->type == RES_SEQ && i < cs->n; i++)
                        refs_from_container(r, cs->u.items[i]);
        }
        const res_value *vols = res_map_get(spec, "volumes");
        for (uint32_t i = 0; vols && vols->type == RES_SEQ && i < vols->n; i++) {
                const res_value *v = vols->u.items[i];
                const char *cm = res_get_str(res_map_get(v, "configMap"), "name", NULL);
                const char *sec = res_get_str(res_map_get(v, "secret"), "secretName", NULL);
                if (cm)
                        add_name(&r->cms, &r->n_cms, &r->cap_cms, cm);
                if (sec)
                        add_name(&r->secrets, &r->n_secrets, &r->cap_secrets, sec);
                const res_value *srcs = res_get(v, "projected", "sources", NULL);
                for (uint32_t k = 0; srcs && srcs->type == RES_SEQ && k < srcs->n; k++) {
                        cm = res_get_str(res_map_get(srcs->u.items[k], "configMap"), "name", NULL);
                        sec = res_get_str(res_map_get(srcs->u.items[k], "secret"), "name", NULL);
                        if (cm)
                                add_name(&r->cms, &r->n_cms, &r->cap_cms, cm);
                        if (sec)
                                add_name(&r->secrets, &r->n_secrets, &r->cap_secrets, sec);
                }
        }
}

static void
free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static json_t *
value_to_json(const res_value *v, tm_error *err)
{
        tm_buf b = TM_BUF_INIT;
        res_emit_canonical_json(v, &b);
        json_error_t je;
        json_t *j = json_loadb(b.data, b.len, 0, &je);
        explicit_bzero(b.data, b.len);
        tm_buf_free(&b);
        if (!j)
                tm_error_set(err, -EINVAL, "encode object: %s", je.text);
        return j;
}

/* Appends the stored objects of kind named in names (namespace ns). */
static int
add_objects(eng_store *store, const char *kind, const char *ns, char **names, size_t n, json_t *arr,
            tm_error *err)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *id = xasprintf("/%s/%s/%s", kind, ns, names[i]);
                _cleanup_free_ char *json = NULL;
                size_t len = 0;
                int r = eng_store_load_json(store, id, &json, &len, err);
                if (r == -ENOENT) {
                        tm_error_clear(err);
                        continue; /* the agent reports the pod's missing reference */
                }
                if (r < 0)
                        return r;
                json_error_t je;
                json_t *j = json_loadb(json, len, 0, &je);
                explicit_bzero(json, len);
                if (!j)
                        return tm_error_set(err, -EINVAL, "stored %s \"%s/%s\": %s", kind, ns,
                                            names[i], je.text);
                json_array_append_new(arr, j);
        }
        return 0;
}

/* A pod the node should run: bound to it and not being deleted. */
static bool
desired_on(const eng_pod *p, const char *node)
{
        return !strcmp(p->node, node) && !eng_pod_terminating(p);
}

int
eng_node_desired(eng_store *store, const char *node, int64_t generation, const eng_pods *pods,
                 const eng_volume_bind *binds, size_t n_binds, const eng_reclaim *reclaims,
                 size_t n_reclaims, char **out, tm_error *err)
{
        _cleanup_json_ json_t *msg = json_object();
        json_object_set_new(msg, "apiVersion", json_string("timone/v1"));
        json_object_set_new(msg, "kind", json_string("NodeDesired"));
        json_object_set_new(msg, "node", json_string(node));
        json_object_set_new(msg, "generation", json_integer(generation));
        json_t *jp = json_array(), *jc = json_array(), *js = json_array(), *jv = json_array(),
               *jr = json_array();
        json_object_set_new(msg, "pods", jp);
        json_object_set_new(msg, "configMaps", jc);
        json_object_set_new(msg, "secrets", js);
        json_object_set_new(msg, "volumes", jv);
        json_object_set_new(msg, "reclaim", jr);
        int r = 0;
        /* Pods grouped by namespace for the reference look-ups. */
        /* A pod being deleted is not desired: the node stops it. */
        for (size_t i = 0; i < pods->n && r == 0; i++) {
                const eng_pod *p = &pods->items[i];
                if (!desired_on(p, node))
                        continue;
                json_t *j = value_to_json(p->obj, err);
                if (!j)
                        return -EINVAL;
                json_array_append_new(jp, j);
        }
        /* References, per namespace. */
        for (size_t i = 0; i < pods->n && r == 0; i++) {
                const eng_pod *p = &pods->items[i];
                if (!desired_on(p, node))
                        continue;
                bool seen = false;
                for (size_t k = 0; k < i && !seen; k++)
                        seen =
                            desired_on(&pods->items[k], node) && !strcmp(pods->items[k].ns, p->ns);
                if (seen)
                        continue;
                refs rf = {0};
                for (size_t k = i; k < pods->n; k++)
                        if (desired_on(&pods->items[k], node) && !strcmp(pods->items[k].ns, p->ns))
                                refs_from_pod(&rf, pods->items[k].obj);
                r = add_objects(store, "ConfigMap", p->ns, rf.cms, rf.n_cms, jc, err);
                if (r == 0)
                        r = add_objects(store, "Secret", p->ns, rf.secrets, rf.n_secrets, js, err);
                free_names(rf.cms, rf.n_cms);
                free_names(rf.secrets, rf.n_secrets);
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_binds; i++) {
                const eng_pod *bp = eng_pods_find_uid(pods, binds[i].pod_uid);
                if (!bp || eng_pod_terminating(bp))
                        continue;
                json_array_append_new(
                    jv, json_pack("{s:s, s:s, s:s, s:s}", "podUID", binds[i].pod_uid, "volume",
                                  binds[i].volume, "hostPath", binds[i].host_path, "type",
                                  binds[i].type ? binds[i].type : "DirectoryOrCreate"));
        }
        for (size_t i = 0; i < n_reclaims; i++)
                json_array_append_new(jr, json_pack("{s:s, s:s}", "hostPath", reclaims[i].host_path,
                                                    "policy", reclaims[i].policy));
        char *text = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
                return tm_error_set(err, -ENOMEM, "encode NodeDesired");
        *out = text;
        return 0;
}

static bool
pod_ready(json_t *status)
{
        json_t *conds = json_object_get(status, "conditions");
        size_t i;
        json_t *c;
        json_array_foreach(conds, i, c)
        {
                const char *type = json_string_value(json_object_get(c, "type"));
                const char *st = json_string_value(json_object_get(c, "status"));
                if (type && st && !strcmp(type, "Ready"))
                        return !strcmp(st, "True");
        }
        return false;
}

static const char *
jstr(json_t *o, const char *key)
{
        const char *s = json_string_value(json_object_get(o, key));
        return s ? s : "";
}

int
eng_node_status_apply(eng_podstore *ps, const char *node, const char *json, size_t len,
                      bool *readiness_changed, tm_error *err)
{
        *readiness_changed = false;
        if (len > STATUS_MAX_BYTES)
                return tm_error_set(err, -EMSGSIZE, "NodeStatus of %zu bytes is over the limit",
                                    len);
        json_error_t je;
        _cleanup_json_ json_t *msg = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
        if (!msg || !json_is_object(msg))
                return tm_error_set(err, -EPROTO, "NodeStatus: %s",
                                    msg ? "not an object" : je.text);
        if (strcmp(jstr(msg, "kind"), "NodeStatus") != 0 || strcmp(jstr(msg, "node"), node) != 0)
                return tm_error_set(err, -EPROTO, "NodeStatus: wrong kind or node");
        json_t *pods = json_object_get(msg, "pods");
        json_t *events = json_object_get(msg, "events");
        json_t *removed = json_object_get(msg, "removed");
        if ((pods && !json_is_array(pods)) || json_array_size(pods) > STATUS_MAX_PODS ||
            (events && !json_is_array(events)) || json_array_size(events) > STATUS_MAX_EVENTS ||
            (removed && !json_is_array(removed)) || json_array_size(removed) > STATUS_MAX_PODS)
                return tm_error_set(err, -EPROTO, "NodeStatus: bad pods, events or removed");
        size_t i;
        json_t *p;
        json_array_foreach(pods, i, p)
        {
                const char *uid = jstr(p, "uid");
                json_t *status = json_object_get(p, "status");
                if (!*uid || !json_is_object(status))
                        continue;
                char *text = json_dumps(status, JSON_COMPACT | JSON_SORT_KEYS);
                const char *phase = jstr(status, "phase");
                bool terminated = !strcmp(phase, "Succeeded") || !strcmp(phase, "Failed");
                bool changed = false;
                int r = eng_podstore_set_status(ps, uid, text, pod_ready(status), terminated,
                                                &changed, err);
                free(text);
                if (r < 0)
                        return r;
                /* Any change can move a rollout on; the controllers are cheap. */
                *readiness_changed |= changed;
        }
        json_t *e;
        json_array_foreach(events, i, e)
        {
                json_int_t t = json_integer_value(json_object_get(e, "time"));
                json_int_t count = json_integer_value(json_object_get(e, "count"));
                _cleanup_free_ char *src = xasprintf("kubelet/%s", node);
                eng_event ev = {
                    .ns = (char *)jstr(e, "namespace"),
                    .name = (char *)jstr(e, "name"),
                    .uid = (char *)jstr(e, "podUID"),
                    .kind = "Pod",
                    .type = (char *)jstr(e, "type"),
                    .reason = (char *)jstr(e, "reason"),
                    .message = (char *)jstr(e, "message"),
                    .source = src,
                    .first = t ? t : tm_wall_s(),
                    .last = t ? t : tm_wall_s(),
                    .count = count > 0 ? count : 1,
                };
                int r = eng_podstore_add_event(ps, &ev, err);
                if (r < 0)
                        return r;
        }
        /* Pods the node has stopped and cleaned up: a deleted pod's row
         * goes now (Recreate makes its new pods once the old are gone). */
        json_t *u;
        json_array_foreach(removed, i, u)
        {
                const char *uid = json_string_value(u);
                bool changed = false;
                if (!uid)
                        continue;
                int r = eng_podstore_removed(ps, uid, &changed, err);
                if (r < 0)
                        return r;
                *readiness_changed |= changed;
        }
        /* Events (a pod being killed, say) can move a controller on too:
         * Recreate makes its new pods once the old ones are gone. */
        *readiness_changed |= json_array_size(events) > 0;
        return 0;
}
