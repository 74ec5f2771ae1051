/* Fetching a remote repository into its cache, a bare repository under
 * <state_dir>/git/<sha256 of the URL>. The download writes objects only
 * (a pack lands whole or not at all); refs move after it succeeded and
 * every wanted tip is present, so a failed fetch changes no ref. Nothing
 * is ever pruned. An flock on <cache>/timone.lock serialises processes. */
#include "sources/git-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/buf.h"
#include "common/util.h"

#define FETCH_REFS_MAX 100000

int
src_git_cache_open(src_git *g, const src_options *opts, tm_error *err)
{
        if (!opts->state_dir || !*opts->state_dir)
                return tm_error_set(err, -EINVAL, "a remote git source needs a state directory");
        /* A state directory that does not exist is an empty cluster which
         * `diff` must not create: fetch into a throwaway cache instead. */
        _cleanup_free_ char *base = NULL;
        struct stat sst;
        int r;
        if (stat(opts->state_dir, &sst) < 0 && errno == ENOENT) {
                char tmpl[] = "/tmp/timone-git.XXXXXX";
                if (!mkdtemp(tmpl))
                        return tm_error_errno(err, -errno, "create a temporary git cache");
                g->cache_tmp = xstrdup(tmpl);
                base = xstrdup(tmpl);
        } else {
                base = xasprintf("%s/git", opts->state_dir);
                r = tm_mkdir_p(base, 0700, err);
                if (r < 0)
                        return r;
        }
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_hex(g->spec->url, strlen(g->spec->url), hex);
        g->cache_dir = xasprintf("%s/%s", base, hex);
        struct stat st;
        if (stat(g->cache_dir, &st) < 0) {
                /* Initialise aside and rename, so a half-made cache is never seen. */
                _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", g->cache_dir, (int)getpid());
                tm_rm_rf(tmp, NULL);
                git_repository *repo = NULL;
                r = git_repository_init(&repo, tmp, 1);
                if (r < 0)
                        return src_git_error(err, g->spec, r, "create cache \"%s\"", tmp);
                git_repository_free(repo);
                if (rename(tmp, g->cache_dir) < 0) {
                        int e = errno;
                        tm_rm_rf(tmp, NULL);
                        if (e != EEXIST && e != ENOTEMPTY)
                                return tm_error_errno(err, -e, "create cache \"%s\"", g->cache_dir);
                }
        }
        r = git_repository_open_bare(&g->repo, g->cache_dir);
        if (r < 0)
                return src_git_error(err, g->spec, r, "open cache \"%s\"", g->cache_dir);
        return 0;
}

typedef struct want {
        char *name; /* refs/... on the remote and in the cache */
        git_oid oid;
} want;

static void
wants_free(want *w, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(w[i].name);
        free(w);
}

static void
add_want(want **w, size_t *n, size_t *cap, const git_remote_head *h)
{
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*w)[i].name, h->name) == 0)
                        return;
        TM_GROW(*w, *cap, *n + 1);
        (*w)[*n].name = xstrdup(h->name);
        git_oid_cpy(&(*w)[*n].oid, &h->oid);
        (*n)++;
}

static const git_remote_head *
find_head(const git_remote_head **heads, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(heads[i]->name, name) == 0)
                        return heads[i];
        return NULL;
}

/* Picks the refs to fetch. *head_branch: the remote's default branch
 * name (refs/heads/...) when following HEAD. */
