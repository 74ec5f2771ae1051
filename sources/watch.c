/* inotify watches for the directory and bundle sources, and the blocking
 * debounced wait over any source's watch.
 *
 * Raw inotify rather than libinotifytools: the library keeps one hidden
 * process-wide inotify descriptor and watch table (no accessor for the fd
 * in Debian 12's 3.22), while a source must expose its own fd for the
 * event loop, several sources (and the git source's ref watch) may be
 * watched in one process, and inotifytools_cleanup() would drop them all. */
#include "sources/watch.h"
#include "sources/source-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"

#define TREE_MASK                                                                                  \
        (IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |        \
         IN_DELETE_SELF | IN_MOVE_SELF)

#define MAX_DIRTY 64

struct slot {
        bool used;
        int parent; /* wd of the parent directory, -1 for the root */
        char *name; /* name in the parent */
};

struct src_inotify {
        int fd;
        char *root;  /* tree: the root directory; file: the parent directory */
        char *fname; /* file: the watched name; NULL for a tree */
        int root_wd;
        int parent_wd;   /* tree: the root's parent, to see the root replaced */
        char *root_name; /* tree: the root's name in that parent */
        size_t max_depth, max_dirs, n_dirs;
        struct slot *slots; /* indexed by wd */
        size_t n_slots;
        /* Files written to and not closed yet (IN_MODIFY without its
         * IN_CLOSE_WRITE): while any is open the tree is not whole. */
        struct dirty {
                int wd;
                char *name;
        } dirty[MAX_DIRTY];
        size_t n_dirty;
        unsigned batch; /* SRC_WATCH_* flags of the batch being read */
};

int
src_inotify_fd(const src_inotify *w)
{
        return w->fd;
}

void
src_inotify_free(src_inotify *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                close(w->fd);
        for (size_t i = 0; i < w->n_slots; i++)
                free(w->slots[i].name);
        for (size_t i = 0; i < w->n_dirty; i++)
                free(w->dirty[i].name);
        free(w->slots);
        free(w->root);
        free(w->fname);
        free(w->root_name);
        free(w);
}

static void
slot_path(const src_inotify *w, int wd, tm_buf *out)
{
        if (wd < 0 || (size_t)wd >= w->n_slots || !w->slots[wd].used || wd == w->root_wd) {
                tm_buf_puts(out, w->root);
                return;
        }
        slot_path(w, w->slots[wd].parent, out);
        tm_buf_putc(out, '/');
        tm_buf_puts(out, w->slots[wd].name);
}

static void
slot_set(src_inotify *w, int wd, int parent, const char *name)
{
        if ((size_t)wd >= w->n_slots) {
                size_t n = (size_t)wd + 1 < w->n_slots * 2 ? w->n_slots * 2 : (size_t)wd + 1;
                w->slots = xreallocarray(w->slots, n, sizeof(*w->slots));
                memset(w->slots + w->n_slots, 0, (n - w->n_slots) * sizeof(*w->slots));
                w->n_slots = n;
        }
        struct slot *sl = &w->slots[wd];
        if (!sl->used)
                w->n_dirs++;
        free(sl->name);
        *sl = (struct slot){.used = true, .parent = parent, .name = name ? xstrdup(name) : NULL};
}

static void
slot_drop(src_inotify *w, int wd)
{
        if (wd < 0 || (size_t)wd >= w->n_slots || !w->slots[wd].used)
                return;
        /* Children first, so that a moved-away subtree stops reporting. */
        for (size_t i = 0; i < w->n_slots; i++)
                if (w->slots[i].used && w->slots[i].parent == wd && (int)i != wd)
                        slot_drop(w, (int)i);
        inotify_rm_watch(w->fd, wd);
        free(w->slots[wd].name);
        w->slots[wd] = (struct slot){0};
        w->n_dirs--;
}

/* Adds a watch on the directory parent/name (the root when parent < 0)
 * and on its subdirectories. Directories that vanish meanwhile are
 * skipped: their removal is an event already. */
static int
add_tree(src_inotify *w, int parent, const char *name, size_t depth, tm_error *err)
{
        if (depth > w->max_depth)
                return 0; /* the snapshot reports the depth error */
        if (w->n_dirs >= w->max_dirs)
                return tm_error_set(err, -E2BIG,
                                    "watch \"%s\": more than %zu directories (the limit)", w->root,
                                    w->max_dirs);
        tm_buf path = TM_BUF_INIT;
        slot_path(w, parent, &path);
        if (parent >= 0) {
                tm_buf_putc(&path, '/');
                tm_buf_puts(&path, name);
        }
        uint32_t mask = TREE_MASK | IN_ONLYDIR | (parent >= 0 ? IN_DONT_FOLLOW : 0);
        int wd = inotify_add_watch(w->fd, path.data, mask);
        if (wd < 0) {
                int e = errno;
                int r = 0;
                if (e == ENOSPC)
                        r = tm_error_set(err, -ENOSPC,
                                         "watch \"%s\": out of inotify watches "
                                         "(fs.inotify.max_user_watches)",
                                         path.data);
                else if (parent < 0 || (e != ENOENT && e != ENOTDIR))
                        r = tm_error_errno(err, -e, "watch \"%s\"", path.data);
                tm_buf_free(&path);
                return r;
        }
        if (parent < 0)
                w->root_wd = wd;
        slot_set(w, wd, parent, name);

        DIR *d = opendir(path.data);
        tm_buf_free(&path);
        if (!d)
                return 0;
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                bool is_dir = de->d_type == DT_DIR;
                if (de->d_type == DT_UNKNOWN) {
                        struct stat st;
                        is_dir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                 S_ISDIR(st.st_mode);
                }
                if (is_dir)
                        r = add_tree(w, wd, de->d_name, depth + 1, err);
        }
        closedir(d);
        return r;
}

