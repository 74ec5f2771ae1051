/* Containers: bundles, the shim that starts and watches each one, status
 * from the shim's file and the runtime, kill, remove, list. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/cgroup.h"
#include "executors/image.h"
#include "executors/oci.h"
#include "executors/runtime-internal.h"

typedef struct shim_status {
        bool present, exited;
        int pid, shim, exit_code, signal, oom;
        int64_t started, finished;
} shim_status;

static void
read_shim_status(const char *cdir, shim_status *s)
{
        memset(s, 0, sizeof(*s));
        _cleanup_free_ char *path = xasprintf("%s/status", cdir);
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (tm_file_read(path, EXE_STATUS_FILE_MAX, &text, &len, NULL) < 0)
                return;
        s->present = true;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                char *eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq++ = '\0';
                long long v = strtoll(eq, NULL, 10);
                if (!strcmp(l, "state"))
                        s->exited = !strcmp(eq, "exited");
                else if (!strcmp(l, "pid"))
                        s->pid = (int)v;
                else if (!strcmp(l, "shim"))
                        s->shim = (int)v;
                else if (!strcmp(l, "exit_code"))
                        s->exit_code = (int)v;
                else if (!strcmp(l, "signal"))
                        s->signal = (int)v;
                else if (!strcmp(l, "oom"))
                        s->oom = (int)v;
                else if (!strcmp(l, "started"))
                        s->started = v;
                else if (!strcmp(l, "finished"))
                        s->finished = v;
        }
}

/* Reads /proc/PID/stat: comm, state and ppid; false when pid is gone. */
static bool
proc_stat(int pid, char comm[32], char *state, int *ppid)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
        if (!open_p || !close_p || close_p < open_p)
                return false;
        size_t l = (size_t)(close_p - open_p - 1);
        if (l > 31)
                l = 31;
        memcpy(comm, open_p + 1, l);
        comm[l] = '\0';
        return sscanf(close_p + 1, " %c %d", state, ppid) == 2;
}

/* Whether pid is still a running timone-shim (pids get reused; a shim
 * that ended but is not reaped yet is a zombie). */
static bool
shim_alive(int pid)
{
        char comm[32], state;
        int ppid;
        if (pid <= 0 || !proc_stat(pid, comm, &state, &ppid))
                return false;
        return state != 'Z' && state != 'X' && tm_str_has_prefix(comm, "timone-shim");
}

/* The runtime's view: "created", "running", "stopped" or "" when it does
 * not know the id. */
static int
runtime_state(exe_runtime *rt, const char *id, char state[16], int *pid, tm_error *err)
{
        state[0] = '\0';
        *pid = 0;
        _cleanup_free_ char *dir = xasprintf("%s/%s", rt->root_dir, id);
        if (access(dir, F_OK) < 0)
                return 0;
        const char *args[] = {"state", id, NULL};
        _cleanup_free_ char *out = NULL;
        tm_error e = {0};
        int r = exe_rt_run(rt, args, &out, &e);
        if (r < 0) {
                if (strstr(e.msg, "does not exist") || strstr(e.msg, "not exist") ||
                    strstr(e.msg, "No such file"))
                        return 0;
                if (err)
                        *err = e;
                return r;
        }
        json_error_t jerr;
        json_t *j = json_loads(out, 0, &jerr);
        const char *s = j ? json_string_value(json_object_get(j, "status")) : NULL;
        if (!s) {
                json_decref(j);
                return tm_error_set(err, -EPROTO, "%s state \"%s\": unexpected output", rt->name,
                                    id);
        }
        snprintf(state, 16, "%s", s);
        *pid = (int)json_integer_value(json_object_get(j, "pid"));
        json_decref(j);
        return 0;
}

static int
check_ids(const char *uid, const char *name, tm_error *err)
{
        int r = exe_rt_check_component("pod uid", uid, 64, err);
        if (r >= 0)
                r = exe_rt_check_component("container name", name, 63, err);
        return r;
}

/* Reads the shim's one-line report from fd until EOF or the deadline. */
static int
read_ready(int fd, char *buf, size_t len, tm_error *err)
{
        size_t got = 0;
        uint64_t deadline = tm_now_ms() + EXE_START_TIMEOUT_MS;
        while (got < len - 1) {
                uint64_t now = tm_now_ms();
                if (now >= deadline)
                        return tm_error_set(err, -ETIMEDOUT, "shim did not report within %d s",
                                            EXE_START_TIMEOUT_MS / 1000);
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int n = poll(&p, 1, (int)(deadline - now));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return tm_error_errno(err, -errno, "poll");
                if (n == 0)
                        continue;
                ssize_t k = read(fd, buf + got, len - 1 - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t)k;
                if (memchr(buf, '\n', got))
                        break;
        }
        buf[got] = '\0';
        return 0;
}

