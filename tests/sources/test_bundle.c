/* The bundle source on real archives: made by tar, zstd and zip, and by
 * libarchive's writer for the hostile ones (traversal, links, devices,
 * bombs). */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "sources/source-internal.h"

static char *tmp;

static int
setup(void **state)
{
        tmp = xstrdup("/tmp/tm-srcbundle-XXXXXX");
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

static void
put(const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
        _cleanup_free_ char *dir = xstrdup(p);
        *strrchr(dir, '/') = '\0';
        assert_int_equal(tm_mkdir_p(dir, 0755, NULL), 0);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static int
take(const char *rel, const src_limits *lim, src_snapshot **out, tm_error *err)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
        src_options o;
        src_options_default(&o);
        if (lim)
                o.limits = *lim;
        src_source *s = NULL;
        int r = src_open(&s, p, &o, err);
        if (r < 0)
                return r;
        r = src_snapshot_take(s, out, err);
        src_close(s);
        return r;
}

static src_snapshot *
take_ok(const char *rel)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (take(rel, NULL, &snap, &err) < 0)
                fail_msg("snapshot of %s failed: %s", rel, err.msg);
        return snap;
}

static void
expect_error(const char *rel, const src_limits *lim, const char *needle)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (take(rel, lim, &snap, &err) >= 0)
                fail_msg("snapshot of %s succeeded, wanted an error with %s", rel, needle);
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

/* Archives written member by member. */
struct member {
        const char *name;
        mode_t type;
        const char *data; /* regular files */
        const char *link; /* symlink target */
        const char *hardlink;
        int64_t zeros; /* a regular file of this many zero bytes instead of data */
};

