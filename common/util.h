/* Small domain-free helpers: strings, files, time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

bool tm_str_has_prefix(const char *s, const char *prefix);
bool tm_str_has_suffix(const char *s, const char *suffix);
bool tm_streq(const char *a, const char *b); /* NULL-safe */

/* Reads a whole file of at most max bytes into *out (NUL-terminated,
 * caller frees); -EFBIG when larger. */
int tm_file_read(const char *path, size_t max, char **out, size_t *out_len, tm_error *err);
/* Writes data to path atomically (temp file, fsync, rename), mode 0600|mode. */
int tm_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         tm_error *err);
/* mkdir -p with mode for the created components. */
int tm_mkdir_p(const char *path, mode_t mode, tm_error *err);
/* rm -rf that never follows symlinks and stays on path's filesystem. */
int tm_rm_rf(const char *path, tm_error *err);

uint64_t tm_now_ms(void); /* CLOCK_MONOTONIC */
int64_t tm_wall_s(void);  /* CLOCK_REALTIME seconds */
/* Formats an age the way kubectl does: 5s, 3m, 2m5s, 4h, 3d, 2y... */
void tm_format_age(int64_t seconds, char *out, size_t outlen);
/* Unix seconds as RFC 3339 in UTC ("2026-11-29T02:40:00Z"), and back
 * (a "Z" or numeric offset, fractions ignored); -1 if unparsable. */
void tm_format_rfc3339(int64_t t, char *out, size_t outlen);
int64_t tm_parse_rfc3339(const char *s);
/* Parses a Go-style duration ("30s", "1m30s", "250ms", "2h"); -EINVAL if bad. */
int tm_parse_duration_ms(const char *s, uint64_t *out_ms);
