/* The controller's side of the node protocol against a real state database:
 * what a node is sent (its pods and only the ConfigMaps and Secrets they
 * use), what its status report changes (and that a repeat writes nothing),
 * malformed reports refused, kubectl's pod status words, and claims bound
 * to volumes with their reclaim policies. */
#include <jansson.h>
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
#include "engine/controllers.h"
#include "engine/nodemsg.h"
#include "engine/plan.h"
#include "engine/podstore.h"
#include "engine/podview.h"
#include "engine/reconcile.h"
#include "engine/store.h"
#include "engine/volumes.h"

typedef struct fx {
        char dir[64];
        eng_store *store;
        eng_podstore *ps;
} fx;

static int
setup(void **state)
{
        fx *f = xcalloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/timone-e-nodemsg.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        tm_error err = {0};
        assert_int_equal(eng_store_open(&f->store, f->dir, true, &err), 0);
        assert_int_equal(eng_podstore_open(&f->ps, f->dir, true, &err), 0);
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        fx *f = *state;
        eng_podstore_close(f->ps);
        eng_store_close(f->store);
        tm_rm_rf(f->dir, NULL);
        free(f);
        return 0;
}

/* Applies a manifest text like `timone apply` would. */
static void
apply(fx *f, const char *yaml)
{
        src_snapshot snap = {0};
        snap.revision = "sha256:test";
        snap.source = "test";
        res_diags diags = RES_DIAGS_INIT;
        res_set *set = res_set_new(NULL);
        res_set_add_file(set, "m.yaml", yaml, strlen(yaml), &diags);
        assert_int_equal(res_set_finish(set, &diags), 0);
        tm_error err = {0};
        assert_int_equal(eng_apply_set(f->store, set, &snap, NULL, NULL, NULL, &diags, &err), 0);
        res_set_free(set);
        res_diags_free(&diags);
}

/* Runs the controllers on the applied objects, one node "local". */
static void
controllers(fx *f, eng_pods *out)
{
        eng_record *recs = NULL;
        size_t n = 0;
        tm_error err = {0};
        assert_int_equal(eng_store_list(f->store, NULL, NULL, NULL, &recs, &n, &err), 0);
        res_value **objs = xcalloc(n + 1, sizeof(*objs));
        for (size_t i = 0; i < n; i++)
                assert_int_equal(
                    eng_value_from_json(recs[i].json, recs[i].json_len, &objs[i], &err), 0);
        eng_pods cur = ENG_PODS_INIT;
        eng_node_info nodes[] = {{"local", NULL}};
        assert_int_equal(eng_controllers_run((const res_value *const *)objs, n, &cur, nodes, 1,
                                             "salt", out, &err),
                         0);
        for (size_t i = 0; i < n; i++)
                res_value_free(objs[i]);
        free(objs);
        eng_records_free(recs, n);
}

static const char manifests[] =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: page}\ndata: {index.html: hi}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated}\ndata: {x: z1}\n"
    "---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\n"
    "stringData: {password: hunter2-never-shown}\n"
    "---\napiVersion: v1\nkind: Secret\nmetadata: {name: other}\nstringData: {k: v}\n"
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
    "  - name: c\n    image: busybox\n    env:\n    - name: PW\n      valueFrom:\n"
    "        secretKeyRef: {name: creds, key: password}\n"
    "    volumeMounts: [{name: p, mountPath: /www}]\n"
    "  volumes: [{name: p, configMap: {name: page}}]\n";

