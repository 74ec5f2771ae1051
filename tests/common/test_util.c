#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"

static void
test_age(void **state)
{
        /* Values from k8s.io/apimachinery duration.HumanDuration tests. */
        static const struct {
                int64_t s;
                const char *want;
        } cases[] = {
            {0, "0s"},
            {59, "59s"},
            {119, "119s"},
            {121, "2m1s"},
            {599, "9m59s"},
            {600, "10m"},
            {179 * 60, "179m"},
            {3 * 3600, "3h"},
            {8 * 3600 - 60, "7h59m"},
            {8 * 3600, "8h"},
            {47 * 3600, "47h"},
            {48 * 3600, "2d"},
            {8 * 86400, "8d"},
            {(365 * 2) * 86400, "2y"},
            {(365 * 8) * 86400, "8y"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                char out[32];
                tm_format_age(cases[i].s, out, sizeof(out));
                assert_string_equal(out, cases[i].want);
        }
}

static void
test_rfc3339(void **state)
{
        char out[32];
        tm_format_rfc3339(1795910399, out, sizeof(out));
        assert_string_equal(out, "2026-11-28T23:59:59Z");
        assert_int_equal(tm_parse_rfc3339("2026-11-28T23:59:59Z"), 1795910399);
        assert_int_equal(tm_parse_rfc3339("2026-11-28T23:59:59.123456Z"), 1795910399);
        assert_int_equal(tm_parse_rfc3339("2026-11-29T01:59:59+02:00"), 1795910399);
        assert_int_equal(tm_parse_rfc3339("2026-11-28T22:59:59-01:00"), 1795910399);
        assert_int_equal(tm_parse_rfc3339("1970-01-01T00:00:00Z"), 0);
        assert_int_equal(tm_parse_rfc3339("2026-11-28T23:59:59"), -1);
        assert_int_equal(tm_parse_rfc3339("2026-11-28 23:59:59Z"), -1);
        assert_int_equal(tm_parse_rfc3339("2026-11-28T23:59:59Zjunk"), -1);
        assert_int_equal(tm_parse_rfc3339(""), -1);
        assert_int_equal(tm_parse_rfc3339(NULL), -1);
}

static void
test_duration(void **state)
{
        uint64_t ms;
        assert_int_equal(tm_parse_duration_ms("30s", &ms), 0);
        assert_int_equal(ms, 30000);
        assert_int_equal(tm_parse_duration_ms("1m30s", &ms), 0);
        assert_int_equal(ms, 90000);
        assert_int_equal(tm_parse_duration_ms("250ms", &ms), 0);
        assert_int_equal(ms, 250);
        assert_int_equal(tm_parse_duration_ms("2h", &ms), 0);
        assert_int_equal(ms, 7200000);
        assert_true(tm_parse_duration_ms("", &ms) < 0);
        assert_true(tm_parse_duration_ms("10", &ms) < 0);
        assert_true(tm_parse_duration_ms("5x", &ms) < 0);
        assert_true(tm_parse_duration_ms("-5s", &ms) < 0);
}

static void
test_files(void **state)
{
        char dir[] = "/tmp/tm-util-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *sub = xasprintf("%s/a/b/c", dir);
        assert_int_equal(tm_mkdir_p(sub, 0755, NULL), 0);
        _cleanup_free_ char *f = xasprintf("%s/a/b/c/file", dir);
        assert_int_equal(tm_file_write_atomic(f, "hello", 5, 0644, NULL), 0);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(tm_file_read(f, 100, &data, &len, NULL), 0);
        assert_int_equal(len, 5);
        assert_string_equal(data, "hello");
        free(data);
        tm_error err = {0};
        assert_true(tm_file_read(f, 4, &data, &len, &err) < 0);
        assert_non_null(strstr(err.msg, "over the limit"));
        assert_int_equal(tm_rm_rf(dir, NULL), 0);
        struct stat st;
        assert_int_not_equal(stat(dir, &st), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_age),
            cmocka_unit_test(test_rfc3339),
            cmocka_unit_test(test_duration),
            cmocka_unit_test(test_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
