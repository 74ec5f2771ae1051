/* The git source: open, resolve the followed commit, read its tree from
 * the object database with the directory rules, watch a local
 * repository's refs. Fetching lives in git-fetch.c. */
#include "sources/git-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/dl.h"
#include "common/log.h"
#include "common/util.h"

#define SYMLINK_HOPS_MAX 40
#define SYMLINK_TARGET_MAX 4096

int
src_git_error(tm_error *err, const src_git_spec *spec, int gitrc, const char *fmt, ...)
{
        const git_error *e = git_error_last();
        int code = gitrc == GIT_ENOTFOUND      ? -ENOENT
                   : gitrc == GIT_EAUTH        ? -EACCES
                   : gitrc == GIT_ECERTIFICATE ? -EACCES
                   : gitrc == GIT_EUSER        ? -ECANCELED
                                               : -EIO;
        char ctx[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx, sizeof(ctx), fmt, ap);
        va_end(ap);
        tm_error_set(err, code, "%s: %s", ctx, e && e->message ? e->message : "unknown error");
        if (spec) {
                /* An http(s) user may be a token; an ssh user is not secret. */
                bool http = spec->url && tm_str_has_prefix(spec->url, "http");
                const char *secrets[] = {spec->password, http ? spec->user : NULL};
                src_git_scrub(err, secrets, TM_ARRAY_SIZE(secrets));
        }
        return code;
}

/* ---- resolving ---------------------------------------------------------- */

static int
peel_commit(git_repository *repo, git_object *obj, git_oid *out)
{
        git_object *c = NULL;
        int r = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);
        if (r < 0)
                return r;
        git_oid_cpy(out, git_object_id(c));
        git_object_free(c);
        return 0;
}

static int
resolve_ref(git_repository *repo, const char *name, git_oid *out)
{
        const char *prefixes[] = {"refs/heads/", "refs/tags/"};
        int r = GIT_ENOTFOUND;
        for (size_t i = 0; i < TM_ARRAY_SIZE(prefixes) + 1; i++) {
                _cleanup_free_ char *full = NULL;
                if (i < TM_ARRAY_SIZE(prefixes))
                        full = xasprintf("%s%s", prefixes[i], name);
                else if (tm_str_has_prefix(name, "refs/"))
                        full = xstrdup(name);
                else
                        break;
                git_reference *ref = NULL;
                r = git_reference_lookup(&ref, repo, full);
                if (r == GIT_ENOTFOUND)
                        continue;
                if (r < 0)
                        return r;
                git_object *obj = NULL;
                r = git_reference_peel(&obj, ref, GIT_OBJECT_ANY);
                git_reference_free(ref);
                if (r < 0)
                        return r;
                r = peel_commit(repo, obj, out);
                git_object_free(obj);
                return r;
        }
        return r;
}

/* The commit the source follows now (pin, ref, or HEAD). */
int
src_git_resolve(src_git *g, git_oid *out, tm_error *err)
{
        const src_git_spec *sp = g->spec;
        int r;
        if (sp->commit) {
                git_oid prefix;
                git_object *obj = NULL;
                r = git_oid_fromstrn(&prefix, sp->commit, strlen(sp->commit));
                if (r == 0)
                        r = git_object_lookup_prefix(&obj, g->repo, &prefix, strlen(sp->commit),
                                                     GIT_OBJECT_ANY);
                if (r == 0) {
                        r = peel_commit(g->repo, obj, out);
                        git_object_free(obj);
                }
                if (r < 0)
                        return src_git_error(err, sp, r, "commit \"%s\" not found", sp->commit);
                return 0;
        }
        if (sp->ref) {
                r = resolve_ref(g->repo, sp->ref, out);
                if (r == GIT_ENOTFOUND)
                        return tm_error_set(err, -ENOENT, "no branch or tag \"%s\"", sp->ref);
                if (r < 0)
                        return src_git_error(err, sp, r, "resolve \"%s\"", sp->ref);
                return 0;
        }
        git_reference *head = NULL;
        r = git_repository_head(&head, g->repo);
        if (r < 0)
                return src_git_error(err, sp, r, "resolve HEAD");
        git_object *obj = NULL;
        r = git_reference_peel(&obj, head, GIT_OBJECT_COMMIT);
        git_reference_free(head);
        if (r < 0)
                return src_git_error(err, sp, r, "resolve HEAD");
        git_oid_cpy(out, git_object_id(obj));
        git_object_free(obj);
        return 0;
}

