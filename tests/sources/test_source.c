/* SOURCE parsing, display, defaults and the snapshot builder's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "sources/source-internal.h"

static char *
make_tmpdir(void)
{
        char *dir = xstrdup("/tmp/tm-src-XXXXXX");
        assert_non_null(mkdtemp(dir));
        return dir;
}

static void
put(const char *dir, const char *rel, const char *content)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, rel);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void
test_defaults(void **state)
{
        src_options o;
        src_options_default(&o);
        assert_int_equal(o.limits.max_file_bytes, 8u << 20);
        assert_int_equal(o.limits.max_total_bytes, 64u << 20);
        assert_int_equal(o.limits.max_files, 20000);
        assert_int_equal(o.limits.max_depth, 32);
        assert_int_equal(o.limits.max_entries, 100000);
        assert_null(o.state_dir);
        assert_null(o.credentials_file);
        assert_false(o.insecure_ignore_host_key);
}

static void
test_is_manifest(void **state)
{
        static const struct {
                const char *p;
                bool want;
        } cases[] = {
            {"a.yaml", true},          {"a.yml", true},
            {"a.json", true},          {"x/y/z.yaml", true},
            {"a.txt", false},          {"a.yaml~", false},
            {"a.YAML", false},         {"yaml", false},
            {".a.yaml", false},        {".yaml", false},
            {"x/.y/z.yaml", false},    {".git/config.json", false},
            {"x/.z.yaml", false},      {"", false},
            {"a.yaml.swp", false},     {"a..yaml", true},
            {"dir.yaml/x.txt", false},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                if (src_path_is_manifest(cases[i].p) != cases[i].want)
                        fail_msg("src_path_is_manifest(\"%s\") != %d", cases[i].p, cases[i].want);
        }
}

static void
test_open_kinds(void **state)
{
        _cleanup_free_ char *dir = make_tmpdir();
        tm_error err = {0};
        src_source *s = NULL;

        assert_int_equal(src_open(&s, dir, NULL, &err), 0);
        assert_int_equal(src_source_kind(s), SRC_DIR);
        assert_string_equal(src_source_display(s), dir);
        src_close(s);

        /* A bundle by its name, even before it exists. */
        static const char *const names[] = {"site.tar.gz", "site.tgz", "site.tar.zst", "site.zip",
                                            "site.tar"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(names); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, names[i]);
                assert_int_equal(src_open(&s, p, NULL, &err), 0);
                assert_int_equal(src_source_kind(s), SRC_BUNDLE);
                src_close(s);
        }

        /* A bundle by its content. */
        put(dir, "a.yaml", "a: 1\n");
        _cleanup_free_ char *cmd = xasprintf("tar -cf %s/site.data -C %s a.yaml", dir, dir);
        assert_int_equal(system(cmd), 0);
        _cleanup_free_ char *data = xasprintf("%s/site.data", dir);
        assert_int_equal(src_open(&s, data, NULL, &err), 0);
        assert_int_equal(src_source_kind(s), SRC_BUNDLE);
        src_snapshot *snap = NULL;
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_int_equal(snap->n_files, 1);
        assert_string_equal(snap->files[0].path, "a.yaml");
        assert_string_equal(snap->source, data);
        assert_null(snap->ref);
        src_snapshot_free(snap);
        src_close(s);

        /* A plain file that is no archive. */
        _cleanup_free_ char *plain = xasprintf("%s/a.yaml", dir);
        assert_true(src_open(&s, plain, NULL, &err) < 0);
        assert_non_null(strstr(err.msg, "is not a directory, a bundle"));
        assert_non_null(strstr(err.msg, plain));

        /* Nothing there. */
        _cleanup_free_ char *missing = xasprintf("%s/nope", dir);
        assert_true(src_open(&s, missing, NULL, &err) < 0);
        assert_non_null(strstr(err.msg, missing));
        assert_non_null(strstr(err.msg, "No such file"));

        assert_true(src_open(&s, "", NULL, &err) < 0);

        _cleanup_free_ char *rm = xasprintf("rm -rf %s", dir);
        assert_int_equal(system(rm), 0);
}

