#include "engine/podview.h"

#include <stdio.h>
#include <string.h>

static void
copy(char *dst, size_t n, const char *src)
{
        size_t l = strlen(src);
        if (l > n - 1)
                l = n - 1;
        memcpy(dst, src, l);
        dst[l] = '\0';
}

static const res_value *
seq(const res_value *m, const char *k)
{
        const res_value *v = res_map_get(m, k);
        return v && v->type == RES_SEQ ? v : NULL;
}

/* "Error", or Signal:N / ExitCode:N when the runtime gave no reason. */
static void
terminated_reason(const res_value *t, char *out, size_t n, const char *prefix)
{
        const char *reason = res_get_str(t, "reason", "");
        if (*reason)
                snprintf(out, n, "%s%s", prefix, reason);
        else if (res_get_int(t, "signal", 0))
                snprintf(out, n, "%sSignal:%lld", prefix, (long long)res_get_int(t, "signal", 0));
        else
                snprintf(out, n, "%sExitCode:%lld", prefix,
                         (long long)res_get_int(t, "exitCode", 0));
}

static bool
pod_ready(const res_value *status)
{
        const res_value *conds = seq(status, "conditions");
        for (uint32_t i = 0; conds && i < conds->n; i++)
                if (!strcmp(res_get_str(conds->u.items[i], "type", ""), "Ready"))
                        return !strcmp(res_get_str(conds->u.items[i], "status", ""), "True");
        return false;
}

void
eng_pod_view_make(const res_value *pod, const res_value *status, eng_pod_view *out)
{
        memset(out, 0, sizeof(*out));
        const res_value *spec = res_map_get(pod, "spec");
        const res_value *cs = seq(spec, "containers");
        const res_value *ics = seq(spec, "initContainers");
        out->total = cs ? cs->n : 0;
        /* As kubectl prints it: a pod being deleted is "Terminating". */
        bool deleting = res_get(pod, "metadata", "deletionTimestamp", NULL) != NULL;
        if (!status) {
                copy(out->status, sizeof(out->status),
                     deleting                             ? "Terminating"
                     : *res_get_str(spec, "nodeName", "") ? "ContainerCreating"
                                                          : "Pending");
                return;
        }
        copy(out->status, sizeof(out->status), res_get_str(status, "phase", "Pending"));
        if (*res_get_str(status, "reason", ""))
                copy(out->status, sizeof(out->status), res_get_str(status, "reason", ""));
        copy(out->ip, sizeof(out->ip), res_get_str(status, "podIP", ""));

        bool initializing = false;
        const res_value *ist = seq(status, "initContainerStatuses");
        for (uint32_t i = 0; ist && i < ist->n; i++) {
                const res_value *c = ist->u.items[i];
                out->restarts += (unsigned)res_get_int(c, "restartCount", 0);
                const res_value *st = res_map_get(c, "state");
                const res_value *t = res_map_get(st, "terminated");
                const res_value *w = res_map_get(st, "waiting");
                if (t && res_get_int(t, "exitCode", 0) == 0)
                        continue;
                initializing = true;
                if (t)
                        terminated_reason(t, out->status, sizeof(out->status), "Init:");
                else if (w && *res_get_str(w, "reason", "") &&
                         strcmp(res_get_str(w, "reason", ""), "PodInitializing"))
                        snprintf(out->status, sizeof(out->status), "Init:%s",
                                 res_get_str(w, "reason", ""));
                else
                        snprintf(out->status, sizeof(out->status), "Init:%u/%u", i,
                                 ics ? ics->n : ist->n);
                break;
        }
        const res_value *cst = seq(status, "containerStatuses");
        bool has_running = false;
        for (uint32_t k = cst ? cst->n : 0; k-- > 0;) {
                const res_value *c = cst->u.items[k];
                out->restarts += (unsigned)res_get_int(c, "restartCount", 0);
                if (res_get_bool(c, "ready", false))
                        out->ready++;
                if (initializing)
                        continue;
                const res_value *st = res_map_get(c, "state");
                const res_value *w = res_map_get(st, "waiting");
                const res_value *t = res_map_get(st, "terminated");
                if (w && *res_get_str(w, "reason", ""))
                        copy(out->status, sizeof(out->status), res_get_str(w, "reason", ""));
                else if (t)
                        terminated_reason(t, out->status, sizeof(out->status), "");
                else if (res_map_get(st, "running") && res_get_bool(c, "ready", false))
                        has_running = true;
        }
        /* kubectl: a pod with a completed and a running container is
         * Running when its Ready condition is True, else NotReady. */
        if (!initializing && !strcmp(out->status, "Completed") && has_running)
                copy(out->status, sizeof(out->status), pod_ready(status) ? "Running" : "NotReady");
        if (deleting)
                copy(out->status, sizeof(out->status), "Terminating");
}
