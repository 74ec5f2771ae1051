/* Chunks of memory handed out front to back and given back all at once.
 * A reset keeps the chunks: the next batch reuses the same pages, so the
 * heap neither fragments nor faults in fresh pages batch after batch. */
#include "resources/arena.h"

#include <stdint.h>
#include <string.h>

#include "common/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define CHUNK_BYTES (256 * 1024)

typedef struct chunk {
        struct chunk *next;
        size_t size; /* bytes of data[] */
        _Alignas(16) unsigned char data[];
} chunk;

struct res_arena {
        chunk *head; /* every chunk, in order of creation */
        chunk *cur;  /* the chunk being filled */
        size_t used; /* bytes of cur->data handed out */
};

res_arena *
res_arena_new(void)
{
        return xcalloc(1, sizeof(res_arena));
}

void
res_arena_free(res_arena *a)
{
        if (!a)
                return;
        for (chunk *c = a->head, *next; c; c = next) {
                next = c->next;
                UNPOISON(c->data, c->size);
                free(c);
        }
        free(a);
}

void
res_arena_reset(res_arena *a)
{
        for (chunk *c = a->head; c; c = c->next)
                POISON(c->data, c->size);
        a->cur = a->head;
        a->used = 0;
}

static chunk *
chunk_new(size_t need)
{
        size_t size = need > CHUNK_BYTES ? need : CHUNK_BYTES;
        chunk *c = xmalloc(sizeof(chunk) + size);
        c->next = NULL;
        c->size = size;
        POISON(c->data, c->size);
        return c;
}

void *
res_arena_alloc(res_arena *a, size_t n)
{
        n = (n + 7) & ~(size_t)7;
        if (n == 0)
                n = 8;
        while (!a->cur || a->cur->size - a->used < n) {
                if (a->cur && a->cur->next) {
                        /* a kept chunk from an earlier batch */
                        a->cur = a->cur->next;
                        a->used = 0;
                        continue;
                }
                chunk *c = chunk_new(n);
                if (a->cur) {
                        /* put it after cur so later kept chunks still follow */
                        c->next = a->cur->next;
                        a->cur->next = c;
                } else {
                        c->next = a->head;
                        a->head = c;
                }
                a->cur = c;
                a->used = 0;
        }
        void *p = a->cur->data + a->used;
        a->used += n;
        UNPOISON(p, n);
        return p;
}

void *
res_arena_memdup(res_arena *a, const void *p, size_t n)
{
        void *q = res_arena_alloc(a, n);
        if (n)
                memcpy(q, p, n);
        return q;
}