static void
write_archive(const char *rel, bool zip, bool gzip, const struct member *m, size_t n)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", tmp, rel);
        struct archive *a = archive_write_new();
        if (zip) {
                archive_write_set_format_zip(a);
        } else {
                archive_write_set_format_pax_restricted(a);
                if (gzip) {
                        archive_write_add_filter_gzip(a);
                        archive_write_set_filter_option(a, "gzip", "compression-level", "1");
                }
        }
        assert_int_equal(archive_write_open_filename(a, p), ARCHIVE_OK);
        static char zeros[1 << 16];
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, m[i].name);
                archive_entry_set_filetype(e, m[i].type);
                archive_entry_set_perm(e, 0644);
                if (m[i].link)
                        archive_entry_set_symlink(e, m[i].link);
                if (m[i].hardlink)
                        archive_entry_set_hardlink(e, m[i].hardlink);
                if (m[i].type == AE_IFCHR)
                        archive_entry_set_rdev(e, makedev(1, 3));
                int64_t size = 0;
                if (m[i].type == AE_IFREG && !m[i].hardlink)
                        size = m[i].zeros ? m[i].zeros : (int64_t)strlen(m[i].data);
                archive_entry_set_size(e, size);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (m[i].zeros) {
                        for (int64_t left = m[i].zeros; left > 0;) {
                                size_t k =
                                    left > (int64_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
                                assert_true(archive_write_data(a, zeros, k) == (la_ssize_t)k);
                                left -= (int64_t)k;
                        }
                } else if (size) {
                        archive_write_data(a, m[i].data, (size_t)size);
                }
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

static void
make_tree(void)
{
        put("site/a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n");
        put("site/ns/b.yml", "b: 2\n");
        put("site/ns/c.json", "{\"c\": 3}");
        put("site/README.md", "not a manifest\n");
        put("site/.hidden.yaml", "no\n");
        put("site/.git/x.yaml", "no\n");
}

static void
test_formats_match_directory(void **state)
{
        make_tree();
        src_snapshot *dir = NULL;
        tm_error err = {0};
        src_source *s = NULL;
        _cleanup_free_ char *site = xasprintf("%s/site", tmp);
        assert_int_equal(src_open(&s, site, NULL, &err), 0);
        assert_int_equal(src_snapshot_take(s, &dir, &err), 0);
        src_close(s);
        _cleanup_free_ char *want = paths_of(dir);
        assert_string_equal(want, "a.yaml ns/b.yml ns/c.json");

        sh("tar -czf site.tar.gz -C site .");
        sh("tar -czf site.tgz -C site a.yaml ns README.md .hidden.yaml .git");
        sh("tar --zstd -cf site.tar.zst -C site .");
        sh("tar -cf site.tar -C site .");
        sh("cd site && zip -qr ../site.zip .");
        sh("cp site.tar.gz site-without-suffix");
        static const char *const names[] = {"site.tar.gz", "site.tgz", "site.tar.zst",
                                            "site.tar",    "site.zip", "site-without-suffix"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(names); i++) {
                src_snapshot *snap = take_ok(names[i]);
                _cleanup_free_ char *got = paths_of(snap);
                assert_string_equal(got, want);
                for (size_t j = 0; j < snap->n_files; j++) {
                        assert_int_equal(snap->files[j].len, dir->files[j].len);
                        assert_memory_equal(snap->files[j].data, dir->files[j].data,
                                            dir->files[j].len);
                }
                if (strcmp(snap->revision, dir->revision) != 0)
                        fail_msg("%s: revision %s, directory %s", names[i], snap->revision,
                                 dir->revision);
                src_snapshot_free(snap);
        }

        /* A top directory is kept, not stripped. */
        sh("tar -czf top.tar.gz site");
        src_snapshot *top = take_ok("top.tar.gz");
        _cleanup_free_ char *got = paths_of(top);
        assert_string_equal(got, "site/a.yaml site/ns/b.yml site/ns/c.json");
        assert_string_not_equal(top->revision, dir->revision);
        src_snapshot_free(top);

        /* Any change moves the revision. */
        put("site/ns/b.yml", "b: 3\n");
        sh("tar -czf changed.tar.gz -C site .");
        src_snapshot *changed = take_ok("changed.tar.gz");
        assert_string_not_equal(changed->revision, dir->revision);
        src_snapshot_free(changed);
        src_snapshot_free(dir);
}

static void
test_traversal(void **state)
{
        const struct member ok = {.name = "ok.yaml", .type = AE_IFREG, .data = "ok: 1\n"};
        static const struct {
                struct member m;
                const char *needle;
        } cases[] = {
            {{.name = "../x.yaml", .type = AE_IFREG, .data = "x"},
             "\"../x.yaml\" has a \"..\" component"},
            {{.name = "a/../../x.yaml", .type = AE_IFREG, .data = "x"},
             "\"a/../../x.yaml\" has a \"..\" component"},
            {{.name = "a/../x.yaml", .type = AE_IFREG, .data = "x"},
             "\"a/../x.yaml\" has a \"..\" component"},
            {{.name = "/etc/x.yaml", .type = AE_IFREG, .data = "x"},
             "\"/etc/x.yaml\" is an absolute path"},
            {{.name = "x.yaml", .type = AE_IFLNK, .link = "/etc/passwd"},
             "\"x.yaml\" is a symlink that leaves the bundle root"},
            {{.name = "etc", .type = AE_IFLNK, .link = "/etc"},
             "\"etc\" is a symlink that leaves the bundle root"},
            {{.name = "a/x.yaml", .type = AE_IFLNK, .link = "../../etc/passwd"},
             "\"a/x.yaml\" is a symlink that leaves the bundle root"},
            {{.name = "up", .type = AE_IFLNK, .link = ".."},
             "\"up\" is a symlink that leaves the bundle root"},
            {{.name = "h.yaml", .type = AE_IFREG, .hardlink = "../etc/passwd"},
             "\"h.yaml\" is a hard link that leaves the bundle root"},
            {{.name = "h.yaml", .type = AE_IFREG, .hardlink = "/etc/passwd"},
             "\"h.yaml\" is a hard link that leaves the bundle root"},
            {{.name = "dev.yaml", .type = AE_IFCHR},
             "\"dev.yaml\" is a device, fifo or socket: refused"},
            {{.name = "fifo", .type = AE_IFIFO}, "\"fifo\" is a device, fifo or socket: refused"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                struct member m[2] = {ok, cases[i].m};
                write_archive("bad.tar.gz", false, true, m, 2);
                expect_error("bad.tar.gz", NULL, cases[i].needle);
        }
        /* Names are bounded. */
        char *longname = xmalloc(5000);
        memset(longname, 'a', 4994);
        memcpy(longname + 4994, ".yaml", 6);
        struct member lm[1] = {{.name = longname, .type = AE_IFREG, .data = "x"}};
        write_archive("long.tar", false, false, lm, 1);
        expect_error("long.tar", NULL, "name or link target longer than 4096 bytes");
        free(longname);
        /* zip carries names as they are, too */
        struct member zm[2] = {ok, {.name = "../x.yaml", .type = AE_IFREG, .data = "x"}};
        write_archive("bad.zip", true, false, zm, 2);
        expect_error("bad.zip", NULL, "\"../x.yaml\" has a \"..\" component");
}

static void
test_links_inside(void **state)
{
        const struct member m[] = {
            {.name = "./base/", .type = AE_IFDIR},
            {.name = "./base/svc.yaml", .type = AE_IFREG, .data = "svc\n"},
            {.name = "./base/notes.txt", .type = AE_IFREG, .data = "notes\n"},
            {.name = "./link.yaml", .type = AE_IFLNK, .link = "base/svc.yaml"},
            {.name = "./base/up.yaml", .type = AE_IFLNK, .link = "../link.yaml"},
            {.name = "./hard.yaml", .type = AE_IFREG, .hardlink = "base/svc.yaml"},
            {.name = "./dirlink",
             .type = AE_IFLNK,
             .link = "base"}, /* not followed, not an error */
            {.name = "./README", .type = AE_IFLNK, .link = "base/notes.txt"},
            {.name = ".//odd//./name.yaml", .type = AE_IFREG, .data = "odd\n"},
        };
        write_archive("links.tar", false, false, m, TM_ARRAY_SIZE(m));
        src_snapshot *snap = take_ok("links.tar");
        _cleanup_free_ char *got = paths_of(snap);
        assert_string_equal(got, "base/svc.yaml base/up.yaml hard.yaml link.yaml odd/name.yaml");
        for (size_t i = 0; i < 4; i++)
                assert_string_equal((char *)snap->files[i].data, "svc\n");
        src_snapshot_free(snap);

        const struct member bad[] = {
            {.name = "base/notes.txt", .type = AE_IFREG, .data = "notes\n"},
            {.name = "n.yaml", .type = AE_IFLNK, .link = "base/notes.txt"},
        };
        write_archive("bad.tar", false, false, bad, TM_ARRAY_SIZE(bad));
        expect_error("bad.tar", NULL,
                     "\"n.yaml\" is a link to \"base/notes.txt\", which is not a manifest");
        const struct member loop[] = {
            {.name = "a.yaml", .type = AE_IFLNK, .link = "b.yaml"},
            {.name = "b.yaml", .type = AE_IFLNK, .link = "a.yaml"},
        };
        write_archive("loop.tar", false, false, loop, TM_ARRAY_SIZE(loop));
        expect_error("loop.tar", NULL, "is a link to");
        const struct member dup[] = {
            {.name = "a.yaml", .type = AE_IFREG, .data = "1"},
            {.name = "./a.yaml", .type = AE_IFREG, .data = "2"},
        };
        write_archive("dup.tar", false, false, dup, TM_ARRAY_SIZE(dup));
        expect_error("dup.tar", NULL, "\"a.yaml\" appears twice");
}

static long
maxrss_kib(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss;
}

static void
test_bombs(void **state)
{
        /* 256 MiB of zeros in a gzip stream of a few hundred KiB. */
        const struct member big[] = {
            {.name = "a.yaml", .type = AE_IFREG, .data = "a\n"},
            {.name = "big.yaml", .type = AE_IFREG, .zeros = 256ll << 20},
        };
        write_archive("bomb.tar.gz", false, true, big, TM_ARRAY_SIZE(big));
        const struct member bigother[] = {
            {.name = "a.yaml", .type = AE_IFREG, .data = "a\n"},
            {.name = "blob.bin", .type = AE_IFREG, .zeros = 256ll << 20},
        };
        write_archive("bomb2.tar.gz", false, true, bigother, TM_ARRAY_SIZE(bigother));
        write_archive("bomb.zip", true, false, big, TM_ARRAY_SIZE(big));

        long before = maxrss_kib();
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        expect_error("bomb.tar.gz", NULL, "\"big.yaml\" is 268435456 bytes, over the limit");
        expect_error("bomb2.tar.gz", NULL, "not manifests total more than 67108864 bytes");
        expect_error("bomb.zip", NULL, "\"big.yaml\" is 268435456 bytes, over the limit");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        long grown = maxrss_kib() - before;
        print_message("three 256 MiB bombs refused in %.1f ms, peak RSS grew %ld KiB\n", ms, grown);
        assert_true(ms < 2000);
        assert_true(grown < 32 * 1024);

        /* Each limit, on an archive made by tar. */
        put("t/a.yaml", "0123456789");
        put("t/b/c.yaml", "0123456789");
        put("t/b/d/e/f.json", "{}");
        sh("tar -czf lim.tgz -C t .");
        src_limits l;
        src_limits_default(&l);
        l.max_file_bytes = 9;
        expect_error("lim.tgz", &l, "over the limit of 9 bytes per file");
        src_limits_default(&l);
        l.max_total_bytes = 15;
        expect_error("lim.tgz", &l, "more than 15 bytes");
        src_limits_default(&l);
        l.max_files = 2;
        expect_error("lim.tgz", &l, "more than 2 manifest files");
        src_limits_default(&l);
        l.max_depth = 2;
        expect_error("lim.tgz", &l, "nested deeper than 2 directories");
        src_limits_default(&l);
        l.max_entries = 5;
        expect_error("lim.tgz", &l, "more than 5 members");
}

static void
test_corrupt_and_missing(void **state)
{
        make_tree();
        sh("tar -czf site.tar.gz -C site . && head -c 300 site.tar.gz > cut.tar.gz");
        expect_error("cut.tar.gz", NULL, "bundle \"");
        put("junk.zip", "this is not a zip file\n");
        expect_error("junk.zip", NULL, "junk.zip");
        expect_error("missing.tar.gz", NULL, "No such file");

        /* The same reader from memory (the fuzz target's path). */
        _cleanup_free_ char *p = xasprintf("%s/site.tar.gz", tmp);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(tm_file_read(p, 1 << 20, &data, &len, NULL), 0);
        src_limits l;
        src_limits_default(&l);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_int_equal(src_bundle_read_memory(data, len, &l, "mem", &snap, &err), 0);
        assert_int_equal(snap->n_files, 3);
        assert_string_equal(snap->source, "mem");
        src_snapshot_free(snap);
        assert_true(src_bundle_read_memory(data, 300, &l, "mem", &snap, &err) < 0);
        free(data);
}

static void
test_ten_thousand_files(void **state)
{
        for (int d = 0; d < 100; d++)
                for (int i = 0; i < 100; i++) {
                        char rel[64], body[160];
                        snprintf(rel, sizeof(rel), "big/d%03d/cm%03d.yaml", d, i);
                        snprintf(body, sizeof(body),
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d-%d\n"
                                 "data:\n  k: v\n",
                                 d, i);
                        put(rel, body);
                }
        sh("tar -czf big.tar.gz -C big .");
        struct timespec t0, t1, c0, c1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        src_snapshot *snap = take_ok("big.tar.gz");
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        double cpu_ms =
            (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
        assert_int_equal(snap->n_files, 10000);
        print_message("tar.gz snapshot of 10000 files, %zu bytes: %.1f ms (%.1f ms CPU)\n",
                      snap->total_bytes, ms, cpu_ms);
        src_snapshot_free(snap);
        assert_true(ms < 3000);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_formats_match_directory, setup, teardown),
            cmocka_unit_test_setup_teardown(test_traversal, setup, teardown),
            cmocka_unit_test_setup_teardown(test_links_inside, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bombs, setup, teardown),
            cmocka_unit_test_setup_teardown(test_corrupt_and_missing, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ten_thousand_files, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