static int
pick_wants(src_git *g, const git_remote_head **heads, size_t n, bool all, want **out, size_t *out_n,
           char **head_branch, tm_error *err)
{
        want *w = NULL;
        size_t wn = 0, cap = 0;
        const src_git_spec *sp = g->spec;
        if (n > FETCH_REFS_MAX)
                return tm_error_set(err, -E2BIG, "the remote advertises more than %d refs",
                                    FETCH_REFS_MAX);
        if (sp->ref) {
                const char *cands[3];
                _cleanup_free_ char *b = xasprintf("refs/heads/%s", sp->ref);
                _cleanup_free_ char *t = xasprintf("refs/tags/%s", sp->ref);
                cands[0] = b;
                cands[1] = t;
                cands[2] = tm_str_has_prefix(sp->ref, "refs/") ? sp->ref : NULL;
                const git_remote_head *h = NULL;
                for (size_t i = 0; i < 3 && !h; i++)
                        if (cands[i])
                                h = find_head(heads, n, cands[i]);
                if (!h)
                        return tm_error_set(err, -ENOENT, "no branch or tag \"%s\" on the remote",
                                            sp->ref);
                add_want(&w, &wn, &cap, h);
        } else if (!sp->commit) {
                const git_remote_head *h = find_head(heads, n, "HEAD");
                if (!h || !h->symref_target ||
                    !tm_str_has_prefix(h->symref_target, "refs/heads/")) {
                        /* Old servers do not say which branch HEAD is. */
                        for (size_t i = 0; h && i < n && !h->symref_target; i++)
                                if (tm_str_has_prefix(heads[i]->name, "refs/heads/") &&
                                    git_oid_equal(&heads[i]->oid, &h->oid)) {
                                        *head_branch = xstrdup(heads[i]->name);
                                        add_want(&w, &wn, &cap, heads[i]);
                                        break;
                                }
                        if (!*head_branch) {
                                wants_free(w, wn);
                                return tm_error_set(err, -ENOENT,
                                                    "the remote has no default branch (HEAD)");
                        }
                } else {
                        const git_remote_head *t = find_head(heads, n, h->symref_target);
                        if (!t)
                                return tm_error_set(err, -ENOENT,
                                                    "the remote's HEAD names a missing branch");
                        *head_branch = xstrdup(h->symref_target);
                        add_want(&w, &wn, &cap, t);
                }
        }
        if (all || (sp->commit && !sp->ref)) {
                for (size_t i = 0; i < n; i++)
                        if ((tm_str_has_prefix(heads[i]->name, "refs/heads/") ||
                             tm_str_has_prefix(heads[i]->name, "refs/tags/")) &&
                            !tm_str_has_suffix(heads[i]->name, "^{}"))
                                add_want(&w, &wn, &cap, heads[i]);
        }
        *out = w;
        *out_n = wn;
        return 0;
}

static int
fetch_locked(src_git *g, const src_options *opts, bool all, tm_error *err)
{
        src_git_creds creds = {.spec = g->spec, .opts = opts, .port = g->spec->port};
        git_remote_callbacks cbs;
        src_git_callbacks_init(&cbs, &creds);
        git_remote *remote = NULL;
        want *w = NULL;
        size_t wn = 0;
        _cleanup_free_ char *head_branch = NULL;
        char **specs = NULL;
        int r = git_remote_create_anonymous(&remote, g->repo, g->spec->url);
        if (r < 0) {
                r = src_git_error(err, g->spec, r, "remote");
                goto out;
        }
        r = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cbs, NULL, NULL);
        if (r < 0)
                goto fail;
        const git_remote_head **heads = NULL;
        size_t n = 0;
        r = git_remote_ls(&heads, &n, remote);
        if (r < 0)
                goto fail;
        r = pick_wants(g, heads, n, all, &w, &wn, &head_branch, err);
        if (r < 0)
                goto out;
        specs = xcalloc(wn ? wn : 1, sizeof(*specs));
        for (size_t i = 0; i < wn; i++)
                specs[i] = xasprintf("+%s:%s", w[i].name, w[i].name);
        git_strarray arr = {specs, wn};
        git_fetch_options fo;
        git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
        fo.callbacks = cbs;
        fo.prune = GIT_FETCH_NO_PRUNE;
        fo.update_fetchhead = 0;
        fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
        if (wn) {
                r = git_remote_download(remote, &arr, &fo);
                if (r < 0)
                        goto fail;
        }
        /* Every tip must be here before any ref moves. */
        git_odb *odb = NULL;
        r = git_repository_odb(&odb, g->repo);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < wn; i++)
                if (!git_odb_exists(odb, &w[i].oid)) {
                        git_odb_free(odb);
                        r = tm_error_set(err, -EIO, "fetch incomplete: \"%s\" missing", w[i].name);
                        goto out;
                }
        git_odb_free(odb);
        for (size_t i = 0; i < wn; i++) {
                git_reference *ref = NULL;
                r = git_reference_create(&ref, g->repo, w[i].name, &w[i].oid, 1, "timone fetch");
                git_reference_free(ref);
                if (r < 0)
                        goto fail;
        }
        if (head_branch) {
                r = git_repository_set_head(g->repo, head_branch);
                if (r < 0)
                        goto fail;
        }
        r = 0;
        goto out;
fail:
        if (creds.why[0])
                r = tm_error_set(err, r == GIT_EAUTH || r == GIT_ECERTIFICATE ? -EACCES : -EIO,
                                 "%s", creds.why);
        else
                r = src_git_error(err, g->spec, r, "fetch");
out:
        if (specs)
                for (size_t i = 0; i < wn; i++)
                        free(specs[i]);
        free(specs);
        wants_free(w, wn);
        if (remote) {
                git_remote_disconnect(remote);
                git_remote_free(remote);
        }
        return r;
}

