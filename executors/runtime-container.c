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

/* Whether pid is still a timone-shim (pids get reused). */
static bool
shim_alive(int pid)
{
        if (pid <= 0 || kill(pid, 0) < 0)
                return false;
        char path[64], comm[32];
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f || !fgets(comm, sizeof(comm), f))
                return false;
        return tm_str_has_prefix(comm, "timone-shim");
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

/* Starts the shim detached (double fork, new session); *fd gets the read
 * end of its report pipe. */
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
        pid_t pid = fork();
        if (pid < 0) {
                int e = -errno;
                close(p[0]), close(p[1]);
                return tm_error_errno(err, e, "fork");
        }
        if (pid == 0) {
                if (setsid() < 0)
                        _exit(127);
                pid_t pid2 = fork();
                if (pid2 != 0)
                        _exit(pid2 < 0 ? 127 : 0);
                int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 || dup2(nul, 2) < 0 ||
                    dup2(p[1], 3) < 0)
                        _exit(127);
                close_range(4, ~0U, 0);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                for (int s = 1; s < NSIG; s++)
                        if (s != SIGKILL && s != SIGSTOP)
                                signal(s, SIG_DFL);
                execv(argv[0], (char *const *)argv);
                _exit(127);
        }
        close(p[1]);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
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

int
exe_container_kill(exe_runtime *rt, const char *pod_uid, const char *name, int sig, tm_error *err)
{
        int r = check_ids(pod_uid, name, err);
        if (r < 0)
                return tm_error_wrap(err, "kill container");
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

int
exe_container_remove(exe_runtime *rt, const char *pod_uid, const char *name, bool force,
                     tm_error *err)
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
        _cleanup_free_ char *id = exe_rt_container_id(pod_uid, name);
        _cleanup_free_ char *cdir = exe_rt_container_dir(rt, pod_uid, name);
        char state[16];
        int pid;
        r = runtime_state(rt, id, state, &pid, err);
        if (r < 0)
                return tm_error_wrap(err, "remove container \"%s\"", name);
        if (state[0]) {
                const char *del_force[] = {"delete", "--force", id, NULL};
                const char *del[] = {"delete", id, NULL};
                r = exe_rt_run(rt, force ? del_force : del, NULL, err);
                if (r < 0)
                        return tm_error_wrap(err, "remove container \"%s\"", name);
        }
        /* Let the shim record the end and let go of the bundle. */
        shim_status s;
        read_shim_status(cdir, &s);
        for (int i = 0; i < 200 && s.present && !s.exited && shim_alive(s.shim); i++)
                usleep(10000);
        r = unmount_rootfs(cdir, err);
        if (r >= 0)
                r = tm_rm_rf(cdir, err); /* never crosses a mount that stayed */
        if (r < 0)
                return tm_error_wrap(err, "remove container \"%s\"", name);
        return 0;
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
