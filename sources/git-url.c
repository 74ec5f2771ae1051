/* Git spec parsing: BASE [#REF] [@COMMIT] [//SUBDIR] (see git.h). */
#include "sources/git-internal.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"

#define SPEC_MAX 4096

void
src_git_spec_free(src_git_spec *spec)
{
        if (!spec)
                return;
        free(spec->url);
        free(spec->display);
        free(spec->ref);
        free(spec->commit);
        free(spec->subdir);
        free(spec->user);
        if (spec->password) {
                explicit_bzero(spec->password, strlen(spec->password));
                free(spec->password);
        }
        free(spec->host);
        free(spec);
}

static const char *const url_schemes[] = {"file", "http", "https", "ssh", "git"};

/* Length of "scheme" when s starts with "scheme://" for a known scheme. */
static size_t
scheme_len(const char *s)
{
        for (size_t i = 0; i < TM_ARRAY_SIZE(url_schemes); i++) {
                size_t n = strlen(url_schemes[i]);
                if (strncmp(s, url_schemes[i], n) == 0 && strncmp(s + n, "://", 3) == 0)
                        return n;
        }
        return 0;
}

/* "user@host:path" with no '/' before the ':' and a non-empty host. */
static bool
is_scp_like(const char *s)
{
        const char *colon = strchr(s, ':');
        if (!colon || colon == s)
                return false;
        const char *slash = strchr(s, '/');
        if (slash && slash < colon)
                return false;
        const char *at = memchr(s, '@', (size_t)(colon - s));
        return at && at > s && at + 1 < colon;
}

static bool
is_hex_run(const char *s, size_t n)
{
        if (n < 4 || n > 40)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isxdigit((unsigned char)s[i]))
                        return false;
        return true;
}

/* Where the path part of spec begins (after scheme://authority or
 * user@host:), so that '@' and "//" of the authority are not taken for
 * suffixes. */
static size_t
path_start(const char *spec)
{
        size_t n = scheme_len(spec);
        if (n) {
                const char *p = spec + n + 3;
                const char *slash = strchr(p, '/');
                return slash ? (size_t)(slash - spec) : strlen(spec);
        }
        if (is_scp_like(spec))
                return (size_t)(strchr(spec, ':') - spec) + 1;
        return 0;
}

/* A branch or tag name as git check-ref-format would accept it, roughly. */
static bool
ref_name_ok(const char *r)
{
        size_t n = strlen(r);
        if (n == 0 || n > 255 || r[0] == '-' || r[0] == '/' || r[n - 1] == '/' || r[n - 1] == '.' ||
            tm_str_has_suffix(r, ".lock") || strstr(r, "..") || strstr(r, "@{") ||
            strstr(r, "//") || strcmp(r, "@") == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)r[i];
                if (c < 0x20 || c == 0x7f || strchr(" ~^:?*[\\", c))
                        return false;
        }
        return true;
}

/* Cleans a subdir: drops empty and "." components, refuses "..". NULL
 * out when it names the root. */
static int
subdir_clean(const char *in, char **out, tm_error *err)
{
        tm_buf b = TM_BUF_INIT;
        _cleanup_free_ char *copy = xstrdup(in);
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (strcmp(c, ".") == 0)
                        continue;
                if (strcmp(c, "..") == 0) {
                        tm_buf_free(&b);
                        return tm_error_set(err, -EINVAL, "subdir \"%s\" leaves the repository",
                                            in);
                }
                if (b.len)
                        tm_buf_putc(&b, '/');
                tm_buf_puts(&b, c);
        }
        *out = b.len ? tm_buf_steal(&b) : NULL;
        tm_buf_free(&b);
        return 0;
}

bool
src_git_spec_matches(const char *spec)
{
        if (!spec || !*spec)
                return false;
        if (scheme_len(spec) || is_scp_like(spec))
                return true;
        /* "//" always marks a subdir; '#' and '@' only when the spec is not
         * an existing path as it is (a directory named "x@abcd1234"). */
        struct stat st;
        if (tm_str_has_suffix(spec, ".git") || tm_str_has_suffix(spec, ".git/"))
                return true;
        if (strstr(spec + 1, "//"))
                return true;
        if (stat(spec, &st) == 0)
                return false;
        if (strchr(spec, '#'))
                return true;
        const char *at = strrchr(spec, '@');
        return at && is_hex_run(at + 1, strlen(at + 1));
}

