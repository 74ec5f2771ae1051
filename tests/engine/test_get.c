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
#include "engine/get.h"

static eng_record
rec(const char *kind, const char *ns, const char *name, const char *json, int64_t created)
{
        eng_record r = {0};
        r.id = xasprintf("/%s/%s/%s", kind, ns, name);
        r.api_version = xstrdup("v1");
        r.kind = xstrdup(kind);
        r.ns = xstrdup(ns);
        r.name = xstrdup(name);
        r.hash = xstrdup("sha256:00");
        r.revision = xstrdup("rev");
        r.uid = xstrdup("0b7ad5c4-7c1e-4d1a-9f5e-2f4f6d7a8b9c");
        r.generation = 3;
        r.created_at = created;
        r.updated_at = created;
        r.json = xstrdup(json);
        r.json_len = strlen(json);
        return r;
}

static void
free_recs(eng_record *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                eng_record_clear(&r[i]);
}

static void
test_service_table(void **state)
{
        eng_record r[2] = {
            rec("Service", "shop", "web",
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\","
                "\"namespace\":\"shop\",\"labels\":{\"b\":\"2\",\"a\":\"1\"}},\"spec\":{\"type\":"
                "\"NodePort\",\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80,\"nodePort\":"
                "30080,\"protocol\":\"TCP\"},{\"port\":53,\"protocol\":\"UDP\"}]}}",
                1000),
            rec("Service", "shop", "external-db",
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"external-"
                "db\","
                "\"namespace\":\"shop\"},\"spec\":{\"type\":\"ExternalName\",\"externalName\":"
                "\"db.example.com\"}}",
                1000 - 3 * 3600),
        };
        const res_kind_info *k = res_kind_lookup("svc");
        assert_non_null(k);
        tm_buf out = TM_BUF_INIT;
        eng_get_opts o = {.now = 1000 + 125};
        eng_get_table(k, r, 2, &o, &out);
        assert_string_equal(
            out.data,
            "NAME          TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)               AGE\n"
            "web           NodePort       <none>       <none>           80:30080/TCP,53/UDP   "
            "2m5s\n"
            "external-db   ExternalName   <none>       db.example.com   <none>                "
            "3h2m\n");
        tm_buf_reset(&out);
        o.wide = true;
        o.all_namespaces = true;
        o.show_labels = true;
        o.no_headers = true;
        eng_get_table(k, r, 1, &o, &out);
        assert_string_equal(out.data,
                            "shop   web   NodePort   <none>   <none>   80:30080/TCP,53/UDP   "
                            "2m5s   app=web   a=1,b=2\n");
        tm_buf_free(&out);
        free_recs(r, 2);
}

static void
test_config_secret_ns_tables(void **state)
{
        eng_record cm =
            rec("ConfigMap", "default", "cfg",
                "{\"data\":{\"a\":\"1\",\"b\":\"2\"},\"binaryData\":{\"c\":\"AA==\"}}", 0);
        eng_record sec = rec("Secret", "default", "tls",
                             "{\"type\":\"kubernetes.io/tls\",\"data\":{\"tls.crt\":\"QQ==\","
                             "\"tls.key\":\"Qg==\"}}",
                             0);
        eng_record ns = rec("Namespace", "", "shop", "{}", 0);
        tm_buf out = TM_BUF_INIT;
        eng_get_opts o = {.now = 30};
        eng_get_table(res_kind_lookup("cm"), &cm, 1, &o, &out);
        assert_string_equal(out.data, "NAME   DATA   AGE\ncfg    3      30s\n");
        tm_buf_reset(&out);
        eng_get_table(res_kind_lookup("secrets"), &sec, 1, &o, &out);
        assert_string_equal(out.data, "NAME   TYPE                DATA   AGE\n"
                                      "tls    kubernetes.io/tls   2      30s\n");
        tm_buf_reset(&out);
        o.all_namespaces = true; /* cluster-scoped: no NAMESPACE column */
        eng_get_table(res_kind_lookup("ns"), &ns, 1, &o, &out);
        assert_string_equal(out.data, "NAME   STATUS   AGE\nshop   Active   30s\n");
        tm_buf_reset(&out);
        o.all_namespaces = false;
        o.with_kind = true;
        eng_get_table(res_kind_lookup("configmaps"), &cm, 1, &o, &out);
        assert_string_equal(out.data, "NAME            DATA   AGE\nconfigmap/cfg   3      30s\n");
        tm_buf_free(&out);
        eng_record_clear(&cm);
        eng_record_clear(&sec);
        eng_record_clear(&ns);
}

