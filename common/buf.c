#include "common/buf.h"
#include "common/mem.h"

#include <stdio.h>
#include <string.h>

static void
reserve(tm_buf *b, size_t extra)
{
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
        tm_buf_append(b, &c, 1);
}

void
tm_buf_vprintf(tm_buf *b, const char *fmt, va_list ap)
{
        va_list ap2;
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap2);
        va_end(ap2);
        if (n < 0)
                return;
        reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
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

void
tm_buf_put_json_string(tm_buf *b, const char *s, size_t n)
{
        static const char hex[] = "0123456789abcdef";
        tm_buf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"':
                        tm_buf_puts(b, "\\\"");
                        break;
                case '\\':
                        tm_buf_puts(b, "\\\\");
                        break;
                case '\n':
                        tm_buf_puts(b, "\\n");
                        break;
                case '\r':
                        tm_buf_puts(b, "\\r");
                        break;
                case '\t':
                        tm_buf_puts(b, "\\t");
                        break;
                default:
                        if (c < 0x20) {
                                char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                                tm_buf_append(b, u, 6);
                        } else {
                                tm_buf_putc(b, (char)c);
                        }
                }
        }
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
