/* See probe.h. */
#include "executors/probe.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"

void
exe_probe_state_init(exe_probe_state *s, exe_probe_result initial)
{
        s->result = initial;
        s->last = EXE_PROBE_UNKNOWN;
        s->run = 0;
}

bool
exe_probe_record(exe_probe_state *s, exe_probe_result r, int64_t success_threshold,
                 int64_t failure_threshold)
{
        if (s->last == r && s->run < UINT32_MAX)
                s->run++;
        else if (s->last != r) {
                s->last = r;
                s->run = 1;
        }
        if ((r == EXE_PROBE_FAILURE && s->run < failure_threshold) ||
            (r == EXE_PROBE_SUCCESS && s->run < success_threshold))
                return false;
        bool changed = s->result != r;
        s->result = r;
        return changed;
}

static bool
has_ctl(const char *s)
{
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return true;
        return false;
}

static const char *
header_value(const res_value *headers, const char *name)
{
        for (uint32_t i = 0; headers && headers->type == RES_SEQ && i < headers->n; i++)
                if (!strcasecmp(res_get_str(headers->u.items[i], "name", ""), name))
                        return res_get_str(headers->u.items[i], "value", "");
        return NULL;
}

int
exe_probe_http_request(tm_buf *out, const char *host_port, const char *path,
                       const res_value *headers)
{
        if (!path || !*path)
                path = "/";
        if (has_ctl(path) || strchr(path, ' '))
                return -EINVAL;
        for (uint32_t i = 0; headers && headers->type == RES_SEQ && i < headers->n; i++) {
                const char *n = res_get_str(headers->u.items[i], "name", "");
                if (!*n || has_ctl(n) || strchr(n, ':') || strchr(n, ' ') ||
                    has_ctl(res_get_str(headers->u.items[i], "value", "")))
                        return -EINVAL;
        }
        tm_buf_printf(out, "GET %s%s HTTP/1.1\r\n", path[0] == '/' ? "" : "/", path);
        const char *host = header_value(headers, "Host");
        tm_buf_printf(out, "Host: %s\r\n", host ? host : host_port);
        if (!header_value(headers, "User-Agent"))
                tm_buf_puts(out, "User-Agent: " EXE_PROBE_USER_AGENT "\r\n");
        if (!header_value(headers, "Accept"))
                tm_buf_puts(out, "Accept: */*\r\n");
        for (uint32_t i = 0; headers && headers->type == RES_SEQ && i < headers->n; i++) {
                const char *n = res_get_str(headers->u.items[i], "name", "");
                if (!strcasecmp(n, "Host") || !strcasecmp(n, "Connection"))
                        continue;
                tm_buf_printf(out, "%s: %s\r\n", n, res_get_str(headers->u.items[i], "value", ""));
        }
        tm_buf_puts(out, "Connection: close\r\n\r\n");
        return 0;
}

int
exe_probe_http_status(const char *buf, size_t len, int *code)
{
        static const char pre[] = "HTTP/1.";
        size_t n = len < sizeof(pre) - 1 ? len : sizeof(pre) - 1;
        if (memcmp(buf, pre, n) != 0)
                return -EPROTO;
        const char *eol = memchr(buf, '\n', len);
        if (!eol)
                return len > 512 ? -EPROTO : -EAGAIN;
        /* "HTTP/1.x NNN" and then a space or the end of the line. */
        size_t l = (size_t)(eol - buf);
        if (l < 12 || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
                return -EPROTO;
        int c = 0;
        for (int i = 9; i < 12; i++) {
                if (buf[i] < '0' || buf[i] > '9')
                        return -EPROTO;
                c = c * 10 + (buf[i] - '0');
        }
        if (l > 12 && buf[12] != ' ' && buf[12] != '\r')
                return -EPROTO;
        if (c < 100)
                return -EPROTO;
        *code = c;
        return 0;
}

bool
exe_probe_http_ok(int code)
{
        return code >= 200 && code < 400;
}

bool
exe_probe_http_headers_done(const char *buf, size_t len)
{
        return memmem(buf, len, "\r\n\r\n", 4) || memmem(buf, len, "\n\n", 2);
}

char *
exe_probe_redact(const char *s, size_t len, const char *const *secrets, const size_t *lens,
                 size_t n)
{
        static const char mark[] = "[redacted]";
        tm_buf b = TM_BUF_INIT;
        size_t i = 0;
        while (i < len) {
                size_t hit = 0;
                for (size_t k = 0; k < n; k++)
                        if (lens[k] >= 4 && lens[k] <= len - i &&
                            !memcmp(s + i, secrets[k], lens[k]) && lens[k] > hit)
                                hit = lens[k];
                if (hit) {
                        tm_buf_append(&b, mark, sizeof(mark) - 1);
                        i += hit;
                        continue;
                }
                unsigned char ch = (unsigned char)s[i++];
                tm_buf_putc(&b, (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? '?'
                                                                                      : (char)ch);
        }
        if (!b.data)
                tm_buf_puts(&b, "");
        return tm_buf_steal(&b);
}
