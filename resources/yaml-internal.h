/* Shared between the decoder and the emitters. */
#pragma once

#include <stddef.h>

/* The res_type a plain scalar resolves to without allocating; -1 for the
 * merge key "<<". */
int res_yaml_plain_type(const char *s, size_t n);

#include "resources/arena.h"
#include "resources/yaml.h"

/* res_yaml_decode with the trees' nodes, strings, arrays and keys in arena
 * (which must outlive them; NULL: on the heap). Such trees stay inside
 * resources/ and are freed with res_value_free before the arena is reset. */
int res_yaml_decode_arena(const char *file, const void *data, size_t len, const res_limits *lim,
                          res_arena *arena, res_doc **docs, size_t *n_docs, res_diags *diags);
