/* The git source on local repositories made with the git command: work
 * tree and bare, pins, subdir, file rules, symlinks, submodules, review
 * revisions, watch, force-push, and that the repository is never written. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "sources/git.h"

static char T[64]; /* scratch directory */

static void
sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *full = xasprintf("cd '%s' && { %s ; } >/dev/null 2>&1", T, cmd);
        int rc = system(full);
        if (rc != 0)
                fail_msg("command failed (%d): %s", rc, cmd);
}

/* First line of a command's output. */
static char *
sh_out(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *full = xasprintf("cd '%s' && %s", T, cmd);
        FILE *f = popen(full, "r");
        assert_non_null(f);
        char line[512] = "";
        if (!fgets(line, sizeof(line), f))
                line[0] = '\0';
        pclose(f);
        line[strcspn(line, "\n")] = '\0';
        return xstrdup(line);
}

static char *
path_of(const char *name)
{
        return xasprintf("%s/%s", T, name);
}

static src_snapshot *
take(const char *spec_rel)
{
        _cleanup_free_ char *spec = path_of(spec_rel);
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (src_open(&s, spec, NULL, &err) < 0)
                fail_msg("open %s: %s", spec, err.msg);
        assert_int_equal(src_source_kind(s), SRC_GIT);
        if (src_snapshot_take(s, &snap, &err) < 0)
                fail_msg("take %s: %s", spec, err.msg);
        src_close(s);
        return snap;
}

static void
take_fails(const char *spec_rel, const char *want)
{
        _cleanup_free_ char *spec = path_of(spec_rel);
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        int r = src_open(&s, spec, NULL, &err);
        if (r == 0) {
                r = src_snapshot_take(s, &snap, &err);
                src_close(s);
        }
        assert_true(r < 0);
        assert_null(snap);
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static const src_file *
file(const src_snapshot *s, const char *path)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (strcmp(s->files[i].path, path) == 0)
                        return &s->files[i];
        return NULL;
}

static int
setup(void **state)
{
        snprintf(T, sizeof(T), "/tmp/tgit-local.XXXXXX");
        assert_non_null(mkdtemp(T));
        setenv("GIT_AUTHOR_NAME", "Tess Tester", 1);
        setenv("GIT_AUTHOR_EMAIL", "tess@example.org", 1);
        setenv("GIT_COMMITTER_NAME", "Tess Tester", 1);
        setenv("GIT_COMMITTER_EMAIL", "tess@example.org", 1);
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        /* repo: two commits on main, a tag, a branch */
        sh("git init -q -b main repo && cd repo && mkdir -p apps/web sub && "
           "echo 'a: 1' > a.yaml && echo 'b: 1' > sub/b.yml && echo '{}' > apps/web/c.json && "
           "echo x > README.md && echo 'h: 1' > .hidden.yaml && mkdir .github && "
           "echo 'w: 1' > .github/w.yaml && git add -A && git commit -q -m 'first commit' && "
           "git tag -a v1 -m v1 && echo 'a: 2' > a.yaml && git add -A && "
           "git commit -q -m 'second: bump a' -m 'body' && git branch feature HEAD~1");
        return 0;
}

static int
teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", T);
        return system(cmd) == 0 ? 0 : -1;
}

static void
test_work_tree(void **state)
{
        src_snapshot *s = take("repo#main");
        _cleanup_free_ char *head = sh_out("git -C repo rev-parse HEAD");
        _cleanup_free_ char *ct = sh_out("git -C repo log -1 --format=%%ct");
        assert_string_equal(s->revision, head);
        assert_string_equal(s->ref, "main");
        assert_string_equal(s->subject, "second: bump a");
        assert_string_equal(s->author, "Tess Tester <tess@example.org>");
        assert_int_equal(s->commit_time, strtoll(ct, NULL, 10));
        assert_int_equal(s->n_files, 3); /* no README, no dot-files or dot-dirs */
        assert_string_equal(s->files[0].path, "a.yaml");
        assert_string_equal(s->files[1].path, "apps/web/c.json");
        assert_string_equal(s->files[2].path, "sub/b.yml");
        assert_string_equal((char *)s->files[0].data, "a: 2\n");
        assert_non_null(strstr(s->source, "repo#main"));
        src_snapshot_free(s);

        /* uncommitted edits are not part of a git snapshot */
        sh("echo 'a: 3' > repo/a.yaml && echo 'n: 1' > repo/new.yaml");
        s = take("repo//");
        assert_string_equal((char *)file(s, "a.yaml")->data, "a: 2\n");
        assert_null(file(s, "new.yaml"));
        src_snapshot_free(s);
        sh("cd repo && git checkout -q a.yaml && rm new.yaml");
}

