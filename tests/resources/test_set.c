/* Sets: files, kind: List, the same object twice, limits, awkward but
 * legal manifests. */
#include "test_object-helpers.h"

#include <errno.h>
#include <stdlib.h>

#include "common/mem.h"
#include "common/util.h"
#include "resources/object-internal.h"
#include "resources/yaml.h"

static const char cm_a[] =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n";

static void
test_list_expansion(void **state)
{
        static const char y[] = "apiVersion: v1\nkind: List\nitems:\n"
                                "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
                                "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n"
                                "  dta: {}\n"
                                "- apiVersion: v1\n  kind: Secret\n  metadata: {name: c}\n";
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load(y, &d);
        /* the bad item's error is at its own line */
        assert_int_equal(d.n, 1);
        assert_int_equal(d.items[0].line, 10);
        assert_int_equal(d.items[0].col, 3);
        assert_string_equal(d.items[0].path, "dta");
        assert_string_equal(d.items[0].name, "b");
        assert_int_equal(res_set_count(s), 2);
        assert_int_equal(res_object_line(res_set_find(s, "", "Secret", "default", "c")), 11);
        res_set_free(s);
        res_diags_free(&d);
}

static void
test_defined_twice_across_files(void **state)
{
        static const char b[] = "# again\n---\napiVersion: v1\nkind: ConfigMap\n"
                                "metadata: {name: a, namespace: shop}\ndata: {x: z}\n";
        res_set *s = res_set_new(NULL);
        res_diags d = RES_DIAGS_INIT;
        res_set_add_file(s, "a.yaml", cm_a, strlen(cm_a), &d);
        res_set_add_file(s, "b.yaml", b, strlen(b), &d);
        assert_int_equal(d.n, 0);
        assert_int_equal(res_set_finish(s, &d), -EINVAL);
        tm_buf out = TM_BUF_INIT;
        res_diags_format(&d, &out);
        assert_string_equal(out.data,
                            "b.yaml:3:1: ConfigMap shop/a: defined twice: also at a.yaml:1:1\n");
        assert_int_equal(res_set_count(s), 1);
        tm_buf_free(&out);
        res_diags_free(&d);
        res_set_free(s);
}

static void
test_same_name_other_kind_or_namespace(void **state)
{
        static const char y[] =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
            "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: shop}\n";
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load(y, &d);
        assert_int_equal(d.n, 0);
        assert_int_equal(res_set_count(s), 3);
        assert_non_null(res_set_find(s, "", "ConfigMap", "default", "a"));
        assert_non_null(res_set_find(s, "", "ConfigMap", "shop", "a"));
        assert_null(res_set_find(s, "", "ConfigMap", "other", "a"));
        res_set_free(s);
        res_diags_free(&d);
}

static void
test_max_objects(void **state)
{
        res_limits lim;
        res_limits_default(&lim);
        lim.max_objects = 3;
        tm_buf y = TM_BUF_INIT;
        for (int i = 0; i < 5; i++)
                tm_buf_printf(&y, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n",
                              i);
        res_set *s = res_set_new(&lim);
        res_diags d = RES_DIAGS_INIT;
        res_set_add_file(s, "m.yaml", y.data, y.len, &d);
        assert_int_equal(res_set_finish(s, &d), -EINVAL);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.items[0].msg, "too many objects: 5, the limit is 3");
        assert_true(res_set_count(s) <= 3);
        res_set_free(s);
        res_diags_free(&d);
        tm_buf_free(&y);
}

static void
test_awkward_but_legal(void **state)
{
        static const char *const ok[] = {
            "",
            "# only a comment\n",
            "---\n---\n# nothing\n---\n",
            "\xef\xbb\xbf"
            "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: bom\r\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"json\"}}",
            "apiVersion: v1\nkind: List\nitems: []\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n  annotations: ~\n"
            "data:\n  empty:\n  multi: |\n    line one\n    line two\n",
        };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                res_diags d = RES_DIAGS_INIT;
                res_set *s = res_set_new(NULL);
                res_set_add_file(s, "m.yaml", ok[i], strlen(ok[i]), &d);
                if (res_set_finish(s, &d) != 0) {
                        fprintf(stderr, "case %zu\n", i);
                        dump_diags(&d);
                        fail();
                }
                res_set_free(s);
                res_diags_free(&d);
        }
}

static void
test_syntax_error_reported(void **state)
{
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n", &d);
        assert_true(d.n >= 1);
        assert_string_equal(d.items[0].file, "m.yaml");
        assert_true(d.items[0].line >= 3);
        assert_int_equal(res_set_count(s), 0);
        res_set_free(s);
        res_diags_free(&d);
}

/* A file bigger than one decoding batch: positions, limits and the objects
 * are those of one whole-file decode. */
