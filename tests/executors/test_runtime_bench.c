/* Start-time figures for tests/bench/bench_runtime.sh (and a short smoke
 * run as a test): median time of exe_container_start for a busybox root
 * next to a bare `<runtime> run -d` and `<runtime> run` of the same
 * bundle, measured in the same run; and the shim's PSS while a container
 * runs. TIMONE_BENCH_N runs per figure (default 1: a smoke test), TIMONE_BENCH_RUNTIME
 * "crun", "runc" or both (default). Prints; asserts only that it works. */
#include <poll.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>

#include "common/log.h"
#include "tests/executors/test_runtime_helpers.h"

static int
cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

static double
median_ms(uint64_t *us, unsigned n)
{
        qsort(us, n, sizeof(*us), cmp_u64);
        return (n % 2 ? us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2) / 1000.0;
}

static uint64_t
now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        int r = system(cmd);
        return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* "Pss:" of /proc/pid/smaps_rollup in KiB, -1 if unreadable. */
static long
pss_kib(int pid, const char *field)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        long v = -1;
        size_t fl = strlen(field);
        while (fgets(line, sizeof(line), f))
                if (!strncmp(line, field, fl) && line[fl] == ':')
                        v = strtol(line + fl + 1, NULL, 10);
        fclose(f);
        return v;
}

static int
shim_pid(const char *state, const char *uid, const char *name)
{
        _cleanup_free_ char *p = xasprintf("%s/pods/%s/containers/%s/status", state, uid, name);
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (tm_file_read(p, 4096, &text, &len, NULL) < 0)
                return -1;
        char *s = strstr(text, "shim=");
        return s ? atoi(s + 5) : -1;
}

