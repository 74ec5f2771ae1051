#include "common/log.h"
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static tm_log_level log_level = TM_LOG_INFO;

void
tm_log_set_level(tm_log_level level)
{
        log_level = level;
}

tm_log_level
tm_log_get_level(void)
{
        return log_level;
}

int
tm_log_level_parse(const char *s)
{
        static const char *const names[] = {"debug", "info", "warn", "error"};
        for (int i = 0; i < 4; i++)
                if (strcmp(s, names[i]) == 0)
                        return i;
        return -1;
}

void
tm_log(tm_log_level level, const char *msg, const char *kv, ...)
{
        static const char *const names[] = {"debug", "info", "warn", "error"};
        if (level < log_level)
                return;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        tm_buf b = TM_BUF_INIT;
        tm_buf_printf(&b,
                      "time=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s msg=", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                      ts.tv_nsec / 1000000, names[level]);
        tm_buf_put_json_string(&b, msg, strlen(msg));
        if (kv && *kv) {
                tm_buf_putc(&b, ' ');
                va_list ap;
                va_start(ap, kv);
                tm_buf_vprintf(&b, kv, ap);
                va_end(ap);
        }
        tm_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stderr);
        tm_buf_free(&b);
}
