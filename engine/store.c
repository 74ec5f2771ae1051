#include "engine/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"

#define STORE_DB "timone.db"
#define STORE_KEY "secret.key"
#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define BLOB_VERSION 1
/* The oldest schema that read-only callers can still read unmigrated. */
#define STORE_READ_MIN 1
/* A canonical object is bounded by the manifest limits upstream; this
 * bounds what a damaged database can make us allocate. */
#define MAX_JSON_BYTES (64u << 20)

struct eng_store {
        sqlite3 *db; /* NULL: no database yet (read-only open of an empty cluster) */
        char *dir;
        bool writable;
        int version;
        bool have_key;
        uint8_t key[KEY_LEN];
        uint8_t rnd[1024]; /* random bytes for uids, drawn in batches */
        size_t rnd_left;
        sqlite3_stmt *put, *del, *get; /* prepared once: apply writes thousands of rows */
};

/* Migration i takes the schema from version i to i + 1. */
static const char *const migrations[] = {
    "CREATE TABLE revisions ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " revision TEXT NOT NULL, source TEXT, ref TEXT, subject TEXT, author TEXT,"
    " applied_at INTEGER NOT NULL,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL, pruned INTEGER NOT NULL);"
    "CREATE TABLE objects ("
    " id TEXT PRIMARY KEY,"
    " api_version TEXT NOT NULL, kind TEXT NOT NULL, namespace TEXT NOT NULL,"
    " name TEXT NOT NULL, hash TEXT NOT NULL,"
    " canonical BLOB NOT NULL, encrypted INTEGER NOT NULL DEFAULT 0,"
    " revision TEXT NOT NULL,"
    " revision_seq INTEGER NOT NULL REFERENCES revisions(seq),"
    " uid TEXT NOT NULL UNIQUE, generation INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX objects_by_kind ON objects(kind, namespace, name);"
    "CREATE TABLE events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
    " object_id TEXT, type TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL);",
    /* 2: planning reads (id, hash, identity) of every row; a covering index
     * keeps that scan off the table pages that hold the canonical JSON. */
    "CREATE INDEX objects_plan ON objects(id, hash, api_version, kind, namespace, name);",
};

_Static_assert(TM_ARRAY_SIZE(migrations) == ENG_STORE_SCHEMA, "one migration per schema version");

static int
db_error(eng_store *s, tm_error *err, const char *what)
{
        return tm_error_set(err, -EIO, "%s: %s", what,
                            s->db ? sqlite3_errmsg(s->db) : "no database");
}

static int
exec_sql(eng_store *s, const char *sql, tm_error *err)
{
        char *msg = NULL;
        if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
                tm_error_set(err, -EIO, "state database: %s", msg ? msg : "error");
                sqlite3_free(msg);
                return -EIO;
        }
        return 0;
}

static int
read_version(eng_store *s, tm_error *err)
{
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
                return db_error(s, err, "read schema version");
        int r = sqlite3_step(st);
        s->version = r == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_finalize(st);
        return r == SQLITE_ROW ? 0 : db_error(s, err, "read schema version");
}

