/* Watching real directories and bundles: debounce, new directories,
 * editors' rename dance, cp, dot-files, timeouts. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "sources/source-internal.h"
#include "sources/watch.h"

#define SETTLE 200

static char *tmp;

static int
setup(void **state)
{
        tmp = xstrdup("/tmp/tm-srcwatch-XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int
teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s", tmp);
        int r = system(cmd);
        free(tmp);
        return r == 0 ? 0 : -1;
}

static void
sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *body = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *cmd = xasprintf("cd %s && %s", tmp, body);
        if (system(cmd) != 0)
                fail_msg("command failed: %s", body);
}

static src_source *
open_watched(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
        src_source *s = NULL;
        tm_error err = {0};
        if (src_open(&s, p, NULL, &err) < 0)
                fail_msg("open: %s", err.msg);
        if (src_watch_start(s, &err) < 0)
                fail_msg("watch: %s", err.msg);
        assert_true(src_watch_fd(s) >= 0);
        return s;
}

static int
wait_change(src_source *s, unsigned timeout_ms)
{
        tm_error err = {0};
        int r = src_watch_wait(s, SETTLE, timeout_ms, &err);
        if (r < 0)
                fail_msg("wait: %s", err.msg);
        return r;
}

static void
test_no_change_times_out(void **state)
{
        sh("mkdir -p site/ns && echo a: 1 > site/a.yaml");
        src_source *s = open_watched("site");
        uint64_t t0 = tm_now_ms();
        assert_int_equal(wait_change(s, 300), 0);
        uint64_t dt = tm_now_ms() - t0;
        assert_true(dt >= 300 && dt < 1500);
        /* Reading the tree is not a change. */
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        src_snapshot_free(snap);
        sh("cat site/a.yaml > /dev/null");
        assert_int_equal(wait_change(s, 300), 0);
        src_close(s);
}

static void
test_debounce(void **state)
{
        sh("mkdir -p site && echo a: 1 > site/a.yaml");
        src_source *s = open_watched("site");
        /* A writer that keeps writing for ~500 ms, every 100 ms. */
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (int i = 0; i < 6; i++) {
                        _cleanup_free_ char *p = xasprintf("%s/site/f%d.yaml", tmp, i % 3);
                        FILE *f = fopen(p, "w");
                        fprintf(f, "n: %d\n", i);
                        fclose(f);
                        usleep(100 * 1000);
                }
                _exit(0);
        }
        uint64_t t0 = tm_now_ms();
        assert_int_equal(wait_change(s, 5000), 1);
        uint64_t dt = tm_now_ms() - t0;
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* One wake-up, only after the writer went quiet for SETTLE. */
        assert_true(dt >= 500 + SETTLE - 50);
        assert_int_equal(wait_change(s, 300), 0);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_int_equal(snap->n_files, 4);
        src_snapshot_free(snap);
        src_close(s);
}

static void
test_tree_changes(void **state)
{
        sh("mkdir -p site/ns && echo a: 1 > site/a.yaml && echo b > site/ns/b.yaml");
        src_source *s = open_watched("site");

        sh("echo a: 2 > site/ns/b.yaml"); /* existing subdirectory */
        assert_int_equal(wait_change(s, 2000), 1);

        sh("mkdir -p site/new/deeper"); /* new directories get watched */
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo x > site/new/deeper/x.yaml");
        assert_int_equal(wait_change(s, 2000), 1);

        /* An editor: write a dot-file next to it, then rename over. */
        sh("echo a: 3 > site/.a.yaml.swp");
        assert_int_equal(wait_change(s, 300), 0);
        sh("mv site/.a.yaml.swp site/a.yaml");
        assert_int_equal(wait_change(s, 2000), 1);

        sh("cp site/a.yaml site/ns/c.yaml");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("rm site/ns/c.yaml");
        assert_int_equal(wait_change(s, 2000), 1);

        /* A directory moved in from outside, then written into. */
        sh("mkdir -p elsewhere/sub && mv elsewhere site/moved");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo m > site/moved/sub/m.yaml");
        assert_int_equal(wait_change(s, 2000), 1);
        /* Renamed inside the tree: the new name is watched. */
        sh("mv site/moved site/renamed");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo r > site/renamed/sub/r.yaml");
        assert_int_equal(wait_change(s, 2000), 1);
        /* Moved out: it no longer counts. */
        sh("mv site/renamed gone");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo g > gone/sub/g.yaml");
        assert_int_equal(wait_change(s, 300), 0);

        /* Dot-directories are not watched. */
        sh("mkdir -p site/.git && echo x > site/.git/HEAD");
        assert_int_equal(wait_change(s, 300), 0);

        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_int_equal(snap->n_files, 3); /* a, ns/b, new/deeper/x */
        src_snapshot_free(snap);
        src_close(s);
}

