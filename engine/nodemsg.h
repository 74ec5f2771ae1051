/* The controller's side of the node protocol messages (executors/agent.h
 * documents them): NodeDesired for a node from the pods bound to it, and
 * NodeStatus folded back into the pod store. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/controllers.h"
#include "engine/podstore.h"
#include "engine/store.h"

/* A bound claim: the pod volume that mounts it and where it lives. */
typedef struct eng_volume_bind {
        const char *pod_uid;
        const char *volume;
        const char *host_path;
        const char *type;
} eng_volume_bind;

typedef struct eng_reclaim {
        const char *host_path;
        const char *policy; /* "Delete" | "Recycle" */
} eng_reclaim;

/* The NodeDesired message (JSON text, caller frees) for node: its pods,
 * the ConfigMaps and Secrets they reference (read from store), the bound
 * volumes of its pods and the volumes to reclaim. */
int eng_node_desired(eng_store *store, const char *node, int64_t generation, const eng_pods *pods,
                     const eng_volume_bind *binds, size_t n_binds, const eng_reclaim *reclaims,
                     size_t n_reclaims, char **out, tm_error *err);

/* Folds a NodeStatus message into the pod store. *readiness_changed tells
 * whether a pod became ready or unready or ended (the controllers should
 * run again). */
int eng_node_status_apply(eng_podstore *ps, const char *node, const char *json, size_t len,
                          bool *readiness_changed, tm_error *err);
