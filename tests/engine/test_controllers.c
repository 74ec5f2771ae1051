/* The controllers and the scheduler against Kubernetes' semantics:
 * ReplicaSet scaling, names and uids, RollingUpdate and Recreate,
 * paused Deployments, DaemonSets, bare Pods and placement. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/controllers.h"
#include "engine/plan.h"

static res_value *
obj_from(const char *json)
{
        res_value *v = NULL;
        tm_error err = {0};
        int r = eng_value_from_json(json, strlen(json), &v, &err);
        if (r < 0)
                fprintf(stderr, "bad json: %s: %s\n", err.msg, json);
        assert_int_equal(r, 0);
        return v;
}

/* A Deployment "web" (namespace default). strategy: JSON of spec.strategy
 * or NULL; extra: more spec members ("" or "\"paused\":true,"). */
static res_value *
deploy(int replicas, const char *env, const char *strategy, const char *extra)
{
        char *json = xasprintf(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
            "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
            "\"spec\":{%s\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
            "%s%s%s"
            "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
            "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:latest\","
            "\"env\":[{\"name\":\"V\",\"value\":\"%s\"}]}]}}}}",
            extra ? extra : "", replicas, strategy ? "\"strategy\":" : "", strategy ? strategy : "",
            strategy ? "," : "", env);
        res_value *v = obj_from(json);
        free(json);
        return v;
}

static res_value *
bare_pod(const char *name, const char *image, const char *spec_extra)
{
        char *json = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
                               "\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},"
                               "\"spec\":{%s\"containers\":[{\"name\":\"c\",\"image\":\"%s\"}]}}",
                               name, spec_extra ? spec_extra : "", image);
        res_value *v = obj_from(json);
        free(json);
        return v;
}

static const eng_node_info local_node[] = {{"local", NULL}};

/* One controllers run over objs against cur; out replaces nothing. */
static void
run_n(res_value **objs, size_t n, const eng_pods *cur, const eng_node_info *nodes, size_t n_nodes,
      const char *salt, eng_pods *out)
{
        tm_error err = {0};
        int r = eng_controllers_run((const res_value *const *)objs, n, cur, nodes, n_nodes, salt,
                                    out, &err);
        if (r < 0)
                fprintf(stderr, "controllers: %s\n", err.msg);
        assert_int_equal(r, 0);
}

/* Drops the pods being deleted, as if their node had removed them at
 * once: what remains is what should run. */
static void
drop_terminating(eng_pods *ps)
{
        size_t k = 0;
        for (size_t i = 0; i < ps->n; i++) {
                if (eng_pod_terminating(&ps->items[i])) {
                        eng_pod_clear(&ps->items[i]);
                        continue;
                }
                ps->items[k++] = ps->items[i];
        }
        ps->n = k;
}

/* A deletionTimestamp of now - ago seconds. */
static void
mark_deleted(eng_pod *p, int64_t ago)
{
        char ts[32];
        tm_format_rfc3339(tm_wall_s() - ago, ts, sizeof(ts));
        res_value *m = res_map_get(p->obj, "metadata");
        res_map_set(m, "deletionTimestamp", res_str_new(ts));
        res_map_set(m, "deletionGracePeriodSeconds", res_int_new(30));
}

static void
run1(res_value *obj, const eng_pods *cur, eng_pods *out)
{
        run_n(&obj, 1, cur, local_node, 1, "salt", out);
        drop_terminating(out);
}

/* Replaces cur by out, marking every pod ready (or only those of hash
 * ready_th when not NULL; others keep their readiness). */
static void
advance(eng_pods *cur, eng_pods *out, bool all_ready)
{
        for (size_t i = 0; i < out->n; i++)
                if (all_ready)
                        out->items[i].ready = true;
        eng_pods_free(cur);
        *cur = *out;
        *out = (eng_pods)ENG_PODS_INIT;
}

static size_t
count_hash(const eng_pods *ps, const char *th, bool equal, bool ready_only)
{
        size_t n = 0;
        for (size_t i = 0; i < ps->n; i++)
                if ((strcmp(ps->items[i].pod_template_hash, th) == 0) == equal &&
                    (!ready_only || ps->items[i].ready))
                        n++;
        return n;
}

static size_t
count_ready(const eng_pods *ps)
{
        size_t n = 0;
        for (size_t i = 0; i < ps->n; i++)
                n += ps->items[i].ready;
        return n;
}

