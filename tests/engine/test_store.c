#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/store.h"

static char *
scratch(void)
{
        char tmpl[] = "/tmp/timone-e-store.XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        return xstrdup(tmpl);
}

static void
rm_dir(char *d)
{
        tm_error err = {0};
        tm_rm_rf(d, &err);
        free(d);
}

static int64_t
add_rev(eng_store *s, const char *rev)
{
        tm_error err = {0};
        eng_revision_info ri = {rev, "./m", NULL, NULL, NULL, 1000, 1, 0, 0};
        int64_t seq = 0;
        assert_int_equal(eng_store_add_revision(s, &ri, &seq, &err), 0);
        return seq;
}

static void
put(eng_store *s, const char *kind, const char *api, const char *ns, const char *name,
    const char *hash, const char *json, int64_t seq, int64_t now)
{
        tm_error err = {0};
        _cleanup_free_ char *id = xasprintf("/%s/%s/%s", kind, ns, name);
        eng_put p = {id, api, kind, ns, name, hash, json, strlen(json), "rev1", seq, now};
        int r = eng_store_put(s, &p, &err);
        if (r < 0)
                fail_msg("put: %s", err.msg);
}

static void
test_missing_dir_is_empty_and_not_created(void **state)
{
        char *d = scratch();
        _cleanup_free_ char *sd = xasprintf("%s/state", d);
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, sd, false, &err), 0);
        eng_rows rows = ENG_ROWS_INIT;
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 0);
        assert_int_equal(eng_store_schema_version(s), 0);
        /* read-only stores refuse writes */
        assert_int_equal(eng_store_begin(s, &err), -EROFS);
        eng_store_close(s);
        struct stat st;
        assert_int_equal(stat(sd, &st), -1);
        assert_int_equal(errno, ENOENT);
        rm_dir(d);
}

static void
test_migrate_put_update_delete(void **state)
{
        char *d = scratch();
        _cleanup_free_ char *sd = xasprintf("%s/state", d);
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, sd, true, &err), 0);
        assert_int_equal(eng_store_schema_version(s), ENG_STORE_SCHEMA);
        struct stat st;
        assert_int_equal(stat(sd, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);

        assert_int_equal(eng_store_begin(s, &err), 0);
        int64_t seq = add_rev(s, "rev1");
        put(s, "ConfigMap", "v1", "shop", "web", "sha256:aa", "{\"a\":1}", seq, 100);
        put(s, "Namespace", "v1", "", "shop", "sha256:bb", "{\"b\":2}", seq, 100);
        assert_int_equal(eng_store_commit(s, &err), 0);

        eng_record *recs = NULL;
        size_t n = 0;
        assert_int_equal(eng_store_list(s, NULL, "ConfigMap", "shop", &recs, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(recs[0].json, "{\"a\":1}");
        assert_int_equal(recs[0].generation, 1);
        assert_int_equal(strlen(recs[0].uid), 36);
        assert_int_equal(recs[0].uid[14], '4'); /* UUID v4 */
        _cleanup_free_ char *uid = xstrdup(recs[0].uid);
        eng_records_free(recs, n);

        /* an update keeps uid and created_at, bumps generation; same hash changes nothing */
        assert_int_equal(eng_store_begin(s, &err), 0);
        put(s, "ConfigMap", "v1", "shop", "web", "sha256:cc", "{\"a\":2}", seq, 200);
        put(s, "Namespace", "v1", "", "shop", "sha256:bb", "{\"b\":2}", seq, 200);
        assert_int_equal(eng_store_commit(s, &err), 0);
        assert_int_equal(eng_store_list(s, NULL, NULL, NULL, &recs, &n, &err), 0);
        assert_int_equal(n, 2);
        /* sorted by namespace: "" first */
        assert_string_equal(recs[0].kind, "Namespace");
        assert_int_equal(recs[0].generation, 1);
        assert_int_equal(recs[0].updated_at, 100);
        assert_string_equal(recs[1].uid, uid);
        assert_int_equal(recs[1].generation, 2);
        assert_int_equal(recs[1].created_at, 100);
        assert_int_equal(recs[1].updated_at, 200);
        assert_string_equal(recs[1].json, "{\"a\":2}");
        eng_records_free(recs, n);

        eng_rows rows = ENG_ROWS_INIT;
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 2);
        assert_string_equal(rows.items[0].id, "/ConfigMap/shop/web");
        assert_string_equal(rows.items[0].hash, "sha256:cc");
        eng_rows_free(&rows);

        assert_int_equal(eng_store_begin(s, &err), 0);
        assert_int_equal(eng_store_delete(s, "/ConfigMap/shop/web", &err), 0);
        assert_int_equal(eng_store_commit(s, &err), 0);
        char *json = NULL;
        assert_int_equal(eng_store_load_json(s, "/ConfigMap/shop/web", &json, NULL, &err), -ENOENT);
        assert_int_equal(eng_store_count_revisions(s), 1);
        char *last = NULL;
        assert_int_equal(eng_store_last_revision(s, &last, &err), 0);
        assert_string_equal(last, "rev1");
        free(last);
        eng_store_close(s);

        /* reopening read-only sees the same data; reopening writable runs no migration twice */
        assert_int_equal(eng_store_open(&s, sd, false, &err), 0);
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 1);
        eng_rows_free(&rows);
        eng_store_close(s);
        assert_int_equal(eng_store_open(&s, sd, true, &err), 0);
        assert_int_equal(eng_store_schema_version(s), ENG_STORE_SCHEMA);
        eng_store_close(s);
        rm_dir(d);
}

