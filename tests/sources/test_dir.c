/* The directory source on real trees: names, dot-files, special files,
 * symlinks (inside, escaping, loops), limits, revisions, speed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "sources/source-internal.h"

static char *root; /* a fresh tree per test */

static int
setup(void **state)
{
        root = xstrdup("/tmp/tm-srcdir-XXXXXX");
        if (!mkdtemp(root))
                return -1;
        return 0;
}

static int
teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf %s %s.out", root, root);
        int r = system(cmd);
        free(root);
        return r == 0 ? 0 : -1;
}

static void
mkdirs(const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        assert_int_equal(tm_mkdir_p(p, 0755, NULL), 0);
}

static void
put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void
link_to(const char *target, const char *rel)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        assert_int_equal(symlink(target, p), 0);
}

static int
take_with(const src_limits *lim, src_snapshot **out, tm_error *err)
{
        src_options o;
        src_options_default(&o);
        if (lim)
                o.limits = *lim;
        src_source *s = NULL;
        int r = src_open(&s, root, &o, err);
        if (r < 0)
                return r;
        assert_int_equal(src_source_kind(s), SRC_DIR);
        r = src_snapshot_take(s, out, err);
        src_close(s);
        return r;
}

static src_snapshot *
take_ok(void)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        int r = take_with(NULL, &snap, &err);
        if (r < 0)
                fail_msg("snapshot failed: %s", err.msg);
        return snap;
}

static void
expect_error(const src_limits *lim, const char *needle)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        int r = take_with(lim, &snap, &err);
        if (r >= 0)
                fail_msg("snapshot succeeded, wanted an error with %s", needle);
        if (!strstr(err.msg, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static char *
paths_of(const src_snapshot *snap)
{
        tm_buf b = TM_BUF_INIT;
        for (size_t i = 0; i < snap->n_files; i++)
                tm_buf_printf(&b, "%s%s", i ? " " : "", snap->files[i].path);
        return tm_buf_steal(&b);
}

static void
test_names_and_dotfiles(void **state)
{
        mkdirs("sub/deeper");
        mkdirs(".git/objects");
        mkdirs("sub/.hidden");
        put("a.yaml", "a: 1\n");
        put("b.yml", "b: 2\n");
        put("c.json", "{}");
        put("d.txt", "no");
        put("README", "no");
        put("a.yaml~", "no");
        put(".dot.yaml", "no");
        put(".git/config.yaml", "no");
        put("sub/e.yaml", "e: 5\n");
        put("sub/deeper/f.json", "[]");
        put("sub/.hidden/g.yaml", "no");
        put("empty.yaml", "");
        _cleanup_free_ char *fifo = xasprintf("%s/pipe.yaml", root);
        assert_int_equal(mkfifo(fifo, 0644), 0);
        /* A socket named like a manifest is ignored too. */
        int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock.yaml", root);
        assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof(sa)), 0);

        src_snapshot *snap = take_ok();
        close(sfd);
        _cleanup_free_ char *got = paths_of(snap);
        assert_string_equal(got, "a.yaml b.yml c.json empty.yaml sub/deeper/f.json sub/e.yaml");
        assert_int_equal(snap->files[0].len, 5);
        assert_string_equal((char *)snap->files[0].data, "a: 1\n");
        assert_int_equal(snap->files[3].len, 0);
        assert_int_equal(snap->total_bytes, 5 + 5 + 2 + 0 + 2 + 5);
        assert_string_equal(snap->source, root);
        src_snapshot_free(snap);
}

static void
test_symlinks_inside(void **state)
{
        mkdirs("base/x");
        put("base/x/svc.yaml", "svc\n");
        put("base/notes.txt", "notes\n");
        link_to("base/x/svc.yaml", "rel.yaml");     /* file, relative */
        link_to("../x/svc.yaml", "base/x/up.yaml"); /* goes up, stays inside */
        _cleanup_free_ char *abs = xasprintf("%s/base/x/svc.yaml", root);
        link_to(abs, "abs.yaml"); /* file, absolute, inside */
        link_to("base", "site");  /* directory, relative */
        _cleanup_free_ char *absdir = xasprintf("%s/base/x", root);
        link_to(absdir, "absdir");               /* directory, absolute, inside */
        link_to("base/notes.txt", "notes.yaml"); /* the link's name decides */
        link_to("/etc/hostname", "README");      /* ignored: not a manifest name */
        link_to("nowhere", "dangling");          /* ignored likewise */

        src_snapshot *snap = take_ok();
        _cleanup_free_ char *got = paths_of(snap);
        assert_string_equal(got, "abs.yaml absdir/svc.yaml absdir/up.yaml base/x/svc.yaml "
                                 "base/x/up.yaml notes.yaml rel.yaml site/x/svc.yaml "
                                 "site/x/up.yaml");
        for (size_t i = 0; i < snap->n_files; i++)
                if (strcmp(snap->files[i].path, "notes.yaml") != 0)
                        assert_string_equal((char *)snap->files[i].data, "svc\n");
        src_snapshot_free(snap);
}