/* Starts the shim in a new session through posix_spawn (no copy of the
 * daemon's page tables); it is our child until we exit, reaped by
 * exe_runtime_reap. *fd gets the read end of its report pipe. */
static int
spawn_shim(exe_runtime *rt, const exe_container_spec *spec, const char *id, const char *cdir,
           const char *ldir, int *fd, tm_error *err)
{
        _cleanup_free_ char *memcg = exe_cgroup_memory_dir(rt->cgmode, spec->pod_uid, spec->name);
        _cleanup_free_ char *attempt = xasprintf("%u", spec->attempt);
        _cleanup_free_ char *maxb = xasprintf(
            "%llu", (unsigned long long)(spec->log_max_bytes ? spec->log_max_bytes : 10u << 20));
        _cleanup_free_ char *maxf = xasprintf("%u", spec->log_max_files ? spec->log_max_files : 2);
        const char *argv[] = {rt->shim_path, "-r", rt->path, "-R", rt->root_dir, "-b",
                              cdir,          "-i", id,       "-l", ldir,         "-a",
                              attempt,       "-m", maxb,     "-n", maxf,         "-c",
                              memcg,         "-f", "3",      NULL};
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return tm_error_errno(err, -errno, "pipe");
        pid_t pid;
        int r = exe_rt_start(argv, -1, -1, p[1], true, &pid, err);
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                return r;
        }
        exe_rt_adopt_child(rt, pid);
        *fd = p[0];
        return 0;
}

/* config.json: replaced atomically but not synced (no fsync on the start
 * path; after a crash the bundle is rewritten on the next start). */
static int
write_config(const char *path, const char *text, tm_error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_errno(err, -errno, "write \"%s\"", tmp);
        size_t len = strlen(text), off = 0;
        while (off < len) {
                ssize_t w = write(fd, text + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        int e = w < 0 ? -errno : -EIO;
                        close(fd);
                        unlink(tmp);
                        return tm_error_errno(err, e, "write \"%s\"", tmp);
                }
                off += (size_t)w;
        }
        if (close(fd) < 0 || rename(tmp, path) < 0) {
                int e = -errno;
                unlink(tmp);
                return tm_error_errno(err, e, "write \"%s\"", path);
        }
        return 0;
}

int
exe_container_start_begin(exe_runtime *rt, const exe_container_spec *spec, int *fd, tm_error *err)
{
        int r = check_ids(spec->pod_uid, spec->name, err);
        if (r < 0)
                return tm_error_wrap(err, "start container");
        _cleanup_free_ char *id = exe_rt_container_id(spec->pod_uid, spec->name);
        _cleanup_free_ char *cdir = exe_rt_container_dir(rt, spec->pod_uid, spec->name);
        _cleanup_free_ char *ldir = exe_rt_log_dir(rt, spec->pod_uid, spec->name);

        /* A previous attempt the caller did not remove: delete it if it
         * has ended, refuse if it still runs. */
        char state[16];
        int pid;
        r = runtime_state(rt, id, state, &pid, err);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", spec->name);
        if (state[0]) {
                if (strcmp(state, "stopped") != 0)
                        return tm_error_set(err, -EEXIST, "start container \"%s\": already %s",
                                            spec->name, state);
                const char *del[] = {"delete", "--force", id, NULL};
                r = exe_rt_run(rt, del, NULL, err);
                if (r < 0)
                        return tm_error_wrap(err, "start container \"%s\"", spec->name);
        }

        r = tm_mkdir_p(cdir, 0700, err);
        if (r >= 0)
                r = tm_mkdir_p(ldir, 0700, err);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", spec->name);
        _cleanup_free_ char *config = NULL;
        exe_oci_host host = {.cgroup_mode = rt->cgmode, .swap = rt->swap};
        r = exe_oci_config_host(spec, &host, &config, err);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", spec->name);
        _cleanup_free_ char *cfgpath = xasprintf("%s/config.json", cdir);
        r = write_config(cfgpath, config, err);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", spec->name);
        static const char *const stale[] = {"status", "pid", ".status.tmp"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(stale); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", cdir, stale[i]);
                (void)unlink(p);
        }

        r = spawn_shim(rt, spec, id, cdir, ldir, fd, err);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", spec->name);
        return 0;
}

