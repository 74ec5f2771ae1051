/* The directory source: a recursive walk below a root that never reads
 * anything outside it. Directories are opened relative to their parent
 * with O_NOFOLLOW; a symlink is followed only when its target resolves
 * inside the root, and then opened beneath the root fd (openat2
 * RESOLVE_BENEATH) so that a swap during the walk cannot lead outside. */
#include "sources/source-internal.h"
#include "sources/watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"

struct dir_impl {
        char *root;
        src_inotify *watch;
};

struct dir_id {
        dev_t dev;
        ino_t ino;
};

struct walk {
        src_builder *b;
        const src_limits *lim;
        int rootfd;
        const char *rootreal;
        size_t rootreal_len;
        size_t entries;
        struct dir_id *stack; /* directories from the root down to the current one */
        size_t depth, stack_cap;
        tm_buf path; /* relative path of the entry at hand */
        unsigned char *buf;
        size_t buf_cap;
};

static int walk_dir(struct walk *w, int dirfd, size_t depth, tm_error *err);

static int
open_beneath(int rootfd, const char *rel, int flags)
{
        if (!(flags & O_PATH)) /* openat2 refuses other flags with O_PATH */
                flags |= O_NOCTTY;
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
        if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
                /* No openat2 (old kernel or seccomp): rel came from
                 * realpath, so it holds no symlink; refuse one at the end. */
                return openat(rootfd, rel, flags | O_CLOEXEC | O_NOFOLLOW);
        }
        return (int)fd;
}

static int
read_manifest(struct walk *w, int fd, const struct stat *st, tm_error *err)
{
        const char *rel = w->path.data;
        if ((uint64_t)st->st_size > w->lim->max_file_bytes)
                return tm_error_set(err, -EFBIG,
                                    "\"%s\" is %lld bytes, over the limit of %zu bytes per file",
                                    rel, (long long)st->st_size, w->lim->max_file_bytes);
        size_t want = (size_t)st->st_size + 1, len = 0;
        if (w->buf_cap < want) {
                w->buf_cap = want < 4096 ? 4096 : want;
                free(w->buf);
                w->buf = xmalloc(w->buf_cap);
        }
        for (;;) {
                if (len == w->buf_cap) {
                        /* The file grew while we read it. */
                        if (len > w->lim->max_file_bytes)
                                return tm_error_set(
                                    err, -EFBIG, "\"%s\" is over the limit of %zu bytes per file",
                                    rel, w->lim->max_file_bytes);
                        w->buf_cap *= 2;
                        w->buf = xrealloc(w->buf, w->buf_cap);
                }
                ssize_t n = read(fd, w->buf + len, w->buf_cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return tm_error_errno(err, -errno, "read \"%s\"", rel);
                }
                if (n == 0)
                        break;
                size_t asked = w->buf_cap - len;
                len += (size_t)n;
                /* A short read past the size fstat gave is the end of a
                 * local regular file: spare the read that returns 0. */
                if ((size_t)n < asked && len >= (size_t)st->st_size)
                        break;
        }
        return src_builder_add(w->b, rel, w->buf, len, err);
}

/* Descends into the directory open as fd (taken), after the depth and
 * loop checks. */
static int
enter_dir(struct walk *w, int fd_in, size_t depth, tm_error *err)
{
        _cleanup_close_ int fd = fd_in;
        const char *rel = w->path.data;
        if (depth > w->lim->max_depth)
                return tm_error_set(err, -ELOOP,
                                    "\"%s\" is nested deeper than %zu directories (the limit)", rel,
                                    w->lim->max_depth);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return tm_error_errno(err, -errno, "stat \"%s\"", rel);
        for (size_t i = 0; i < w->depth; i++)
                if (w->stack[i].dev == st.st_dev && w->stack[i].ino == st.st_ino)
                        return tm_error_set(err, -ELOOP,
                                            "\"%s\" is a symlink loop (it leads back to a "
                                            "directory above it)",
                                            rel);
        TM_GROW(w->stack, w->stack_cap, w->depth + 1);
        w->stack[w->depth++] = (struct dir_id){st.st_dev, st.st_ino};
        int r = walk_dir(w, TAKE_FD(fd), depth, err);
        w->depth--;
        return r;
}

