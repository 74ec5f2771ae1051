/* Objects: every kind decodes, defaults as the API server applies them,
 * canonical JSON and hashes, reloading, masked output. */
#include "test_object-helpers.h"

#include "common/mem.h"

static const char *
jstr(const res_object *o, ...)
{
        va_list ap;
        va_start(ap, o);
        const res_value *v = res_object_value(o);
        const char *k;
        while (v && (k = va_arg(ap, const char *)))
                v = res_map_get(v, k);
        va_end(ap);
        return v && v->type == RES_STR ? v->u.s : NULL;
}

static const res_value *
jget(const res_value *v, const char *path)
{
        /* "spec.template.spec.containers.0.image" */
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *tok = strtok(buf, "."); tok && v; tok = strtok(NULL, ".")) {
                if (v->type == RES_SEQ) {
                        unsigned long i = strtoul(tok, NULL, 10);
                        v = i < v->n ? v->u.items[i] : NULL;
                } else {
                        v = res_map_get(v, tok);
                }
        }
        return v;
}

static void
expect_str(const res_object *o, const char *path, const char *want)
{
        const res_value *v = jget(res_object_value(o), path);
        if (!v || v->type != RES_STR || strcmp(v->u.s, want) != 0) {
                fprintf(stderr, "%s: want \"%s\" in %s\n", path, want,
                        res_object_canonical_json(o));
                fail();
        }
}

static void
expect_int(const res_object *o, const char *path, int64_t want)
{
        const res_value *v = jget(res_object_value(o), path);
        if (!v || v->type != RES_INT || v->u.i != want) {
                fprintf(stderr, "%s: want %lld in %s\n", path, (long long)want,
                        res_object_canonical_json(o));
                fail();
        }
}

static const char deployment[] = "apiVersion: apps/v1\n"
                                 "kind: Deployment\n"
                                 "metadata:\n"
                                 "  name: web\n"
                                 "  namespace: shop\n"
                                 "  creationTimestamp: null\n"
                                 "  labels: {app: web}\n"
                                 "spec:\n"
                                 "  selector:\n"
                                 "    matchLabels: {app: web}\n"
                                 "  template:\n"
                                 "    metadata:\n"
                                 "      labels: {app: web}\n"
                                 "    spec:\n"
                                 "      containers:\n"
                                 "      - name: web\n"
                                 "        image: nginx\n"
                                 "        ports:\n"
                                 "        - containerPort: 80\n"
                                 "        resources:\n"
                                 "          limits: {memory: 0.5Gi, cpu: 1}\n"
                                 "        livenessProbe:\n"
                                 "          httpGet: {port: 80}\n"
                                 "status: {}\n";

