/* One pod's lifecycle on the node: sandbox, network and volumes first,
 * then init containers in order, then the app containers, restarted by
 * restartPolicy with Kubernetes' back-off; a graceful stop (SIGTERM, the
 * grace period, SIGKILL) and clean-up when the pod goes. */
#include "executors/agent-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "resources/quantity.h"

static void
set_waiting(agent_container *c, const char *reason, const char *msg)
{
        agent_copy_trunc(c->waiting_reason, sizeof(c->waiting_reason), reason ? reason : "");
        agent_copy_trunc(c->waiting_message, sizeof(c->waiting_message), msg ? msg : "");
}

/* A waiting reason with a Warning event, the event only when it changed:
 * retries every few seconds must not add an event (and a write) each. */
static void
wait_event(exe_agent *a, agent_pod *p, agent_container *c, const char *reason, const char *ev,
           const char *msg)
{
        char m[sizeof(c->waiting_message)];
        agent_copy_trunc(m, sizeof(m), msg);
        bool same = !strcmp(c->waiting_reason, reason) && !strcmp(c->waiting_message, m);
        set_waiting(c, reason, msg);
        if (!same)
                agent_event(a, p, "Warning", ev, "%s%s",
                            strcmp(ev, "Failed") ? "" : "Error: ", msg);
}

const char *
agent_restart_policy(const agent_pod *p)
{
        return res_get_str(res_map_get(p->obj, "spec"), "restartPolicy", "Always");
}

void
agent_pod_free(agent_pod *p)
{
        free(p->uid);
        free(p->ns);
        free(p->name);
        res_value_free(p->obj);
        exe_sandbox_clear(&p->sb);
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_probe_container_ended(&p->cs[i]);
                free(p->cs[i].name);
                if (p->cs[i].starting)
                        close(p->cs[i].start_fd);
                if (p->cs[i].exit_fd >= 0)
                        close(p->cs[i].exit_fd);
                exe_removal_free(p->cs[i].rm);
        }
        free(p->cs);
        free(p->status_sent);
        for (size_t i = 0; i < p->n_claim_paths; i++)
                free(p->claim_paths[i]);
        free(p->claim_paths);
        memset(p, 0, sizeof(*p));
}