static int
follow_symlink(struct walk *w, bool manifest_name, size_t depth, tm_error *err)
{
        const char *rel = w->path.data;
        _cleanup_free_ char *full = xasprintf("%s/%s", w->rootreal, rel);
        _cleanup_free_ char *resolved = realpath(full, NULL);
        if (!resolved) {
                int e = errno;
                if (e == ELOOP)
                        return tm_error_set(err, -ELOOP, "\"%s\" is a symlink loop", rel);
                if (e == ENOENT || e == ENOTDIR) {
                        if (!manifest_name)
                                return 0;
                        return tm_error_set(err, -ENOENT, "\"%s\" is a broken symlink", rel);
                }
                return tm_error_errno(err, -e, "resolve symlink \"%s\"", rel);
        }
        const char *inrel;
        if (strcmp(w->rootreal, "/") == 0)
                inrel = resolved + 1;
        else if (strncmp(resolved, w->rootreal, w->rootreal_len) == 0 &&
                 (resolved[w->rootreal_len] == '/' || resolved[w->rootreal_len] == '\0'))
                inrel = resolved + w->rootreal_len + (resolved[w->rootreal_len] == '/');
        else
                inrel = NULL;

        if (!inrel) {
                /* Only what we would read or walk matters: a symlink named
                 * README pointing anywhere is ignored like any README. */
                struct stat st;
                if (manifest_name || (stat(resolved, &st) == 0 && S_ISDIR(st.st_mode)))
                        return tm_error_set(err, -EXDEV,
                                            "\"%s\" is a symlink that leaves the source root", rel);
                return 0;
        }
        if (!*inrel)
                return tm_error_set(err, -ELOOP,
                                    "\"%s\" is a symlink loop (it points at the source root)", rel);

        /* O_PATH first: the target's type decides whether it is opened
         * at all (a device is never opened). */
        _cleanup_close_ int pfd = open_beneath(w->rootfd, inrel, O_PATH);
        if (pfd < 0) {
                if (errno == EXDEV || errno == ELOOP)
                        return tm_error_set(err, -EXDEV,
                                            "\"%s\" is a symlink that leaves the source root", rel);
                return tm_error_errno(err, -errno, "open \"%s\"", rel);
        }
        struct stat st;
        if (fstat(pfd, &st) < 0)
                return tm_error_errno(err, -errno, "stat \"%s\"", rel);
        if (S_ISDIR(st.st_mode)) {
                int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return tm_error_errno(err, -errno, "open directory \"%s\"", rel);
                return enter_dir(w, dfd, depth + 1, err);
        }
        if (!S_ISREG(st.st_mode) || !manifest_name)
                return 0;
        _cleanup_close_ int fd = open_beneath(w->rootfd, inrel, O_RDONLY | O_NONBLOCK);
        struct stat st2;
        if (fd < 0)
                return tm_error_errno(err, -errno, "open \"%s\"", rel);
        if (fstat(fd, &st2) < 0)
                return tm_error_errno(err, -errno, "stat \"%s\"", rel);
        if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino || !S_ISREG(st2.st_mode))
                return tm_error_set(err, -EAGAIN, "\"%s\" changed while it was read", rel);
        return read_manifest(w, fd, &st2, err);
}

static int
walk_entry(struct walk *w, int dirfd, const char *name, unsigned char type, size_t depth,
           tm_error *err)
{
        if (type == DT_UNKNOWN) {
                struct stat st;
                if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                return 0; /* gone since readdir */
                        return tm_error_errno(err, -errno, "stat \"%s\"", w->path.data);
                }
                type = S_ISDIR(st.st_mode)   ? DT_DIR
                       : S_ISREG(st.st_mode) ? DT_REG
                       : S_ISLNK(st.st_mode) ? DT_LNK
                                             : DT_FIFO;
        }
        switch (type) {
        case DT_DIR: {
                int fd = openat(dirfd, name,
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                if (fd < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return tm_error_errno(err, -errno, "open directory \"%s\"", w->path.data);
                }
                return enter_dir(w, fd, depth + 1, err);
        }
        case DT_REG: {
                if (!src_path_is_manifest(w->path.data))
                        return 0;
                _cleanup_close_ int fd =
                    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd < 0) {
                        if (errno == ENOENT)
                                return 0;
                        if (errno == ELOOP) /* became a symlink since readdir */
                                return follow_symlink(w, true, depth, err);
                        return tm_error_errno(err, -errno, "open \"%s\"", w->path.data);
                }
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return tm_error_errno(err, -errno, "stat \"%s\"", w->path.data);
                if (!S_ISREG(st.st_mode))
                        return 0;
                return read_manifest(w, fd, &st, err);
        }
        case DT_LNK:
                return follow_symlink(w, src_path_is_manifest(w->path.data), depth, err);
        default:
                return 0; /* fifos, sockets, devices: never opened */
        }
}

