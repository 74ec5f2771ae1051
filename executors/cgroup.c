/* cgroup tree detection and the few cgroup paths timone needs itself (the
 * runtimes create and configure the cgroups). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/cgroup.h"

#define CG_ROOT "/sys/fs/cgroup"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

static bool
is_fs(const char *path, long magic)
{
        struct statfs sfs;
        return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

int
exe_cgroup_detect(const char **mode, tm_error *err)
{
        if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC)) {
                *mode = "v2";
                return 0;
        }
        struct statfs sfs;
        if (statfs(CG_ROOT, &sfs) < 0)
                return tm_error_errno(err, -errno, "cgroups: stat \"%s\"", CG_ROOT);
        *mode = is_fs(CG_ROOT "/unified", CGROUP2_SUPER_MAGIC) ? "hybrid" : "v1";
        return 0;
}

/* Whether a v1 cgroup hierarchy with the hugetlb controller is mounted:
 * scans /proc/self/mountinfo (bounded line length, fgets truncates). */
static bool
hugetlb_v1_mounted(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char line[1024];
        while (fgets(line, sizeof(line), f)) {
                /* "... - cgroup cgroup rw,hugetlb" */
                char *sep = strstr(line, " - cgroup ");
                if (!sep)
                        continue;
                char *opts = strrchr(sep, ' ');
                if (!opts)
                        continue;
                opts++;
                for (char *save = NULL, *o = strtok_r(opts, ",\n", &save); o;
                     o = strtok_r(NULL, ",\n", &save))
                        if (strcmp(o, "hugetlb") == 0)
                                return true;
        }
        return false;
}

/* Whether the kernel has the hugetlb controller at all (/proc/cgroups). */
static bool
hugetlb_available(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/cgroups", "re");
        if (!f)
                return false;
        char line[256];
        while (fgets(line, sizeof(line), f)) {
                char name[64];
                int hier, num, enabled;
                if (sscanf(line, "%63s %d %d %d", name, &hier, &num, &enabled) == 4 &&
                    strcmp(name, "hugetlb") == 0)
                        return enabled == 1;
        }
        return false;
}

int
exe_cgroup_mount_hugetlb(const char *mode, int *mounted, tm_error *err)
{
        *mounted = 0;
        if (!tm_streq(mode, "hybrid") || !hugetlb_available() || hugetlb_v1_mounted())
                return 0;
        const char *dir = CG_ROOT "/hugetlb";
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return tm_error_errno(err, -errno, "cgroups: mkdir \"%s\"", dir);
        if (mount("cgroup", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hugetlb") < 0) {
                int e = -errno;
                /* Someone else may have mounted it meanwhile. */
                if (hugetlb_v1_mounted())
                        return 0;
                return tm_error_errno(err, e, "cgroups: mount hugetlb v1 hierarchy on \"%s\"", dir);
        }
        *mounted = 1;
        tm_info("mounted the hugetlb cgroup v1 hierarchy (crun needs it on a hybrid tree)",
                "path=\"%s\"", dir);
        return 0;
}

char *
exe_cgroup_path(const char *uid, const char *name)
{
        return xasprintf("/timone/%s/%s", uid, name);
}

char *
exe_cgroup_memory_dir(const char *mode, const char *uid, const char *name)
{
        if (tm_streq(mode, "v2"))
                return xasprintf(CG_ROOT "/timone/%s/%s", uid, name);
        return xasprintf(CG_ROOT "/memory/timone/%s/%s", uid, name);
}

bool
exe_cgroup_swap_available(const char *mode)
{
        if (!tm_streq(mode, "v2"))
                return access(CG_ROOT "/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
        /* The root cgroup has no memory.swap.max; its children do. */
        DIR *d = opendir(CG_ROOT);
        if (!d)
                return false;
        bool found = false;
        struct dirent *de;
        while (!found && (de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = xasprintf(CG_ROOT "/%s/memory.swap.max", de->d_name);
                found = access(p, F_OK) == 0;
        }
        closedir(d);
        return found;
}

void
exe_cgroup_remove_pod(const char *uid)
{
        _cleanup_free_ char *v2 = xasprintf(CG_ROOT "/timone/%s", uid);
        if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC)) {
                (void)rmdir(v2);
                return;
        }
        DIR *d = opendir(CG_ROOT);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = xasprintf(CG_ROOT "/%s/timone/%s", de->d_name, uid);
                if (rmdir(p) < 0 && errno != ENOENT)
                        tm_debug("cgroup not removed", "path=\"%s\" errno=%d", p, errno);
        }
        closedir(d);
}
