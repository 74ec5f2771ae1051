/* Git spec parsing: forms, suffixes, display without credentials. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "sources/git-internal.h"

static src_git_spec *
parse_ok(const char *s)
{
        src_git_spec *g = NULL;
        tm_error err = {0};
        int r = src_git_spec_parse(s, false, &g, &err);
        if (r < 0)
                fail_msg("parse \"%s\": %s", s, err.msg);
        return g;
}

static void
parse_bad(const char *s, const char *want_in_msg)
{
        src_git_spec *g = NULL;
        tm_error err = {0};
        assert_true(src_git_spec_parse(s, false, &g, &err) < 0);
        assert_null(g);
        if (want_in_msg && !strstr(err.msg, want_in_msg))
                fail_msg("\"%s\": message \"%s\" lacks \"%s\"", s, err.msg, want_in_msg);
}

#define STR_OR_NULL(a, b)                                                                          \
        do {                                                                                       \
                if ((b) == NULL)                                                                   \
                        assert_null(a);                                                            \
                else                                                                               \
                        assert_string_equal((a), (b));                                             \
        } while (0)

static void
test_forms(void **state)
{
        static const struct {
                const char *in, *url, *display, *ref, *commit, *subdir, *user, *host;
                int port;
                bool local;
        } cases[] = {
            {"https://git.example/fleet.git#main//clusters/home", "https://git.example/fleet.git",
             "https://git.example/fleet.git#main//clusters/home", "main", NULL, "clusters/home",
             NULL, "git.example", 0, false},
            {"https://alice:pw-secret@git.example:8443/f.git", "https://git.example:8443/f.git",
             "https://git.example:8443/f.git", NULL, NULL, NULL, "alice", "git.example", 8443,
             false},
            {"http://TOKEN1234@127.0.0.1:8080/x.git@ABCDEF12", "http://127.0.0.1:8080/x.git",
             "http://127.0.0.1:8080/x.git@abcdef12", NULL, "abcdef12", NULL, "TOKEN1234",
             "127.0.0.1", 8080, false},
            {"ssh://git@host:2222/srv/fleet.git#v1.2@0123abcd//apps/",
             "ssh://git@host:2222/srv/fleet.git",
             "ssh://git@host:2222/srv/fleet.git#v1.2@0123abcd//apps", "v1.2", "0123abcd", "apps",
             "git", "host", 2222, false},
            {"git@github.com:org/fleet.git#team/x", "git@github.com:org/fleet.git",
             "git@github.com:org/fleet.git#team/x", "team/x", NULL, NULL, "git", "github.com", 0,
             false},
            {"file:///srv/repos/fleet.git", "file:///srv/repos/fleet.git",
             "file:///srv/repos/fleet.git", NULL, NULL, NULL, NULL, NULL, 0, false},
            {"file:///srv/r.git//a/./b//c", "file:///srv/r.git", "file:///srv/r.git//a/b/c", NULL,
             NULL, "a/b/c", NULL, NULL, 0, false},
            {"./fleet.git", "./fleet.git", "./fleet.git", NULL, NULL, NULL, NULL, NULL, 0, true},
            {"/srv/repo#main", "/srv/repo", "/srv/repo#main", "main", NULL, NULL, NULL, NULL, 0,
             true},
            {"repo@0123456789abcdef0123456789abcdef01234567", "repo",
             "repo@0123456789abcdef0123456789abcdef01234567", NULL,
             "0123456789abcdef0123456789abcdef01234567", NULL, NULL, NULL, 0, true},
            {"./repo//", "./repo", "./repo", NULL, NULL, NULL, NULL, NULL, 0, true},
            {"me@home/repo", "me@home/repo", "me@home/repo", NULL, NULL, NULL, NULL, NULL, 0, true},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                src_git_spec *g = parse_ok(cases[i].in);
                assert_string_equal(g->url, cases[i].url);
                assert_string_equal(g->display, cases[i].display);
                STR_OR_NULL(g->ref, cases[i].ref);
                STR_OR_NULL(g->commit, cases[i].commit);
                STR_OR_NULL(g->subdir, cases[i].subdir);
                STR_OR_NULL(g->user, cases[i].user);
                STR_OR_NULL(g->host, cases[i].host);
                assert_int_equal(g->port, cases[i].port);
                assert_int_equal(g->local, cases[i].local);
                src_git_spec_free(g);
        }
}

static void
test_password_kept_apart(void **state)
{
        src_git_spec *g = parse_ok("https://alice:pw-secret@git.example/f.git#main");
        assert_string_equal(g->password, "pw-secret");
        assert_null(strstr(g->url, "pw-secret"));
        assert_null(strstr(g->display, "pw-secret"));
        assert_null(strstr(g->display, "alice"));
        src_git_spec_free(g);
}

static void
test_bad(void **state)
{
        parse_bad("", "empty");
        parse_bad("./repo//../etc", "leaves the repository");
        parse_bad("./repo#bad..ref", "bad ref name");
        parse_bad("./repo#-x", "bad ref name");
        parse_bad("./repo#a b", "bad ref name");
        parse_bad("file://otherhost/x.git", "host");
        parse_bad("https://host:99999/x.git", "port");
        parse_bad("https://host:12a/x.git", "port");
        parse_bad("https:///x.git", "host");
        parse_bad("git@host:", "without a path");
        parse_bad("./re\npo", "control");
        /* a secret in a bad spec never reaches the message */
        src_git_spec *g = NULL;
        tm_error err = {0};
        assert_true(src_git_spec_parse("https://u:TopSecret99@h:0/x", false, &g, &err) < 0);
        assert_null(strstr(err.msg, "TopSecret99"));
        assert_true(src_git_spec_parse("https://u:TopSecret99@h/x#a..b", false, &g, &err) < 0);
        assert_null(strstr(err.msg, "TopSecret99"));
}

