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
        char old[TM_ERROR_MSG_MAX];
        memcpy(old, err->msg, sizeof(old));
        snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
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