static void
test_big_file_batches(void **state)
{
        tm_buf y = TM_BUF_INIT;
        int n = 3000;
        for (int i = 0; i < n; i++) {
                if (i == 2500)
                        tm_buf_puts(&y,
                                    "---\napiVersion: v1\nkind: ConfigMap\n"
                                    "metadata:\n  name: bad\ndata:\n  k: |\n    --- not a marker\n"
                                    "  num: 1\n");
                tm_buf_printf(&y,
                              "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n"
                              "data: {k: \"v%d\"}\n",
                              i, i);
        }
        /* 2500 docs of 5 lines before the bad one: its "num: 1" is line
         * 2500 * 5 + 9, value at column 8 */
        res_set *s = res_set_new(NULL);
        res_diags d = RES_DIAGS_INIT;
        assert_true(y.len > 128 * 1024);
        res_set_add_file(s, "big.yaml", y.data, y.len, &d);
        assert_int_equal(res_set_finish(s, &d), -EINVAL);
        if (d.n != 1)
                dump_diags(&d);
        assert_int_equal(d.n, 1);
        assert_int_equal(d.items[0].line, 2500 * 5 + 9);
        assert_int_equal(d.items[0].col, 8);
        assert_string_equal(d.items[0].path, "data.num");
        assert_int_equal(res_set_count(s), (size_t)n);
        const res_object *o = res_set_find(s, "", "ConfigMap", "default", "c2999");
        assert_non_null(o);
        assert_int_equal(res_object_line(o), 2999 * 5 + 9 + 2);
        res_set_free(s);
        res_diags_free(&d);

        /* the document limit is the file's, across batches */
        res_limits lim;
        res_limits_default(&lim);
        lim.max_docs = 2000;
        s = res_set_new(&lim);
        res_set_add_file(s, "big.yaml", y.data, y.len, &d);
        assert_true(d.n >= 1);
        assert_non_null(strstr(d.items[0].msg, "more than 2000 documents"));
        assert_int_equal(d.items[0].line, 2000 * 5 + 1);
        res_set_free(s);
        res_diags_free(&d);
        tm_buf_free(&y);
}

static char *
fixture(const char *name, size_t *len)
{
        const char *src = getenv("TIMONE_SRCDIR");
        char *path = xasprintf("%s/tests/resources/fixtures/objects/%s", src ? src : ".", name);
        char *data = NULL;
        tm_error err = {0};
        if (tm_file_read(path, 1 << 20, &data, len, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                fail();
        }
        free(path);
        return data;
}

/* Manifests as kubectl prints them decode as they are. */
static void
test_fixtures_valid(void **state)
{
        static const char *const files[] = {"valid/exported-deployment.yaml", "valid/dry-run.yaml"};
        res_set *s = res_set_new(NULL);
        res_diags d = RES_DIAGS_INIT;
        for (size_t i = 0; i < 2; i++) {
                size_t len;
                char *data = fixture(files[i], &len);
                res_set_add_file(s, files[i], data, len, &d);
                free(data);
        }
        if (res_set_finish(s, &d) != 0)
                dump_diags(&d);
        assert_int_equal(d.n, 0);
        assert_int_equal(res_set_count(s), 7);
        const res_object *o = res_set_find(s, "apps", "Deployment", "shop", "web");
        assert_non_null(o);
        const char *json = res_object_canonical_json(o);
        assert_null(strstr(json, "managedFields"));
        assert_null(strstr(json, "resourceVersion"));
        assert_null(strstr(json, "availableReplicas"));
        assert_non_null(strstr(json, "last-applied-configuration"));
        /* the export and a minimal manifest of the same Deployment hash alike */
        static const char minimal[] =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n"
            "  labels: {app: web}\n  annotations:\n    deployment.kubernetes.io/revision: \"1\"\n"
            "    kubectl.kubernetes.io/last-applied-configuration: |\n"
            "      "
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},"
            "\"name\":\"web\",\"namespace\":\"shop\"}}\n"
            "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
            "  template:\n    metadata: {labels: {app: web}}\n"
            "    spec:\n      containers:\n      - {name: nginx, image: nginx:1.25, resources: {},"
            " ports: [{containerPort: 80}]}\n";
        res_set *m;
        const res_object *mo = load_one(minimal, &m);
        assert_string_equal(res_object_hash(mo), res_object_hash(o));
        res_set_free(m);
        res_set_free(s);
        res_diags_free(&d);
}

/* Every mistake of a file at once, each at its place, as the golden file
 * says; the secret's value is in no message. */