static int
migrate(eng_store *s, tm_error *err)
{
        int r;
        if ((r = exec_sql(s, "BEGIN IMMEDIATE", err)) < 0)
                return r;
        if ((r = read_version(s, err)) < 0)
                goto fail;
        for (int v = s->version; v < (int)TM_ARRAY_SIZE(migrations); v++) {
                char pragma[64];
                snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
                if ((r = exec_sql(s, migrations[v], err)) < 0 ||
                    (r = exec_sql(s, pragma, err)) < 0) {
                        tm_error_wrap(err, "migrate schema to version %d", v + 1);
                        goto fail;
                }
        }
        if ((r = exec_sql(s, "COMMIT", err)) < 0)
                goto fail;
        return read_version(s, err);
fail:
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

int
eng_store_open(eng_store **out, const char *state_dir, bool writable, tm_error *err)
{
        eng_store *s = xcalloc(1, sizeof(*s));
        s->dir = xstrdup(state_dir);
        s->writable = writable;
        _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, STORE_DB);
        int r;

        if (writable) {
                if ((r = tm_mkdir_p(state_dir, 0700, err)) < 0)
                        goto fail;
        } else if (access(path, F_OK) < 0) {
                if (errno != ENOENT && errno != ENOTDIR) {
                        r = tm_error_errno(err, -errno, "state database \"%s\"", path);
                        goto fail;
                }
                *out = s; /* an empty cluster */
                return 0;
        }
        int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
        if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
                r = tm_error_set(err, -EIO, "open state database \"%s\": %s", path,
                                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
                goto fail;
        }
        if (writable)
                (void)chmod(path, 0600);
        sqlite3_busy_timeout(s->db, 10000);
        if ((r = exec_sql(s, "PRAGMA foreign_keys = ON", err)) < 0)
                goto fail;
        if (writable && ((r = exec_sql(s, "PRAGMA journal_mode = WAL", err)) < 0 ||
                         (r = exec_sql(s, "PRAGMA synchronous = NORMAL", err)) < 0))
                goto fail;
        if ((r = read_version(s, err)) < 0)
                goto fail;
        if (s->version > ENG_STORE_SCHEMA) {
                r = tm_error_set(err, -EPROTO,
                                 "state database \"%s\" has schema %d, newer than this timone (%d)",
                                 path, s->version, ENG_STORE_SCHEMA);
                goto fail;
        }
        if (s->version < ENG_STORE_SCHEMA) {
                if (writable) {
                        if ((r = migrate(s, err)) < 0)
                                goto fail;
                } else if (s->version >= STORE_READ_MIN) {
                        /* Readers never write: an older schema they can read is fine. */
                } else if (s->version != 0) {
                        r = tm_error_set(err, -EPROTO,
                                         "state database \"%s\" has schema %d; run `timone apply` "
                                         "to migrate it",
                                         path, s->version);
                        goto fail;
                } else {
                        /* Created but never migrated: still an empty cluster. */
                        sqlite3_close(s->db);
                        s->db = NULL;
                }
        }
        *out = s;
        return 0;
fail:
        tm_error_wrap(err, "state \"%s\"", state_dir);
        eng_store_close(s);
        return r;
}

void
eng_store_close(eng_store *s)
{
        if (!s)
                return;
        sqlite3_finalize(s->put);
        sqlite3_finalize(s->del);
        sqlite3_finalize(s->get);
        if (s->db)
                sqlite3_close(s->db);
        OPENSSL_cleanse(s->key, sizeof(s->key));
        free(s->dir);
        free(s);
}

int
eng_store_schema_version(const eng_store *s)
{
        return s->db ? s->version : 0;
}

/* --- secret key and encryption --- */

static int
load_key(eng_store *s, bool create, tm_error *err)
{
        if (s->have_key)
                return 0;
        _cleanup_free_ char *path = xasprintf("%s/%s", s->dir, STORE_KEY);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        tm_error e = {0};
        int r = tm_file_read(path, 4096, &data, &len, &e);
        if (r == -ENOENT && create) {
                if (tm_random_bytes(s->key, KEY_LEN) < 0)
                        return tm_error_set(err, -EIO, "make secret key: no randomness");
                if ((r = tm_file_write_atomic(path, s->key, KEY_LEN, 0600, err)) < 0)
                        return tm_error_wrap(err, "write secret key");
                s->have_key = true;
                return 0;
        }
        if (r < 0)
                return tm_error_set(err, r, "secret key: %s", e.msg);
        if (len != KEY_LEN) {
                OPENSSL_cleanse(data, len);
                return tm_error_set(err, -EINVAL, "secret key \"%s\" is %zu bytes, want %d", path,
                                    len, KEY_LEN);
        }
        memcpy(s->key, data, KEY_LEN);
        OPENSSL_cleanse(data, len);
        s->have_key = true;
        return 0;
}

