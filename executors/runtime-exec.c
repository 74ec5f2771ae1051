/* A command run in a running container through the OCI runtime's `exec`,
 * as the container's own user, without blocking the caller: probes and
 * lifecycle hooks start it, poll it from the event loop and kill it at
 * their deadline. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/runtime-internal.h"

#define EXEC_CONFIG_MAX (1024 * 1024)

struct exe_exec {
        pid_t pid; /* the runtime's `exec` process; 0 once reaped */
        int fd;    /* its stdout and stderr, non-blocking; -1 when closed */
        tm_buf out;
        size_t max;
        int status; /* wait status */
};

int
exe_container_user_get(const char *state_dir, const char *pod_uid, const char *name,
                       exe_container_user *out, tm_error *err)
{
        int r;
        if ((r = exe_rt_check_component("pod uid", pod_uid, 64, err)) < 0 ||
            (r = exe_rt_check_component("container name", name, 63, err)) < 0)
                return r;
        _cleanup_free_ char *path =
            xasprintf("%s/pods/%s/containers/%s/config.json", state_dir, pod_uid, name);
        char *text = NULL;
        size_t len = 0;
        if ((r = tm_file_read(path, EXEC_CONFIG_MAX, &text, &len, err)) < 0)
                return tm_error_wrap(err, "container \"%s\"", name);
        json_t *cfg = json_loadb(text, len, 0, NULL);
        free(text);
        json_t *proc = json_object_get(cfg, "process");
        json_t *user = json_object_get(proc, "user");
        if (!json_is_integer(json_object_get(user, "uid"))) {
                json_decref(cfg);
                return tm_error_set(err, -EINVAL, "\"%s\": no process.user", path);
        }
        exe_container_user u = {0};
        u.uid = (uint32_t)json_integer_value(json_object_get(user, "uid"));
        u.gid = (uint32_t)json_integer_value(json_object_get(user, "gid"));
        json_t *g = json_object_get(user, "additionalGids");
        size_t i;
        json_t *v;
        json_array_foreach(g, i, v)
        {
                if (u.n_gids < TM_ARRAY_SIZE(u.gids) && json_is_integer(v))
                        u.gids[u.n_gids++] = (uint32_t)json_integer_value(v);
        }
        const char *cwd = json_string_value(json_object_get(proc, "cwd"));
        snprintf(u.cwd, sizeof(u.cwd), "%s", cwd && strlen(cwd) < sizeof(u.cwd) ? cwd : "/");
        u.no_new_privileges = json_is_true(json_object_get(proc, "noNewPrivileges"));
        json_decref(cfg);
        *out = u;
        return 0;
}

/* `exec` flags that give the command the container's user, groups and
 * working directory (a runtime's own default is root in "/"). Pushes
 * strings it allocates into *owned. */
void
exe_container_user_args(const exe_container_user *u, bool runc, const char **av, size_t *k,
                        char **owned, size_t *n_owned)
{
        char *s = xasprintf("--user=%u:%u", u->uid, u->gid);
        owned[(*n_owned)++] = s;
        av[(*k)++] = s;
        if (runc && u->n_gids) {
                tm_buf b = TM_BUF_INIT;
                tm_buf_puts(&b, "--additional-gids=");
                for (size_t i = 0; i < u->n_gids; i++)
                        tm_buf_printf(&b, "%s%u", i ? "," : "", u->gids[i]);
                s = tm_buf_steal(&b);
                owned[(*n_owned)++] = s;
                av[(*k)++] = s;
        }
        s = xasprintf("--cwd=%s", u->cwd);
        owned[(*n_owned)++] = s;
        av[(*k)++] = s;
        if (u->no_new_privileges)
                av[(*k)++] = "--no-new-privs";
}

