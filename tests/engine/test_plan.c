#include <errno.h>
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
#include "engine/plan.h"
#include "resources/object.h"

static const char *v1_yaml =
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    "---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: shop\n"
    "data:\n  index.html: hello\n  other: same\n"
    "---\n"
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: old\n  namespace: shop\n"
    "spec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n"
    "---\n"
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n"
    "data:\n  password: b2xkLXBhc3M=\n  user: YWRtaW4=\n";

static const char *v2_yaml =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
    "spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n"
    "  template:\n    metadata:\n      labels:\n        app: web\n"
    "    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n"
    "---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: shop\n"
    "data:\n  index.html: hello world\n  other: same\n"
    "---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
    "---\n"
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n"
    "data:\n  password: bmV3LXBhc3M=\n  user: YWRtaW4=\n";

static res_set *
build(const char *file, const char *yaml)
{
        res_set *s = res_set_new(NULL);
        res_diags d = RES_DIAGS_INIT;
        res_set_add_file(s, file, yaml, strlen(yaml), &d);
        int r = res_set_finish(s, &d);
        if (r < 0 || d.n) {
                tm_buf b = TM_BUF_INIT;
                res_diags_format(&d, &b);
                fail_msg("manifest invalid: %s", b.data);
        }
        res_diags_free(&d);
        return s;
}

/* The actual state as if `set` had been applied. */
static void
rows_of(const res_set *set, eng_rows *rows)
{
        for (size_t i = 0; i < res_set_count(set); i++) {
                const res_object *o = res_set_at(set, i);
                eng_rows_add(rows, res_object_id(o), res_object_hash(o), res_object_api_version(o),
                             res_object_kind(o), res_object_namespace(o), res_object_name(o));
        }
}

static const char *
json_of(const res_set *set, const char *id)
{
        for (size_t i = 0; i < res_set_count(set); i++)
                if (strcmp(res_object_id(res_set_at(set, i)), id) == 0)
                        return res_object_canonical_json(res_set_at(set, i));
        return NULL;
}

static void
test_empty_state_creates_in_order(void **state)
{
        res_set *set = build("m.yaml", v2_yaml);
        eng_plan *p = NULL;
        res_diags d = RES_DIAGS_INIT;
        assert_int_equal(eng_plan_build(set, NULL, &p, &d), 0);
        assert_int_equal(eng_plan_count(p), 4);
        const char *kinds[] = {"Namespace", "ConfigMap", "Secret", "Deployment"};
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(eng_plan_get(p, i)->type, ENG_ACT_CREATE);
                assert_string_equal(eng_plan_get(p, i)->kind, kinds[i]);
        }
        assert_true(eng_plan_has_changes(p));
        eng_plan_free(p);
        res_set_free(set);
}