void
src_git_note_tip(src_git *g, const git_oid *oid)
{
        if (g->have_tip && git_oid_equal(&g->tip, oid))
                return;
        bool forced = false;
        if (g->have_tip)
                forced = git_graph_descendant_of(g->repo, oid, &g->tip) != 1;
        if (forced)
                tm_debug("git: history rewritten", "source=\"%s\" from=%s", g->spec->display,
                         g->tip_hex);
        g->force_push = forced;
        git_oid_cpy(&g->tip, oid);
        git_oid_tostr(g->tip_hex, sizeof(g->tip_hex), oid);
        g->have_tip = true;
}

/* ---- reading a tree ----------------------------------------------------- */

typedef struct walk {
        src_git *g;
        git_tree *root; /* the source root (subdir applied) */
        src_builder *b;
        const src_limits *lim;
        size_t entries;
} walk;

/* Joins dir and target and normalizes; -EXDEV when it leaves the root. */
static int
norm_join(const char *dir, const char *target, char **out)
{
        if (target[0] == '/')
                return -EXDEV;
        _cleanup_free_ char *joined = *dir ? xasprintf("%s/%s", dir, target) : xstrdup(target);
        size_t n = 0, cap = 0;
        _cleanup_free_ char **parts = NULL;
        char *save = NULL;
        for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        if (n == 0)
                                return -EXDEV;
                        n--;
                        continue;
                }
                TM_GROW(parts, cap, n + 1);
                parts[n++] = c;
        }
        tm_buf b = TM_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        tm_buf_putc(&b, '/');
                tm_buf_puts(&b, parts[i]);
        }
        *out = tm_buf_steal(&b);
        tm_buf_free(&b);
        return 0;
}

static int
read_link_target(walk *w, const git_oid *oid, char **out)
{
        git_blob *blob = NULL;
        int r = git_blob_lookup(&blob, w->g->repo, oid);
        if (r < 0)
                return -EIO;
        size_t n = (size_t)git_blob_rawsize(blob);
        if (n == 0 || n > SYMLINK_TARGET_MAX || memchr(git_blob_rawcontent(blob), 0, n)) {
                git_blob_free(blob);
                return -EINVAL;
        }
        *out = xstrndup(git_blob_rawcontent(blob), n);
        git_blob_free(blob);
        return 0;
}

static void
dirname_of(const char *path, char *out, size_t cap)
{
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : 0;
        if (n >= cap)
                n = cap - 1;
        memcpy(out, path, n);
        out[n] = '\0';
}

/* Resolves path (clean, relative to the root) through symlinks inside the
 * tree. *out is a dup of the final non-link entry, *out_path its path.
 * -ENOENT dangling, -EXDEV leaves the root, -ELOOP too many links. */