/* Splits authority "user:pass@host:port" into the spec. */
static int
parse_authority(src_git_spec *g, const char *a, size_t n, tm_error *err)
{
        const char *at = NULL;
        for (size_t i = 0; i < n; i++)
                if (a[i] == '@')
                        at = a + i;
        const char *h = a;
        if (at) {
                const char *colon = memchr(a, ':', (size_t)(at - a));
                if (colon) {
                        g->user = xstrndup(a, (size_t)(colon - a));
                        g->password = xstrndup(colon + 1, (size_t)(at - colon - 1));
                } else {
                        g->user = xstrndup(a, (size_t)(at - a));
                }
                h = at + 1;
        }
        size_t hn = n - (size_t)(h - a);
        const char *port = NULL;
        if (hn && h[0] == '[') {
                /* An IPv6 literal: "[v6]" or "[v6]:port", nothing else; the
                 * brackets come back only around a host with a ':'. */
                const char *close = memchr(h, ']', hn);
                if (!close || !memchr(h + 1, ':', (size_t)(close - h - 1)) ||
                    memchr(h + 1, '[', (size_t)(close - h - 1)) ||
                    (close + 1 < h + hn && close[1] != ':'))
                        return tm_error_set(err, -EINVAL, "bad host in git URL");
                if (close + 1 < h + hn)
                        port = close + 2;
                g->host = xstrndup(h + 1, (size_t)(close - h - 1));
        } else {
                const char *colon = memchr(h, ':', hn);
                if (colon)
                        port = colon + 1;
                g->host = xstrndup(h, colon ? (size_t)(colon - h) : hn);
        }
        if (port) {
                size_t pn = hn - (size_t)(port - h);
                int v = 0;
                if (pn == 0 || pn > 5)
                        return tm_error_set(err, -EINVAL, "bad port in git URL");
                for (size_t i = 0; i < pn; i++) {
                        if (!isdigit((unsigned char)port[i]))
                                return tm_error_set(err, -EINVAL, "bad port in git URL");
                        v = v * 10 + (port[i] - '0');
                }
                if (v < 1 || v > 65535)
                        return tm_error_set(err, -EINVAL, "bad port in git URL");
                g->port = v;
        }
        return 0;
}

static int
parse_base(src_git_spec *g, const char *base, bool force_local, tm_error *err)
{
        size_t sl = scheme_len(base);
        tm_buf url = TM_BUF_INIT, disp = TM_BUF_INIT;
        int r = 0;

        if (sl) {
                const char *auth = base + sl + 3;
                const char *slash = strchr(auth, '/');
                size_t an = slash ? (size_t)(slash - auth) : strlen(auth);
                const char *path = slash ? slash : "";
                r = parse_authority(g, auth, an, err);
                if (r < 0)
                        goto out;
                if (strncmp(base, "file", sl) == 0) {
                        if (g->user || g->port ||
                            (g->host[0] && strcmp(g->host, "localhost") != 0)) {
                                r = tm_error_set(err, -EINVAL,
                                                 "file:// URL with a host is not supported");
                                goto out;
                        }
                        if (!*path) {
                                r = tm_error_set(err, -EINVAL, "file:// URL without a path");
                                goto out;
                        }
                        free(g->host);
                        g->host = NULL;
                }
                if (g->host && !g->host[0]) {
                        r = tm_error_set(err, -EINVAL, "git URL without a host");
                        goto out;
                }
                bool is_ssh = strncmp(base, "ssh", sl) == 0 && sl == 3;
                tm_buf_append(&url, base, sl + 3);
                tm_buf_append(&disp, base, sl + 3);
                /* ssh keeps its (non-secret) user; for http(s) the user is
                 * often a token, so it is shown by nobody and given to
                 * libgit2 only through the credential callback. */
                if (is_ssh && g->user) {
                        tm_buf_printf(&url, "%s@", g->user);
                        tm_buf_printf(&disp, "%s@", g->user);
                }
                if (g->host) {
                        bool v6 = strchr(g->host, ':') != NULL;
                        tm_buf_printf(&url, v6 ? "[%s]" : "%s", g->host);
                        tm_buf_printf(&disp, v6 ? "[%s]" : "%s", g->host);
                        if (g->port) {
                                tm_buf_printf(&url, ":%d", g->port);
                                tm_buf_printf(&disp, ":%d", g->port);
                        }
                }
                tm_buf_puts(&url, path);
                tm_buf_puts(&disp, path);
        } else if (!force_local && is_scp_like(base)) {
                const char *colon = strchr(base, ':');
                const char *at = memchr(base, '@', (size_t)(colon - base));
                g->user = xstrndup(base, (size_t)(at - base));
                g->host = xstrndup(at + 1, (size_t)(colon - at - 1));
                if (strchr(g->user, ':')) {
                        r = tm_error_set(err, -EINVAL,
                                         "a password in an scp-like git address is not supported");
                        goto out;
                }
                if (!colon[1]) {
                        r = tm_error_set(err, -EINVAL, "scp-like git address without a path");
                        goto out;
                }
                tm_buf_puts(&url, base);
                tm_buf_puts(&disp, base);
        } else {
                if (!*base) {
                        r = tm_error_set(err, -EINVAL, "empty repository path");
                        goto out;
                }
                g->local = true;
                tm_buf_puts(&url, base);
                tm_buf_puts(&disp, base);
        }
        g->url = tm_buf_steal(&url);
        g->display = tm_buf_steal(&disp);
out:
        tm_buf_free(&url);
        tm_buf_free(&disp);
        return r;
}