static void
test_failure_mid_apply_changes_nothing(void **state)
{
        char *d = scratch();
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, d, true, &err), 0);
        assert_int_equal(eng_store_begin(s, &err), 0);
        int64_t seq = add_rev(s, "rev1");
        put(s, "ConfigMap", "v1", "default", "a", "sha256:01", "{\"v\":1}", seq, 1);
        put(s, "ConfigMap", "v1", "default", "b", "sha256:02", "{\"v\":2}", seq, 1);
        assert_int_equal(eng_store_commit(s, &err), 0);

        /* a second apply: update a, delete b, add c, then a write fails (the
         * revision it names does not exist: foreign key) */
        assert_int_equal(eng_store_begin(s, &err), 0);
        int64_t seq2 = add_rev(s, "rev2");
        put(s, "ConfigMap", "v1", "default", "a", "sha256:11", "{\"v\":11}", seq2, 2);
        assert_int_equal(eng_store_delete(s, "/ConfigMap/default/b", &err), 0);
        put(s, "ConfigMap", "v1", "default", "c", "sha256:03", "{\"v\":3}", seq2, 2);
        eng_put bad = {"/ConfigMap/default/d",
                       "v1",
                       "ConfigMap",
                       "default",
                       "d",
                       "sha256:04",
                       "{}",
                       2,
                       "rev2",
                       seq2 + 100,
                       2};
        assert_true(eng_store_put(s, &bad, &err) < 0);
        assert_non_null(strstr(err.msg, "FOREIGN KEY"));
        eng_store_rollback(s);
        eng_store_close(s);

        assert_int_equal(eng_store_open(&s, d, false, &err), 0);
        eng_rows rows = ENG_ROWS_INIT;
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 2);
        assert_string_equal(rows.items[0].id, "/ConfigMap/default/a");
        assert_string_equal(rows.items[0].hash, "sha256:01");
        assert_string_equal(rows.items[1].id, "/ConfigMap/default/b");
        eng_rows_free(&rows);
        assert_int_equal(eng_store_count_revisions(s), 1);
        eng_store_close(s);
        rm_dir(d);
}

static bool
file_has(const char *path, const char *needle)
{
        char *data = NULL;
        size_t len = 0;
        tm_error err = {0};
        if (tm_file_read(path, 64u << 20, &data, &len, &err) < 0)
                return false;
        bool found = memmem(data, len, needle, strlen(needle)) != NULL;
        free(data);
        return found;
}