int
exe_container_start_finish(exe_runtime *rt, const char *name, int fd, tm_error *err)
{
        char report[2048];
        int r = read_ready(fd, report, sizeof(report), err);
        close(fd);
        if (r < 0)
                return tm_error_wrap(err, "start container \"%s\"", name);
        exe_rt_rstrip(report);
        if (tm_str_has_prefix(report, "ok "))
                return 0;
        if (tm_str_has_prefix(report, "err "))
                return tm_error_set(err, -EIO, "start container \"%s\": %s: %s", name, rt->name,
                                    report + 4);
        return tm_error_set(err, -EIO, "start container \"%s\": shim exited without a report",
                            name);
}

int
exe_container_start(exe_runtime *rt, const exe_container_spec *spec, tm_error *err)
{
        int fd;
        int r = exe_container_start_begin(rt, spec, &fd, err);
        if (r < 0)
                return r;
        return exe_container_start_finish(rt, spec->name, fd, err);
}

static void
set_exited(exe_container_status *out, const shim_status *s)
{
        out->state = EXE_C_EXITED;
        out->pid = 0;
        out->exit_code = s->exit_code;
        out->oom_killed = s->oom != 0;
        out->started_at = s->started;
        out->finished_at = s->finished;
        const char *reason = s->oom ? "OOMKilled" : s->exit_code == 0 ? "Completed" : "Error";
        snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

int
exe_container_status_get(exe_runtime *rt, const char *pod_uid, const char *name,
                         exe_container_status *out, tm_error *err)
{
        int r = check_ids(pod_uid, name, err);
        if (r < 0)
                return tm_error_wrap(err, "container status");
        memset(out, 0, sizeof(*out));
        _cleanup_free_ char *cdir = exe_rt_container_dir(rt, pod_uid, name);
        shim_status s;
        read_shim_status(cdir, &s);
        if (s.present && s.exited) {
                set_exited(out, &s);
                return 0;
        }
        /* The shim reports the exit once the output is drained; until
         * then the container counts as running. */
        if (s.present && shim_alive(s.shim)) {
                out->state = EXE_C_RUNNING;
                out->pid = s.pid;
                out->started_at = s.started;
                return 0;
        }
        _cleanup_free_ char *id = exe_rt_container_id(pod_uid, name);
        char state[16];
        int pid;
        r = runtime_state(rt, id, state, &pid, err);
        if (r < 0)
                return tm_error_wrap(err, "container \"%s\" status", name);
        out->started_at = s.started;
        out->pid = pid;
        if (!strcmp(state, "running")) {
                out->state = EXE_C_RUNNING;
        } else if (!strcmp(state, "created")) {
                out->state = EXE_C_CREATED;
        } else if (!strcmp(state, "stopped") || s.present) {
                /* Ended while nobody watched (the shim was killed). */
                out->state = EXE_C_EXITED;
                out->pid = 0;
                out->exit_code = 255;
                snprintf(out->reason, sizeof(out->reason), "Unknown");
        } else {
                out->state = EXE_C_UNKNOWN;
        }
        return 0;
}

/* Signals the container's init through a pidfd: the pid comes from the
 * shim's record and must still be the shim's child (the init is
 * re-parented to the shim, a subreaper, once the runtime has exited), so a
 * reused pid is never signalled. 1 when sent, 0 when this cannot tell. */
static int
kill_direct(exe_runtime *rt, const char *pod_uid, const char *name, int sig)
{
        _cleanup_free_ char *cdir = exe_rt_container_dir(rt, pod_uid, name);
        shim_status s;
        read_shim_status(cdir, &s);
        if (!s.present || s.exited || s.pid <= 0 || s.shim <= 0)
                return 0;
        _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, s.pid, 0);
        if (pfd < 0)
                return 0;
        char comm[32], state;
        int ppid;
        if (!proc_stat(s.pid, comm, &state, &ppid) || ppid != s.shim || state == 'Z')
                return 0;
        return syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) == 0 ? 1 : 0;
}

