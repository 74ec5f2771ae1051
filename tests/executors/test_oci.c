/* config.json generation: read back with jansson and checked field by
 * field against the OCI runtime spec and containerd's defaults. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/mem.h"
#include "executors/oci.h"

static const char *const args[] = {"/bin/sh", "-c", "echo hi", NULL};
static const char *const env[] = {"PATH=/bin", "A=b c", NULL};

static exe_container_spec
base(void)
{
        exe_container_spec s = {
            .pod_uid = "tmp-uid",
            .name = "web",
            .rootfs = "/var/lib/timone/pods/tmp-uid/containers/web/rootfs",
            .args = args,
            .env = env,
        };
        return s;
}

static json_t *
gen(const exe_container_spec *s, const char *mode)
{
        _cleanup_free_ char *text = NULL;
        tm_error err = {0};
        if (exe_oci_config(s, mode, &text, &err) < 0)
                fail_msg("config: %s", err.msg);
        json_error_t jerr;
        json_t *j = json_loads(text, 0, &jerr);
        assert_non_null(j);
        return j;
}

static bool
has_str(json_t *arr, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(arr, i, v) if (json_is_string(v) &&
                                          !strcmp(json_string_value(v), s)) return true;
        return false;
}

static json_t *
path(json_t *j, const char *p)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", p);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && j;
             k = strtok_r(NULL, ".", &save))
                j = json_object_get(j, k);
        return j;
}

static json_t *
find_mount(json_t *j, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(
            json_object_get(j, "mounts"), i,
            m) if (!strcmp(json_string_value(json_object_get(m, "destination")), dst)) return m;
        return NULL;
}

static void
test_defaults(void **state)
{
        exe_container_spec s = base();
        json_t *j = gen(&s, "v1");
        assert_string_equal(json_string_value(path(j, "ociVersion")), "1.0.2");
        assert_string_equal(json_string_value(path(j, "root.path")), s.rootfs);
        assert_true(json_is_false(path(j, "root.readonly")));
        assert_int_equal(json_integer_value(path(j, "process.user.uid")), 0);
        assert_string_equal(json_string_value(path(j, "process.cwd")), "/");
        assert_true(json_is_false(path(j, "process.terminal")));
        assert_int_equal(json_array_size(path(j, "process.args")), 3);
        assert_true(has_str(path(j, "process.env"), "A=b c"));
        /* Never a hard rlimit above ours: none at all. */
        assert_null(path(j, "process.rlimits"));
        json_t *eff = path(j, "process.capabilities.effective");
        assert_int_equal(json_array_size(eff), 14);
        for (const char *const *c = exe_oci_default_caps; *c; c++) {
                assert_true(has_str(eff, *c));
                assert_true(has_str(path(j, "process.capabilities.bounding"), *c));
        }
        assert_false(has_str(eff, "CAP_SYS_ADMIN"));
        assert_int_equal(json_array_size(path(j, "process.capabilities.ambient")), 0);
        const char *dsts[] = {"/proc",       "/dev", "/dev/pts",      "/dev/shm",
                              "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
        for (size_t i = 0; i < sizeof(dsts) / sizeof(*dsts); i++)
                assert_non_null(find_mount(j, dsts[i]));
        assert_true(has_str(json_object_get(find_mount(j, "/sys"), "options"), "ro"));
        assert_string_equal(json_string_value(json_object_get(find_mount(j, "/dev"), "type")),
                            "tmpfs");
        assert_string_equal(json_string_value(path(j, "linux.cgroupsPath")), "/timone/tmp-uid/web");
        assert_true(has_str(path(j, "linux.maskedPaths"), "/proc/kcore"));
        assert_true(has_str(path(j, "linux.readonlyPaths"), "/proc/sys"));
        assert_null(path(j, "linux.seccomp"));
        assert_null(path(j, "linux.resources.memory"));
        /* Without a sandbox: new namespaces of every kind, no cgroup ns on v1. */
        json_t *ns = path(j, "linux.namespaces");
        size_t i;
        json_t *v;
        bool seen_net = false;
        json_array_foreach(ns, i, v)
        {
                assert_null(json_object_get(v, "path"));
                assert_string_not_equal(json_string_value(json_object_get(v, "type")), "cgroup");
                seen_net |= !strcmp(json_string_value(json_object_get(v, "type")), "network");
        }
        assert_true(seen_net);
        assert_string_equal(
            json_string_value(json_object_get(path(j, "annotations"), "io.timone.pod-uid")),
            "tmp-uid");
        json_decref(j);
}

