/* A bump allocator for the short-lived value trees of one decoding batch:
 * thousands of small nodes, strings and arrays that all die together.
 * Internal to resources/: trees whose nodes carry RES_F_ANODE/RES_F_ADATA
 * never leave it (value.c frees around those parts). */
#pragma once

#include <stddef.h>

typedef struct res_arena res_arena;

res_arena *res_arena_new(void);
/* Accepts NULL. */
void res_arena_free(res_arena *a);
/* Forgets every allocation but keeps the memory for the next batch. */
void res_arena_reset(res_arena *a);
/* 8-byte aligned, not zeroed; aborts on out-of-memory like xmalloc. */
void *res_arena_alloc(res_arena *a, size_t n);
void *res_arena_memdup(res_arena *a, const void *p, size_t n);