static void
test_deployment_defaults(void **state)
{
        res_set *s;
        const res_object *o = load_one(deployment, &s);
        assert_string_equal(res_object_kind(o), "Deployment");
        assert_string_equal(res_object_api_version(o), "apps/v1");
        assert_string_equal(res_object_group(o), "apps");
        assert_string_equal(res_object_namespace(o), "shop");
        assert_string_equal(res_object_name(o), "web");
        assert_string_equal(res_object_id(o), "apps/Deployment/shop/web");
        assert_string_equal(res_object_file(o), "m.yaml");
        assert_int_equal(res_object_line(o), 1);
        expect_int(o, "spec.replicas", 1);
        /* defaults are marked, what the user wrote is not */
        const res_value *root = res_object_value(o);
        assert_true(jget(root, "spec.replicas")->flags & RES_F_DEFAULT);
        assert_true(jget(root, "spec.strategy.rollingUpdate.maxSurge")->flags & RES_F_DEFAULT);
        assert_true(jget(root, "spec.template.spec.dnsPolicy")->flags & RES_F_DEFAULT);
        assert_false(jget(root, "spec.template.spec.containers.0.image")->flags & RES_F_DEFAULT);
        assert_false(jget(root, "spec.template.spec.containers")->flags & RES_F_DEFAULT);
        assert_false(jget(root, "metadata.name")->flags & RES_F_DEFAULT);
        expect_str(o, "spec.strategy.type", "RollingUpdate");
        expect_str(o, "spec.strategy.rollingUpdate.maxSurge", "25%");
        expect_str(o, "spec.strategy.rollingUpdate.maxUnavailable", "25%");
        expect_int(o, "spec.revisionHistoryLimit", 10);
        expect_int(o, "spec.progressDeadlineSeconds", 600);
        expect_str(o, "spec.template.spec.restartPolicy", "Always");
        expect_int(o, "spec.template.spec.terminationGracePeriodSeconds", 30);
        expect_str(o, "spec.template.spec.dnsPolicy", "ClusterFirst");
        expect_str(o, "spec.template.spec.schedulerName", "default-scheduler");
        assert_non_null(jget(res_object_value(o), "spec.template.spec.securityContext"));
        const char *c = "spec.template.spec.containers.0.";
        char p[128];
#define P(x) (snprintf(p, sizeof(p), "%s%s", c, x), p)
        expect_str(o, P("imagePullPolicy"), "Always");
        expect_str(o, P("terminationMessagePath"), "/dev/termination-log");
        expect_str(o, P("terminationMessagePolicy"), "File");
        expect_str(o, P("ports.0.protocol"), "TCP");
        expect_str(o, P("resources.limits.memory"), "512Mi");
        expect_str(o, P("resources.limits.cpu"), "1");
        /* requests default to limits in Pods only, not in templates */
        assert_null(jget(res_object_value(o), P("resources.requests")));
        assert_null(jget(res_object_value(o), "spec.template.spec.enableServiceLinks"));
        expect_int(o, P("livenessProbe.timeoutSeconds"), 1);
        expect_int(o, P("livenessProbe.periodSeconds"), 10);
        expect_int(o, P("livenessProbe.successThreshold"), 1);
        expect_int(o, P("livenessProbe.failureThreshold"), 3);
        expect_str(o, P("livenessProbe.httpGet.scheme"), "HTTP");
        expect_str(o, P("livenessProbe.httpGet.path"), "/");
#undef P
        /* server-set and status dropped */
        assert_null(strstr(res_object_canonical_json(o), "creationTimestamp"));
        assert_null(strstr(res_object_canonical_json(o), "status"));
        assert_string_equal(jstr(res_object_labels(o) ? o : o, "metadata", "labels", "app", NULL),
                            "web");
        assert_string_equal(res_get_str(res_object_labels(o), "app", ""), "web");
        res_set_free(s);
}

