/* Image reference normalisation (executors/image-ref.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "executors/image.h"

static void
check(const char *in, const char *want)
{
        tm_error err = {0};
        char *out = NULL;
        int r = exe_image_ref_normalize(in, &out, &err);
        if (!want) {
                if (r == 0)
                        fail_msg("\"%s\" normalised to \"%s\", want an error", in, out);
                assert_int_equal(r, -EINVAL);
                assert_non_null(strstr(err.msg, in));
                return;
        }
        if (r < 0)
                fail_msg("\"%s\": %s", in, err.msg);
        assert_string_equal(out, want);
        free(out);
}

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_normalize(void **state)
{
        check("busybox", "docker.io/library/busybox:latest");
        check("busybox:1.35", "docker.io/library/busybox:1.35");
        check("library/busybox", "docker.io/library/busybox:latest");
        check("docker.io/busybox", "docker.io/library/busybox:latest");
        check("index.docker.io/library/busybox:1", "docker.io/library/busybox:1");
        check("user/app", "docker.io/user/app:latest");
        check("myreg:5000/app:v1", "myreg:5000/app:v1");
        check("localhost/app", "localhost/app:latest");
        check("localhost:5000/a/b/c:tag_1.0-x", "localhost:5000/a/b/c:tag_1.0-x");
        check("ghcr.io/org/my-app.x__y:V2", "ghcr.io/org/my-app.x__y:V2");
        check("busybox@" D64, "docker.io/library/busybox@" D64);
        check("busybox:1.35@" D64, "docker.io/library/busybox:1.35@" D64);
        check("[::1]:5000/app", "[::1]:5000/app:latest");
        check("", NULL);
        check("BusyBox", NULL);
        check("busybox:", NULL);
        check("busybox:-bad", NULL);
        check("busybox@sha256:abc", NULL);
        check("a//b", NULL);
        check("app/", NULL);
        check("my reg/app", NULL);
        check("app..x", NULL);
        check("-app", NULL);
}

static void
test_is_id(void **state)
{
        assert_true(exe_image_ref_is_id(D64));
        assert_false(exe_image_ref_is_id("sha256:0123"));
        assert_false(exe_image_ref_is_id("busybox"));
        assert_false(exe_image_ref_is_id(
                "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalize),
                cmocka_unit_test(test_is_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