static void
test_deployment_and_pod_tables(void **state)
{
        eng_record d = rec("Deployment", "shop", "web",
                           "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":"
                           "[{\"name\":\"a\",\"image\":\"nginx\"}]}}}}",
                           0);
        eng_record p = rec("Pod", "shop", "solo",
                           "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}", 0);
        tm_buf out = TM_BUF_INIT;
        eng_get_opts o = {.now = 86400 * 3};
        eng_get_table(res_kind_lookup("deployments.apps"), &d, 1, &o, &out);
        assert_string_equal(out.data, "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
                                      "web    0/3     0            0           3d\n");
        tm_buf_reset(&out);
        eng_get_table(res_kind_lookup("po"), &p, 1, &o, &out);
        assert_string_equal(out.data, "NAME   READY   STATUS    RESTARTS   AGE\n"
                                      "solo   0/2     Pending   0          3d\n");
        /* a pod its node reported on, and the deployment counting it */
        tm_buf_reset(&out);
        eng_record run = rec("Pod", "shop", "web-7d9f-abcde",
                             "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}", 0);
        run.status = xstrdup("{\"phase\":\"Running\",\"podIP\":\"10.42.0.7\","
                             "\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,"
                             "\"restartCount\":2,\"state\":{\"running\":{}}}]}");
        run.node = xstrdup("local");
        o.wide = true;
        eng_get_table(res_kind_lookup("pods"), &run, 1, &o, &out);
        assert_string_equal(
            out.data, "NAME             READY   STATUS    RESTARTS   AGE   IP          NODE    "
                      "NOMINATED NODE   READINESS GATES\n"
                      "web-7d9f-abcde   1/1     Running   2          3d    10.42.0.7   local   "
                      "<none>           <none>\n");
        tm_buf_reset(&out);
        eng_pod_row rows[2] = {{{0}, NULL, 0}, {{0}, NULL, 0}};
        char *ctl = xstrdup("Deployment/web"), *ns = xstrdup("shop"),
             *other = xstrdup("Deployment/x");
        rows[0].pod = (eng_pod){.ns = ns, .name = ns, .controller = ctl, .ready = true};
        rows[1].pod = (eng_pod){.ns = ns, .name = ns, .controller = ctl, .ready = false};
        o.wide = false;
        o.pods = rows;
        o.n_pods = 2;
        eng_get_table(res_kind_lookup("deploy"), &d, 1, &o, &out);
        assert_string_equal(out.data, "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"
                                      "web    1/3     2            1           3d\n");
        free(ctl);
        free(ns);
        free(other);
        eng_record_clear(&run);
        tm_buf_free(&out);
        eng_record_clear(&d);
        eng_record_clear(&p);
}

static void
test_object_value_masks_and_adds_metadata(void **state)
{
        eng_record s =
            rec("Secret", "default", "db",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\","
                "\"namespace\":\"default\"},\"data\":{\"pw\":\"c2VjcmV0LXZhbHVl\"},"
                "\"type\":\"Opaque\"}",
                86400);
        res_value *v = eng_get_object_value(&s);
        assert_non_null(v);
        tm_buf out = TM_BUF_INIT;
        res_emit_yaml(v, &out, 0);
        assert_string_equal(out.data, "apiVersion: v1\n"
                                      "data:\n"
                                      "  pw: \"***\"\n"
                                      "kind: Secret\n"
                                      "metadata:\n"
                                      "  creationTimestamp: \"1970-01-02T00:00:00Z\"\n"
                                      "  generation: 3\n"
                                      "  name: db\n"
                                      "  namespace: default\n"
                                      "  uid: 0b7ad5c4-7c1e-4d1a-9f5e-2f4f6d7a8b9c\n"
                                      "type: Opaque\n");
        tm_buf_free(&out);
        res_value_free(v);
        eng_record_clear(&s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_service_table),
            cmocka_unit_test(test_config_secret_ns_tables),
            cmocka_unit_test(test_deployment_and_pod_tables),
            cmocka_unit_test(test_object_value_masks_and_adds_metadata),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
