#include "common/util.h"
#include "common/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

bool
tm_str_has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
tm_str_has_suffix(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

bool
tm_streq(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

int
tm_file_read(const char *path, size_t max, char **out, size_t *out_len, tm_error *err)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return tm_error_errno(err, -errno, "open \"%s\"", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return tm_error_errno(err, -errno, "stat \"%s\"", path);
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
                return tm_error_set(err, -EFBIG, "\"%s\" is %lld bytes, over the limit of %zu",
                                    path, (long long)st.st_size, max);
        size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096, len = 0;
        _cleanup_free_ char *buf = xmalloc(cap);
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > max + 1)
                                return tm_error_set(err, -EFBIG,
                                                    "\"%s\" is over the limit of %zu bytes", path,
                                                    max);
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return tm_error_errno(err, -errno, "read \"%s\"", path);
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max)
                        return tm_error_set(err, -EFBIG, "\"%s\" is over the limit of %zu bytes",
                                            path, max);
        }
        buf[len] = '\0';
        *out = TAKE_PTR(buf);
        if (out_len)
                *out_len = len;
        return 0;
}

int
tm_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, tm_error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return tm_error_errno(err, -errno, "create \"%s\"", tmp);
        const char *p = data;
        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = -errno;
                        unlink(tmp);
                        return tm_error_errno(err, r, "write \"%s\"", tmp);
                }
                p += n;
                len -= (size_t)n;
        }
        if (fsync(fd) < 0 || rename(tmp, path) < 0) {
                int r = -errno;
                unlink(tmp);
                return tm_error_errno(err, r, "save \"%s\"", path);
        }
        return 0;
}

int
tm_mkdir_p(const char *path, mode_t mode, tm_error *err)
{
        _cleanup_free_ char *p = xstrdup(path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return tm_error_errno(err, -errno, "mkdir \"%s\"", p);
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return tm_error_errno(err, -errno, "mkdir \"%s\"", p);
        return 0;
}

static int
rm_at(int parent, const char *name, dev_t dev, tm_error *err)
{
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : tm_error_errno(err, -errno, "stat \"%s\"", name);
        if (S_ISDIR(st.st_mode)) {
                if (st.st_dev != dev)
                        return tm_error_set(err, -EXDEV, "\"%s\" is a mount point", name);
                int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return tm_error_errno(err, -errno, "open \"%s\"", name);
                DIR *d = fdopendir(fd);
                if (!d) {
                        close(fd);
                        return tm_error_errno(err, -errno, "opendir \"%s\"", name);
                }
                struct dirent *de;
                int r = 0;
                while ((de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        r = rm_at(dirfd(d), de->d_name, dev, err);
                        if (r < 0)
                                break;
                }
                closedir(d);
                if (r < 0)
                        return r;
                if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        return tm_error_errno(err, -errno, "rmdir \"%s\"", name);
                return 0;
        }
        if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
                return tm_error_errno(err, -errno, "unlink \"%s\"", name);
        return 0;
}

int
tm_rm_rf(const char *path, tm_error *err)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : tm_error_errno(err, -errno, "stat \"%s\"", path);
        return rm_at(AT_FDCWD, path, st.st_dev, err);
}

uint64_t
tm_now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t
tm_wall_s(void)
{
        return (int64_t)time(NULL);
}

void
tm_format_rfc3339(int64_t t, char *out, size_t outlen)
{
        time_t tt = (time_t)t;
        struct tm tmv;
        /* RFC 3339 years have four digits (strftime's %Y does not pad). */
        if (!outlen)
                return;
        if (!gmtime_r(&tt, &tmv) || tmv.tm_year < -1900 || tmv.tm_year > 9999 - 1900 ||
            snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", tmv.tm_year + 1900,
                     tmv.tm_mon + 1, tmv.tm_mday, tmv.tm_hour, tmv.tm_min,
                     tmv.tm_sec) >= (int)outlen)
                out[0] = '\0';
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, int n)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int64_t
tm_parse_rfc3339(const char *s)
{
        /* YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), as Go's time.RFC3339
         * reads it: every field its exact width, no day past the month's
         * end, no hour 24 nor second 60. */
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (!s || strnlen(s, 20) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
            s[13] != ':' || s[16] != ':')
                return -1;
        int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
        int h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
            sec < 0 || sec > 59)
                return -1;
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (d > mdays[mo - 1] + (mo == 2 && leap))
                return -1;
        const char *p = s + 19;
        if (*p == '.') {
                if (p[1] < '0' || p[1] > '9')
                        return -1;
                for (p++; *p >= '0' && *p <= '9'; p++)
                        ;
        }
        int64_t off = 0;
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
                int oh = digits(p + 1, 2), om = digits(p + 4, 2);
                if (oh < 0 || oh > 23 || om < 0 || om > 59)
                        return -1;
                off = (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
                p += 6;
        } else {
                return -1;
        }
        if (*p)
                return -1;
        return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
}

void
tm_format_age(int64_t s, char *out, size_t outlen)
{
        /* k8s.io/apimachinery/pkg/util/duration.HumanDuration */
        if (s < 0)
                s = 0;
        if (s < 120)
                snprintf(out, outlen, "%llds", (long long)s);
        else if (s / 60 < 10 && s % 60)
                snprintf(out, outlen, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
        else if (s / 60 < 180)
                snprintf(out, outlen, "%lldm", (long long)(s / 60));
        else if (s / 3600 < 8 && (s / 60) % 60)
                snprintf(out, outlen, "%lldh%lldm", (long long)(s / 3600),
                         (long long)((s / 60) % 60));
        else if (s / 3600 < 48)
                snprintf(out, outlen, "%lldh", (long long)(s / 3600));
        else if (s / 3600 < 24 * 8 && (s / 3600) % 24)
                snprintf(out, outlen, "%lldd%lldh", (long long)(s / 86400),
                         (long long)((s / 3600) % 24));
        else if (s / 86400 < 365 * 2)
                snprintf(out, outlen, "%lldd", (long long)(s / 86400));
        else if (s / 86400 < 365 * 8 && (s / 86400) % 365)
                snprintf(out, outlen, "%lldy%lldd", (long long)(s / 86400 / 365),
                         (long long)((s / 86400) % 365));
        else
                snprintf(out, outlen, "%lldy", (long long)(s / 86400 / 365));
}

int
tm_parse_duration_ms(const char *s, uint64_t *out_ms)
{
        if (!s || !*s)
                return -EINVAL;
        uint64_t total = 0;
        const char *p = s;
        while (*p) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                uint64_t v = 0;
                while (*p >= '0' && *p <= '9') {
                        if (v > UINT64_MAX / 10 - 10)
                                return -ERANGE;
                        v = v * 10 + (uint64_t)(*p++ - '0');
                }
                uint64_t mul;
                if (p[0] == 'm' && p[1] == 's') {
                        mul = 1;
                        p += 2;
                } else if (*p == 'h') {
                        mul = 3600000;
                        p++;
                } else if (*p == 'm') {
                        mul = 60000;
                        p++;
                } else if (*p == 's') {
                        mul = 1000;
                        p++;
                } else {
                        return -EINVAL;
                }
                if (v > UINT64_MAX / mul || v * mul > UINT64_MAX - total)
                        return -ERANGE;
                total += v * mul;
        }
        *out_ms = total;
        return 0;
}
