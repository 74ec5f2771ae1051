#include "engine/podstore.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/plan.h"

#define PODSTORE_DB "timone.db"
#define EVENTS_MAX 5000

struct eng_podstore {
        sqlite3 *db; /* NULL: an empty cluster (read-only open of a missing state) */
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS pods ("
    " uid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL,"
    " node TEXT NOT NULL, owner_kind TEXT NOT NULL, owner_name TEXT NOT NULL,"
    " controller TEXT NOT NULL, template_hash TEXT NOT NULL, object TEXT NOT NULL,"
    " status TEXT, ready INTEGER NOT NULL DEFAULT 0, terminated INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS pods_by_name ON pods(namespace, name);"
    "CREATE TABLE IF NOT EXISTS pod_events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL, name TEXT NOT NULL,"
    " uid TEXT NOT NULL, kind TEXT NOT NULL, type TEXT NOT NULL, reason TEXT NOT NULL,"
    " message TEXT NOT NULL, source TEXT NOT NULL, first_at INTEGER NOT NULL,"
    " last_at INTEGER NOT NULL, count INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS pod_events_by_object ON pod_events(namespace, name);";

static int
sql_error(sqlite3 *db, tm_error *err, const char *what)
{
        return tm_error_set(err, -EIO, "%s: %s", what, db ? sqlite3_errmsg(db) : "no database");
}

int
eng_podstore_open(eng_podstore **out, const char *state_dir, bool writable, tm_error *err)
{
        eng_podstore *ps = xcalloc(1, sizeof(*ps));
        _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, PODSTORE_DB);
        int r;
        if (writable) {
                if ((r = tm_mkdir_p(state_dir, 0700, err)) < 0)
                        goto fail;
        } else if (access(path, F_OK) < 0) {
                *out = ps;
                return 0;
        }
        int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(path, &ps->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
                r = sql_error(ps->db, err, "open state database");
                goto fail;
        }
        sqlite3_busy_timeout(ps->db, 10000);
        if (writable) {
                char *msg = NULL;
                if (sqlite3_exec(ps->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                                 NULL, NULL, &msg) != SQLITE_OK ||
                    sqlite3_exec(ps->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
                        r = tm_error_set(err, -EIO, "prepare pod tables: %s",
                                         msg ? msg : "unknown error");
                        sqlite3_free(msg);
                        goto fail;
                }
        } else {
                /* A database without the tables yet: no pods. */
                sqlite3_stmt *st = NULL;
                if (sqlite3_prepare_v2(ps->db,
                                       "SELECT 1 FROM sqlite_master WHERE type = 'table' AND"
                                       " name = 'pods'",
                                       -1, &st, NULL) != SQLITE_OK) {
                        r = sql_error(ps->db, err, "read state database");
                        goto fail;
                }
                int s = sqlite3_step(st);
                sqlite3_finalize(st);
                if (s != SQLITE_ROW && s != SQLITE_DONE) {
                        r = sql_error(ps->db, err, "read state database");
                        goto fail;
                }
                if (s == SQLITE_DONE) {
                        sqlite3_close(ps->db);
                        ps->db = NULL;
                }
        }
        *out = ps;
        return 0;
fail:
        tm_error_wrap(err, "state \"%s\"", state_dir);
        eng_podstore_close(ps);
        return r;
}

void
eng_podstore_close(eng_podstore *ps)
{
        if (!ps)
                return;
        if (ps->db)
                sqlite3_close(ps->db);
        free(ps);
}

static char *
col_str(sqlite3_stmt *st, int i)
{
        const unsigned char *s = sqlite3_column_text(st, i);
        return xstrdup(s ? (const char *)s : "");
}

static const char select_cols[] =
    "SELECT uid, namespace, name, node, owner_kind, owner_name, controller, template_hash,"
    " object, status, ready, terminated, created_at, updated_at FROM pods";

static int
read_row(sqlite3_stmt *st, eng_pod_row *row, tm_error *err)
{
        memset(row, 0, sizeof(*row));
        eng_pod *p = &row->pod;
        p->uid = col_str(st, 0);
        p->ns = col_str(st, 1);
        p->name = col_str(st, 2);
        p->node = col_str(st, 3);
        p->owner_kind = col_str(st, 4);
        p->owner_name = col_str(st, 5);
        p->controller = col_str(st, 6);
        p->pod_template_hash = col_str(st, 7);
        const char *obj = (const char *)sqlite3_column_text(st, 8);
        int r = eng_value_from_json(obj ? obj : "{}", obj ? strlen(obj) : 2, &p->obj, err);
        if (sqlite3_column_type(st, 9) != SQLITE_NULL)
                row->status = col_str(st, 9);
        p->ready = sqlite3_column_int(st, 10) != 0;
        p->terminated = sqlite3_column_int(st, 11) != 0;
        p->created = sqlite3_column_int64(st, 12);
        row->updated = sqlite3_column_int64(st, 13);
        return r;
}

void
eng_pod_rows_free(eng_pod_row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                eng_pod_clear(&rows[i].pod);
                free(rows[i].status);
        }
        free(rows);
}

int
eng_podstore_list(eng_podstore *ps, const char *ns, eng_pod_row **out, size_t *n, tm_error *err)
{
        *out = NULL;
        *n = 0;
        if (!ps->db)
                return 0;
        _cleanup_free_ char *sql = xasprintf("%s%s ORDER BY namespace, name", select_cols,
                                             ns ? " WHERE namespace = ?1" : "");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "list pods");
        if (ns)
                sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        eng_pod_row *rows = NULL;
        size_t cap = 0, cnt = 0;
        int r = 0, s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
                TM_GROW(rows, cap, cnt + 1);
                if ((r = read_row(st, &rows[cnt++], err)) < 0)
                        break;
        }
        if (r == 0 && s != SQLITE_DONE)
                r = sql_error(ps->db, err, "list pods");
        sqlite3_finalize(st);
        if (r < 0) {
                eng_pod_rows_free(rows, cnt);
                return r;
        }
        *out = rows;
        *n = cnt;
        return 0;
}

