/* The PodStatus a pod's containers add up to, as Kubernetes spells it. */
#include "executors/agent-internal.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"

static void
rfc3339(int64_t t, char out[32])
{
        struct tm tm;
        time_t tt = (time_t)t;
        gmtime_r(&tt, &tm);
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
state_json(const exe_container_status *st, const agent_container *c, bool last)
{
        char t1[32], t2[32];
        if (!last && (c->running || !c->started_once || c->waiting_reason[0])) {
                if (c->running && !c->waiting_reason[0]) {
                        rfc3339(st->started_at, t1);
                        return json_pack("{s:{s:s}}", "running", "startedAt", t1);
                }
                return json_pack("{s:{s:s, s:s}}", "waiting", "reason",
                                 c->waiting_reason[0] ? c->waiting_reason : "ContainerCreating",
                                 "message", c->waiting_message);
        }
        rfc3339(st->started_at, t1);
        rfc3339(st->finished_at, t2);
        const char *reason = st->oom_killed       ? "OOMKilled"
                             : st->reason[0]      ? st->reason
                             : st->exit_code == 0 ? "Completed"
                                                  : "Error";
        return json_pack("{s:{s:i, s:s, s:s, s:s}}", "terminated", "exitCode", st->exit_code,
                         "reason", reason, "startedAt", t1, "finishedAt", t2);
}

void
agent_pod_status(exe_agent *a, agent_pod *p, tm_buf *out)
{
        json_t *st = json_object();
        json_t *cs = json_array(), *ics = json_array();
        bool all_ready = true, any_running = false, all_done = true, all_ok = true;
        bool inited = true;
        for (size_t i = 0; i < p->n_cs; i++) {
                agent_container *c = &p->cs[i];
                /* Ready: running, started (startupProbe passed), postStart
                 * done and readinessProbe passing (agent-probe.c). */
                bool ready =
                    c->running && !c->waiting_reason[0] && !c->init && agent_probe_is_ready(c);
                bool started = c->running && (c->init || agent_probe_is_started(c));
                json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:b, s:i, s:s}", "name", c->name,
                                      "image", res_get_str(c->spec, "image", ""), "imageID",
                                      c->image_id, "ready", c->init ? c->done : ready, "started",
                                      started, "restartCount", (int)c->restarts, "containerID", "");
                json_object_set_new(j, "containerID",
                                    c->started_once
                                        ? json_sprintf("timone://tm-%s-%s", p->uid, c->name)
                                        : json_string(""));
                json_object_set_new(j, "state", state_json(&c->cur, c, false));
                json_object_set_new(j, "lastState",
                                    c->have_last ? state_json(&c->last, c, true) : json_object());
                json_array_append_new(c->init ? ics : cs, j);
                if (c->init) {
                        inited &= c->done;
                        continue;
                }
                all_ready &= ready;
                any_running |= c->running;
                bool ended = c->started_once && !c->running && !c->waiting_reason[0];
                all_done &= ended;
                all_ok &= ended && c->cur.exit_code == 0;
        }
        const char *phase = "Pending";
        if (p->failed)
                phase = "Failed";
        else if (all_done && strcmp(agent_restart_policy(p), "Always") != 0)
                phase = all_ok ? "Succeeded" : "Failed";
        else if (inited && (any_running || all_done))
                phase = "Running";
        json_object_set_new(st, "phase", json_string(phase));
        char t[32];
        json_t *conds = json_array();
        const char *ct[] = {"PodScheduled", "Initialized", "ContainersReady", "Ready"};
        bool cv[] = {true, inited, all_ready && inited, all_ready && inited};
        for (int i = 0; i < 4; i++)
                json_array_append_new(conds, json_pack("{s:s, s:s}", "type", ct[i], "status",
                                                       cv[i] ? "True" : "False"));
        json_object_set_new(st, "conditions", conds);
        if (p->ip[0]) {
                json_object_set_new(st, "podIP", json_string(p->ip));
                json_object_set_new(st, "podIPs", json_pack("[{s:s}]", "ip", p->ip));
        }
        if (p->start_time) {
                rfc3339(p->start_time, t);
                json_object_set_new(st, "startTime", json_string(t));
        }
        if (p->pod_reason[0]) {
                json_object_set_new(st, "reason", json_string(p->pod_reason));
                json_object_set_new(st, "message", json_string(p->pod_message));
        }
        json_object_set_new(st, "containerStatuses", cs);
        if (p->n_init)
                json_object_set_new(st, "initContainerStatuses", ics);
        else
                json_decref(ics);
        json_object_set_new(st, "qosClass", json_string("Burstable"));
        char *text = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
        tm_buf_puts(out, text);
        free(text);
        json_decref(st);
        (void)a;
}
