/* Pod sandboxes without a pause process: the daemon's thread unshares the
 * network, IPC and UTS namespaces, sets the hostname and brings up
 * loopback, bind-mounts the namespace files under <state>/pods/<uid>/ns/
 * (a private mount) and returns to its own namespaces. The bind mounts
 * keep the namespaces alive; containers join them by path. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/cgroup.h"
#include "executors/runtime-internal.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static const char *const ns_names[] = {"net", "ipc", "uts"};

void
exe_sandbox_clear(exe_sandbox *sb)
{
        if (!sb)
                return;
        free(sb->dir);
        free(sb->netns);
        free(sb->ipcns);
        free(sb->utsns);
        free(sb->shm);
        memset(sb, 0, sizeof(*sb));
}

static bool
is_nsfs(const char *path)
{
        struct statfs sfs;
        return statfs(path, &sfs) == 0 && (long)sfs.f_type == NSFS_MAGIC;
}

/* Whether path is itself a mount point: statx says so without reading
 * mountinfo (which grows with every pod); mountinfo when it cannot. */
static bool
is_mountpoint(const char *path)
{
        struct statx stx;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) == 0 &&
            (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
                return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
        _cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char line[4096], mp[4096];
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && !strcmp(mp, path))
                        return true;
        return false;
}

/* The pod's /dev/shm: one tmpfs that every container binds, as the
 * pause container's is in Kubernetes (POSIX shm shared in the pod). */
static int
make_shm(const char *shm, tm_error *err)
{
        if (mkdir(shm, 0755) < 0 && errno != EEXIST)
                return tm_error_errno(err, -errno, "mkdir \"%s\"", shm);
        struct statfs sfs;
        if (statfs(shm, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC && is_mountpoint(shm))
                return 0;
        if (mount("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") <
            0)
                return tm_error_errno(err, -errno, "mount tmpfs on \"%s\"", shm);
        (void)mount(NULL, shm, NULL, MS_PRIVATE, NULL);
        return 0;
}

static int
check_hostname(const char *h, tm_error *err)
{
        size_t n = h ? strlen(h) : 0;
        if (n == 0 || n > 63)
                return tm_error_set(err, -EINVAL, "hostname \"%.64s\": 1 to 63 bytes", h ? h : "");
        for (size_t i = 0; i < n; i++)
                if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
                      (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.'))
                        return tm_error_set(err, -EINVAL, "hostname \"%s\": bad character", h);
        return 0;
}

static void
loopback_up(void)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP;
                (void)ioctl(fd, SIOCSIFFLAGS, &ifr);
        }
        close(fd);
}

static void
unmount_ns(const char *nsdir)
{
        for (size_t i = 0; i < TM_ARRAY_SIZE(ns_names); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", nsdir, ns_names[i]);
                (void)umount2(p, MNT_DETACH);
        }
}

/* Returns to the namespaces saved in self[]; a daemon left in a pod's
 * network namespace would be a broken invariant, so failing aborts. */
static void
return_to(const int self[3])
{
        static const int types[] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
        for (size_t i = 0; i < TM_ARRAY_SIZE(ns_names); i++)
                if (self[i] >= 0 && setns(self[i], types[i]) < 0) {
                        tm_err("cannot return to the daemon's namespace", "ns=%s errno=%d",
                               ns_names[i], errno);
                        abort();
                }
}

/* Makes the namespaces in this thread and bind-mounts them: unshare, set
 * the hostname and bring up loopback inside, bind /proc/thread-self/ns/X
 * on nsdir/X, then setns back. No child process: forking the daemon (page
 * tables, copy-on-write faults after it) cost more than the rest of the
 * sandbox. */
static int
make_namespaces(const char *nsdir, const char *hostname, tm_error *err)
{
        int self[3] = {-1, -1, -1}, r = 0;
        for (size_t i = 0; i < TM_ARRAY_SIZE(ns_names); i++) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/thread-self/ns/%s", ns_names[i]);
                if ((self[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
                        r = tm_error_errno(err, -errno, "open \"%s\"", p);
                        goto out;
                }
        }
        if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0) {
                r = tm_error_errno(err, -errno, "unshare namespaces");
                goto out;
        }
        if (sethostname(hostname, strlen(hostname)) < 0)
                r = tm_error_errno(err, -errno, "sethostname \"%s\"", hostname);
        else
                loopback_up();
        for (size_t i = 0; r >= 0 && i < TM_ARRAY_SIZE(ns_names); i++) {
                _cleanup_free_ char *src = xasprintf("/proc/thread-self/ns/%s", ns_names[i]);
                _cleanup_free_ char *dst = xasprintf("%s/%s", nsdir, ns_names[i]);
                int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0400);
                if (fd < 0) {
                        r = tm_error_errno(err, -errno, "create \"%s\"", dst);
                        break;
                }
                close(fd);
                if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                        r = tm_error_errno(err, -errno, "bind \"%s\" on \"%s\"", src, dst);
        }
        return_to(self);
