/* Real containers through crun and runc: exit codes and reasons, CRI logs
 * and rotation, SIGTERM/SIGKILL, OOM at a memory limit, a pod sandbox
 * shared by two containers, a starter killed with SIGKILL, read-only
 * root, capabilities, runAsUser, cgroup limits, list and remove. Every
 * test runs once per runtime. Needs root, busybox-static, crun and runc. */
#include <poll.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/log.h"
#include "tests/executors/test_runtime_helpers.h"

typedef struct ctx {
        const char *runtime;
        char dir[64];
        char *rootfs;
        exe_runtime *rt;
        unsigned seq;
} ctx;

static ctx crun_ctx = {.runtime = "crun"}, runc_ctx = {.runtime = "runc"};

static int
group_setup(ctx *c)
{
        strcpy(c->dir, "/tmp/tmp-p-rt-XXXXXX");
        if (!mkdtemp(c->dir))
                return -1;
        c->rootfs = rt_test_rootfs(c->dir);
        if (!c->rootfs)
                return -1;
        _cleanup_free_ char *state_dir = xasprintf("%s/state", c->dir);
        _cleanup_free_ char *shim = rt_test_shim_path();
        exe_runtime_options o = {.runtime = c->runtime, .state_dir = state_dir, .shim_path = shim};
        tm_error err = {0};
        if (exe_runtime_open(&c->rt, &o, &err) < 0) {
                fprintf(stderr, "open %s: %s\n", c->runtime, err.msg);
                return -1;
        }
        assert_string_equal(exe_runtime_name(c->rt), c->runtime);
        fprintf(stderr, "# %s %s, cgroups %s\n", exe_runtime_name(c->rt),
                exe_runtime_version(c->rt), exe_runtime_cgroup_mode(c->rt));
        return 0;
}

static int
crun_setup(void **state)
{
        *state = &crun_ctx;
        return group_setup(&crun_ctx);
}

static int
runc_setup(void **state)
{
        *state = &runc_ctx;
        return group_setup(&runc_ctx);
}

static int
group_teardown(void **state)
{
        ctx *c = *state;
        tm_error err = {0};
        char **uids = NULL;
        size_t n = 0;
        if (c->rt && exe_sandbox_list(c->rt, &uids, &n, &err) == 0) {
                for (size_t i = 0; i < n; i++) {
                        char **names = NULL;
                        size_t k = 0;
                        if (exe_container_list(c->rt, uids[i], &names, &k, &err) == 0)
                                for (size_t j = 0; j < k; j++) {
                                        exe_container_remove(c->rt, uids[i], names[j], true, &err);
                                        free(names[j]);
                                }
                        free(names);
                        exe_sandbox_destroy(c->rt, uids[i], &err);
                        free(uids[i]);
                }
                free(uids);
        }
        exe_runtime_close(c->rt);
        char *cmd = xasprintf("rm -rf '%s'", c->dir);
        (void)system(cmd);
        free(cmd);
        free(c->rootfs);
        return 0;
}

/* A fresh pod uid per test: "tmp-p-<runtime>-<pid>-<n>". */
static char *
new_uid(ctx *c)
{
        return xasprintf("tmp-p-%s-%d-%u", c->runtime, (int)getpid(), ++c->seq);
}

static exe_container_spec
spec_for(ctx *c, const char *uid, const char *name, const char *const *args, const exe_sandbox *sb)
{
        static const char *const env[] = {"PATH=/bin", NULL};
        exe_container_spec s = {
            .pod_uid = uid,
            .name = name,
            .rootfs = c->rootfs,
            .args = args,
            .env = env,
            .sandbox = sb,
        };
        return s;
}

static void
start_ok(ctx *c, const exe_container_spec *s)
{
        tm_error err = {0};
        int r = exe_container_start(c->rt, s, &err);
        if (r < 0)
                fail_msg("start %s: %s", s->name, err.msg);
}

static void
remove_ok(ctx *c, const char *uid, const char *name)
{
        tm_error err = {0};
        int r = exe_container_remove(c->rt, uid, name, true, &err);
        if (r < 0)
                fail_msg("remove %s: %s", name, err.msg);
}

static bool
matches(const char *text, const char *re)
{
        regex_t rx;
        assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
        bool m = regexec(&rx, text, 0, NULL, 0) == 0;
        regfree(&rx);
        return m;
}

