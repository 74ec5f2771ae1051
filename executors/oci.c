/* OCI runtime-spec config.json generation (jansson). Defaults follow
 * containerd's (mounts, capabilities, masked and read-only paths). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"
#include "executors/cgroup.h"
#include "executors/oci.h"

const char *const exe_oci_default_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* Every capability up to CAP_CHECKPOINT_RESTORE (40), in number order. */
static const char *const all_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS TM_ARRAY_SIZE(all_caps)

static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

int
exe_oci_cap_name(const char *in, char *buf, size_t len, tm_error *err)
{
        char up[64];
        size_t n = strlen(in);
        if (n == 0 || n >= sizeof(up) - 4)
                return tm_error_set(err, -EINVAL, "unknown capability \"%.64s\"", in);
        for (size_t i = 0; i <= n; i++)
                up[i] = (char)toupper((unsigned char)in[i]);
        const char *base = tm_str_has_prefix(up, "CAP_") ? up + 4 : up;
        for (size_t i = 0; i < N_CAPS; i++)
                if (strcmp(all_caps[i] + 4, base) == 0) {
                        if (strlen(all_caps[i]) >= len)
                                return tm_error_set(err, -EINVAL, "capability name too long");
                        strcpy(buf, all_caps[i]);
                        return 0;
                }
        return tm_error_set(err, -EINVAL, "unknown capability \"%.64s\"", in);
}

static bool
is_all(const char *s)
{
        return strcasecmp(s, "ALL") == 0 || strcasecmp(s, "CAP_ALL") == 0;
}

/* The effective set as a bitmap over all_caps: defaults (or everything
 * when privileged), minus drop, plus add; "ALL" works in both. */
static int
caps_compute(const exe_container_spec *spec, bool set[N_CAPS], tm_error *err)
{
        char name[64];
        for (size_t i = 0; i < N_CAPS; i++)
                set[i] = spec->privileged;
        if (!spec->privileged)
                for (const char *const *c = exe_oci_default_caps; *c; c++)
                        for (size_t i = 0; i < N_CAPS; i++)
                                if (strcmp(all_caps[i], *c) == 0)
                                        set[i] = true;
        for (const char *const *c = spec->cap_drop; c && *c; c++) {
                if (is_all(*c)) {
                        memset(set, 0, sizeof(bool) * N_CAPS);
                        continue;
                }
                int r = exe_oci_cap_name(*c, name, sizeof(name), err);
                if (r < 0)
                        return tm_error_wrap(err, "capabilities.drop");
                for (size_t i = 0; i < N_CAPS; i++)
                        if (strcmp(all_caps[i], name) == 0)
                                set[i] = false;
        }
        for (const char *const *c = spec->cap_add; c && *c; c++) {
                if (is_all(*c)) {
                        for (size_t i = 0; i < N_CAPS; i++)
                                set[i] = true;
                        continue;
                }
                int r = exe_oci_cap_name(*c, name, sizeof(name), err);
                if (r < 0)
                        return tm_error_wrap(err, "capabilities.add");
                for (size_t i = 0; i < N_CAPS; i++)
                        if (strcmp(all_caps[i], name) == 0)
                                set[i] = true;
        }
        return 0;
}

static json_t *
str_array(const char *const *v, size_t n)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *
mount_new(const char *dst, const char *type, const char *src, const char *const *opts)
{
        size_t n = 0;
        while (opts && opts[n])
                n++;
        return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
                         "options", str_array(opts, n));
}

