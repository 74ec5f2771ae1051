#include "engine/volumes.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/plan.h"
#include "resources/quantity.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS volume_bindings ("
    " claim TEXT PRIMARY KEY, pv TEXT NOT NULL, path TEXT NOT NULL, policy TEXT NOT NULL,"
    " released INTEGER NOT NULL DEFAULT 0, bound_at INTEGER NOT NULL)";

bool
eng_volumes_is_local_path(const char *p)
{
        return p && (!strcmp(p, "rancher.io/local-path") || !strcmp(p, "timone.io/local-path") ||
                     !strcmp(p, "local-path"));
}

static const char *
keep(eng_volumes *v, char *s)
{
        TM_GROW(v->strings, v->cap_strings, v->n_strings + 1);
        v->strings[v->n_strings++] = s;
        return s;
}

void
eng_volumes_free(eng_volumes *v)
{
        for (size_t i = 0; i < v->n_strings; i++)
                free(v->strings[i]);
        free(v->strings);
        free(v->binds);
        free(v->reclaims);
        memset(v, 0, sizeof(*v));
}

void
eng_bindings_free(eng_binding *b, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(b[i].claim);
                free(b[i].pv);
                free(b[i].path);
                free(b[i].policy);
        }
        free(b);
}

static int
sqlfail(sqlite3 *db, tm_error *err, const char *what)
{
        return tm_error_set(err, -EIO, "%s: %s", what, sqlite3_errmsg(db));
}

int
eng_volumes_list(eng_podstore *ps, eng_binding **out, size_t *n, tm_error *err)
{
        *out = NULL;
        *n = 0;
        sqlite3 *db = eng_podstore_db(ps);
        if (!db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db,
                               "SELECT claim, pv, path, policy, released FROM volume_bindings"
                               " ORDER BY claim",
                               -1, &st, NULL) != SQLITE_OK)
                return 0; /* no table yet: no bindings */
        eng_binding *b = NULL;
        size_t cap = 0, cnt = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                TM_GROW(b, cap, cnt + 1);
                eng_binding *x = &b[cnt++];
                x->claim = xstrdup((const char *)sqlite3_column_text(st, 0));
                x->pv = xstrdup((const char *)sqlite3_column_text(st, 1));
                x->path = xstrdup((const char *)sqlite3_column_text(st, 2));
                x->policy = xstrdup((const char *)sqlite3_column_text(st, 3));
                x->released = sqlite3_column_int(st, 4) != 0;
        }
        sqlite3_finalize(st);
        *out = b;
        *n = cnt;
        return 0;
}

typedef struct objs {
        res_value **v;
        size_t n;
} objs;

static int
load_kind(eng_store *store, const char *kind, objs *o, tm_error *err)
{
        eng_record *recs = NULL;
        size_t n = 0;
        int r = eng_store_list(store, "v1", kind, NULL, &recs, &n, err);
        if (r == 0 && !strcmp(kind, "StorageClass")) {
                eng_records_free(recs, n);
                r = eng_store_list(store, "storage.k8s.io/v1", kind, NULL, &recs, &n, err);
        }
        if (r < 0)
                return r;
        o->v = xcalloc(n ? n : 1, sizeof(*o->v));
        o->n = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                if ((r = eng_value_from_json(recs[i].json, recs[i].json_len, &o->v[o->n], err)) ==
                    0)
                        o->n++;
        eng_records_free(recs, n);
        return r;
}

static void
objs_free(objs *o)
{
        for (size_t i = 0; i < o->n; i++)
                res_value_free(o->v[i]);
        free(o->v);
}

static const res_value *
find_named(const objs *o, const char *ns, const char *name)
{
        for (size_t i = 0; i < o->n; i++) {
                const res_value *m = res_map_get(o->v[i], "metadata");
                if (!strcmp(res_get_str(m, "name", ""), name) &&
                    (!ns || !strcmp(res_get_str(m, "namespace", ""), ns)))
                        return o->v[i];
        }
        return NULL;
}

