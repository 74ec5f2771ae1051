/* A growable byte buffer, always NUL-terminated for convenience. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

typedef struct tm_buf {
        char *data; /* owned; NULL until first append */
        size_t len;
        size_t cap;
} tm_buf;

#define TM_BUF_INIT                                                                                \
        {                                                                                          \
                NULL, 0, 0                                                                         \
        }

void tm_buf_append(tm_buf *b, const void *p, size_t n);
void tm_buf_puts(tm_buf *b, const char *s);
void tm_buf_putc(tm_buf *b, char c);
void tm_buf_printf(tm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tm_buf_vprintf(tm_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal, quotes included. */
void tm_buf_put_json_string(tm_buf *b, const char *s, size_t n);
void tm_buf_reset(tm_buf *b);
/* Returns the data (caller frees) and leaves b empty. Never NULL. */
char *tm_buf_steal(tm_buf *b);
void tm_buf_free(tm_buf *b);