static void
test_exit_zero_logs(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sh", "-c", "echo hello world; echo oops >&2; printf tail", NULL};
        exe_container_spec s = spec_for(c, uid, "main", args, NULL);
        start_ok(c, &s);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "main", 10000, &st), EXE_C_EXITED);
        assert_int_equal(st.exit_code, 0);
        assert_false(st.oom_killed);
        assert_string_equal(st.reason, "Completed");
        assert_true(st.finished_at >= st.started_at && st.started_at > 0);
        _cleanup_free_ char *log = rt_test_log(c->rt, uid, "main", 0);
        const char *ts = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z ";
        _cleanup_free_ char *re1 = xasprintf("%sstdout F hello world$", ts);
        _cleanup_free_ char *re2 = xasprintf("%sstderr F oops$", ts);
        _cleanup_free_ char *re3 = xasprintf("%sstdout F tail$", ts);
        if (!matches(log, re1) || !matches(log, re2) || !matches(log, re3))
                fail_msg("log not in CRI format:\n%s", log);
        remove_ok(c, uid, "main");
        /* Logs stay, the bundle goes. */
        _cleanup_free_ char *lp = exe_container_log_path(c->rt, uid, "main", 0);
        assert_int_equal(access(lp, F_OK), 0);
        exe_container_status_get(c->rt, uid, "main", &st, NULL);
        assert_int_equal(st.state, EXE_C_UNKNOWN);
}

static void
test_exit_code(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sh", "-c", "exit 3", NULL};
        exe_container_spec s = spec_for(c, uid, "fail", args, NULL);
        start_ok(c, &s);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "fail", 10000, &st), EXE_C_EXITED);
        assert_int_equal(st.exit_code, 3);
        assert_string_equal(st.reason, "Error");
        /* Starting again without removing replaces the exited one. */
        s.attempt = 1;
        start_ok(c, &s);
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "fail", 10000, &st), EXE_C_EXITED);
        assert_int_equal(st.exit_code, 3);
        remove_ok(c, uid, "fail");
}

static void
test_bad_command(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"/no/such/binary", NULL};
        exe_container_spec s = spec_for(c, uid, "bad", args, NULL);
        tm_error err = {0};
        int r = exe_container_start(c->rt, &s, &err);
        if (r < 0) {
                /* The runtime's own words reach the caller. */
                assert_non_null(strstr(err.msg, "bad"));
                assert_non_null(strstr(err.msg, c->runtime));
                fprintf(stderr, "# %s: %s\n", c->runtime, err.msg);
        } else {
                exe_container_status st;
                assert_int_equal(rt_test_wait_exit(c->rt, uid, "bad", 10000, &st), EXE_C_EXITED);
                assert_int_not_equal(st.exit_code, 0);
        }
        exe_container_remove(c->rt, uid, "bad", true, &err);
}

static void
test_kill(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        /* PID 1 ignores signals it has no handler for, hence the trap. */
        const char *args[] = {"sh", "-c", "trap 'exit 143' TERM; while :; do sleep 0.05; done",
                              NULL};
        exe_container_spec s = spec_for(c, uid, "term", args, NULL);
        start_ok(c, &s);
        const char *args2[] = {"sleep", "1000", NULL};
        exe_container_spec s2 = spec_for(c, uid, "hard", args2, NULL);
        start_ok(c, &s2);

        exe_container_status st;
        tm_error err = {0};
        assert_int_equal(exe_container_status_get(c->rt, uid, "term", &st, &err), 0);
        assert_int_equal(st.state, EXE_C_RUNNING);
        assert_true(st.pid > 0);
        assert_int_equal(kill(st.pid, 0), 0);
        /* Not removable while running without force. */
        assert_int_equal(exe_container_remove(c->rt, uid, "term", false, &err), -EBUSY);

        char **names = NULL;
        size_t n = 0;
        assert_int_equal(exe_container_list(c->rt, uid, &names, &n, &err), 0);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++) {
                assert_true(!strcmp(names[i], "term") || !strcmp(names[i], "hard"));
                free(names[i]);
        }
        free(names);

        assert_int_equal(exe_container_kill(c->rt, uid, "term", SIGTERM, &err), 0);
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "term", 10000, &st), EXE_C_EXITED);
        assert_int_equal(st.exit_code, 143);
        assert_string_equal(st.reason, "Error");
        /* Killing what already ended is not an error. */
        assert_int_equal(exe_container_kill(c->rt, uid, "term", SIGKILL, &err), 0);

        assert_int_equal(exe_container_kill(c->rt, uid, "hard", SIGKILL, &err), 0);
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "hard", 10000, &st), EXE_C_EXITED);
        assert_int_equal(st.exit_code, 137);
        assert_false(st.oom_killed);
        remove_ok(c, uid, "term");
        remove_ok(c, uid, "hard");
        assert_int_equal(exe_container_list(c->rt, uid, &names, &n, &err), 0);
        assert_int_equal(n, 0);
        free(names);
        assert_int_equal(exe_container_kill(c->rt, uid, "hard", SIGKILL, &err), -ENOENT);
}