static void
test_sandbox_and_limits(void **state)
{
        exe_sandbox sb = {.dir = "/s",
                          .netns = "/s/ns/net",
                          .ipcns = "/s/ns/ipc",
                          .utsns = "/s/ns/uts",
                          .shm = "/s/shm"};
        static const uint32_t gids[] = {10, 20};
        exe_container_spec s = base();
        s.sandbox = &sb;
        s.hostname = "web";
        s.uid = 65534;
        s.gid = 65534;
        s.extra_gids = gids;
        s.n_extra_gids = 2;
        s.cwd = "/srv";
        s.read_only_rootfs = true;
        s.no_new_privileges = true;
        s.memory_limit = 16 << 20;
        s.cpu_quota_us = 50000;
        s.cpu_shares = 256;
        s.pids_limit = 42;
        static const char *const ro[] = {"rbind", "ro", NULL};
        exe_mount m = {
            .source = "/host/data", .destination = "/data", .type = "bind", .options = ro};
        s.mounts = &m;
        s.n_mounts = 1;
        json_t *j = gen(&s, "v2");
        assert_int_equal(json_integer_value(path(j, "process.user.uid")), 65534);
        assert_int_equal(
            json_integer_value(json_array_get(path(j, "process.user.additionalGids"), 1)), 20);
        assert_string_equal(json_string_value(path(j, "process.cwd")), "/srv");
        assert_true(json_is_true(path(j, "root.readonly")));
        assert_true(json_is_true(path(j, "process.noNewPrivileges")));
        assert_int_equal(json_integer_value(path(j, "linux.resources.memory.limit")), 16 << 20);
        assert_int_equal(json_integer_value(path(j, "linux.resources.memory.swap")), 16 << 20);
        assert_int_equal(json_integer_value(path(j, "linux.resources.cpu.quota")), 50000);
        assert_int_equal(json_integer_value(path(j, "linux.resources.cpu.period")), 100000);
        assert_int_equal(json_integer_value(path(j, "linux.resources.cpu.shares")), 256);
        assert_int_equal(json_integer_value(path(j, "linux.resources.pids.limit")), 42);
        /* The sandbox's UTS namespace already has the hostname. */
        assert_null(path(j, "hostname"));
        json_t *shm = find_mount(j, "/dev/shm");
        assert_string_equal(json_string_value(json_object_get(shm, "source")), "/s/shm");
        assert_string_equal(json_string_value(json_object_get(shm, "type")), "bind");
        json_t *data = find_mount(j, "/data");
        assert_non_null(data);
        assert_string_equal(json_string_value(json_object_get(data, "source")), "/host/data");
        size_t i;
        json_t *v;
        int joined = 0, cgroupns = 0;
        json_array_foreach(path(j, "linux.namespaces"), i, v)
        {
                const char *t = json_string_value(json_object_get(v, "type"));
                const char *p = json_string_value(json_object_get(v, "path"));
                if (!strcmp(t, "network"))
                        assert_string_equal(p, "/s/ns/net"), joined++;
                else if (!strcmp(t, "ipc"))
                        assert_string_equal(p, "/s/ns/ipc"), joined++;
                else if (!strcmp(t, "uts"))
                        assert_string_equal(p, "/s/ns/uts"), joined++;
                else
                        assert_null(p);
                cgroupns += !strcmp(t, "cgroup");
        }
        assert_int_equal(joined, 3);
        assert_int_equal(cgroupns, 1);
        json_decref(j);

        exe_oci_host noswap = {.cgroup_mode = "v1", .swap = false};
        _cleanup_free_ char *text = NULL;
        assert_int_equal(exe_oci_config_host(&s, &noswap, &text, NULL), 0);
        j = json_loads(text, 0, NULL);
        assert_int_equal(json_integer_value(path(j, "linux.resources.memory.limit")), 16 << 20);
        assert_null(path(j, "linux.resources.memory.swap"));
        json_decref(j);

        s.sandbox = NULL;
        j = gen(&s, "v2");
        assert_string_equal(json_string_value(path(j, "hostname")), "web");
        json_decref(j);
}