static int
walk_dir(struct walk *w, int fd, size_t depth, tm_error *err)
{
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return tm_error_errno(err, -e, "read directory \"%s\"",
                                      w->path.len ? w->path.data : ".");
        }
        size_t base = w->path.len;
        int r = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno)
                                r = tm_error_errno(err, -errno, "read directory \"%s\"",
                                                   base ? w->path.data : ".");
                        break;
                }
                const char *name = de->d_name;
                if (name[0] == '.')
                        continue; /* ".", "..", dot-files and dot-dirs */
                if (++w->entries > w->lim->max_entries) {
                        r = tm_error_set(err, -E2BIG,
                                         "more than %zu entries below the source root (the limit)",
                                         w->lim->max_entries);
                        break;
                }
                if (base)
                        tm_buf_putc(&w->path, '/');
                tm_buf_puts(&w->path, name);
                r = walk_entry(w, dirfd(d), name, de->d_type, depth, err);
                w->path.len = base;
                w->path.data[base] = '\0';
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int
dir_take(src_source *s, src_snapshot **out, tm_error *err)
{
        struct dir_impl *impl = s->impl;
        _cleanup_close_ int rootfd =
            open(impl->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
        if (rootfd < 0) {
                if (errno == ENOTDIR)
                        return tm_error_set(err, -ENOTDIR, "source \"%s\" is not a directory",
                                            s->display);
                return tm_error_errno(err, -errno, "open source directory \"%s\"", s->display);
        }
        _cleanup_free_ char *rootreal = realpath(impl->root, NULL);
        if (!rootreal)
                return tm_error_errno(err, -errno, "resolve source directory \"%s\"", s->display);

        struct walk w = {
            .b = src_builder_new(&s->opts.limits),
            .lim = &s->opts.limits,
            .rootfd = rootfd,
            .rootreal = rootreal,
            .rootreal_len = strlen(rootreal),
        };
        tm_buf_puts(&w.path, "");
        int dupfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        int r;
        if (dupfd < 0)
                r = tm_error_errno(err, -errno, "dup");
        else
                r = enter_dir(&w, dupfd, 0, err);
        if (r == 0)
                r = src_builder_finish(w.b, s->display, out, err);
        src_builder_free(w.b);
        tm_buf_free(&w.path);
        free(w.stack);
        free(w.buf);
        if (r < 0)
                return tm_error_wrap(err, "source \"%s\"", s->display);
        return 0;
}

static int
dir_watch_start(src_source *s, tm_error *err)
{
        struct dir_impl *impl = s->impl;
        if (impl->watch)
                return 0;
        return src_inotify_tree(&impl->watch, impl->root, &s->opts.limits, err);
}

static int
dir_watch_fd(const src_source *s)
{
        const struct dir_impl *impl = s->impl;
        return impl->watch ? src_inotify_fd(impl->watch) : -1;
}

static int
dir_watch_process(src_source *s, tm_error *err)
{
        struct dir_impl *impl = s->impl;
        return impl->watch ? src_inotify_process(impl->watch, err) : 0;
}

static void
dir_close(src_source *s)
{
        struct dir_impl *impl = s->impl;
        if (!impl)
                return;
        src_inotify_free(impl->watch);
        free(impl->root);
        free(impl);
        s->impl = NULL;
}

static const struct src_ops dir_ops = {
    .take = dir_take,
    .watch_start = dir_watch_start,
    .watch_fd = dir_watch_fd,
    .watch_process = dir_watch_process,
    .close = dir_close,
};

int
src_dir_open(src_source *s, tm_error *err)
{
        struct dir_impl *impl = xcalloc(1, sizeof(*impl));
        impl->root = xstrdup(s->spec);
        s->kind = SRC_DIR;
        s->ops = &dir_ops;
        s->impl = impl;
        return 0;
}