static void
test_oom(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sh", "-c", "head -c 64m /dev/zero | tail", NULL};
        exe_container_spec s = spec_for(c, uid, "hog", args, NULL);
        s.memory_limit = 16 << 20;
        start_ok(c, &s);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "hog", 30000, &st), EXE_C_EXITED);
        assert_true(st.oom_killed);
        assert_string_equal(st.reason, "OOMKilled");
        assert_int_equal(st.exit_code, 137);
        remove_ok(c, uid, "hog");
}

static void
test_sandbox_shared(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        exe_sandbox sb = {0};
        tm_error err = {0};
        if (exe_sandbox_create(c->rt, uid, "tmp-p-web", &sb, &err) < 0)
                fail_msg("sandbox: %s", err.msg);
        const char *srv[] = {"sh", "-c",
                             "mkdir -p /dev/shm/w && echo pong > /dev/shm/w/index.html && "
                             "exec httpd -f -p 127.0.0.1:8080 -h /dev/shm/w",
                             NULL};
        const char *cli[] = {"sh", "-c",
                             "hostname; ok=1; for i in $(seq 1 100); do "
                             "wget -qO- http://127.0.0.1:8080/ && { ok=0; break; }; sleep 0.05; "
                             "done; echo shm:$(cat /dev/shm/w/index.html); exit $ok",
                             NULL};
        exe_container_spec s1 = spec_for(c, uid, "server", srv, &sb);
        exe_container_spec s2 = spec_for(c, uid, "client", cli, &sb);
        start_ok(c, &s1);
        start_ok(c, &s2);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "client", 15000, &st), EXE_C_EXITED);
        _cleanup_free_ char *log = rt_test_log(c->rt, uid, "client", 0);
        if (st.exit_code != 0 || !strstr(log, "stdout F pong") ||
            !strstr(log, "stdout F tmp-p-web") || !strstr(log, "stdout F shm:pong"))
                fail_msg("client exit %d, log:\n%s", st.exit_code, log);
        /* The host's loopback does not serve it: the namespace is the pod's. */
        assert_int_equal(system("wget -qO- -T 1 http://127.0.0.1:8080/ >/dev/null 2>&1") == 0, 0);
        assert_int_equal(exe_container_kill(c->rt, uid, "server", SIGKILL, &err), 0);
        remove_ok(c, uid, "server");
        remove_ok(c, uid, "client");
        assert_int_equal(exe_sandbox_destroy(c->rt, uid, &err), 0);
        assert_int_equal(access(sb.dir, F_OK), -1);
        exe_sandbox_clear(&sb);
}

static size_t
count_ticks(const char *log)
{
        size_t n = 0;
        for (const char *p = log; (p = strstr(p, "stdout F tick")); p++)
                n++;
        return n;
}

static void
test_starter_killed(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sh", "-c", "while :; do echo tick; sleep 0.05; done", NULL};
        exe_container_spec s = spec_for(c, uid, "ticker", args, NULL);
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t daemon = fork();
        assert_true(daemon >= 0);
        if (daemon == 0) {
                tm_error err = {0};
                char ok = exe_container_start(c->rt, &s, &err) == 0 ? 'y' : 'n';
                if (ok != 'y')
                        fprintf(stderr, "start: %s\n", err.msg);
                (void)write(p[1], &ok, 1);
                pause();
                _exit(0);
        }
        close(p[1]);
        char ok = 0;
        assert_int_equal(read(p[0], &ok, 1), 1);
        close(p[0]);
        assert_int_equal(ok, 'y');
        kill(daemon, SIGKILL);
        int wst;
        waitpid(daemon, &wst, 0);
        assert_true(WIFSIGNALED(wst));

        exe_container_status st;
        tm_error err = {0};
        assert_int_equal(exe_container_status_get(c->rt, uid, "ticker", &st, &err), 0);
        assert_int_equal(st.state, EXE_C_RUNNING);
        _cleanup_free_ char *log1 = rt_test_log(c->rt, uid, "ticker", 0);
        usleep(500000);
        _cleanup_free_ char *log2 = rt_test_log(c->rt, uid, "ticker", 0);
        assert_true(count_ticks(log2) > count_ticks(log1));
        assert_int_equal(exe_container_status_get(c->rt, uid, "ticker", &st, &err), 0);
        assert_int_equal(st.state, EXE_C_RUNNING);
        remove_ok(c, uid, "ticker");
}