static void
test_pins(void **state)
{
        src_snapshot *s = take("repo#v1");
        assert_string_equal((char *)file(s, "a.yaml")->data, "a: 1\n");
        assert_string_equal(s->ref, "v1");
        assert_string_equal(s->subject, "first commit");
        src_snapshot_free(s);

        s = take("repo#feature");
        assert_string_equal((char *)file(s, "a.yaml")->data, "a: 1\n");
        src_snapshot_free(s);

        _cleanup_free_ char *first = sh_out("git -C repo rev-parse HEAD~1");
        _cleanup_free_ char *spec = xasprintf("repo@%.10s", first);
        s = take(spec);
        assert_string_equal(s->revision, first);
        assert_null(s->ref);
        src_snapshot_free(s);

        take_fails("repo#nosuch", "no branch or tag \"nosuch\"");
        take_fails("repo@deadbeefdeadbeef", "not found");
}

static void
test_subdir(void **state)
{
        src_snapshot *s = take("repo//sub");
        assert_int_equal(s->n_files, 1);
        assert_string_equal(s->files[0].path, "b.yml");
        src_snapshot_free(s);
        s = take("repo#main//apps/");
        assert_int_equal(s->n_files, 1);
        assert_string_equal(s->files[0].path, "web/c.json");
        src_snapshot_free(s);
        take_fails("repo//nope", "subdir \"nope\"");
        take_fails("repo//a.yaml", "subdir \"a.yaml\"");
}

static void
test_bare(void **state)
{
        sh("git clone -q --bare repo bare.git");
        src_snapshot *s = take("bare.git");
        _cleanup_free_ char *head = sh_out("git -C repo rev-parse main");
        assert_string_equal(s->revision, head);
        assert_string_equal(s->ref, "main");
        assert_int_equal(s->n_files, 3);
        src_snapshot_free(s);
}

static void
test_symlinks(void **state)
{
        sh("git init -q -b main links && cd links && mkdir -p d/e && echo 'x: 1' > d/e/x.yaml && "
           "ln -s d/e/x.yaml link.yaml && ln -s d/e dirlink && ln -s e/x.yaml d/other.md && "
           "ln -s missing.txt dangling.txt && git add -A && git commit -q -m links");
        src_snapshot *s = take("links#main");
        assert_int_equal(s->n_files, 3);
        assert_string_equal(s->files[0].path, "d/e/x.yaml");
        assert_string_equal(s->files[1].path, "dirlink/x.yaml");
        assert_string_equal(s->files[2].path, "link.yaml");
        assert_string_equal((char *)s->files[2].data, "x: 1\n");
        src_snapshot_free(s);

        /* escaping the root, whatever the name: absolute, by .., and a subdir's */
        sh("cd links && ln -s ../../README other.md && git add -A && git commit -q -m other");
        take_fails("links#main", "\"other.md\" is a symlink that leaves the source root");
        sh("cd links && git rm -q other.md && git commit -q -m rm");
        sh("cd links && ln -s /etc/passwd d/abs.yaml && git add -A && git commit -q -m abs");
        take_fails("links#main", "\"d/abs.yaml\" is a symlink that leaves the source root");
        sh("cd links && git rm -q d/abs.yaml && ln -s ../../../etc d/e/up && git add -A && "
           "git commit -q -m up");
        take_fails("links#main", "\"d/e/up\" is a symlink that leaves the source root");
        sh("cd links && git rm -q d/e/up && ln -s ../../dirlink d/e/back.yaml && git add -A && "
           "git commit -q -m back");
        take_fails("links//d", "\"e/back.yaml\" is a symlink that leaves the source root");
        sh("cd links && git rm -q d/e/back.yaml && ln -s .. d/e/loop && git add -A && "
           "git commit -q -m loop");
        take_fails("links#main", "\"d/e/loop\" is a symlink loop");
        sh("cd links && git rm -q d/e/loop && ln -s nothere.yaml broken.yaml && git add -A && "
           "git commit -q -m broken");
        take_fails("links#main", "\"broken.yaml\" is a broken symlink");
}