static void
test_matches(void **state)
{
        assert_true(src_git_spec_matches("https://h/x"));
        assert_true(src_git_spec_matches("http://127.0.0.1:1/x.git"));
        assert_true(src_git_spec_matches("ssh://h/x"));
        assert_true(src_git_spec_matches("file:///x"));
        assert_true(src_git_spec_matches("git@h:p.git"));
        assert_true(src_git_spec_matches("./fleet.git"));
        assert_true(src_git_spec_matches("/nonexistent/repo#main"));
        assert_true(src_git_spec_matches("/nonexistent/repo@abcd1234"));
        assert_true(src_git_spec_matches("/nonexistent/repo//sub"));
        assert_false(src_git_spec_matches("/nonexistent/manifests"));
        assert_false(src_git_spec_matches("/tmp")); /* a plain directory */
        assert_false(src_git_spec_matches("./site.tar.gz"));
        assert_false(src_git_spec_matches("./a/b:c")); /* '/' before ':' */
        assert_false(src_git_spec_matches(""));
}

static void
test_force_local(void **state)
{
        src_git_spec *g = NULL;
        tm_error err = {0};
        assert_int_equal(src_git_spec_parse("a@b:c", true, &g, &err), 0);
        assert_true(g->local);
        assert_string_equal(g->url, "a@b:c");
        src_git_spec_free(g);
}

static void
test_scrub(void **state)
{
        tm_error err = {0};
        tm_error_set(&err, -EIO, "failed for https://tok-abc@h and tok-abc again");
        const char *secrets[] = {"tok-abc", NULL, "ab"};
        src_git_scrub(&err, secrets, 3);
        assert_string_equal(err.msg, "failed for https://***@h and *** again");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_forms),       cmocka_unit_test(test_password_kept_apart),
            cmocka_unit_test(test_bad),         cmocka_unit_test(test_matches),
            cmocka_unit_test(test_force_local), cmocka_unit_test(test_scrub),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