static void
default_mounts(json_t *mounts, const exe_container_spec *spec)
{
        static const char *const proc[] = {"nosuid", "noexec", "nodev", NULL};
        static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
        static const char *const devhost[] = {"rbind", "rprivate", "nosuid", NULL};
        static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                          "mode=0620", "gid=5",  NULL};
        static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
                                          "mode=1777", "size=65536k", NULL};
        static const char *const shm_pod[] = {"rbind", "nosuid", "noexec", "nodev", NULL};
        static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
        static const char *const sys_ro[] = {"nosuid", "noexec", "nodev", "ro", NULL};
        static const char *const sys_rw[] = {"nosuid", "noexec", "nodev", "rw", NULL};
        static const char *const cg_ro[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
        static const char *const cg_rw[] = {"nosuid", "noexec", "nodev", "relatime", "rw", NULL};

        json_array_append_new(mounts, mount_new("/proc", "proc", "proc", proc));
        if (spec->privileged)
                /* All of the host's devices, as privileged means. */
                json_array_append_new(mounts, mount_new("/dev", "bind", "/dev", devhost));
        else
                json_array_append_new(mounts, mount_new("/dev", "tmpfs", "tmpfs", dev));
        if (!spec->privileged)
                json_array_append_new(mounts, mount_new("/dev/pts", "devpts", "devpts", pts));
        if (spec->sandbox && spec->sandbox->shm)
                json_array_append_new(mounts,
                                      mount_new("/dev/shm", "bind", spec->sandbox->shm, shm_pod));
        else
                json_array_append_new(mounts, mount_new("/dev/shm", "tmpfs", "shm", shm));
        json_array_append_new(mounts, mount_new("/dev/mqueue", "mqueue", "mqueue", mq));
        json_array_append_new(
            mounts, mount_new("/sys", "sysfs", "sysfs", spec->privileged ? sys_rw : sys_ro));
        json_array_append_new(mounts, mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
                                                spec->privileged ? cg_rw : cg_ro));
}

static json_t *
namespace_new(const char *type, const char *path)
{
        if (path)
                return json_pack("{s:s, s:s}", "type", type, "path", path);
        return json_pack("{s:s}", "type", type);
}

static json_t *
resources_new(const exe_container_spec *spec, bool swap)
{
        json_t *res = json_object();
        json_t *devices = json_array();
        json_array_append_new(
            devices, json_pack("{s:b, s:s}", "allow", spec->privileged ? 1 : 0, "access", "rwm"));
        json_object_set_new(res, "devices", devices);
        if (spec->memory_limit > 0) {
                json_t *mem = json_pack("{s:I}", "limit", (json_int_t)spec->memory_limit);
                /* swap == limit: no swap beyond the limit, as the kubelet
                 * does, where the kernel accounts swap (runtimes fail to
                 * set it otherwise). */
                if (swap)
                        json_object_set_new(mem, "swap", json_integer(spec->memory_limit));
                json_object_set_new(res, "memory", mem);
        }
        if (spec->cpu_quota_us > 0 || spec->cpu_shares > 0) {
                json_t *cpu = json_object();
                if (spec->cpu_shares > 0)
                        json_object_set_new(cpu, "shares", json_integer(spec->cpu_shares));
                if (spec->cpu_quota_us > 0) {
                        json_object_set_new(cpu, "quota", json_integer(spec->cpu_quota_us));
                        json_object_set_new(
                            cpu, "period",
                            json_integer(spec->cpu_period_us > 0 ? spec->cpu_period_us : 100000));
                }
                json_object_set_new(res, "cpu", cpu);
        }
        if (spec->pids_limit > 0)
                json_object_set_new(res, "pids",
                                    json_pack("{s:I}", "limit", (json_int_t)spec->pids_limit));
        return res;
}

int
exe_oci_config(const exe_container_spec *spec, const char *cgroup_mode, char **out, tm_error *err)
{
        exe_oci_host host = {.cgroup_mode = cgroup_mode, .swap = true};
        return exe_oci_config_host(spec, &host, out, err);
}

