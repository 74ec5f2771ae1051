/* The node agent: messages, persisted state, the reconcile loop and the
 * status report. One pod's lifecycle is in agent-pod.c, volumes and env
 * in podvolumes.c. */
#include "executors/agent-internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "resources/object.h"

#define DESIRED_FILE "desired.json"
#define SECRETS_FILE "secrets.json"

static res_value *
json_to_value(json_t *j, int depth)
{
        if (depth > 64)
                return NULL;
        switch (json_typeof(j)) {
        case JSON_OBJECT: {
                res_value *m = res_map_new();
                const char *k;
                json_t *v;
                json_object_foreach(j, k, v)
                {
                        res_value *c = json_to_value(v, depth + 1);
                        if (!c) {
                                res_value_free(m);
                                return NULL;
                        }
                        res_map_append(m, k, strlen(k), c);
                }
                return m;
        }
        case JSON_ARRAY: {
                res_value *s = res_seq_new();
                size_t i;
                json_t *v;
                json_array_foreach(j, i, v)
                {
                        res_value *c = json_to_value(v, depth + 1);
                        if (!c) {
                                res_value_free(s);
                                return NULL;
                        }
                        res_seq_push(s, c);
                }
                return s;
        }
        case JSON_STRING:
                return res_str_newn(json_string_value(j), json_string_length(j));
        case JSON_INTEGER:
                return res_int_new(json_integer_value(j));
        case JSON_REAL:
                return res_float_new(json_real_value(j));
        case JSON_TRUE:
                return res_bool_new(true);
        case JSON_FALSE:
                return res_bool_new(false);
        case JSON_NULL:
                return res_null_new();
        }
        return NULL;
}

const res_value *
agent_find_object(const res_value *seq, const char *ns, const char *name)
{
        for (uint32_t i = 0; seq && seq->type == RES_SEQ && i < seq->n; i++) {
                const res_value *meta = res_map_get(seq->u.items[i], "metadata");
                if (!strcmp(res_get_str(meta, "name", ""), name) &&
                    !strcmp(res_get_str(meta, "namespace", "default"), ns))
                        return seq->u.items[i];
        }
        return NULL;
}

void
agent_event(exe_agent *a, const agent_pod *p, const char *type, const char *reason, const char *fmt,
            ...)
{
        if (a->n_events >= AGENT_MAX_EVENTS)
                return;
        TM_GROW(a->events, a->cap_events, a->n_events + 1);
        agent_ev *e = &a->events[a->n_events++];
        e->uid = xstrdup(p->uid);
        e->ns = xstrdup(p->ns);
        e->name = xstrdup(p->name);
        e->type = xstrdup(type);
        e->reason = xstrdup(reason);
        va_list ap;
        va_start(ap, fmt);
        e->message = xvasprintf(fmt, ap);
        va_end(ap);
        e->time = tm_wall_s();
        tm_buf q = TM_BUF_INIT;
        tm_buf_put_json_string(&q, e->message, strlen(e->message));
        tm_log(!strcmp(type, "Warning") ? TM_LOG_WARN : TM_LOG_INFO, reason, "pod=%s/%s message=%s",
               p->ns, p->name, q.data);
        tm_buf_free(&q);
}

static void
events_clear(exe_agent *a)
{
        for (size_t i = 0; i < a->n_events; i++) {
                agent_ev *e = &a->events[i];
                free(e->uid);
                free(e->ns);
                free(e->name);
                free(e->type);
                free(e->reason);
                free(e->message);
        }
        a->n_events = 0;
}

static agent_pod *
find_pod(exe_agent *a, const char *uid)
{
        for (size_t i = 0; i < a->n_pods; i++)
                if (!strcmp(a->pods[i].uid, uid))
                        return &a->pods[i];
        return NULL;
}