/* The fetch runs in a child process so that a server that stalls (libgit2
 * 1.5 has no network timeout) costs at most the timeout: the child is
 * killed, and as refs move only at the very end of a fetch, the cache
 * keeps its refs. The child reports "CODE MESSAGE" on a pipe. */
static int
fetch_in_child(src_git *g, const src_options *opts, bool all, tm_error *err)
{
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return tm_error_errno(err, -errno, "pipe");
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(pfd[0]);
                close(pfd[1]);
                return tm_error_errno(err, -e, "fork");
        }
        if (pid == 0) {
                close(pfd[0]);
                tm_error e = {0};
                int r = fetch_locked(g, opts, all, &e);
                char out[sizeof(e.msg) + 16];
                int n = snprintf(out, sizeof(out), "%d %s", r, r < 0 ? e.msg : "");
                if (n > 0 && write(pfd[1], out, (size_t)n) < 0)
                        _exit(3);
                _exit(0);
        }
        close(pfd[1]);
        char buf[TM_ERROR_MSG_MAX + 16];
        size_t len = 0;
        uint64_t deadline = tm_now_ms() + g->fetch_timeout_ms;
        bool timed_out = false;
        for (;;) {
                uint64_t now = tm_now_ms();
                if (now >= deadline) {
                        timed_out = true;
                        break;
                }
                struct pollfd p = {.fd = pfd[0], .events = POLLIN};
                int pr = poll(&p, 1, (int)(deadline - now > 1000 ? 1000 : deadline - now));
                if (pr < 0 && errno != EINTR)
                        break;
                if (pr <= 0)
                        continue;
                ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
                if (len >= sizeof(buf) - 1)
                        break;
        }
        close(pfd[0]);
        buf[len] = '\0';
        if (timed_out)
                kill(pid, SIGKILL);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (timed_out)
                return tm_error_set(err, -ETIMEDOUT, "no answer within %llu s",
                                    (unsigned long long)(g->fetch_timeout_ms / 1000));
        char *sp = strchr(buf, ' ');
        if (len == 0 || !sp || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return tm_error_set(err, -EIO, "the fetch process failed");
        int code = (int)strtol(buf, NULL, 10);
        if (code >= 0)
                return 0;
        return tm_error_set(err, code, "%s", sp + 1);
}

int
src_git_fetch_remote(src_git *g, const src_options *opts, bool all, tm_error *err)
{
        _cleanup_free_ char *lockpath = xasprintf("%s/timone.lock", g->cache_dir);
        _cleanup_close_ int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_errno(err, -errno, "lock cache \"%s\"", g->cache_dir);
        /* Another process fetching the same repository: wait for it, not
         * beyond the fetch timeout. */
        uint64_t deadline = tm_now_ms() + g->fetch_timeout_ms;
        while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return tm_error_errno(err, -errno, "lock cache \"%s\"", g->cache_dir);
                if (tm_now_ms() >= deadline)
                        return tm_error_set(err, -ETIMEDOUT, "cache \"%s\" stays locked",
                                            g->cache_dir);
                usleep(50 * 1000);
        }
        int r = fetch_in_child(g, opts, all, err);
        flock(fd, LOCK_UN);
        if (r < 0)
                return tm_error_wrap(err, "fetch \"%s\"", g->spec->display);
        g->fetched = true;
        if (all)
                g->fetched_all = true;
        return 0;
}

void
src_git_set_fetch_timeout(src_source *s, uint64_t timeout_ms)
{
        if (s && s->kind == SRC_GIT && s->impl)
                ((src_git *)s->impl)->fetch_timeout_ms =
                    timeout_ms ? timeout_ms : SRC_GIT_FETCH_TIMEOUT_MS;
}

static uint64_t
jitter(uint64_t base_ms, unsigned pct)
{
        uint32_t rnd = 0;
        if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
                rnd = (uint32_t)tm_now_ms() * 2654435761u;
        uint64_t span = base_ms * pct / 100;
        if (span == 0)
                return base_ms;
        return base_ms - span + (uint64_t)rnd % (2 * span + 1);
}

uint64_t
src_git_next_fetch_ms(src_source *s)
{
        if (!s || s->kind != SRC_GIT || !s->impl)
                return 60000;
        src_git *g = s->impl;
        uint64_t interval = g->interval_ms ? g->interval_ms : 60000;
        if (g->failures == 0)
                return jitter(interval, 10);
        uint64_t cap = interval > 300000 ? interval : 300000;
        unsigned sh = g->failures - 1 > 16 ? 16 : g->failures - 1;
        uint64_t d = (uint64_t)5000 << sh;
        if (d > cap)
                d = cap;
        return jitter(d, 20);
}
