/* Unpacks one layer tar into a directory that overlayfs can stack.
 *
 * libarchive only reads; every file is written here through openat()
 * relative to the layer's own directory with O_NOFOLLOW on each step, so
 * an entry can never land outside it: absolute names and ".." are
 * refused, and so is any walk through a symlink or a non-directory.
 * Whiteouts become what overlayfs reads: ".wh.NAME" a 0/0 character
 * device NAME, ".wh..wh..opq" the trusted.overlay.opaque=y xattr on the
 * directory. Device nodes in the tar are refused. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"
#define WH_META ".wh..wh."

typedef struct unpack {
        struct archive *a;
        int root;
        const char *blob;
        int64_t bytes;
} unpack;

static void
archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* Cleans an entry name into a relative path without "." parts; refuses
 * absolute names and "..". Returns "" for the layer root. */
static int
clean_path(const char *name, char **out, tm_error *err)
{
        if (!name || !*name)
                return tm_error_set(err, -EINVAL, "entry without a name");
        if (strlen(name) >= PATH_MAX)
                return tm_error_set(err, -ENAMETOOLONG, "entry name longer than %d bytes",
                                    PATH_MAX);
        if (name[0] == '/')
                return tm_error_set(err, -EPERM, "entry \"%s\" has an absolute path", name);
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "");
        const char *p = name;
        while (*p) {
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        tm_buf_free(&b);
                        return tm_error_set(err, -EPERM, "entry \"%s\" has a \"..\" component",
                                            name);
                }
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (b.len)
                                tm_buf_putc(&b, '/');
                        tm_buf_append(&b, p, n);
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        *out = tm_buf_steal(&b);
        return 0;
}

/* Opens the directory that holds path's last component, creating missing
 * directories (0755, root) when create is set. *base points into path. */
static int
open_parent(int root, char *path, bool create, const char **base, const char *name, tm_error *err)
{
        int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return tm_error_errno(err, -errno, "dup");
        char *p = path;
        for (;;) {
                char *slash = strchr(p, '/');
                if (!slash)
                        break;
                *slash = '\0';
                int nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0 && errno == ENOENT && create) {
                        /* chmod: the umask must not narrow what the image shows. */
                        if (mkdirat(fd, p, 0755) == 0)
                                (void)fchmodat(fd, p, 0755, 0);
                        else if (errno != EEXIST) {
                                int r = -errno;
                                close(fd);
                                *slash = '/';
                                return tm_error_errno(err, r, "entry \"%s\": mkdir", name);
                        }
                        nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                int e = errno;
                *slash = '/';
                close(fd);
                if (nfd < 0) {
                        if (e == ELOOP || e == ENOTDIR)
                                return tm_error_set(err, -EPERM,
                                                    "entry \"%s\" goes through a symlink or a "
                                                    "non-directory",
                                                    name);
                        return tm_error_errno(err, -e, "entry \"%s\": open parent", name);
                }
                fd = nfd;
                p = slash + 1;
        }
        *base = p;
        return fd;
}

/* Removes whatever is at parent/name (recursively for a directory). */
static int
remove_at(int parent, const char *name, bool keep_dir, tm_error *err)
{
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : tm_error_errno(err, -errno, "stat \"%s\"", name);
        if (S_ISDIR(st.st_mode)) {
                if (keep_dir)
                        return 1;
                _cleanup_free_ char *p = xasprintf("/proc/self/fd/%d/%s", parent, name);
                return tm_rm_rf(p, err);
        }
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                return tm_error_errno(err, -errno, "unlink \"%s\"", name);
        return 0;
}