/* Runs args to completion and returns its log (caller frees). */
static char *
run_to_end(ctx *c, exe_container_spec *s, int want_code)
{
        start_ok(c, s);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, s->pod_uid, s->name, 15000, &st), EXE_C_EXITED);
        char *log = rt_test_log(c->rt, s->pod_uid, s->name, s->attempt);
        if (st.exit_code != want_code)
                fail_msg("%s exited %d, want %d; log:\n%s", s->name, st.exit_code, want_code, log);
        remove_ok(c, s->pod_uid, s->name);
        return log;
}

static void
test_security(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *rw[] = {"sh", "-c", "touch /tmp/x && echo writable || echo readonly", NULL};
        exe_container_spec s = spec_for(c, uid, "ro", rw, NULL);
        s.read_only_rootfs = true;
        _cleanup_free_ char *l1 = run_to_end(c, &s, 0);
        assert_non_null(strstr(l1, "stdout F readonly"));

        const char *caps[] = {"sh", "-c", "grep CapEff /proc/self/status", NULL};
        s = spec_for(c, uid, "caps", caps, NULL);
        _cleanup_free_ char *l2 = run_to_end(c, &s, 0);
        /* containerd's default set. */
        if (!strstr(l2, "00000000a80425fb"))
                fail_msg("default caps: %s", l2);
        static const char *const all[] = {"ALL", NULL};
        static const char *const add[] = {"NET_ADMIN", NULL};
        s.cap_drop = all;
        s.attempt = 1;
        _cleanup_free_ char *l3 = run_to_end(c, &s, 0);
        if (!strstr(l3, "0000000000000000"))
                fail_msg("drop ALL: %s", l3);
        s.cap_add = add;
        s.attempt = 2;
        _cleanup_free_ char *l4 = run_to_end(c, &s, 0);
        if (!strstr(l4, "0000000000001000"))
                fail_msg("drop ALL + NET_ADMIN: %s", l4);

        const char *id[] = {"sh", "-c", "id -u; id -g; touch /root/x || echo denied", NULL};
        s = spec_for(c, uid, "nobody", id, NULL);
        s.uid = 65534;
        s.gid = 65534;
        _cleanup_free_ char *l5 = run_to_end(c, &s, 0);
        if (!strstr(l5, "stdout F 65534\n") || !strstr(l5, "stdout F denied"))
                fail_msg("runAsUser: %s", l5);
}

static char *
host_cg(const char *ctrl, const char *uid, const char *name, const char *file)
{
        _cleanup_free_ char *p =
            xasprintf("/sys/fs/cgroup/%s/timone/%s/%s/%s", ctrl, uid, name, file);
        char *text = NULL;
        size_t len;
        if (tm_file_read(p, 4096, &text, &len, NULL) < 0)
                return xstrdup("(missing)");
        return text;
}

