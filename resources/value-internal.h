/* Building into trees whose parts live in an arena (resources/ only). Each
 * function with a NULL arena is its value.h counterpart. */
#pragma once

#include "resources/arena.h"
#include "resources/value.h"

res_value *res_value_new_in(res_arena *a, res_type type);
res_value *res_str_new_in(res_arena *a, const char *s);
res_value *res_int_new_in(res_arena *a, int64_t i);
/* res_map_set: a new member of a map whose members are in the arena is
 * added there too (no copy of the map to the heap). */
res_value *res_map_set_in(res_arena *a, res_value *m, const char *key, res_value *value);
res_value *res_map_ensure_map_in(res_arena *a, res_value *m, const char *key);
/* res_emit_canonical_json of a tree already sorted by res_value_sort. */
void res_emit_canonical_json_sorted(const res_value *v, tm_buf *out);
