/* The bundle source: a tar (plain, gzip, zstd) or zip archive read with
 * libarchive, never extracted. Member names are checked before anything
 * else (no absolute paths, no "..", links that stay inside), sizes are
 * bounded while reading so that a bomb fails fast in little memory, and
 * the manifest files go through the same builder as a directory's, so the
 * same tree has the same revision either way. */
#include "sources/source-internal.h"
#include "sources/watch.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/dl.h"
#include "common/mem.h"
#include "common/util.h"

#define MAX_LINK_HOPS 40
#define MAX_NAME 4096 /* bytes of a member name or link target */

struct bundle_impl {
        char *path;
        src_inotify *watch;
};

struct link {
        char *path;   /* normalized member name */
        char *target; /* normalized, relative to the bundle root */
};

struct reader {
        struct archive *a;
        const src_limits *lim;
        src_builder *b;
        struct link *links;
        size_t n_links, links_cap;
        size_t entries;
        size_t other_bytes; /* members that are not manifests, skipped */
        unsigned char *buf;
        size_t buf_cap;
};

static struct archive *
reader_new(void)
{
        struct archive *a = archive_read_new();
        if (!a)
                abort(); /* allocation failure, like xmalloc */
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_filter_xz(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_read_support_format_zip(a);
        return a;
}

/* Appends the components of name to out (which holds a normalized
 * directory, possibly empty), resolving "." and "..". Returns -EXDEV when
 * ".." climbs above the root, or when dotdot_ok is false and any ".."
 * appears. Sets *depth to the number of components. */
static int
path_join_norm(tm_buf *out, const char *name, bool dotdot_ok, size_t *depth)
{
        size_t d = 0;
        for (size_t i = 0; i < out->len; i++)
                d += out->data[i] == '/';
        if (out->len)
                d++;
        const char *p = name;
        while (*p) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        /* empty or "." component */
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (!dotdot_ok || d == 0)
                                return -EXDEV;
                        char *slash = out->len ? memrchr(out->data, '/', out->len) : NULL;
                        out->len = slash ? (size_t)(slash - out->data) : 0;
                        if (out->data)
                                out->data[out->len] = '\0';
                        d--;
                } else {
                        if (out->len)
                                tm_buf_putc(out, '/');
                        tm_buf_append(out, p, n);
                        d++;
                }
                p += n;
                while (*p == '/')
                        p++;
        }
        if (!out->data)
                tm_buf_puts(out, "");
        if (depth)
                *depth = d;
        return 0;
}

static int
read_member(struct reader *rd, struct archive_entry *e, const char *path, tm_error *err)
{
        const size_t max = rd->lim->max_file_bytes;
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
            (uint64_t)archive_entry_size(e) > max)
                return tm_error_set(err, -EFBIG,
                                    "\"%s\" is %lld bytes, over the limit of %zu bytes per file",
                                    path, (long long)archive_entry_size(e), max);
        size_t len = 0;
        for (;;) {
                if (len == rd->buf_cap) {
                        if (len > max)
                                return tm_error_set(err, -EFBIG,
                                                    "\"%s\" is over the limit of %zu bytes per "
                                                    "file",
                                                    path, max);
                        rd->buf_cap = rd->buf_cap ? rd->buf_cap * 2 : 65536;
                        rd->buf = xrealloc(rd->buf, rd->buf_cap);
                }
                la_ssize_t n = archive_read_data(rd->a, rd->buf + len, rd->buf_cap - len);
                if (n < 0)
                        return tm_error_set(err, -EIO, "read \"%s\": %s", path,
                                            archive_error_string(rd->a));
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len > max)
                return tm_error_set(err, -EFBIG, "\"%s\" is over the limit of %zu bytes per file",
                                    path, max);
        return src_builder_add(rd->b, path, rd->buf, len, err);
}

/* Members we do not keep still cost decompression: bound them too. */
static int
skip_member(struct reader *rd, struct archive_entry *e, const char *path, tm_error *err)
{
        const size_t budget = rd->lim->max_total_bytes;
        if (archive_entry_size_is_set(e)) {
                la_int64_t size = archive_entry_size(e);
                if (size > 0 && (uint64_t)size > budget - rd->other_bytes)
                        return tm_error_set(err, -EFBIG,
                                            "\"%s\": members that are not manifests total more "
                                            "than %zu bytes (the limit)",
                                            path, budget);
                rd->other_bytes += size > 0 ? (size_t)size : 0;
                if (archive_read_data_skip(rd->a) < ARCHIVE_WARN)
                        return tm_error_set(err, -EIO, "read \"%s\": %s", path,
                                            archive_error_string(rd->a));
                return 0;
        }
        for (;;) {
                const void *block;
                size_t n;
                la_int64_t off;
                int r = archive_read_data_block(rd->a, &block, &n, &off);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return tm_error_set(err, -EIO, "read \"%s\": %s", path,
                                            archive_error_string(rd->a));
                if (n > budget - rd->other_bytes)
                        return tm_error_set(err, -EFBIG,
                                            "\"%s\": members that are not manifests total more "
                                            "than %zu bytes (the limit)",
                                            path, budget);
                rd->other_bytes += n;
        }
}