static void
test_symlink_escapes(void **state)
{
        _cleanup_free_ char *outside = xasprintf("%s.out", root);
        assert_int_equal(mkdir(outside, 0755), 0);
        _cleanup_free_ char *secret = xasprintf("%s/secret.yaml", outside);
        FILE *f = fopen(secret, "w");
        fputs("password: hunter2\n", f);
        fclose(f);
        _cleanup_free_ char *base = xasprintf("%s", strrchr(root, '/') + 1);
        _cleanup_free_ char *rel_out = xasprintf("../../%s.out/secret.yaml", base);
        mkdirs("site");

        /* file, relative */
        link_to(rel_out, "site/x.yaml");
        expect_error(NULL, "\"site/x.yaml\" is a symlink that leaves the source root");
        _cleanup_free_ char *p = xasprintf("%s/site/x.yaml", root);
        unlink(p);
        /* file, absolute */
        link_to(secret, "site/x.yaml");
        expect_error(NULL, "\"site/x.yaml\" is a symlink that leaves the source root");
        unlink(p);
        link_to("/etc/passwd", "site/x.yaml");
        expect_error(NULL, "\"site/x.yaml\" is a symlink that leaves the source root");
        unlink(p);
        /* directory, absolute and relative */
        link_to("/etc", "site/etc");
        expect_error(NULL, "\"site/etc\" is a symlink that leaves the source root");
        _cleanup_free_ char *pe = xasprintf("%s/site/etc", root);
        unlink(pe);
        link_to("../..", "site/etc");
        expect_error(NULL, "\"site/etc\" is a symlink that leaves the source root");
        unlink(pe);
        /* through a symlink that stays inside, then one that leaves */
        link_to("site", "alias");
        link_to(outside, "site/out");
        expect_error(NULL, "is a symlink that leaves the source root");
        _cleanup_free_ char *po = xasprintf("%s/site/out", root);
        unlink(po);
        /* a broken link named like a manifest */
        link_to("missing.yaml", "site/broken.yaml");
        expect_error(NULL, "/broken.yaml\" is a broken symlink");
        _cleanup_free_ char *pb = xasprintf("%s/site/broken.yaml", root);
        unlink(pb);

        put("site/ok.yaml", "ok\n");
        src_snapshot *snap = take_ok();
        _cleanup_free_ char *got = paths_of(snap);
        assert_string_equal(got, "alias/ok.yaml site/ok.yaml");
        for (size_t i = 0; i < snap->n_files; i++)
                assert_null(strstr((char *)snap->files[i].data, "hunter2"));
        src_snapshot_free(snap);
}

static void
test_symlink_loops(void **state)
{
        mkdirs("a/b");
        put("a/b/x.yaml", "x\n");
        link_to("..", "a/b/up");
        expect_error(NULL, "\"a/b/up\" is a symlink loop");
        _cleanup_free_ char *p = xasprintf("%s/a/b/up", root);
        unlink(p);
        link_to(".", "a/self");
        expect_error(NULL, "\"a/self\" is a symlink loop");
        _cleanup_free_ char *p2 = xasprintf("%s/a/self", root);
        unlink(p2);
        link_to("..", "toroot");
        /* ".." of the root leaves it */
        expect_error(NULL, "\"toroot\"");
        _cleanup_free_ char *p3 = xasprintf("%s/toroot", root);
        unlink(p3);
        link_to(root, "toroot");
        expect_error(NULL, "\"toroot\" is a symlink loop");
        unlink(p3);
        link_to("l2.yaml", "l1.yaml");
        link_to("l1.yaml", "l2.yaml");
        expect_error(NULL, "is a symlink loop");
}

static void
test_limits(void **state)
{
        mkdirs("a/b/c");
        put("one.yaml", "0123456789");
        put("a/two.yaml", "0123456789");
        put("a/b/three.yaml", "01234");
        put("a/b/c/four.json", "{}");
        put("a/other.txt", "x");
        src_limits l;

        src_limits_default(&l);
        l.max_file_bytes = 9;
        expect_error(&l, "over the limit of 9 bytes per file");

        src_limits_default(&l);
        l.max_total_bytes = 20;
        expect_error(&l, "more than 20 bytes");

        src_limits_default(&l);
        l.max_files = 3;
        expect_error(&l, "more than 3 manifest files");

        src_limits_default(&l);
        l.max_depth = 2;
        expect_error(&l, "\"a/b/c\" is nested deeper than 2 directories");

        src_limits_default(&l);
        l.max_entries = 7; /* one, a, two, other, b, three, c, four = 8 */
        expect_error(&l, "more than 7 entries");
        l.max_entries = 8;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(take_with(&l, &snap, &err), 0);
        assert_int_equal(snap->n_files, 4);
        src_snapshot_free(snap);
}