static void
test_image_pull_policy(void **state)
{
        static const struct {
                const char *image, *want;
        } cases[] = {
            {"nginx", "Always"},
            {"nginx:latest", "Always"},
            {"nginx:1.25", "IfNotPresent"},
            {"registry:5000/app", "Always"},
            {"registry:5000/app:v2", "IfNotPresent"},
            {"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             "Always"},
            {"app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
             "IfNotPresent"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *y = xasprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                    "spec:\n  containers:\n  - {name: c, image: \"%s\"}\n",
                                    cases[i].image);
                res_set *s;
                const res_object *o = load_one(y, &s);
                expect_str(o, "spec.containers.0.imagePullPolicy", cases[i].want);
                expect_str(o, "spec.restartPolicy", "Always");
                expect_str(o, "metadata.namespace", "default");
                assert_string_equal(res_object_namespace(o), "default");
                res_set_free(s);
                free(y);
        }
}

static void
test_every_kind_decodes(void **state)
{
        static const char all[] =
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n"
            "spec:\n  containers: [{name: c, image: busybox:1.36}]\n"
            "  volumes: [{name: cfg, configMap: {name: cm}}, {name: sec, secret: {secretName: s}},"
            " {name: tmp}]\n---\n"
            "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs, namespace: shop}\n"
            "spec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: "
            "b}}\n"
            "    spec: {containers: [{name: c, image: x:1}]}\n---\n"
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: shop}\n"
            "spec:\n  selector: {matchExpressions: [{key: a, operator: In, values: [b]}]}\n"
            "  template:\n    metadata: {labels: {a: b}}\n"
            "    spec: {containers: [{name: c, image: x:1}]}\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: shop}\n"
            "spec:\n  type: NodePort\n  selector: {a: b}\n  ports: [{port: 80, nodePort: "
            "30080}]\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: shop}\n"
            "data: {a: \"1\"}\nbinaryData: {b: aGk=}\n---\n"
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\n"
            "stringData: {password: hunter2}\n---\n"
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\n"
            "spec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n"
            "  hostPath: {path: /srv/pv}\n---\n"
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: pvc, namespace: shop}\n"
            "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n---\n"
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: local}\n"
            "provisioner: rancher.io/local-path\n";
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load(all, &d);
        if (d.n)
                dump_diags(&d);
        assert_int_equal(d.n, 0);
        assert_int_equal(res_set_count(s), 10);
        /* sorted by id */
        for (size_t i = 1; i < res_set_count(s); i++)
                assert_true(strcmp(res_object_id(res_set_at(s, i - 1)),
                                   res_object_id(res_set_at(s, i))) < 0);
        const res_object *o = res_set_find(s, "", "Namespace", "", "shop");
        assert_non_null(o);
        assert_string_equal(res_object_namespace(o), "");
        assert_string_equal(res_object_id(o), "/Namespace//shop");

        o = res_set_find(s, "", "Pod", "shop", "p");
        expect_int(o, "spec.volumes.0.configMap.defaultMode", 420);
        expect_int(o, "spec.volumes.1.secret.defaultMode", 420);
        assert_non_null(jget(res_object_value(o), "spec.volumes.2.emptyDir"));

        o = res_set_find(s, "apps", "ReplicaSet", "shop", "rs");
        expect_int(o, "spec.replicas", 1);
        o = res_set_find(s, "apps", "DaemonSet", "shop", "ds");
        expect_str(o, "spec.updateStrategy.type", "RollingUpdate");
        expect_int(o, "spec.updateStrategy.rollingUpdate.maxUnavailable", 1);
        expect_int(o, "spec.updateStrategy.rollingUpdate.maxSurge", 0);
        expect_int(o, "spec.revisionHistoryLimit", 10);

        o = res_set_find(s, "", "Service", "shop", "svc");
        expect_str(o, "spec.sessionAffinity", "None");
        expect_str(o, "spec.externalTrafficPolicy", "Cluster");
        expect_str(o, "spec.ports.0.protocol", "TCP");
        expect_int(o, "spec.ports.0.targetPort", 80);

        o = res_set_find(s, "", "Secret", "shop", "s");
        expect_str(o, "type", "Opaque");
        expect_str(o, "data.password", "aHVudGVyMg==");
        assert_null(jget(res_object_value(o), "stringData"));

        o = res_set_find(s, "", "PersistentVolume", "", "pv");
        expect_str(o, "spec.persistentVolumeReclaimPolicy", "Retain");
        expect_str(o, "spec.volumeMode", "Filesystem");
        o = res_set_find(s, "", "PersistentVolumeClaim", "shop", "pvc");
        expect_str(o, "spec.volumeMode", "Filesystem");
        o = res_set_find(s, "storage.k8s.io", "StorageClass", "", "local");
        expect_str(o, "reclaimPolicy", "Delete");
        expect_str(o, "volumeBindingMode", "Immediate");
        assert_string_equal(res_object_api_version(o), "storage.k8s.io/v1");
        res_set_free(s);
        res_diags_free(&d);
}

