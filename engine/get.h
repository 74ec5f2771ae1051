/* `timone get`: kubectl-like views of the stored objects. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "engine/podstore.h"
#include "engine/store.h"
#include "resources/object.h"

typedef struct eng_get_opts {
        bool wide;           /* -o wide: kubectl's extra columns */
        bool all_namespaces; /* -A: a NAMESPACE column first (namespaced kinds) */
        bool no_headers;
        bool show_labels; /* a LABELS column last */
        bool with_kind;   /* NAME as "deployment.apps/web" (several kinds asked) */
        int64_t now;      /* wall-clock seconds, for AGE */
        /* The controllers' pods (every namespace), to count what workloads have
         * running; NULL when no controller has run (then READY is 0/N). */
        const eng_pod_row *pods;
        size_t n_pods;
} eng_get_opts;

/* Appends the table of recs (all of kind info) to out: kubectl's columns
 * for the kind, separated by three spaces. Appends nothing when n is 0. */
void eng_get_table(const res_kind_info *info, const eng_record *recs, size_t n,
                   const eng_get_opts *o, tm_buf *out);
/* The object as `kubectl get -o yaml|json` shows it: the stored object
 * plus metadata.uid, creationTimestamp, generation; keys sorted; Secret
 * values "***". Caller frees. NULL if the stored JSON is damaged. */
res_value *eng_get_object_value(const eng_record *rec);