static void
test_root_errors(void **state)
{
        src_source *s = NULL;
        tm_error err = {0};
        _cleanup_free_ char *missing = xasprintf("%s/missing", root);
        assert_true(src_open(&s, missing, NULL, &err) < 0);
        assert_non_null(strstr(err.msg, missing));

        /* A root that turns into a file after opening. */
        _cleanup_free_ char *d = xasprintf("%s/d", root);
        assert_int_equal(mkdir(d, 0755), 0);
        assert_int_equal(src_open(&s, d, NULL, &err), 0);
        assert_int_equal(rmdir(d), 0);
        src_snapshot *snap = NULL;
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "No such file"));
        put("d", "file");
        assert_true(src_snapshot_take(s, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "is not a directory"));
        src_close(s);
}

static char *
revision(void)
{
        src_snapshot *snap = take_ok();
        char *r = xstrdup(snap->revision);
        src_snapshot_free(snap);
        return r;
}

static void
test_revisions(void **state)
{
        mkdirs("ns");
        put("ns/a.yaml", "a: 1\n");
        put("b.yaml", "b: 2\n");
        _cleanup_free_ char *r1 = revision();
        _cleanup_free_ char *r1b = revision();
        assert_string_equal(r1, r1b);

        /* An identical tree elsewhere. */
        char *saved = root;
        root = xstrdup("/tmp/tm-srcdir2-XXXXXX");
        assert_non_null(mkdtemp(root));
        mkdirs("ns");
        put("b.yaml", "b: 2\n");
        put("ns/a.yaml", "a: 1\n");
        put("ignored.txt", "whatever");
        _cleanup_free_ char *r2 = revision();
        teardown(state);
        root = saved;
        assert_string_equal(r1, r2);

        /* Not a manifest, a dot-file, an mtime: the revision stays. */
        put("notes.txt", "x");
        put(".x.yaml", "x");
        _cleanup_free_ char *touch = xasprintf("touch -d 2001-01-01 %s/b.yaml", root);
        assert_int_equal(system(touch), 0);
        _cleanup_free_ char *r3 = revision();
        assert_string_equal(r1, r3);

        /* Any content change, rename or new file: it moves. */
        put("b.yaml", "b: 3\n");
        _cleanup_free_ char *r4 = revision();
        assert_string_not_equal(r1, r4);
        put("b.yaml", "b: 2\n");
        _cleanup_free_ char *r5 = revision();
        assert_string_equal(r1, r5);
        _cleanup_free_ char *from = xasprintf("%s/b.yaml", root),
                            *to = xasprintf("%s/c.yaml", root);
        assert_int_equal(rename(from, to), 0);
        _cleanup_free_ char *r6 = revision();
        assert_string_not_equal(r1, r6);
        assert_int_equal(rename(to, from), 0);
        put("ns/new.yml", "");
        _cleanup_free_ char *r7 = revision();
        assert_string_not_equal(r1, r7);
}

static void
test_ten_thousand_files(void **state)
{
        for (int d = 0; d < 100; d++) {
                char dir[32];
                snprintf(dir, sizeof(dir), "d%03d", d);
                mkdirs(dir);
                for (int i = 0; i < 100; i++) {
                        char rel[64], body[160];
                        snprintf(rel, sizeof(rel), "%s/cm%03d.yaml", dir, i);
                        snprintf(body, sizeof(body),
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d-%d\n"
                                 "data:\n  k: v\n",
                                 d, i);
                        put(rel, body);
                }
        }
        struct timespec t0, t1, c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        src_snapshot *snap = take_ok();
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        double cpu_ms =
            (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
        assert_int_equal(snap->n_files, 10000);
        assert_string_equal(snap->files[0].path, "d000/cm000.yaml");
        assert_string_equal(snap->files[9999].path, "d099/cm099.yaml");
        print_message("dir snapshot of 10000 files, %zu bytes: %.1f ms (%.1f ms CPU)\n",
                      snap->total_bytes, ms, cpu_ms);
        src_snapshot_free(snap);
        /* Generous bound (sanitizer builds, a shared machine); the figure
         * printed above is the measurement. */
        assert_true(ms < 3000);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_names_and_dotfiles, setup, teardown),
            cmocka_unit_test_setup_teardown(test_symlinks_inside, setup, teardown),
            cmocka_unit_test_setup_teardown(test_symlink_escapes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_symlink_loops, setup, teardown),
            cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
            cmocka_unit_test_setup_teardown(test_root_errors, setup, teardown),
            cmocka_unit_test_setup_teardown(test_revisions, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ten_thousand_files, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
