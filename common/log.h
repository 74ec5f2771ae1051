/* Structured logs: one line per event, `level=... msg="..." key=value`,
 * to stderr. The level is the only mutable global in timone. */
#pragma once

typedef enum tm_log_level {
        TM_LOG_DEBUG = 0,
        TM_LOG_INFO = 1,
        TM_LOG_WARN = 2,
        TM_LOG_ERROR = 3,
} tm_log_level;

void tm_log_set_level(tm_log_level level);
tm_log_level tm_log_get_level(void);
/* Parses "debug|info|warn|error"; returns -1 if unknown. */
int tm_log_level_parse(const char *s);

/* kv is a printf format for the trailing key=value pairs (may be NULL).
 * Values that can contain spaces must be passed through %s with quotes
 * added by the caller, e.g. "path=\"%s\"". */
void tm_log(tm_log_level level, const char *msg, const char *kv, ...)
    __attribute__((format(printf, 3, 4)));

#define tm_debug(msg, ...) tm_log(TM_LOG_DEBUG, msg, __VA_ARGS__)
#define tm_info(msg, ...) tm_log(TM_LOG_INFO, msg, __VA_ARGS__)
#define tm_warn(msg, ...) tm_log(TM_LOG_WARN, msg, __VA_ARGS__)
#define tm_err(msg, ...) tm_log(TM_LOG_ERROR, msg, __VA_ARGS__)