static const char *
pv_path(const res_value *pv)
{
        const res_value *spec = res_map_get(pv, "spec");
        const char *p = res_get_str(res_map_get(spec, "hostPath"), "path", NULL);
        return p ? p : res_get_str(res_map_get(spec, "local"), "path", NULL);
}

static bool
modes_cover(const res_value *pv_modes, const res_value *want)
{
        for (uint32_t i = 0; want && want->type == RES_SEQ && i < want->n; i++) {
                bool found = false;
                for (uint32_t k = 0; pv_modes && pv_modes->type == RES_SEQ && k < pv_modes->n; k++)
                        found |= res_value_equal(pv_modes->u.items[k], want->u.items[i]);
                if (!found)
                        return false;
        }
        return true;
}

static bool
capacity_fits(const res_value *pv, const res_value *pvc)
{
        const char *have = res_get_str(res_get(pv, "spec", "capacity", NULL), "storage", NULL);
        const char *want =
            res_get_str(res_get(pvc, "spec", "resources", "requests", NULL), "storage", NULL);
        if (!want)
                return true;
        res_quantity qh, qw;
        if (!have || res_quantity_parse(have, &qh) < 0 || res_quantity_parse(want, &qw) < 0)
                return false;
        return res_quantity_cmp(&qh, &qw) >= 0;
}

static bool
pv_taken(sqlite3 *db, const char *pv)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT 1 FROM volume_bindings WHERE pv = ?1", -1, &st, NULL) !=
            SQLITE_OK)
                return true;
        sqlite3_bind_text(st, 1, pv, -1, SQLITE_STATIC);
        bool taken = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        return taken;
}

static int
exec_bind(sqlite3 *db, const char *sql, const char *const *args, size_t n, tm_error *err)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return sqlfail(db, err, "volume bindings");
        for (size_t i = 0; i < n; i++)
                sqlite3_bind_text(st, (int)i + 1, args[i], -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        return s == SQLITE_DONE ? 0 : sqlfail(db, err, "volume bindings");
}

/* Releases bindings whose claim is gone, as the volume's policy says. */
static int
release_gone(sqlite3 *db, const objs *pvcs, const objs *pvs, eng_volumes *out, tm_error *err)
{
        eng_binding *b = NULL;
        size_t n = 0;
        int r = 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT claim, pv, path, policy, released FROM volume_bindings",
                               -1, &st, NULL) != SQLITE_OK)
                return sqlfail(db, err, "volume bindings");
        size_t cap = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                TM_GROW(b, cap, n + 1);
                b[n].claim = xstrdup((const char *)sqlite3_column_text(st, 0));
                b[n].pv = xstrdup((const char *)sqlite3_column_text(st, 1));
                b[n].path = xstrdup((const char *)sqlite3_column_text(st, 2));
                b[n].policy = xstrdup((const char *)sqlite3_column_text(st, 3));
                b[n].released = sqlite3_column_int(st, 4) != 0;
                n++;
        }
        sqlite3_finalize(st);
        for (size_t i = 0; i < n && r == 0; i++) {
                char *slash = strchr(b[i].claim, '/');
                if (!slash)
                        continue;
                *slash = '\0';
                bool claim_there = find_named(pvcs, b[i].claim, slash + 1) != NULL;
                bool provisioned = tm_str_has_prefix(b[i].pv, "pvc-");
                bool pv_there = provisioned || find_named(pvs, NULL, b[i].pv) != NULL;
                *slash = '/';
                if (claim_there && !b[i].released)
                        continue;
                if (b[i].released && pv_there)
                        continue; /* Retain: stays Released until the volume goes */
                const char *args[] = {b[i].claim};
                if (!strcmp(b[i].policy, "Retain") && pv_there && !b[i].released) {
                        r = exec_bind(db,
                                      "UPDATE volume_bindings SET released = 1 WHERE claim = ?1",
                                      args, 1, err);
                        tm_info("volume released, data retained", "claim=%s volume=%s path=\"%s\"",
                                b[i].claim, b[i].pv, b[i].path);
                } else {
                        if (strcmp(b[i].policy, "Retain") != 0) {
                                TM_GROW(out->reclaims, out->cap_reclaims, out->n_reclaims + 1);
                                eng_reclaim *rc = &out->reclaims[out->n_reclaims++];
                                rc->host_path = keep(out, xstrdup(b[i].path));
                                rc->policy = keep(out, xstrdup(b[i].policy));
                                tm_info("volume reclaimed", "claim=%s volume=%s policy=%s",
                                        b[i].claim, b[i].pv, b[i].policy);
                        }
                        r = exec_bind(db, "DELETE FROM volume_bindings WHERE claim = ?1", args, 1,
                                      err);
                }
                out->changed = true;
        }
        eng_bindings_free(b, n);
        return r;
}