static void
add_link(struct reader *rd, const char *path, const char *target)
{
        TM_GROW(rd->links, rd->links_cap, rd->n_links + 1);
        rd->links[rd->n_links++] = (struct link){xstrdup(path), xstrdup(target)};
}

static int
read_entry(struct reader *rd, struct archive_entry *e, tm_error *err)
{
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                raw = archive_entry_pathname_utf8(e);
        if (!raw)
                return tm_error_set(err, -EINVAL, "member %zu has no readable name", rd->entries);
        const char *symlink = archive_entry_symlink(e);
        const char *hardlink = archive_entry_hardlink(e);
        if (strlen(raw) > MAX_NAME || (symlink && strlen(symlink) > MAX_NAME) ||
            (hardlink && strlen(hardlink) > MAX_NAME))
                return tm_error_set(err, -ENAMETOOLONG,
                                    "\"%.64s...\": name or link target longer than %d bytes", raw,
                                    MAX_NAME);
        if (raw[0] == '/')
                return tm_error_set(err, -EXDEV, "\"%s\" is an absolute path (path traversal)",
                                    raw);
        tm_buf path = TM_BUF_INIT;
        size_t depth = 0;
        int r = path_join_norm(&path, raw, false, &depth);
        if (r < 0) {
                tm_buf_free(&path);
                return tm_error_set(err, -EXDEV, "\"%s\" has a \"..\" component (path traversal)",
                                    raw);
        }
        mode_t type = archive_entry_filetype(e);
        bool manifest = src_path_is_manifest(path.data);
        size_t dir_depth = type == AE_IFDIR ? depth : (depth ? depth - 1 : 0);

        if (dir_depth > rd->lim->max_depth) {
                r = tm_error_set(err, -ELOOP,
                                 "\"%s\" is nested deeper than %zu directories (the limit)",
                                 path.data, rd->lim->max_depth);
        } else if (hardlink) {
                tm_buf t = TM_BUF_INIT;
                if (hardlink[0] == '/' || path_join_norm(&t, hardlink, false, NULL) < 0)
                        r = tm_error_set(err, -EXDEV,
                                         "\"%s\" is a hard link that leaves the bundle root",
                                         path.data);
                else if (manifest)
                        add_link(rd, path.data, t.data);
                tm_buf_free(&t);
                if (r == 0 && archive_read_data_skip(rd->a) < ARCHIVE_WARN)
                        r = tm_error_set(err, -EIO, "read \"%s\": %s", path.data,
                                         archive_error_string(rd->a));
        } else if (type == AE_IFLNK || symlink) {
                tm_buf t = TM_BUF_INIT;
                const char *slash = strrchr(path.data, '/');
                if (slash)
                        tm_buf_append(&t, path.data, (size_t)(slash - path.data));
                if (!symlink || symlink[0] == '/' || path_join_norm(&t, symlink, true, NULL) < 0)
                        r = tm_error_set(err, -EXDEV,
                                         "\"%s\" is a symlink that leaves the bundle root",
                                         path.data);
                else if (manifest)
                        add_link(rd, path.data, t.data);
                tm_buf_free(&t);
        } else if (type == AE_IFDIR) {
                r = 0;
        } else if (type == AE_IFREG) {
                if (!*path.data)
                        r = 0;
                else if (manifest)
                        r = read_member(rd, e, path.data, err);
                else
                        r = skip_member(rd, e, path.data, err);
        } else {
                r = tm_error_set(err, -EPERM, "\"%s\" is a device, fifo or socket: refused",
                                 path.data);
        }
        tm_buf_free(&path);
        return r;
}

static int
link_cmp(const void *a, const void *b)
{
        return strcmp(((const struct link *)a)->path, ((const struct link *)b)->path);
}

struct resolved {
        const char *path;
        const unsigned char *data;
        size_t len;
};

/* A link named like a manifest stands for its target's content, when the
 * target is a manifest member of the bundle (possibly through links). */
static int
resolve_links(struct reader *rd, tm_error *err)
{
        if (!rd->n_links)
                return 0;
        qsort(rd->links, rd->n_links, sizeof(*rd->links), link_cmp);
        struct resolved *res = xcalloc(rd->n_links, sizeof(*res));
        int r = 0;
        for (size_t i = 0; i < rd->n_links && r == 0; i++) {
                const char *t = rd->links[i].target;
                const src_file *f = NULL;
                for (int hop = 0; hop < MAX_LINK_HOPS && !f; hop++) {
                        f = src_builder_find(rd->b, t);
                        if (f)
                                break;
                        struct link key = {.path = (char *)t};
                        const struct link *next =
                            bsearch(&key, rd->links, rd->n_links, sizeof(*rd->links), link_cmp);
                        if (!next)
                                break;
                        t = next->target;
                }
                if (!f)
                        r = tm_error_set(err, -ENOENT,
                                         "\"%s\" is a link to \"%s\", which is not a manifest "
                                         "file of the bundle",
                                         rd->links[i].path, rd->links[i].target);
                else
                        res[i] = (struct resolved){rd->links[i].path, f->data, f->len};
        }
        for (size_t i = 0; i < rd->n_links && r == 0; i++)
                r = src_builder_add(rd->b, res[i].path, res[i].data, res[i].len, err);
        free(res);
        return r;
}

