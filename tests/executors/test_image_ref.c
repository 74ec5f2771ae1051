/* Image reference normalisation (executors/image-ref.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "executors/image-internal.h"
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

static void
test_config(void **state)
{
        static const char cfg[] =
            "{\"created\":\"2024-01-02T03:04:05.5Z\",\"config\":{\"Entrypoint\":[\"/bin/"
            "sh\",\"-c\"],"
            "\"Cmd\":[\"echo hi\"],\"Env\":[\"A=1\",\"PATH=/bin\"],\"WorkingDir\":\"/w\","
            "\"User\":\"65534:65534\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
        exe_image_config *c = NULL;
        int64_t created = 0;
        tm_error err = {0};
        assert_int_equal(img_parse_config(cfg, strlen(cfg), &c, &created, &err), 0);
        assert_string_equal(c->entrypoint[0], "/bin/sh");
        assert_string_equal(c->entrypoint[1], "-c");
        assert_null(c->entrypoint[2]);
        assert_string_equal(c->cmd[0], "echo hi");
        assert_string_equal(c->env[1], "PATH=/bin");
        assert_string_equal(c->workdir, "/w");
        assert_string_equal(c->user, "65534:65534");
        assert_int_equal(created, 1704164645);
        exe_image_config_free(c);
        static const char bad[] = "{\"config\":{\"Env\":[\"A=1\",7]}}";
        assert_int_equal(img_parse_config(bad, strlen(bad), &c, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "Env"));
        static const char empty[] = "{}";
        assert_int_equal(img_parse_config(empty, 2, &c, NULL, &err), 0);
        assert_null(c->cmd);
        assert_null(c->entrypoint);
        exe_image_config_free(c);
}

static void
test_index_platform(void **state)
{
        static const char idx[] =
            "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
            "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64 "\",\"size\":7,"
            "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"},"
            "\"annotations\":{\"org.opencontainers.image.ref.name\":\"a:1\","
            "\"io.containerd.image.name\":\"docker.io/x/a:1\"}}]}";
        img_desc *d = NULL;
        size_t n = 0;
        tm_error err = {0};
        assert_int_equal(img_parse_index(idx, strlen(idx), &d, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(d[0].digest, D64);
        assert_int_equal(d[0].size, 7);
        assert_string_equal(d[0].arch, "arm");
        assert_string_equal(d[0].variant, "v7");
        assert_string_equal(d[0].ref_name, "docker.io/x/a:1");
        assert_true(img_media_is_manifest(d[0].media_type));
        img_descs_free(d, n);
        static const char neg[] = "{\"manifests\":[{\"digest\":\"" D64 "\",\"size\":-1}]}";
        assert_int_equal(img_parse_index(neg, strlen(neg), &d, &n, &err), -EINVAL);
        static const char dup[] = "{\"manifests\":[],\"manifests\":[]}";
        assert_int_equal(img_parse_index(dup, strlen(dup), &d, &n, &err), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_normalize),
            cmocka_unit_test(test_is_id),
            cmocka_unit_test(test_config),
            cmocka_unit_test(test_index_platform),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
