/* The decoded document tree: JSON-like values with their source position.
 * A plain data structure (like a DOM), so it is open; build and change it
 * through these functions so that the invariants hold:
 *  - a map keeps its members in insertion (source) order, keys unique;
 *  - every string is NUL-terminated and len excludes the NUL;
 *  - a value is owned by exactly one parent (or the caller). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef enum res_type {
        RES_NULL = 0,
        RES_BOOL,
        RES_INT,
        RES_FLOAT,
        RES_STR,
        RES_SEQ,
        RES_MAP,
} res_type;

/* Flags on a value. */
#define RES_F_QUOTED 0x01  /* scalar was quoted, literal or folded: always a string */
#define RES_F_DEFAULT 0x02 /* filled in by defaulting, not present in the source */
/* Set by value.c and the decoders only: the node itself lives in an arena
 * (ANODE), or its string, item or member array and member keys are not
 * allocated on their own (ADATA: in an arena, or in the node's own
 * allocation). res_value_free and the functions below free and grow around
 * them; res_value_clone's copies never carry them. Never change u.s, u.items
 * or u.members of a node with either flag other than through value.h. */
#define RES_F_ANODE 0x04
#define RES_F_ADATA 0x08

typedef struct res_value res_value;
typedef struct res_member res_member;

struct res_value {
        uint8_t type;  /* res_type */
        uint8_t flags; /* RES_F_* */
        uint32_t line; /* 1-based position in the source file; 0 when made in code */
        uint32_t col;
        uint32_t n;   /* RES_STR: bytes; RES_SEQ: items; RES_MAP: members */
        uint32_t cap; /* allocated items/members */
        union {
                bool b;
                int64_t i;
                double f;
                char *s;             /* RES_STR */
                res_value **items;   /* RES_SEQ */
                res_member *members; /* RES_MAP */
        } u;
};

struct res_member {
        char *key;     /* owned, NUL-terminated */
        uint32_t klen; /* bytes of key */
        uint32_t line; /* position of the key */
        uint32_t col;
        res_value *value; /* owned */
};

res_value *res_value_new(res_type type);
res_value *res_null_new(void);
res_value *res_bool_new(bool b);
res_value *res_int_new(int64_t i);
res_value *res_float_new(double f);
res_value *res_str_new(const char *s);
res_value *res_str_newn(const char *s, size_t n);
/* res_str_newn with the bytes in the node's own allocation (one malloc). */
res_value *res_str_newn_packed(const char *s, size_t n);
/* Takes ownership of s (malloc'd, NUL-terminated, n bytes). */
res_value *res_str_take(char *s, size_t n);
res_value *res_seq_new(void);
res_value *res_map_new(void);

void res_value_free(res_value *v);
/* RES_F_ADATA off: v gets its own string, item or member array and keys. */
void res_value_unshare(res_value *v);
res_value *res_value_clone(const res_value *v);
/* Deep structural equality; maps compare as unordered sets of keys. */
bool res_value_equal(const res_value *a, const res_value *b);
const char *res_type_name(res_type t); /* "string", "integer", "map", ... */

/* Sequences. res_seq_push takes ownership of item. */
void res_seq_push(res_value *seq, res_value *item);

/* Maps. NULL when absent or when m is not a map. */
res_value *res_map_get(const res_value *m, const char *key);
res_member *res_map_member(const res_value *m, const char *key);
/* Sets key to value (takes ownership of value), replacing any old value
 * in place (keeping its position in the order). Returns value. */
res_value *res_map_set(res_value *m, const char *key, res_value *value);
/* Appends without checking for an existing key (the decoder checks). */
res_member *res_map_append(res_value *m, const char *key, size_t klen, res_value *value);
/* res_map_append taking ownership of key (malloc'd, NUL at klen). */
res_member *res_map_append_take(res_value *m, char *key, size_t klen, res_value *value);
/* Removes key; returns true when it was there. */
bool res_map_del(res_value *m, const char *key);
/* Returns the map under key, creating an empty one when absent. NULL if
 * a non-map value is there. */
res_value *res_map_ensure_map(res_value *m, const char *key);
/* Sorts members by key (byte order), recursively. */
void res_value_sort(res_value *v);

/* Path look-up: res_get(v, "spec", "template", "metadata", NULL). */
res_value *res_get(const res_value *v, ...) __attribute__((sentinel));
/* Typed look-ups; return the fallback when absent or of another type. */
const char *res_get_str(const res_value *m, const char *key, const char *fallback);
int64_t res_get_int(const res_value *m, const char *key, int64_t fallback);
bool res_get_bool(const res_value *m, const char *key, bool fallback);

/* Emitters. Canonical JSON: compact, map keys sorted, no insignificant
 * space; the content hash is taken over it. */
void res_emit_json(const res_value *v, tm_buf *out, bool pretty);
void res_emit_canonical_json(const res_value *v, tm_buf *out);
/* kubectl-style block YAML: two-space indent, "- " items not indented under
 * their key, strings quoted only where YAML 1.1 would read them otherwise,
 * multi-line strings as literal blocks (|, |-). indent is the starting column. */
void res_emit_yaml(const res_value *v, tm_buf *out, int indent);