static void
test_default_service(void **state)
{
        res_set *s;
        const res_object *o = load_one("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                                       "spec:\n  ports:\n  - {port: 80, targetPort: http}\n"
                                       "  sessionAffinity: ClientIP\n",
                                       &s);
        expect_str(o, "spec.type", "ClusterIP");
        expect_str(o, "spec.internalTrafficPolicy", "Cluster");
        expect_str(o, "spec.ports.0.targetPort", "http");
        expect_int(o, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", 10800);
        assert_null(jget(res_object_value(o), "spec.externalTrafficPolicy"));
        res_set_free(s);
}

static void
test_canonical_hash_stable(void **state)
{
        /* Same object, different spelling: flow vs block, key order,
         * quantity spelling, octal mode, comments. Same hash. */
        static const char a[] =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {b: '2', a: '1'}}\n"
            "spec:\n  containers: [{name: c, image: 'x:1', resources: {limits: {memory: "
            "1024Mi}}}]\n"
            "  volumes: [{name: v, configMap: {name: m, defaultMode: 0644}}]\n";
        static const char b[] = "# a comment\nkind: Pod\napiVersion: v1\nspec:\n"
                                "  volumes:\n  - configMap:\n      name: m\n    name: v\n"
                                "  containers:\n  - image: x:1\n    name: c\n"
                                "    resources:\n      limits:\n        memory: 1Gi\n"
                                "metadata:\n  labels:\n    a: \"1\"\n    b: \"2\"\n  name: p\n"
                                "  namespace: default\n";
        res_set *sa, *sb;
        const res_object *oa = load_one(a, &sa), *ob = load_one(b, &sb);
        assert_string_equal(res_object_canonical_json(oa), res_object_canonical_json(ob));
        assert_string_equal(res_object_hash(oa), res_object_hash(ob));
        assert_true(strncmp(res_object_hash(oa), "sha256:", 7) == 0);
        assert_int_equal(strlen(res_object_hash(oa)), 7 + 64);
        /* canonical JSON is compact with sorted keys */
        assert_true(strncmp(res_object_canonical_json(oa),
                            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"", 31) == 0);
        res_set_free(sa);
        res_set_free(sb);
}

static void
test_from_json_roundtrip(void **state)
{
        res_set *s;
        const res_object *o = load_one(deployment, &s);
        res_object *r = NULL;
        tm_error err = {0};
        const char *json = res_object_canonical_json(o);
        assert_int_equal(res_object_from_json(json, strlen(json), &r, &err), 0);
        assert_string_equal(res_object_hash(r), res_object_hash(o));
        assert_string_equal(res_object_id(r), res_object_id(o));
        assert_null(res_object_file(r));
        res_object_ref(r);
        res_object_unref(r);
        res_object_unref(r);
        /* invalid stored object: an error, not an object */
        static const char bad[] =
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
            "\"spec\":{\"containerz\":[]}}";
        r = NULL;
        assert_true(res_object_from_json(bad, strlen(bad), &r, &err) < 0);
        assert_null(r);
        assert_non_null(strstr(err.msg, "containerz"));
        res_set_free(s);
}

static void
test_secret_masked(void **state)
{
        static const char y[] =
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n"
            "    kubectl.kubernetes.io/last-applied-configuration: "
            "'{\"stringData\":{\"password\":\"s3cr3t-Valu3\"}}'\n"
            "type: kubernetes.io/basic-auth\n"
            "data: {username: YWRtaW4=}\nstringData: {password: s3cr3t-Valu3}\n";
        res_set *s;
        const res_object *o = load_one(y, &s);
        tm_buf b = TM_BUF_INIT;
        res_object_emit_yaml(o, &b, true);
        assert_non_null(strstr(b.data, "apiVersion: v1"));
        assert_true(strncmp(b.data, "apiVersion:", 11) == 0);
        assert_non_null(strstr(b.data, "***"));
        assert_null(strstr(b.data, "s3cr3t"));
        assert_null(strstr(b.data, "YWRtaW4="));
        assert_null(strstr(b.data, "czNjcjN0LVZhbHUz")); /* base64 of the password */
        tm_buf_reset(&b);
        res_object_emit_json(o, &b, true);
        assert_non_null(strstr(b.data, "\"***\""));
        assert_null(strstr(b.data, "czNjcjN0LVZhbHUz"));
        assert_null(strstr(b.data, "s3cr3t"));
        tm_buf_reset(&b);
        res_object_emit_yaml(o, &b, false);
        assert_non_null(strstr(b.data, "czNjcjN0LVZhbHUz"));
        tm_buf_free(&b);
        res_set_free(s);
}

static void
test_hostnetwork_hostport(void **state)
{
        res_set *s;
        const res_object *o =
            load_one("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                     "spec:\n  hostNetwork: true\n"
                     "  containers: [{name: c, image: x:1, ports: [{containerPort: 8080}],"
                     " env: [{name: MY_POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}],"
                     " resources: {limits: {cpu: 250m}, requests: {memory: 1Mi}}}]\n",
                     &s);
        expect_int(o, "spec.containers.0.ports.0.hostPort", 8080);
        const res_value *esl = jget(res_object_value(o), "spec.enableServiceLinks");
        assert_true(esl && esl->type == RES_BOOL && esl->u.b);
        expect_str(o, "spec.containers.0.env.0.valueFrom.fieldRef.apiVersion", "v1");
        expect_str(o, "spec.containers.0.resources.requests.cpu", "250m");
        expect_str(o, "spec.containers.0.resources.requests.memory", "1Mi");
        res_set_free(s);
}