int
src_git_spec_parse(const char *spec, bool force_local, src_git_spec **out, tm_error *err)
{
        if (!spec || !*spec)
                return tm_error_set(err, -EINVAL, "empty git source");
        if (strlen(spec) > SPEC_MAX)
                return tm_error_set(err, -EINVAL, "git source longer than %d bytes", SPEC_MAX);
        for (const char *p = spec; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return tm_error_set(err, -EINVAL, "git source holds control characters");

        _cleanup_(src_git_spec_freep) src_git_spec *g = xcalloc(1, sizeof(*g));
        _cleanup_free_ char *base = xstrdup(spec);
        size_t ps = path_start(base);
        char *path = base + ps;
        int r;

        /* //subdir: the first "//" past the path's first character. */
        char *dslash = *path ? strstr(path + 1, "//") : NULL;
        if (dslash) {
                *dslash = '\0';
                r = subdir_clean(dslash + 2, &g->subdir, err);
                if (r < 0)
                        return r;
        }
        char *at = strrchr(path, '@');
        if (at && is_hex_run(at + 1, strlen(at + 1))) {
                *at = '\0';
                g->commit = xstrdup(at + 1);
                for (char *c = g->commit; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
        }
        char *hash = strchr(path, '#');
        if (hash) {
                *hash = '\0';
                if (!ref_name_ok(hash + 1))
                        return tm_error_set(err, -EINVAL, "bad ref name \"%s\" in git source",
                                            hash + 1);
                g->ref = xstrdup(hash + 1);
        }
        r = parse_base(g, base, force_local, err);
        if (r < 0)
                return r;

        /* Display: base without credentials, then the suffixes. */
        tm_buf d = TM_BUF_INIT;
        tm_buf_puts(&d, g->display);
        if (g->ref)
                tm_buf_printf(&d, "#%s", g->ref);
        if (g->commit)
                tm_buf_printf(&d, "@%s", g->commit);
        if (g->subdir)
                tm_buf_printf(&d, "//%s", g->subdir);
        free(g->display);
        g->display = tm_buf_steal(&d);
        tm_buf_free(&d);
        *out = TAKE_PTR(g);
        return 0;
}

/* Replaces every occurrence of secret (at least 3 bytes) in msg with
 * "***", in place; the message never grows. */
static void
mask(char *msg, const char *secret)
{
        size_t sn = strlen(secret);
        char *p;
        while ((p = strstr(msg, secret))) {
                memcpy(p, "***", 3);
                memmove(p + 3, p + sn, strlen(p + sn) + 1);
        }
}

void
src_git_scrub(tm_error *err, const char *const *secrets, size_t n)
{
        if (!err)
                return;
        for (size_t i = 0; i < n; i++)
                if (secrets[i] && strlen(secrets[i]) >= 3)
                        mask(err->msg, secrets[i]);
}