int
exe_container_kill(exe_runtime *rt, const char *pod_uid, const char *name, int sig, tm_error *err)
{
        int r = check_ids(pod_uid, name, err);
        if (r < 0)
                return tm_error_wrap(err, "kill container");
        if (kill_direct(rt, pod_uid, name, sig) == 1)
                return 0;
        _cleanup_free_ char *id = exe_rt_container_id(pod_uid, name);
        char signum[16];
        snprintf(signum, sizeof(signum), "%d", sig);
        const char *args[] = {"kill", id, signum, NULL};
        tm_error e = {0};
        r = exe_rt_run(rt, args, NULL, &e);
        if (r >= 0)
                return 0;
        /* Already gone is what the caller wanted. */
        exe_container_status st;
        if (exe_container_status_get(rt, pod_uid, name, &st, NULL) >= 0) {
                if (st.state == EXE_C_EXITED)
                        return 0;
                if (st.state == EXE_C_UNKNOWN)
                        return tm_error_set(err, -ENOENT,
                                            "kill container \"%s\": no such container", name);
        }
        if (err)
                *err = e;
        return tm_error_wrap(err, "kill container \"%s\"", name);
}

/* The image store's overlay root, when the caller put it in the bundle
 * (exe_image_mount_rootfs with the bundle as dir): unmounted and its
 * in-use marker dropped by the store, before the bundle goes. */
static int
unmount_rootfs(const char *cdir, tm_error *err)
{
        _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", cdir);
        struct stat st;
        if (lstat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        return exe_image_unmount_rootfs(cdir, err);
}

struct exe_removal {
        char *name, *id, *cdir;
        pid_t pid;   /* the runtime's delete, 0 when none runs */
        int out_fd;  /* its stderr (non-blocking), -1 when done */
        tm_buf errs; /* what it said */
        int shim_fd; /* pidfd of the shim we wait for, -1 when none */
        uint64_t shim_deadline;
};

void
exe_removal_free(exe_removal *x)
{
        if (!x)
                return;
        if (x->out_fd >= 0)
                close(x->out_fd);
        if (x->pid > 0)
                while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        if (x->shim_fd >= 0)
                close(x->shim_fd);
        tm_buf_free(&x->errs);
        free(x->name);
        free(x->id);
        free(x->cdir);
        free(x);
}

int
exe_removal_fd(const exe_removal *x)
{
        return x->out_fd >= 0 ? x->out_fd : x->shim_fd;
}

int
exe_container_exit_fd(exe_runtime *rt, const char *pod_uid, const char *name)
{
        if (check_ids(pod_uid, name, NULL) < 0)
                return -1;
        _cleanup_free_ char *cdir = exe_rt_container_dir(rt, pod_uid, name);
        shim_status s;
        read_shim_status(cdir, &s);
        if (!s.present || s.exited || !shim_alive(s.shim))
                return -1;
        return (int)syscall(SYS_pidfd_open, s.shim, 0);
}

int
exe_container_remove_begin(exe_runtime *rt, const char *pod_uid, const char *name, bool force,
                           exe_removal **out, tm_error *err)
{
        int r = check_ids(pod_uid, name, err);
        if (r < 0)
                return tm_error_wrap(err, "remove container");
        exe_container_status st;
        r = exe_container_status_get(rt, pod_uid, name, &st, err);
        if (r < 0)
                return tm_error_wrap(err, "remove container \"%s\"", name);
        if ((st.state == EXE_C_RUNNING || st.state == EXE_C_CREATED) && !force)
                return tm_error_set(err, -EBUSY, "remove container \"%s\": still running", name);
        exe_removal *x = xcalloc(1, sizeof(*x));
        x->name = xstrdup(name);
        x->id = exe_rt_container_id(pod_uid, name);
        x->cdir = exe_rt_container_dir(rt, pod_uid, name);
        x->out_fd = x->shim_fd = -1;
        /* The runtime keeps a directory per container under its root: no
         * `state` call is needed to know whether there is one to delete. */
        _cleanup_free_ char *rdir = xasprintf("%s/%s", rt->root_dir, x->id);
        if (access(rdir, F_OK) == 0) {
                const char *argv[7] = {rt->path, "--root", rt->root_dir, "delete"};
                size_t k = 4;
                if (force)
                        argv[k++] = "--force";
                argv[k] = x->id;
                int pe[2];
                if (pipe2(pe, O_CLOEXEC | O_NONBLOCK) < 0) {
                        r = tm_error_errno(err, -errno, "pipe");
                } else {
                        r = exe_rt_start(argv, -1, pe[1], -1, false, &x->pid, err);
                        close(pe[1]);
                        if (r < 0)
                                close(pe[0]);
                        else
                                x->out_fd = pe[0];
                }
                if (r < 0) {
                        exe_removal_free(x);
                        return tm_error_wrap(err, "remove container \"%s\"", name);
                }
        }
        *out = x;
        return 0;
}

int
exe_container_remove_step(exe_runtime *rt, exe_removal *x, tm_error *err)
{
        int r = 0;
        if (x->out_fd >= 0) {
                ssize_t n;
                while ((n = exe_rt_drain(x->out_fd, &x->errs)) > 0)
                        ;
                if (n < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                close(x->out_fd);
                x->out_fd = -1;
                /* Its stderr closed: it is exiting. */
                int st = 0;
                while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR)
                        ;
                x->pid = 0;
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        tm_buf_puts(&x->errs, "");
                        r = tm_error_set(err, -EIO, "%s delete: %s", rt->name,
                                         x->errs.len ? exe_rt_rstrip(x->errs.data)
                                                     : "failed without a message");
                        goto done;
                }
        }
        /* Let the shim record the end and let go of the bundle (bounded:
         * a shim that hangs on does not keep the pod). */
        shim_status s;
        read_shim_status(x->cdir, &s);
        if (s.present && !s.exited && shim_alive(s.shim)) {
                uint64_t now = tm_now_ms();
                if (x->shim_fd < 0 && x->shim_deadline == 0) {
                        x->shim_deadline = now + 2000;
                        x->shim_fd = (int)syscall(SYS_pidfd_open, s.shim, 0);
                }
                if (now < x->shim_deadline)
                        return 0;
        }
        r = unmount_rootfs(x->cdir, err);
        if (r >= 0)
                r = tm_rm_rf(x->cdir, err); /* never crosses a mount that stayed */
done:
        if (r < 0)
                tm_error_wrap(err, "remove container \"%s\"", x->name);
        exe_removal_free(x);
        return r < 0 ? r : 1;
}

