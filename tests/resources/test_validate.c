/* Validation: each error with its line, column, field path and message in
 * Kubernetes' words; every error of a file at once; secrets never shown. */
#include "test_object-helpers.h"

#define POD_HEAD "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
/* line 7 starts the first container */

static void
test_unknown_field_at_depth(void **state)
{
        expect_one_error(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
            "  selector:\n    matchLabels: {app: web}\n  template:\n"
            "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
            "      - name: web\n        image: nginx\n        imagePullPolcy: Always\n",
            15, 9, "spec.template.spec.containers[0].imagePullPolcy",
            "unknown field \"imagePullPolcy\"");
        expect_one_error(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  lables: {a: b}\n", 5, 3,
            "metadata.lables", "unknown field \"lables\"");
        expect_one_error("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nspec: {}\n", 4, 1,
                         "spec", "unknown field \"spec\"");
}

static void
test_wrong_types(void **state)
{
        expect_one_error(
            "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec:\n"
            "  replicas: \"3\"\n  selector: {matchLabels: {a: b}}\n"
            "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n",
            5, 13, "spec.replicas", "expected integer, got string \"3\"");
        expect_one_error(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  enabled: on\n", 5, 12,
            "data.enabled", "expected string, got boolean");
        expect_one_error(
            POD_HEAD "  - name: c\n    image: i\n    env:\n    - name: PORT\n      value: 8080\n",
            11, 14, "spec.containers[0].env[0].value", "expected string, got integer 8080");
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    args: run\n", 9, 11,
                         "spec.containers[0].args", "expected list of string, got string");
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    tty: \"yes\"\n", 9, 10,
                         "spec.containers[0].tty", "expected boolean, got string");
}

static void
test_kind_and_api_version(void **state)
{
        expect_one_error("apiVersion: apps/v1\nkind: Deploymnt\nmetadata: {name: x}\n", 2, 7,
                         "kind", "no matches for kind \"Deploymnt\" in version \"apps/v1\"");
        expect_one_error("apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n", 1, 13,
                         "apiVersion", "no matches for kind \"Deployment\" in version \"v1\"");
        expect_one_error("apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: x}\n", 1, 13,
                         "apiVersion", "no matches for kind \"Deployment\" in version \"apps/v2\"");
        expect_one_error("kind: Pod\nmetadata: {name: x}\n", 1, 1, "apiVersion", "Required value");
        expect_one_error("apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n", 3, 12,
                         "metadata.generateName", "not supported in manifests");
        expect_one_error("apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: x}\n", 3, 11,
                         "metadata.name", "Required value");
        expect_one_error("- a\n- b\n", 1, 1, NULL, "expected a map");
}

static void
test_names(void **state)
{
        expect_one_error("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web_1\n", 4, 9,
                         "metadata.name",
                         "Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain");
        expect_one_error("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a.b\n", 4, 9,
                         "metadata.name", "Invalid value: \"a.b\": a lowercase RFC 1123 label");
        expect_one_error(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec: {ports: [{port: 80}]}\n",
            4, 9, "metadata.name", "Invalid value: \"1web\": a DNS-1035 label");
        expect_one_error(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: \"a b\"\n",
            6, 10, "metadata.labels", "Invalid value: \"a b\"");
        expect_one_error(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    -bad: x\n",
            6, 5, "metadata.annotations", "Invalid value: \"-bad\"");
}

static const char deploy_head[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                                  "  namespace: shop\nspec:\n";

static void
test_selector(void **state)
{
        char y[1024];
        snprintf(y, sizeof(y),
                 "%s  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
                 "      labels: {app: api}\n    spec:\n      containers: [{name: c, image: i}]\n",
                 deploy_head);
        expect_one_error(y, 11, 15, "spec.template.metadata.labels",
                         "Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not "
                         "match template `labels`");
        snprintf(y, sizeof(y),
                 "%s  template:\n    metadata:\n      labels: {app: api}\n    spec:\n"
                 "      containers: [{name: c, image: i}]\n",
                 deploy_head);
        expect_one_error(y, 7, 3, "spec.selector", "Required value");
        /* diag carries kind, namespace and name */
        res_diags d = RES_DIAGS_INIT;
        res_set_free(load(y, &d));
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&d, &b);
        assert_string_equal(b.data,
                            "m.yaml:7:3: Deployment shop/web: spec.selector: Required value\n");
        tm_buf_free(&b);
        res_diags_free(&d);
}

