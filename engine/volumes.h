/* Persistent volumes: PersistentVolumeClaims bound one to one to
 * PersistentVolumes (hostPath, local) or to directories made by a
 * StorageClass with the local-path provisioner; reclaim policies honoured
 * when a claim goes (Retain keeps the data and the volume Released, Delete
 * removes it, Recycle empties it and makes the volume Available again).
 * Bindings live in the `volume_bindings` table; the node does the
 * directory work (executors/agent.h, "volumes" and "reclaim"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "engine/controllers.h"
#include "engine/nodemsg.h"
#include "engine/podstore.h"
#include "engine/store.h"

typedef struct eng_volumes {
        eng_volume_bind *binds;
        size_t n_binds, cap_binds;
        eng_reclaim *reclaims;
        size_t n_reclaims, cap_reclaims;
        char **strings; /* owned by this struct */
        size_t n_strings, cap_strings;
        bool changed; /* a binding was made or released in this pass */
} eng_volumes;

#define ENG_VOLUMES_INIT                                                                           \
        {                                                                                          \
                0                                                                                  \
        }

/* The local-path provisioner names we answer to. */
bool eng_volumes_is_local_path(const char *provisioner);

/* Binds what can be bound and releases what lost its claim, then lists the
 * pod volumes backed by bound claims. */
int eng_volumes_bind(eng_store *store, eng_podstore *ps, const char *state_dir,
                     const eng_pods *pods, eng_volumes *out, tm_error *err);
void eng_volumes_free(eng_volumes *v);

typedef struct eng_binding {
        char *claim; /* "ns/name" */
        char *pv;    /* PersistentVolume name, or "pvc-<uid>" when provisioned */
        char *path;
        char *policy;
        bool released;
} eng_binding;

/* For `get pv|pvc`: every binding (caller frees with eng_bindings_free). */
int eng_volumes_list(eng_podstore *ps, eng_binding **out, size_t *n, tm_error *err);
void eng_bindings_free(eng_binding *b, size_t n);