static size_t
slot_depth(const src_inotify *w, int wd)
{
        size_t d = 0;
        while (wd >= 0 && (size_t)wd < w->n_slots && w->slots[wd].used && wd != w->root_wd) {
                wd = w->slots[wd].parent;
                d++;
        }
        return d;
}

static src_inotify *
inotify_new(tm_error *err)
{
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
                tm_error_errno(err, -errno, "inotify_init1");
                return NULL;
        }
        src_inotify *w = xcalloc(1, sizeof(*w));
        w->fd = fd;
        w->root_wd = -1;
        w->parent_wd = -1;
        return w;
}

int
src_inotify_tree(src_inotify **out, const char *root, const src_limits *lim, tm_error *err)
{
        src_inotify *w = inotify_new(err);
        if (!w)
                return err ? err->code : -EIO;
        w->root = xstrdup(root);
        w->max_depth = lim->max_depth;
        w->max_dirs = lim->max_entries;
        int r = add_tree(w, -1, NULL, 0, err);
        if (r < 0) {
                src_inotify_free(w);
                return r;
        }
        /* A root swapped by rename (a deploy's "mv site.new site", "ln -sfn")
         * or removed and made again shows up in its parent only. */
        _cleanup_free_ char *a = xstrdup(root), *b = xstrdup(root);
        const char *dir = dirname(a), *base = basename(b);
        if (strcmp(base, "/") != 0 && strcmp(base, ".") != 0 && strcmp(base, "..") != 0) {
                w->parent_wd = inotify_add_watch(
                    w->fd, dir, IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR);
                if (w->parent_wd >= 0)
                        w->root_name = xstrdup(base);
        }
        *out = w;
        return 0;
}

/* The root's name in its parent changed: drop the old tree's watches (a
 * root moved away must stop reporting) and watch what is there now. */
static int
rearm_root(src_inotify *w, tm_error *err)
{
        if (w->root_wd >= 0)
                slot_drop(w, w->root_wd);
        w->root_wd = -1;
        int r = add_tree(w, -1, NULL, 0, err);
        if (r == -ENOENT || r == -ENOTDIR) {
                tm_error_clear(err);
                return 0; /* gone or not a directory: the snapshot says so */
        }
        return r;
}

int
src_inotify_file(src_inotify **out, const char *path, tm_error *err)
{
        _cleanup_free_ char *a = xstrdup(path), *b = xstrdup(path);
        const char *dir = dirname(a), *base = basename(b);
        if (!*base || strcmp(base, "/") == 0 || strcmp(base, ".") == 0)
                return tm_error_set(err, -EINVAL, "watch \"%s\": not a file name", path);
        src_inotify *w = inotify_new(err);
        if (!w)
                return err ? err->code : -EIO;
        w->root = xstrdup(dir);
        w->fname = xstrdup(base);
        w->root_wd = inotify_add_watch(w->fd, dir, TREE_MASK | IN_ONLYDIR);
        if (w->root_wd < 0) {
                int r = tm_error_errno(err, -errno, "watch directory \"%s\"", dir);
                src_inotify_free(w);
                return r;
        }
        *out = w;
        return 0;
}

static void
dirty_drop(src_inotify *w, size_t i)
{
        free(w->dirty[i].name);
        w->dirty[i] = w->dirty[--w->n_dirty];
}

/* Keeps the set of files open for writing, and notes what makes a tree
 * possibly not whole: a removal, a rename away, a lost event. */
static void
track_file(src_inotify *w, const struct inotify_event *ev)
{
        if (ev->mask & (IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF))
                w->batch |= SRC_WATCH_UNSURE;
        if (!ev->len || (ev->mask & IN_ISDIR))
                return;
        size_t i = 0;
        while (i < w->n_dirty &&
               !(w->dirty[i].wd == ev->wd && strcmp(w->dirty[i].name, ev->name) == 0))
                i++;
        if (ev->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM)) {
                if (i < w->n_dirty)
                        dirty_drop(w, i);
        } else if ((ev->mask & IN_MODIFY) && i == w->n_dirty) {
                if (w->n_dirty == MAX_DIRTY)
                        w->batch |= SRC_WATCH_UNSURE; /* too many writers to follow */
                else
                        w->dirty[w->n_dirty++] = (struct dirty){ev->wd, xstrdup(ev->name)};
        }
}

