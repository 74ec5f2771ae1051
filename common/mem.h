/* Allocation that aborts on out-of-memory, and scope-bound cleanup.
 * Out of memory is the one failure we do not propagate. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray checks n * size for overflow. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* For a short process that builds a large heap (diff, apply of thousands
 * of objects): the heap grows bytes (at most 32 MiB) at once, freed memory
 * stays for reuse, and the kernel is asked to back it with transparent huge
 * pages, so that it costs a few page faults instead of thousands (each one
 * slow under virtualisation). Address space only: untouched pages cost no
 * memory. */
void tm_mem_big_heap(size_t bytes);

/* Grows *items (of *cap elements of size) so that it holds at least need. */
void tm_grow(void **items, size_t *cap, size_t need, size_t size);
#define TM_GROW(arr, cap, need) tm_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

static inline void
tm_freep(void *p)
{
        free(*(void **)p);
}
static inline void
tm_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
static inline void
tm_fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(tm_freep)
#define _cleanup_close_ _cleanup_(tm_closep)
#define _cleanup_fclose_ _cleanup_(tm_fclosep)

/* Hand a cleanup-owned value to someone else. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                __typeof__(p) _tp = (p);                                                           \
                (p) = NULL;                                                                        \
                _tp;                                                                               \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _tf = (fd);                                                                    \
                (fd) = -1;                                                                         \
                _tf;                                                                               \
        })

#define TM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Declares a cleanup helper `name##p` for a type freed by `func(T *)`. */
#define TM_DEFINE_CLEANUP(type, func)                                                              \
        static inline void func##p(type **p)                                                       \
        {                                                                                          \
                if (*p)                                                                            \
                        func(*p);                                                                  \
        }