/* The API server's defaults, one row each: manifest, path, value
 * (a string, or an integer when it starts with '#'). */
static void
test_defaults_table(void **state)
{
#define POD "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
#define CTR "  containers: [{name: c, image: x:1"
        static const struct {
                const char *yaml, *path, *want;
        } rows[] = {
            {POD CTR "}]\n", "metadata.namespace", "default"},
            {POD CTR "}]\n", "spec.restartPolicy", "Always"},
            {POD CTR "}]\n", "spec.terminationGracePeriodSeconds", "#30"},
            {POD CTR "}]\n", "spec.dnsPolicy", "ClusterFirst"},
            {POD CTR "}]\n", "spec.schedulerName", "default-scheduler"},
            {POD CTR "}]\n", "spec.containers.0.imagePullPolicy", "IfNotPresent"},
            {POD CTR "}]\n", "spec.containers.0.terminationMessagePath", "/dev/termination-log"},
            {POD CTR "}]\n", "spec.containers.0.terminationMessagePolicy", "File"},
            {POD CTR ", ports: [{containerPort: 53, protocol: UDP}, {containerPort: 80}]}]\n",
             "spec.containers.0.ports.1.protocol", "TCP"},
            {POD CTR ", ports: [{containerPort: 53, protocol: UDP}]}]\n",
             "spec.containers.0.ports.0.protocol", "UDP"},
            {POD CTR ", readinessProbe: {tcpSocket: {port: 80}}}]\n",
             "spec.containers.0.readinessProbe.timeoutSeconds", "#1"},
            {POD CTR ", readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 5}}]\n",
             "spec.containers.0.readinessProbe.periodSeconds", "#5"},
            {POD CTR ", startupProbe: {httpGet: {port: 80, path: /ready}}}]\n",
             "spec.containers.0.startupProbe.failureThreshold", "#3"},
            {POD CTR ", startupProbe: {httpGet: {port: 80, path: /ready}}}]\n",
             "spec.containers.0.startupProbe.httpGet.path", "/ready"},
            {POD CTR "}]\n  volumes: [{name: s, secret: {secretName: s, defaultMode: 0400}}]\n",
             "spec.volumes.0.secret.defaultMode", "#256"},
            {POD CTR
             "}]\n  volumes: [{name: d, downwardAPI: {items: [{path: l, fieldRef: {fieldPath: "
             "metadata.labels}}]}}]\n",
             "spec.volumes.0.downwardAPI.defaultMode", "#420"},
            {POD CTR "}]\n  volumes: [{name: d, projected: {sources: [{serviceAccountToken: {path: "
                     "t}}]}}]\n",
             "spec.volumes.0.projected.sources.0.serviceAccountToken.expirationSeconds", "#3600"},
            {POD CTR "}]\n  volumes: [{name: h, hostPath: {path: /srv}}]\n",
             "spec.volumes.0.hostPath.type", ""},
            {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: LoadBalancer\n"
             "  ports: [{port: 443, targetPort: 8443}]\n",
             "spec.ports.0.targetPort", "#8443"},
            {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ExternalName\n"
             "  externalName: db.example.com\n",
             "spec.sessionAffinity", "None"},
            {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\n"
             "stringData: {tls.crt: c, tls.key: k}\n",
             "data.tls\\.key", "aw=="},
            {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: YQ==}\n"
             "stringData: {a: b}\n",
             "data.a", "Yg=="},
            {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
             "  strategy: {type: Recreate}\n  selector: {matchLabels: {a: b}}\n"
             "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: "
             "i}]}}\n",
             "spec.strategy.type", "Recreate"},
            {"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
             "  strategy: {rollingUpdate: {maxSurge: 1}}\n  selector: {matchLabels: {a: b}}\n"
             "  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: "
             "i}]}}\n",
             "spec.strategy.rollingUpdate.maxUnavailable", "25%"},
            {"apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec:\n"
             "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /v}\n",
             "spec.capacity.storage", "1Gi"},
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                res_set *s;
                const res_object *o = load_one(rows[i].yaml, &s);
                /* "a\\.b" in a path is the key "a.b" */
                char path[256];
                snprintf(path, sizeof(path), "%s", rows[i].path);
                const res_value *v = res_object_value(o);
                char *p = path, *seg = path;
                for (;; p++) {
                        if (*p == '\\') {
                                memmove(p, p + 1, strlen(p));
                                continue;
                        }
                        if (*p != '.' && *p)
                                continue;
                        char end = *p;
                        *p = '\0';
                        if (v && v->type == RES_SEQ) {
                                unsigned long k = strtoul(seg, NULL, 10);
                                v = k < v->n ? v->u.items[k] : NULL;
                        } else {
                                v = res_map_get(v, seg);
                        }
                        if (!end)
                                break;
                        seg = p + 1;
                }
                bool ok;
                if (rows[i].want[0] == '#')
                        ok = v && v->type == RES_INT &&
                             v->u.i == strtoll(rows[i].want + 1, NULL, 10);
                else
                        ok = v && v->type == RES_STR && strcmp(v->u.s, rows[i].want) == 0;
                if (!ok) {
                        fprintf(stderr, "row %zu: %s: want %s in %s\n", i, rows[i].path,
                                rows[i].want, res_object_canonical_json(o));
                        fail();
                }
                res_set_free(s);
        }
