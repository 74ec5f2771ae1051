/* From a snapshot to the store: the one path that `apply` and `serve`
 * share, so a dry run and a real run plan alike. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "engine/plan.h"
#include "engine/store.h"
#include "resources/diag.h"
#include "resources/object.h"
#include "sources/source.h"

/* Decodes and validates every file of snap into a desired set. prefix (may
 * be NULL) is put in front of each file name in diagnostics. Returns 0, or
 * -EINVAL with every problem in diags and no set. */
int eng_desired_from_snapshot(const src_snapshot *snap, const char *prefix, res_set **out,
                              res_diags *diags);

/* Hands the planner the stored form of every update and prune. */
int eng_plan_attach_old(eng_store *store, eng_plan *plan, tm_error *err);

/* Called for every action of an applied plan, after the commit. */
typedef void (*eng_apply_report_fn)(const eng_action *a, void *userdata);

/* Plans set against the store and applies the plan in one transaction,
 * with a revisions row for snap (none when nothing changed and the
 * revision is the last one applied). counts (may be NULL) gets the
 * summary, indexed by eng_action_type. Validation errors: -EINVAL, diags
 * filled, store untouched. */
int eng_apply_set(eng_store *store, const res_set *set, const src_snapshot *snap, size_t counts[4],
                  eng_apply_report_fn report, void *userdata, res_diags *diags, tm_error *err);
