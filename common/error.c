#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void
vset(tm_error *err, int code, const char *fmt, va_list ap)
{
        err->code = code;
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int
tm_error_set(tm_error *err, int code, const char *fmt, ...)
{
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                vset(err, code, fmt, ap);
                va_end(ap);
        }
        return code;
}

int
tm_error_errno(tm_error *err, int code, const char *fmt, ...)
{
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                vset(err, code, fmt, ap);
                va_end(ap);
                size_t n = strlen(err->msg);
                snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(-code));
        }
        return code;
}

int
tm_error_wrap(tm_error *err, const char *fmt, ...)
{
        if (!err)
                return -EIO;
        char prefix[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof(prefix), fmt, ap);
        va_end(ap);
        /* prefix, ": ", then as much of the old message as fits. */
        char old[TM_ERROR_MSG_MAX];
        memcpy(old, err->msg, sizeof(old));
        size_t p = strnlen(prefix, sizeof(prefix));
        size_t o = strnlen(old, sizeof(old) - 1);
        size_t cap = sizeof(err->msg) - 1;
        size_t k = 0;
        memcpy(err->msg, prefix, p);
        k = p;
        if (k + 2 <= cap) {
                memcpy(err->msg + k, ": ", 2);
                k += 2;
        }
        if (o > cap - k)
                o = cap - k;
        memcpy(err->msg + k, old, o);
        err->msg[k + o] = '\0';
        if (err->code == 0)
                err->code = -EIO;
        return err->code;
}

void
tm_error_clear(tm_error *err)
{
        if (err) {
                err->code = 0;
                err->msg[0] = '\0';
        }
}