static char *
json_of(const res_value *v)
{
        tm_buf b = TM_BUF_INIT;
        res_emit_canonical_json(v, &b);
        return tm_buf_steal(&b);
}

static void
test_scale_up_and_down(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, three = ENG_PODS_INIT, one = ENG_PODS_INIT,
                 five = ENG_PODS_INIT;
        res_value *d3 = deploy(3, "a", NULL, NULL);
        run1(d3, &none, &three);
        assert_int_equal(three.n, 3);
        const char *th = three.items[0].pod_template_hash;
        assert_int_equal(strlen(th), 10);
        char rs[64];
        snprintf(rs, sizeof(rs), "web-%s", th);
        for (size_t i = 0; i < 3; i++) {
                eng_pod *p = &three.items[i];
                /* "<rs>-<5 chars>", labels, owner, node. */
                assert_int_equal(strncmp(p->name, rs, strlen(rs)), 0);
                assert_int_equal(strlen(p->name), strlen(rs) + 6);
                assert_int_equal(p->name[strlen(rs)], '-');
                assert_string_equal(p->owner_kind, "ReplicaSet");
                assert_string_equal(p->owner_name, rs);
                assert_string_equal(p->controller, "Deployment/web");
                assert_string_equal(p->node, "local");
                assert_string_equal(res_get_str(res_get(p->obj, "metadata", "labels", NULL),
                                                "pod-template-hash", ""),
                                    th);
                assert_string_equal(
                    res_get_str(res_get(p->obj, "metadata", "labels", NULL), "app", ""), "web");
                assert_string_equal(res_get_str(res_get(p->obj, "metadata", NULL), "uid", ""),
                                    p->uid);
                assert_string_equal(res_get_str(res_get(p->obj, "spec", NULL), "nodeName", ""),
                                    "local");
                const res_value *refs = res_get(p->obj, "metadata", "ownerReferences", NULL);
                assert_non_null(refs);
                assert_int_equal(refs->type, RES_SEQ);
                assert_int_equal(refs->n, 1);
                const res_value *ref = refs->u.items[0];
                assert_string_equal(res_get_str(ref, "kind", ""), "ReplicaSet");
                assert_string_equal(res_get_str(ref, "apiVersion", ""), "apps/v1");
                assert_string_equal(res_get_str(ref, "name", ""), rs);
                assert_true(res_get_bool(ref, "controller", false));
                for (size_t j = 0; j < i; j++) {
                        assert_string_not_equal(p->name, three.items[j].name);
                        assert_string_not_equal(p->uid, three.items[j].uid);
                }
        }
        /* Scale down to 1: the highest indices go, the first pod stays. */
        res_value *d1 = deploy(1, "a", NULL, NULL);
        run1(d1, &three, &one);
        assert_int_equal(one.n, 1);
        assert_string_equal(one.items[0].uid, three.items[0].uid);
        assert_string_equal(one.items[0].name, three.items[0].name);
        /* Up to 5: the pod left stays; the two deleted ones come back
         * under their names but as new pods (new uids), never the old
         * ones, whose containers may still be stopping. */
        res_value *d5 = deploy(5, "a", NULL, NULL);
        run1(d5, &one, &five);
        assert_int_equal(five.n, 5);
        assert_string_equal(five.items[0].uid, three.items[0].uid);
        for (size_t i = 0; i < 3; i++)
                assert_string_equal(five.items[i].name, three.items[i].name);
        for (size_t i = 1; i < 3; i++)
                assert_string_not_equal(five.items[i].uid, three.items[i].uid);
        /* Replicas 0: no pods. */
        eng_pods zero = ENG_PODS_INIT;
        res_value *d0 = deploy(0, "a", NULL, NULL);
        run1(d0, &five, &zero);
        assert_int_equal(zero.n, 0);
        res_value_free(d0);
        res_value_free(d1);
        res_value_free(d3);
        res_value_free(d5);
        eng_pods_free(&three);
        eng_pods_free(&one);
        eng_pods_free(&five);
        eng_pods_free(&zero);
}