static void
test_desired_has_only_what_pods_use(void **state)
{
        fx *f = *state;
        apply(f, manifests);
        eng_pods pods = ENG_PODS_INIT;
        controllers(f, &pods);
        assert_int_equal(pods.n, 1);
        assert_string_equal(pods.items[0].node, "local");
        char *msg = NULL;
        tm_error err = {0};
        assert_int_equal(
            eng_node_desired(f->store, "local", 7, &pods, NULL, 0, NULL, 0, &msg, &err), 0);
        json_t *j = json_loads(msg, 0, NULL);
        assert_non_null(j);
        assert_string_equal(json_string_value(json_object_get(j, "kind")), "NodeDesired");
        assert_int_equal(json_integer_value(json_object_get(j, "generation")), 7);
        assert_int_equal(json_array_size(json_object_get(j, "pods")), 1);
        json_t *cms = json_object_get(j, "configMaps"), *secs = json_object_get(j, "secrets");
        assert_int_equal(json_array_size(cms), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(json_array_get(cms, 0), "metadata"), "name")),
                            "page");
        assert_int_equal(json_array_size(secs), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(json_array_get(secs, 0), "metadata"), "name")),
                            "creds");
        json_decref(j);
        free(msg);

        /* Another node gets nothing of it. */
        assert_int_equal(eng_node_desired(f->store, "pi-2", 8, &pods, NULL, 0, NULL, 0, &msg, &err),
                         0);
        j = json_loads(msg, 0, NULL);
        assert_int_equal(json_array_size(json_object_get(j, "pods")), 0);
        assert_int_equal(json_array_size(json_object_get(j, "secrets")), 0);
        assert_int_equal(json_array_size(json_object_get(j, "configMaps")), 0);
        json_decref(j);
        free(msg);
        eng_pods_free(&pods);
}