int
exe_container_exec_begin(exe_runtime *rt, const char *pod_uid, const char *name,
                         const char *const *argv, size_t out_max, exe_exec **out, tm_error *err)
{
        exe_container_user u;
        int r;
        if ((r = exe_container_user_get(rt->state_dir, pod_uid, name, &u, err)) < 0)
                return r;
        size_t n = 0;
        while (argv[n])
                n++;
        if (n == 0 || n > 4096)
                return tm_error_set(err, -EINVAL, "exec: %zu arguments", n);
        _cleanup_free_ char *id = exe_rt_container_id(pod_uid, name);
        const char **av = xcalloc(n + 16, sizeof(*av));
        char *owned[8];
        size_t k = 0, n_owned = 0;
        av[k++] = rt->path;
        av[k++] = "--root";
        av[k++] = rt->root_dir;
        av[k++] = "exec";
        exe_container_user_args(&u, !strcmp(rt->name, "runc"), av, &k, owned, &n_owned);
        av[k++] = id;
        for (size_t i = 0; i < n; i++)
                av[k++] = argv[i];
        av[k] = NULL;
        int pfd[2] = {-1, -1};
        pid_t pid = -1;
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                r = tm_error_errno(err, -errno, "exec: pipe");
                goto out;
        }
        /* posix_spawn (vfork-like): no copy of the daemon's page tables,
         * no copy-on-write faults afterwards, for a probe every second. */
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t at;
        sigset_t none;
        sigemptyset(&none);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
        posix_spawnattr_init(&at);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
        int e = posix_spawn(&pid, av[0], &fa, &at, (char *const *)av, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
        if (e != 0) {
                r = tm_error_errno(err, -e, "exec: spawn \"%s\"", av[0]);
                close(pfd[0]);
                close(pfd[1]);
                goto out;
        }
        close(pfd[1]);
        fcntl(pfd[0], F_SETFL, fcntl(pfd[0], F_GETFL) | O_NONBLOCK);
        exe_exec *x = xcalloc(1, sizeof(*x));
        x->pid = pid;
        x->fd = pfd[0];
        x->max = out_max;
        *out = x;
out:
        for (size_t i = 0; i < n_owned; i++)
                free(owned[i]);
        free(av);
        return r;
}

static void
drain(exe_exec *x)
{
        char tmp[4096];
        while (x->fd >= 0) {
                ssize_t got = read(x->fd, tmp, sizeof(tmp));
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0 && errno == EAGAIN)
                        return;
                if (got <= 0) {
                        close(x->fd);
                        x->fd = -1;
                        return;
                }
                /* Output past the cap is read and dropped: the command
                 * must not stall on a full pipe. */
                size_t room = x->out.len < x->max ? x->max - x->out.len : 0;
                tm_buf_append(&x->out, tmp, (size_t)got < room ? (size_t)got : room);
        }
}

int
exe_exec_poll(exe_exec *x, int *exit_code)
{
        drain(x);
        if (x->pid > 0) {
                pid_t w = waitpid(x->pid, &x->status, WNOHANG);
                if (w == 0)
                        return 0;
                if (w < 0 && errno == EINTR)
                        return 0;
                x->pid = 0;
                drain(x);
        }
        /* What a background process of the command still writes is not
         * waited for. */
        if (x->fd >= 0) {
                close(x->fd);
                x->fd = -1;
        }
        if (WIFEXITED(x->status))
                *exit_code = WEXITSTATUS(x->status);
        else
                *exit_code = WIFSIGNALED(x->status) ? 128 + WTERMSIG(x->status) : 255;
        return 1;
}

const char *
exe_exec_output(const exe_exec *x, size_t *len)
{
        *len = x->out.len;
        return x->out.data ? x->out.data : "";
}

/* The runtime's `exec` is the parent of the command it runs in the
 * container (runc as a subreaper, crun directly): those die first, so
 * nothing is left running in the container. */
static void
kill_children(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
        char *text = NULL;
        size_t len = 0;
        if (tm_file_read(path, 4096, &text, &len, NULL) < 0)
                return;
        char *save = NULL;
        for (char *t = strtok_r(text, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                long c = strtol(t, NULL, 10);
                if (c > 1)
                        kill((pid_t)c, SIGKILL);
        }
        free(text);
}

void
exe_exec_free(exe_exec *x)
{
        if (!x)
                return;
        if (x->pid > 0) {
                kill(x->pid, SIGSTOP); /* no new children while we look */
                kill_children(x->pid);
                kill(x->pid, SIGKILL);
                while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (x->fd >= 0)
                close(x->fd);
        tm_buf_free(&x->out);
        free(x);
}

int
exe_exec_fd(const exe_exec *x)
{
        return x ? x->fd : -1;
}
