/* Controllers and the scheduler: from the applied objects and the pods
 * that exist now, the pods that should exist and where they run.
 * A pure function, run after every apply and every status change:
 *  - a bare Pod runs as itself; a changed spec gives it a new uid
 *    (Kubernetes would make the user delete and re-create it; we replace);
 *  - Deployment -> ReplicaSet "<name>-<pod-template-hash>" -> Pods
 *    "<rs>-<suffix>", rolled with RollingUpdate (maxSurge, maxUnavailable,
 *    driven by readiness) or Recreate;
 *  - ReplicaSet (from a manifest) -> Pods; DaemonSet -> one Pod per node;
 *  - the scheduler places each new pod on a node whose labels match its
 *    nodeSelector (spec.nodeName pins it), else it stays Pending.
 * Names and uids are derived from identities and content hashes, so the
 * same inputs always give the same pods (a restarted controller re-adopts
 * instead of re-creating). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "resources/value.h"

typedef struct eng_pod {
        char *uid;
        char *ns;
        char *name;
        char *node;       /* "" when not scheduled */
        char *owner_kind; /* "ReplicaSet", "DaemonSet", or "" for a bare Pod */
        char *owner_name; /* the ReplicaSet's or DaemonSet's name */
        char *controller; /* "Deployment/web", "DaemonSet/agent", "ReplicaSet/x", "Pod/web" */
        char *pod_template_hash; /* for Deployment pods */
        res_value *obj; /* the full Pod object (metadata incl. uid, ownerReferences; spec) */
        /* observed (from the node's status): */
        bool ready;
        bool terminated; /* every container ended and will not restart */
        int64_t created; /* wall seconds */
} eng_pod;

typedef struct eng_pods {
        eng_pod *items;
        size_t n, cap;
} eng_pods;

#define ENG_PODS_INIT                                                                              \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void eng_pod_clear(eng_pod *p);
void eng_pods_free(eng_pods *ps);
/* Adds a copy of p (obj cloned). */
void eng_pods_add_copy(eng_pods *ps, const eng_pod *p);
const eng_pod *eng_pods_find_uid(const eng_pods *ps, const char *uid);
/* A pod being deleted (metadata.deletionTimestamp set): its node is
 * stopping it; it is kept until the node reports it removed, or until its
 * grace period and ENG_TERMINATING_MARGIN_S have passed. */
bool eng_pod_terminating(const eng_pod *p);
#define ENG_TERMINATING_MARGIN_S 60

typedef struct eng_node_info {
        const char *name;
        const res_value *labels; /* map; NULL: just kubernetes.io/hostname */
} eng_node_info;

/* objs: the applied objects (sorted value trees, as eng_value_from_json of
 * the canonical JSON gives them). current: the pods assigned now, with
 * what the nodes last said of them. out gets the pods that should exist. */
/* salt (the cluster's id) makes uids unique to this cluster. */
int eng_controllers_run(const res_value *const *objs, size_t n_objs, const eng_pods *current,
                        const eng_node_info *nodes, size_t n_nodes, const char *salt, eng_pods *out,
                        tm_error *err);

/* Kubernetes' pod-template-hash alphabet and a deterministic suffix. */
void eng_safe_encode(uint64_t v, char *out, size_t len);
/* A UUID-formatted id derived from salt (may be NULL) and s (sha256).
 * out: 37 bytes. */
void eng_uid_from(const char *salt, const char *s, char out[37]);