static void
test_names_and_uids_stable(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, a = ENG_PODS_INIT, b = ENG_PODS_INIT, c = ENG_PODS_INIT,
                 readopt = ENG_PODS_INIT;
        res_value *d = deploy(3, "a", NULL, NULL);
        run_n(&d, 1, &none, local_node, 1, "cluster-1", &a);
        run_n(&d, 1, &none, local_node, 1, "cluster-1", &b);
        run_n(&d, 1, &none, local_node, 1, "cluster-2", &c);
        assert_int_equal(a.n, 3);
        for (size_t i = 0; i < 3; i++) {
                /* Names come from the identity; a pod made anew is a new
                 * pod (new uid), in this cluster or another. */
                assert_string_equal(a.items[i].name, b.items[i].name);
                assert_string_not_equal(a.items[i].uid, b.items[i].uid);
                assert_string_equal(a.items[i].name, c.items[i].name);
                assert_string_not_equal(a.items[i].uid, c.items[i].uid);
                assert_int_equal(strlen(a.items[i].uid), 36);
        }
        /* Re-adoption: with its pods current, the same run gives the same
         * objects, byte for byte (nothing to store, nothing to restart). */
        a.items[1].ready = true;
        run_n(&d, 1, &a, local_node, 1, "cluster-1", &readopt);
        assert_int_equal(readopt.n, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(readopt.items[i].uid, a.items[i].uid);
                char *x = json_of(readopt.items[i].obj), *y = json_of(a.items[i].obj);
                assert_string_equal(x, y);
                free(x);
                free(y);
                assert_string_equal(readopt.items[i].node, "local");
                assert_int_equal(readopt.items[i].created, a.items[i].created);
        }
        assert_true(readopt.items[1].ready);
        assert_false(readopt.items[0].ready);
        res_value_free(d);
        eng_pods_free(&a);
        eng_pods_free(&b);
        eng_pods_free(&c);
        eng_pods_free(&readopt);
}

static void
test_template_change_new_hash(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, a = ENG_PODS_INIT, b = ENG_PODS_INIT, c = ENG_PODS_INIT;
        res_value *da = deploy(2, "a", NULL, NULL), *db = deploy(2, "b", NULL, NULL);
        /* replicas and strategy are not in the template: same hash */
        res_value *da3 = deploy(3, "a", "{\"type\":\"Recreate\"}", NULL);
        run1(da, &none, &a);
        run1(db, &none, &b);
        run1(da3, &none, &c);
        assert_string_not_equal(a.items[0].pod_template_hash, b.items[0].pod_template_hash);
        assert_string_not_equal(a.items[0].owner_name, b.items[0].owner_name);
        assert_string_equal(a.items[0].pod_template_hash, c.items[0].pod_template_hash);
        assert_string_equal(a.items[0].name, c.items[0].name);
        res_value_free(da);
        res_value_free(db);
        res_value_free(da3);
        eng_pods_free(&a);
        eng_pods_free(&b);
        eng_pods_free(&c);
}

/* Rolls web from "a" to "b" with the given strategy, marking new pods
 * ready after each step, and checks the invariants at every step:
 * at most replicas + surge pods, at least replicas - unavailable ready,
 * old pods go only as new ones become ready. */
static void
roll(int replicas, const char *strategy, int surge, int unavail)
{
        eng_pods cur = ENG_PODS_INIT, out = ENG_PODS_INIT;
        res_value *da = deploy(replicas, "a", strategy, NULL);
        res_value *db = deploy(replicas, "b", strategy, NULL);
        run1(da, &cur, &out);
        advance(&cur, &out, true);
        assert_int_equal(cur.n, (size_t)replicas);
        char old_th[11];
        snprintf(old_th, sizeof(old_th), "%s", cur.items[0].pod_template_hash);
        int steps = 0;
        for (;;) {
                assert_true(++steps < 4 * replicas + 10);
                run1(db, &cur, &out);
                assert_true(out.n <= (size_t)(replicas + surge));
                assert_true(count_ready(&out) >= (size_t)(replicas - unavail));
                /* Without any new pod becoming ready, nothing more moves. */
                eng_pods again = ENG_PODS_INIT;
                eng_pods same = ENG_PODS_INIT;
                for (size_t i = 0; i < out.n; i++)
                        eng_pods_add_copy(&same, &out.items[i]);
                run1(db, &same, &again);
                assert_int_equal(count_hash(&again, old_th, true, false),
                                 count_hash(&out, old_th, true, false));
                eng_pods_free(&again);
                eng_pods_free(&same);
                advance(&cur, &out, true);
                if (count_hash(&cur, old_th, true, false) == 0 &&
                    count_hash(&cur, old_th, false, true) == (size_t)replicas)
                        break;
        }
        assert_int_equal(cur.n, (size_t)replicas);
        assert_true(steps > 1);
        res_value_free(da);
        res_value_free(db);
        eng_pods_free(&cur);
}