static void
test_caps(void **state)
{
        exe_container_spec s = base();
        static const char *const drop_all[] = {"ALL", NULL};
        static const char *const add[] = {"net_admin", "CAP_SYS_TIME", NULL};
        static const char *const drop_some[] = {"NET_RAW", "cap_chown", NULL};
        s.cap_drop = drop_all;
        s.cap_add = add;
        json_t *j = gen(&s, "v1");
        json_t *eff = path(j, "process.capabilities.effective");
        assert_int_equal(json_array_size(eff), 2);
        assert_true(has_str(eff, "CAP_NET_ADMIN"));
        assert_true(has_str(eff, "CAP_SYS_TIME"));
        json_decref(j);

        s.cap_drop = drop_some;
        s.cap_add = NULL;
        j = gen(&s, "v1");
        eff = path(j, "process.capabilities.effective");
        assert_int_equal(json_array_size(eff), 12);
        assert_false(has_str(eff, "CAP_NET_RAW"));
        assert_false(has_str(eff, "CAP_CHOWN"));
        json_decref(j);

        static const char *const bad[] = {"NOT_A_CAP", NULL};
        s.cap_add = bad;
        char *text = NULL;
        tm_error err = {0};
        assert_int_equal(exe_oci_config(&s, "v1", &text, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "NOT_A_CAP"));
        assert_null(text);

        char name[32];
        assert_int_equal(exe_oci_cap_name("sys_admin", name, sizeof(name), NULL), 0);
        assert_string_equal(name, "CAP_SYS_ADMIN");
        assert_int_equal(exe_oci_cap_name("CAP_BPF", name, sizeof(name), NULL), 0);
        assert_true(exe_oci_cap_name("", name, sizeof(name), NULL) < 0);
}

static void
test_privileged(void **state)
{
        exe_container_spec s = base();
        s.privileged = true;
        json_t *j = gen(&s, "v1");
        assert_int_equal(json_array_size(path(j, "process.capabilities.effective")), 41);
        assert_null(path(j, "linux.maskedPaths"));
        assert_null(path(j, "linux.readonlyPaths"));
        assert_false(has_str(json_object_get(find_mount(j, "/sys"), "options"), "ro"));
        assert_string_equal(json_string_value(json_object_get(find_mount(j, "/dev"), "source")),
                            "/dev");
        assert_true(json_is_true(
            json_object_get(json_array_get(path(j, "linux.resources.devices"), 0), "allow")));
        json_decref(j);
}

static void
test_invalid(void **state)
{
        char *text = NULL;
        exe_container_spec s = base();
        s.args = NULL;
        assert_int_equal(exe_oci_config(&s, "v1", &text, NULL), -EINVAL);
        s = base();
        s.rootfs = "relative/rootfs";
        assert_int_equal(exe_oci_config(&s, "v1", &text, NULL), -EINVAL);
        s = base();
        exe_mount m = {.source = "/a", .destination = "rel", .type = "bind"};
        s.mounts = &m;
        s.n_mounts = 1;
        assert_int_equal(exe_oci_config(&s, "v1", &text, NULL), -EINVAL);
        assert_null(text);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults), cmocka_unit_test(test_sandbox_and_limits),
            cmocka_unit_test(test_caps),     cmocka_unit_test(test_privileged),
            cmocka_unit_test(test_invalid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