static int
bench(const char *runtime, unsigned n)
{
        char dir[] = "/tmp/tmp-p-bench-XXXXXX";
        if (!mkdtemp(dir))
                return 1;
        _cleanup_free_ char *rootfs = rt_test_rootfs(dir);
        _cleanup_free_ char *state = xasprintf("%s/state", dir);
        _cleanup_free_ char *shim = rt_test_shim_path();
        exe_runtime_options o = {.runtime = runtime, .state_dir = state, .shim_path = shim};
        exe_runtime *rt = NULL;
        tm_error err = {0};
        if (!rootfs || exe_runtime_open(&rt, &o, &err) < 0) {
                fprintf(stderr, "open %s: %s\n", runtime, err.msg);
                return 1;
        }
        static const char *const env[] = {"PATH=/bin", NULL};
        static const char *const sleeper[] = {"sleep", "1000", NULL};
        static const char *const truecmd[] = {"true", NULL};
        const char *uid = "tmp-p-bench";
        exe_container_spec s = {.pod_uid = uid, .rootfs = rootfs, .env = env};
        uint64_t *ours = xcalloc(n, sizeof(uint64_t)), *bare_d = xcalloc(n, sizeof(uint64_t)),
                 *bare_run = xcalloc(n, sizeof(uint64_t));
        int rc = 0;

        /* The bare runtime on the same bundle (config made by us, so the
         * same root, mounts and cgroup settings), interleaved with ours so
         * that load from elsewhere hits both alike. */
        _cleanup_free_ char *bundle = xasprintf("%s/bare", dir);
        _cleanup_free_ char *troot = xasprintf("%s/bare-root", dir);
        _cleanup_free_ char *sleep_cfg = NULL, *true_cfg = NULL;
        sh("mkdir -p %s %s", bundle, troot);
        _cleanup_free_ char *cfgpath = xasprintf("%s/config.json", bundle);
        s.name = "bare";
        s.args = sleeper;
        exe_container_spec tspec = s;
        tspec.args = truecmd;
        if (exe_oci_config(&s, exe_runtime_cgroup_mode(rt), &sleep_cfg, &err) < 0 ||
            exe_oci_config(&tspec, exe_runtime_cgroup_mode(rt), &true_cfg, &err) < 0) {
                fprintf(stderr, "bundle: %s\n", err.msg);
                return 1;
        }
        long pss = -1, rss = -1;
        for (unsigned i = 0; i < n && rc == 0; i++) {
                for (int pass = 0; pass < 2; pass++) {
                        const char *cfg = pass ? true_cfg : sleep_cfg;
                        tm_file_write_atomic(cfgpath, cfg, strlen(cfg), 0600, NULL);
                        uint64_t t0 = now_us();
                        int r = sh("exec %s --root %s run %s --bundle %s tmp-p-bare-%u </dev/null "
                                   ">/dev/null 2>&1",
                                   runtime, troot, pass ? "" : "-d", bundle, i);
                        (pass ? bare_run : bare_d)[i] = now_us() - t0;
                        if (r != 0)
                                rc = 1, fprintf(stderr, "bare %s run failed\n", runtime);
                        sh("%s --root %s delete --force tmp-p-bare-%u >/dev/null 2>&1", runtime,
                           troot, i);
                }
                s.name = "ours";
                s.attempt = i;
                uint64_t t0 = now_us();
                if (exe_container_start(rt, &s, &err) < 0) {
                        fprintf(stderr, "start: %s\n", err.msg);
                        rc = 1;
                        break;
                }
                ours[i] = now_us() - t0;
                if (i == 0) {
                        int sp = shim_pid(state, uid, "ours");
                        usleep(200000);
                        pss = pss_kib(sp, "Pss");
                        rss = pss_kib(sp, "Rss");
                }
                if (exe_container_remove(rt, uid, "ours", true, &err) < 0) {
                        fprintf(stderr, "remove: %s\n", err.msg);
                        rc = 1;
                }
        }
        /* 20 pods at once: a sandbox each, starts through begin/finish. */
        enum { MAXPODS = 20 };
        const int PODS = n > 1 ? MAXPODS : 3; /* a smoke test starts 3 */
        char uids[MAXPODS][32];
        struct pollfd pfd[MAXPODS];
        exe_sandbox sbs[MAXPODS];
        memset(sbs, 0, sizeof(sbs));
        uint64_t t20 = now_us();
        int left = 0;
        for (int i = 0; i < PODS && rc == 0; i++) {
                snprintf(uids[i], sizeof(uids[i]), "tmp-p-bench-%d", i);
                if (exe_sandbox_create(rt, uids[i], uids[i], &sbs[i], &err) < 0) {
                        fprintf(stderr, "sandbox: %s\n", err.msg);
                        rc = 1;
                        break;
                }
                exe_container_spec ps = s;
                ps.pod_uid = uids[i];
                ps.name = "main";
                ps.attempt = 0;
                ps.sandbox = &sbs[i];
                if (exe_container_start_begin(rt, &ps, &pfd[i].fd, &err) < 0) {
                        fprintf(stderr, "begin: %s\n", err.msg);
                        rc = 1;
                        break;
                }
                pfd[i].events = POLLIN;
                left++;
        }
        while (rc == 0 && left > 0) {
                if (poll(pfd, (nfds_t)PODS, 60000) <= 0) {
                        rc = 1;
                        break;
                }
                for (int i = 0; i < PODS; i++) {
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        if (exe_container_start_finish(rt, "main", pfd[i].fd, &err) < 0) {
                                fprintf(stderr, "finish: %s\n", err.msg);
                                rc = 1;
                        }
                        pfd[i].fd = -1;
                        left--;
                }
        }
        double ms20 = (double)(now_us() - t20) / 1000.0;
        long pss20 = 0;
        usleep(200000);
        for (int i = 0; i < PODS && rc == 0; i++) {
                long v = pss_kib(shim_pid(state, uids[i], "main"), "Pss");
                pss20 += v > 0 ? v : 0;
        }
        for (int i = 0; i < PODS; i++) {
                exe_container_remove(rt, uids[i], "main", true, NULL);
                exe_sandbox_destroy(rt, uids[i], NULL);
                exe_sandbox_clear(&sbs[i]);
        }

        if (rc == 0) {
                printf("%s %s, cgroups %s, busybox root, median of %u:\n", runtime,
                       exe_runtime_version(rt), exe_runtime_cgroup_mode(rt), n);
                printf("  exe_container_start (process running)   %7.1f ms\n", median_ms(ours, n));
                printf("  bare `%s run -d` (process running)      %7.1f ms\n", runtime,
                       median_ms(bare_d, n));
                printf("  bare `%s run` of `true` (to exit)       %7.1f ms\n", runtime,
                       median_ms(bare_run, n));
                printf("  timone-shim while a container runs: Pss %ld KiB, Rss %ld KiB\n", pss,
                       rss);
                printf("  %d pods (sandbox + container each) started in parallel: %.1f ms; "
                       "their %d shims: Pss %ld KiB in all\n",
                       PODS, ms20, PODS, pss20);
        }
        exe_sandbox_destroy(rt, uid, NULL);
        exe_runtime_close(rt);
        sh("rm -rf %s", dir);
        free(ours), free(bare_d), free(bare_run);
        return rc;
}

int
main(void)
{
        tm_log_set_level(TM_LOG_WARN);
        const char *n_env = getenv("TIMONE_BENCH_N");
        unsigned n = n_env ? (unsigned)strtoul(n_env, NULL, 10) : 1;
        if (n == 0 || n > 1000)
                n = 1;
        const char *only = getenv("TIMONE_BENCH_RUNTIME");
        const char *runtimes[] = {"crun", "runc"};
        int rc = 0;
        for (size_t i = 0; i < 2; i++) {
                if (only && *only && strcmp(only, runtimes[i]))
                        continue;
                int skip = rt_test_can_run(runtimes[i]);
                if (skip)
                        return skip;
                rc |= bench(runtimes[i], n);
        }
        return rc;
}