static void
test_rolling_update(void **state)
{
        (void)state;
        roll(3, NULL, 1, 0);  /* default 25%/25%: surge ceil(.75)=1, unavailable floor(.75)=0 */
        roll(4, NULL, 1, 1);  /* 25% of 4 */
        roll(10, NULL, 3, 2); /* 2.5 up, 2.5 down */
        roll(3,
             "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":1}}",
             0, 1);
        roll(3,
             "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":2,\"maxUnavailable\":0}}",
             2, 0);
        /* both 0: maxUnavailable becomes 1 */
        roll(3,
             "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"0%\","
             "\"maxUnavailable\":\"0%\"}}",
             0, 1);
        roll(5,
             "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"100%\","
             "\"maxUnavailable\":\"0%\"}}",
             5, 0);
        roll(1, NULL, 1, 0);
}

/* The first step of a rollout from 'replicas' ready pods: how many new and
 * old pods it leaves. */
static void
first_step(int replicas, const char *strategy, size_t want_new, size_t want_old)
{
        eng_pods cur = ENG_PODS_INIT, out = ENG_PODS_INIT;
        res_value *da = deploy(replicas, "a", strategy, NULL);
        res_value *db = deploy(replicas, "b", strategy, NULL);
        run1(da, &cur, &out);
        advance(&cur, &out, true);
        char old_th[11];
        snprintf(old_th, sizeof(old_th), "%s", cur.items[0].pod_template_hash);
        run1(db, &cur, &out);
        assert_int_equal(count_hash(&out, old_th, false, false), want_new);
        assert_int_equal(count_hash(&out, old_th, true, false), want_old);
        res_value_free(da);
        res_value_free(db);
        eng_pods_free(&cur);
        eng_pods_free(&out);
}

static void
test_rolling_first_steps(void **state)
{
        (void)state;
        /* 10 replicas, 25%/25%: surge 3 (rounded up), unavailable 2 (down):
         * 2 old go at once, 5 new come (13 = 10 + 3 in all). */
        first_step(10, NULL, 5, 8);
        first_step(10,
                   "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
                   "\"maxUnavailable\":\"25%\"}}",
                   5, 8);
        /* integers */
        first_step(10,
                   "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1,"
                   "\"maxUnavailable\":0}}",
                   1, 10);
        first_step(10,
                   "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,"
                   "\"maxUnavailable\":3}}",
                   3, 7);
        /* 1% of 3 rounds up to 1 surge; 99% of 3 rounds down to 2 */
        first_step(3,
                   "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"1%\","
                   "\"maxUnavailable\":\"99%\"}}",
                   3, 1);
        /* 0/0: one unavailable */
        first_step(3,
                   "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,"
                   "\"maxUnavailable\":0}}",
                   1, 2);
        /* Recreate: nothing new while old pods exist */
        first_step(3, "{\"type\":\"Recreate\"}", 0, 0);
}

/* New pods that never become ready: the rollout stops where availability
 * says, old ready pods stay. */
static void
test_rolling_stalls_on_unready(void **state)
{
        (void)state;
        eng_pods cur = ENG_PODS_INIT, out = ENG_PODS_INIT;
        res_value *da = deploy(4, "a", NULL, NULL), *db = deploy(4, "b", NULL, NULL);
        run1(da, &cur, &out);
        advance(&cur, &out, true);
        char old_th[11];
        snprintf(old_th, sizeof(old_th), "%s", cur.items[0].pod_template_hash);
        for (int i = 0; i < 5; i++) {
                run1(db, &cur, &out);
                advance(&cur, &out, false);
        }
        /* 4 - 1 unavailable old pods stay ready; 5 - 3 = 2 new, unready. */
        assert_int_equal(count_hash(&cur, old_th, true, true), 3);
        assert_int_equal(count_hash(&cur, old_th, false, false), 2);
        assert_int_equal(count_ready(&cur), 3);
        res_value_free(da);
        res_value_free(db);
        eng_pods_free(&cur);
}