/* blob = version(1) | nonce(12) | ciphertext | tag(16); the object id is
 * the associated data, so a blob cannot be moved to another row. */
static int
seal(eng_store *s, const char *id, const void *plain, size_t len, uint8_t **out, size_t *out_len,
     tm_error *err)
{
        int r;
        if ((r = load_key(s, true, err)) < 0)
                return r;
        if (len > MAX_JSON_BYTES)
                return tm_error_set(err, -EFBIG, "object too large to store");
        size_t n = 1 + NONCE_LEN + len + TAG_LEN;
        uint8_t *blob = xmalloc(n);
        blob[0] = BLOB_VERSION;
        if (tm_random_bytes(blob + 1, NONCE_LEN) < 0) {
                free(blob);
                return tm_error_set(err, -EIO, "encrypt: no randomness");
        }
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int outl = 0,
            ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, s->key, blob + 1) &&
                 EVP_EncryptUpdate(c, NULL, &outl, (const uint8_t *)id, (int)strlen(id)) &&
                 EVP_EncryptUpdate(c, blob + 1 + NONCE_LEN, &outl, plain, (int)len) &&
                 EVP_EncryptFinal_ex(c, blob + 1 + NONCE_LEN + outl, &outl) &&
                 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, blob + 1 + NONCE_LEN + len);
        EVP_CIPHER_CTX_free(c);
        if (!ok) {
                free(blob);
                return tm_error_set(err, -EIO, "encrypt object \"%s\" failed", id);
        }
        *out = blob;
        *out_len = n;
        return 0;
}

static int
unseal(eng_store *s, const char *id, const uint8_t *blob, size_t n, char **out, size_t *out_len,
       tm_error *err)
{
        int r;
        if ((r = load_key(s, false, err)) < 0)
                return r;
        if (n < 1 + NONCE_LEN + TAG_LEN || blob[0] != BLOB_VERSION)
                return tm_error_set(err, -EBADMSG, "stored object \"%s\" is damaged", id);
        size_t len = n - 1 - NONCE_LEN - TAG_LEN;
        char *plain = xmalloc(len + 1);
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int outl = 0,
            ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, s->key, blob + 1) &&
                 EVP_DecryptUpdate(c, NULL, &outl, (const uint8_t *)id, (int)strlen(id)) &&
                 EVP_DecryptUpdate(c, (uint8_t *)plain, &outl, blob + 1 + NONCE_LEN, (int)len) &&
                 EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                                     (void *)(blob + n - TAG_LEN)) &&
                 EVP_DecryptFinal_ex(c, (uint8_t *)plain + outl, &outl) > 0;
        EVP_CIPHER_CTX_free(c);
        if (!ok) {
                OPENSSL_cleanse(plain, len);
                free(plain);
                return tm_error_set(err, -EBADMSG,
                                    "stored object \"%s\" does not decrypt with \"%s/%s\"", id,
                                    s->dir, STORE_KEY);
        }
        plain[len] = '\0';
        *out = plain;
        *out_len = len;
        return 0;
}

static bool
is_secret(const char *api_version, const char *kind)
{
        return strcmp(kind, "Secret") == 0 && strcmp(api_version, "v1") == 0;
}

/* --- reads --- */

static char *
col_str(sqlite3_stmt *st, int i)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        return xstrdup(t ? (const char *)t : "");
}

/* One allocation per row: the six strings back to back, id first. */
static void
rows_push(eng_rows *r, const char *const f[6], const size_t len[6])
{
        size_t total = 0;
        for (int i = 0; i < 6; i++)
                total += len[i] + 1;
        char *block = xmalloc(total), *p = block;
        char *ptrs[6];
        for (int i = 0; i < 6; i++) {
                ptrs[i] = p;
                memcpy(p, f[i], len[i]);
                p[len[i]] = '\0';
                p += len[i] + 1;
        }
        TM_GROW(r->items, r->cap, r->n + 1);
        r->items[r->n++] = (eng_row){ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5]};
}