static void
test_root_replaced(void **state)
{
        sh("mkdir -p site releases/1 releases/2 && echo a > site/a.yaml");
        src_source *s = open_watched("site");

        /* A deploy swaps the whole tree by rename. */
        sh("mkdir site.new && echo b > site.new/b.yaml && mv site site.old && mv site.new site");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo c > site/c.yaml"); /* the new tree is watched */
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo x > site.old/x.yaml"); /* the old one no longer counts */
        assert_int_equal(wait_change(s, 300), 0);

        /* Removed, then made again. */
        sh("rm -rf site");
        assert_int_equal(wait_change(s, 2000), 1);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        sh("mkdir site");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("mkdir site/ns && echo d > site/ns/d.yaml");
        assert_int_equal(wait_change(s, 2000), 1);
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_int_equal(snap->n_files, 1);
        src_snapshot_free(snap);
        src_close(s);

        /* A root that is a symlink switched with ln -sfn. */
        sh("echo one > releases/1/r.yaml && echo two > releases/2/r.yaml && "
           "ln -s releases/1 current");
        s = open_watched("current");
        sh("ln -sfn releases/2 current.tmp && mv -T current.tmp current");
        assert_int_equal(wait_change(s, 2000), 1);
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_string_equal((char *)snap->files[0].data, "two\n");
        src_snapshot_free(snap);
        sh("echo three > releases/2/r.yaml");
        assert_int_equal(wait_change(s, 2000), 1);
        sh("echo old > releases/1/r.yaml");
        assert_int_equal(wait_change(s, 300), 0);
        src_close(s);
}

static void
test_fd_and_process(void **state)
{
        sh("mkdir -p site");
        src_source *s = open_watched("site");
        tm_error err = {0};
        assert_int_equal(src_watch_process(s, &err), 0);
        sh("echo a > site/a.yaml");
        struct pollfd pfd = {.fd = src_watch_fd(s), .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, 2000), 1);
        assert_int_equal(src_watch_process(s, &err), SRC_CHANGED_WHOLE);
        assert_int_equal(src_watch_process(s, &err), 0);
        src_close(s);
}

static int
process_after_poll(src_source *s)
{
        tm_error err = {0};
        struct pollfd pfd = {.fd = src_watch_fd(s), .events = POLLIN};
        assert_int_equal(poll(&pfd, 1, 2000), 1);
        int r = src_watch_process(s, &err);
        if (r < 0)
                fail_msg("process: %s", err.msg);
        return r;
}

/* Whole: files only added or rewritten and closed. A file still open for
 * writing, or a removal since the last snapshot, is not whole. */
static void
test_whole(void **state)
{
        sh("mkdir -p site/sub && echo a > site/a.yaml");
        src_source *s = open_watched("site");
        tm_error err = {0};
        sh("cp site/a.yaml site/sub/b.yaml");
        assert_int_equal(process_after_poll(s), SRC_CHANGED_WHOLE);
        sh("echo c > site/.c.yaml.tmp && mv site/.c.yaml.tmp site/c.yaml");
        assert_int_equal(process_after_poll(s), SRC_CHANGED_WHOLE);

        /* A writer that has not closed its file yet. */
        _cleanup_free_ char *p = xasprintf("%s/site/d.yaml", tmp);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs("kind: ", f);
        fflush(f);
        assert_int_equal(process_after_poll(s), SRC_CHANGED);
        fputs("Namespace\n", f);
        fclose(f);
        assert_int_equal(process_after_poll(s), SRC_CHANGED_WHOLE);

        /* A removal: not whole until a snapshot was read. */
        sh("rm site/a.yaml");
        assert_int_equal(process_after_poll(s), SRC_CHANGED);
        sh("echo e > site/e.yaml");
        assert_int_equal(process_after_poll(s), SRC_CHANGED);
        src_snapshot *snap = NULL;
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        src_snapshot_free(snap);
        sh("echo f > site/f.yaml");
        assert_int_equal(process_after_poll(s), SRC_CHANGED_WHOLE);
        /* A directory moved away. */
        sh("mv site/sub other");
        assert_int_equal(process_after_poll(s), SRC_CHANGED);
        src_close(s);
}

static void
test_bundle(void **state)
{
        sh("mkdir -p site && echo a: 1 > site/a.yaml && tar -czf site.tar.gz -C site .");
        src_source *s = open_watched("site.tar.gz");
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        _cleanup_free_ char *rev1 = xstrdup(snap->revision);
        src_snapshot_free(snap);

        /* Other files in the same directory do not count. */
        sh("echo x > other.txt && tar -czf other.tar.gz -C site .");
        assert_int_equal(wait_change(s, 300), 0);

        /* Replaced by rename. */
        sh("echo a: 2 > site/a.yaml && tar -czf .new.tgz -C site . && mv .new.tgz site.tar.gz");
        assert_int_equal(wait_change(s, 2000), 1);
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_string_not_equal(snap->revision, rev1);
        src_snapshot_free(snap);

        /* Rewritten in place by cp. */
        sh("cp other.tar.gz site.tar.gz");
        assert_int_equal(wait_change(s, 2000), 1);

        /* Deleted, then back. */
        sh("rm site.tar.gz");
        assert_int_equal(wait_change(s, 2000), 1);
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        sh("cp other.tar.gz site.tar.gz");
        assert_int_equal(wait_change(s, 2000), 1);
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_string_equal(snap->revision, rev1);
        src_snapshot_free(snap);
        src_close(s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_no_change_times_out, setup, teardown),
            cmocka_unit_test_setup_teardown(test_debounce, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tree_changes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_root_replaced, setup, teardown),
            cmocka_unit_test_setup_teardown(test_fd_and_process, setup, teardown),
            cmocka_unit_test_setup_teardown(test_whole, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bundle, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