static void
test_submodule(void **state)
{
        sh("git init -q -b main withsub && cd withsub && echo 'a: 1' > a.yaml && git add -A && "
           "git commit -q -m one && git update-index --add --cacheinfo "
           "160000,0123456789abcdef0123456789abcdef01234567,vendor/mod && "
           "git commit -q -m sub");
        take_fails("withsub#main", "\"vendor/mod\" is a submodule; submodules are not supported");
}

static void
test_limits(void **state)
{
        src_options o;
        src_options_default(&o);
        o.limits.max_files = 2;
        _cleanup_free_ char *spec = path_of("repo#main");
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_open(&s, spec, &o, &err), 0);
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        assert_null(snap);
        src_close(s);
        o.limits.max_files = 100;
        o.limits.max_file_bytes = 4;
        assert_int_equal(src_open(&s, spec, &o, &err), 0);
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "a.yaml"));
        src_close(s);
        o.limits.max_file_bytes = 1 << 20;
        o.limits.max_depth = 1;
        assert_int_equal(src_open(&s, spec, &o, &err), 0);
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "apps/web"));
        src_close(s);
}

/* timone diff ./repo --from HEAD~1 --to HEAD */
static void
test_review(void **state)
{
        _cleanup_free_ char *p = path_of("repo");
        src_source *s = NULL;
        tm_error err = {0};
        assert_false(src_git_spec_matches(p));                     /* a plain directory source... */
        assert_int_equal(src_git_open_repo(&s, p, NULL, &err), 0); /* ...read as a repository */
        src_snapshot *from = NULL, *to = NULL, *tag = NULL;
        assert_int_equal(src_git_snapshot_at(s, "HEAD~1", &from, &err), 0);
        assert_int_equal(src_git_snapshot_at(s, "HEAD", &to, &err), 0);
        assert_int_equal(src_git_snapshot_at(s, "v1", &tag, &err), 0);
        assert_string_equal((char *)file(from, "a.yaml")->data, "a: 1\n");
        assert_string_equal((char *)file(to, "a.yaml")->data, "a: 2\n");
        assert_string_equal(from->ref, "HEAD~1");
        assert_string_equal(tag->revision, from->revision);
        assert_string_not_equal(from->revision, to->revision);
        assert_true(src_git_snapshot_at(s, "HEAD~5", &from, &err) < 0);
        assert_non_null(strstr(err.msg, "HEAD~5"));
        src_snapshot_free(to);
        src_snapshot_free(tag);
        src_snapshot_free(from);
        src_close(s);
        /* not a repository at all */
        assert_true(src_git_open_repo(&s, T, NULL, &err) < 0);
}

static void
test_never_written(void **state)
{
        sh("git clone -q --bare repo ro.git && find ro.git -exec stat -c '%%n %%s %%Y' {} + | "
           "sort > ro.before");
        src_snapshot *s = take("ro.git#main");
        src_snapshot_free(s);
        _cleanup_free_ char *p = path_of("ro.git");
        src_source *src = NULL;
        tm_error err = {0};
        assert_int_equal(src_git_open_repo(&src, p, NULL, &err), 0);
        assert_int_equal(src_git_snapshot_at(src, "HEAD~1", &s, &err), 0);
        src_snapshot_free(s);
        src_close(src);
        sh("find ro.git -exec stat -c '%%n %%s %%Y' {} + | sort > ro.after && "
           "cmp ro.before ro.after");
}

static bool
readable_within(int fd, int ms)
{
        struct pollfd p = {.fd = fd, .events = POLLIN};
        return poll(&p, 1, ms) == 1;
}

