#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/mem.h"

static void
test_buf_printf_and_json(void **state)
{
        tm_buf b = TM_BUF_INIT;
        tm_buf_printf(&b, "%d-%s", 42, "x");
        assert_string_equal(b.data, "42-x");
        tm_buf_reset(&b);
        tm_buf_put_json_string(&b, "a\"b\\\n\x01", 6);
        assert_string_equal(b.data, "\"a\\\"b\\\\\\n\\u0001\"");
        char *s = tm_buf_steal(&b);
        assert_null(b.data);
        free(s);
        tm_buf_free(&b);
}

static void
test_error_wrap(void **state)
{
        tm_error err = {0};
        assert_int_equal(tm_error_set(&err, -22, "bad %s", "thing"), -22);
        tm_error_wrap(&err, "apply pod `%s`", "web");
        assert_string_equal(err.msg, "apply pod `web`: bad thing");
        assert_int_equal(err.code, -22);
}

static void
test_sha256(void **state)
{
        char hex[65];
        tm_sha256_hex("abc", 3, hex);
        assert_string_equal(hex,
                            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_grow(void **state)
{
        int *a = NULL;
        size_t cap = 0;
        for (int i = 0; i < 1000; i++) {
                TM_GROW(a, cap, (size_t)i + 1);
                a[i] = i;
        }
        assert_true(cap >= 1000);
        assert_int_equal(a[999], 999);
        free(a);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_buf_printf_and_json),
            cmocka_unit_test(test_error_wrap),
            cmocka_unit_test(test_sha256),
            cmocka_unit_test(test_grow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