static int
resolve_in_tree(walk *w, const char *path_in, git_tree_entry **out, char **out_path)
{
        _cleanup_free_ char *path = xstrdup(path_in);
        for (int hops = 0; hops <= SYMLINK_HOPS_MAX; hops++) {
                git_tree *cur = w->root;
                bool own = false;
                tm_buf done = TM_BUF_INIT;
                const char *p = path;
                int r = -ENOENT;
                bool restarted = false;
                while (*p) {
                        const char *slash = strchr(p, '/');
                        size_t cn = slash ? (size_t)(slash - p) : strlen(p);
                        _cleanup_free_ char *comp = xstrndup(p, cn);
                        const char *rest = slash ? slash + 1 : "";
                        const git_tree_entry *e = git_tree_entry_byname(cur, comp);
                        if (!e) {
                                r = -ENOENT;
                                break;
                        }
                        git_filemode_t mode = git_tree_entry_filemode(e);
                        if (mode == GIT_FILEMODE_LINK) {
                                _cleanup_free_ char *target = NULL;
                                r = read_link_target(w, git_tree_entry_id(e), &target);
                                if (r < 0)
                                        break;
                                _cleanup_free_ char *t2 =
                                    *rest ? xasprintf("%s/%s", target, rest) : xstrdup(target);
                                char *np = NULL;
                                r = norm_join(done.data ? done.data : "", t2, &np);
                                if (r < 0)
                                        break;
                                free(path);
                                path = np;
                                restarted = true;
                                break;
                        }
                        if (!*rest) {
                                r = git_tree_entry_dup(out, e) < 0 ? -ENOMEM : 0;
                                if (r == 0)
                                        *out_path = xstrdup(path);
                                break;
                        }
                        if (mode != GIT_FILEMODE_TREE) {
                                r = -ENOENT;
                                break;
                        }
                        git_tree *next = NULL;
                        if (git_tree_lookup(&next, w->g->repo, git_tree_entry_id(e)) < 0) {
                                r = -EIO;
                                break;
                        }
                        if (own)
                                git_tree_free(cur);
                        cur = next;
                        own = true;
                        if (done.len)
                                tm_buf_putc(&done, '/');
                        tm_buf_puts(&done, comp);
                        p = rest;
                }
                if (own)
                        git_tree_free(cur);
                tm_buf_free(&done);
                if (!restarted)
                        return *path ? r : -EISDIR; /* a link to the root itself */
        }
        return -ELOOP;
}

static int walk_tree(walk *w, git_tree *tree, const char *prefix, size_t depth, tm_error *err);

static int
add_blob(walk *w, const char *path, const git_oid *oid, tm_error *err)
{
        git_odb *odb = NULL;
        size_t len = 0;
        git_object_t type;
        int r = git_repository_odb(&odb, w->g->repo);
        if (r == 0) {
                r = git_odb_read_header(&len, &type, odb, oid);
                git_odb_free(odb);
        }
        if (r < 0)
                return src_git_error(err, w->g->spec, r, "read \"%s\"", path);
        if (len > w->lim->max_file_bytes)
                return tm_error_set(err, -EFBIG, "file \"%s\" is %zu bytes, over the limit of %zu",
                                    path, len, w->lim->max_file_bytes);
        git_blob *blob = NULL;
        r = git_blob_lookup(&blob, w->g->repo, oid);
        if (r < 0)
                return src_git_error(err, w->g->spec, r, "read \"%s\"", path);
        r = src_builder_add(w->b, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
                            err);
        git_blob_free(blob);
        return r;
}