int
exe_container_remove(exe_runtime *rt, const char *pod_uid, const char *name, bool force,
                     tm_error *err)
{
        exe_removal *x = NULL;
        int r = exe_container_remove_begin(rt, pod_uid, name, force, &x, err);
        while (r == 0) {
                int fd = exe_removal_fd(x);
                if (fd >= 0) {
                        struct pollfd p = {.fd = fd, .events = POLLIN};
                        (void)poll(&p, 1, 10);
                } else if (x->shim_deadline) {
                        usleep(10000);
                }
                r = exe_container_remove_step(rt, x, err);
        }
        return r < 0 ? r : 0;
}

static bool
same_file(const char *a, const char *b)
{
        struct stat sa, sb;
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
}

int
exe_container_list(exe_runtime *rt, const char *pod_uid, char ***names, size_t *n, tm_error *err)
{
        int r = exe_rt_check_component("pod uid", pod_uid, 64, err);
        if (r < 0)
                return tm_error_wrap(err, "list containers");
        const char *args[] = {"list", "-f", "json", NULL};
        _cleanup_free_ char *out = NULL;
        r = exe_rt_run(rt, args, &out, err);
        if (r < 0)
                return tm_error_wrap(err, "list containers");
        json_error_t jerr;
        json_t *j = json_loads(out, JSON_DECODE_ANY, &jerr);
        if (!j)
                return tm_error_set(err, -EPROTO, "%s list: bad JSON: %s", rt->name, jerr.text);
        _cleanup_free_ char *prefix = xasprintf("tm-%s-", pod_uid);
        size_t plen = strlen(prefix), count = 0, cap = 0;
        char **list = NULL;
        size_t i;
        json_t *v;
        if (json_is_array(j))
                json_array_foreach(j, i, v)
                {
                        const char *id = json_string_value(json_object_get(v, "id"));
                        if (!id || !tm_str_has_prefix(id, prefix) || !id[plen])
                                continue;
                        /* uids vary in length: "tm-a-b-x" could be pod "a" or
                         * "a-b"; the bundle path tells. */
                        const char *bundle = json_string_value(json_object_get(v, "bundle"));
                        _cleanup_free_ char *want = exe_rt_container_dir(rt, pod_uid, id + plen);
                        if (bundle && strcmp(bundle, want) != 0 && !same_file(bundle, want))
                                continue;
                        TM_GROW(list, cap, count + 2);
                        list[count++] = xstrdup(id + plen);
                        list[count] = NULL;
                }
        json_decref(j);
        *names = list;
        *n = count;
        return 0;
}

char *
exe_container_log_path(exe_runtime *rt, const char *pod_uid, const char *name, unsigned attempt)
{
        if (check_ids(pod_uid, name, NULL) < 0)
                return NULL;
        return xasprintf("%s/%s/logs/%s/%u.log", rt->pods_dir, pod_uid, name, attempt);
}
