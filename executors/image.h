/* The node's image store: OCI image layouts and docker-save archives
 * imported through libarchive, blobs stored by digest and verified, each
 * layer unpacked once, container roots as overlayfs. Lives under
 * <state>/images. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct exe_image_store exe_image_store;

typedef struct exe_image_info {
        char *ref;       /* "docker.io/library/busybox:latest" style, normalised */
        char *id;        /* "sha256:<hex>" of the image config */
        char *digest;    /* "sha256:<hex>" of the manifest */
        int64_t size;    /* bytes of the compressed layers */
        int64_t created; /* unix seconds, 0 if unknown */
} exe_image_info;

typedef struct exe_image_config {
        char **entrypoint; /* NULL-terminated, may be NULL */
        char **cmd;
        char **env; /* "K=V" */
        char *workdir;
        char *user;
} exe_image_config;

int exe_image_store_open(exe_image_store **out, const char *state_dir, tm_error *err);
void exe_image_store_close(exe_image_store *st);

/* Imports every image in an archive; *refs gets the references imported. */
int exe_image_import(exe_image_store *st, const char *archive, char ***refs, size_t *n_refs,
                     tm_error *err);
int exe_image_list(exe_image_store *st, exe_image_info **out, size_t *n, tm_error *err);
void exe_image_info_free(exe_image_info *infos, size_t n);
/* Removes a reference (and blobs no other image needs); -EBUSY when a
 * container root uses it. */
int exe_image_remove(exe_image_store *st, const char *ref, tm_error *err);
/* Resolves "busybox", "busybox:1.35", "name@sha256:...", "sha256:<id>"
 * as Kubernetes does (docker.io/library/ default, :latest default).
 * -ENOENT when the store lacks it. *id is the image id. */
int exe_image_resolve(exe_image_store *st, const char *ref, char **id, tm_error *err);
int exe_image_config_get(exe_image_store *st, const char *id, exe_image_config **out,
                         tm_error *err);
void exe_image_config_free(exe_image_config *c);
/* Makes an overlayfs root for a container under dir (dir/upper, dir/work,
 * dir/rootfs) from the image's layers; idempotent. *rootfs is dir/rootfs. */
int exe_image_mount_rootfs(exe_image_store *st, const char *id, const char *dir, char **rootfs,
                           tm_error *err);
int exe_image_unmount_rootfs(const char *dir, tm_error *err);

/* Normalises an image reference as Kubernetes and containerd do:
 * "busybox" -> "docker.io/library/busybox:latest", "myreg:5000/app:v1"
 * kept, "name@sha256:<hex>" kept without a tag. *out is caller-owned.
 * -EINVAL with a message naming the reference when it is malformed. */
int exe_image_ref_normalize(const char *ref, char **out, tm_error *err);
/* True for "sha256:<64 hex>", an image id or digest. */
int exe_image_ref_is_id(const char *ref);
/* Number of container roots currently using image id (0 when none). */
int exe_image_users(exe_image_store *st, const char *id, tm_error *err);
/* Resolves an image USER ("name", "uid", "name:group", "uid:gid"; "" is
 * root) against the image's /etc/passwd and /etc/group read beneath rootfs,
 * as containerd does; *named tells whether a name had to be looked up.
 * -ENOENT with containerd's message when a name is not there. */
int exe_image_user_lookup(const char *rootfs, const char *spec, uint32_t *uid, uint32_t *gid,
                          bool *named, tm_error *err);