static void
test_recreate(void **state)
{
        (void)state;
        eng_pods cur = ENG_PODS_INIT, out = ENG_PODS_INIT;
        const char *st = "{\"type\":\"Recreate\"}";
        res_value *da = deploy(3, "a", st, NULL), *db = deploy(3, "b", st, NULL);
        run1(da, &cur, &out);
        advance(&cur, &out, true);
        char old_th[11];
        snprintf(old_th, sizeof(old_th), "%s", cur.items[0].pod_template_hash);
        run1(db, &cur, &out);
        assert_int_equal(out.n, 0); /* all old pods go first */
        /* While an old pod is still stopping on its node, nothing new. */
        eng_pods stopping = ENG_PODS_INIT;
        eng_pods_add_copy(&stopping, &cur.items[2]);
        mark_deleted(&stopping.items[0], 5);
        run1(db, &stopping, &out);
        assert_int_equal(out.n, 0);
        /* A stopping pod is not re-adopted either. */
        run1(da, &stopping, &out);
        assert_int_equal(out.n, 3);
        for (size_t i = 0; i < 3; i++)
                assert_string_not_equal(out.items[i].uid, stopping.items[0].uid);
        eng_pods_free(&out);
        eng_pods_free(&stopping);
        eng_pods_free(&cur);
        run1(db, &cur, &out);
        assert_int_equal(out.n, 3);
        assert_int_equal(count_hash(&out, old_th, false, false), 3);
        res_value_free(da);
        res_value_free(db);
        eng_pods_free(&cur);
        eng_pods_free(&out);
}

/* Pods no longer wanted are kept, marked deleted, until their node
 * reports them removed; unscheduled or ended ones go at once, and one
 * whose node stays silent past its grace period and a margin too. */
static void
test_graceful_delete(void **state)
{
        (void)state;
        eng_pods cur = ENG_PODS_INIT, out = ENG_PODS_INIT, out2 = ENG_PODS_INIT;
        res_value *d3 = deploy(3, "a", NULL, NULL), *d1 = deploy(1, "a", NULL, NULL);
        run_n(&d3, 1, &cur, local_node, 1, "salt", &out);
        advance(&cur, &out, true);
        assert_int_equal(cur.n, 3);
        cur.items[2].terminated = true; /* its containers all ended */
        run_n(&d1, 1, &cur, local_node, 1, "salt", &out);
        assert_int_equal(out.n, 2);
        size_t n_term = 0;
        for (size_t i = 0; i < out.n; i++) {
                const eng_pod *p = &out.items[i];
                if (!eng_pod_terminating(p))
                        continue;
                n_term++;
                assert_string_equal(p->uid, cur.items[1].uid);
                const res_value *m = res_map_get(p->obj, "metadata");
                int64_t t = tm_parse_rfc3339(res_get_str(m, "deletionTimestamp", ""));
                assert_true(t > 0 && t <= tm_wall_s() && t >= tm_wall_s() - 5);
                assert_int_equal(res_get_int(m, "deletionGracePeriodSeconds", 0), 30);
        }
        assert_int_equal(n_term, 1);
        /* Next run: still there, the same object, not re-adopted. */
        run_n(&d1, 1, &out, local_node, 1, "salt", &out2);
        assert_int_equal(out2.n, 2);
        for (size_t i = 0; i < out.n; i++) {
                const eng_pod *q = eng_pods_find_uid(&out2, out.items[i].uid);
                assert_non_null(q);
                char *x = json_of(out.items[i].obj), *y = json_of(q->obj);
                assert_string_equal(x, y);
                free(x);
                free(y);
        }
        eng_pods_free(&out2);
        /* With the Deployment gone too, every pod is kept being deleted. */
        run_n(NULL, 0, &out, local_node, 1, "salt", &out2);
        assert_int_equal(out2.n, 2);
        for (size_t i = 0; i < out2.n; i++)
                assert_true(eng_pod_terminating(&out2.items[i]));
        eng_pods_free(&out2);
        /* A node silent past the grace period and the margin: forgotten. */
        for (size_t i = 0; i < out.n; i++)
                mark_deleted(&out.items[i], 30 + ENG_TERMINATING_MARGIN_S + 1);
        run_n(NULL, 0, &out, local_node, 1, "salt", &out2);
        assert_int_equal(out2.n, 0);
        eng_pods_free(&out);
        eng_pods_free(&cur);
        res_value_free(d3);
        res_value_free(d1);
}

static void
test_paused(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, cur = ENG_PODS_INIT, out = ENG_PODS_INIT;
        res_value *da = deploy(3, "a", NULL, NULL);
        res_value *pb = deploy(3, "b", NULL, "\"paused\":true,");
        res_value *pa5 = deploy(5, "a", NULL, "\"paused\":true,");
        /* A Deployment created paused makes nothing. */
        run1(pb, &none, &out);
        assert_int_equal(out.n, 0);
        run1(da, &none, &cur);
        /* Paused with a new template: the pods stay as they are. */
        run1(pb, &cur, &out);
        assert_int_equal(out.n, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(out.items[i].uid, cur.items[i].uid);
                assert_string_equal(out.items[i].pod_template_hash, cur.items[i].pod_template_hash);
        }
        eng_pods_free(&out);
        /* Paused, same template: scaling still works. */
        run1(pa5, &cur, &out);
        assert_int_equal(out.n, 5);
        assert_string_equal(out.items[0].uid, cur.items[0].uid);
        eng_pods_free(&out);
        res_value_free(da);
        res_value_free(pb);
        res_value_free(pa5);
        eng_pods_free(&cur);
}

