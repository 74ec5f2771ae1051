/* Watching a local repository's refs with inotify: HEAD and packed-refs in
 * the git directory, and every directory under refs/, so that a commit,
 * a branch move or a gc that packs refs is seen at once. Git writes a ref
 * as "NAME.lock" then renames it over NAME: the rename is the event. */
#include "sources/git-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"

#define WATCH_DIRS_MAX 4096
#define WATCH_MASK                                                                                 \
        (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_DELETE_SELF |   \
         IN_ONLYDIR)

/* Ref directories are remembered with a trailing '/', the git directory
 * itself without, so an event can tell which it came from. */
static int
add_watch(src_git *g, const char *path, bool refs, tm_error *err)
{
        if (g->n_wds >= WATCH_DIRS_MAX)
                return tm_error_set(err, -E2BIG, "more than %d ref directories to watch",
                                    WATCH_DIRS_MAX);
        int wd = inotify_add_watch(g->inotify_fd, path, WATCH_MASK);
        if (wd < 0)
                return tm_error_errno(err, -errno, "watch \"%s\"", path);
        for (size_t i = 0; i < g->n_wds; i++)
                if (g->wds[i] == wd)
                        return 0;
        size_t cap = g->cap_wds;
        TM_GROW(g->wds, cap, g->n_wds + 1);
        TM_GROW(g->wd_paths, g->cap_wds, g->n_wds + 1);
        g->wds[g->n_wds] = wd;
        g->wd_paths[g->n_wds] = refs ? xasprintf("%s/", path) : xstrdup(path);
        g->n_wds++;
        return 0;
}

static int
add_tree(src_git *g, const char *dir, int depth, tm_error *err)
{
        int r = add_watch(g, dir, true, err);
        if (r < 0 || depth > 32)
                return r;
        DIR *d = opendir(dir);
        if (!d)
                return 0; /* raced with a deletion; the parent's event covers it */
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
                struct stat st;
                if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        r = add_tree(g, p, depth + 1, err);
                        if (r < 0)
                                break;
                }
        }
        closedir(d);
        return r;
}

void
src_git_watch_stop(src_git *g)
{
        if (g->inotify_fd >= 0)
                close(g->inotify_fd);
        g->inotify_fd = -1;
        for (size_t i = 0; i < g->n_wds; i++)
                free(g->wd_paths[i]);
        free(g->wds);
        free(g->wd_paths);
        g->wds = NULL;
        g->wd_paths = NULL;
        g->n_wds = g->cap_wds = 0;
}

int
src_git_watch_start(src_source *s, tm_error *err)
{
        src_git *g = s->impl;
        if (!g->spec->local || g->inotify_fd >= 0)
                return 0; /* remote: polled with src_git_fetch() */
        g->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (g->inotify_fd < 0)
                return tm_error_errno(err, -errno, "inotify");
        /* git_repository_path: HEAD lives here; commondir: refs and
         * packed-refs (different for a linked work tree). */
        char gitdir[PATH_MAX], common[PATH_MAX];
        snprintf(gitdir, sizeof(gitdir), "%s", git_repository_path(g->repo));
        snprintf(common, sizeof(common), "%s", git_repository_commondir(g->repo));
        size_t n = strlen(gitdir);
        if (n > 1 && gitdir[n - 1] == '/')
                gitdir[n - 1] = '\0';
        n = strlen(common);
        if (n > 1 && common[n - 1] == '/')
                common[n - 1] = '\0';
        int r = add_watch(g, gitdir, false, err);
        if (r == 0 && strcmp(gitdir, common) != 0)
                r = add_watch(g, common, false, err);
        _cleanup_free_ char *refs = xasprintf("%s/refs", common);
        if (r == 0)
                r = add_tree(g, refs, 0, err);
        if (r < 0) {
                src_git_watch_stop(g);
                return tm_error_wrap(err, "watch git source \"%s\"", g->spec->display);
        }
        return 0;
}

int
src_git_watch_fd(const src_source *s)
{
        const src_git *g = s->impl;
        return g ? g->inotify_fd : -1;
}

static const char *
wd_path(src_git *g, int wd)
{
        for (size_t i = 0; i < g->n_wds; i++)
                if (g->wds[i] == wd)
                        return g->wd_paths[i];
        return NULL;
}

int
src_git_watch_process(src_source *s, tm_error *err)
{
        src_git *g = s->impl;
        if (!g || g->inotify_fd < 0)
                return 0;
        int changed = 0;
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
        for (;;) {
                ssize_t n = read(g->inotify_fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0)
                        return tm_error_errno(err, n < 0 ? -errno : -EIO, "read inotify");
                for (char *p = buf; p < buf + n;) {
                        struct inotify_event *ev = (struct inotify_event *)p;
                        p += sizeof(*ev) + ev->len;
                        if (ev->mask & IN_Q_OVERFLOW) {
                                changed = 1;
                                continue;
                        }
                        const char *name = ev->len ? ev->name : "";
                        /* A new ref directory (branch "team/x"): watch it too. */
                        if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
                                const char *dir = wd_path(g, ev->wd);
                                if (dir && tm_str_has_suffix(dir, "/")) {
                                        _cleanup_free_ char *sub = xasprintf("%s%s", dir, name);
                                        int r = add_tree(g, sub, 0, err);
                                        if (r < 0)
                                                return r;
                                }
                                changed = 1;
                                continue;
                        }
                        if (tm_str_has_suffix(name, ".lock"))
                                continue; /* the rename that follows is the change */
                        const char *dir = wd_path(g, ev->wd);
                        if (dir && !tm_str_has_suffix(dir, "/") && *name &&
                            strcmp(name, "HEAD") != 0 && strcmp(name, "packed-refs") != 0)
                                continue; /* index, objects, logs...: not a ref */
                        changed = 1;
                }
        }
        return changed;
}