static int
handle_tree_event(src_inotify *w, const struct inotify_event *ev, tm_error *err)
{
        if (ev->mask & IN_IGNORED) {
                if (ev->wd >= 0 && (size_t)ev->wd < w->n_slots && w->slots[ev->wd].used) {
                        free(w->slots[ev->wd].name);
                        w->slots[ev->wd] = (struct slot){0};
                        w->n_dirs--;
                }
                for (size_t i = w->n_dirty; i-- > 0;)
                        if (w->dirty[i].wd == ev->wd)
                                dirty_drop(w, i);
                if (ev->wd != w->root_wd)
                        return 0;
                w->root_wd = -1;
                return 1;
        }
        if (!ev->len || !ev->name[0])
                return ev->wd == w->root_wd && (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF));
        if (ev->name[0] == '.')
                return 0; /* dot-files: editor swap files, .git, ... */
        if (ev->wd < 0 || (size_t)ev->wd >= w->n_slots || !w->slots[ev->wd].used)
                return 0; /* a directory we stopped watching */
        track_file(w, ev);
        if (ev->mask & IN_ISDIR) {
                if (ev->mask & IN_MOVED_FROM) {
                        for (size_t i = 0; i < w->n_slots; i++)
                                if (w->slots[i].used && w->slots[i].parent == ev->wd &&
                                    (int)i != w->root_wd && tm_streq(w->slots[i].name, ev->name)) {
                                        slot_drop(w, (int)i);
                                        break;
                                }
                }
                if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
                        int r = add_tree(w, ev->wd, ev->name, slot_depth(w, ev->wd) + 1, err);
                        if (r < 0)
                                return r;
                }
        }
        return 1;
}

int
src_inotify_process(src_inotify *w, tm_error *err)
{
        /* Aligned as inotify(7) asks. */
        char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
        int changed = 0;
        w->batch = 0;
        for (;;) {
                ssize_t n = read(w->fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        return tm_error_errno(err, -errno, "read inotify events");
                }
                if (n == 0)
                        break;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *)p;
                        p += sizeof(*ev) + ev->len;
                        if (ev->mask & IN_Q_OVERFLOW) {
                                changed = 1;
                                w->batch |= SRC_WATCH_UNSURE;
                                if (!w->fname) {
                                        /* Directories created meanwhile may be unwatched. */
                                        int r = add_tree(w, -1, NULL, 0, err);
                                        if (r < 0)
                                                return r;
                                }
                                continue;
                        }
                        if (w->fname) {
                                if (ev->wd == w->root_wd &&
                                    ((ev->len && strcmp(ev->name, w->fname) == 0) ||
                                     (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)))) {
                                        changed = 1;
                                        track_file(w, ev);
                                }
                                continue;
                        }
                        if (ev->wd == w->parent_wd) {
                                if (!ev->len || !w->root_name ||
                                    strcmp(ev->name, w->root_name) != 0)
                                        continue;
                                changed = 1;
                                w->batch |= SRC_WATCH_UNSURE; /* the root was replaced */
                                if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
                                        int r = rearm_root(w, err);
                                        if (r < 0)
                                                return r;
                                }
                                continue;
                        }
                        int r = handle_tree_event(w, ev, err);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                changed = 1;
                }
        }
        if (!changed)
                return 0;
        return SRC_WATCH_CHANGED | (int)w->batch | (w->n_dirty ? SRC_WATCH_WRITING : 0);
}

int
src_watch_wait(src_source *s, unsigned settle_ms, unsigned timeout_ms, tm_error *err)
{
        if (src_watch_fd(s) < 0) {
                int r = src_watch_start(s, err);
                if (r < 0)
                        return r;
        }
        int fd = src_watch_fd(s);
        if (fd < 0)
                return tm_error_set(err, -EOPNOTSUPP,
                                    "source \"%s\" cannot be watched, only polled",
                                    src_source_display(s));
        uint64_t start = tm_now_ms(), last_change = 0;
        bool changed = false;
        for (;;) {
                uint64_t now = tm_now_ms();
                int wait;
                if (changed) {
                        if (now - last_change >= settle_ms)
                                return 1;
                        wait = (int)(settle_ms - (now - last_change));
                } else if (timeout_ms == SRC_WATCH_FOREVER) {
                        wait = -1;
                } else {
                        if (now - start >= timeout_ms)
                                return 0;
                        uint64_t left = timeout_ms - (now - start);
                        wait = left > INT_MAX ? INT_MAX : (int)left;
                }
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                int n = poll(&pfd, 1, wait);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return tm_error_errno(err, -errno, "poll");
                }
                if (n == 0)
                        continue;
                int r = src_watch_process(s, err);
                if (r < 0)
                        return r;
                if (r > 0) {
                        changed = true;
                        last_change = tm_now_ms();
                }
        }
}