static void
test_limits(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {
            "sh", "-c", "for i in $(seq 1 20); do sleep 30 & done; echo forked; sleep 30", NULL};
        exe_container_spec s = spec_for(c, uid, "lim", args, NULL);
        s.pids_limit = 8;
        s.memory_limit = 64 << 20;
        s.cpu_quota_us = 50000;
        s.cpu_period_us = 100000;
        s.cpu_shares = 512;
        start_ok(c, &s);
        uint64_t end = tm_now_ms() + 10000;
        _cleanup_free_ char *log = NULL;
        while (tm_now_ms() < end) {
                free(log);
                log = rt_test_log(c->rt, uid, "lim", 0);
                if (strstr(log, "forked"))
                        break;
                usleep(50000);
        }
        if (!strstr(log, "stderr F ") || !strstr(log, "fork"))
                fail_msg("no fork failure under pids.max 8:\n%s", log);
        if (strcmp(exe_runtime_cgroup_mode(c->rt), "v2") != 0) {
                _cleanup_free_ char *pids = host_cg("pids", uid, "lim", "pids.max");
                _cleanup_free_ char *mem = host_cg("memory", uid, "lim", "memory.limit_in_bytes");
                _cleanup_free_ char *quota = host_cg("cpu", uid, "lim", "cpu.cfs_quota_us");
                _cleanup_free_ char *shares = host_cg("cpu", uid, "lim", "cpu.shares");
                assert_string_equal(pids, "8\n");
                assert_string_equal(mem, "67108864\n");
                assert_string_equal(quota, "50000\n");
                assert_string_equal(shares, "512\n");
        } else {
                /* v2 (not run on this machine): one tree, converted values. */
                _cleanup_free_ char *pids = host_cg(".", uid, "lim", "pids.max");
                _cleanup_free_ char *mem = host_cg(".", uid, "lim", "memory.max");
                _cleanup_free_ char *cpu = host_cg(".", uid, "lim", "cpu.max");
                _cleanup_free_ char *weight = host_cg(".", uid, "lim", "cpu.weight");
                assert_string_equal(pids, "8\n");
                assert_string_equal(mem, "67108864\n");
                assert_string_equal(cpu, "50000 100000\n");
                assert_string_equal(weight, "20\n"); /* 1 + (512 - 2) * 9999 / 262142 */
        }
        remove_ok(c, uid, "lim");
}

static void
test_log_rotation(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sh", "-c", "for i in $(seq 1 300); do echo line $i; done", NULL};
        exe_container_spec s = spec_for(c, uid, "chatty", args, NULL);
        s.log_max_bytes = 2048;
        s.log_max_files = 2;
        start_ok(c, &s);
        exe_container_status st;
        assert_int_equal(rt_test_wait_exit(c->rt, uid, "chatty", 10000, &st), EXE_C_EXITED);
        _cleanup_free_ char *p = exe_container_log_path(c->rt, uid, "chatty", 0);
        for (int i = 0; i <= 3; i++) {
                _cleanup_free_ char *f = i ? xasprintf("%s.%d", p, i) : xstrdup(p);
                struct stat sb;
                int r = stat(f, &sb);
                if (i == 3) {
                        assert_int_equal(r, -1);
                } else {
                        assert_int_equal(r, 0);
                        assert_true(sb.st_size <= 2048 && sb.st_size > 0);
                }
        }
        _cleanup_free_ char *log = rt_test_log(c->rt, uid, "chatty", 0);
        assert_non_null(strstr(log, "stdout F line 300\n"));
        remove_ok(c, uid, "chatty");
}

static void
test_parallel_start(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sleep", "1000", NULL};
        enum { N = 6 };
        char names[N][8];
        struct pollfd pfd[N];
        tm_error err = {0};
        for (int i = 0; i < N; i++) {
                snprintf(names[i], sizeof(names[i]), "c%d", i);
                exe_container_spec s = spec_for(c, uid, names[i], args, NULL);
                if (exe_container_start_begin(c->rt, &s, &pfd[i].fd, &err) < 0)
                        fail_msg("begin %s: %s", names[i], err.msg);
                pfd[i].events = POLLIN;
        }
        int left = N;
        uint64_t end = tm_now_ms() + 60000;
        while (left > 0 && tm_now_ms() < end) {
                assert_true(poll(pfd, N, 1000) >= 0);
                for (int i = 0; i < N; i++) {
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        if (exe_container_start_finish(c->rt, names[i], pfd[i].fd, &err) < 0)
                                fail_msg("finish %s: %s", names[i], err.msg);
                        pfd[i].fd = -1;
                        left--;
                }
        }
        assert_int_equal(left, 0);
        for (int i = 0; i < N; i++) {
                exe_container_status st;
                assert_int_equal(exe_container_status_get(c->rt, uid, names[i], &st, &err), 0);
                assert_int_equal(st.state, EXE_C_RUNNING);
                remove_ok(c, uid, names[i]);
        }
}

/* Stopping many at once: each shim's pidfd says when its container ended,
 * the runtime's deletes run side by side, and the shims (our children)
 * are reaped: no zombie is left. */
