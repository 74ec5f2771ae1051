#include "common/buf.h"
#include "common/mem.h"

#include <stdio.h>
#include <string.h>

static inline void
reserve(tm_buf *b, size_t extra)
{
        if (__builtin_expect(b->len + extra + 1 > b->cap || !b->data, 0))
                TM_GROW(b->data, b->cap, b->len + extra + 1);
}

void
tm_buf_append(tm_buf *b, const void *p, size_t n)
{
        reserve(b, n);
        if (n)
                memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void
tm_buf_puts(tm_buf *b, const char *s)
{
        tm_buf_append(b, s, strlen(s));
}

void
tm_buf_putc(tm_buf *b, char c)
{
        reserve(b, 1);
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
}

void
tm_buf_vprintf(tm_buf *b, const char *fmt, va_list ap)
{
        /* format straight into the free space; a second pass only when it
         * did not fit */
        reserve(b, 64);
        va_list ap2;
        va_copy(ap2, ap);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data + b->len, room, fmt, ap2);
        va_end(ap2);
        if (n < 0) {
                b->data[b->len] = '\0';
                return;
        }
        if ((size_t)n >= room) {
                reserve(b, (size_t)n);
                vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        }
        b->len += (size_t)n;
}

void
tm_buf_printf(tm_buf *b, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        tm_buf_vprintf(b, fmt, ap);
        va_end(ap);
}

/* What each byte becomes inside a JSON string: 0 itself, 1 \u00XX, else
 * the letter after a backslash. */
static const char json_esc[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1,   [0x03] = 1,   [0x04] = 1,  [0x05] = 1,    [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 't', [0x0a] = 'n', [0x0b] = 1,  [0x0c] = 1,    [0x0d] = 'r',
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1,   [0x11] = 1,   [0x12] = 1,  [0x13] = 1,    [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1,   [0x18] = 1,   [0x19] = 1,  [0x1a] = 1,    [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,   [0x1f] = 1,   ['"'] = '"', ['\\'] = '\\',
};

void
tm_buf_put_json_string(tm_buf *b, const char *s, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        /* room for the common case, no escapes: quotes and the bytes */
        reserve(b, n + 2);
        b->data[b->len++] = '"';
        size_t run = 0; /* start of the bytes not yet copied */
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                char e = json_esc[c];
                if (__builtin_expect(!e, 1))
                        continue;
                tm_buf_append(b, s + run, i - run);
                run = i + 1;
                if (e == 1) {
                        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                        tm_buf_append(b, u, 6);
                } else {
                        char esc[2] = {'\\', e};
                        tm_buf_append(b, esc, 2);
                }
        }
        tm_buf_append(b, s + run, n - run);
        tm_buf_putc(b, '"');
}

void
tm_buf_reset(tm_buf *b)
{
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

char *
tm_buf_steal(tm_buf *b)
{
        char *p = b->data ? b->data : xstrdup("");
        b->data = NULL;
        b->len = b->cap = 0;
        return p;
}

void
tm_buf_free(tm_buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}
