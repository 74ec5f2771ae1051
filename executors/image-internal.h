/* Shared private parts of the image store (image*.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "executors/image.h"

/* Hard limits on what an archive may hold. */
#define IMG_MAX_MEMBERS 4096               /* entries in the outer archive */
#define IMG_MAX_ARCHIVE_BYTES (16LL << 30) /* bytes of all members together */
#define IMG_MAX_JSON_BYTES (4u << 20)      /* manifest, index, config, manifest.json */
#define IMG_MAX_LAYERS 64                  /* layers per image (overlay option size) */
#define IMG_MAX_IMAGES 256                 /* images per archive */
#define IMG_MAX_INDEX_DEPTH 2              /* index -> index -> manifest */
#define IMG_MAX_LAYER_ENTRIES 1000000      /* entries in one layer tar */
#define IMG_MAX_LAYER_BYTES (32LL << 30)   /* unpacked bytes of one layer */
#define IMG_MAX_STORE_IMAGES 10000         /* records in the store index */

struct exe_image_store {
        char *dir;    /* <state>/images */
        char *blobs;  /* <dir>/blobs/sha256 */
        char *layers; /* <dir>/layers */
        char *roots;  /* <dir>/roots: <id-hex>/<marker> per container root */
        char *index;  /* <dir>/index.json */
        int lock_fd;
};

/* One image record of the store index. */
typedef struct img_record {
        char *ref;     /* normalised name:tag or name@digest; NULL when dangling */
        char *id;      /* sha256:<hex> of the config */
        char *digest;  /* sha256:<hex> of the manifest */
        char **layers; /* sha256:<hex> of each layer blob, bottom first */
        size_t n_layers;
        int64_t size;
        int64_t created;
} img_record;

typedef struct img_index {
        img_record *recs;
        size_t n;
        size_t cap;
} img_index;

void img_record_clear(img_record *r);
void img_index_clear(img_index *ix);
int img_index_load(exe_image_store *st, img_index *ix, tm_error *err);
int img_index_save(exe_image_store *st, const img_index *ix, tm_error *err);
/* Exclusive lock over the store while the caller mutates it. */
int img_lock(exe_image_store *st, tm_error *err);
void img_unlock(exe_image_store *st);
/* Deletes blobs and layers no record needs. */
int img_gc(exe_image_store *st, const img_index *ix, tm_error *err);
/* Counts live container roots of an image id (stale markers are dropped). */
int img_roots_count(exe_image_store *st, const char *id, tm_error *err);

/* "sha256:<64 lowercase hex>"? */
bool img_digest_valid(const char *d);

/* JSON parsing (image-json.c), bounded; no I/O. */
typedef struct img_desc {
        char *media_type;
        char *digest;
        int64_t size;
        char *ref_name;            /* annotations: io.containerd.image.name or ...ref.name */
        char *os, *arch, *variant; /* platform, NULL when absent */
} img_desc;

typedef struct img_manifest {
        img_desc config;
        img_desc *layers;
        size_t n_layers;
} img_manifest;

typedef struct img_docker_entry {
        char *config; /* member path */
        char **tags;
        size_t n_tags;
        char **layers; /* member paths */
        size_t n_layers;
} img_docker_entry;

void img_desc_clear(img_desc *d);
void img_descs_free(img_desc *d, size_t n);
void img_manifest_clear(img_manifest *m);
void img_docker_entries_free(img_docker_entry *e, size_t n);
/* Parses an OCI index (or docker manifest list) into descriptors. */
int img_parse_index(const char *json, size_t len, img_desc **out, size_t *n, tm_error *err);
/* Parses an OCI or docker v2 image manifest. */
int img_parse_manifest(const char *json, size_t len, img_manifest *out, tm_error *err);
/* Parses a docker-save manifest.json. */
int img_parse_docker_manifest(const char *json, size_t len, img_docker_entry **out, size_t *n,
                              tm_error *err);
/* Parses an image config into what a container needs (+ created time). */
int img_parse_config(const char *json, size_t len, exe_image_config **out, int64_t *created,
                     tm_error *err);
bool img_media_is_index(const char *mt);
bool img_media_is_manifest(const char *mt);
/* This machine's OCI platform ("amd64", "arm64", "arm" + variant). */
void img_host_platform(const char **arch, const char **variant);

/* Layer unpacking (image-layer.c): unpacks the tar (plain, gzip or zstd,
 * found by content) at blob into the empty directory dir, as overlayfs
 * wants it: whiteouts as 0/0 character devices, opaque dirs as
 * trusted.overlay.opaque=y. Refuses escapes and device nodes. */
int img_layer_unpack(const char *blob, const char *dir, tm_error *err);

/* The layer digests of an image id, bottom first (caller frees). */
int img_layers_of(exe_image_store *st, const char *id, char ***layers, size_t *n, tm_error *err);

/* rootfs.diff_ids of an image config (caller frees; NULL-terminated). */
int img_parse_diff_ids(const char *json, size_t len, char ***out, size_t *n, tm_error *err);
/* sha256 of a layer blob's uncompressed tar, "sha256:<hex>" into out. */
int img_layer_diff_id(const char *blob, char out[72], tm_error *err);