static void
test_parallel_remove(void **state)
{
        ctx *c = *state;
        _cleanup_free_ char *uid = new_uid(c);
        const char *args[] = {"sleep", "1000", NULL};
        enum { N = 6 };
        char names[N][8];
        int exit_fd[N];
        exe_removal *rm[N];
        tm_error err = {0};
        for (int i = 0; i < N; i++) {
                snprintf(names[i], sizeof(names[i]), "r%d", i);
                exe_container_spec s = spec_for(c, uid, names[i], args, NULL);
                start_ok(c, &s);
                exit_fd[i] = exe_container_exit_fd(c->rt, uid, names[i]);
                assert_true(exit_fd[i] >= 0);
                struct pollfd p = {.fd = exit_fd[i], .events = POLLIN};
                assert_int_equal(poll(&p, 1, 0), 0); /* still running */
        }
        for (int i = 0; i < N; i++)
                assert_int_equal(exe_container_kill(c->rt, uid, names[i], SIGKILL, &err), 0);
        for (int i = 0; i < N; i++) {
                struct pollfd p = {.fd = exit_fd[i], .events = POLLIN};
                assert_int_equal(poll(&p, 1, 10000), 1); /* the shim exited */
                close(exit_fd[i]);
                exe_container_status st;
                assert_int_equal(exe_container_status_get(c->rt, uid, names[i], &st, &err), 0);
                assert_int_equal(st.state, EXE_C_EXITED);
                assert_int_equal(st.exit_code, 137);
                assert_int_equal(exe_container_exit_fd(c->rt, uid, names[i]), -1);
                if (exe_container_remove_begin(c->rt, uid, names[i], false, &rm[i], &err) < 0)
                        fail_msg("remove %s: %s", names[i], err.msg);
        }
        int left = N;
        uint64_t end = tm_now_ms() + 30000;
        while (left > 0 && tm_now_ms() < end) {
                for (int i = 0; i < N; i++) {
                        if (!rm[i])
                                continue;
                        int fd = exe_removal_fd(rm[i]);
                        if (fd >= 0) {
                                struct pollfd p = {.fd = fd, .events = POLLIN};
                                (void)poll(&p, 1, 50);
                        }
                        int r = exe_container_remove_step(c->rt, rm[i], &err);
                        if (r < 0)
                                fail_msg("remove %s: %s", names[i], err.msg);
                        if (r == 1) {
                                rm[i] = NULL;
                                left--;
                        }
                }
        }
        assert_int_equal(left, 0);
        char **list = NULL;
        size_t n = 0;
        assert_int_equal(exe_container_list(c->rt, uid, &list, &n, &err), 0);
        assert_int_equal(n, 0);
        free(list);
        for (int i = 0; i < N; i++) {
                _cleanup_free_ char *b =
                    xasprintf("%s/state/pods/%s/containers/%s", c->dir, uid, names[i]);
                assert_int_equal(access(b, F_OK), -1);
        }
        exe_runtime_reap(c->rt);
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
        _cleanup_free_ char *kids = NULL;
        size_t klen = 0;
        if (tm_file_read(path, 65536, &kids, &klen, NULL) == 0) {
                for (char *save = NULL, *t = strtok_r(kids, " \n", &save); t;
                     t = strtok_r(NULL, " \n", &save)) {
                        _cleanup_free_ char *st = xasprintf("/proc/%s/stat", t);
                        _cleanup_free_ char *text = NULL;
                        size_t tl = 0;
                        if (tm_file_read(st, 4096, &text, &tl, NULL) == 0 && strrchr(text, ')'))
                                assert_true(strrchr(text, ')')[2] != 'Z');
                }
        }
}

#define T(f) cmocka_unit_test(f)

int
main(void)
{
        tm_log_set_level(TM_LOG_WARN);
        const struct CMUnitTest tests[] = {
            T(test_exit_zero_logs),
            T(test_exit_code),
            T(test_bad_command),
            T(test_kill),
            T(test_oom),
            T(test_sandbox_shared),
            T(test_starter_killed),
            T(test_security),
            T(test_limits),
            T(test_log_rotation),
            T(test_parallel_start),
            T(test_parallel_remove),
        };
        int skip = rt_test_can_run("crun");
        if (!skip)
                skip = rt_test_can_run("runc");
        if (skip)
                return skip;
        int r = _cmocka_run_group_tests("crun", tests, TM_ARRAY_SIZE(tests), crun_setup,
                                        group_teardown);
        r += _cmocka_run_group_tests("runc", tests, TM_ARRAY_SIZE(tests), runc_setup,
                                     group_teardown);
        return r;
}