static int
set_owner_mode(int fd, struct archive_entry *e, const char *name, tm_error *err)
{
        int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        if (uid < 0 || gid < 0 || uid >= UINT32_MAX || gid >= UINT32_MAX)
                return tm_error_set(err, -EINVAL, "entry \"%s\" has owner %lld:%lld out of range",
                                    name, (long long)uid, (long long)gid);
        /* chown first: it clears setuid/setgid, which chmod then restores. */
        if (fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
                return tm_error_errno(err, -errno, "entry \"%s\": chown", name);
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return tm_error_errno(err, -errno, "entry \"%s\": chmod", name);
        return 0;
}

static void
set_xattrs(int fd, struct archive_entry *e)
{
        const char *xn;
        const void *xv;
        size_t xs;
        if (archive_entry_xattr_reset(e) == 0)
                return;
        while (archive_entry_xattr_next(e, &xn, &xv, &xs) == ARCHIVE_OK) {
                /* user.* and file capabilities only: trusted.overlay.* and
                 * security labels are not the layer's to set. */
                if (!tm_str_has_prefix(xn, "user.") && strcmp(xn, "security.capability") != 0)
                        continue;
                (void)fsetxattr(fd, xn, xv, xs, 0);
        }
}

static void
set_times(int fd, const char *name, struct archive_entry *e)
{
        struct timespec ts[2] = {
            {archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
            {archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
        };
        (void)utimensat(fd, name ? name : "", ts, name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
}

static int
write_file(unpack *u, int parent, const char *base, struct archive_entry *e, const char *name,
           tm_error *err)
{
        int r = remove_at(parent, base, false, err);
        if (r < 0)
                return r;
        _cleanup_close_ int fd =
            openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_errno(err, -errno, "entry \"%s\": create", name);
        const void *buf;
        size_t size;
        la_int64_t off;
        for (;;) {
                int ar = archive_read_data_block(u->a, &buf, &size, &off);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN)
                        return tm_error_set(err, -EIO, "entry \"%s\": read: %s", name,
                                            archive_error_string(u->a));
                u->bytes += (int64_t)size;
                if (u->bytes > IMG_MAX_LAYER_BYTES)
                        return tm_error_set(err, -EFBIG, "layer unpacks to more than %lld bytes",
                                            (long long)IMG_MAX_LAYER_BYTES);
                const char *p = buf;
                while (size) {
                        ssize_t n = pwrite(fd, p, size, off);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return tm_error_errno(err, -errno, "entry \"%s\": write", name);
                        }
                        p += n;
                        off += n;
                        size -= (size_t)n;
                }
        }
        if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
                return tm_error_errno(err, -errno, "entry \"%s\": truncate", name);
        if ((r = set_owner_mode(fd, e, name, err)) < 0)
                return r;
        set_xattrs(fd, e);
        set_times(fd, NULL, e);
        return 0;
}

static int
whiteout(int parent, const char *base, const char *name, tm_error *err)
{
        if (!strcmp(base, WH_OPAQUE)) {
                if (fsetxattr(parent, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return tm_error_errno(err, -errno, "entry \"%s\": mark opaque", name);
                return 0;
        }
        if (tm_str_has_prefix(base, WH_META))
                return 0; /* other aufs metadata: nothing for overlayfs */
        const char *victim = base + strlen(WH_PREFIX);
        if (!*victim || !strcmp(victim, ".") || !strcmp(victim, ".."))
                return tm_error_set(err, -EINVAL, "entry \"%s\" is a bad whiteout", name);
        int r = remove_at(parent, victim, false, err);
        if (r < 0)
                return r;
        if (mknodat(parent, victim, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return tm_error_errno(err, -errno, "entry \"%s\": whiteout", name);
        return 0;
}

static int
hardlink(unpack *u, int parent, const char *base, const char *target, const char *name,
         tm_error *err)
{
        _cleanup_free_ char *t = NULL;
        int r = clean_path(target, &t, err);
        if (r < 0)
                return tm_error_wrap(err, "hard link \"%s\"", name);
        if (!*t)
                return tm_error_set(err, -EPERM, "hard link \"%s\" to the layer root", name);
        const char *tbase;
        _cleanup_close_ int tparent = open_parent(u->root, t, false, &tbase, target, err);
        if (tparent < 0)
                return tm_error_wrap(err, "hard link \"%s\"", name);
        struct stat st;
        if (fstatat(tparent, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return tm_error_errno(err, -errno, "hard link \"%s\" to \"%s\"", name, target);
        if (S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                return tm_error_set(err, -EPERM, "hard link \"%s\" to \"%s\" refused", name,
                                    target);
        struct stat cur;
        if (fstatat(parent, base, &cur, AT_SYMLINK_NOFOLLOW) == 0 && cur.st_ino == st.st_ino &&
            cur.st_dev == st.st_dev)
                return 0;
        if ((r = remove_at(parent, base, false, err)) < 0)
                return r;
        if (linkat(tparent, tbase, parent, base, 0) < 0)
                return tm_error_errno(err, -errno, "hard link \"%s\" to \"%s\"", name, target);
        return 0;
}

static int
entry(unpack *u, struct archive_entry *e, tm_error *err)
{
        const char *name = archive_entry_pathname(e);
        _cleanup_free_ char *path = NULL;
        int r = clean_path(name, &path, err);
        if (r < 0)
                return r;
        if (!*path)
                return 0; /* the layer root itself: keep ours */
        const char *base;
        _cleanup_close_ int parent = open_parent(u->root, path, true, &base, name, err);
        if (parent < 0)
                return parent;
        if (tm_str_has_prefix(base, WH_PREFIX))
                return whiteout(parent, base, name, err);
        const char *hl = archive_entry_hardlink(e);
        if (hl)
                return hardlink(u, parent, base, hl, name, err);
        switch (archive_entry_filetype(e)) {
        case AE_IFREG:
                return write_file(u, parent, base, e, name, err);
        case AE_IFDIR: {
                if ((r = remove_at(parent, base, true, err)) < 0)
                        return r;
                if (r == 0 && mkdirat(parent, base, 0700) < 0)
                        return tm_error_errno(err, -errno, "entry \"%s\": mkdir", name);
                _cleanup_close_ int fd =
                    openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return tm_error_errno(err, -errno, "entry \"%s\": open", name);
                if ((r = set_owner_mode(fd, e, name, err)) < 0)
                        return r;
                set_xattrs(fd, e);
                return 0;
        }
        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);
                if (!target || !*target || strlen(target) >= PATH_MAX)
                        return tm_error_set(err, -EINVAL, "symlink \"%s\" has a bad target", name);
                if ((r = remove_at(parent, base, false, err)) < 0)
                        return r;
                /* The target is only ever resolved inside the container's
                 * root, and we never follow it here. */
                if (symlinkat(target, parent, base) < 0)
                        return tm_error_errno(err, -errno, "entry \"%s\": symlink", name);
                int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
                if (uid >= 0 && gid >= 0 && uid < UINT32_MAX && gid < UINT32_MAX)
                        (void)fchownat(parent, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
                set_times(parent, base, e);
                return 0;
        }
        case AE_IFIFO: {
                if ((r = remove_at(parent, base, false, err)) < 0)
                        return r;
                if (mkfifoat(parent, base, 0600) < 0)
                        return tm_error_errno(err, -errno, "entry \"%s\": mkfifo", name);
                _cleanup_close_ int fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
                if (fd >= 0 && uid >= 0 && gid >= 0 && uid < UINT32_MAX && gid < UINT32_MAX) {
                        (void)fchownat(parent, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
                        (void)fchmodat(parent, base, archive_entry_perm(e) & 0777, 0);
                }
                return 0;
        }
        case AE_IFCHR:
        case AE_IFBLK:
                return tm_error_set(err, -EPERM, "device node \"%s\" refused", name);
        case AE_IFSOCK:
                return 0;
        default:
                return tm_error_set(err, -EINVAL, "entry \"%s\" has an unknown type", name);
        }
}

int
img_layer_unpack(const char *blob, const char *dir, tm_error *err)
{
        _cleanup_close_ int root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (root < 0)
                return tm_error_errno(err, -errno, "open \"%s\"", dir);
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_xz(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_empty(a);
        if (archive_read_open_filename(a, blob, 1 << 16) != ARCHIVE_OK)
                return tm_error_set(err, -EIO, "open layer: %s", archive_error_string(a));
        unpack u = {.a = a, .root = root, .blob = blob};
        struct archive_entry *e;
        size_t count = 0;
        for (;;) {
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN)
                        return tm_error_set(err, -EINVAL, "read layer: %s",
                                            archive_error_string(a));
                if (++count > IMG_MAX_LAYER_ENTRIES)
                        return tm_error_set(err, -E2BIG, "layer has more than %d entries",
                                            IMG_MAX_LAYER_ENTRIES);
                int r = entry(&u, e, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int
img_layer_diff_id(const char *blob, char out[72], tm_error *err)
{
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_xz(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_format_raw(a);
        if (archive_read_open_filename(a, blob, 1 << 16) != ARCHIVE_OK)
                return tm_error_set(err, -EIO, "open layer: %s", archive_error_string(a));
        tm_sha256 *h = tm_sha256_new();
        struct archive_entry *e;
        int ar = archive_read_next_header(a, &e);
        int r = 0;
        if (ar == ARCHIVE_OK || ar == ARCHIVE_WARN) {
                char chunk[65536];
                int64_t total = 0;
                for (;;) {
                        la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
                        if (n < 0) {
                                r = tm_error_set(err, -EBADMSG, "decompress layer: %s",
                                                 archive_error_string(a));
                                break;
                        }
                        if (n == 0)
                                break;
                        total += n;
                        if (total > IMG_MAX_LAYER_BYTES) {
                                r = tm_error_set(err, -EFBIG,
                                                 "layer unpacks to more than %lld bytes",
                                                 (long long)IMG_MAX_LAYER_BYTES);
                                break;
                        }
                        tm_sha256_update(h, chunk, (size_t)n);
                }
        } else if (ar != ARCHIVE_EOF) {
                r = tm_error_set(err, -EBADMSG, "read layer: %s", archive_error_string(a));
        }
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_final_hex(h, hex);
        if (r < 0)
                return r;
        snprintf(out, 72, "sha256:%s", hex);
        return 0;
}
