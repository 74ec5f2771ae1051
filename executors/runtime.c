/* The OCI runtime driver: finds crun or runc, runs its command line, and
 * starts each container under a detached timone-shim. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/cgroup.h"
#include "executors/image.h"
#include "executors/oci.h"
#include "executors/runtime-internal.h"

int
exe_rt_check_component(const char *what, const char *s, size_t max, tm_error *err)
{
        if (!s || !*s)
                return tm_error_set(err, -EINVAL, "empty %s", what);
        size_t n = strlen(s);
        if (n > max)
                return tm_error_set(err, -EINVAL, "%s \"%.64s...\" longer than %zu bytes", what, s,
                                    max);
        if (!strcmp(s, ".") || !strcmp(s, ".."))
                return tm_error_set(err, -EINVAL, "%s \"%s\" not allowed", what, s);
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return tm_error_set(err, -EINVAL, "%s \"%.64s\": bad character", what, s);
        return 0;
}

char *
exe_rt_pod_dir(const exe_runtime *rt, const char *uid)
{
        return xasprintf("%s/%s", rt->pods_dir, uid);
}

char *
exe_rt_container_dir(const exe_runtime *rt, const char *uid, const char *name)
{
        return xasprintf("%s/%s/containers/%s", rt->pods_dir, uid, name);
}

char *
exe_rt_log_dir(const exe_runtime *rt, const char *uid, const char *name)
{
        return xasprintf("%s/%s/logs/%s", rt->pods_dir, uid, name);
}

char *
exe_rt_container_id(const char *uid, const char *name)
{
        return xasprintf("tm-%s-%s", uid, name);
}

ssize_t
exe_rt_drain(int fd, tm_buf *b)
{
        char tmp[4096];
        ssize_t n = read(fd, tmp, sizeof(tmp));
        if (n > 0 && b->len < EXE_RT_OUT_MAX)
                tm_buf_append(b, tmp,
                              (size_t)n < EXE_RT_OUT_MAX - b->len ? (size_t)n
                                                                  : EXE_RT_OUT_MAX - b->len);
        return n;
}

int
exe_rt_start(const char *const *argv, int out_fd, int err_fd, int extra_fd, bool new_session,
             pid_t *pid, tm_error *err)
{
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t at;
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&at);
        /* extra_fd first: the pipes are never 0-2 in the daemon. */
        if (extra_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, extra_fd, 3);
        if (out_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
        else
                posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (err_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
        else
                posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addclosefrom_np(&fa, extra_fd >= 0 ? 4 : 3);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        sigdelset(&all, SIGKILL);
        sigdelset(&all, SIGSTOP);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &all);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                          (new_session ? POSIX_SPAWN_SETSID : 0));
        int e = posix_spawn(pid, argv[0], &fa, &at, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
        if (e != 0)
                return tm_error_errno(err, -e, "start \"%s\"", argv[0]);
        return 0;
}

int
exe_rt_spawn(const char *const *argv, char **out, char **errout, int *status, tm_error *err)
{
        int po[2], pe[2];
        if (pipe2(po, O_CLOEXEC) < 0)
                return tm_error_errno(err, -errno, "pipe");
        if (pipe2(pe, O_CLOEXEC) < 0) {
                int e = -errno;
                close(po[0]), close(po[1]);
                return tm_error_errno(err, e, "pipe");
        }
        pid_t pid;
        int r = exe_rt_start(argv, po[1], pe[1], -1, false, &pid, err);
        close(po[1]), close(pe[1]);
        if (r < 0) {
                close(po[0]), close(pe[0]);
                return r;
        }
        tm_buf bo = TM_BUF_INIT, be = TM_BUF_INIT;
        struct pollfd pfd[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
        int open_fds = 2;
        while (open_fds > 0) {
                if (poll(pfd, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t n = exe_rt_drain(pfd[i].fd, i == 0 ? &bo : &be);
                        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                                close(pfd[i].fd);
                                pfd[i].fd = -1;
                                open_fds--;
                        }
                }
        }
        for (int i = 0; i < 2; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        *status = st;
        if (out)
                *out = tm_buf_steal(&bo);
        if (errout)
                *errout = tm_buf_steal(&be);
        tm_buf_free(&bo);
        tm_buf_free(&be);
        return 0;
}

void
exe_rt_adopt_child(exe_runtime *rt, pid_t pid)
{
        TM_GROW(rt->kids, rt->cap_kids, rt->n_kids + 1);
        rt->kids[rt->n_kids++] = pid;
}

void
exe_runtime_reap(exe_runtime *rt)
{
        size_t k = 0;
        for (size_t i = 0; i < rt->n_kids; i++) {
                pid_t w = waitpid(rt->kids[i], NULL, WNOHANG);
                if (w == 0 || (w < 0 && errno == EINTR))
                        rt->kids[k++] = rt->kids[i];
        }
        rt->n_kids = k;
}

char *
exe_rt_rstrip(char *s)
{
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

int
exe_rt_run(exe_runtime *rt, const char *const *args, char **out, tm_error *err)
{
        const char *argv[16];
        size_t n = 0;
        argv[n++] = rt->path;
        argv[n++] = "--root";
        argv[n++] = rt->root_dir;
        for (size_t i = 0; args[i]; i++) {
                if (n >= TM_ARRAY_SIZE(argv) - 1)
                        return tm_error_set(err, -E2BIG, "too many runtime arguments");
                argv[n++] = args[i];
        }
        argv[n] = NULL;
        _cleanup_free_ char *o = NULL, *e = NULL;
        int st;
        int r = exe_rt_spawn(argv, &o, &e, &st, err);
        if (r < 0)
                return tm_error_wrap(err, "%s %s", rt->name, args[0]);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                exe_rt_rstrip(e);
                return tm_error_set(err, WIFEXITED(st) && WEXITSTATUS(st) == 127 ? -ENOEXEC : -EIO,
                                    "%s %s: %s", rt->name, args[0],
                                    *e ? e : "failed without a message");
        }
        if (out)
                *out = TAKE_PTR(o);
        return 0;
}

static char *
find_in_path(const char *name)
{
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = xstrdup(path);
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d;
             d = strtok_r(NULL, ":", &save)) {
                char *p = xasprintf("%s/%s", d, name);
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static char *
find_shim(void)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = '\0';
                        /* Installed next to timone, or in a build tree. */
                        const char *cands[] = {"%s/timone-shim", "%s/executors/timone-shim",
                                               "%s/../../executors/timone-shim"};
                        for (size_t i = 0; i < TM_ARRAY_SIZE(cands); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                                char *p = xasprintf(cands[i], self);
#pragma GCC diagnostic pop
                                if (access(p, X_OK) == 0)
                                        return p;
                                free(p);
                        }
                }
        }
        return find_in_path("timone-shim");
}

