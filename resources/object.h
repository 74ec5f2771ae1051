/* Desired objects: validated, defaulted Kubernetes objects with identity,
 * canonical encoding and content hash; and sets of them built from the
 * files of a snapshot. resources/ knows objects, not where they came from
 * or where they run. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "resources/diag.h"
#include "resources/value.h"
#include "resources/yaml.h"

/* The supported kinds. */
typedef struct res_kind_info {
        const char *kind;        /* "Deployment" */
        const char *group;       /* "" for core, "apps", "storage.k8s.io" */
        const char *version;     /* "v1" */
        const char *plural;      /* "deployments" */
        const char *singular;    /* "deployment" */
        const char *short_names; /* comma-separated, e.g. "deploy"; "" if none */
        bool namespaced;
        int order; /* apply order: lower first (Namespace 0 ... workloads last) */
} res_kind_info;

size_t res_kind_count(void);
const res_kind_info *res_kind_at(size_t i);
/* By kind ("Deployment"), plural, singular, short name, or "kind.group"
 * (case-insensitive), as `kubectl get` accepts them. NULL when unknown. */
const res_kind_info *res_kind_lookup(const char *name);
const res_kind_info *res_kind_find(const char *group, const char *kind);

typedef struct res_object res_object;

const res_kind_info *res_object_kind_info(const res_object *o);
const char *res_object_api_version(const res_object *o); /* "apps/v1" */
const char *res_object_group(const res_object *o);
const char *res_object_kind(const res_object *o);
const char *res_object_namespace(const res_object *o); /* "" when cluster-scoped */
const char *res_object_name(const res_object *o);
/* "group/Kind/namespace/name" (group empty for core): a total order key. */
const char *res_object_id(const res_object *o);
/* The whole defaulted object (apiVersion, kind, metadata, spec/data...),
 * status and server-set metadata dropped, Secret stringData merged into
 * data. Owned by o. */
const res_value *res_object_value(const res_object *o);
const char *res_object_canonical_json(const res_object *o); /* owned by o */
const char *res_object_hash(const res_object *o);           /* "sha256:<hex>" of the above */
/* Where it was defined: file (NULL if not from a file), line, col. */
const char *res_object_file(const res_object *o);
uint32_t res_object_line(const res_object *o);
const res_value *res_object_labels(const res_object *o); /* map or NULL */

/* Output. mask_secrets replaces every value under a Secret's data with
 * "***" (length not revealed). YAML is kubectl-style, starting with
 * apiVersion; JSON is pretty with two-space indent. */
void res_object_emit_yaml(const res_object *o, tm_buf *out, bool mask_secrets);
void res_object_emit_json(const res_object *o, tm_buf *out, bool mask_secrets);

/* Builds an object from a canonical JSON encoding (as stored), validating
 * it like a manifest. */
int res_object_from_json(const char *json, size_t len, res_object **out, tm_error *err);
/* Validates and defaults one decoded document. file/line locate errors.
 * Takes ownership of root on success and failure alike. */
int res_object_from_value(res_value *root, const char *file, res_object **out, res_diags *diags);
res_object *res_object_ref(res_object *o); /* objects are reference counted */
void res_object_unref(res_object *o);

/* A desired set: all objects of one snapshot. */
typedef struct res_set res_set;

res_set *res_set_new(const res_limits *lim); /* NULL: defaults */
/* Decodes and validates every document of one file (kind: List expanded);
 * problems go to diags and parsing goes on. */
void res_set_add_file(res_set *set, const char *path, const void *data, size_t len,
                      res_diags *diags);
/* Cross-object checks (the same object defined twice, naming both places;
 * object count). Sorts the set. Returns 0 when diags is still empty of
 * errors, -EINVAL otherwise. */
int res_set_finish(res_set *set, res_diags *diags);
size_t res_set_count(const res_set *set);
const res_object *res_set_at(const res_set *set, size_t i); /* sorted by res_object_id */
const res_object *res_set_find(const res_set *set, const char *group, const char *kind,
                               const char *ns, const char *name);
void res_set_free(res_set *set);