static void
test_rolling_update(void **state)
{
        char y[1024];
        static const struct {
                const char *ru;
                uint32_t col;
                const char *path, *msg;
        } cases[] = {
            {"{maxUnavailable: 0, maxSurge: 0}", 67, "spec.strategy.rollingUpdate.maxUnavailable",
             "Invalid value: 0: may not be 0 when `maxSurge` is 0"},
            {"{maxUnavailable: \"0%\", maxSurge: 0}", 67,
             "spec.strategy.rollingUpdate.maxUnavailable", "may not be 0 when `maxSurge` is 0"},
            {"{maxUnavailable: \"\", maxSurge: 0}", 67,
             "spec.strategy.rollingUpdate.maxUnavailable", "a valid percent string"},
            {"{maxUnavailable: 150%}", 67, "spec.strategy.rollingUpdate.maxUnavailable",
             "must not be greater than 100%"},
            {"{maxSurge: 25}", 61, NULL, NULL},
            {"{maxSurge: \"25\"}", 61, "spec.strategy.rollingUpdate.maxSurge",
             "Invalid value: \"25\": a valid percent string"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(y, sizeof(y),
                         "%s  selector: {matchLabels: {a: b}}\n"
                         "  strategy: {type: RollingUpdate, rollingUpdate: %s}\n"
                         "  template:\n    metadata: {labels: {a: b}}\n"
                         "    spec: {containers: [{name: c, image: i}]}\n",
                         deploy_head, cases[i].ru);
                if (!cases[i].path) {
                        res_diags d = RES_DIAGS_INIT;
                        res_set_free(load(y, &d));
                        assert_int_equal(d.n, 0);
                        continue;
                }
                expect_one_error(y, 8, cases[i].col, cases[i].path, cases[i].msg);
        }
}

static void
test_ports_and_resources(void **state)
{
        expect_one_error(POD_HEAD
                         "  - name: c\n    image: i\n    ports:\n    - containerPort: 70000\n",
                         10, 22, "spec.containers[0].ports[0].containerPort",
                         "Invalid value: 70000: must be between 1 and 65535, inclusive");
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    resources:\n"
                                  "      limits: {cpu: 500m}\n      requests: {cpu: \"1\"}\n",
                         11, 23, "spec.containers[0].resources.requests.cpu",
                         "Invalid value: \"1\": must be less than or equal to cpu limit of 500m");
        expect_one_error(POD_HEAD
                         "  - name: c\n    image: i\n    resources:\n      limits: {memory: 12x}\n",
                         10, 24, "spec.containers[0].resources.limits.memory",
                         "quantities must match the regular expression");
        expect_one_error(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Sometimes\n"
            "  containers: [{name: c, image: i}]\n",
            5, 18, "spec.restartPolicy",
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", "
            "\"OnFailure\"");
}

static void
test_scheduling(void **state)
{
        expect_one_error(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
            "  containers: [{name: c, image: i}]\n  affinity:\n    nodeAffinity:\n"
            "      requiredDuringSchedulingIgnoredDuringExecution:\n"
            "        nodeSelectorTerms:\n"
            "        - matchExpressions: [{key: zone, operator: Within, values: [a]}]\n",
            10, 52,
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
            "nodeSelectorTerms[0].matchExpressions[0].operator",
            "Unsupported value: \"Within\"");
        expect_one_error("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                         "  containers: [{name: c, image: i}]\n  topologySpreadConstraints:\n"
                         "  - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n",
                         7, 15, "spec.topologySpreadConstraints[0].maxSkew",
                         "Invalid value: 0: must be greater than zero");
}

