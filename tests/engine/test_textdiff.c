#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "engine/textdiff.h"

static char *
diff(const char *a, const char *b, int ctx, size_t *hunks)
{
        tm_buf out = TM_BUF_INIT;
        eng_textdiff_opts o = ENG_TEXTDIFF_OPTS_INIT;
        o.context = ctx;
        *hunks = eng_textdiff(a, a ? strlen(a) : 0, b, b ? strlen(b) : 0, "a/x", "b/x", &o, &out);
        return tm_buf_steal(&out);
}

static void
test_equal_is_empty(void **state)
{
        size_t h;
        char *d = diff("a\nb\n", "a\nb\n", 3, &h);
        assert_int_equal(h, 0);
        assert_string_equal(d, "");
        free(d);
}

static void
test_one_change_with_context(void **state)
{
        size_t h;
        char *d = diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", 3, &h);
        assert_int_equal(h, 1);
        assert_string_equal(d, "--- a/x\n+++ b/x\n"
                               "@@ -2,7 +2,7 @@\n"
                               " 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
        free(d);
}

static void
test_two_hunks_and_merging(void **state)
{
        size_t h;
        /* changes at lines 2 and 12: 9 equal lines between, more than 2*3: two hunks */
        const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n";
        const char *b = "1\nB\n3\n4\n5\n6\n7\n8\n9\n10\n11\nL\n13\n";
        char *d = diff(a, b, 3, &h);
        assert_int_equal(h, 2);
        assert_string_equal(d, "--- a/x\n+++ b/x\n"
                               "@@ -1,5 +1,5 @@\n 1\n-2\n+B\n 3\n 4\n 5\n"
                               "@@ -9,5 +9,5 @@\n 9\n 10\n 11\n-12\n+L\n 13\n");
        free(d);
        /* with 6 lines between (= 2*3) they merge */
        d = diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\nB\n3\n4\n5\n6\n7\n8\nI\n", 3, &h);
        assert_int_equal(h, 1);
        assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1,9 +1,9 @@\n 1\n-2\n+B\n 3\n 4\n 5\n 6\n"
                               " 7\n 8\n-9\n+I\n");
        free(d);
}

static void
test_create_and_delete_whole(void **state)
{
        size_t h;
        char *d = diff(NULL, "a: 1\nb: 2\n", 3, &h);
        assert_int_equal(h, 1);
        assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n");
        free(d);
        d = diff("a: 1\n", "", 3, &h);
        assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1 +0,0 @@\n-a: 1\n");
        free(d);
}

static void
test_insertions_deletions_minimal(void **state)
{
        size_t h;
        /* Myers finds the minimal script: one deletion, one insertion */
        char *d = diff("a\nb\nc\nd\n", "b\nc\nd\ne\n", 1, &h);
        assert_int_equal(h, 2);
        assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n b\n@@ -4 +3,2 @@\n d\n+e\n");
        free(d);
        /* a line without a final newline is still a line */
        d = diff("x\ny", "x\nz", 3, &h);
        assert_string_equal(d, "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n");
        free(d);
}

static void
test_bound_falls_back_to_replace(void **state)
{
        /* 400 lines all different: past a tiny bound, the middle is replaced whole */
        tm_buf a = TM_BUF_INIT, b = TM_BUF_INIT;
        for (int i = 0; i < 400; i++) {
                tm_buf_printf(&a, "a%d\n", i);
                tm_buf_printf(&b, "b%d\n", i);
        }
        tm_buf out = TM_BUF_INIT;
        eng_textdiff_opts o = ENG_TEXTDIFF_OPTS_INIT;
        o.max_edits = 10;
        size_t h = eng_textdiff(a.data, a.len, b.data, b.len, "a", "b", &o, &out);
        assert_int_equal(h, 1);
        assert_non_null(strstr(out.data, "@@ -1,400 +1,400 @@\n-a0\n"));
        assert_non_null(strstr(out.data, "-a399\n+b0\n"));
        tm_buf_free(&out);
        /* and the full algorithm interleaves nothing wrongly either */
        o.max_edits = 0;
        h = eng_textdiff(a.data, a.len, b.data, b.len, "a", "b", &o, &out);
        assert_int_equal(h, 1);
        tm_buf_free(&out);
        tm_buf_free(&a);
        tm_buf_free(&b);
}

static void
test_color(void **state)
{
        tm_buf out = TM_BUF_INIT;
        eng_textdiff_opts o = ENG_TEXTDIFF_OPTS_INIT;
        o.color = true;
        eng_textdiff("a\n", 2, "b\n", 2, "x", "y", &o, &out);
        assert_non_null(strstr(out.data, "\033[36m@@ -1 +1 @@\033[0m\n"));
        assert_non_null(strstr(out.data, "\033[31m-a\033[0m\n\033[32m+b\033[0m\n"));
        tm_buf_free(&out);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_equal_is_empty),
            cmocka_unit_test(test_one_change_with_context),
            cmocka_unit_test(test_two_hunks_and_merging),
            cmocka_unit_test(test_create_and_delete_whole),
            cmocka_unit_test(test_insertions_deletions_minimal),
            cmocka_unit_test(test_bound_falls_back_to_replace),
            cmocka_unit_test(test_color),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
