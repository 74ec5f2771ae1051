/* The planner: a pure function from (desired set, actual rows) to an
 * ordered plan, and its output as text or JSON (diffout.c).
 *
 * Order: creates, updates and unchanged objects in apply order (the
 * kind's res_kind_info.order: Namespaces, then storage and config, then
 * Services, then workloads; by id within a kind), then prunes in the
 * reverse order. A namespaced object whose namespace is neither desired
 * nor built in (default, kube-system, kube-public, kube-node-lease) is a
 * validation error and the plan is not made.
 *
 * `timone diff -o json` prints one object:
 *   {
 *     "revision": "sha256:..." | commit id,
 *     "source":   the SOURCE, credentials stripped,
 *     "summary":  {"create": N, "update": N, "prune": N, "unchanged": N},
 *     "actions":  [ {                        (unchanged objects are not listed)
 *         "action": "create" | "update" | "prune",
 *         "kind": "Deployment", "apiVersion": "apps/v1",
 *         "namespace": "shop" (or "" when cluster-scoped), "name": "web",
 *         "changedPaths": ["spec.replicas", ...]   (updates; [] otherwise),
 *         "object": the canonical object (the stored one for a prune), Secret
 *                   data values replaced by "***"
 *     } ... ],
 *     "errors":   [ {"file", "line", "column", "kind", "namespace", "name",
 *                    "path", "message"} ... ]   (missing members are null)
 *   }
 * With errors, "actions" is empty and "summary" all zero. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/error.h"
#include "engine/store.h"
#include "resources/diag.h"
#include "resources/object.h"
#include "resources/value.h"

typedef enum eng_action_type {
        ENG_ACT_CREATE = 0,
        ENG_ACT_UPDATE,
        ENG_ACT_PRUNE,
        ENG_ACT_UNCHANGED,
} eng_action_type;

#define ENG_PLAN_MAX_PATHS 4

/* One step of a plan. Read-only for callers; owned by the plan. */
typedef struct eng_action {
        eng_action_type type;
        const res_object *obj;     /* desired object; NULL for a prune */
        const eng_row *row;        /* stored row; NULL for a create */
        const res_kind_info *info; /* NULL for a stored kind no longer known */
        const char *id, *api_version, *kind, *ns, *name;
        /* After eng_plan_set_old (updates and prunes): */
        res_value *old;                  /* the stored object, sorted */
        char *paths[ENG_PLAN_MAX_PATHS]; /* first changed leaf paths (updates) */
        size_t n_paths;
        bool more_paths; /* more paths differ than listed */
} eng_action;

typedef struct eng_plan eng_plan;

/* Builds the plan. Validation errors (missing namespaces) go to diags and
 * make it fail with -EINVAL and no plan. desired and actual must outlive
 * the plan. */
int eng_plan_build(const res_set *desired, const eng_rows *actual, eng_plan **out,
                   res_diags *diags);
/* The validation part alone (missing namespaces), for a set that may
 * already hold errors, so that every error is listed at once. Returns
 * the number of errors added. */
size_t eng_plan_check(const res_set *desired, res_diags *diags);
size_t eng_plan_count(const eng_plan *p);
eng_action *eng_plan_at(eng_plan *p, size_t i);
const eng_action *eng_plan_get(const eng_plan *p, size_t i);
/* Number of actions of each type, indexed by eng_action_type. */
void eng_plan_summary(const eng_plan *p, size_t counts[4]);
bool eng_plan_has_changes(const eng_plan *p);
/* Gives an update or prune the stored object's canonical JSON (the plan
 * makes no I/O itself) and, for an update, computes its changed paths. */
int eng_plan_set_old(eng_plan *p, size_t i, const char *json, size_t len, tm_error *err);
void eng_plan_free(eng_plan *p);

/* The leaf paths where a and b differ ("data.index.html",
 * "spec.template.spec.containers[0].image"), at most max of them into
 * paths (caller frees each); returns how many differ in all (may exceed max). */
size_t eng_value_diff_paths(const res_value *a, const res_value *b, char **paths, size_t max);

/* JSON text (as the store keeps it) to a value tree (caller frees). */
int eng_value_from_json(const char *json, size_t len, res_value **out, tm_error *err);
/* A sorted copy of v fit for output: for a Secret (v1) every value under
 * data is "***"; when other is given (the Secret on the other side of a
 * diff), values that differ read "*** (before)" (before true) or
 * "*** (after)". */
res_value *eng_value_masked(const res_value *v, const res_value *other, bool before);
/* The same on v itself (already sorted, as eng_value_from_json of
 * canonical JSON gives it). */
void eng_value_mask(res_value *v, const res_value *other, bool before);
/* The desired object's tree, parsed from its canonical JSON (sorted keys;
 * caller frees). Cheaper than res_object_value's libyaml round trip. */
res_value *eng_object_tree(const res_object *o);
bool eng_value_is_secret(const res_value *v);

/* Output (diffout.c). */
typedef struct eng_diffout_opts {
        bool color;   /* ANSI colours in the unified diffs and markers */
        bool quiet;   /* the summary only, no unified diffs */
        FILE *stream; /* if set, out is written there and emptied after each object */
} eng_diffout_opts;

/* The summary lines ("+ Namespace shop   created", ...), the count line,
 * then a unified diff of the canonical YAML of every changed object. */
void eng_plan_print_text(const eng_plan *p, const eng_diffout_opts *o, tm_buf *out);
/* The documented JSON object above. p may be NULL (invalid snapshot). */
void eng_plan_print_json(const eng_plan *p, const char *revision, const char *source,
                         const res_diags *diags, tm_buf *out);