/* Builds the container table of a pod from its spec. */
static int
pod_init_containers(agent_pod *p, tm_error *err)
{
        const res_value *spec = res_map_get(p->obj, "spec");
        const res_value *lists[2] = {res_map_get(spec, "initContainers"),
                                     res_map_get(spec, "containers")};
        size_t total = 0;
        for (int l = 0; l < 2; l++)
                total += lists[l] && lists[l]->type == RES_SEQ ? lists[l]->n : 0;
        if (total == 0 || total > AGENT_MAX_CONTAINERS)
                return tm_error_set(err, -EINVAL, "pod \"%s/%s\": %zu containers", p->ns, p->name,
                                    total);
        p->cs = xcalloc(total, sizeof(*p->cs));
        for (int l = 0; l < 2; l++) {
                for (uint32_t i = 0; lists[l] && lists[l]->type == RES_SEQ && i < lists[l]->n;
                     i++) {
                        agent_container *c = &p->cs[p->n_cs++];
                        c->spec = lists[l]->u.items[i];
                        c->name = xstrdup(res_get_str(c->spec, "name", ""));
                        c->init = l == 0;
                        c->backoff_ms = AGENT_BACKOFF_MIN_MS;
                        c->start_fd = c->exit_fd = -1;
                }
                if (l == 0)
                        p->n_init = p->n_cs;
        }
        return 0;
}

/* Validates one pod of a NodeDesired message; the object must be a
 * valid Pod with a uid that is safe as a path component. */
static int
pod_from_message(json_t *j, agent_pod *out, tm_error *err)
{
        const char *uid = json_string_value(json_object_get(json_object_get(j, "metadata"), "uid"));
        if (!uid || strlen(uid) < 8 || strlen(uid) > 64 ||
            strspn(uid, "0123456789abcdef-") != strlen(uid))
                return tm_error_set(err, -EPROTO, "a pod without a valid metadata.uid");
        res_value *v = json_to_value(j, 0);
        if (!v)
                return tm_error_set(err, -EPROTO, "pod %s: nesting too deep", uid);
        res_diags diags = RES_DIAGS_INIT;
        res_object *o = NULL;
        int r = res_object_from_value(res_value_clone(v), NULL, &o, &diags);
        if (r < 0 || !o || strcmp(res_object_kind(o), "Pod") != 0) {
                tm_buf b = TM_BUF_INIT;
                if (diags.n)
                        res_diag_format(&diags.items[0], &b);
                r = tm_error_set(err, -EPROTO, "pod %s is not valid: %s", uid,
                                 b.data ? b.data : "not a Pod");
                tm_buf_free(&b);
                res_diags_free(&diags);
                if (o)
                        res_object_unref(o);
                res_value_free(v);
                return r;
        }
        res_diags_free(&diags);
        memset(out, 0, sizeof(*out));
        out->uid = xstrdup(uid);
        out->ns = xstrdup(res_object_namespace(o));
        out->name = xstrdup(res_object_name(o));
        /* Keep the controller's object (uid, nodeName, ownerReferences). */
        out->obj = v;
        res_object_unref(o);
        out->desired = true;
        return pod_init_containers(out, err);
}

static res_value *
seq_from(json_t *msg, const char *key)
{
        json_t *j = json_object_get(msg, key);
        if (!json_is_array(j))
                return res_seq_new();
        res_value *v = json_to_value(j, 0);
        return v ? v : res_seq_new();
}

static bool
path_bound(const exe_agent *a, const char *path)
{
        for (uint32_t k = 0; a->volumes && k < a->volumes->n; k++)
                if (!strcmp(res_get_str(a->volumes->u.items[k], "hostPath", ""), path))
                        return true;
        return false;
}

static bool
path_in_use(const exe_agent *a, const char *path)
{
        if (path_bound(a, path))
                return true;
        for (size_t i = 0; i < a->n_pods; i++)
                for (size_t k = 0; a->pods[i].state != POD_GONE && k < a->pods[i].n_claim_paths;
                     k++)
                        if (!strcmp(a->pods[i].claim_paths[k], path))
                                return true;
        return false;
}

/* New reclaims join the pending ones; a path bound again is no longer
 * ours to reclaim. */