static int
bind_claims(sqlite3 *db, const char *state_dir, const objs *pvcs, const objs *pvs, const objs *scs,
            eng_volumes *out, tm_error *err)
{
        int r = 0;
        for (size_t i = 0; i < pvcs->n && r == 0; i++) {
                const res_value *pvc = pvcs->v[i];
                const res_value *meta = res_map_get(pvc, "metadata");
                const char *ns = res_get_str(meta, "namespace", "default");
                const char *name = res_get_str(meta, "name", "");
                _cleanup_free_ char *claim = xasprintf("%s/%s", ns, name);
                sqlite3_stmt *st = NULL;
                if (sqlite3_prepare_v2(db, "SELECT 1 FROM volume_bindings WHERE claim = ?1", -1,
                                       &st, NULL) != SQLITE_OK)
                        return sqlfail(db, err, "volume bindings");
                sqlite3_bind_text(st, 1, claim, -1, SQLITE_STATIC);
                bool bound = sqlite3_step(st) == SQLITE_ROW;
                sqlite3_finalize(st);
                if (bound)
                        continue;
                const res_value *spec = res_map_get(pvc, "spec");
                const char *sc_name = res_get_str(spec, "storageClassName", "");
                const char *want_pv = res_get_str(spec, "volumeName", NULL);
                const res_value *best = NULL;
                for (size_t k = 0; k < pvs->n; k++) {
                        const res_value *pv = pvs->v[k];
                        const char *pv_name = res_get_str(res_map_get(pv, "metadata"), "name", "");
                        const res_value *ps = res_map_get(pv, "spec");
                        if (want_pv && strcmp(want_pv, pv_name))
                                continue;
                        if (strcmp(res_get_str(ps, "storageClassName", ""), sc_name) ||
                            !pv_path(pv) || pv_taken(db, pv_name) ||
                            !modes_cover(res_map_get(ps, "accessModes"),
                                         res_map_get(spec, "accessModes")) ||
                            !capacity_fits(pv, pvc))
                                continue;
                        const res_value *cref = res_map_get(ps, "claimRef");
                        if (cref && (strcmp(res_get_str(cref, "name", ""), name) ||
                                     strcmp(res_get_str(cref, "namespace", "default"), ns)))
                                continue;
                        if (!best || capacity_fits(best, pv))
                                best = pv; /* the smallest that fits */
                }
                _cleanup_free_ char *pv_name = NULL, *path = NULL, *policy = NULL;
                if (best) {
                        pv_name = xstrdup(res_get_str(res_map_get(best, "metadata"), "name", ""));
                        path = xstrdup(pv_path(best));
                        policy = xstrdup(res_get_str(res_map_get(best, "spec"),
                                                     "persistentVolumeReclaimPolicy", "Retain"));
                } else if (*sc_name) {
                        const res_value *sc = find_named(scs, NULL, sc_name);
                        if (!sc || !eng_volumes_is_local_path(res_get_str(sc, "provisioner", "")))
                                continue; /* stays Pending */
                        char uid[37];
                        eng_uid_from(NULL, claim, uid);
                        pv_name = xasprintf("pvc-%s", uid);
                        const char *base = res_get_str(res_map_get(sc, "parameters"), "path", NULL);
                        path = base
                                   ? xasprintf("%s/%s_%s_%s", base, pv_name, ns, name)
                                   : xasprintf("%s/storage/%s_%s_%s", state_dir, pv_name, ns, name);
                        policy = xstrdup(res_get_str(sc, "reclaimPolicy", "Delete"));
                } else {
                        continue;
                }
                char now[32];
                snprintf(now, sizeof(now), "%lld", (long long)tm_wall_s());
                const char *args[] = {claim, pv_name, path, policy, now};
                r = exec_bind(db,
                              "INSERT INTO volume_bindings (claim, pv, path, policy, bound_at)"
                              " VALUES (?1, ?2, ?3, ?4, ?5)",
                              args, 5, err);
                tm_info("claim bound", "claim=%s volume=%s path=\"%s\"", claim, pv_name, path);
                out->changed = true;
        }
        return r;
}