static void
test_status_apply(void **state)
{
        fx *f = *state;
        apply(f, manifests);
        eng_pods pods = ENG_PODS_INIT;
        controllers(f, &pods);
        bool changed = false;
        tm_error err = {0};
        assert_int_equal(eng_podstore_sync(f->ps, &pods, &changed, &err), 0);
        assert_true(changed);
        assert_int_equal(eng_podstore_sync(f->ps, &pods, &changed, &err), 0);
        assert_false(changed); /* an idle pass writes nothing */
        const char *uid = pods.items[0].uid;
        char *status =
            xasprintf("{\"apiVersion\":\"timone/v1\",\"kind\":\"NodeStatus\",\"node\":\"local\","
                      "\"generation\":1,\"pods\":[{\"uid\":\"%s\",\"namespace\":\"default\","
                      "\"name\":\"web\",\"status\":{\"phase\":\"Running\",\"podIP\":\"10.42.0.9\","
                      "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}],"
                      "\"events\":[{\"podUID\":\"%s\",\"namespace\":\"default\",\"name\":\"web\","
                      "\"type\":\"Normal\",\"reason\":\"Started\",\"message\":\"Started container "
                      "c\",\"time\":1000,\"count\":1}]}",
                      uid, uid);
        bool moved = false;
        assert_int_equal(
            eng_node_status_apply(f->ps, "local", status, strlen(status), &moved, &err), 0);
        assert_true(moved);
        eng_pods now = ENG_PODS_INIT;
        assert_int_equal(eng_podstore_load(f->ps, &now, &err), 0);
        assert_int_equal(now.n, 1);
        assert_true(now.items[0].ready);
        eng_pods_free(&now);
        eng_event *evs = NULL;
        size_t n = 0;
        assert_int_equal(eng_podstore_events(f->ps, "default", "web", &evs, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(evs[0].reason, "Started");
        eng_events_free(evs, n);

        /* A report from another node, or one that is not a report, changes nothing. */
        assert_true(eng_node_status_apply(f->ps, "pi-2", status, strlen(status), &moved, &err) < 0);
        const char *bad[] = {"", "[]", "{\"kind\":\"NodeStatus\",\"node\":\"local\",\"pods\":7}",
                             "{\"kind\":\"NodeDesired\",\"node\":\"local\"}", "{\"kind\":"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(bad); i++)
                assert_true(eng_node_status_apply(f->ps, "local", bad[i], strlen(bad[i]), &moved,
                                                  &err) < 0);
        free(status);
        eng_pods_free(&pods);
}

/* A pod no longer wanted stays, marked deleted, out of NodeDesired, until
 * the node reports it removed; "removed" never drops a wanted pod. */
static void
test_removed(void **state)
{
        fx *f = *state;
        apply(f, manifests);
        eng_pods pods = ENG_PODS_INIT, after = ENG_PODS_INIT, none = ENG_PODS_INIT;
        controllers(f, &pods);
        bool changed = false, moved = false;
        tm_error err = {0};
        assert_int_equal(eng_podstore_sync(f->ps, &pods, &changed, &err), 0);
        char *uid = xstrdup(pods.items[0].uid);
        char *removed = xasprintf("{\"kind\":\"NodeStatus\",\"node\":\"local\",\"generation\":2,"
                                  "\"pods\":[],\"events\":[],\"removed\":[\"%s\"]}",
                                  uid);
        /* Still wanted: a report of its removal does not delete it. */
        assert_int_equal(
            eng_node_status_apply(f->ps, "local", removed, strlen(removed), &moved, &err), 0);
        assert_false(moved);
        eng_pods cur = ENG_PODS_INIT;
        assert_int_equal(eng_podstore_load(f->ps, &cur, &err), 0);
        assert_int_equal(cur.n, 1);
        /* Its manifest gone: kept, being deleted, and not sent to the node. */
        eng_node_info nodes[] = {{"local", NULL}};
        assert_int_equal(eng_controllers_run(NULL, 0, &cur, nodes, 1, "salt", &after, &err), 0);
        assert_int_equal(after.n, 1);
        assert_true(eng_pod_terminating(&after.items[0]));
        assert_int_equal(eng_podstore_sync(f->ps, &after, &changed, &err), 0);
        assert_true(changed);
        char *msg = NULL;
        assert_int_equal(
            eng_node_desired(f->store, "local", 3, &after, NULL, 0, NULL, 0, &msg, &err), 0);
        json_t *j = json_loads(msg, 0, NULL);
        assert_int_equal(json_array_size(json_object_get(j, "pods")), 0);
        assert_int_equal(json_array_size(json_object_get(j, "secrets")), 0);
        json_decref(j);
        free(msg);
        /* The node reports it removed: the row goes, the controllers move on. */
        assert_int_equal(
            eng_node_status_apply(f->ps, "local", removed, strlen(removed), &moved, &err), 0);
        assert_true(moved);
        assert_int_equal(eng_podstore_load(f->ps, &none, &err), 0);
        assert_int_equal(none.n, 0);
        /* "removed" must be a list of at most STATUS_MAX_PODS. */
        const char *bad = "{\"kind\":\"NodeStatus\",\"node\":\"local\",\"removed\":\"x\"}";
        assert_true(eng_node_status_apply(f->ps, "local", bad, strlen(bad), &moved, &err) < 0);
        free(removed);
        free(uid);
        eng_pods_free(&cur);
        eng_pods_free(&after);
        eng_pods_free(&pods);
}

static res_value *
json_value(const char *s)
{
        res_value *v = NULL;
        assert_int_equal(eng_value_from_json(s, strlen(s), &v, NULL), 0);
        return v;
}

static void
test_pod_view(void **state)
{
        (void)state;
        static const struct {
                const char *status;
                const char *want;
                unsigned ready, restarts;
        } cases[] = {
            {"{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,"
             "\"restartCount\":0,\"state\":{\"running\":{}}}]}",
             "Running", 1, 0},
            {"{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
             "\"restartCount\":4,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}",
             "CrashLoopBackOff", 0, 4},
            {"{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i\","
             "\"restartCount\":0,\"state\":{\"running\":{}}}],\"containerStatuses\":[{\"name\":"
             "\"c\",\"restartCount\":0,\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}",
             "Init:0/1", 0, 0},
            {"{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":"
             "0,\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}",
             "Completed", 0, 0},
            {"{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":"
             "2,\"state\":{\"terminated\":{\"exitCode\":137}}}]}",
             "ExitCode:137", 0, 2},
        };
        res_value *pod = json_value("{\"spec\":{\"nodeName\":\"local\",\"containers\":[{\"name\":"
                                    "\"c\"}],\"initContainers\":[{\"name\":\"i\"}]}}");
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                res_value *st = json_value(cases[i].status);
                eng_pod_view v;
                eng_pod_view_make(pod, st, &v);
                assert_string_equal(v.status, cases[i].want);
                assert_int_equal(v.ready, cases[i].ready);
                assert_int_equal(v.restarts, cases[i].restarts);
                res_value_free(st);
        }
        eng_pod_view v;
        eng_pod_view_make(pod, NULL, &v);
        assert_string_equal(v.status, "ContainerCreating");
        res_value_free(pod);
}

static const char *
bound_path(const eng_volumes *v, const char *volume)
{
        for (size_t i = 0; i < v->n_binds; i++)
                if (!strcmp(v->binds[i].volume, volume))
                        return v->binds[i].host_path;
        return NULL;
}

static void
test_volumes(void **state)
{
        fx *f = *state;
        static const char pv[] =
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: small}\nspec:\n"
            "  capacity: {storage: 100Mi}\n  accessModes: [ReadWriteOnce]\n"
            "  hostPath: {path: /srv/small}\n---\n"
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: big}\nspec:\n"
            "  capacity: {storage: 2Gi}\n  accessModes: [ReadWriteOnce]\n"
            "  persistentVolumeReclaimPolicy: Delete\n  hostPath: {path: /srv/big}\n---\n"
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: local-path}\n"
            "provisioner: rancher.io/local-path\n---\n";
        static const char claims[] =
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n"
            "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n"
            "  storageClassName: \"\"\n---\n"
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: scratch}\nspec:\n"
            "  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n"
            "  storageClassName: local-path\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: db}\nspec:\n  containers: [{name: c, "
            "image: busybox}]\n  volumes:\n  - {name: d, persistentVolumeClaim: {claimName: "
            "data}}\n  - {name: s, persistentVolumeClaim: {claimName: scratch}}\n";
        _cleanup_free_ char *all = xasprintf("%s%s", pv, claims);
        apply(f, all);
        eng_pods pods = ENG_PODS_INIT;
        controllers(f, &pods);
        eng_volumes v = ENG_VOLUMES_INIT;
        tm_error err = {0};
        assert_int_equal(eng_volumes_bind(f->store, f->ps, f->dir, &pods, &v, &err), 0);
        assert_true(v.changed);
        /* 1Gi does not fit in 100Mi: the 2Gi volume is the one. */
        assert_string_equal(bound_path(&v, "d"), "/srv/big");
        const char *scratch = bound_path(&v, "s");
        assert_non_null(scratch);
        _cleanup_free_ char *storage = xasprintf("%s/storage/pvc-", f->dir);
        assert_true(tm_str_has_prefix(scratch, storage));
        eng_volumes_free(&v);
        /* Bound stays bound: a second pass changes nothing. */
        assert_int_equal(eng_volumes_bind(f->store, f->ps, f->dir, &pods, &v, &err), 0);
        assert_false(v.changed);
        eng_volumes_free(&v);
        eng_pods_free(&pods);

        /* The claims go: Delete (the volume's and the class's policy) is reclaimed. */
        apply(f, pv);
        controllers(f, &pods);
        assert_int_equal(eng_volumes_bind(f->store, f->ps, f->dir, &pods, &v, &err), 0);
        assert_int_equal(v.n_reclaims, 2);
        for (size_t i = 0; i < v.n_reclaims; i++)
                assert_string_equal(v.reclaims[i].policy, "Delete");
        eng_volumes_free(&v);
        eng_binding *b = NULL;
        size_t n = 0;
        assert_int_equal(eng_volumes_list(f->ps, &b, &n, &err), 0);
        assert_int_equal(n, 0);
        eng_bindings_free(b, n);
        eng_pods_free(&pods);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_desired_has_only_what_pods_use, setup, teardown),
            cmocka_unit_test_setup_teardown(test_status_apply, setup, teardown),
            cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
            cmocka_unit_test(test_pod_view),
            cmocka_unit_test_setup_teardown(test_volumes, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