static void
merge_reclaims(exe_agent *a)
{
        for (uint32_t i = 0; a->reclaim && i < a->reclaim->n; i++) {
                const char *path = res_get_str(a->reclaim->u.items[i], "hostPath", NULL);
                bool have = false;
                for (uint32_t k = 0; path && k < a->pending->n; k++)
                        have |= !strcmp(res_get_str(a->pending->u.items[k], "hostPath", ""), path);
                if (path && !have && a->pending->n < AGENT_MAX_PODS)
                        res_seq_push(a->pending, res_value_clone(a->reclaim->u.items[i]));
        }
        uint32_t keep_n = 0;
        for (uint32_t i = 0; i < a->pending->n; i++) {
                res_value *rc = a->pending->u.items[i];
                if (path_bound(a, res_get_str(rc, "hostPath", ""))) {
                        res_value_free(rc);
                        continue;
                }
                a->pending->u.items[keep_n++] = rc;
        }
        a->pending->n = keep_n;
}

/* Applies a parsed and checked message to the agent's state. */
static int
take_message(exe_agent *a, json_t *msg, tm_error *err)
{
        json_t *pods = json_object_get(msg, "pods");
        if (!json_is_array(pods) || json_array_size(pods) > AGENT_MAX_PODS)
                return tm_error_set(err, -EPROTO, "NodeDesired: pods missing or too many");
        agent_pod *incoming = xcalloc(json_array_size(pods) + 1, sizeof(*incoming));
        size_t n_in = 0, i;
        json_t *jp;
        int r = 0;
        json_array_foreach(pods, i, jp)
        {
                if ((r = pod_from_message(jp, &incoming[n_in], err)) < 0)
                        break;
                n_in++;
        }
        if (r < 0) {
                for (size_t k = 0; k < n_in; k++)
                        agent_pod_free(&incoming[k]);
                free(incoming);
                return tm_error_wrap(err, "NodeDesired");
        }
        /* Whole message accepted: swap it in. */
        res_value_free(a->configmaps);
        res_value_free(a->secrets);
        res_value_free(a->volumes);
        res_value_free(a->reclaim);
        a->configmaps = seq_from(msg, "configMaps");
        a->secrets = seq_from(msg, "secrets");
        a->volumes = seq_from(msg, "volumes");
        a->reclaim = seq_from(msg, "reclaim");
        merge_reclaims(a);
        a->generation = json_integer_value(json_object_get(msg, "generation"));
        for (size_t k = 0; k < a->n_pods; k++)
                a->pods[k].desired = false;
        for (size_t k = 0; k < n_in; k++) {
                agent_pod *have = find_pod(a, incoming[k].uid);
                if (have) {
                        have->desired = true;
                        agent_pod_free(&incoming[k]);
                        continue;
                }
                TM_GROW(a->pods, a->cap_pods, a->n_pods + 1);
                a->pods[a->n_pods++] = incoming[k];
        }
        free(incoming);
        a->have_desired = true;
        /* ConfigMap and Secret changes reach mounted volumes in place. */
        for (size_t k = 0; k < a->n_pods; k++)
                if (a->pods[k].desired && a->pods[k].state == POD_READY_TO_RUN)
                        agent_volumes_refresh(a, &a->pods[k]);
        return 0;
}

static int
parse_message(const char *json, size_t len, json_t **out, tm_error *err)
{
        if (len > EXE_AGENT_MAX_MESSAGE)
                return tm_error_set(err, -EMSGSIZE, "NodeDesired of %zu bytes is over the limit",
                                    len);
        json_error_t je;
        json_t *msg = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
        if (!msg)
                return tm_error_set(err, -EPROTO, "NodeDesired: %s at line %d", je.text, je.line);
        const char *kind = json_string_value(json_object_get(msg, "kind"));
        if (!json_is_object(msg) || !kind || strcmp(kind, "NodeDesired") != 0) {
                json_decref(msg);
                return tm_error_set(err, -EPROTO, "not a NodeDesired message");
        }
        *out = msg;
        return 0;
}

/* The desired state is kept on disk without secret data; the secrets go
 * to the tmpfs, so a restarted agent has both and the disk has none. */