#undef POD
#undef CTR
}

static void
test_kinds_lookup(void **state)
{
        static const struct {
                const char *name, *kind;
        } cases[] = {
            {"deploy", "Deployment"},
            {"deployments", "Deployment"},
            {"Deployment", "Deployment"},
            {"deployment.apps", "Deployment"},
            {"deployments.v1.apps", "Deployment"},
            {"po", "Pod"},
            {"pods", "Pod"},
            {"ns", "Namespace"},
            {"rs", "ReplicaSet"},
            {"ds", "DaemonSet"},
            {"svc", "Service"},
            {"cm", "ConfigMap"},
            {"secrets", "Secret"},
            {"pv", "PersistentVolume"},
            {"pvc", "PersistentVolumeClaim"},
            {"sc", "StorageClass"},
            {"storageclasses.storage.k8s.io", "StorageClass"},
            {"PersistentVolumeClaims", "PersistentVolumeClaim"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const res_kind_info *k = res_kind_lookup(cases[i].name);
                if (!k || strcmp(k->kind, cases[i].kind) != 0) {
                        fprintf(stderr, "lookup %s\n", cases[i].name);
                        fail();
                }
        }
        assert_string_equal(res_kind_lookup("deploy.apps")->kind, "Deployment");
        assert_null(res_kind_lookup("deploy.storage.k8s.io"));
        assert_null(res_kind_lookup("deploymnt"));
        assert_null(res_kind_lookup("deployments.extensions"));
        assert_null(res_kind_lookup(""));
        assert_int_equal(res_kind_count(), 11);
        assert_true(res_kind_lookup("ns")->order < res_kind_lookup("cm")->order);
        assert_true(res_kind_lookup("sc")->order < res_kind_lookup("svc")->order);
        assert_true(res_kind_lookup("svc")->order < res_kind_lookup("deploy")->order);
        assert_false(res_kind_lookup("pv")->namespaced);
        assert_true(res_kind_lookup("pvc")->namespaced);
        assert_non_null(res_kind_find("apps", "Deployment"));
        assert_null(res_kind_find("", "Deployment"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_deployment_defaults),
            cmocka_unit_test(test_image_pull_policy),
            cmocka_unit_test(test_every_kind_decodes),
            cmocka_unit_test(test_default_service),
            cmocka_unit_test(test_canonical_hash_stable),
            cmocka_unit_test(test_from_json_roundtrip),
            cmocka_unit_test(test_secret_masked),
            cmocka_unit_test(test_hostnetwork_hostport),
            cmocka_unit_test(test_defaults_table),
            cmocka_unit_test(test_kinds_lookup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