void
eng_rows_add(eng_rows *r, const char *id, const char *hash, const char *api_version,
             const char *kind, const char *ns, const char *name)
{
        const char *f[6] = {id, hash, api_version, kind, ns ? ns : "", name};
        size_t len[6];
        for (int i = 0; i < 6; i++)
                len[i] = strlen(f[i]);
        rows_push(r, f, len);
}

void
eng_rows_free(eng_rows *r)
{
        for (size_t i = 0; i < r->n; i++)
                free(r->items[i].id); /* the row's block */
        free(r->items);
        *r = (eng_rows)ENG_ROWS_INIT;
}

int
eng_store_load_rows(eng_store *s, eng_rows *out, tm_error *err)
{
        *out = (eng_rows)ENG_ROWS_INIT;
        if (!s->db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT id, hash, api_version, kind, namespace, name FROM objects "
                               "ORDER BY id",
                               -1, &st, NULL) != SQLITE_OK)
                return db_error(s, err, "load objects");
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                const char *f[6];
                size_t len[6];
                for (int i = 0; i < 6; i++) {
                        const unsigned char *t = sqlite3_column_text(st, i);
                        f[i] = t ? (const char *)t : "";
                        len[i] = (size_t)sqlite3_column_bytes(st, i);
                }
                rows_push(out, f, len);
        }
        sqlite3_finalize(st);
        if (r != SQLITE_DONE) {
                eng_rows_free(out);
                return db_error(s, err, "load objects");
        }
        return 0;
}

static int
column_json(eng_store *s, sqlite3_stmt *st, int i, int enc_col, const char *id, char **json,
            size_t *len, tm_error *err)
{
        const void *blob = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        if (n < 0 || (size_t)n > MAX_JSON_BYTES + 64)
                return tm_error_set(err, -EBADMSG, "stored object \"%s\" is too large", id);
        if (sqlite3_column_int(st, enc_col))
                return unseal(s, id, blob, (size_t)n, json, len, err);
        *json = xmalloc((size_t)n + 1);
        if (n)
                memcpy(*json, blob, (size_t)n);
        (*json)[n] = '\0';
        *len = (size_t)n;
        return 0;
}

int
eng_store_load_json(eng_store *s, const char *id, char **json, size_t *len, tm_error *err)
{
        if (!s->db)
                return tm_error_set(err, -ENOENT, "object \"%s\" not in the store", id);
        if (!s->get &&
            sqlite3_prepare_v3(s->db, "SELECT canonical, encrypted FROM objects WHERE id = ?1", -1,
                               SQLITE_PREPARE_PERSISTENT, &s->get, NULL) != SQLITE_OK)
                return db_error(s, err, "load object");
        sqlite3_stmt *st = s->get;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
                size_t l = 0;
                r = column_json(s, st, 0, 1, id, json, &l, err);
                if (r == 0 && len)
                        *len = l;
        } else if (r == SQLITE_DONE) {
                r = tm_error_set(err, -ENOENT, "object \"%s\" not in the store", id);
        } else {
                r = db_error(s, err, "load object");
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return r;
}

void
eng_record_clear(eng_record *r)
{
        free(r->id);
        free(r->api_version);
        free(r->kind);
        free(r->ns);
        free(r->name);
        free(r->hash);
        free(r->revision);
        free(r->uid);
        free(r->status);
        free(r->node);
        if (r->json)
                OPENSSL_cleanse(r->json, r->json_len);
        free(r->json);
        memset(r, 0, sizeof(*r));
}

void
eng_records_free(eng_record *r, size_t n)
{
        for (size_t i = 0; i < n; i++)
                eng_record_clear(&r[i]);
        free(r);
}