int
eng_podstore_load(eng_podstore *ps, eng_pods *out, tm_error *err)
{
        eng_pod_row *rows = NULL;
        size_t n = 0;
        int r = eng_podstore_list(ps, NULL, &rows, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                TM_GROW(out->items, out->cap, out->n + 1);
                out->items[out->n++] = rows[i].pod;
                memset(&rows[i].pod, 0, sizeof(rows[i].pod));
        }
        eng_pod_rows_free(rows, n);
        return 0;
}

static char *
canonical(const res_value *v)
{
        tm_buf b = TM_BUF_INIT;
        res_emit_canonical_json(v, &b);
        return tm_buf_steal(&b);
}

int
eng_podstore_sync(eng_podstore *ps, const eng_pods *pods, bool *changed, tm_error *err)
{
        *changed = false;
        if (!ps->db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        eng_pods cur = ENG_PODS_INIT;
        int r = eng_podstore_load(ps, &cur, err);
        if (r < 0)
                return r;
        char *msg = NULL;
        bool in_tx = false;
        int64_t now = tm_wall_s();
        /* Deletions. */
        for (size_t i = 0; i < cur.n; i++) {
                if (eng_pods_find_uid(pods, cur.items[i].uid))
                        continue;
                if (!in_tx) {
                        if (sqlite3_exec(ps->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
                                goto sqlfail;
                        in_tx = true;
                }
                sqlite3_stmt *st = NULL;
                if (sqlite3_prepare_v2(ps->db, "DELETE FROM pods WHERE uid = ?1", -1, &st, NULL) !=
                    SQLITE_OK)
                        goto sqlfail;
                sqlite3_bind_text(st, 1, cur.items[i].uid, -1, SQLITE_STATIC);
                int s = sqlite3_step(st);
                sqlite3_finalize(st);
                if (s != SQLITE_DONE)
                        goto sqlfail;
        }
        /* Inserts and changes. */
        for (size_t i = 0; i < pods->n; i++) {
                const eng_pod *p = &pods->items[i];
                const eng_pod *c = eng_pods_find_uid(&cur, p->uid);
                _cleanup_free_ char *obj = canonical(p->obj);
                if (c) {
                        _cleanup_free_ char *old = canonical(c->obj);
                        if (!strcmp(old, obj) && !strcmp(c->node, p->node))
                                continue;
                }
                if (!in_tx) {
                        if (sqlite3_exec(ps->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
                                goto sqlfail;
                        in_tx = true;
                }
                sqlite3_stmt *st = NULL;
                const char *sql =
                    c ? "UPDATE pods SET node = ?2, object = ?9, updated_at = ?11 WHERE uid = ?1"
                      : "INSERT INTO pods (uid, namespace, name, node, owner_kind, owner_name,"
                        " controller, template_hash, object, created_at, updated_at)"
                        " VALUES (?1, ?3, ?4, ?2, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
                if (sqlite3_prepare_v2(ps->db, sql, -1, &st, NULL) != SQLITE_OK)
                        goto sqlfail;
                sqlite3_bind_text(st, 1, p->uid, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, p->node, -1, SQLITE_STATIC);
                if (!c) {
                        sqlite3_bind_text(st, 3, p->ns, -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 4, p->name, -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 5, p->owner_kind, -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 6, p->owner_name, -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 7, p->controller, -1, SQLITE_STATIC);
                        sqlite3_bind_text(st, 8, p->pod_template_hash, -1, SQLITE_STATIC);
                        sqlite3_bind_int64(st, 10, p->created ? p->created : now);
                }
                sqlite3_bind_text(st, 9, obj, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 11, now);
                int s = sqlite3_step(st);
                sqlite3_finalize(st);
                if (s != SQLITE_DONE)
                        goto sqlfail;
        }
        if (in_tx && sqlite3_exec(ps->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
                goto sqlfail;
        *changed = in_tx;
        eng_pods_free(&cur);
        return 0;
sqlfail:
        r = tm_error_set(err, -EIO, "save pods: %s", msg ? msg : sqlite3_errmsg(ps->db));
        sqlite3_free(msg);
        if (in_tx)
                sqlite3_exec(ps->db, "ROLLBACK", NULL, NULL, NULL);
        eng_pods_free(&cur);
        return r;
}

int
eng_podstore_set_status(eng_podstore *ps, const char *uid, const char *status_json, bool ready,
                        bool terminated, bool *changed, tm_error *err)
{
        *changed = false;
        if (!ps->db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ps->db,
                               "UPDATE pods SET status = ?2, ready = ?3, terminated = ?4,"
                               " updated_at = ?5 WHERE uid = ?1 AND (status IS NOT ?2 OR"
                               " ready != ?3 OR terminated != ?4)",
                               -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save pod status");
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, status_json, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, ready);
        sqlite3_bind_int(st, 4, terminated);
        sqlite3_bind_int64(st, 5, tm_wall_s());
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE)
                return sql_error(ps->db, err, "save pod status");
        *changed = sqlite3_changes(ps->db) > 0;
        return 0;
}

int
eng_podstore_removed(eng_podstore *ps, const char *uid, bool *changed, tm_error *err)
{
        *changed = false;
        if (!ps->db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ps->db,
                               "DELETE FROM pods WHERE uid = ?1 AND"
                               " json_extract(object, '$.metadata.deletionTimestamp') IS NOT NULL",
                               -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "delete removed pod");
        sqlite3_bind_text(st, 1, uid, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE)
                return sql_error(ps->db, err, "delete removed pod");
        *changed = sqlite3_changes(ps->db) > 0;
        return 0;
}

int
eng_podstore_add_event(eng_podstore *ps, const eng_event *ev, tm_error *err)
{
        if (!ps->db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(
                ps->db,
                "UPDATE pod_events SET count = count + ?3, last_at = ?4 WHERE seq ="
                " (SELECT MAX(seq) FROM pod_events WHERE uid = ?1 AND reason = ?2 AND"
                " message = ?5)",
                -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save event");
        sqlite3_bind_text(st, 1, ev->uid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ev->reason, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, ev->count > 0 ? ev->count : 1);
        sqlite3_bind_int64(st, 4, ev->last);
        sqlite3_bind_text(st, 5, ev->message, -1, SQLITE_STATIC);
        int s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE)
                return sql_error(ps->db, err, "save event");
        if (sqlite3_changes(ps->db) > 0)
                return 0;
        if (sqlite3_prepare_v2(ps->db,
                               "INSERT INTO pod_events (namespace, name, uid, kind, type, reason,"
                               " message, source, first_at, last_at, count)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                               -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save event");
        const char *vals[] = {ev->ns,   ev->name,   ev->uid,     ev->kind ? ev->kind : "Pod",
                              ev->type, ev->reason, ev->message, ev->source ? ev->source : ""};
        for (int i = 0; i < 8; i++)
                sqlite3_bind_text(st, i + 1, vals[i] ? vals[i] : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, ev->first);
        sqlite3_bind_int64(st, 10, ev->last);
        sqlite3_bind_int64(st, 11, ev->count > 0 ? ev->count : 1);
        s = sqlite3_step(st);
        sqlite3_finalize(st);
        if (s != SQLITE_DONE)
                return sql_error(ps->db, err, "save event");
        /* Bounded: the oldest events go. */
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "DELETE FROM pod_events WHERE seq <= (SELECT MAX(seq) FROM pod_events) - %d",
                 EVENTS_MAX);
        sqlite3_exec(ps->db, sql, NULL, NULL, NULL);
        return 0;
}

int
eng_podstore_events(eng_podstore *ps, const char *ns, const char *name, eng_event **out, size_t *n,
                    tm_error *err)
{
        *out = NULL;
        *n = 0;
        if (!ps->db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ps->db,
                               "SELECT namespace, name, uid, kind, type, reason, message, source,"
                               " first_at, last_at, count FROM pod_events WHERE (?1 IS NULL OR"
                               " namespace = ?1) AND (?2 IS NULL OR name = ?2) ORDER BY seq",
                               -1, &st, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "list events");
        if (ns)
                sqlite3_bind_text(st, 1, ns, -1, SQLITE_STATIC);
        if (name)
                sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        eng_event *evs = NULL;
        size_t cap = 0, cnt = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                TM_GROW(evs, cap, cnt + 1);
                eng_event *e = &evs[cnt++];
                e->ns = col_str(st, 0);
                e->name = col_str(st, 1);
                e->uid = col_str(st, 2);
                e->kind = col_str(st, 3);
                e->type = col_str(st, 4);
                e->reason = col_str(st, 5);
                e->message = col_str(st, 6);
                e->source = col_str(st, 7);
                e->first = sqlite3_column_int64(st, 8);
                e->last = sqlite3_column_int64(st, 9);
                e->count = sqlite3_column_int64(st, 10);
        }
        sqlite3_finalize(st);
        *out = evs;
        *n = cnt;
        return 0;
}

void
eng_events_free(eng_event *evs, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(evs[i].ns);
                free(evs[i].name);
                free(evs[i].uid);
                free(evs[i].kind);
                free(evs[i].type);
                free(evs[i].reason);
                free(evs[i].message);
                free(evs[i].source);
        }
        free(evs);
}

struct sqlite3 *
eng_podstore_db(eng_podstore *ps)
{
        return ps->db;
}

static const char sources_schema[] =
    "CREATE TABLE IF NOT EXISTS source_status ("
    " source TEXT PRIMARY KEY, revision TEXT NOT NULL, ref TEXT, subject TEXT, author TEXT,"
    " applied INTEGER NOT NULL, message TEXT, seen_at INTEGER NOT NULL)";

int
eng_podstore_source_seen(eng_podstore *ps, const eng_source_status *st, tm_error *err)
{
        if (!ps->db)
                return tm_error_set(err, -EROFS, "the state is read-only");
        if (sqlite3_exec(ps->db, sources_schema, NULL, NULL, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save source status");
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(ps->db,
                               "SELECT 1 FROM source_status WHERE source = ?1 AND revision = ?2 AND"
                               " applied = ?3 AND message IS ?4",
                               -1, &q, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save source status");
        sqlite3_bind_text(q, 1, st->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, st->revision, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, st->applied);
        if (st->message)
                sqlite3_bind_text(q, 4, st->message, -1, SQLITE_STATIC);
        bool same = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
        if (same)
                return 0;
        if (sqlite3_prepare_v2(ps->db,
                               "INSERT OR REPLACE INTO source_status (source, revision, ref,"
                               " subject, author, applied, message, seen_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                               -1, &q, NULL) != SQLITE_OK)
                return sql_error(ps->db, err, "save source status");
        const char *t[] = {st->source, st->revision, st->ref, st->subject, st->author};
        for (int i = 0; i < 5; i++)
                if (t[i])
                        sqlite3_bind_text(q, i + 1, t[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 6, st->applied);
        if (st->message)
                sqlite3_bind_text(q, 7, st->message, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, st->seen_at);
        int s = sqlite3_step(q);
        sqlite3_finalize(q);
        return s == SQLITE_DONE ? 0 : sql_error(ps->db, err, "save source status");
}

static char *
col_or_null(sqlite3_stmt *st, int i)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : col_str(st, i);
}

int
eng_podstore_sources(eng_podstore *ps, eng_source_status **out, size_t *n, tm_error *err)
{
        *out = NULL;
        *n = 0;
        if (!ps->db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ps->db,
                               "SELECT source, revision, ref, subject, author, applied, message,"
                               " seen_at FROM source_status ORDER BY source",
                               -1, &st, NULL) != SQLITE_OK)
                return 0; /* no table: no source seen yet */
        eng_source_status *v = NULL;
        size_t cap = 0, cnt = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                TM_GROW(v, cap, cnt + 1);
                eng_source_status *s = &v[cnt++];
                s->source = col_str(st, 0);
                s->revision = col_str(st, 1);
                s->ref = col_or_null(st, 2);
                s->subject = col_or_null(st, 3);
                s->author = col_or_null(st, 4);
                s->applied = sqlite3_column_int(st, 5) != 0;
                s->message = col_or_null(st, 6);
                s->seen_at = sqlite3_column_int64(st, 7);
        }
        sqlite3_finalize(st);
        *out = v;
        *n = cnt;
        (void)err;
        return 0;
}

void
eng_source_statuses_free(eng_source_status *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(s[i].source);
                free(s[i].revision);
                free(s[i].ref);
                free(s[i].subject);
                free(s[i].author);
                free(s[i].message);
        }
        free(s);
}