static int
persist(exe_agent *a, json_t *msg, tm_error *err)
{
        json_t *secrets = json_object_get(msg, "secrets");
        json_incref(secrets);
        json_object_set_new(msg, "secrets", json_array());
        char *text = json_dumps(msg, JSON_COMPACT);
        json_object_set_new(msg, "secrets", secrets ? secrets : json_array());
        _cleanup_free_ char *path = xasprintf("%s/%s", a->dir, DESIRED_FILE);
        int r = tm_file_write_atomic(path, text, strlen(text), 0600, err);
        free(text);
        if (r < 0)
                return r;
        json_t *sec = json_pack("{s:O}", "secrets", secrets ? secrets : json_null());
        text = json_dumps(sec, JSON_COMPACT);
        json_decref(sec);
        _cleanup_free_ char *spath = xasprintf("%s/%s", a->secrets_dir, SECRETS_FILE);
        r = tm_file_write_atomic(spath, text, strlen(text), 0600, err);
        explicit_bzero(text, strlen(text));
        free(text);
        return r;
}

int
exe_agent_set_desired(exe_agent *a, const char *json, size_t len, tm_error *err)
{
        json_t *msg = NULL;
        int r = parse_message(json, len, &msg, err);
        if (r < 0)
                return r;
        json_int_t gen = json_integer_value(json_object_get(msg, "generation"));
        if (a->have_desired && gen == a->generation) {
                json_decref(msg);
                return 0;
        }
        if ((r = take_message(a, msg, err)) == 0)
                r = persist(a, msg, err);
        json_decref(msg);
        return r;
}

static int
load_persisted(exe_agent *a, tm_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", a->dir, DESIRED_FILE);
        char *text = NULL;
        size_t len = 0;
        int r = tm_file_read(path, EXE_AGENT_MAX_MESSAGE, &text, &len, err);
        if (r == -ENOENT) {
                tm_error_clear(err);
                return 0;
        }
        if (r < 0)
                return r;
        json_t *msg = NULL;
        r = parse_message(text, len, &msg, err);
        free(text);
        if (r < 0)
                return tm_error_wrap(err, "\"%s\"", path);
        _cleanup_free_ char *spath = xasprintf("%s/%s", a->secrets_dir, SECRETS_FILE);
        if (tm_file_read(spath, EXE_AGENT_MAX_MESSAGE, &text, &len, NULL) == 0) {
                json_t *s = json_loadb(text, len, 0, NULL);
                explicit_bzero(text, len);
                free(text);
                if (s && json_is_array(json_object_get(s, "secrets")))
                        json_object_set(msg, "secrets", json_object_get(s, "secrets"));
                json_decref(s);
        }
        r = take_message(a, msg, err);
        json_decref(msg);
        if (r == 0)
                for (size_t i = 0; i < a->n_pods; i++)
                        agent_pod_readopt(a, &a->pods[i]);
        return r;
}

int
exe_agent_open(exe_agent **out, const exe_agent_options *opts, tm_error *err)
{
        exe_agent *a = xcalloc(1, sizeof(*a));
        a->o = *opts;
        a->dir = xasprintf("%s/agent", opts->state_dir);
        /* Per state directory: two agents on one machine never share it. */
        a->secrets_dir = opts->secrets_dir ? xstrdup(opts->secrets_dir)
                                           : xasprintf("%s/agent/secrets", opts->state_dir);
        a->configmaps = res_seq_new();
        a->secrets = res_seq_new();
        a->epfd = epoll_create1(EPOLL_CLOEXEC);
        a->volumes = res_seq_new();
        a->reclaim = res_seq_new();
        int r;
        a->pending = res_seq_new();
        if (a->epfd < 0) {
                r = tm_error_errno(err, -errno, "agent: epoll");
                exe_agent_close(a);
                return r;
        }
        if ((r = tm_mkdir_p(a->dir, 0700, err)) < 0 ||
            (r = agent_ensure_tmpfs(a->secrets_dir, "16m", err)) < 0 ||
            (r = load_persisted(a, err)) < 0) {
                tm_error_wrap(err, "agent");
                exe_agent_close(a);
                return r;
        }
        *out = a;
        return 0;
}

void
agent_wait_fd(exe_agent *a, int fd)
{
        if (fd < 0)
                return;
        TM_GROW(a->want, a->cap_want, a->n_want + 1);
        a->want[a->n_want++] = fd;
}

/* The events of the last wake-up: one-shot registrations, re-armed by
 * wake_arm for what is still awaited. Reading them keeps the epoll fd
 * from staying readable (the loop would spin). */