static res_value *
replicaset(int replicas, const char *image)
{
        char *json = xasprintf(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
            "\"metadata\":{\"name\":\"front\",\"namespace\":\"default\"},"
            "\"spec\":{\"replicas\":%d,\"selector\":{\"matchLabels\":{\"app\":\"front\"}},"
            "\"template\":{\"metadata\":{\"labels\":{\"app\":\"front\"}},"
            "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"%s\"}]}}}}",
            replicas, image);
        res_value *v = obj_from(json);
        free(json);
        return v;
}

/* A ReplicaSet from a manifest: its own name, template labels only, and a
 * template change leaves the pods that exist alone. */
static void
test_replicaset_manifest(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, a = ENG_PODS_INIT, b = ENG_PODS_INIT, c = ENG_PODS_INIT;
        res_value *r3 = replicaset(3, "busybox:1"), *r3b = replicaset(3, "busybox:2"),
                  *r4b = replicaset(4, "busybox:2");
        run1(r3, &none, &a);
        assert_int_equal(a.n, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_int_equal(strncmp(a.items[i].name, "front-", 6), 0);
                assert_int_equal(strlen(a.items[i].name), 11);
                assert_string_equal(a.items[i].owner_name, "front");
                assert_string_equal(a.items[i].controller, "ReplicaSet/front");
                assert_null(
                    res_get(a.items[i].obj, "metadata", "labels", "pod-template-hash", NULL));
                assert_string_equal(
                    res_get_str(res_get(a.items[i].obj, "metadata", "labels", NULL), "app", ""),
                    "front");
        }
        run1(r3b, &a, &b);
        assert_int_equal(b.n, 3);
        for (size_t i = 0; i < 3; i++)
                assert_string_equal(b.items[i].uid, a.items[i].uid);
        run1(r4b, &b, &c);
        assert_int_equal(c.n, 4);
        const res_value *img = res_get(c.items[3].obj, "spec", "containers", NULL);
        assert_string_equal(res_get_str(img->u.items[0], "image", ""), "busybox:2");
        img = res_get(c.items[0].obj, "spec", "containers", NULL);
        assert_string_equal(res_get_str(img->u.items[0], "image", ""), "busybox:1");
        res_value_free(r3);
        res_value_free(r3b);
        res_value_free(r4b);
        eng_pods_free(&a);
        eng_pods_free(&b);
        eng_pods_free(&c);
}

static char *
daemonset_json(const char *spec_extra)
{
        return xasprintf("{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\","
                         "\"metadata\":{\"name\":\"agent\",\"namespace\":\"kube-system\"},"
                         "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"agent\"}},"
                         "\"template\":{\"metadata\":{\"labels\":{\"app\":\"agent\"}},"
                         "\"spec\":{%s\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}",
                         spec_extra);
}