int
eng_store_list(eng_store *s, const char *api_version, const char *kind, const char *ns,
               eng_record **out, size_t *n_out, tm_error *err)
{
        *out = NULL;
        *n_out = 0;
        if (!s->db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "SELECT id, api_version, kind, namespace, name, hash, revision, uid,"
                               " generation, created_at, updated_at, canonical, encrypted "
                               "FROM objects WHERE (?1 IS NULL OR kind = ?1)"
                               " AND (?2 IS NULL OR namespace = ?2)"
                               " AND (?3 IS NULL OR api_version = ?3) "
                               "ORDER BY namespace, name, id",
                               -1, &st, NULL) != SQLITE_OK)
                return db_error(s, err, "list objects");
        if (kind)
                sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        if (ns)
                sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
        if (api_version)
                sqlite3_bind_text(st, 3, api_version, -1, SQLITE_STATIC);
        eng_record *items = NULL;
        size_t n = 0, cap = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                TM_GROW(items, cap, n + 1);
                eng_record *rec = &items[n++];
                memset(rec, 0, sizeof(*rec));
                rec->id = col_str(st, 0);
                rec->api_version = col_str(st, 1);
                rec->kind = col_str(st, 2);
                rec->ns = col_str(st, 3);
                rec->name = col_str(st, 4);
                rec->hash = col_str(st, 5);
                rec->revision = col_str(st, 6);
                rec->uid = col_str(st, 7);
                rec->generation = sqlite3_column_int64(st, 8);
                rec->created_at = sqlite3_column_int64(st, 9);
                rec->updated_at = sqlite3_column_int64(st, 10);
                if (column_json(s, st, 11, 12, rec->id, &rec->json, &rec->json_len, err) < 0) {
                        sqlite3_finalize(st);
                        eng_records_free(items, n);
                        return err ? err->code : -EIO;
                }
        }
        if (r != SQLITE_DONE) {
                db_error(s, err, "list objects");
                sqlite3_finalize(st);
                eng_records_free(items, n);
                return -EIO;
        }
        sqlite3_finalize(st);
        *out = items;
        *n_out = n;
        return 0;
}

int
eng_store_last_revision(eng_store *s, char **revision, tm_error *err)
{
        *revision = NULL;
        if (!s->db)
                return 0;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "SELECT revision FROM revisions ORDER BY seq DESC LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK)
                return db_error(s, err, "read revisions");
        if (sqlite3_step(st) == SQLITE_ROW)
                *revision = col_str(st, 0);
        sqlite3_finalize(st);
        return 0;
}

int64_t
eng_store_count_revisions(eng_store *s)
{
        if (!s->db)
                return 0;
        sqlite3_stmt *st = NULL;
        int64_t n = -1;
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM revisions", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return n;
}

/* --- writes --- */

static int
need_writable(eng_store *s, tm_error *err)
{
        if (!s->writable || !s->db)
                return tm_error_set(err, -EROFS, "state \"%s\" is open read-only", s->dir);
        return 0;
}

int
eng_store_begin(eng_store *s, tm_error *err)
{
        int r;
        if ((r = need_writable(s, err)) < 0)
                return r;
        return exec_sql(s, "BEGIN IMMEDIATE", err);
}

int
eng_store_commit(eng_store *s, tm_error *err)
{
        return exec_sql(s, "COMMIT", err);
}