/* Reads an opened archive to the end into a snapshot. Takes a. */
static int
bundle_read(struct archive *a, const src_limits *lim, const char *display, src_snapshot **out,
            tm_error *err)
{
        struct reader rd = {.a = a, .lim = lim, .b = src_builder_new(lim)};
        int r = 0;
        for (;;) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN) {
                        r = tm_error_set(err, -EINVAL, "not a readable archive: %s",
                                         archive_error_string(a) ? archive_error_string(a)
                                                                 : "unknown error");
                        break;
                }
                if (++rd.entries > lim->max_entries) {
                        r = tm_error_set(err, -E2BIG, "more than %zu members (the limit)",
                                         lim->max_entries);
                        break;
                }
                r = read_entry(&rd, e, err);
                if (r < 0)
                        break;
        }
        if (r == 0)
                r = resolve_links(&rd, err);
        if (r == 0)
                r = src_builder_finish(rd.b, display, out, err);
        for (size_t i = 0; i < rd.n_links; i++) {
                free(rd.links[i].path);
                free(rd.links[i].target);
        }
        free(rd.links);
        free(rd.buf);
        src_builder_free(rd.b);
        archive_read_free(a);
        return r;
}

int
src_bundle_read_memory(const void *data, size_t len, const src_limits *lim, const char *display,
                       src_snapshot **out, tm_error *err)
{
        int r = tm_dl_archive_load(err);
        if (r < 0)
                return r;
        struct archive *a = reader_new();
        if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
                r = tm_error_set(err, -EINVAL, "not a readable archive: %s",
                                 archive_error_string(a) ? archive_error_string(a)
                                                         : "unknown error");
                archive_read_free(a);
                return r;
        }
        return bundle_read(a, lim, display, out, err);
}

bool
src_bundle_recognise(const char *path)
{
        /* Without libarchive nothing can tell: src_bundle_open says why. */
        if (tm_dl_archive_load(NULL) < 0)
                return true;
        struct archive *a = reader_new();
        struct archive_entry *e;
        bool ok = archive_read_open_filename(a, path, 65536) == ARCHIVE_OK &&
                  archive_read_next_header(a, &e) >= ARCHIVE_WARN;
        archive_read_free(a);
        return ok;
}

static int
bundle_take(src_source *s, src_snapshot **out, tm_error *err)
{
        struct bundle_impl *impl = s->impl;
        struct stat st;
        if (stat(impl->path, &st) < 0)
                return tm_error_errno(err, -errno, "bundle \"%s\"", s->display);
        if (!S_ISREG(st.st_mode))
                return tm_error_set(err, -EINVAL, "bundle \"%s\" is not a regular file",
                                    s->display);
        struct archive *a = reader_new();
        if (archive_read_open_filename(a, impl->path, 65536) != ARCHIVE_OK) {
                tm_error_set(err, -EINVAL, "%s",
                             archive_error_string(a) ? archive_error_string(a) : "cannot open");
                archive_read_free(a);
                return tm_error_wrap(err, "bundle \"%s\"", s->display);
        }
        int r = bundle_read(a, &s->opts.limits, s->display, out, err);
        if (r < 0)
                return tm_error_wrap(err, "bundle \"%s\"", s->display);
        return 0;
}

static int
bundle_watch_start(src_source *s, tm_error *err)
{
        struct bundle_impl *impl = s->impl;
        if (impl->watch)
                return 0;
        return src_inotify_file(&impl->watch, impl->path, err);
}

static int
bundle_watch_fd(const src_source *s)
{
        const struct bundle_impl *impl = s->impl;
        return impl->watch ? src_inotify_fd(impl->watch) : -1;
}

static int
bundle_watch_process(src_source *s, tm_error *err)
{
        struct bundle_impl *impl = s->impl;
        return impl->watch ? src_inotify_process(impl->watch, err) : 0;
}

static void
bundle_close(src_source *s)
{
        struct bundle_impl *impl = s->impl;
        if (!impl)
                return;
        src_inotify_free(impl->watch);
        free(impl->path);
        free(impl);
        s->impl = NULL;
}

static const struct src_ops bundle_ops = {
    .take = bundle_take,
    .watch_start = bundle_watch_start,
    .watch_fd = bundle_watch_fd,
    .watch_process = bundle_watch_process,
    .close = bundle_close,
};

int
src_bundle_open(src_source *s, tm_error *err)
{
        int r = tm_dl_archive_load(err);
        if (r < 0)
                return tm_error_wrap(err, "bundle \"%s\"", s->display);
        struct bundle_impl *impl = xcalloc(1, sizeof(*impl));
        impl->path = xstrdup(s->spec);
        s->kind = SRC_BUNDLE;
        s->ops = &bundle_ops;
        s->impl = impl;
        return 0;
}