static void
test_daemonset(void **state)
{
        (void)state;
        res_value *ssd = obj_from("{\"disk\":\"ssd\"}");
        eng_node_info nodes[] = {{"n1", ssd}, {"n2", NULL}, {"n3", ssd}};
        char *j1 = daemonset_json("");
        char *j2 = daemonset_json("\"nodeSelector\":{\"disk\":\"ssd\"},");
        res_value *all = obj_from(j1), *sel = obj_from(j2);
        eng_pods none = ENG_PODS_INIT, a = ENG_PODS_INIT, b = ENG_PODS_INIT, again = ENG_PODS_INIT;
        run_n(&all, 1, &none, nodes, 3, "s", &a);
        assert_int_equal(a.n, 3);
        for (size_t i = 0; i < 3; i++) {
                assert_string_equal(a.items[i].node, nodes[i].name);
                assert_string_equal(
                    res_get_str(res_get(a.items[i].obj, "spec", NULL), "nodeName", ""),
                    nodes[i].name);
                assert_string_equal(a.items[i].owner_kind, "DaemonSet");
                assert_string_equal(a.items[i].owner_name, "agent");
                assert_string_equal(a.items[i].ns, "kube-system");
                const res_value *ref = res_get(a.items[i].obj, "metadata", "ownerReferences", NULL);
                assert_non_null(ref);
                assert_string_equal(res_get_str(ref->u.items[0], "kind", ""), "DaemonSet");
                assert_int_equal(strncmp(a.items[i].name, "agent-", 6), 0);
        }
        assert_string_not_equal(a.items[0].name, a.items[1].name);
        run_n(&sel, 1, &none, nodes, 3, "s", &b);
        assert_int_equal(b.n, 2);
        assert_string_equal(b.items[0].node, "n1");
        assert_string_equal(b.items[1].node, "n3");
        /* same inputs, same pods */
        run_n(&all, 1, &a, nodes, 3, "s", &again);
        for (size_t i = 0; i < 3; i++)
                assert_string_equal(again.items[i].uid, a.items[i].uid);
        /* One node: the single node "local" gets one pod. */
        eng_pods one = ENG_PODS_INIT;
        run_n(&all, 1, &none, local_node, 1, "s", &one);
        assert_int_equal(one.n, 1);
        assert_string_equal(one.items[0].node, "local");
        free(j1);
        free(j2);
        res_value_free(all);
        res_value_free(sel);
        res_value_free(ssd);
        eng_pods_free(&a);
        eng_pods_free(&b);
        eng_pods_free(&again);
        eng_pods_free(&one);
}

static void
test_bare_pod(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, a = ENG_PODS_INIT, b = ENG_PODS_INIT, c = ENG_PODS_INIT;
        res_value *p1 = bare_pod("web", "busybox:1", NULL),
                  *p2 = bare_pod("web", "busybox:2", NULL);
        run1(p1, &none, &a);
        assert_int_equal(a.n, 1);
        assert_string_equal(a.items[0].name, "web");
        assert_string_equal(a.items[0].owner_kind, "");
        assert_string_equal(a.items[0].controller, "Pod/web");
        assert_string_equal(a.items[0].node, "local");
        assert_null(res_get(a.items[0].obj, "metadata", "ownerReferences", NULL));
        run1(p1, &a, &b);
        assert_string_equal(a.items[0].uid, b.items[0].uid);
        char *x = json_of(a.items[0].obj), *y = json_of(b.items[0].obj);
        assert_string_equal(x, y);
        free(x);
        free(y);
        /* A spec change: a new pod (new uid), same name. */
        run1(p2, &a, &c);
        assert_int_equal(c.n, 1);
        assert_string_equal(c.items[0].name, "web");
        assert_string_not_equal(c.items[0].uid, a.items[0].uid);
        assert_string_equal(res_get_str(res_get(c.items[0].obj, "metadata", NULL), "uid", ""),
                            c.items[0].uid);
        /* Back to the first spec: again a new pod, not the first one. */
        eng_pods d = ENG_PODS_INIT;
        run1(p1, &c, &d);
        assert_string_not_equal(d.items[0].uid, a.items[0].uid);
        assert_string_not_equal(d.items[0].uid, c.items[0].uid);
        eng_pods_free(&d);
        res_value_free(p1);
        res_value_free(p2);
        eng_pods_free(&a);
        eng_pods_free(&b);
        eng_pods_free(&c);
}