void
eng_store_rollback(eng_store *s)
{
        if (s->db && !sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
eng_store_read_begin(eng_store *s, tm_error *err)
{
        if (!s->db || !sqlite3_get_autocommit(s->db))
                return 0;
        return exec_sql(s, "BEGIN", err);
}

void
eng_store_read_end(eng_store *s)
{
        if (s && s->db && !sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
        if (v)
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
        else
                sqlite3_bind_null(st, i);
}

int
eng_store_add_revision(eng_store *s, const eng_revision_info *rv, int64_t *seq, tm_error *err)
{
        int r;
        if ((r = need_writable(s, err)) < 0)
                return r;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "INSERT INTO revisions (revision, source, ref, subject, author,"
                               " applied_at, created, updated, pruned) VALUES (?,?,?,?,?,?,?,?,?)",
                               -1, &st, NULL) != SQLITE_OK)
                return db_error(s, err, "record revision");
        bind_opt(st, 1, rv->revision ? rv->revision : "");
        bind_opt(st, 2, rv->source);
        bind_opt(st, 3, rv->ref);
        bind_opt(st, 4, rv->subject);
        bind_opt(st, 5, rv->author);
        sqlite3_bind_int64(st, 6, rv->applied_at);
        sqlite3_bind_int64(st, 7, rv->created);
        sqlite3_bind_int64(st, 8, rv->updated);
        sqlite3_bind_int64(st, 9, rv->pruned);
        r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "record revision");
        sqlite3_finalize(st);
        if (r == 0 && seq)
                *seq = sqlite3_last_insert_rowid(s->db);
        return r;
}

static void
new_uuid(eng_store *s, char out[37])
{
        if (s->rnd_left < 16) {
                if (tm_random_bytes(s->rnd, sizeof(s->rnd)) < 0)
                        abort(); /* no randomness is a broken machine, not bad input */
                s->rnd_left = sizeof(s->rnd);
        }
        uint8_t *b = s->rnd + sizeof(s->rnd) - s->rnd_left;
        s->rnd_left -= 16;
        b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
        b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
        snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                 b[13], b[14], b[15]);
}

int
eng_store_put(eng_store *s, const eng_put *p, tm_error *err)
{
        int r;
        if ((r = need_writable(s, err)) < 0)
                return r;
        _cleanup_free_ uint8_t *sealed = NULL;
        const void *body = p->json;
        size_t body_len = p->json_len;
        bool enc = is_secret(p->api_version, p->kind);
        if (enc) {
                if ((r = seal(s, p->id, p->json, p->json_len, &sealed, &body_len, err)) < 0)
                        return r;
                body = sealed;
        }
        char uid[37];
        new_uuid(s, uid);
        if (!s->put &&
            sqlite3_prepare_v3(
                s->db,
                "INSERT INTO objects (id, api_version, kind, namespace, name, hash, canonical,"
                " encrypted, revision, revision_seq, uid, generation, created_at, updated_at)"
                " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,1,?12,?12)"
                " ON CONFLICT(id) DO UPDATE SET api_version = excluded.api_version,"
                " hash = excluded.hash, canonical = excluded.canonical,"
                " encrypted = excluded.encrypted, revision = excluded.revision,"
                " revision_seq = excluded.revision_seq,"
                " generation = objects.generation + 1, updated_at = excluded.updated_at"
                " WHERE objects.hash IS NOT excluded.hash",
                -1, SQLITE_PREPARE_PERSISTENT, &s->put, NULL) != SQLITE_OK)
                return db_error(s, err, "store object");
        sqlite3_stmt *st = s->put;
        sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p->api_version, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, p->ns ? p->ns : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, p->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, p->hash, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(st, 7, body, body_len, SQLITE_STATIC);
        sqlite3_bind_int(st, 8, enc);
        sqlite3_bind_text(st, 9, p->revision ? p->revision : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 10, p->revision_seq);
        sqlite3_bind_text(st, 11, uid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, p->now);
        r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "store object");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (r < 0)
                tm_error_wrap(err, "\"%s\"", p->id);
        return r;
}

int
eng_store_delete(eng_store *s, const char *id, tm_error *err)
{
        int r;
        if ((r = need_writable(s, err)) < 0)
                return r;
        if (!s->del && sqlite3_prepare_v3(s->db, "DELETE FROM objects WHERE id = ?1", -1,
                                          SQLITE_PREPARE_PERSISTENT, &s->del, NULL) != SQLITE_OK)
                return db_error(s, err, "delete object");
        sqlite3_stmt *st = s->del;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        r = sqlite3_step(st) == SQLITE_DONE ? 0 : db_error(s, err, "delete object");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return r;
}
