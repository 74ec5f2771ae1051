/* Git source specs (sources/git-url.c): BASE [#REF] [@COMMIT] [//SUBDIR]
 * as URLs, scp-like addresses and paths. What parses has a display form
 * without the URL's password that parses again to the same parts; the
 * parts respect their documented shapes. The first byte's low bit is
 * force_local. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/git.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *spec, const src_git_spec *g)
{
        fprintf(stderr,
                "git spec \"%s\": %s (url \"%s\" display \"%s\" ref %s commit %s subdir %s)\n",
                spec, what, g->url, g->display, g->ref ? g->ref : "-", g->commit ? g->commit : "-",
                g->subdir ? g->subdir : "-");
        abort();
}

static bool
same(const char *a, const char *b)
{
        return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1 || size > 5000)
                return 0;
        bool force_local = data[0] & 1;
        char *s = malloc(size);
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';

        (void)src_git_spec_matches(s);
        src_git_spec *g = NULL;
        tm_error err = {0};
        if (src_git_spec_parse(s, force_local, &g, &err) < 0) {
                if (!err.msg[0])
                        abort();
                free(s);
                return 0;
        }
        if (!g->url || !g->display || !*g->url)
                fail("no url or display", s, g);
        /* No "user:password@" in the display form's authority (the path,
         * an ssh user or the host may hold the password's bytes). */
        const char *auth = strstr(g->display, "://");
        if (auth && g->password) {
                auth += 3;
                size_t an = strcspn(auth, "/");
                char *cred = malloc(strlen(g->password) + 3);
                sprintf(cred, ":%s@", g->password);
                char *a = strndup(auth, an);
                if (strstr(a, cred))
                        fail("the password shows in the display form", s, g);
                free(a);
                free(cred);
        }
        if (auth && g->user && !g->local && strncmp(s, "ssh://", 6) != 0 &&
            memchr(auth, '@', strcspn(auth, "/")))
                fail("an http user shows in the display form", s, g);
        if (g->commit) {
                size_t n = strlen(g->commit);
                if (n < 4 || n > 40 || strspn(g->commit, "0123456789abcdef") != n)
                        fail("commit", s, g);
        }
        if (g->subdir &&
            (!*g->subdir || g->subdir[0] == '/' || strstr(g->subdir, "//") ||
             !strcmp(g->subdir, "..") || !strncmp(g->subdir, "../", 3) ||
             strstr(g->subdir, "/../") ||
             (strlen(g->subdir) >= 3 && !strcmp(g->subdir + strlen(g->subdir) - 3, "/..")) ||
             g->subdir[strlen(g->subdir) - 1] == '/'))
                fail("subdir not clean", s, g);
        if (g->port < 0 || g->port > 65535 || (g->local && g->host))
                fail("host or port", s, g);
        if (strlen(g->display) > strlen(s) + 16)
                fail("display longer than the spec", s, g);
        if (g->ref && (!*g->ref || strstr(g->ref, "..") || strchr(g->ref, ' ')))
                fail("ref", s, g);

        /* The display form is what logs and `get sources` show and what
         * the cache directory is named after: it must read back as the
         * same source. http(s) users are dropped from it (tokens), so
         * only compare what it keeps. */
        src_git_spec *d = NULL;
        if (src_git_spec_parse(g->display, force_local, &d, &err) < 0)
                fail(err.msg, s, g);
        if (!same(g->ref, d->ref) || !same(g->commit, d->commit) || !same(g->subdir, d->subdir) ||
            !same(g->host, d->host) || g->port != d->port || g->local != d->local ||
            strcmp(g->display, d->display) != 0)
                fail("display form reads back differently", s, g);
        src_git_spec_free(d);
        src_git_spec_free(g);
        free(s);
        return 0;
}