static void
test_display_strips_credentials(void **state)
{
        static const struct {
                const char *spec, *want;
        } cases[] = {
            {"https://alice:s3cret@127.0.0.1:9/repo.git", "https://127.0.0.1:9/repo.git"},
            {"https://s3cret@127.0.0.1:9/repo.git#main", "https://127.0.0.1:9/repo.git#main"},
            {"ssh://git:s3cret@127.0.0.1:9/repo.git//sub", "ssh://127.0.0.1:9/repo.git//sub"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                tm_error err = {0};
                src_source *s = NULL;
                int r = src_open(&s, cases[i].spec, NULL, &err);
                if (r < 0) {
                        /* The git source may refuse; its error must not leak. */
                        assert_null(strstr(err.msg, "s3cret"));
                        continue;
                }
                assert_string_equal(src_source_display(s), cases[i].want);
                src_close(s);
        }
}

static src_limits
small_limits(void)
{
        src_limits l;
        src_limits_default(&l);
        l.max_file_bytes = 10;
        l.max_total_bytes = 25;
        l.max_files = 3;
        return l;
}

static void
test_builder_limits(void **state)
{
        src_limits l = small_limits();
        tm_error err = {0};
        src_builder *b = src_builder_new(&l);
        assert_int_equal(src_builder_add(b, "a.yaml", "0123456789", 10, &err), 0);
        assert_true(src_builder_add(b, "big.yaml", "0123456789x", 11, &err) < 0);
        assert_non_null(strstr(err.msg, "\"big.yaml\""));
        assert_non_null(strstr(err.msg, "limit of 10 bytes per file"));
        assert_int_equal(src_builder_add(b, "b.yaml", "0123456789", 10, &err), 0);
        assert_true(src_builder_add(b, "c.yaml", "0123456", 6, &err) < 0);
        assert_non_null(strstr(err.msg, "\"c.yaml\""));
        assert_non_null(strstr(err.msg, "25 bytes"));
        assert_int_equal(src_builder_add(b, "c.yaml", "01234", 5, &err), 0);
        assert_true(src_builder_add(b, "d.yaml", "", 0, &err) < 0);
        assert_non_null(strstr(err.msg, "\"d.yaml\""));
        assert_non_null(strstr(err.msg, "more than 3 manifest files"));
        src_builder_free(b);
}

static char *
revision_of(const char *const *paths, const char *const *data, size_t n)
{
        src_builder *b = src_builder_new(NULL);
        tm_error err = {0};
        for (size_t i = 0; i < n; i++)
                assert_int_equal(src_builder_add(b, paths[i], data[i], strlen(data[i]), &err), 0);
        src_snapshot *snap = NULL;
        assert_int_equal(src_builder_finish(b, "x", &snap, &err), 0);
        src_builder_free(b);
        char *rev = xstrdup(snap->revision);
        src_snapshot_free(snap);
        return rev;
}

static void
test_builder_finish(void **state)
{
        src_builder *b = src_builder_new(NULL);
        tm_error err = {0};
        assert_int_equal(src_builder_add(b, "z.yaml", "z", 1, &err), 0);
        assert_int_equal(src_builder_add(b, "a/b.yaml", "ab", 2, &err), 0);
        assert_int_equal(src_builder_add(b, "a.yaml", "a", 1, &err), 0);
        const src_file *f = src_builder_find(b, "a/b.yaml");
        assert_non_null(f);
        assert_memory_equal(f->data, "ab", 2);
        assert_null(src_builder_find(b, "nope.yaml"));
        src_snapshot *snap = NULL;
        assert_int_equal(src_builder_finish(b, "disp", &snap, &err), 0);
        src_builder_free(b);
        assert_int_equal(snap->n_files, 3);
        /* byte order: "a.yaml" < "a/b.yaml" ('.' 0x2e < '/' 0x2f) < "z.yaml" */
        assert_string_equal(snap->files[0].path, "a.yaml");
        assert_string_equal(snap->files[1].path, "a/b.yaml");
        assert_string_equal(snap->files[2].path, "z.yaml");
        assert_int_equal(snap->files[1].len, 2);
        assert_int_equal(snap->files[1].data[2], '\0');
        assert_int_equal(snap->total_bytes, 4);
        assert_string_equal(snap->source, "disp");
        assert_true(tm_str_has_prefix(snap->revision, "sha256:"));
        assert_int_equal(strlen(snap->revision), 7 + 64);
        src_snapshot_free(snap);

        /* Order of adding does not matter; every boundary does. */
        const char *p1[] = {"a.yaml", "b.yaml"}, *d1[] = {"x", "yz"};
        const char *p2[] = {"b.yaml", "a.yaml"}, *d2[] = {"yz", "x"};
        const char *p3[] = {"a.yaml", "b.yaml"}, *d3[] = {"xy", "z"};
        const char *p4[] = {"a.yaml", "c.yaml"}, *d4[] = {"x", "yz"};
        const char *p5[] = {"a.yaml"}, *d5[] = {"x"};
        _cleanup_free_ char *r1 = revision_of(p1, d1, 2), *r2 = revision_of(p2, d2, 2),
                            *r3 = revision_of(p3, d3, 2), *r4 = revision_of(p4, d4, 2),
                            *r5 = revision_of(p5, d5, 1), *r0 = revision_of(NULL, NULL, 0);
        assert_string_equal(r1, r2);
        assert_string_not_equal(r1, r3);
        assert_string_not_equal(r1, r4);
        assert_string_not_equal(r1, r5);
        assert_string_not_equal(r1, r0);
        /* sha256 of nothing: an empty tree hashes no bytes. */
        assert_string_equal(
            r0, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        b = src_builder_new(NULL);
        assert_int_equal(src_builder_add(b, "a.yaml", "1", 1, &err), 0);
        assert_int_equal(src_builder_add(b, "a.yaml", "2", 1, &err), 0);
        assert_true(src_builder_finish(b, "x", &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "\"a.yaml\" appears twice"));
        src_builder_free(b);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_is_manifest),
            cmocka_unit_test(test_open_kinds),
            cmocka_unit_test(test_display_strips_credentials),
            cmocka_unit_test(test_builder_limits),
            cmocka_unit_test(test_builder_finish),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
