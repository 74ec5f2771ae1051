/* NodeStatus, the agent's report as the controller reads it
 * (engine/nodemsg.c eng_node_status_apply), against a real pod store in a
 * state directory on tmpfs made once per process. Each input starts from
 * the same three pods (one being deleted) and no statuses or events.
 * Checks: a refusal says why; every stored status is a JSON object; a
 * message without events, applied a second time, changes nothing. */
#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "engine/controllers.h"
#include "engine/nodemsg.h"
#include "engine/plan.h"
#include "engine/podstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static eng_podstore *ps;
static eng_pods pods = ENG_PODS_INIT;
static char dir[64];

static void
cleanup(void)
{
        eng_podstore_close(ps);
        eng_pods_free(&pods);
        tm_rm_rf(dir, NULL);
}

static void
add_pod(const char *uid, const char *name, bool deleting)
{
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{%s\"name\":\"%s\","
                 "\"namespace\":\"default\",\"uid\":\"%s\"},\"spec\":{\"containers\":[{\"name\":"
                 "\"c\",\"image\":\"busybox\"}],\"nodeName\":\"local\"}}",
                 deleting ? "\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"," : "", name, uid);
        eng_pod p = {
            .uid = (char *)uid,
            .ns = "default",
            .name = (char *)name,
            .node = "local",
            .owner_kind = "",
            .owner_name = "",
            .controller = "Pod/x",
            .pod_template_hash = "",
            .created = 1700000000,
        };
        tm_error err = {0};
        if (eng_value_from_json(json, strlen(json), &p.obj, &err) < 0)
                abort();
        eng_pods_add_copy(&pods, &p);
        res_value_free(p.obj);
}

static void
init(void)
{
        snprintf(dir, sizeof(dir), "/dev/shm/timone-fz-nodestatus.XXXXXX");
        if (!mkdtemp(dir))
                abort();
        tm_error err = {0};
        if (eng_podstore_open(&ps, dir, true, &err) < 0) {
                fprintf(stderr, "podstore: %s\n", err.msg);
                abort();
        }
        add_pod("0123abcd-0000-4000-8000-000000000001", "web", false);
        add_pod("0123abcd-0000-4000-8000-000000000002", "db", false);
        add_pod("0123abcd-0000-4000-8000-000000000003", "old", true);
        atexit(cleanup);
}

static void
reset(void)
{
        bool changed = false;
        tm_error err = {0};
        if (eng_podstore_sync(ps, &pods, &changed, &err) < 0 ||
            sqlite3_exec(eng_podstore_db(ps),
                         "DELETE FROM pod_events; UPDATE pods SET status = NULL, ready = 0,"
                         " terminated = 0",
                         NULL, NULL, NULL) != SQLITE_OK)
                abort();
}

/* Events make the controllers run every time; pods named twice may set
 * a status back and forth: a repeat only changes nothing without them. */
static bool
repeat_is_idempotent(const uint8_t *data, size_t size)
{
        json_t *m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        if (!m)
                return false;
        bool ok = json_array_size(json_object_get(m, "events")) == 0;
        json_t *p = json_object_get(m, "pods");
        for (size_t i = 0; ok && i < json_array_size(p); i++)
                for (size_t k = 0; ok && k < i; k++) {
                        const char *a =
                            json_string_value(json_object_get(json_array_get(p, i), "uid"));
                        const char *b =
                            json_string_value(json_object_get(json_array_get(p, k), "uid"));
                        ok = !(a && b && !strcmp(a, b));
                }
        json_decref(m);
        return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!ps)
                init();
        reset();
        bool changed = false;
        tm_error err = {0};
        int r = eng_node_status_apply(ps, "local", (const char *)data, size, &changed, &err);
        if (getenv("FUZZ_VERBOSE")) /* to see what a seed reaches */
                fprintf(stderr, "status_apply: %d changed %d %s\n", r, changed, err.msg);
        if (r < 0) {
                if (!err.msg[0] || changed)
                        abort();
                return 0;
        }
        eng_pod_row *rows = NULL;
        size_t n = 0;
        if (eng_podstore_list(ps, NULL, &rows, &n, &err) < 0)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (!rows[i].status)
                        continue;
                json_t *j = json_loads(rows[i].status, 0, NULL);
                if (!json_is_object(j)) {
                        fprintf(stderr, "stored status is not an object: %s\n", rows[i].status);
                        abort();
                }
                json_decref(j);
        }
        eng_pod_rows_free(rows, n);
        if (repeat_is_idempotent(data, size)) {
                bool again = false;
                if (eng_node_status_apply(ps, "local", (const char *)data, size, &again, &err) <
                        0 ||
                    again) {
                        fprintf(stderr, "the same NodeStatus changed the store twice\n");
                        abort();
                }
        }
        /* The report of another node is refused. */
        if (eng_node_status_apply(ps, "other", (const char *)data, size, &changed, &err) == 0)
                abort();
        return 0;
}