static void
test_downward_api(void **state)
{
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    env:\n    - name: X\n"
                                  "      valueFrom: {fieldRef: {fieldPath: metadata.nmae}}\n",
                         11, 41, "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath",
                         "Unsupported value: \"metadata.nmae\"");
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    env:\n    - name: X\n"
                                  "      valueFrom: {resourceFieldRef: {resource: limits.gpu}}\n",
                         11, 48, "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource",
                         "Unsupported value: \"limits.gpu\"");
        res_diags d = RES_DIAGS_INIT;
        res_set_free(load(POD_HEAD
                          "  - name: c\n    image: i\n    env:\n"
                          "    - {name: A, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n"
                          "    - {name: B, valueFrom: {fieldRef: {fieldPath: "
                          "\"metadata.labels['app']\"}}}\n"
                          "    - {name: C, valueFrom: {resourceFieldRef: {resource: "
                          "limits.memory, divisor: 1Mi}}}\n",
                          &d));
        dump_diags(&d);
        assert_int_equal(d.n, 0);
        res_diags_free(&d);
}

static void
test_service(void **state)
{
        expect_one_error("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n"
                         "  - port: 80\n    nodePort: 30080\n",
                         7, 15, "spec.ports[0].nodePort",
                         "Forbidden: may not be used when `type` is 'ClusterIP'");
        expect_one_error(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n"
            "  ports:\n  - port: 80\n    nodePort: 80\n",
            8, 15, "spec.ports[0].nodePort", "The range of valid ports is 30000-32767");
        expect_one_error("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n"
                         "  - port: 80\n    targetPort: not_a_name\n",
                         7, 17, "spec.ports[0].targetPort", "Invalid value: \"not_a_name\"");
        expect_one_error("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n"
                         "  - {port: 80, name: a}\n  - {port: 81}\n",
                         7, 5, "spec.ports[1].name", "Required value");
}

static void
test_duplicates_and_volumes(void **state)
{
        expect_one_error(POD_HEAD "  - {name: c, image: i}\n  - {name: c, image: j}\n", 8, 12,
                         "spec.containers[1].name", "Duplicate value: \"c\"");
        expect_one_error(
            POD_HEAD "  - {name: a, image: i, ports: [{containerPort: 80, hostPort: 8080}]}\n"
                     "  - {name: b, image: i, ports: [{containerPort: 81, hostPort: 8080}]}\n",
            8, 63, "spec.containers[1].ports[0].hostPort", "Duplicate value: \"8080/TCP\"");
        expect_one_error(POD_HEAD "  - name: c\n    image: i\n    volumeMounts:\n"
                                  "    - {name: data, mountPath: /data}\n",
                         10, 14, "spec.containers[0].volumeMounts[0].name", "Not found: \"data\"");
        expect_one_error(POD_HEAD
                         "  - {name: c, image: i}\n  volumes:\n  - {name: v, emptyDir: {}}\n"
                         "  - {name: v, emptyDir: {}}\n",
                         10, 12, "spec.volumes[1].name", "Duplicate value: \"v\"");
}

static void
test_secret_never_shown(void **state)
{
        static const char secret_value[] = "c3VwZXJzZWNyZXQ*";
        static const char y[] = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                                "data:\n  password: c3VwZXJzZWNyZXQ*\n  pin: 1234\n"
                                "  bad key: eA==\n";
        res_diags d = RES_DIAGS_INIT;
        res_set_free(load(y, &d));
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&d, &b);
        assert_non_null(b.data);
        assert_null(strstr(b.data, secret_value));
        assert_null(strstr(b.data, "c3VwZXJzZWNyZXQ"));
        assert_null(strstr(b.data, "1234"));
        assert_non_null(strstr(
            b.data,
            "m.yaml:5:13: Secret default/s: data.password: illegal base64 data at input byte 15"));
        assert_non_null(strstr(b.data, "data.pin: expected string, got integer\n"));
        assert_non_null(strstr(b.data, "data[bad key]: Invalid value: \"bad key\""));
        assert_int_equal(d.n, 3);
        tm_buf_free(&b);
        res_diags_free(&d);

        expect_one_error("apiVersion: v1\nkind: Secret\nmetadata: {name: Bad_Name}\n", 3, 18,
                         "metadata.name", "Invalid value: \"Bad_Name\"");
        expect_one_error(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/magic\n", 4, 7,
            "type", "Unsupported value: \"kubernetes.io/magic\"");
        expect_one_error(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {a: 12345}}\n", 3, 38,
            "metadata.annotations.a", "expected string, got integer");
        d = (res_diags)RES_DIAGS_INIT;
        res_set_free(
            load("apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {a: 12345}}\n"
                 "stringData: {b: [x]}\ndata: {c: 4.5}\n",
                 &d));
        res_diags_format(&d, &b);
        assert_int_equal(d.n, 3);
        assert_null(strstr(b.data, "12345"));
        assert_null(strstr(b.data, "4.5"));
        tm_buf_free(&b);
        res_diags_free(&d);
        expect_one_error(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\n"
            "data:\n  tls.crt: eA==\n",
            6, 3, "data[tls.key]", "Required value");
        expect_one_error("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x}\n"
                         "binaryData: {a: eA==}\n",
                         4, 8, "data.a", "duplicate of key present in binaryData");
}

