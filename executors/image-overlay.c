/* Container roots: an overlayfs over an image's unpacked layers, and a
 * marker per root so that an image in use is never removed.
 *
 * dir/rootfs         the overlay mount (what the OCI runtime gets)
 * dir/upper, work    overlayfs upper and work dirs
 * dir/.image-marker  path of this root's marker under images/roots/ */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"

#define MARKER_FILE ".image-marker"
#define MOUNT_OPTS_MAX 4000 /* mount(2) takes one page of options */

static bool
is_mounted(const char *dir, const char *rootfs)
{
        struct stat a, b;
        return stat(dir, &a) == 0 && stat(rootfs, &b) == 0 && a.st_dev != b.st_dev;
}

static int
mkdir_one(const char *p, mode_t mode, tm_error *err)
{
        if (mkdir(p, mode) == 0)
                return chmod(p, mode) < 0 ? tm_error_errno(err, -errno, "chmod \"%s\"", p) : 0;
        if (errno != EEXIST)
                return tm_error_errno(err, -errno, "mkdir \"%s\"", p);
        return 0;
}

static void
strv_freen(char **v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/* Replaced atomically, not synced: a marker only matters while its root is
 * mounted, and no mount outlives a power loss (the start path of every
 * container pays no fsync for it). */
static int
write_marker(const char *path, const char *text, tm_error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_errno(err, -errno, "write \"%s\"", tmp);
        size_t len = strlen(text);
        ssize_t w = write(fd, text, len);
        int e = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
        if (close(fd) < 0 && e == 0)
                e = -errno;
        if (e == 0 && rename(tmp, path) < 0)
                e = -errno;
        if (e < 0) {
                unlink(tmp);
                return tm_error_errno(err, e, "write \"%s\"", path);
        }
        return 0;
}

static int
add_marker(exe_image_store *st, const char *id, const char *dir, tm_error *err)
{
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_hex(dir, strlen(dir), hex);
        _cleanup_free_ char *mdir = xasprintf("%s/%s", st->roots, id + 7);
        _cleanup_free_ char *marker = xasprintf("%s/%.32s", mdir, hex);
        _cleanup_free_ char *back = xasprintf("%s/" MARKER_FILE, dir);
        /* Already recorded: write nothing (SD cards, steady state). */
        if (access(marker, F_OK) == 0 && access(back, F_OK) == 0)
                return 0;
        int r = mkdir_one(mdir, 0700, err);
        if (r < 0)
                return r;
        if ((r = write_marker(marker, dir, err)) < 0 || (r = write_marker(back, marker, err)) < 0)
                return r;
        return 0;
}

/* A container's root is thrown away when the container goes (a restart
 * starts from a fresh one), so nothing in it needs to reach the disk:
 * "volatile" drops the syncs, among them the sync of the whole upper file
 * system that an unmount does otherwise (tens of ms per pod on removal).
 * A volatile root that was unmounted leaves work/work/incompat/volatile,
 * which must go before the same dirs are mounted again. Kernels without the
 * option (before 5.10) mount it as before. */
static int
mount_overlay(const char *root, tm_buf *opts, const char *work)
{
        _cleanup_free_ char *incompat = xasprintf("%s/work/incompat", work);
        (void)tm_rm_rf(incompat, NULL);
        size_t len = opts->len;
        tm_buf_puts(opts, ",volatile");
        if (mount("overlay", root, "overlay", 0, opts->data) == 0)
                return 0;
        int e = errno;
        opts->len = len;
        opts->data[len] = '\0';
        if (e != EINVAL) {
                errno = e;
                return -1;
        }
        return mount("overlay", root, "overlay", 0, opts->data);
}

int
exe_image_mount_rootfs(exe_image_store *st, const char *id, const char *dir, char **rootfs,
                       tm_error *err)
{
        if (!img_digest_valid(id))
                return tm_error_set(err, -EINVAL, "\"%s\" is not an image id", id);
        int r = tm_mkdir_p(dir, 0755, err);
        if (r < 0)
                return tm_error_wrap(err, "container root");
        _cleanup_free_ char *real = realpath(dir, NULL);
        if (!real)
                return tm_error_errno(err, -errno, "container root \"%s\"", dir);
        if (strpbrk(real, ",:\\") || strpbrk(st->layers, ",:\\"))
                return tm_error_set(err, -EINVAL,
                                    "container root \"%s\": paths with ',' ':' or '\\' cannot be "
                                    "mounted as overlayfs",
                                    real);
        _cleanup_free_ char *upper = xasprintf("%s/upper", real);
        _cleanup_free_ char *work = xasprintf("%s/work", real);
        _cleanup_free_ char *root = xasprintf("%s/rootfs", real);
        _cleanup_free_ char *empty = xasprintf("%s/lower-empty", real);
        if ((r = mkdir_one(upper, 0755, err)) < 0 || (r = mkdir_one(work, 0700, err)) < 0 ||
            (r = mkdir_one(root, 0755, err)) < 0)
                return tm_error_wrap(err, "container root");
        char **layers = NULL;
        size_t n = 0;
        if ((r = img_layers_of(st, id, &layers, &n, err)) < 0)
                return r;
        tm_buf o = TM_BUF_INIT;
        tm_buf_puts(&o, "lowerdir=");
        bool first = true;
        for (size_t i = n; i-- > 0;) {
                /* overlayfs refuses a dir twice; the top copy of a repeated
                 * layer already shows all it has. */
                bool again = false;
                for (size_t k = i + 1; k < n; k++)
                        again = again || !strcmp(layers[k], layers[i]);
                if (again)
                        continue;
                _cleanup_free_ char *l = xasprintf("%s/%s", st->layers, layers[i] + 7);
                if (access(l, F_OK) < 0) {
                        r = tm_error_set(err, -ENOENT,
                                         "layer \"%s\" is missing; import the image again",
                                         layers[i]);
                        goto out;
                }
                tm_buf_printf(&o, "%s%s", first ? "" : ":", l);
                first = false;
        }
        if (n == 0) { /* an image with no layers: an empty lower dir */
                if ((r = mkdir_one(empty, 0755, err)) < 0)
                        goto out;
                tm_buf_puts(&o, empty);
        }
        tm_buf_printf(&o, ",upperdir=%s,workdir=%s", upper, work);
        if (o.len > MOUNT_OPTS_MAX) {
                r = tm_error_set(err, -E2BIG,
                                 "image \"%s\" has too many layers for one overlayfs mount", id);
                goto out;
        }
        if ((r = img_lock(st, err)) < 0)
                goto out;
        /* Checked under the lock, so a concurrent remove sees this root. */
        char **again = NULL;
        size_t n_again = 0;
        if ((r = img_layers_of(st, id, &again, &n_again, err)) >= 0)
                r = add_marker(st, id, real, err);
        strv_freen(again, n_again);
        img_unlock(st);
        if (r < 0)
                goto out;
        if (!is_mounted(real, root) && mount_overlay(root, &o, work) < 0) {
                r = tm_error_errno(err, -errno, "mount overlayfs on \"%s\"", root);
                tm_error clear = {0};
                (void)exe_image_unmount_rootfs(real, &clear);
                goto out;
        }
        if (rootfs)
                *rootfs = xstrdup(root);
out:
        tm_buf_free(&o);
        strv_freen(layers, n);
        return r < 0 ? tm_error_wrap(err, "image root for \"%s\"", id) : 0;
}

int
exe_image_unmount_rootfs(const char *dir, tm_error *err)
{
        _cleanup_free_ char *root = xasprintf("%s/rootfs", dir);
        if (umount2(root, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return tm_error_errno(err, -errno, "unmount \"%s\"", root);
        _cleanup_free_ char *back = xasprintf("%s/" MARKER_FILE, dir);
        _cleanup_free_ char *marker = NULL;
        size_t len;
        if (tm_file_read(back, PATH_MAX, &marker, &len, NULL) == 0) {
                /* Only ever a file of ours under images/roots/. */
                if (strstr(marker, "/images/roots/") && !strstr(marker, "/../") &&
                    unlink(marker) < 0 && errno != ENOENT)
                        return tm_error_errno(err, -errno, "remove root marker \"%s\"", marker);
                (void)unlink(back);
        }
        return 0;
}