void
exe_runtime_close(exe_runtime *rt)
{
        if (!rt)
                return;
        free(rt->path);
        free(rt->version);
        free(rt->state_dir);
        free(rt->pods_dir);
        free(rt->root_dir);
        free(rt->shim_path);
        free(rt->kids);
        free(rt);
}
TM_DEFINE_CLEANUP(exe_runtime, exe_runtime_close)

int
exe_runtime_open(exe_runtime **out, const exe_runtime_options *opts, tm_error *err)
{
        if (!opts || !opts->state_dir || opts->state_dir[0] != '/')
                return tm_error_set(err, -EINVAL, "runtime: state directory must be absolute");
        _cleanup_(exe_runtime_closep) exe_runtime *rt = xcalloc(1, sizeof(*rt));
        rt->state_dir = xstrdup(opts->state_dir);
        rt->pods_dir = xasprintf("%s/pods", opts->state_dir);
        rt->root_dir = xasprintf("%s/runtime", opts->state_dir);

        const char *want = opts->runtime;
        if (want && strchr(want, '/')) {
                if (access(want, X_OK) < 0)
                        return tm_error_errno(err, -errno, "runtime \"%s\"", want);
                rt->path = xstrdup(want);
        } else if (want) {
                rt->path = find_in_path(want);
                if (!rt->path)
                        return tm_error_set(err, -ENOENT, "runtime \"%s\" not found in PATH", want);
        } else {
                rt->path = find_in_path("crun");
                if (!rt->path)
                        rt->path = find_in_path("runc");
                if (!rt->path)
                        return tm_error_set(err, -ENOENT, "no OCI runtime: install crun or runc");
        }

        /* The shim runs it from "/": an absolute path. */
        char *abs = realpath(rt->path, NULL);
        if (!abs)
                return tm_error_errno(err, -errno, "runtime \"%s\"", rt->path);
        free(rt->path);
        rt->path = abs;

        /* "crun version 1.8.1" / "runc version 1.1.5+ds1" */
        const char *argv[] = {rt->path, "--version", NULL};
        _cleanup_free_ char *vout = NULL;
        int st, r = exe_rt_spawn(argv, &vout, NULL, &st, err);
        if (r < 0)
                return tm_error_wrap(err, "runtime \"%s\"", rt->path);
        char name[16] = "", version[64] = "";
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
            sscanf(vout, "%15s version %63s", name, version) != 2 ||
            (strcmp(name, "crun") && strcmp(name, "runc")))
                return tm_error_set(err, -ENOEXEC, "runtime \"%s\": not crun or runc", rt->path);
        strcpy(rt->name, name);
        rt->version = xstrdup(version);

        r = exe_cgroup_detect(&rt->cgmode, err);
        if (r < 0)
                return r;
        rt->swap = exe_cgroup_swap_available(rt->cgmode);
        if (!strcmp(rt->name, "crun")) {
                int mounted;
                r = exe_cgroup_mount_hugetlb(rt->cgmode, &mounted, err);
                if (r < 0)
                        return tm_error_wrap(err, "runtime crun");
        }

        if (opts->shim_path) {
                rt->shim_path = realpath(opts->shim_path, NULL);
                if (!rt->shim_path)
                        return tm_error_errno(err, -errno, "timone-shim \"%s\"", opts->shim_path);
        } else {
                rt->shim_path = find_shim();
                if (!rt->shim_path)
                        return tm_error_set(err, -ENOENT,
                                            "timone-shim not found next to timone nor in PATH");
        }
        if (access(rt->shim_path, X_OK) < 0)
                return tm_error_errno(err, -errno, "timone-shim \"%s\"", rt->shim_path);

        r = tm_mkdir_p(rt->pods_dir, 0711, err);
        if (r >= 0)
                r = tm_mkdir_p(rt->root_dir, 0700, err);
        if (r < 0)
                return tm_error_wrap(err, "runtime state");
        tm_debug("runtime opened", "runtime=%s version=%s cgroups=%s", rt->name, rt->version,
                 rt->cgmode);
        *out = TAKE_PTR(rt);
        return 0;
}

const char *
exe_runtime_name(const exe_runtime *rt)
{
        return rt->name;
}

const char *
exe_runtime_cgroup_mode(const exe_runtime *rt)
{
        return rt->cgmode;
}

const char *
exe_runtime_version(const exe_runtime *rt)
{
        return rt->version;
}
