#include "common/mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void __attribute__((noreturn)) oom(void)
{
        fputs("level=fatal msg=\"out of memory\"\n", stderr);
        abort();
}

void
tm_mem_big_heap(size_t bytes)
{
        const uintptr_t huge = 2u << 20;
        if (bytes > (32u << 20))
                bytes = 32u << 20;
        /* grow the heap bytes at a time, keep what is freed, and keep big
         * buffers on it too rather than in mappings of their own */
        mallopt(M_TOP_PAD, (int)bytes);
        mallopt(M_TRIM_THRESHOLD, (int)(2 * bytes));
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        void *lo = sbrk(0);
        free(xmalloc(64 * 1024)); /* the heap grows by bytes now */
        void *hi = sbrk(0);
        if (lo == (void *)-1 || hi == (void *)-1 || hi <= lo)
                return;
        uintptr_t a = ((uintptr_t)lo + huge - 1) & ~(huge - 1);
        uintptr_t b = (uintptr_t)hi & ~(huge - 1);
        /* a hint: where the kernel has no huge page to give, nothing changes */
        if (b > a)
                (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
}

void *
xmalloc(size_t n)
{
        void *p = malloc(n ? n : 1);
        if (!p)
                oom();
        return p;
}

void *
xcalloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);
        if (!p)
                oom();
        return p;
}

void *
xrealloc(void *p, size_t n)
{
        void *q = realloc(p, n ? n : 1);
        if (!q)
                oom();
        return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
        if (size && n > SIZE_MAX / size)
                oom();
        return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
        return xmemdup(s, strlen(s) + 1);
}

char *
xstrndup(const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *p = xmalloc(len + 1);
        memcpy(p, s, len);
        p[len] = '\0';
        return p;
}

void *
xmemdup(const void *p, size_t n)
{
        void *q = xmalloc(n);
        if (n)
                memcpy(q, p, n);
        return q;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
        char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                oom();
        return s;
}

char *
xasprintf(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *s = xvasprintf(fmt, ap);
        va_end(ap);
        return s;
}

void
tm_grow(void **items, size_t *cap, size_t need, size_t size)
{
        if (need <= *cap)
                return;
        size_t n = *cap ? *cap : 8;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        oom();
                n *= 2;
        }
        *items = xreallocarray(*items, n, size);
        *cap = n;
}
