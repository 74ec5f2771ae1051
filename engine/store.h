/* The actual state: one SQLite file, <state>/timone.db (WAL, schema
 * versioned by PRAGMA user_version, migrations in store.c). All rows in
 * `objects` were put there by timone. Secret objects are stored
 * encrypted (AES-256-GCM, key in <state>/secret.key, 0600, made on first
 * use); their hash column stays in the clear. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct eng_store eng_store;

/* Opens the store of state_dir. Read-only (writable false): a directory or
 * database that does not exist is an empty cluster and nothing is created.
 * Writable: the directory (0700) and database are created as needed and
 * migrations run. */
int eng_store_open(eng_store **out, const char *state_dir, bool writable, tm_error *err);
void eng_store_close(eng_store *s);
/* The schema version of an open database (0 for a missing one). */
int eng_store_schema_version(const eng_store *s);
#define ENG_STORE_SCHEMA 2

/* What the planner needs of every applied object: cheap to load. */
typedef struct eng_row {
        char *id;          /* res_object_id: "group/Kind/namespace/name" */
        char *hash;        /* "sha256:<hex>" of the canonical JSON */
        char *api_version; /* "apps/v1" */
        char *kind;
        char *ns; /* "" when cluster-scoped */
        char *name;
} eng_row;

typedef struct eng_rows {
        eng_row *items; /* sorted by id */
        size_t n, cap;
} eng_rows;

#define ENG_ROWS_INIT                                                                              \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

int eng_store_load_rows(eng_store *s, eng_rows *out, tm_error *err);
void eng_rows_add(eng_rows *r, const char *id, const char *hash, const char *api_version,
                  const char *kind, const char *ns, const char *name);
void eng_rows_free(eng_rows *r);

/* One object with everything the store knows about it. */
typedef struct eng_record {
        char *id, *api_version, *kind, *ns, *name, *hash, *revision, *uid;
        int64_t generation;
        int64_t created_at, updated_at; /* wall-clock seconds */
        char *json;                     /* canonical JSON, decrypted; owned */
        size_t json_len;
        /* Pods made by the controllers (engine/podstore.h) only, else NULL: */
        char *status; /* PodStatus JSON last reported by the node */
        char *node;   /* where it is scheduled; "" when pending */
} eng_record;

/* The canonical JSON of one object (decrypted); -ENOENT when absent. */
int eng_store_load_json(eng_store *s, const char *id, char **json, size_t *len, tm_error *err);
/* Records of one kind (kind NULL: all), in namespace ns (NULL: all),
 * sorted by namespace then name. *out is an array of *n (caller frees
 * with eng_records_free). */
int eng_store_list(eng_store *s, const char *api_version, const char *kind, const char *ns,
                   eng_record **out, size_t *n, tm_error *err);
void eng_record_clear(eng_record *r);
void eng_records_free(eng_record *r, size_t n);

/* Writes happen inside one transaction: begin (IMMEDIATE, so a plan made
 * after it cannot go stale), any number of puts and deletes, commit; on
 * any failure rollback leaves the database as it was. */
int eng_store_begin(eng_store *s, tm_error *err);
int eng_store_commit(eng_store *s, tm_error *err);
void eng_store_rollback(eng_store *s);
/* A read transaction (read-only stores too): the reads in between see one
 * state of the store, and thousands of them take the locks once. No-op on
 * an empty cluster; read_end accepts any store. */
int eng_store_read_begin(eng_store *s, tm_error *err);
void eng_store_read_end(eng_store *s);

typedef struct eng_revision_info {
        const char *revision, *source, *ref, *subject, *author; /* NULL allowed but revision */
        int64_t applied_at;
        unsigned created, updated, pruned;
} eng_revision_info;

/* Appends to the history of applied revisions; *seq gets its number. */
int eng_store_add_revision(eng_store *s, const eng_revision_info *r, int64_t *seq, tm_error *err);
/* The last applied revision id, or NULL (caller frees). */
int eng_store_last_revision(eng_store *s, char **revision, tm_error *err);
int64_t eng_store_count_revisions(eng_store *s);

typedef struct eng_put {
        const char *id, *api_version, *kind, *ns, *name, *hash;
        const char *json; /* canonical JSON */
        size_t json_len;
        const char *revision; /* the revision id it comes from */
        int64_t revision_seq; /* row of revisions (foreign key) */
        int64_t now;
} eng_put;

/* Inserts (uid: a new random UUID v4, generation 1) or updates (uid and
 * created_at kept, generation + 1) one object. */
int eng_store_put(eng_store *s, const eng_put *p, tm_error *err);
int eng_store_delete(eng_store *s, const char *id, tm_error *err);