static void
test_fixtures_invalid(void **state)
{
        size_t len, glen;
        char *data = fixture("invalid/mistakes.yaml", &len);
        char *golden = fixture("invalid/mistakes.errors", &glen);
        res_set *s = res_set_new(NULL);
        res_diags d = RES_DIAGS_INIT;
        res_set_add_file(s, "mistakes.yaml", data, len, &d);
        assert_int_equal(res_set_finish(s, &d), -EINVAL);
        res_diags_sort(&d);
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&d, &b);
        if (getenv("R2_PRINT"))
                fprintf(stderr, "%s", b.data);
        assert_string_equal(b.data, golden);
        assert_null(strstr(b.data, "hunter2"));
        tm_buf_free(&b);
        res_set_free(s);
        res_diags_free(&d);
        free(data);
        free(golden);
}

/* A set decodes in batches into an arena that defaults then add to; a lone
 * object is decoded on the heap. Both must make the same objects, through
 * every path that grows, replaces or drops parts of a tree: defaults added
 * to decoded maps, limits copied to requests, stringData merged and
 * dropped, base64 re-encoded, quantities respelled, null items and values
 * filled in, anchors and merge keys, a cluster-scoped namespace dropped. */
static void
test_arena_same_as_heap(void **state)
{
        static const char y[] =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
            "spec:\n  selector: {matchLabels: &l {app: web}}\n"
            "  template:\n    metadata: {labels: *l}\n    spec:\n"
            "      containers:\n      - &c {name: a, image: nginx, ports: [{containerPort: 80}],\n"
            "          resources: {limits: {cpu: 1, memory: 1024}}}\n"
            "      - <<: *c\n        name: b\n        resources: {limits: {memory: 1.5Gi}}\n"
            "      volumes: [{name: v}]\n"
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n"
            "spec:\n  hostNetwork: true\n  containers:\n"
            "  - {name: a, image: 'x:latest', ports: [{containerPort: 81}],\n"
            "     resources: {limits: {cpu: 500m, memory: 64Mi}},\n"
            "     livenessProbe: {httpGet: {port: 81}},\n"
            "     env: [{name: E, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}\n"
            "---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\n"
            "data: {a: aGVsbG8=, b: \"aGk=\\n\"}\nstringData: {c: hunter2, a: over}\n"
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n"
            "data:\n  empty:\n  text: \"a \\\"quoted\\\" \\u00e9 line\\n\"\n"
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
            "spec: {selector: {app: web}, ports: [{port: 80, name: web}, {port: 443, name: tls}]}\n"
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop, namespace: x}\n"
            "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\n"
            "metadata: {name: fast}\nprovisioner: x\n";
        for (size_t batch = 16; batch <= 1u << 20; batch *= 256) {
                res_set *s = res_set_new(NULL);
                res_set_set_batch_bytes(s, batch);
                res_diags d = RES_DIAGS_INIT;
                res_set_add_file(s, "m.yaml", y, strlen(y), &d);
                res_set_finish(s, &d);
                if (d.n)
                        dump_diags(&d);
                assert_int_equal(d.n, 0);
                assert_int_equal(res_set_count(s), 7);

                res_doc *docs = NULL;
                size_t n = 0;
                assert_int_equal(res_yaml_decode("m.yaml", y, strlen(y), NULL, &docs, &n, &d), 0);
                assert_int_equal(n, 7);
                for (size_t i = 0; i < n; i++) {
                        res_object *o = NULL;
                        res_value *root = docs[i].root;
                        docs[i].root = NULL;
                        assert_int_equal(res_object_from_value(root, "m.yaml", &o, &d), 0);
                        const res_object *a =
                            res_set_find(s, res_object_group(o), res_object_kind(o),
                                         res_object_namespace(o), res_object_name(o));
                        assert_non_null(a);
                        assert_string_equal(res_object_canonical_json(a),
                                            res_object_canonical_json(o));
                        assert_string_equal(res_object_hash(a), res_object_hash(o));
                        assert_int_equal(res_object_line(a), res_object_line(o));
                        res_object_unref(o);
                }
                const res_object *sec = res_set_find(s, "", "Secret", "shop", "s");
                assert_non_null(strstr(res_object_canonical_json(sec), "\"a\":\"b3Zlcg==\""));
                assert_null(strstr(res_object_canonical_json(sec), "stringData"));
                res_docs_free(docs, n);
                res_diags_free(&d);
                res_set_free(s);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_list_expansion),
            cmocka_unit_test(test_defined_twice_across_files),
            cmocka_unit_test(test_same_name_other_kind_or_namespace),
            cmocka_unit_test(test_max_objects),
            cmocka_unit_test(test_awkward_but_legal),
            cmocka_unit_test(test_syntax_error_reported),
            cmocka_unit_test(test_big_file_batches),
            cmocka_unit_test(test_fixtures_valid),
            cmocka_unit_test(test_fixtures_invalid),
            cmocka_unit_test(test_arena_same_as_heap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