static void
free_strv(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static int64_t
quantity_of(const res_value *m, const char *key, bool milli)
{
        const char *s = res_get_str(m, key, NULL);
        res_quantity q;
        if (!s || res_quantity_parse(s, &q) < 0)
                return 0;
        return milli ? res_quantity_milli_value(&q) : res_quantity_value(&q);
}

/* command/args over the image's ENTRYPOINT/CMD, as Kubernetes does. */
static char **
build_argv(const res_value *c, const exe_image_config *ic, size_t *n)
{
        const res_value *cmd = res_map_get(c, "command");
        const res_value *args = res_map_get(c, "args");
        char **v = NULL;
        size_t cap = 0, k = 0;
#define PUSH(s)                                                                                    \
        do {                                                                                       \
                TM_GROW(v, cap, k + 2);                                                            \
                v[k++] = xstrdup(s);                                                               \
        } while (0)
        if (cmd && cmd->type == RES_SEQ && cmd->n) {
                for (uint32_t i = 0; i < cmd->n; i++)
                        PUSH(cmd->u.items[i]->type == RES_STR ? cmd->u.items[i]->u.s : "");
        } else {
                for (char **e = ic ? ic->entrypoint : NULL; e && *e; e++)
                        PUSH(*e);
        }
        if (args && args->type == RES_SEQ) {
                for (uint32_t i = 0; i < args->n; i++)
                        PUSH(args->u.items[i]->type == RES_STR ? args->u.items[i]->u.s : "");
        } else if (!(cmd && cmd->type == RES_SEQ && cmd->n)) {
                for (char **e = ic ? ic->cmd : NULL; e && *e; e++)
                        PUSH(*e);
        }
#undef PUSH
        if (v)
                v[k] = NULL;
        *n = k;
        return v;
}

static int
strv_from_seq(const res_value *s, char ***out)
{
        size_t n = s && s->type == RES_SEQ ? s->n : 0;
        char **v = xcalloc(n + 1, sizeof(*v));
        for (size_t i = 0; i < n; i++)
                v[i] = xstrdup(s->u.items[i]->type == RES_STR ? s->u.items[i]->u.s : "");
        *out = v;
        return (int)n;
}

/* Resolves the image by imagePullPolicy; waiting reasons as the kubelet's. */
static int
resolve_image(exe_agent *a, agent_pod *p, agent_container *c, char **id)
{
        const char *image = res_get_str(c->spec, "image", "");
        const char *policy = res_get_str(c->spec, "imagePullPolicy", "IfNotPresent");
        tm_error err = {0};
        int r = exe_image_resolve(a->o.images, image, id, &err);
        if (r == 0)
                return 0;
        if (r != -ENOENT) {
                wait_event(a, p, c, "InvalidImageName", "InspectFailed", err.msg);
                return r;
        }
        if (!strcmp(policy, "Never")) {
                char msg[256];
                snprintf(msg, sizeof(msg),
                         "Container image \"%s\" is not present with pull policy of Never", image);
                if (strcmp(c->waiting_reason, "ErrImageNeverPull") != 0)
                        agent_event(a, p, "Warning", "ErrImageNeverPull", "%s", msg);
                set_waiting(c, "ErrImageNeverPull", msg);
        } else {
                char msg[320];
                snprintf(msg, sizeof(msg),
                         "Back-off pulling image \"%s\": not in the node's image store, and "
                         "pulling from registries is not supported yet (use `timone image "
                         "import`)",
                         image);
                if (strcmp(c->waiting_reason, "ImagePullBackOff") != 0)
                        agent_event(a, p, "Warning", "Failed", "Failed to pull image \"%s\"",
                                    image);
                set_waiting(c, "ImagePullBackOff", msg);
        }
        return r;
}

static int64_t
sc_int(const res_value *csc, const res_value *psc, const char *key, int64_t fb)
{
        const res_value *v = res_map_get(csc, key);
        if (v && v->type == RES_INT)
                return v->u.i;
        v = res_map_get(psc, key);
        return v && v->type == RES_INT ? v->u.i : fb;
}

static int
start_container(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now)
{
        tm_error err = {0};
        _cleanup_free_ char *id = NULL;
        if (resolve_image(a, p, c, &id) < 0)
                return -EAGAIN;
        exe_image_config *ic = NULL;
        if (exe_image_config_get(a->o.images, id, &ic, &err) < 0) {
                set_waiting(c, "CreateContainerError", err.msg);
                return -EIO;
        }
        const res_value *psc = res_get(p->obj, "spec", "securityContext", NULL);
        const res_value *csc = res_map_get(c->spec, "securityContext");
        bool privileged = res_get_bool(csc, "privileged", false);
        char **argv = NULL, **env = NULL, **strings = NULL, **cap_add = NULL, **cap_drop = NULL;
        size_t n_argv = 0, n_env = 0, n_strings = 0, n_mounts = 0;
        exe_mount *mounts = NULL;
        char *rootfs = NULL;
        _cleanup_free_ char *cdir = NULL, *user_spec = NULL;
        int r = 0;
        char reason[48] = "";
        if (privileged && !a->o.allow_privileged) {
                set_waiting(c, "CreateContainerConfigError",
                            "privileged containers are not allowed on this node "
                            "(timone serve --allow-privileged)");
                r = -EPERM;
                goto out;
        }
        argv = build_argv(c->spec, ic, &n_argv);
        if (n_argv == 0) {
                set_waiting(c, "CreateContainerConfigError",
                            "no command: the container and its image name none");
                r = -EINVAL;
                goto out;
        }
        if ((r = agent_container_env(a, p, c->spec, ic->env, &env, &n_env, reason, sizeof(reason),
                                     &err)) < 0) {
                wait_event(a, p, c, reason[0] ? reason : "CreateContainerConfigError", "Failed",
                           err.msg);
                goto out;
        }
        /* command and args see the container's env as $(VAR). */
        for (size_t i = 0; i < n_argv; i++) {
                char *x = agent_env_expand(env, argv[i]);
                free(argv[i]);
                argv[i] = x;
        }
        if ((r = agent_container_mounts(a, p, c->spec, &mounts, &n_mounts, &strings, &n_strings,
                                        &err)) < 0) {
                wait_event(a, p, c, "CreateContainerConfigError", "Failed", err.msg);
                goto out;
        }
        cdir = xasprintf("%s/containers/%s", p->sb.dir, c->name);
        if ((r = tm_mkdir_p(cdir, 0700, &err)) < 0 ||
            (r = exe_image_mount_rootfs(a->o.images, id, cdir, &rootfs, &err)) < 0) {
                set_waiting(c, "CreateContainerError", err.msg);
                goto out;
        }
        const res_value *caps = res_map_get(csc, "capabilities");
        strv_from_seq(res_map_get(caps, "add"), &cap_add);
        strv_from_seq(res_map_get(caps, "drop"), &cap_drop);
        const res_value *limits = res_get(c->spec, "resources", "limits", NULL);
        const res_value *requests = res_get(c->spec, "resources", "requests", NULL);
        int64_t cpu_limit = quantity_of(limits, "cpu", true);
        int64_t cpu_req = quantity_of(requests, "cpu", true);
        /* The user: runAsUser, else the image's USER (names through the
         * image's own /etc/passwd, as containerd does); runAsGroup over
         * the group; runAsNonRoot checked as the kubelet does. */
        bool has_uid = res_map_get(csc, "runAsUser") || res_map_get(psc, "runAsUser");
        bool has_gid = res_map_get(csc, "runAsGroup") || res_map_get(psc, "runAsGroup");
        user_spec = has_uid ? xasprintf("%lld", (long long)sc_int(csc, psc, "runAsUser", 0))
                            : xstrdup(ic->user ? ic->user : "");
        uint32_t uid = 0, gid = 0;
        bool named = false;
        char why[TM_ERROR_MSG_MAX] = "";
        if (exe_image_user_lookup(rootfs, user_spec, &uid, &gid, &named, &err) < 0)
                snprintf(why, sizeof(why), "%s", err.msg);
        if (has_gid)
                gid = (uint32_t)sc_int(csc, psc, "runAsGroup", 0);
        bool non_root = res_map_get(csc, "runAsNonRoot") ? res_get_bool(csc, "runAsNonRoot", false)
                                                         : res_get_bool(psc, "runAsNonRoot", false);
        if (!why[0] && non_root && has_uid && uid == 0)
                snprintf(why, sizeof(why),
                         "container's runAsUser breaks non-root policy (pod: \"%s_%s(%s)\", "
                         "container: %s)",
                         p->name, p->ns, p->uid, c->name);
        else if (!why[0] && non_root && named)
                snprintf(why, sizeof(why),
                         "container has runAsNonRoot and image has non-numeric user (%s), cannot "
                         "verify user is non-root (pod: \"%s_%s(%s)\", container: %s)",
                         user_spec, p->name, p->ns, p->uid, c->name);
        else if (!why[0] && non_root && uid == 0)
                snprintf(why, sizeof(why),
                         "container has runAsNonRoot and image will run as root (pod: "
                         "\"%s_%s(%s)\", container: %s)",
                         p->name, p->ns, p->uid, c->name);
        if (why[0]) {
                /* The root stays mounted for the next try; the pod's
                 * clean-up unmounts it. */
                wait_event(a, p, c, "CreateContainerConfigError", "Failed", why);
                r = -EPERM;
                goto out;
        }
        const char *wd = res_get_str(c->spec, "workingDir", NULL);
        exe_container_spec spec = {
            .pod_uid = p->uid,
            .name = c->name,
            .rootfs = rootfs,
            .args = (const char *const *)argv,
            .env = (const char *const *)env,
            .cwd = wd ? wd : (ic->workdir && *ic->workdir ? ic->workdir : "/"),
            .uid = uid,
            .gid = gid,
            .read_only_rootfs = res_get_bool(csc, "readOnlyRootFilesystem", false),
            .privileged = privileged,
            .cap_add = (const char *const *)cap_add,
            .cap_drop = (const char *const *)cap_drop,
            .no_new_privileges = !res_get_bool(csc, "allowPrivilegeEscalation", true),
            .mounts = mounts,
            .n_mounts = n_mounts,
            .sandbox = &p->sb,
            .hostname = res_get_str(res_map_get(p->obj, "spec"), "hostname", p->name),
            .memory_limit = quantity_of(limits, "memory", false),
            .cpu_quota_us = cpu_limit > 0 ? cpu_limit * 100 : 0,
            .cpu_period_us = cpu_limit > 0 ? 100000 : 0,
            .cpu_shares = cpu_req > 0 ? (cpu_req * 1024 / 1000 < 2 ? 2 : cpu_req * 1024 / 1000) : 0,
            .pids_limit = AGENT_DEFAULT_PIDS,
            .attempt = c->restarts,
        };
        /* The shim reports on start_fd; the loop goes on meanwhile. */
        int fd = -1;
        if ((r = exe_container_start_begin(a->o.runtime, &spec, &fd, &err)) < 0) {
                wait_event(a, p, c, "RunContainerError", "Failed", err.msg);
                exe_image_unmount_rootfs(cdir, NULL);
                goto out;
        }
        agent_copy_trunc(c->image_id, sizeof(c->image_id), id);
        c->starting = true;
        c->start_fd = fd;
        (void)now;
out:
        free(rootfs);
        free_strv(argv, n_argv);
        free_strv(env, n_env);
        free_strv(strings, n_strings);
        for (char **s = cap_add; s && *s; s++)
                free(*s);
        free(cap_add);
        for (char **s = cap_drop; s && *s; s++)
                free(*s);
        free(cap_drop);
        free(mounts);
        exe_image_config_free(ic);
        return r;
}

/* A start that failed where the runtime ran (RunContainerError) or could
 * not be set up (CreateContainerError) is retried after the back-off of a
 * crash (10 s doubling to 5 min); the waiting reason stays the failure's
 * and its message says when the next try is. */
static void
start_backoff(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now)
{
        c->start_failed = true;
        c->retry_at = now + c->backoff_ms;
        char msg[sizeof(c->waiting_message) + 256];
        snprintf(msg, sizeof(msg), "back-off %llus restarting failed container=%s pod=%s: %s",
                 (unsigned long long)(c->backoff_ms / 1000), c->name, p->name, c->waiting_message);
        agent_event(a, p, "Warning", "BackOff", "Back-off restarting failed container %s", c->name);
        agent_copy_trunc(c->waiting_message, sizeof(c->waiting_message), msg);
        c->backoff_ms =
            c->backoff_ms * 2 > AGENT_BACKOFF_MAX_MS ? AGENT_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

/* The shim's report of a start begun by start_container (blocks until
 * it comes: called once the loop says it is there, or on a stop). */
static void
start_done(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now)
{
        tm_error err = {0};
        int fd = c->start_fd;
        c->starting = false;
        c->start_fd = -1;
        if (exe_container_start_finish(a->o.runtime, c->name, fd, &err) < 0) {
                wait_event(a, p, c, "RunContainerError", "Failed", err.msg);
                if (!c->started_once)
                        start_backoff(a, p, c, now); /* restarts: handle_exit's back-off */
                _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", p->sb.dir, c->name);
                exe_image_unmount_rootfs(cdir, NULL);
                return;
        }
        c->start_failed = false;
        if (!c->started_once)
                agent_event(a, p, "Normal", "Pulled",
                            "Container image \"%s\" already present on machine",
                            res_get_str(c->spec, "image", ""));
        agent_event(a, p, "Normal", "Created", "Created container %s", c->name);
        agent_event(a, p, "Normal", "Started", "Started container %s", c->name);
        c->started_once = true;
        c->running = true;
        c->running_since = now;
        set_waiting(c, "", "");
        memset(&c->cur, 0, sizeof(c->cur));
        c->cur.state = EXE_C_RUNNING;
        c->cur.started_at = tm_wall_s();
        agent_probe_container_started(a, p, c);
}

/* True while the container's start is still under way. */
static bool
still_starting(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next)
{
        if (!c->starting)
                return false;
        struct pollfd pfd = {.fd = c->start_fd, .events = POLLIN};
        if (poll(&pfd, 1, 0) == 0) {
                /* The loop wakes us when the shim reports; the timer is
                 * only a safety net. */
                agent_wait_fd(a, c->start_fd);
                if (now + 1000 < *next)
                        *next = now + 1000;
                return true;
        }
        start_done(a, p, c, now);
        return false;
}

/* A first start; while it fails, not more often than its back-off (a
 * failed runtime start or container setup) or every 2 s (waiting for an
 * image, a ConfigMap or Secret: starts as soon as it is there). */
static void
try_start(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next)
{
        if (now >= c->retry_at) {
                int r = start_container(a, p, c, now);
                if (r < 0 && (!strcmp(c->waiting_reason, "RunContainerError") ||
                              !strcmp(c->waiting_reason, "CreateContainerError")))
                        start_backoff(a, p, c, now);
                else if (r < 0)
                        c->retry_at = now + 2000;
        }
        if (!c->starting && c->retry_at > now && c->retry_at < *next)
                *next = c->retry_at;
        if (c->starting) {
                agent_wait_fd(a, c->start_fd);
                if (now + 1000 < *next)
                        *next = now + 1000;
        }
}

/* Reads what the runtime and the shim say of a started container. */
static void
observe(exe_agent *a, agent_pod *p, agent_container *c)
{
        if (!c->started_once || c->starting)
                return;
        exe_container_status st;
        tm_error err = {0};
        if (exe_container_status_get(a->o.runtime, p->uid, c->name, &st, &err) < 0)
                return;
        if (st.state == EXE_C_RUNNING || st.state == EXE_C_CREATED) {
                c->running = true;
                c->cur = st;
                return;
        }
        if (st.state == EXE_C_UNKNOWN && !c->running)
                return;
        if (c->running) {
                /* It ended now. */
                if (st.state == EXE_C_UNKNOWN) {
                        memset(&st, 0, sizeof(st));
                        st.state = EXE_C_EXITED;
                        st.exit_code = 255;
                        snprintf(st.reason, sizeof(st.reason), "Unknown");
                }
                c->running = false;
                agent_probe_container_ended(c);
                c->cur = st;
                if (st.oom_killed)
                        agent_event(a, p, "Warning", "OOMKilled",
                                    "Container %s was killed at its memory limit", c->name);
        }
}

static bool
should_restart(const agent_pod *p, const agent_container *c)
{
        const char *policy = agent_restart_policy(p);
        if (c->init)
                return c->cur.exit_code != 0 && strcmp(policy, "Never") != 0;
        if (!strcmp(policy, "Always"))
                return true;
        if (!strcmp(policy, "OnFailure"))
                return c->cur.exit_code != 0;
        return false;
}

/* An ended container: restart it after its back-off, or leave it. */
static void
handle_exit(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next)
{
        if (c->init && c->cur.exit_code == 0) {
                c->done = true;
                return;
        }
        if (!should_restart(p, c)) {
                if (c->cur.exit_code != 0 || c->init)
                        p->failed = true;
                return;
        }
        /* As the kubelet: the first restart at once, then 10 s, 20 s, ...
         * up to 5 min; after 10 min of running, at once again. */
        if (c->backoff_until == 0 && c->running_since &&
            now - c->running_since >= AGENT_BACKOFF_RESET_MS) {
                c->backoff_ms = AGENT_BACKOFF_MIN_MS;
                c->backoff_armed = false;
        }
        if (c->backoff_until == 0 && !c->backoff_armed)
                c->backoff_until = now;
        if (c->backoff_until == 0) {
                c->backoff_until = now + c->backoff_ms;
                char msg[160];
                snprintf(msg, sizeof(msg), "back-off %llus restarting failed container=%s pod=%s",
                         (unsigned long long)(c->backoff_ms / 1000), c->name, p->name);
                set_waiting(c, "CrashLoopBackOff", msg);
                agent_event(a, p, "Warning", "BackOff", "Back-off restarting failed container %s",
                            c->name);
        }
        if (now < c->backoff_until) {
                if (c->backoff_until < *next)
                        *next = c->backoff_until;
                return;
        }
        tm_error err = {0};
        _cleanup_free_ char *cdir = xasprintf("%s/containers/%s", p->sb.dir, c->name);
        if (exe_container_remove(a->o.runtime, p->uid, c->name, true, &err) < 0)
                tm_warn("remove container", "pod=%s/%s container=%s error=\"%s\"", p->ns, p->name,
                        c->name, err.msg);
        exe_image_unmount_rootfs(cdir, NULL);
        tm_rm_rf(cdir, NULL); /* a restarted container starts from a fresh root */
        c->last = c->cur;
        c->have_last = true;
        c->restarts++;
        c->backoff_until = 0;
        if (c->backoff_armed)
                c->backoff_ms = c->backoff_ms * 2 > AGENT_BACKOFF_MAX_MS ? AGENT_BACKOFF_MAX_MS
                                                                         : c->backoff_ms * 2;
        c->backoff_armed = true;
        if (start_container(a, p, c, now) < 0 && now + 2000 < *next)
                *next = now + 2000;
}

/* Removes the containers (the runtime's deletes of every container of
 * every stopping pod run at once, in the background), then the pod's
 * volumes, network and sandbox. */
static void
cleanup(exe_agent *a, agent_pod *p, uint64_t now, uint64_t *next)
{
        tm_error err = {0};
        /* Its containers have ended: the network goes while the runtime
         * deletes them (deleting a veth waits on the kernel). */
        if (p->ip[0]) {
                if (net_pod_detach(a->o.net, p->uid, &err) < 0)
                        tm_warn("detach pod network", "uid=%s error=\"%s\"", p->uid, err.msg);
                tm_error_clear(&err);
                p->ip[0] = '\0';
        }
        bool busy = false;
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                if (c->removed)
                        continue;
                int r = c->rm ? 0
                              : exe_container_remove_begin(a->o.runtime, p->uid, c->name, true,
                                                           &c->rm, &err);
                if (r == 0)
                        r = exe_container_remove_step(a->o.runtime, c->rm, &err);
                if (r == 0) {
                        agent_wait_fd(a, exe_removal_fd(c->rm));
                        busy = true;
                        continue;
                }
                c->rm = NULL; /* freed by step or never made */
                c->removed = true;
                if (r < 0)
                        tm_warn("remove container", "pod=%s/%s container=%s error=\"%s\"", p->ns,
                                p->name, c->name, err.msg);
                tm_error_clear(&err);
                if (p->sb.dir) {
                        _cleanup_free_ char *cdir =
                            xasprintf("%s/containers/%s", p->sb.dir, c->name);
                        exe_image_unmount_rootfs(cdir, NULL);
                }
        }
        if (busy) {
                /* Woken when a delete ends; the wait for a shim is bounded
                 * by time. */
                if (now + 100 < *next)
                        *next = now + 100;
                return;
        }
        agent_volumes_teardown(a, p);
        if (net_pod_detach(a->o.net, p->uid, &err) < 0)
                tm_warn("detach pod network", "uid=%s error=\"%s\"", p->uid, err.msg);
        tm_error_clear(&err);
        if (exe_sandbox_destroy(a->o.runtime, p->uid, &err) < 0)
                tm_warn("destroy sandbox", "uid=%s error=\"%s\"", p->uid, err.msg);
        tm_info("pod removed", "pod=%s/%s uid=%s", p->ns, p->name, p->uid);
        p->state = POD_GONE;
}

/* Whether any container of the stopping pod still runs; SIGKILL to those
 * past the grace deadline. The loop is woken when a shim exits. */
static bool
stop_wait(exe_agent *a, agent_pod *p, uint64_t now)
{
        bool alive = false;
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                exe_container_status st;
                if (exe_container_status_get(a->o.runtime, p->uid, c->name, &st, NULL) == 0 &&
                    (st.state == EXE_C_RUNNING || st.state == EXE_C_CREATED)) {
                        alive = true;
                        if (now >= p->kill_deadline)
                                exe_container_kill(a->o.runtime, p->uid, c->name, SIGKILL, NULL);
                        if (c->exit_fd < 0)
                                c->exit_fd = exe_container_exit_fd(a->o.runtime, p->uid, c->name);
                        agent_wait_fd(a, c->exit_fd);
                        continue;
                }
                if (c->exit_fd >= 0) {
                        close(c->exit_fd);
                        c->exit_fd = -1;
                }
        }
        return alive;
}

