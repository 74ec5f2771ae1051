/* `timone get` end to end in-process: a real state database with applied
 * objects and the controllers' pods, stdout captured. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "engine/cli_core.h"
#include "engine/plan.h"
#include "engine/podstore.h"
#include "engine/store.h"

static char *dir;

/* Runs eng_cli_get with argv, stdout and stderr into *out; returns its status. */
static int
run_get(char **out, int argc, char **argv)
{
        char path[] = "/tmp/timone-e-getout.XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        fflush(stdout);
        fflush(stderr);
        int o1 = dup(1), o2 = dup(2);
        dup2(fd, 1);
        dup2(fd, 2);
        int rc = eng_cli_get(argc, argv);
        fflush(stdout);
        fflush(stderr);
        dup2(o1, 1);
        dup2(o2, 2);
        close(o1);
        close(o2);
        close(fd);
        tm_error err = {0};
        size_t len = 0;
        assert_int_equal(tm_file_read(path, 1 << 20, out, &len, &err), 0);
        unlink(path);
        return rc;
}

static void
put_obj(eng_store *s, int64_t seq, const char *kind, const char *api, const char *ns,
        const char *name, const char *json)
{
        tm_error err = {0};
        _cleanup_free_ char *id =
            xasprintf("%s/%s/%s/%s", strcmp(api, "v1") ? "apps" : "", kind, ns, name);
        eng_put p = {id, api, kind, ns, name, "sha256:1", json, strlen(json), "rev", seq, 1000};
        assert_int_equal(eng_store_put(s, &p, &err), 0);
}

static int
setup(void **state)
{
        char tmpl[] = "/tmp/timone-e-getcli.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        dir = xstrdup(tmpl);
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, dir, true, &err), 0);
        assert_int_equal(eng_store_begin(s, &err), 0);
        eng_revision_info ri = {"rev", "test", NULL, NULL, NULL, 1000, 2, 0, 0};
        int64_t seq = 0;
        assert_int_equal(eng_store_add_revision(s, &ri, &seq, &err), 0);
        put_obj(s, seq, "Namespace", "v1", "", "shop",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\"}}");
        put_obj(
            s, seq, "Deployment", "apps/v1", "shop", "web",
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"labels\":"
            "{\"tier\":\"web\"},\"name\":\"web\",\"namespace\":\"shop\"},\"spec\":{\"replicas\":"
            "2}}");
        assert_int_equal(eng_store_commit(s, &err), 0);
        eng_store_close(s);

        eng_podstore *ps = NULL;
        assert_int_equal(eng_podstore_open(&ps, dir, true, &err), 0);
        eng_pods pods = ENG_PODS_INIT;
        const char *names[] = {"web-6f7c9-aaaaa", "web-6f7c9-bbbbb"};
        const char *uids[] = {"11111111-1111-4111-8111-111111111111",
                              "22222222-2222-4222-8222-222222222222"};
        for (int i = 0; i < 2; i++) {
                _cleanup_free_ char *json = xasprintf(
                    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"labels\":{\"tier\":"
                    "\"web\"},\"name\":\"%s\",\"namespace\":\"shop\",\"uid\":\"%s\"},\"spec\":"
                    "{\"containers\":[{\"image\":\"nginx\",\"name\":\"nginx\"}],\"nodeName\":"
                    "\"local\"}}",
                    names[i], uids[i]);
                res_value *obj = NULL;
                assert_int_equal(eng_value_from_json(json, strlen(json), &obj, &err), 0);
                eng_pod p = {(char *)uids[i],
                             "shop",
                             (char *)names[i],
                             "local",
                             "ReplicaSet",
                             "web-6f7c9",
                             "Deployment/web",
                             "6f7c9",
                             obj,
                             false,
                             false,
                             990};
                eng_pods_add_copy(&pods, &p);
                res_value_free(obj);
        }
        bool changed = false;
        assert_int_equal(eng_podstore_sync(ps, &pods, &changed, &err), 0);
        assert_true(changed);
        const char *st = "{\"phase\":\"Running\",\"podIP\":\"10.42.0.9\",\"containerStatuses\":"
                         "[{\"name\":\"nginx\",\"ready\":true,\"restartCount\":1,\"state\":"
                         "{\"running\":{}}}]}";
        assert_int_equal(eng_podstore_set_status(ps, uids[0], st, true, false, &changed, &err), 0);
        eng_pods_free(&pods);
        eng_podstore_close(ps);
        return 0;
}

static int
teardown(void **state)
{
        tm_error err = {0};
        tm_rm_rf(dir, &err);
        free(dir);
        return 0;
}

static void
test_get_pods_from_the_pod_store(void **state)
{
        char *out = NULL;
        char *argv[] = {"get", "pods", "-n", "shop", "-o", "wide", "--state", dir, NULL};
        assert_int_equal(run_get(&out, 8, argv), 0);
        if (!strstr(out, "web-6f7c9-aaaaa   1/1     Running             1          ") ||
            !strstr(out, "10.42.0.9   local") ||
            !strstr(out, "web-6f7c9-bbbbb   0/1     ContainerCreating   0"))
                fail_msg("got:\n%s", out);
        free(out);

        char *argv2[] = {"get", "po",   "-A",      "-l", "tier in (web,api)",
                         "-o",  "name", "--state", dir,  NULL};
        assert_int_equal(run_get(&out, 9, argv2), 0);
        assert_string_equal(out, "pod/web-6f7c9-aaaaa\npod/web-6f7c9-bbbbb\n");
        free(out);

        char *argv3[] = {"get", "pod",  "web-6f7c9-aaaaa", "-n", "shop",
                         "-o",  "yaml", "--state",         dir,  NULL};
        assert_int_equal(run_get(&out, 9, argv3), 0);
        if (!strstr(out, "status:\n  containerStatuses:\n") ||
            !strstr(out, "  uid: 11111111-1111-4111-8111-111111111111\n"))
                fail_msg("got:\n%s", out);
        free(out);
}

static void
test_get_deployment_counts_its_pods(void **state)
{
        char *out = NULL;
        char *argv[] = {"get", "deploy", "-n", "shop", "--state", dir, NULL};
        assert_int_equal(run_get(&out, 6, argv), 0);
        if (!strstr(out,
                    "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    1/2     2            1"))
                fail_msg("got:\n%s", out);
        free(out);
        char *argv2[] = {"get", "deploy", "api", "-n", "shop", "--state", dir, NULL};
        assert_int_equal(run_get(&out, 7, argv2), 1);
        assert_string_equal(out,
                            "Error from server (NotFound): deployments.apps \"api\" not found\n");
        free(out);
        char *argv3[] = {"get", "pods", "--state", dir, NULL};
        assert_int_equal(run_get(&out, 4, argv3), 0);
        assert_string_equal(out, "No resources found in default namespace.\n");
        free(out);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_get_pods_from_the_pod_store),
            cmocka_unit_test(test_get_deployment_counts_its_pods),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
