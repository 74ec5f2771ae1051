/* The pods that the controllers made, where they run, and what their node
 * last said of them; and the events about them. Tables `pods` and `events`
 * of the state database. Writes happen only when something changed, so an
 * idle cluster writes nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "engine/controllers.h"

typedef struct eng_podstore eng_podstore;

int eng_podstore_open(eng_podstore **out, const char *state_dir, bool writable, tm_error *err);
void eng_podstore_close(eng_podstore *ps);

typedef struct eng_pod_row {
        eng_pod pod;
        char *status; /* PodStatus JSON from the node, or NULL */
        int64_t updated;
} eng_pod_row;

/* Every pod (ns NULL) or those of one namespace, sorted by namespace, name. */
int eng_podstore_list(eng_podstore *ps, const char *ns, eng_pod_row **out, size_t *n,
                      tm_error *err);
void eng_pod_rows_free(eng_pod_row *rows, size_t n);
/* The pods as the controllers need them (observed readiness included). */
int eng_podstore_load(eng_podstore *ps, eng_pods *out, tm_error *err);
/* Makes the table hold exactly pods: inserts the new, deletes the gone,
 * updates a row only when its node or object changed. *changed tells
 * whether anything was written. */
int eng_podstore_sync(eng_podstore *ps, const eng_pods *pods, bool *changed, tm_error *err);
/* Records what the node said of a pod; no write when it is the same. */
int eng_podstore_set_status(eng_podstore *ps, const char *uid, const char *status_json, bool ready,
                            bool terminated, bool *changed, tm_error *err);

/* A node reported the pod uid removed: its row goes if the pod was being
 * deleted (metadata.deletionTimestamp set); a pod still wanted stays. */
int eng_podstore_removed(eng_podstore *ps, const char *uid, bool *changed, tm_error *err);

typedef struct eng_event {
        char *ns, *name, *uid;
        char *kind; /* "Pod" */
        char *type; /* "Normal" | "Warning" */
        char *reason;
        char *message;
        char *source; /* "kubelet/local", "scheduler", "controller" */
        int64_t first, last;
        int64_t count;
} eng_event;

/* Adds an event, or bumps count/last of the same (uid, reason, message). */
int eng_podstore_add_event(eng_podstore *ps, const eng_event *ev, tm_error *err);
/* Events of one object (name NULL: the namespace; ns NULL: all), oldest first. */
int eng_podstore_events(eng_podstore *ps, const char *ns, const char *name, eng_event **out,
                        size_t *n, tm_error *err);
void eng_events_free(eng_event *evs, size_t n);

/* The database handle, for the other tables of the node-side state
 * (volumes.c). NULL for an empty read-only state. */
struct sqlite3;
struct sqlite3 *eng_podstore_db(eng_podstore *ps);

/* What the daemon last read from its source, for `timone get sources`. */
typedef struct eng_source_status {
        char *source;   /* display form (no credentials) */
        char *revision; /* commit id or content hash */
        char *ref;      /* branch or tag, NULL for dir/bundle */
        char *subject;  /* commit subject, NULL for dir/bundle */
        char *author;
        bool applied;  /* false: rejected, the previous revision stays in force */
        char *message; /* first error when rejected */
        int64_t seen_at;
} eng_source_status;

/* Records the outcome for one source (one row per source); no write when
 * nothing changed. */
int eng_podstore_source_seen(eng_podstore *ps, const eng_source_status *st, tm_error *err);
int eng_podstore_sources(eng_podstore *ps, eng_source_status **out, size_t *n, tm_error *err);
void eng_source_statuses_free(eng_source_status *s, size_t n);