static void
terminate(exe_agent *a, agent_pod *p, uint64_t now, uint64_t *next)
{
        /* A container being started is stopped once the shim reported
         * (the loop is not held up waiting for it). */
        bool starting = false;
        for (size_t i = 0; i < p->n_cs; i++)
                starting |= still_starting(a, p, &p->cs[i], now, next);
        if (starting)
                return;
        if (!p->term_sent) {
                int64_t grace =
                    res_get_int(res_map_get(p->obj, "spec"), "terminationGracePeriodSeconds", 30);
                if (grace < 0)
                        grace = 0;
                p->kill_deadline = now + (uint64_t)grace * 1000;
                p->term_sent = true;
                p->state = POD_TERMINATING;
        }
        /* SIGTERM to each container once its preStop hook is done. */
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                if (c->term_sent || agent_probe_prestop(a, p, c, now, &p->kill_deadline, next))
                        continue;
                c->term_sent = true;
                if (exe_container_kill(a->o.runtime, p->uid, c->name, SIGTERM, NULL) == 0 &&
                    p->desired == false && *p->ns)
                        agent_event(a, p, "Normal", "Killing", "Stopping container %s", c->name);
        }
        if (!stop_wait(a, p, now)) {
                cleanup(a, p, now, next);
                return;
        }
        /* Woken when a shim exits; the timers are for SIGKILL at the
         * deadline and a safety net. */
        uint64_t when = now + 500;
        if (now >= p->kill_deadline)
                when = now + 100;
        else if (p->kill_deadline < when)
                when = p->kill_deadline;
        if (when < *next)
                *next = when;
}