static void
test_scheduler(void **state)
{
        (void)state;
        res_value *ssd = obj_from("{\"disk\":\"ssd\"}");
        eng_node_info nodes[] = {{"n1", NULL}, {"n2", ssd}};
        res_value *objs[] = {
            bare_pod("pinned", "busybox", "\"nodeName\":\"ghost\","),
            bare_pod("nomatch", "busybox", "\"nodeSelector\":{\"disk\":\"hdd\"},"),
            bare_pod("match", "busybox", "\"nodeSelector\":{\"disk\":\"ssd\"},"),
            bare_pod("host", "busybox", "\"nodeSelector\":{\"kubernetes.io/hostname\":\"n1\"},"),
            bare_pod("onn2", "busybox", "\"nodeName\":\"n2\","),
            bare_pod("free1", "busybox", NULL),
            bare_pod("free2", "busybox", NULL),
        };
        eng_pods none = ENG_PODS_INIT, out = ENG_PODS_INIT, again = ENG_PODS_INIT;
        run_n(objs, 7, &none, nodes, 2, "s", &out);
        assert_int_equal(out.n, 7);
        /* nodeName pins, even to a node that does not exist: it never runs
         * on a known node. */
        assert_string_equal(out.items[0].node, "ghost");
        /* no matching node: Pending, unscheduled */
        assert_string_equal(out.items[1].node, "");
        assert_null(res_get(out.items[1].obj, "spec", "nodeName", NULL));
        assert_string_equal(out.items[2].node, "n2");
        assert_string_equal(out.items[3].node, "n1");
        assert_string_equal(out.items[4].node, "n2");
        /* the rest spread: n1 has 1 and n2 has 2, so free1 goes to n1,
         * then free2 to either (2 and 2): least loaded first */
        assert_string_equal(out.items[5].node, "n1");
        assert_true(!strcmp(out.items[6].node, "n1") || !strcmp(out.items[6].node, "n2"));
        /* A pod keeps its node on the next run; the unscheduled one is
         * still Pending. */
        run_n(objs, 7, &out, nodes, 2, "s", &again);
        for (size_t i = 0; i < 7; i++) {
                assert_string_equal(again.items[i].node, out.items[i].node);
                assert_string_equal(again.items[i].uid, out.items[i].uid);
        }
        /* No nodes at all: everything unpinned stays Pending. */
        eng_pods nonodes = ENG_PODS_INIT;
        run_n(objs, 7, &none, NULL, 0, "s", &nonodes);
        assert_string_equal(nonodes.items[5].node, "");
        assert_string_equal(nonodes.items[0].node, "ghost");
        for (size_t i = 0; i < 7; i++)
                res_value_free(objs[i]);
        res_value_free(ssd);
        eng_pods_free(&out);
        eng_pods_free(&again);
        eng_pods_free(&nonodes);
}

static void
test_replicas_capped(void **state)
{
        (void)state;
        eng_pods none = ENG_PODS_INIT, out = ENG_PODS_INIT;
        res_value *d = deploy(1000000, "a", NULL, NULL);
        run1(d, &none, &out);
        assert_int_equal(out.n, 1000);
        res_value *neg = deploy(-3, "a", NULL, NULL);
        eng_pods out2 = ENG_PODS_INIT;
        run1(neg, &none, &out2);
        assert_int_equal(out2.n, 0);
        res_value_free(d);
        res_value_free(neg);
        eng_pods_free(&out);
}

static double
now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* 20 pods (a Deployment of 10 and 10 bare pods), readopted: the time per
 * pod of one run. */
static void
test_speed(void **state)
{
        (void)state;
        res_value *objs[11];
        objs[0] = deploy(10, "a", NULL, NULL);
        for (int i = 0; i < 10; i++) {
                char name[16];
                snprintf(name, sizeof(name), "p%d", i);
                objs[1 + i] = bare_pod(name, "busybox", NULL);
        }
        eng_pods none = ENG_PODS_INIT, cur = ENG_PODS_INIT;
        run_n(objs, 11, &none, local_node, 1, "s", &cur);
        assert_int_equal(cur.n, 20);
        int rounds = 50;
        double t0 = now_ms();
        for (int r = 0; r < rounds; r++) {
                eng_pods out = ENG_PODS_INIT;
                run_n(objs, 11, &cur, local_node, 1, "s", &out);
                assert_int_equal(out.n, 20);
                eng_pods_free(&out);
        }
        double per_pod = (now_ms() - t0) / rounds / 20;
        printf("# controllers: %.4f ms per pod (20 pods, %d runs)\n", per_pod, rounds);
        assert_true(per_pod < 1.0);
        for (int i = 0; i < 11; i++)
                res_value_free(objs[i]);
        eng_pods_free(&cur);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_scale_up_and_down),
            cmocka_unit_test(test_names_and_uids_stable),
            cmocka_unit_test(test_template_change_new_hash),
            cmocka_unit_test(test_rolling_update),
            cmocka_unit_test(test_rolling_first_steps),
            cmocka_unit_test(test_rolling_stalls_on_unready),
            cmocka_unit_test(test_recreate),
            cmocka_unit_test(test_graceful_delete),
            cmocka_unit_test(test_paused),
            cmocka_unit_test(test_replicaset_manifest),
            cmocka_unit_test(test_daemonset),
            cmocka_unit_test(test_bare_pod),
            cmocka_unit_test(test_scheduler),
            cmocka_unit_test(test_replicas_capped),
            cmocka_unit_test(test_speed),
        };
        if (getenv("TM_TEST_FILTER"))
                cmocka_set_test_filter(getenv("TM_TEST_FILTER"));
        return cmocka_run_group_tests(tests, NULL, NULL);
}
