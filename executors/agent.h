/* The node agent: brings the pods bound to this node to what the
 * controller last asked for, and keeps them so while the controller is
 * unreachable. It is driven by two messages of the node protocol, both
 * JSON documents (the same bytes travel in-process with `serve --local`
 * and over mutual TLS in a fleet):
 *
 * NodeDesired (controller -> agent):
 *   {"apiVersion": "timone/v1", "kind": "NodeDesired", "node": "local",
 *    "generation": 12,
 *    "pods":       [Pod objects: canonical JSON as resources/ makes it, with
 *                   metadata.uid set by the controller; a changed spec comes
 *                   with a new uid, so "replace" = old uid gone + new uid],
 *    "configMaps": [ConfigMap objects the pods reference],
 *    "secrets":    [Secret objects the pods reference (data base64)],
 *    "volumes":    [{"podUID": "...", "volume": "data",
 *                    "hostPath": "/var/lib/timone/storage/pvc-...",
 *                    "type": "DirectoryOrCreate"}],  (bound PVCs: the pod's
 *                   persistentVolumeClaim volume named "volume" mounts hostPath)
 *    "reclaim":    [{"hostPath": "...", "policy": "Delete" | "Recycle"}]}
 *                  (released volumes: Delete removes the directory, Recycle
 *                   empties it; idempotent, done once no pod uses it)
 *
 * NodeStatus (agent -> controller):
 *   {"apiVersion": "timone/v1", "kind": "NodeStatus", "node": "local",
 *    "generation": 12,            (last NodeDesired applied)
 *    "pods": [{"uid", "namespace", "name",
 *              "status": PodStatus as Kubernetes spells it: phase,
 *                        conditions, hostIP, podIP, podIPs, startTime,
 *                        initContainerStatuses, containerStatuses (name,
 *                        image, imageID, ready, started, restartCount,
 *                        state/lastState with waiting{reason,message} |
 *                        running{startedAt} | terminated{exitCode,reason,
 *                        startedAt,finishedAt})}],
 *    "events": [{"podUID", "namespace", "name", "type": "Normal|Warning",
 *                "reason", "message", "time": unix seconds, "count"}],
 *    "removed": [uids of pods no longer desired that are now stopped and
 *                cleaned up (sandbox, network, volumes): the controller
 *                forgets them; a status message is sent for them alone]}
 *
 * Messages are bounded (EXE_AGENT_MAX_MESSAGE) and validated: a malformed
 * one is refused whole and changes nothing. Secret data is held in memory
 * and on tmpfs only, never on the node's disk. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "executors/image.h"
#include "executors/runtime.h"
#include "netsetup/podnet.h"

#define EXE_AGENT_MAX_MESSAGE (64u << 20)

typedef struct exe_agent exe_agent;

typedef struct exe_agent_options {
        const char *state_dir; /* agent state under <state_dir>/agent */
        const char *node_name;
        exe_runtime *runtime;               /* borrowed */
        exe_image_store *images;            /* borrowed */
        net_podnet *net;                    /* borrowed */
        const char *const *host_path_roots; /* allow-list for hostPath volumes; NULL: none */
        bool allow_privileged;
        const char *secrets_dir; /* tmpfs for the agent's copy of secrets; default
                                  * <state_dir>/agent/secrets (a tmpfs mounted there) */
} exe_agent_options;

/* Loads the last NodeDesired persisted (if any) and re-adopts what runs:
 * containers keep running, restart counts are kept. */
int exe_agent_open(exe_agent **out, const exe_agent_options *opts, tm_error *err);
/* Validates and persists a NodeDesired message, then reconciles towards it. */
int exe_agent_set_desired(exe_agent *a, const char *json, size_t len, tm_error *err);
/* Does the work that is due (start, restart with back-off, stop with grace,
 * probes, clean-up) without blocking for long; *next_ms gets the monotonic
 * time (tm_now_ms) at which it wants to be called again. */
int exe_agent_reconcile(exe_agent *a, uint64_t *next_ms, tm_error *err);
/* An fd that becomes readable when the agent has work before *next_ms (a
 * container's start reported, a stopping container ended, a removal
 * finished): the loop calls exe_agent_reconcile then. Owned by the agent. */
int exe_agent_fd(const exe_agent *a);
/* A NodeStatus message when anything changed since the last call (events
 * since then included), else NULL. Caller frees. */
char *exe_agent_take_status(exe_agent *a);
/* Leaves every pod running. */
void exe_agent_close(exe_agent *a);
