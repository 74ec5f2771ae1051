/* An image's USER resolved through its own /etc/passwd and /etc/group, as
 * containerd does, never reading outside the image's root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include "executors/image.h"

static char root[] = "/tmp/tm-imguser-XXXXXX";

static void
put(const char *rel, const char *text)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static int
setup(void **state)
{
        strcpy(root + sizeof(root) - 7, "XXXXXX");
        if (!mkdtemp(root))
                return -1;
        _cleanup_free_ char *etc = xasprintf("%s/etc", root);
        mkdir(etc, 0755);
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                          "# a comment\n"
                          "broken line\n"
                          "web:x:1000:1001:web:/home/web:/bin/sh\n"
                          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        put("etc/group", "root:x:0:\nstaff:x:50:web\nweb:x:1001:\n");
        return 0;
}

static int
teardown(void **state)
{
        tm_rm_rf(root, NULL);
        return 0;
}

static void
lookup_ok(const char *spec, uint32_t uid, uint32_t gid, bool named)
{
        uint32_t u = 99, g = 99;
        bool n = !named;
        tm_error err = {0};
        int r = exe_image_user_lookup(root, spec, &u, &g, &n, &err);
        if (r < 0)
                fail_msg("%s: %s", spec, err.msg);
        assert_int_equal(u, uid);
        assert_int_equal(g, gid);
        assert_int_equal(n, named);
}

static void
test_lookup(void **state)
{
        lookup_ok("", 0, 0, false);
        lookup_ok("0", 0, 0, false);
        lookup_ok("web", 1000, 1001, true);
        lookup_ok("1000", 1000, 1001, false); /* a known uid's primary group */
        lookup_ok("4242", 4242, 0, false);    /* unknown uid: group 0 */
        lookup_ok("web:staff", 1000, 50, true);
        lookup_ok("web:7", 1000, 7, true);
        lookup_ok("1000:50", 1000, 50, false);
        lookup_ok("nobody", 65534, 65534, true);

        uint32_t u, g;
        bool n;
        tm_error err = {0};
        assert_int_equal(exe_image_user_lookup(root, "ghost", &u, &g, &n, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "unable to find user ghost"));
        tm_error_clear(&err);
        assert_int_equal(exe_image_user_lookup(root, "web:nogroup", &u, &g, &n, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "unable to find group nogroup"));
        tm_error_clear(&err);
        assert_true(exe_image_user_lookup(root, "-1", &u, &g, &n, &err) < 0);
}

/* Links in the image resolve inside it, as if it were "/": an etc that
 * points at "../../../../real" reaches the image's /real, never the
 * host's; one that points at "/etc" is the image's own etc (a loop here),
 * never the host's /etc/passwd, which does name root. */
static void
test_no_escape(void **state)
{
        _cleanup_free_ char *etc = xasprintf("%s/etc", root);
        _cleanup_free_ char *real = xasprintf("%s/real", root);
        assert_int_equal(tm_rm_rf(etc, NULL), 0);
        assert_int_equal(mkdir(real, 0755), 0);
        put("real/passwd", "inside:x:7:8::/:/bin/sh\n");
        assert_int_equal(symlink("../../../../real", etc), 0);
        lookup_ok("inside", 7, 8, true);
        uint32_t u, g;
        bool n;
        tm_error err = {0};
        assert_int_equal(exe_image_user_lookup(root, "root", &u, &g, &n, &err), -ENOENT);
        unlink(etc);
        assert_int_equal(symlink("/etc", etc), 0);
        tm_error_clear(&err);
        assert_int_equal(exe_image_user_lookup(root, "root", &u, &g, &n, &err), -ENOENT);
        lookup_ok("0", 0, 0, false);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
            cmocka_unit_test_setup_teardown(test_no_escape, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