static int
handle_link(walk *w, const char *path, const git_tree_entry *e, size_t depth, tm_error *err)
{
        _cleanup_free_ char *target = NULL, *joined = NULL, *final_path = NULL;
        char dir[4096];
        int r = read_link_target(w, git_tree_entry_id(e), &target);
        if (r < 0)
                return tm_error_set(err, -EINVAL, "symlink \"%s\": unreadable target", path);
        dirname_of(path, dir, sizeof(dir));
        if (norm_join(dir, target, &joined) < 0)
                return tm_error_set(err, -EXDEV,
                                    "\"%s\" is a symlink that leaves the source root (\"%s\")",
                                    path, target);
        git_tree_entry *fe = NULL;
        r = resolve_in_tree(w, joined, &fe, &final_path);
        if (r == -EXDEV)
                return tm_error_set(err, -EXDEV,
                                    "\"%s\" is a symlink that leaves the source root (\"%s\")",
                                    path, target);
        if (r == -ELOOP || r == -EISDIR)
                return tm_error_set(err, -ELOOP, "\"%s\" is a symlink loop", path);
        if (r < 0) {
                if (!src_path_is_manifest(path))
                        return 0;
                return tm_error_set(err, -ENOENT, "\"%s\" is a broken symlink (\"%s\")", path,
                                    target);
        }
        git_filemode_t mode = git_tree_entry_filemode(fe);
        if (mode == GIT_FILEMODE_TREE) {
                size_t fl = strlen(final_path);
                if (strncmp(path, final_path, fl) == 0 && path[fl] == '/') {
                        git_tree_entry_free(fe);
                        return tm_error_set(err, -ELOOP, "\"%s\" is a symlink loop", path);
                }
                git_tree *sub = NULL;
                r = git_tree_lookup(&sub, w->g->repo, git_tree_entry_id(fe));
                git_tree_entry_free(fe);
                if (r < 0)
                        return src_git_error(err, w->g->spec, r, "read \"%s\"", path);
                r = walk_tree(w, sub, path, depth + 1, err);
                git_tree_free(sub);
                return r;
        }
        if (mode == GIT_FILEMODE_COMMIT) {
                git_tree_entry_free(fe);
                return tm_error_set(err, -ENOTSUP,
                                    "symlink \"%s\" points to a submodule (not supported)", path);
        }
        r = src_path_is_manifest(path) ? add_blob(w, path, git_tree_entry_id(fe), err) : 0;
        git_tree_entry_free(fe);
        return r;
}