static void
test_update_prune_unchanged(void **state)
{
        res_set *old = build("m.yaml", v1_yaml), *set = build("m.yaml", v2_yaml);
        eng_rows rows = ENG_ROWS_INIT;
        rows_of(old, &rows);
        eng_plan *p = NULL;
        res_diags d = RES_DIAGS_INIT;
        assert_int_equal(eng_plan_build(set, &rows, &p, &d), 0);
        size_t c[4];
        eng_plan_summary(p, c);
        assert_int_equal(c[ENG_ACT_CREATE], 1);
        assert_int_equal(c[ENG_ACT_UPDATE], 2);
        assert_int_equal(c[ENG_ACT_PRUNE], 1);
        assert_int_equal(c[ENG_ACT_UNCHANGED], 1);
        /* applies in kind order, the prune last */
        assert_string_equal(eng_plan_get(p, 0)->kind, "Namespace");
        assert_int_equal(eng_plan_get(p, 0)->type, ENG_ACT_UNCHANGED);
        assert_string_equal(eng_plan_get(p, 1)->kind, "ConfigMap");
        assert_int_equal(eng_plan_get(p, 1)->type, ENG_ACT_UPDATE);
        assert_string_equal(eng_plan_get(p, 2)->kind, "Secret");
        assert_string_equal(eng_plan_get(p, 3)->kind, "Deployment");
        assert_int_equal(eng_plan_get(p, 4)->type, ENG_ACT_PRUNE);
        assert_string_equal(eng_plan_get(p, 4)->kind, "Service");
        assert_string_equal(eng_plan_get(p, 4)->name, "old");
        assert_string_equal(eng_plan_get(p, 4)->ns, "shop");

        for (size_t i = 0; i < eng_plan_count(p); i++) {
                const eng_action *a = eng_plan_get(p, i);
                if (a->type != ENG_ACT_UPDATE && a->type != ENG_ACT_PRUNE)
                        continue;
                const char *j = json_of(old, a->id);
                tm_error err = {0};
                assert_int_equal(eng_plan_set_old(p, i, j, strlen(j), &err), 0);
        }
        assert_int_equal(eng_plan_get(p, 1)->n_paths, 1);
        assert_string_equal(eng_plan_get(p, 1)->paths[0], "data.index.html");
        assert_int_equal(eng_plan_get(p, 2)->n_paths, 1);
        assert_string_equal(eng_plan_get(p, 2)->paths[0], "data.password");

        tm_buf out = TM_BUF_INIT;
        eng_diffout_opts o = {false, false, NULL};
        eng_plan_print_text(p, &o, &out);
        const char *head = "~ ConfigMap shop/web-config              updated   (data.index.html)\n"
                           "~ Secret shop/db                         updated   (data.password)\n"
                           "+ Deployment shop/web                    created\n"
                           "- Service shop/old                       pruned\n"
                           "1 to create, 2 to update, 1 to prune, 1 unchanged\n\n";
        if (strncmp(out.data, head, strlen(head)) != 0)
                fail_msg("got:\n%s", out.data);
        assert_non_null(strstr(out.data, "--- a/v1.ConfigMap.shop.web-config\n"
                                         "+++ b/v1.ConfigMap.shop.web-config\n"));
        assert_non_null(strstr(out.data, "-  index.html: hello\n+  index.html: hello world\n"));
        assert_non_null(strstr(out.data, "--- /dev/null\n+++ b/apps.v1.Deployment.shop.web\n"));
        assert_non_null(strstr(out.data, "+++ /dev/null\n"));
        /* secrets: a marker, never a value (base64 or decoded) */
        assert_non_null(strstr(out.data, "-  password: \"*** (before)\"\n"));
        assert_non_null(strstr(out.data, "+  password: \"*** (after)\"\n"));
        assert_null(strstr(out.data, "bmV3LXBhc3M"));
        assert_null(strstr(out.data, "b2xkLXBhc3M"));
        assert_null(strstr(out.data, "YWRtaW4"));
        assert_null(strstr(out.data, "new-pass"));
        tm_buf_reset(&out);

        eng_plan_print_json(p, "sha256:abc", "./m", NULL, &out);
        assert_non_null(strstr(out.data, "\"summary\": {\n    \"create\": 1,\n    \"update\": 2,"));
        assert_non_null(strstr(out.data, "\"changedPaths\": [\n        \"data.index.html\"\n"));
        assert_null(strstr(out.data, "bmV3LXBhc3M"));
        assert_null(strstr(out.data, "YWRtaW4"));
        assert_non_null(strstr(out.data, "\"action\": \"prune\""));
        tm_buf_free(&out);

        eng_plan_free(p);
        eng_rows_free(&rows);
        res_set_free(old);
        res_set_free(set);
}

static void
test_same_set_is_unchanged(void **state)
{
        res_set *set = build("m.yaml", v2_yaml);
        eng_rows rows = ENG_ROWS_INIT;
        rows_of(set, &rows);
        eng_plan *p = NULL;
        res_diags d = RES_DIAGS_INIT;
        assert_int_equal(eng_plan_build(set, &rows, &p, &d), 0);
        assert_false(eng_plan_has_changes(p));
        tm_buf out = TM_BUF_INIT;
        eng_plan_print_text(p, NULL, &out);
        assert_string_equal(out.data, "0 to create, 0 to update, 0 to prune, 4 unchanged\n");
        tm_buf_free(&out);
        eng_plan_free(p);
        eng_rows_free(&rows);
        res_set_free(set);
}

static void
test_prunes_in_reverse_order(void **state)
{
        res_set *old = build("m.yaml", v2_yaml);
        res_set *set = build("e.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");
        eng_rows rows = ENG_ROWS_INIT;
        rows_of(old, &rows);
        eng_plan *p = NULL;
        res_diags d = RES_DIAGS_INIT;
        assert_int_equal(eng_plan_build(set, &rows, &p, &d), 0);
        assert_int_equal(eng_plan_count(p), 5);
        assert_int_equal(eng_plan_get(p, 0)->type, ENG_ACT_CREATE);
        const char *kinds[] = {"Deployment", "Secret", "ConfigMap", "Namespace"};
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(eng_plan_get(p, i + 1)->type, ENG_ACT_PRUNE);
                assert_string_equal(eng_plan_get(p, i + 1)->kind, kinds[i]);
        }
        eng_plan_free(p);
        eng_rows_free(&rows);
        res_set_free(old);
        res_set_free(set);
}