static void
test_secrets_encrypted_at_rest(void **state)
{
        char *d = scratch();
        tm_error err = {0};
        eng_store *s = NULL;
        const char *secret_json =
            "{\"apiVersion\":\"v1\",\"data\":{\"password\":\"czNjcjN0LXZhbHVlLXh5eg==\"},"
            "\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\",\"namespace\":\"default\"}}";
        assert_int_equal(eng_store_open(&s, d, true, &err), 0);
        assert_int_equal(eng_store_begin(s, &err), 0);
        int64_t seq = add_rev(s, "rev1");
        put(s, "Secret", "v1", "default", "db", "sha256:ee", secret_json, seq, 1);
        put(s, "ConfigMap", "v1", "default", "plain", "sha256:ff", "{\"visible\":\"yes-plain\"}",
            seq, 1);
        assert_int_equal(eng_store_commit(s, &err), 0);
        eng_store_close(s);

        _cleanup_free_ char *key = xasprintf("%s/secret.key", d);
        struct stat st;
        assert_int_equal(stat(key, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(st.st_size, 32);

        /* checkpoint the WAL so that every byte is in the main file too */
        _cleanup_free_ char *db = xasprintf("%s/timone.db", d);
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        sqlite3_close(h);
        _cleanup_free_ char *wal = xasprintf("%s/timone.db-wal", d);
        assert_false(file_has(db, "czNjcjN0LXZhbHVlLXh5eg"));
        assert_false(file_has(db, "password"));
        assert_false(file_has(wal, "czNjcjN0LXZhbHVlLXh5eg"));
        assert_true(file_has(db, "yes-plain")); /* the check can see plain rows */

        /* it reads back */
        assert_int_equal(eng_store_open(&s, d, false, &err), 0);
        char *json = NULL;
        size_t len = 0;
        assert_int_equal(eng_store_load_json(s, "/Secret/default/db", &json, &len, &err), 0);
        assert_string_equal(json, secret_json);
        free(json);
        eng_store_close(s);

        /* a wrong key fails loudly, without the value */
        uint8_t other[32] = {1};
        assert_int_equal(tm_file_write_atomic(key, other, sizeof(other), 0600, &err), 0);
        assert_int_equal(eng_store_open(&s, d, false, &err), 0);
        json = NULL;
        assert_int_equal(eng_store_load_json(s, "/Secret/default/db", &json, &len, &err), -EBADMSG);
        assert_null(strstr(err.msg, "czNj"));
        eng_store_close(s);
        rm_dir(d);
}

static void
test_upgrade_from_version_1(void **state)
{
        char *d = scratch();
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, d, true, &err), 0);
        assert_int_equal(eng_store_begin(s, &err), 0);
        int64_t seq = add_rev(s, "rev1");
        put(s, "ConfigMap", "v1", "default", "keep", "sha256:01", "{\"v\":1}", seq, 1);
        assert_int_equal(eng_store_commit(s, &err), 0);
        eng_store_close(s);
        /* make it a version 1 database again */
        _cleanup_free_ char *db = xasprintf("%s/timone.db", d);
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        assert_int_equal(
            sqlite3_exec(h, "DROP INDEX objects_plan; PRAGMA user_version = 1", NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(h);
        /* read-only callers read it as it is, without migrating */
        assert_int_equal(eng_store_open(&s, d, false, &err), 0);
        assert_int_equal(eng_store_schema_version(s), 1);
        eng_rows rows = ENG_ROWS_INIT;
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 1);
        eng_rows_free(&rows);
        eng_store_close(s);
        assert_int_equal(eng_store_open(&s, d, true, &err), 0);
        assert_int_equal(eng_store_schema_version(s), 2);
        assert_int_equal(eng_store_load_rows(s, &rows, &err), 0);
        assert_int_equal(rows.n, 1);
        eng_rows_free(&rows);
        eng_store_close(s);
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(h,
                                            "SELECT count(*) FROM sqlite_master WHERE name = "
                                            "'objects_plan'",
                                            -1, &st, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 1);
        sqlite3_finalize(st);
        sqlite3_close(h);
        rm_dir(d);
}

static void
test_newer_schema_refused(void **state)
{
        char *d = scratch();
        tm_error err = {0};
        eng_store *s = NULL;
        assert_int_equal(eng_store_open(&s, d, true, &err), 0);
        eng_store_close(s);
        _cleanup_free_ char *db = xasprintf("%s/timone.db", d);
        sqlite3 *h = NULL;
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
        assert_int_equal(eng_store_open(&s, d, true, &err), -EPROTO);
        assert_non_null(strstr(err.msg, "schema 99"));
        rm_dir(d);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_missing_dir_is_empty_and_not_created),
            cmocka_unit_test(test_migrate_put_update_delete),
            cmocka_unit_test(test_failure_mid_apply_changes_nothing),
            cmocka_unit_test(test_secrets_encrypted_at_rest),
            cmocka_unit_test(test_upgrade_from_version_1),
            cmocka_unit_test(test_newer_schema_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
