/* Private parts shared by kinds.c, validate*.c, defaults.c, object.c,
 * set.c and base64.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/hash.h"
#include "resources/arena.h"
#include "resources/object.h"
#include "resources/schema-internal.h"

#define RES_PATH_MAX 512

/* The state of validating one object: where it is, who it is, and the
 * field path being looked at. */
typedef struct res_vctx {
        const char *file;
        const res_kind_info *kind;
        const char *ns;
        const char *name;
        res_diags *diags;
        size_t errors;
        bool secret;          /* never print values */
        uint32_t line, col;   /* the object's position, for errors with no better place */
        uint32_t line_offset; /* added to every line: the tree came from a part of the file */
        size_t nbad;
        uint64_t bad[32]; /* paths whose values were dropped for their type */
        size_t plen;
        char path[RES_PATH_MAX];
} res_vctx;

const char *res_kind_api_version(const res_kind_info *k);

/* Path stack: each push returns the length to pop back to. */
size_t res_vc_push(res_vctx *c, const char *key);
size_t res_vc_push_index(res_vctx *c, size_t i);
size_t res_vc_push_mapkey(res_vctx *c, const char *key); /* .key or [key] */
void res_vc_pop(res_vctx *c, size_t len);
void res_vc_err(res_vctx *c, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Error with the path of a child key (not pushed). */
void res_vc_err_key(res_vctx *c, const char *key, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Appends a short printable rendering of a scalar ("\"abc\"", 42). */
void res_vc_fmt_value(const res_value *v, tm_buf *out);

/* Field errors in Kubernetes' words, at the value (or the parent map for a
 * missing key); key NULL means the current path itself. */
void res_vc_invalid(res_vctx *c, const char *key, const res_value *v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void res_vc_required(res_vctx *c, const char *key, const res_value *parent, const char *detail);
void res_vc_unsupported(res_vctx *c, const char *key, const res_value *v,
                        const char *const *allowed);
bool res_vc_enum(res_vctx *c, const res_value *m, const char *key, const char *const *allowed);
void res_vc_name(res_vctx *c, const res_value *m, const char *key,
                 const char *(*check)(const char *), bool required);
void res_vc_range(res_vctx *c, const res_value *m, const char *key, int64_t lo, int64_t hi);

/* Schema pass: types, unknown fields, dropped fields, quantities. */
void res_decode_schema(res_vctx *c, res_value *m, const res_schema *s);
/* Semantic pass per kind (validate-kinds.c, validate-pod.c). */
void res_validate_object(res_vctx *c, res_value *root);
void res_validate_pod_spec(res_vctx *c, const res_value *spec, bool template);
void res_validate_meta_maps(res_vctx *c, const res_value *meta);
void res_validate_pod_scheduling(res_vctx *c, const res_value *spec); /* validate-sched.c */
/* Defaults (defaults.c). */
/* New nodes go to arena (NULL: the heap), like the tree's own. */
void res_apply_defaults(res_arena *a, const res_kind_info *k, res_value *root);
void res_default_pod_spec(res_arena *a, res_value *spec, bool pod);

/* base64.c: Go's base64.StdEncoding as encoding/json reads []byte
 * (padding required, \r and \n skipped). Returns decoded length or -1
 * with *bad_at set to the offending input byte. */
long res_base64_decode(const char *s, size_t n, unsigned char *out, size_t *bad_at);
char *res_base64_encode(const unsigned char *p, size_t n, size_t *out_len);

/* res_object_from_value for a tree decoded from a part of a file that
 * starts after line_offset lines; scratch and hasher (each may be NULL) are
 * a buffer and a hash context kept between calls. */
int res_object_build(res_value *root, const char *file, uint32_t line_offset, tm_buf *scratch,
                     tm_sha256 *hasher, res_arena *arena, res_object **out, res_diags *diags);

/* Tests: the size of the decoding batches of res_set_add_file (SIZE_MAX:
 * whole files). */
void res_set_set_batch_bytes(res_set *set, size_t n);

/* Member removal by index. */
void res_map_remove_at(res_value *m, uint32_t i);
