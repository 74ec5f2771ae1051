/* Pod sandboxes: real namespaces kept by bind mounts, hostname and
 * loopback inside, idempotent create, re-adoption by a new runtime handle,
 * repair of a half-made sandbox, destroy and list. Needs root. */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "common/log.h"
#include "tests/executors/test_runtime_helpers.h"

static char dir[64];
static char *state_dir;

static exe_runtime *
open_rt(void)
{
        _cleanup_free_ char *shim = rt_test_shim_path();
        exe_runtime_options o = {.runtime = "runc", .state_dir = state_dir, .shim_path = shim};
        exe_runtime *rt = NULL;
        tm_error err = {0};
        if (exe_runtime_open(&rt, &o, &err) < 0)
                fail_msg("open: %s", err.msg);
        return rt;
}

static ino_t
ino(const char *p)
{
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        return st.st_ino;
}

/* In a child that joins the sandbox: hostname and whether lo is up. */
static void
probe(const exe_sandbox *sb, char *host, size_t hostlen, bool *lo_up)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char out[80] = "";
                int fu = open(sb->utsns, O_RDONLY), fn = open(sb->netns, O_RDONLY);
                if (fu >= 0 && fn >= 0 && setns(fu, CLONE_NEWUTS) == 0 &&
                    setns(fn, CLONE_NEWNET) == 0) {
                        gethostname(out + 1, 64);
                        int s = socket(AF_INET, SOCK_DGRAM, 0);
                        struct ifreq ifr = {0};
                        strcpy(ifr.ifr_name, "lo");
                        out[0] =
                            s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP)
                                ? 'U'
                                : 'D';
                }
                (void)write(p[1], out, sizeof(out));
                _exit(0);
        }
        close(p[1]);
        char out[80] = "";
        assert_int_equal(read(p[0], out, sizeof(out)), sizeof(out));
        close(p[0]);
        waitpid(pid, NULL, 0);
        snprintf(host, hostlen, "%s", out + 1);
        *lo_up = out[0] == 'U';
}

static bool
listed(exe_runtime *rt, const char *uid)
{
        char **uids = NULL;
        size_t n = 0;
        assert_int_equal(exe_sandbox_list(rt, &uids, &n, NULL), 0);
        bool found = false;
        for (size_t i = 0; i < n; i++) {
                found |= !strcmp(uids[i], uid);
                free(uids[i]);
        }
        free(uids);
        return found;
}

static void
test_lifecycle(void **state)
{
        exe_runtime *rt = open_rt();
        const char *uid = "tmp-p-sb-1";
        exe_sandbox sb = {0};
        tm_error err = {0};
        if (exe_sandbox_create(rt, uid, "tmp-p-host", &sb, &err) < 0)
                fail_msg("create: %s", err.msg);
        assert_true(tm_str_has_suffix(sb.netns, "/pods/tmp-p-sb-1/ns/net"));
        ino_t self_net = ino("/proc/self/ns/net");
        ino_t net = ino(sb.netns), ipc = ino(sb.ipcns), uts = ino(sb.utsns);
        assert_true(net != self_net);
        assert_true(ipc != ino("/proc/self/ns/ipc"));
        assert_true(uts != ino("/proc/self/ns/uts"));
        char host[80];
        bool lo;
        probe(&sb, host, sizeof(host), &lo);
        assert_string_equal(host, "tmp-p-host");
        assert_true(lo);
        assert_true(listed(rt, uid));
        struct statfs shmfs;
        assert_int_equal(statfs(sb.shm, &shmfs), 0);
        assert_int_equal(shmfs.f_type, 0x01021994); /* tmpfs */

        /* Idempotent, and re-adopted by a fresh handle (daemon restart). */
        exe_sandbox sb2 = {0};
        assert_int_equal(exe_sandbox_create(rt, uid, "tmp-p-host", &sb2, &err), 0);
        assert_int_equal(ino(sb2.netns), net);
        exe_sandbox_clear(&sb2);
        exe_runtime_close(rt);
        rt = open_rt();
        assert_int_equal(exe_sandbox_create(rt, uid, "other-name", &sb2, &err), 0);
        assert_int_equal(ino(sb2.netns), net);
        assert_int_equal(ino(sb2.utsns), uts);
        probe(&sb2, host, sizeof(host), &lo);
        assert_string_equal(host, "tmp-p-host");
        exe_sandbox_clear(&sb2);

        /* Half-made (a crash between mounts): made again, whole. */
        assert_int_equal(umount2(sb.ipcns, MNT_DETACH), 0);
        assert_int_equal(exe_sandbox_create(rt, uid, "tmp-p-host", &sb2, &err), 0);
        /* (New namespaces may reuse the freed inode numbers: probe them.) */
        struct statfs sfs;
        assert_int_equal(statfs(sb2.ipcns, &sfs), 0);
        assert_int_equal(sfs.f_type, 0x6e736673); /* nsfs */
        probe(&sb2, host, sizeof(host), &lo);
        assert_string_equal(host, "tmp-p-host");
        assert_true(lo);
        exe_sandbox_clear(&sb2);

        assert_int_equal(exe_sandbox_destroy(rt, uid, &err), 0);
        assert_int_equal(access(sb.dir, F_OK), -1);
        assert_false(listed(rt, uid));
        /* Destroying what is gone is fine. */
        assert_int_equal(exe_sandbox_destroy(rt, uid, &err), 0);
        exe_sandbox_clear(&sb);
        exe_runtime_close(rt);
}