static void
test_watch_and_force_push(void **state)
{
        sh("git clone -q repo w && git -C w checkout -q -b team/x");
        _cleanup_free_ char *spec = path_of("w#team/x");
        src_source *s = NULL;
        tm_error err = {0};
        assert_int_equal(src_open(&s, spec, NULL, &err), 0);
        src_snapshot *snap = NULL;
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        _cleanup_free_ char *rev1 = xstrdup(snap->revision);
        src_snapshot_free(snap);
        assert_int_equal(src_watch_start(s, &err), 0);
        int fd = src_watch_fd(s);
        assert_true(fd >= 0);
        assert_int_equal(src_watch_process(s, &err), 0);

        /* a commit on the followed branch is seen at once */
        uint64_t t0 = tm_now_ms();
        sh("cd w && echo 'z: 1' > z.yaml && git add z.yaml && git commit -q -m 'add z'");
        assert_true(readable_within(fd, 2000));
        int changed = 0;
        for (int i = 0; i < 20 && !changed; i++) {
                changed = src_watch_process(s, &err);
                assert_true(changed >= 0);
                if (!changed)
                        readable_within(fd, 50);
        }
        assert_int_equal(changed, SRC_CHANGED_WHOLE); /* a ref moves atomically */
        assert_true(tm_now_ms() - t0 < 1000);
        bool moved = false;
        assert_int_equal(src_git_fetch(s, &moved, &err), 0);
        assert_true(moved);
        assert_false(src_git_last_was_force_push(s));
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_non_null(file(snap, "z.yaml"));
        assert_string_equal(snap->subject, "add z");
        _cleanup_free_ char *revz = xstrdup(snap->revision);
        src_snapshot_free(snap);

        /* nothing new: not changed */
        assert_int_equal(src_git_fetch(s, &moved, &err), 0);
        assert_false(moved);

        /* history rewritten: followed and reported */
        sh("cd w && git reset -q --hard HEAD~1 && echo 'y: 1' > y.yaml && git add y.yaml && "
           "git commit -q -m 'rewrite'");
        assert_true(readable_within(fd, 2000));
        assert_int_equal(src_git_fetch(s, &moved, &err), 0);
        assert_true(moved);
        assert_true(src_git_last_was_force_push(s));
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_null(file(snap, "z.yaml"));
        assert_non_null(file(snap, "y.yaml"));
        assert_string_not_equal(snap->revision, rev1);
        assert_string_equal(snap->revision, src_git_tip(s));
        src_snapshot_free(snap);

        /* a rewrite while nobody watched: reported once told the last revision */
        _cleanup_free_ char *spec2 = path_of("w#team/x");
        src_source *s2 = NULL;
        assert_int_equal(src_open(&s2, spec2, NULL, &err), 0);
        assert_int_equal(src_git_set_last_seen(s2, revz, &err), 0);
        assert_int_equal(src_snapshot_take(s2, &snap, &err), 0);
        src_snapshot_free(snap);
        assert_true(src_git_last_was_force_push(s2));
        assert_int_equal(
            src_git_set_last_seen(s2, "0123456789abcdef0123456789abcdef01234567", &err), -ENOENT);
        assert_int_equal(src_git_set_last_seen(s2, "HEAD", &err), -EINVAL);
        assert_int_equal(src_git_set_last_seen(s2, rev1, &err), 0); /* an ancestor */
        assert_int_equal(src_snapshot_take(s2, &snap, &err), 0);
        src_snapshot_free(snap);
        assert_false(src_git_last_was_force_push(s2));
        src_close(s2);

        /* packing refs (gc) is seen too, and a new branch directory */
        src_watch_process(s, &err);
        sh("cd w && git pack-refs --all");
        assert_true(readable_within(fd, 2000));
        sh("cd w && git branch deep/er/branch");
        assert_true(readable_within(fd, 2000));
        src_close(s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_work_tree),     cmocka_unit_test(test_pins),
            cmocka_unit_test(test_subdir),        cmocka_unit_test(test_bare),
            cmocka_unit_test(test_symlinks),      cmocka_unit_test(test_submodule),
            cmocka_unit_test(test_limits),        cmocka_unit_test(test_review),
            cmocka_unit_test(test_never_written), cmocka_unit_test(test_watch_and_force_push),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