void
agent_pod_readopt(exe_agent *a, agent_pod *p)
{
        tm_error err = {0};
        _cleanup_free_ char *dir = NULL;
        char **uids = NULL;
        size_t n = 0;
        bool exists = false;
        if (exe_sandbox_list(a->o.runtime, &uids, &n, &err) == 0) {
                for (size_t i = 0; i < n; i++) {
                        exists |= !strcmp(uids[i], p->uid);
                        free(uids[i]);
                }
                free(uids);
        }
        if (!exists)
                return;
        /* The restart count is the highest log attempt of each container. */
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                for (unsigned k = 0; k < 100000; k++) {
                        _cleanup_free_ char *path =
                            exe_container_log_path(a->o.runtime, p->uid, c->name, k);
                        if (access(path, F_OK) < 0)
                                break;
                        c->restarts = k;
                        c->started_once = true;
                }
                c->backoff_armed = c->restarts > 0; /* it has crashed before */
                exe_container_status st;
                if (c->started_once &&
                    exe_container_status_get(a->o.runtime, p->uid, c->name, &st, NULL) == 0) {
                        c->cur = st;
                        c->running = st.state == EXE_C_RUNNING || st.state == EXE_C_CREATED;
                        if (c->running)
                                c->running_since = tm_now_ms();
                        if (c->init && st.state == EXE_C_EXITED && st.exit_code == 0)
                                c->done = true;
                }
        }
        tm_info("pod re-adopted", "pod=%s/%s uid=%s", p->ns, p->name, p->uid);
}