static void
wake_drain(exe_agent *a)
{
        struct epoll_event evs[64];
        int n;
        while ((n = epoll_wait(a->epfd, evs, TM_ARRAY_SIZE(evs), 0)) == (int)TM_ARRAY_SIZE(evs))
                ;
}

/* Registers what this pass waits for (one-shot, so an fd that was closed
 * while another process still held it can fire once at most) and drops
 * what it no longer waits for. */
static void
wake_arm(exe_agent *a)
{
        for (size_t i = 0; i < a->n_armed; i++) {
                bool still = false;
                for (size_t k = 0; k < a->n_want && !still; k++)
                        still = a->want[k] == a->armed[i];
                if (!still)
                        (void)epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->armed[i], NULL);
        }
        a->n_armed = 0;
        for (size_t k = 0; k < a->n_want; k++) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.fd = a->want[k]};
                if (epoll_ctl(a->epfd, EPOLL_CTL_MOD, a->want[k], &ev) < 0 &&
                    (errno != ENOENT || epoll_ctl(a->epfd, EPOLL_CTL_ADD, a->want[k], &ev) < 0))
                        continue;
                TM_GROW(a->armed, a->cap_armed, a->n_armed + 1);
                a->armed[a->n_armed++] = a->want[k];
        }
}

/* Sandboxes of pods the desired state no longer has (a crash left them, or
 * they were removed while the agent was down) are cleaned up. */
static void
gc_orphans(exe_agent *a)
{
        char **uids = NULL;
        size_t n = 0;
        tm_error err = {0};
        if (exe_sandbox_list(a->o.runtime, &uids, &n, &err) < 0) {
                tm_warn("list sandboxes", "error=\"%s\"", err.msg);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                if (!find_pod(a, uids[i])) {
                        /* Not ours to keep: adopt it as a pod to terminate. */
                        TM_GROW(a->pods, a->cap_pods, a->n_pods + 1);
                        agent_pod *p = &a->pods[a->n_pods++];
                        memset(p, 0, sizeof(*p));
                        p->uid = xstrdup(uids[i]);
                        p->ns = xstrdup("");
                        p->name = xstrdup(uids[i]);
                        p->obj = res_map_new();
                        p->desired = false;
                        p->state = POD_TERMINATING;
                        char **names = NULL;
                        size_t nn = 0;
                        if (exe_container_list(a->o.runtime, uids[i], &names, &nn, &err) == 0) {
                                p->cs = xcalloc(nn ? nn : 1, sizeof(*p->cs));
                                for (size_t k = 0; k < nn; k++) {
                                        p->cs[p->n_cs].name = names[k];
                                        p->cs[p->n_cs].backoff_ms = AGENT_BACKOFF_MIN_MS;
                                        p->cs[p->n_cs].start_fd = -1;
                                        p->cs[p->n_cs].exit_fd = -1;
                                        p->n_cs++;
                                }
                                free(names);
                        }
                        tm_info("cleaning up an orphaned sandbox", "uid=%s", uids[i]);
                }
                free(uids[i]);
        }
        free(uids);
        /* Addresses and links without a live pod. */
        const char **live = xcalloc(a->n_pods + 1, sizeof(*live));
        size_t nl = 0;
        for (size_t i = 0; i < a->n_pods; i++)
                if (a->pods[i].state != POD_GONE)
                        live[nl++] = a->pods[i].uid;
        if (net_podnet_gc(a->o.net, live, nl, &err) < 0)
                tm_warn("network clean-up", "error=\"%s\"", err.msg);
        free(live);
}