out:
        for (size_t i = 0; i < TM_ARRAY_SIZE(ns_names); i++)
                if (self[i] >= 0)
                        close(self[i]);
        return r;
}

int
exe_sandbox_create(exe_runtime *rt, const char *pod_uid, const char *hostname, exe_sandbox *out,
                   tm_error *err)
{
        int r = exe_rt_check_component("pod uid", pod_uid, 64, err);
        if (r >= 0)
                r = check_hostname(hostname, err);
        if (r < 0)
                return tm_error_wrap(err, "create sandbox");
        _cleanup_free_ char *dir = exe_rt_pod_dir(rt, pod_uid);
        _cleanup_free_ char *nsdir = xasprintf("%s/ns", dir);
        r = tm_mkdir_p(nsdir, 0700, err);
        if (r < 0)
                return tm_error_wrap(err, "create sandbox \"%s\"", pod_uid);

        bool all = true;
        for (size_t i = 0; i < TM_ARRAY_SIZE(ns_names); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", nsdir, ns_names[i]);
                all = all && is_nsfs(p);
        }
        if (!all) {
                /* Half-made by a crash: start over. */
                unmount_ns(nsdir);
                /* A private mount, so that the namespace bind mounts do not
                 * propagate into (or get pinned by) other mount namespaces. */
                if (!is_mountpoint(nsdir) && mount(nsdir, nsdir, NULL, MS_BIND, NULL) < 0)
                        return tm_error_errno(err, -errno, "create sandbox \"%s\": bind \"%s\"",
                                              pod_uid, nsdir);
                if (mount(NULL, nsdir, NULL, MS_PRIVATE, NULL) < 0)
                        return tm_error_errno(err, -errno,
                                              "create sandbox \"%s\": make \"%s\" private", pod_uid,
                                              nsdir);
                r = make_namespaces(nsdir, hostname, err);
                if (r < 0) {
                        unmount_ns(nsdir);
                        return tm_error_wrap(err, "create sandbox \"%s\"", pod_uid);
                }
                tm_debug("sandbox created", "pod=%s hostname=%s", pod_uid, hostname);
        }
        _cleanup_free_ char *shm = xasprintf("%s/shm", dir);
        r = make_shm(shm, err);
        if (r < 0)
                return tm_error_wrap(err, "create sandbox \"%s\"", pod_uid);
        out->shm = TAKE_PTR(shm);
        out->dir = TAKE_PTR(dir);
        out->netns = xasprintf("%s/net", nsdir);
        out->ipcns = xasprintf("%s/ipc", nsdir);
        out->utsns = xasprintf("%s/uts", nsdir);
        return 0;
}

int
exe_sandbox_destroy(exe_runtime *rt, const char *pod_uid, tm_error *err)
{
        int r = exe_rt_check_component("pod uid", pod_uid, 64, err);
        if (r < 0)
                return tm_error_wrap(err, "destroy sandbox");
        _cleanup_free_ char *dir = exe_rt_pod_dir(rt, pod_uid);
        _cleanup_free_ char *nsdir = xasprintf("%s/ns", dir);
        unmount_ns(nsdir);
        if (is_mountpoint(nsdir))
                (void)umount2(nsdir, MNT_DETACH);
        _cleanup_free_ char *shm = xasprintf("%s/shm", dir);
        if (is_mountpoint(shm))
                (void)umount2(shm, MNT_DETACH);
        exe_cgroup_remove_pod(pod_uid);
        r = tm_rm_rf(dir, err);
        if (r < 0)
                return tm_error_wrap(err, "destroy sandbox \"%s\"", pod_uid);
        return 0;
}

int
exe_sandbox_list(exe_runtime *rt, char ***uids, size_t *n, tm_error *err)
{
        DIR *d = opendir(rt->pods_dir);
        if (!d) {
                if (errno == ENOENT) {
                        *uids = NULL;
                        *n = 0;
                        return 0;
                }
                return tm_error_errno(err, -errno, "list sandboxes: \"%s\"", rt->pods_dir);
        }
        char **list = NULL;
        size_t count = 0, cap = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR ||
                    exe_rt_check_component("pod uid", de->d_name, 64, NULL) < 0)
                        continue;
                TM_GROW(list, cap, count + 2);
                list[count++] = xstrdup(de->d_name);
                list[count] = NULL;
        }
        closedir(d);
        *uids = list;
        *n = count;
        return 0;
}