static int
list_pod_volumes(sqlite3 *db, const eng_pods *pods, eng_volumes *out, tm_error *err)
{
        for (size_t i = 0; i < pods->n; i++) {
                const eng_pod *p = &pods->items[i];
                const res_value *vols = res_get(p->obj, "spec", "volumes", NULL);
                for (uint32_t k = 0; vols && vols->type == RES_SEQ && k < vols->n; k++) {
                        const res_value *v = vols->u.items[k];
                        const char *cn =
                            res_get_str(res_map_get(v, "persistentVolumeClaim"), "claimName", NULL);
                        if (!cn)
                                continue;
                        _cleanup_free_ char *claim = xasprintf("%s/%s", p->ns, cn);
                        sqlite3_stmt *st = NULL;
                        if (sqlite3_prepare_v2(db,
                                               "SELECT path FROM volume_bindings WHERE claim = ?1"
                                               " AND released = 0",
                                               -1, &st, NULL) != SQLITE_OK)
                                return sqlfail(db, err, "volume bindings");
                        sqlite3_bind_text(st, 1, claim, -1, SQLITE_STATIC);
                        if (sqlite3_step(st) == SQLITE_ROW) {
                                TM_GROW(out->binds, out->cap_binds, out->n_binds + 1);
                                eng_volume_bind *b = &out->binds[out->n_binds++];
                                b->pod_uid = keep(out, xstrdup(p->uid));
                                b->volume = keep(out, xstrdup(res_get_str(v, "name", "")));
                                b->host_path =
                                    keep(out, xstrdup((const char *)sqlite3_column_text(st, 0)));
                                b->type = "DirectoryOrCreate";
                        }
                        sqlite3_finalize(st);
                }
        }
        return 0;
}

int
eng_volumes_bind(eng_store *store, eng_podstore *ps, const char *state_dir, const eng_pods *pods,
                 eng_volumes *out, tm_error *err)
{
        sqlite3 *db = eng_podstore_db(ps);
        if (!db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        char *msg = NULL;
        if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
                int r = tm_error_set(err, -EIO, "volume bindings: %s", msg ? msg : "?");
                sqlite3_free(msg);
                return r;
        }
        objs pvs = {0}, pvcs = {0}, scs = {0};
        int r;
        if ((r = load_kind(store, "PersistentVolume", &pvs, err)) < 0 ||
            (r = load_kind(store, "PersistentVolumeClaim", &pvcs, err)) < 0 ||
            (r = load_kind(store, "StorageClass", &scs, err)) < 0)
                goto out;
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
                r = sqlfail(db, err, "volume bindings");
                goto out;
        }
        if ((r = release_gone(db, &pvcs, &pvs, out, err)) < 0 ||
            (r = bind_claims(db, state_dir, &pvcs, &pvs, &scs, out, err)) < 0 ||
            (r = list_pod_volumes(db, pods, out, err)) < 0) {
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                goto out;
        }
        if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                r = sqlfail(db, err, "volume bindings");
out:
        objs_free(&pvs);
        objs_free(&pvcs);
        objs_free(&scs);
        return r;
}