int
exe_agent_reconcile(exe_agent *a, uint64_t *next_ms, tm_error *err)
{
        uint64_t now = tm_now_ms();
        uint64_t next = now + 2000;
        if (!a->have_desired) {
                *next_ms = next;
                return 0;
        }
        if (!a->gc_done) {
                gc_orphans(a);
                a->gc_done = true;
        }
        wake_drain(a);
        exe_runtime_reap(a->o.runtime);
        a->n_want = 0;
        for (size_t i = 0; i < a->n_pods; i++)
                agent_pod_step(a, &a->pods[i], now, &next);
        /* Released volumes, once no pod (terminating ones included) uses them. */
        uint32_t keep_n = 0;
        for (uint32_t i = 0; a->pending && i < a->pending->n; i++) {
                res_value *rc = a->pending->u.items[i];
                const char *path = res_get_str(rc, "hostPath", NULL);
                if (path && path_in_use(a, path)) {
                        a->pending->u.items[keep_n++] = rc;
                        continue;
                }
                tm_error e2 = {0};
                if (path && agent_reclaim(a, path, res_get_str(rc, "policy", ""), &e2) < 0)
                        tm_warn("reclaim volume", "path=\"%s\" error=\"%s\"", path, e2.msg);
                res_value_free(rc);
        }
        if (a->pending)
                a->pending->n = keep_n;
        if (keep_n && now + 1000 < next)
                next = now + 1000;
        /* Forget pods that are gone. */
        size_t k = 0;
        for (size_t i = 0; i < a->n_pods; i++) {
                if (a->pods[i].state == POD_GONE) {
                        if (!a->pods[i].desired && a->n_removed < AGENT_MAX_REMOVED) {
                                TM_GROW(a->removed, a->cap_removed, a->n_removed + 1);
                                a->removed[a->n_removed++] = xstrdup(a->pods[i].uid);
                        }
                        agent_pod_free(&a->pods[i]);
                        continue;
                }
                a->pods[k++] = a->pods[i];
        }
        a->n_pods = k;
        wake_arm(a);
        *next_ms = next;
        (void)err;
        return 0;
}

int
exe_agent_fd(const exe_agent *a)
{
        return a->epfd;
}

char *
exe_agent_take_status(exe_agent *a)
{
        json_t *pods = json_array();
        for (size_t i = 0; i < a->n_pods; i++) {
                agent_pod *p = &a->pods[i];
                if (!p->desired)
                        continue;
                tm_buf b = TM_BUF_INIT;
                agent_pod_status(a, p, &b);
                if (p->status_sent && !strcmp(p->status_sent, b.data)) {
                        tm_buf_free(&b);
                        continue;
                }
                json_t *st = json_loads(b.data, 0, NULL);
                free(p->status_sent);
                p->status_sent = tm_buf_steal(&b);
                if (!st)
                        continue;
                json_array_append_new(pods,
                                      json_pack("{s:s, s:s, s:s, s:o}", "uid", p->uid, "namespace",
                                                p->ns, "name", p->name, "status", st));
        }
        if (json_array_size(pods) == 0 && a->n_events == 0 && a->n_removed == 0) {
                json_decref(pods);
                return NULL;
        }
        json_t *removed = json_array();
        for (size_t i = 0; i < a->n_removed; i++) {
                json_array_append_new(removed, json_string(a->removed[i]));
                free(a->removed[i]);
        }
        a->n_removed = 0;
        json_t *evs = json_array();
        for (size_t i = 0; i < a->n_events; i++) {
                agent_ev *e = &a->events[i];
                json_array_append_new(evs, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i}",
                                                     "podUID", e->uid, "namespace", e->ns, "name",
                                                     e->name, "type", e->type, "reason", e->reason,
                                                     "message", e->message, "time",
                                                     (json_int_t)e->time, "count", 1));
        }
        events_clear(a);
        json_t *msg =
            json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "apiVersion", "timone/v1", "kind",
                      "NodeStatus", "node", a->o.node_name ? a->o.node_name : "local", "generation",
                      (json_int_t)a->generation, "pods", pods, "events", evs, "removed", removed);
        char *text = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
        return text;
}

void
exe_agent_close(exe_agent *a)
{
        if (!a)
                return;
        for (size_t i = 0; i < a->n_pods; i++)
                agent_pod_free(&a->pods[i]);
        for (size_t i = 0; i < a->n_removed; i++)
                free(a->removed[i]);
        free(a->removed);
        free(a->pods);
        events_clear(a);
        free(a->events);
        res_value_free(a->configmaps);
        res_value_free(a->secrets);
        res_value_free(a->volumes);
        res_value_free(a->reclaim);
        res_value_free(a->pending);
        free(a->dir);
        free(a->secrets_dir);
        if (a->epfd >= 0)
                close(a->epfd);
        free(a->want);
        free(a->armed);
        free(a);
}