void
agent_pod_step(exe_agent *a, agent_pod *p, uint64_t now, uint64_t *next)
{
        if (p->state == POD_GONE)
                return;
        if (!p->desired) {
                terminate(a, p, now, next);
                return;
        }
        if (p->state == POD_NEW) {
                int r = agent_pod_prepare(a, p);
                if (r < 0 && r != -EAGAIN && r != -EIO) {
                        /* Refused (a hostPath outside the roots, a host port
                         * taken): say so on every container. */
                        for (size_t i = 0; i < p->n_cs; i++)
                                set_waiting(&p->cs[i],
                                            r == -EADDRINUSE ? "HostPortError"
                                                             : "CreateContainerConfigError",
                                            p->pod_message);
                }
                if (r < 0) {
                        if (now + 2000 < *next)
                                *next = now + 2000;
                        return;
                }
                p->state = POD_READY_TO_RUN;
        }
        for (size_t i = 0; i < p->n_cs; i++)
                observe(a, p, &p->cs[i]);
        if (p->failed)
                return;
        /* Init containers, one at a time, in order. */
        for (size_t i = 0; i < p->n_init; i++) {
                agent_container *c = &p->cs[i];
                if (c->done)
                        continue;
                if (still_starting(a, p, c, now, next))
                        return;
                if (!c->started_once) {
                        try_start(a, p, c, now, next);
                } else if (!c->running) {
                        handle_exit(a, p, c, now, next);
                        if (c->done)
                                continue;
                }
                if (now + 500 < *next)
                        *next = now + 500;
                return;
        }
        for (size_t i = p->n_init; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                if (still_starting(a, p, c, now, next))
                        continue;
                if (!c->started_once) {
                        try_start(a, p, c, now, next);
                } else if (!c->running) {
                        handle_exit(a, p, c, now, next);
                } else {
                        if (now - c->running_since >= AGENT_BACKOFF_RESET_MS) {
                                c->backoff_ms = AGENT_BACKOFF_MIN_MS;
                                c->backoff_armed = false;
                        }
                        agent_probe_step(a, p, c, now, next); /* probes, hooks */
                }
        }
        if (now + 1000 < *next)
                *next = now + 1000; /* watch for exits */
}
