/* Error values: a negative errno-style code plus a message that grows
 * context from the inside out ("apply pod `web`: start container ...").
 * Only main() or an event loop prints them. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#define TM_ERROR_MSG_MAX 2048

typedef struct tm_error {
        int code;                   /* negative errno value, 0 when unset */
        char msg[TM_ERROR_MSG_MAX]; /* NUL-terminated, never holds secret values */
} tm_error;

/* Sets err (if not NULL) to code and the formatted message; returns code
 * (which must be negative) so callers can `return tm_error_set(...)`. */
int tm_error_set(tm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like tm_error_set, with strerror(-code) appended as ": <reason>". */
int tm_error_errno(tm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "<context>: " in front of the message already in err; returns
 * err->code (or -EIO when err is NULL or unset). */
int tm_error_wrap(tm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void tm_error_clear(tm_error *err);