int
exe_oci_config_host(const exe_container_spec *spec, const exe_oci_host *host, char **out,
                    tm_error *err)
{
        const char *cgroup_mode = host->cgroup_mode;
        if (!spec->args || !spec->args[0])
                return tm_error_set(err, -EINVAL, "container \"%s\": no command", spec->name);
        if (!spec->rootfs || spec->rootfs[0] != '/')
                return tm_error_set(err, -EINVAL, "container \"%s\": rootfs must be absolute",
                                    spec->name);
        bool caps[N_CAPS];
        int r = caps_compute(spec, caps, err);
        if (r < 0)
                return tm_error_wrap(err, "container \"%s\"", spec->name);

        json_t *capset = json_array();
        for (size_t i = 0; i < N_CAPS; i++)
                if (caps[i])
                        json_array_append_new(capset, json_string(all_caps[i]));
        json_t *capabilities =
            json_pack("{s:O, s:O, s:O, s:[], s:[]}", "bounding", capset, "effective", capset,
                      "permitted", capset, "inheritable", "ambient");
        json_decref(capset);

        json_t *user =
            json_pack("{s:I, s:I}", "uid", (json_int_t)spec->uid, "gid", (json_int_t)spec->gid);
        if (spec->n_extra_gids) {
                json_t *g = json_array();
                for (size_t i = 0; i < spec->n_extra_gids; i++)
                        json_array_append_new(g, json_integer(spec->extra_gids[i]));
                json_object_set_new(user, "additionalGids", g);
        }
        size_t nargs = 0, nenv = 0;
        while (spec->args[nargs])
                nargs++;
        while (spec->env && spec->env[nenv])
                nenv++;
        /* No rlimits: the container inherits the runtime's, never above
         * what this process has (no CAP_SYS_RESOURCE needed). */
        json_t *process =
            json_pack("{s:b, s:o, s:o, s:o, s:s, s:o, s:b}", "terminal", 0, "user", user, "args",
                      str_array(spec->args, nargs), "env", str_array(spec->env, nenv), "cwd",
                      spec->cwd && spec->cwd[0] ? spec->cwd : "/", "capabilities", capabilities,
                      "noNewPrivileges", spec->no_new_privileges ? 1 : 0);

        json_t *mounts = json_array();
        default_mounts(mounts, spec);
        for (size_t i = 0; i < spec->n_mounts; i++) {
                const exe_mount *m = &spec->mounts[i];
                if (!m->destination || m->destination[0] != '/')
                        return json_decref(process), json_decref(mounts),
                               tm_error_set(err, -EINVAL,
                                            "container \"%s\": mount destination must be absolute",
                                            spec->name);
                json_array_append_new(mounts,
                                      mount_new(m->destination, m->type ? m->type : "bind",
                                                m->source ? m->source : "none", m->options));
        }

        const exe_sandbox *sb = spec->sandbox;
        json_t *ns = json_array();
        json_array_append_new(ns, namespace_new("pid", NULL));
        json_array_append_new(ns, namespace_new("mount", NULL));
        json_array_append_new(ns, namespace_new("network", sb ? sb->netns : NULL));
        json_array_append_new(ns, namespace_new("ipc", sb ? sb->ipcns : NULL));
        json_array_append_new(ns, namespace_new("uts", sb ? sb->utsns : NULL));
        if (tm_streq(cgroup_mode, "v2"))
                json_array_append_new(ns, namespace_new("cgroup", NULL));

        _cleanup_free_ char *cgpath = exe_cgroup_path(spec->pod_uid, spec->name);
        json_t *linux_ = json_pack("{s:o, s:o, s:s}", "namespaces", ns, "resources",
                                   resources_new(spec, host->swap), "cgroupsPath", cgpath);
        if (!spec->privileged) {
                json_object_set_new(linux_, "maskedPaths",
                                    str_array(masked_paths, TM_ARRAY_SIZE(masked_paths)));
                json_object_set_new(linux_, "readonlyPaths",
                                    str_array(readonly_paths, TM_ARRAY_SIZE(readonly_paths)));
        }
        /* Seccomp: none for now (runtime default: no filter). */

        json_t *root =
            json_pack("{s:s, s:{s:s, s:b}, s:o, s:o, s:o, s:{s:s, s:s}}", "ociVersion", "1.0.2",
                      "root", "path", spec->rootfs, "readonly", spec->read_only_rootfs ? 1 : 0,
                      "process", process, "mounts", mounts, "linux", linux_, "annotations",
                      "io.timone.pod-uid", spec->pod_uid, "io.timone.container-name", spec->name);
        if (!root)
                return tm_error_set(err, -EINVAL, "container \"%s\": bad config value", spec->name);
        /* The hostname is set by the sandbox in its UTS namespace; a
         * container only sets one when it has its own. */
        if (!sb && spec->hostname)
                json_object_set_new(root, "hostname", json_string(spec->hostname));
        char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(root);
        if (!text)
                return tm_error_set(err, -ENOMEM, "container \"%s\": encode config", spec->name);
        *out = text;
        return 0;
}