static void
test_missing_namespace_is_an_error(void **state)
{
        res_set *set =
            build("apps/web.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                                   "  namespace: kube-system\n"
                                   "---\n"
                                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"
                                   "  namespace: shop\ndata: {}\n");
        eng_plan *p = NULL;
        res_diags d = RES_DIAGS_INIT;
        assert_int_equal(eng_plan_build(set, NULL, &p, &d), -EINVAL);
        assert_null(p);
        assert_int_equal(d.n, 1);
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&d, &b);
        assert_string_equal(b.data, "apps/web.yaml:7:1: ConfigMap shop/web: metadata.namespace: "
                                    "namespaces \"shop\" not found\n");
        tm_buf_free(&b);
        res_diags_free(&d);
        res_set_free(set);
}

static void
test_diff_paths(void **state)
{
        tm_error err = {0};
        res_value *a = NULL, *b = NULL;
        const char *ja =
            "{\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":"
            "[{\"image\":\"a\",\"name\":\"c\"}]}}},\"metadata\":{\"labels\":{\"x\":\"1\"}}}";
        const char *jb = "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":"
                         "[{\"image\":\"b\",\"name\":\"c\"},{\"name\":\"d\"}]}}},\"metadata\":{}}";
        assert_int_equal(eng_value_from_json(ja, strlen(ja), &a, &err), 0);
        assert_int_equal(eng_value_from_json(jb, strlen(jb), &b, &err), 0);
        char *paths[8];
        size_t n = eng_value_diff_paths(a, b, paths, 8);
        assert_int_equal(n, 4);
        assert_string_equal(paths[0], "spec.replicas");
        assert_string_equal(paths[1], "spec.template.spec.containers[0].image");
        assert_string_equal(paths[2], "spec.template.spec.containers[1]");
        assert_string_equal(paths[3], "metadata.labels");
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        n = eng_value_diff_paths(a, b, paths, 1);
        assert_true(n > 1);
        free(paths[0]);
        assert_int_equal(eng_value_diff_paths(a, a, paths, 8), 0);
        res_value_free(a);
        res_value_free(b);
}

static void
test_json_reader(void **state)
{
        tm_error err = {0};
        res_value *v = NULL;
        const char *j = " {\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"i\":-42,\"f\":1.5e3,"
                        "\"big\":123456789012,\"t\":true,\"n\":null,\"e\":{},\"a\":[1,[],\"x\"]} ";
        assert_int_equal(eng_value_from_json(j, strlen(j), &v, &err), 0);
        assert_string_equal(res_get_str(v, "s", NULL), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
        assert_int_equal(res_get_int(v, "i", 0), -42);
        assert_int_equal(res_map_get(v, "f")->type, RES_FLOAT);
        assert_true(res_map_get(v, "f")->u.f == 1500.0);
        assert_int_equal(res_get_int(v, "big", 0), 123456789012LL);
        assert_true(res_get_bool(v, "t", false));
        assert_int_equal(res_map_get(v, "n")->type, RES_NULL);
        assert_int_equal(res_map_get(v, "e")->type, RES_MAP);
        assert_int_equal(res_map_get(v, "a")->n, 3);
        res_value_free(v);
        const char *bad[] = {"",
                             "{",
                             "{\"a\"}",
                             "[1,]",
                             "{\"a\":1,}",
                             "\"\\ud800\"",
                             "tru",
                             "[1] x",
                             "\"a\x01\"",
                             "01x",
                             "{\"a\":\"\\q\"}",
                             "1.",
                             "-",
                             "1e",
                             ".5",
                             "{\"b\":1,\"a\":2,\"b\":3}",
                             "{\"a\":1,\"a\":1}",
                             "{\"a\\u0000b\":1}",
                             "1e400",
                             "[-1e999]"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                v = NULL;
                if (eng_value_from_json(bad[i], strlen(bad[i]), &v, &err) == 0)
                        fail_msg("accepted bad JSON %s", bad[i]);
        }
        /* nesting is bounded */
        tm_buf deep = TM_BUF_INIT;
        for (int i = 0; i < 1000; i++)
                tm_buf_putc(&deep, '[');
        for (int i = 0; i < 1000; i++)
                tm_buf_putc(&deep, ']');
        assert_int_equal(eng_value_from_json(deep.data, deep.len, &v, &err), -EBADMSG);
        tm_buf_free(&deep);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty_state_creates_in_order),
            cmocka_unit_test(test_update_prune_unchanged),
            cmocka_unit_test(test_same_set_is_unchanged),
            cmocka_unit_test(test_prunes_in_reverse_order),
            cmocka_unit_test(test_missing_namespace_is_an_error),
            cmocka_unit_test(test_diff_paths),
            cmocka_unit_test(test_json_reader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