static int
walk_tree(walk *w, git_tree *tree, const char *prefix, size_t depth, tm_error *err)
{
        if (depth > w->lim->max_depth)
                return tm_error_set(err, -ELOOP, "\"%s\" is nested deeper than %zu directories",
                                    prefix, w->lim->max_depth);
        size_t n = git_tree_entrycount(tree);
        for (size_t i = 0; i < n; i++) {
                const git_tree_entry *e = git_tree_entry_byindex(tree, i);
                const char *name = git_tree_entry_name(e);
                if (++w->entries > w->lim->max_entries)
                        return tm_error_set(err, -E2BIG, "more than %zu entries in the tree",
                                            w->lim->max_entries);
                if (name[0] == '.')
                        continue; /* dot-files and dot-directories do not count */
                _cleanup_free_ char *path =
                    *prefix ? xasprintf("%s/%s", prefix, name) : xstrdup(name);
                int r = 0;
                switch (git_tree_entry_filemode(e)) {
                case GIT_FILEMODE_TREE: {
                        git_tree *sub = NULL;
                        r = git_tree_lookup(&sub, w->g->repo, git_tree_entry_id(e));
                        if (r < 0)
                                return src_git_error(err, w->g->spec, r, "read \"%s\"", path);
                        r = walk_tree(w, sub, path, depth + 1, err);
                        git_tree_free(sub);
                        break;
                }
                case GIT_FILEMODE_BLOB:
                case GIT_FILEMODE_BLOB_EXECUTABLE:
                        if (src_path_is_manifest(path))
                                r = add_blob(w, path, git_tree_entry_id(e), err);
                        break;
                case GIT_FILEMODE_LINK:
                        r = handle_link(w, path, e, depth, err);
                        break;
                case GIT_FILEMODE_COMMIT:
                        r = tm_error_set(err, -ENOTSUP,
                                         "\"%s\" is a submodule; submodules are not supported",
                                         path);
                        break;
                default:
                        break;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *
first_line(const char *msg)
{
        if (!msg)
                return xstrdup("");
        size_t n = strcspn(msg, "\r\n");
        return xstrndup(msg, n);
}

/* The snapshot of commit oid. ref: what to record as the ref (or NULL). */
static int
snapshot_commit(src_git *g, const git_oid *oid, const char *ref, src_snapshot **out, tm_error *err)
{
        char hex[GIT_OID_HEXSZ + 1];
        git_oid_tostr(hex, sizeof(hex), oid);
        int r;
        if (g->keys) {
                r = src_git_verify_commit(g->repo, oid, g->keys, err);
                if (r < 0)
                        return tm_error_wrap(err, "commit %s refused", hex);
        }
        git_commit *commit = NULL;
        r = git_commit_lookup(&commit, g->repo, oid);
        if (r < 0)
                return src_git_error(err, g->spec, r, "commit %s", hex);
        git_tree *tree = NULL;
        r = git_commit_tree(&tree, commit);
        if (r < 0) {
                git_commit_free(commit);
                return src_git_error(err, g->spec, r, "tree of commit %s", hex);
        }
        if (g->spec->subdir) {
                git_tree_entry *e = NULL;
                r = git_tree_entry_bypath(&e, tree, g->spec->subdir);
                git_tree *sub = NULL;
                if (r == 0 && git_tree_entry_filemode(e) == GIT_FILEMODE_TREE)
                        r = git_tree_lookup(&sub, g->repo, git_tree_entry_id(e));
                else if (r == 0)
                        r = GIT_ENOTFOUND;
                git_tree_entry_free(e);
                git_tree_free(tree);
                tree = sub;
                if (r < 0) {
                        git_commit_free(commit);
                        return tm_error_set(err, -ENOENT,
                                            "subdir \"%s\" is not a directory in commit %s",
                                            g->spec->subdir, hex);
                }
        }
        walk w = {.g = g, .root = tree, .lim = &g->opts->limits};
        w.b = src_builder_new(w.lim);
        r = walk_tree(&w, tree, "", 0, err);
        src_snapshot *snap = NULL;
        if (r == 0)
                r = src_builder_finish(w.b, g->spec->display, &snap, err);
        src_builder_free(w.b);
        git_tree_free(tree);
        if (r < 0) {
                git_commit_free(commit);
                return tm_error_wrap(err, "commit %s", hex);
        }
        free(snap->revision);
        snap->revision = xstrdup(hex);
        snap->ref = ref ? xstrdup(ref) : NULL;
        snap->subject = first_line(git_commit_message(commit));
        const git_signature *a = git_commit_author(commit);
        snap->author =
            xasprintf("%s <%s>", a && a->name ? a->name : "", a && a->email ? a->email : "");
        snap->commit_time = (int64_t)git_commit_time(commit);
        git_commit_free(commit);
        *out = snap;
        return 0;
}

/* What the snapshot records as its ref: the pin's ref, else the branch
 * HEAD points to, else "HEAD". */
static char *
followed_ref_name(src_git *g)
{
        if (g->spec->ref)
                return xstrdup(g->spec->ref);
        if (g->spec->commit)
                return NULL;
        git_reference *head = NULL;
        char *name = NULL;
        if (git_reference_lookup(&head, g->repo, "HEAD") == 0) {
                const char *t = git_reference_symbolic_target(head);
                if (t && tm_str_has_prefix(t, "refs/heads/"))
                        name = xstrdup(t + strlen("refs/heads/"));
                git_reference_free(head);
        }
        return name ? name : xstrdup("HEAD");
}

/* A pinned commit already in the cache needs no network. */
static bool
pin_present(src_git *g)
{
        git_oid oid;
        return g->spec->commit && src_git_resolve(g, &oid, NULL) == 0;
}

static int
git_take(src_source *s, src_snapshot **out, tm_error *err)
{
        src_git *g = s->impl;
        int r;
        if (!g->spec->local && !g->fetched && !pin_present(g)) {
                r = src_git_fetch_remote(g, &s->opts, false, err);
                if (r < 0)
                        return r;
        }
        git_oid oid;
        r = src_git_resolve(g, &oid, err);
        if (r < 0)
                return r;
        src_git_note_tip(g, &oid);
        _cleanup_free_ char *ref = followed_ref_name(g);
        return snapshot_commit(g, &oid, ref, out, err);
}

int
src_git_snapshot_at(src_source *s, const char *rev, src_snapshot **out, tm_error *err)
{
        if (!s || s->kind != SRC_GIT || !s->impl)
                return tm_error_set(err, -EINVAL, "not a git source");
        src_git *g = s->impl;
        int r;
        if (!rev || !*rev || strlen(rev) > 1024)
                return tm_error_set(err, -EINVAL, "empty or too long revision");
        if (!g->spec->local && !g->fetched) {
                r = src_git_fetch_remote(g, &s->opts, false, err);
                if (r < 0)
                        return r;
        }
        /* In a cache, HEAD means the tip this source follows. */
        _cleanup_free_ char *spec_rev = NULL;
        if (!g->spec->local && tm_str_has_prefix(rev, "HEAD") && !strchr(rev, ':')) {
                git_oid tip;
                r = src_git_resolve(g, &tip, err);
                if (r < 0)
                        return r;
                char hex[GIT_OID_HEXSZ + 1];
                git_oid_tostr(hex, sizeof(hex), &tip);
                spec_rev = xasprintf("%s%s", hex, rev + 4);
        }
        const char *want = spec_rev ? spec_rev : rev;
        git_object *obj = NULL;
        r = git_revparse_single(&obj, g->repo, want);
        if (r == GIT_ENOTFOUND && !g->spec->local && !g->fetched_all) {
                r = src_git_fetch_remote(g, &s->opts, true, err);
                if (r < 0)
                        return r;
                r = git_revparse_single(&obj, g->repo, want);
        }
        git_oid oid;
        if (r == 0) {
                r = peel_commit(g->repo, obj, &oid);
                git_object_free(obj);
        }
        if (r < 0)
                return src_git_error(err, g->spec, r, "revision \"%s\"", rev);
        return snapshot_commit(g, &oid, rev, out, err);
}

/* ---- opening ------------------------------------------------------------ */

static void
git_close(src_source *s)
{
        src_git *g = s->impl;
        if (!g)
                return;
        src_git_watch_stop(g);
        git_repository_free(g->repo);
        src_git_keys_free(g->keys);
        free(g->cache_dir);
        if (g->cache_tmp)
                tm_rm_rf(g->cache_tmp, NULL);
        free(g->cache_tmp);
        src_git_spec_free(g->spec);
        free(g);
        s->impl = NULL;
        git_libgit2_shutdown();
}

static const struct src_ops git_ops = {
    .take = git_take,
    .watch_start = src_git_watch_start,
    .watch_fd = src_git_watch_fd,
    .watch_process = src_git_watch_process,
    .close = git_close,
};

static int
open_local(src_git *g, tm_error *err)
{
        /* No search upwards: the path given is the repository, bare or a
         * work tree (then its .git). */
        int r =
            git_repository_open_ext(&g->repo, g->spec->url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
        if (r < 0)
                return src_git_error(err, g->spec, r, "open repository \"%s\"", g->spec->url);
        return 0;
}

static int
git_open_common(src_source *s, bool force_local, tm_error *err)
{
        _cleanup_(src_git_spec_freep) src_git_spec *spec = NULL;
        int r = src_git_spec_parse(s->spec, force_local, &spec, err);
        if (r < 0)
                return r;
        free(s->display);
        s->display = xstrdup(spec->display);
        int n = tm_dl_git2_load(err);
        if (n < 0)
                return tm_error_wrap(err, "git source \"%s\"", s->display);
        n = git_libgit2_init();
        if (n < 0)
                return tm_error_set(err, -EIO, "libgit2 initialisation failed");
        if (n == 1) {
                /* Debian's libgit2 (mbedTLS) is told where the CAs are. */
                const char *ca = getenv("SSL_CERT_FILE");
                if (!ca || access(ca, R_OK) != 0)
                        ca = "/etc/ssl/certs/ca-certificates.crt";
                if (access(ca, R_OK) == 0)
                        tm_dl_git2_set_ssl_cert_locations(ca, NULL);
        }
        src_git *g = xcalloc(1, sizeof(*g));
        g->spec = TAKE_PTR(spec);
        g->opts = &s->opts;
        g->interval_ms = 60000;
        g->fetch_timeout_ms = SRC_GIT_FETCH_TIMEOUT_MS;
        g->inotify_fd = -1;
        s->impl = g;
        s->ops = &git_ops;
        s->kind = SRC_GIT;
        if (s->opts.verify_commits_keys) {
                r = src_git_keys_load(s->opts.verify_commits_keys, &g->keys, err);
                if (r < 0)
                        goto fail;
        }
        r = g->spec->local ? open_local(g, err) : src_git_cache_open(g, &s->opts, err);
        if (r < 0)
                goto fail;
        return 0;
fail:
        git_close(s);
        s->ops = NULL;
        return tm_error_wrap(err, "git source \"%s\"", s->display);
}

int
src_git_open(src_source *s, tm_error *err)
{
        return git_open_common(s, false, err);
}

int
src_git_open_repo(src_source **out, const char *spec, const src_options *opts, tm_error *err)
{
        src_source *s = xcalloc(1, sizeof(*s));
        s->spec = xstrdup(spec);
        s->display = NULL;
        if (opts)
                s->opts = *opts;
        else
                src_options_default(&s->opts);
        s->kind = SRC_GIT;
        int r = git_open_common(s, true, err);
        if (r < 0) {
                free(s->spec);
                free(s->display);
                free(s);
                return r;
        }
        *out = s;
        return 0;
}

/* ---- following ---------------------------------------------------------- */

int
src_git_fetch(src_source *s, bool *changed, tm_error *err)
{
        if (!s || s->kind != SRC_GIT || !s->impl)
                return tm_error_set(err, -EINVAL, "not a git source");
        src_git *g = s->impl;
        git_oid before;
        bool had = g->have_tip;
        if (had)
                git_oid_cpy(&before, &g->tip);
        int r = 0;
        if (!g->spec->local && !pin_present(g))
                r = src_git_fetch_remote(g, &s->opts, false, err);
        git_oid oid;
        if (r == 0)
                r = src_git_resolve(g, &oid, err);
        if (r < 0) {
                g->failures++;
                return r;
        }
        g->failures = 0;
        src_git_note_tip(g, &oid);
        if (changed)
                *changed = !had || !git_oid_equal(&before, &oid);
        return 0;
}

void
src_git_set_interval(src_source *s, uint64_t interval_ms)
{
        if (s && s->kind == SRC_GIT && s->impl)
                ((src_git *)s->impl)->interval_ms = interval_ms ? interval_ms : 60000;
}

bool
src_git_last_was_force_push(const src_source *s)
{
        return s && s->kind == SRC_GIT && s->impl && ((const src_git *)s->impl)->force_push;
}

int
src_git_set_last_seen(src_source *s, const char *commit_hex, tm_error *err)
{
        if (!s || s->kind != SRC_GIT || !s->impl)
                return tm_error_set(err, -EINVAL, "not a git source");
        src_git *g = s->impl;
        git_oid oid;
        git_commit *c = NULL;
        if (!commit_hex || strlen(commit_hex) != GIT_OID_HEXSZ ||
            git_oid_fromstr(&oid, commit_hex) < 0)
                return tm_error_set(err, -EINVAL, "not a commit id: \"%s\"",
                                    commit_hex ? commit_hex : "");
        if (git_commit_lookup(&c, g->repo, &oid) < 0)
                return tm_error_set(err, -ENOENT, "commit %s is not in the repository", commit_hex);
        git_commit_free(c);
        git_oid_cpy(&g->tip, &oid);
        git_oid_tostr(g->tip_hex, sizeof(g->tip_hex), &oid);
        g->have_tip = true;
        g->force_push = false;
        return 0;
}

const char *
src_git_tip(const src_source *s)
{
        if (!s || s->kind != SRC_GIT || !s->impl || !((const src_git *)s->impl)->have_tip)
                return NULL;
        return ((const src_git *)s->impl)->tip_hex;
}
