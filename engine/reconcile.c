#include "engine/reconcile.h"

#include <errno.h>
#include <string.h>

#include "common/mem.h"
#include "common/util.h"

TM_DEFINE_CLEANUP(res_set, res_set_free)
TM_DEFINE_CLEANUP(eng_plan, eng_plan_free)

int
eng_desired_from_snapshot(const src_snapshot *snap, const char *prefix, res_set **out,
                          res_diags *diags)
{
        _cleanup_(res_set_freep) res_set *set = res_set_new(NULL);
        for (size_t i = 0; i < snap->n_files; i++) {
                const src_file *f = &snap->files[i];
                _cleanup_free_ char *name =
                    prefix ? xasprintf("%s/%s", prefix, f->path) : xstrdup(f->path);
                res_set_add_file(set, name, f->data, f->len, diags);
        }
        int r = res_set_finish(set, diags);
        if (r < 0 || res_diags_count(diags) > 0) {
                eng_plan_check(set, diags); /* every error at once */
                return -EINVAL;
        }
        *out = TAKE_PTR(set);
        return 0;
}

int
eng_plan_attach_old(eng_store *store, eng_plan *plan, tm_error *err)
{
        for (size_t i = 0; i < eng_plan_count(plan); i++) {
                eng_action *a = eng_plan_at(plan, i);
                if (a->type != ENG_ACT_UPDATE && a->type != ENG_ACT_PRUNE)
                        continue;
                _cleanup_free_ char *json = NULL;
                size_t len = 0;
                int r = eng_store_load_json(store, a->id, &json, &len, err);
                if (r >= 0)
                        r = eng_plan_set_old(plan, i, json, len, err);
                if (json)
                        explicit_bzero(json, len);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int
execute(eng_store *store, const eng_plan *plan, const src_snapshot *snap, tm_error *err)
{
        size_t c[4];
        eng_plan_summary(plan, c);
        _cleanup_free_ char *last = NULL;
        int r;
        if ((r = eng_store_last_revision(store, &last, err)) < 0)
                return r;
        if (!eng_plan_has_changes(plan) && tm_streq(last, snap->revision))
                return 0;
        int64_t now = tm_wall_s();
        eng_revision_info ri = {snap->revision,
                                snap->source,
                                snap->ref,
                                snap->subject,
                                snap->author,
                                now,
                                (unsigned)c[ENG_ACT_CREATE],
                                (unsigned)c[ENG_ACT_UPDATE],
                                (unsigned)c[ENG_ACT_PRUNE]};
        int64_t seq = 0;
        if ((r = eng_store_add_revision(store, &ri, &seq, err)) < 0)
                return r;
        for (size_t i = 0; i < eng_plan_count(plan); i++) {
                const eng_action *a = eng_plan_get(plan, i);
                if (a->type == ENG_ACT_PRUNE) {
                        r = eng_store_delete(store, a->id, err);
                } else if (a->type == ENG_ACT_CREATE || a->type == ENG_ACT_UPDATE) {
                        const char *json = res_object_canonical_json(a->obj);
                        eng_put p = {a->id,
                                     a->api_version,
                                     a->kind,
                                     a->ns,
                                     a->name,
                                     res_object_hash(a->obj),
                                     json,
                                     strlen(json),
                                     snap->revision,
                                     seq,
                                     now};
                        r = eng_store_put(store, &p, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int
eng_apply_set(eng_store *store, const res_set *set, const src_snapshot *snap, size_t counts[4],
              eng_apply_report_fn report, void *userdata, res_diags *diags, tm_error *err)
{
        eng_rows rows = ENG_ROWS_INIT;
        _cleanup_(eng_plan_freep) eng_plan *plan = NULL;
        int r = eng_store_begin(store, err);
        if (r < 0)
                return r;
        if ((r = eng_store_load_rows(store, &rows, err)) < 0)
                goto fail;
        if ((r = eng_plan_build(set, &rows, &plan, diags)) < 0)
                goto fail;
        if ((r = execute(store, plan, snap, err)) < 0 || (r = eng_store_commit(store, err)) < 0)
                goto fail;
        if (counts)
                eng_plan_summary(plan, counts);
        for (size_t i = 0; report && i < eng_plan_count(plan); i++)
                report(eng_plan_get(plan, i), userdata);
        eng_rows_free(&rows);
        return 0;
fail:
        eng_store_rollback(store);
        eng_rows_free(&rows);
        return r;
}