static void
test_storage(void **state)
{
        expect_one_error("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n"
                         "  accessModes: [ReadWriteOnce]\n",
                         5, 3, "spec.resources[storage]", "Required value");
        expect_one_error("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n"
                         "  accessModes: [ReadWrite]\n  resources: {requests: {storage: 1Gi}}\n",
                         5, 17, "spec.accessModes[0]", "Unsupported value: \"ReadWrite\"");
        expect_one_error("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n"
                         "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n",
                         5, 3, "spec", "Required value: must specify a volume type");
        expect_one_error("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n"
                         "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
                         "  hostPath: {path: /a}\n  nfs: {server: s, path: /b}\n",
                         8, 8, "spec.nfs", "Forbidden: may not specify more than 1 volume type");
}

static void
test_more_kinds(void **state)
{
        expect_one_error("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n"
                         "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
                         "  local: {path: /srv}\n",
                         5, 3, "spec.nodeAffinity",
                         "Required value: Local volume requires node affinity");
        expect_one_error("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                         "type: kubernetes.io/dockerconfigjson\ndata: {config: e30=}\n",
                         5, 7, "data[.dockerconfigjson]", "Required value");
        expect_one_error("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\n"
                         "provisioner: rancher.io/local-path\nvolumeBindingMode: Later\n",
                         5, 20, "volumeBindingMode", "Unsupported value: \"Later\"");
        expect_one_error("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n"
                         "  type: ExternalName\n",
                         5, 3, "spec.externalName", "Required value");
        expect_one_error("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n"
                         "  selector: {matchLabels: {a: b}}\n"
                         "  template: {metadata: {labels: {a: b}}, spec: {containers: []}}\n",
                         6, 61, "spec.template.spec.containers", "Required value");
}

static void
test_all_errors_at_once(void **state)
{
        static const char y[] =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
            "  replicas: -1\n"
            "  selector: {matchLabels: {app: web}}\n"
            "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
            "      - name: Web\n        image: nginx\n        imagePullPolicy: Sometimes\n"
            "        bogus: 1\n"
            "---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n";
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load(y, &d);
        res_diags_sort(&d);
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&d, &b);
        assert_int_equal(d.n, 4);
        assert_string_equal(
            b.data, "m.yaml:5:13: Deployment default/web: spec.replicas: Invalid value: -1: must "
                    "be greater than or equal to 0\n"
                    "m.yaml:11:15: Deployment default/web: spec.template.spec.containers[0].name: "
                    "Invalid value: \"Web\": "
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                    "or '-', and must start "
                    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
                    "used for validation is "
                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"
                    "m.yaml:13:26: Deployment default/web: "
                    "spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "
                    "\"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"\n"
                    "m.yaml:14:9: Deployment default/web: spec.template.spec.containers[0].bogus: "
                    "unknown field \"bogus\"\n");
        /* the valid document still decodes; the set as a whole is invalid */
        assert_int_equal(res_set_count(s), 1);
        tm_buf_free(&b);
        res_diags_free(&d);
        res_set_free(s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_unknown_field_at_depth),
            cmocka_unit_test(test_wrong_types),
            cmocka_unit_test(test_kind_and_api_version),
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_selector),
            cmocka_unit_test(test_rolling_update),
            cmocka_unit_test(test_ports_and_resources),
            cmocka_unit_test(test_scheduling),
            cmocka_unit_test(test_downward_api),
            cmocka_unit_test(test_service),
            cmocka_unit_test(test_duplicates_and_volumes),
            cmocka_unit_test(test_secret_never_shown),
            cmocka_unit_test(test_storage),
            cmocka_unit_test(test_more_kinds),
            cmocka_unit_test(test_all_errors_at_once),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
