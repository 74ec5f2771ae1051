/* SOURCE strings: which kind a spec names, the safe-to-print form, and
 * the dispatch to the kind's operations. */
#include "sources/source-internal.h"
#include "sources/watch.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/mem.h"
#include "common/util.h"

void
src_limits_default(src_limits *out)
{
        *out = (src_limits){
            .max_file_bytes = 8u << 20,
            .max_total_bytes = 64u << 20,
            .max_files = 20000,
            .max_depth = 32,
            .max_entries = 100000,
        };
}

void
src_options_default(src_options *out)
{
        *out = (src_options){0};
        src_limits_default(&out->limits);
}

/* Drops the userinfo ("user:password@") of a URL's authority. scp-like
 * specs ("git@host:repo") carry only a user name and stay as they are. */
static char *
strip_credentials(const char *spec)
{
        const char *scheme_end = strstr(spec, "://");
        if (!scheme_end)
                return xstrdup(spec);
        const char *auth = scheme_end + 3;
        size_t auth_len = strcspn(auth, "/?#");
        const char *at = NULL;
        for (const char *p = auth; p < auth + auth_len; p++)
                if (*p == '@')
                        at = p;
        if (!at)
                return xstrdup(spec);
        return xasprintf("%.*s%s", (int)(auth - spec), spec, at + 1);
}

static bool
has_bundle_suffix(const char *spec)
{
        static const char *const suffixes[] = {".tar.gz", ".tgz", ".tar.zst",
                                               ".tzst",   ".zip", ".tar"};
        size_t n = strlen(spec);
        for (size_t i = 0; i < TM_ARRAY_SIZE(suffixes); i++) {
                size_t m = strlen(suffixes[i]);
                if (n > m && strcasecmp(spec + n - m, suffixes[i]) == 0)
                        return true;
        }
        return false;
}

int
src_open(src_source **out, const char *spec, const src_options *opts, tm_error *err)
{
        if (!spec || !*spec)
                return tm_error_set(err, -EINVAL, "empty source");
        src_source *s = xcalloc(1, sizeof(*s));
        s->spec = xstrdup(spec);
        s->display = strip_credentials(spec);
        if (opts)
                s->opts = *opts;
        else
                src_options_default(&s->opts);

        int r;
        struct stat st;
        if (!strstr(spec, "://") && has_bundle_suffix(spec)) {
                r = src_bundle_open(s, err);
        } else if (src_git_spec_matches(spec)) {
                r = src_git_open(s, err);
        } else if (stat(spec, &st) < 0) {
                r = tm_error_errno(err, -errno,
                                   "source \"%s\" is not a directory, a bundle or a git repository",
                                   s->display);
        } else if (S_ISDIR(st.st_mode)) {
                r = src_dir_open(s, err);
        } else if (S_ISREG(st.st_mode) && src_bundle_recognise(spec)) {
                r = src_bundle_open(s, err);
        } else {
                r = tm_error_set(err, -EINVAL,
                                 "source \"%s\" is not a directory, a bundle (.tar.gz, .tgz, "
                                 ".tar.zst, .zip) or a git repository",
                                 s->display);
        }
        if (r < 0) {
                src_close(s);
                return r;
        }
        *out = s;
        return 0;
}

src_kind
src_source_kind(const src_source *s)
{
        return s->kind;
}

const char *
src_source_display(const src_source *s)
{
        return s->display;
}

int
src_snapshot_take(src_source *s, src_snapshot **out, tm_error *err)
{
        src_snapshot *snap = NULL;
        s->unsure = false; /* what follows is read now */
        int r = s->ops->take(s, &snap, err);
        if (r < 0)
                return r;
        if (!snap->source)
                snap->source = xstrdup(s->display);
        *out = snap;
        return 0;
}

void
src_snapshot_free(src_snapshot *snap)
{
        if (!snap)
                return;
        for (size_t i = 0; i < snap->n_files; i++) {
                free(snap->files[i].path);
                free(snap->files[i].data);
        }
        free(snap->files);
        free(snap->source);
        free(snap->revision);
        free(snap->ref);
        free(snap->subject);
        free(snap->author);
        free(snap);
}

int
src_watch_start(src_source *s, tm_error *err)
{
        if (!s->ops->watch_start)
                return tm_error_set(err, -EOPNOTSUPP, "source \"%s\" cannot be watched",
                                    s->display);
        return s->ops->watch_start(s, err);
}

int
src_watch_fd(const src_source *s)
{
        return s->ops->watch_fd ? s->ops->watch_fd(s) : -1;
}

int
src_watch_process(src_source *s, tm_error *err)
{
        int r = s->ops->watch_process ? s->ops->watch_process(s, err) : 0;
        if (r <= 0)
                return r;
        if (r & SRC_WATCH_UNSURE)
                s->unsure = true;
        return s->unsure || (r & SRC_WATCH_WRITING) ? SRC_CHANGED : SRC_CHANGED_WHOLE;
}

void
src_close(src_source *s)
{
        if (!s)
                return;
        if (s->ops && s->ops->close)
                s->ops->close(s);
        free(s->spec);
        free(s->display);
        free(s);
}