static void
test_invalid(void **state)
{
        exe_runtime *rt = open_rt();
        exe_sandbox sb = {0};
        tm_error err = {0};
        assert_int_equal(exe_sandbox_create(rt, "../etc", "h", &sb, &err), -EINVAL);
        assert_int_equal(exe_sandbox_create(rt, "a/b", "h", &sb, &err), -EINVAL);
        assert_int_equal(exe_sandbox_create(rt, "", "h", &sb, &err), -EINVAL);
        assert_int_equal(exe_sandbox_create(rt, "tmp-p-sb-2", "bad host", &sb, &err), -EINVAL);
        assert_int_equal(exe_sandbox_destroy(rt, "..", &err), -EINVAL);
        assert_null(sb.dir);
        exe_runtime_close(rt);
}

static void
test_open(void **state)
{
        _cleanup_free_ char *shim = rt_test_shim_path();
        exe_runtime *rt = NULL;
        tm_error err = {0};
        exe_runtime_options o = {
            .runtime = "tmp-p-no-such-runtime", .state_dir = state_dir, .shim_path = shim};
        assert_int_equal(exe_runtime_open(&rt, &o, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "tmp-p-no-such-runtime"));
        o.runtime = "/bin/true"; /* runs, but is no OCI runtime */
        assert_int_equal(exe_runtime_open(&rt, &o, &err), -ENOEXEC);
        o.runtime = "runc";
        o.shim_path = "/nonexistent/timone-shim";
        assert_int_equal(exe_runtime_open(&rt, &o, &err), -ENOENT);
        o.shim_path = shim;
        o.state_dir = "relative/state";
        assert_int_equal(exe_runtime_open(&rt, &o, &err), -EINVAL);
        assert_null(rt);
        o.state_dir = state_dir;
        o.runtime = NULL; /* crun first, then runc */
        assert_int_equal(exe_runtime_open(&rt, &o, &err), 0);
        assert_string_equal(exe_runtime_name(rt), "crun");
        assert_non_null(exe_runtime_version(rt));
        const char *mode = exe_runtime_cgroup_mode(rt);
        assert_true(!strcmp(mode, "v1") || !strcmp(mode, "v2") || !strcmp(mode, "hybrid"));
        if (!strcmp(mode, "hybrid")) {
                /* crun needs hugetlb as a v1 hierarchy there: open made sure. */
                struct statfs sfs;
                assert_int_equal(statfs("/sys/fs/cgroup/hugetlb", &sfs), 0);
                assert_int_equal(sfs.f_type, 0x27e0eb); /* cgroup v1 */
        }
        exe_runtime_close(rt);
}

/* The sandbox is made in the caller's own thread (no helper process):
 * afterwards the caller is back in its network, IPC and UTS namespaces,
 * with its hostname, even when the namespaces were many. */
static void
test_caller_namespaces(void **state)
{
        (void)state;
        exe_runtime *rt = open_rt();
        static const char *const kinds[] = {"net", "ipc", "uts"};
        ino_t before[3];
        for (int i = 0; i < 3; i++) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/thread-self/ns/%s", kinds[i]);
                before[i] = ino(p);
        }
        char host0[65] = "";
        gethostname(host0, sizeof(host0) - 1);
        tm_error err = {0};
        for (int k = 0; k < 5; k++) {
                char uid[32], hn[32];
                snprintf(uid, sizeof(uid), "tmp-p-sb-ns-%d", k);
                snprintf(hn, sizeof(hn), "ns-pod-%d", k);
                exe_sandbox sb = {0};
                if (exe_sandbox_create(rt, uid, hn, &sb, &err) < 0)
                        fail_msg("create: %s", err.msg);
                char host[80];
                bool lo_up = false;
                probe(&sb, host, sizeof(host), &lo_up);
                assert_string_equal(host, hn);
                assert_true(lo_up);
                assert_true(ino(sb.netns) != before[0]);
                exe_sandbox_clear(&sb);
        }
        for (int i = 0; i < 3; i++) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/thread-self/ns/%s", kinds[i]);
                assert_int_equal(ino(p), before[i]);
        }
        char host1[65] = "";
        gethostname(host1, sizeof(host1) - 1);
        assert_string_equal(host1, host0);
        /* A bad hostname is refused before anything is unshared. */
        exe_sandbox sb = {0};
        assert_int_equal(exe_sandbox_create(rt, "tmp-p-sb-ns-bad", "bad_name!", &sb, &err),
                         -EINVAL);
        assert_int_equal(ino("/proc/thread-self/ns/uts"), before[2]);
        for (int k = 0; k < 5; k++) {
                char uid[32];
                snprintf(uid, sizeof(uid), "tmp-p-sb-ns-%d", k);
                assert_int_equal(exe_sandbox_destroy(rt, uid, &err), 0);
        }
        exe_runtime_close(rt);
}

int
main(void)
{
        int skip = rt_test_can_run("runc");
        if (skip)
                return skip;
        tm_log_set_level(TM_LOG_WARN);
        strcpy(dir, "/tmp/tmp-p-sb-XXXXXX");
        if (!mkdtemp(dir))
                return 1;
        state_dir = xasprintf("%s/state", dir);
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_lifecycle),
            cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_open),
            cmocka_unit_test(test_caller_namespaces),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        /* A failed test leaves its mounts: take them down before rm -rf. */
        _cleanup_free_ char *shim = rt_test_shim_path();
        exe_runtime_options o = {.runtime = "runc", .state_dir = state_dir, .shim_path = shim};
        exe_runtime *rt = NULL;
        if (exe_runtime_open(&rt, &o, NULL) == 0) {
                exe_sandbox_destroy(rt, "tmp-p-sb-1", NULL);
                exe_sandbox_destroy(rt, "tmp-p-sb-2", NULL);
                exe_runtime_close(rt);
        }
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
        (void)system(cmd);
        free(state_dir);
        return r;
}
