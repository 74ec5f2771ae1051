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
                tm_buf_putc(&b,
                            (ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f ? '?' : (char)ch);
        }
        if (!b.data)
                tm_buf_puts(&b, "");
        return tm_buf_steal(&b);
}

/* --- gRPC health over h2c --- */

static void
h2_frame(tm_buf *b, uint8_t type, uint8_t flags, uint32_t stream, const void *p, size_t n)
{
        uint8_t h[9] = {(uint8_t)(n >> 16),
                        (uint8_t)(n >> 8),
                        (uint8_t)n,
                        type,
                        flags,
                        (uint8_t)(stream >> 24),
                        (uint8_t)(stream >> 16),
                        (uint8_t)(stream >> 8),
                        (uint8_t)stream};
        tm_buf_append(b, h, sizeof(h));
        if (n)
                tm_buf_append(b, p, n);
}

/* HPACK integer with an N-bit prefix (RFC 7541 5.1). */
static void
hpack_int(tm_buf *b, uint8_t first, int bits, size_t v)
{
        size_t max = ((size_t)1 << bits) - 1;
        if (v < max) {
                tm_buf_putc(b, (char)(first | v));
                return;
        }
        tm_buf_putc(b, (char)(first | max));
        for (v -= max; v >= 128; v /= 128)
                tm_buf_putc(b, (char)(v % 128 + 128));
        tm_buf_putc(b, (char)v);
}

static void
hpack_str(tm_buf *b, const char *s)
{
        hpack_int(b, 0, 7, strlen(s)); /* not Huffman-coded */
        tm_buf_puts(b, s);
}

/* A literal field without indexing; name_index 0: a new name. */
static void
hpack_field(tm_buf *b, size_t name_index, const char *name, const char *value)
{
        hpack_int(b, 0, 4, name_index);
        if (!name_index)
                hpack_str(b, name);
        hpack_str(b, value);
}

void
exe_probe_grpc_request(tm_buf *out, const char *authority, const char *service)
{
        tm_buf_puts(out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        static const uint8_t no_push[6] = {0, 2, 0, 0, 0, 0}; /* SETTINGS_ENABLE_PUSH 0 */
        h2_frame(out, 0x4, 0, 0, no_push, sizeof(no_push));
        tm_buf h = TM_BUF_INIT;
        tm_buf_putc(&h, (char)0x83); /* :method POST (static 3) */
        tm_buf_putc(&h, (char)0x86); /* :scheme http (static 6) */
        hpack_field(&h, 4, NULL, "/grpc.health.v1.Health/Check");
        hpack_field(&h, 1, NULL, authority);
        hpack_field(&h, 31, NULL, "application/grpc");
        hpack_field(&h, 0, "te", "trailers");
        hpack_field(&h, 58, NULL, EXE_PROBE_USER_AGENT);
        h2_frame(out, 0x1, 0x4, 1, h.data, h.len); /* END_HEADERS */
        tm_buf_free(&h);
        /* HealthCheckRequest{service = 1}, behind gRPC's 5-byte prefix. */
        size_t sl = strnlen(service ? service : "", 1024);
        tm_buf m = TM_BUF_INIT;
        size_t ml = sl ? 1 + (sl < 128 ? 1 : 2) + sl : 0;
        uint8_t pre[5] = {0, (uint8_t)(ml >> 24), (uint8_t)(ml >> 16), (uint8_t)(ml >> 8),
                          (uint8_t)ml};
        tm_buf_append(&m, pre, sizeof(pre));
        if (sl) {
                tm_buf_putc(&m, 0x0a);
                if (sl < 128)
                        tm_buf_putc(&m, (char)sl);
                else {
                        tm_buf_putc(&m, (char)(sl % 128 + 128));
                        tm_buf_putc(&m, (char)(sl / 128));
                }
                tm_buf_append(&m, service, sl);
        }
        h2_frame(out, 0x0, 0x1, 1, m.data, m.len); /* END_STREAM */
        tm_buf_free(&m);
}

const char exe_probe_h2_settings_ack[9] = {0, 0, 0, 0x4, 0x1, 0, 0, 0, 0};

int
exe_probe_h2_parse(exe_probe_h2 *h, const char *buf, size_t len)
{
        const uint8_t *u = (const uint8_t *)buf;
        while (!h->ended && len - h->off >= 9) {
                const uint8_t *f = u + h->off;
                size_t n = (size_t)f[0] << 16 | (size_t)f[1] << 8 | f[2];
                uint8_t type = f[3], flags = f[4];
                uint32_t stream =
                    ((uint32_t)f[5] << 24 | (uint32_t)f[6] << 16 | (uint32_t)f[7] << 8 | f[8]) &
                    0x7fffffffu;
                if (n > EXE_PROBE_H2_FRAME_MAX)
                        return -EPROTO;
                if (len - h->off - 9 < n)
                        break;
                const uint8_t *p = f + 9;
                if (type == 0x0 && stream == 1) { /* DATA */
                        size_t pad = 0, at = 0;
                        if (flags & 0x8) {
                                if (n < 1 || (size_t)p[0] + 1 > n)
                                        return -EPROTO;
                                pad = p[0];
                                at = 1;
                        }
                        for (size_t i = at; i < n - pad && h->msg_len < sizeof(h->msg); i++)
                                h->msg[h->msg_len++] = p[i];
                        h->have_msg |= n - pad - at > 0;
                        h->ended |= flags & 0x1;
                } else if (type == 0x1 && stream == 1) { /* HEADERS, trailers */
                        h->ended |= flags & 0x1;
                } else if (type == 0x3 && stream == 1 && n == 4) { /* RST_STREAM */
                        h->rst_code = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                                      (uint32_t)p[2] << 8 | p[3];
                        h->reset = h->ended = true;
                } else if (type == 0x4 && stream == 0 && !(flags & 0x1)) { /* SETTINGS */
                        h->settings_ack_due = true;
                } else if (type == 0x7 && n >= 8) { /* GOAWAY */
                        uint32_t last = ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                                         (uint32_t)p[2] << 8 | p[3]) &
                                        0x7fffffffu;
                        if (last < 1) {
                                h->rst_code = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
                                              (uint32_t)p[6] << 8 | p[7];
                                h->reset = h->ended = true;
                        }
                }
                h->off += 9 + n;
        }
        return h->ended ? 0 : -EAGAIN;
}

int
exe_probe_grpc_status(const exe_probe_h2 *h)
{
        /* [0 = not compressed][length: 4][HealthCheckResponse]; status is
         * field 1, a varint; absent means 0 (UNKNOWN). */
        if (!h->have_msg || h->msg_len < 5 || h->msg[0] != 0)
                return -1;
        size_t ml =
            (size_t)h->msg[1] << 24 | (size_t)h->msg[2] << 16 | (size_t)h->msg[3] << 8 | h->msg[4];
        size_t end = 5 + ml < h->msg_len ? 5 + ml : h->msg_len;
        for (size_t i = 5; i + 1 < end;) {
                uint8_t tag = h->msg[i];
                if (tag == 0x08)
                        return h->msg[i + 1] < 128 ? h->msg[i + 1] : -1;
                if ((tag & 7) == 0) { /* another varint: skip it */
                        for (i++; i < end && h->msg[i] & 0x80; i++)
                                ;
                        i++;
                } else if ((tag & 7) == 2) { /* bytes */
                        i += 2 + (size_t)h->msg[i + 1];
                } else {
                        return -1;
                }
        }
        return 0;
}

const char *
exe_probe_grpc_status_name(int status)
{
        static const char *const names[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};
        return status >= 0 && status < 4 ? names[status] : "UNKNOWN";
}

/* --- redirects --- */

static bool
location(const char *resp, size_t len, char *out, size_t n)
{
        const char *end = memmem(resp, len, "\r\n\r\n", 4);
        size_t hl = end ? (size_t)(end - resp) : len;
        for (size_t i = 0; i + 10 < hl; i++) {
                if (resp[i] != '\n' || strncasecmp(resp + i + 1, "Location:", 9) != 0)
                        continue;
                const char *v = resp + i + 10;
                while (v < resp + hl && (*v == ' ' || *v == '\t'))
                        v++;
                size_t l = 0;
                while (v + l < resp + hl && v[l] != '\r' && v[l] != '\n')
                        l++;
                while (l && (v[l - 1] == ' ' || v[l - 1] == '\t'))
                        l--;
                if (l == 0 || l >= n)
                        return false;
                memcpy(out, v, l);
                out[l] = '\0';
                return true;
        }
        return false;
}

int
exe_probe_http_redirect(const char *resp, size_t len, const char *host, const exe_probe_url *cur,
                        exe_probe_url *next)
{
        char loc[1024];
        if (!location(resp, len, loc, sizeof(loc)))
                return -ENOENT;
        for (const char *s = loc; *s; s++)
                if ((unsigned char)*s < 0x21 || *s == 0x7f)
                        return -ENOENT;
        exe_probe_url u = *cur;
        const char *path = loc;
        bool abs_http = !strncasecmp(loc, "http://", 7),
             abs_https = !strncasecmp(loc, "https://", 8);
        if (abs_http || abs_https) {
                const char *a = loc + (abs_https ? 8 : 7);
                const char *slash = strpbrk(a, "/?#");
                size_t al = slash ? (size_t)(slash - a) : strlen(a);
                const char *at = memchr(a, '@', al);
                if (at) {
                        al -= (size_t)(at + 1 - a);
                        a = at + 1;
                }
                char name[256];
                const char *port = NULL;
                size_t nl = al;
                if (al && a[0] == '[') {
                        const char *rb = memchr(a, ']', al);
                        if (!rb)
                                return -ENOENT;
                        nl = (size_t)(rb - a - 1);
                        if (nl >= sizeof(name))
                                return -ENOENT;
                        memcpy(name, a + 1, nl);
                        if (rb + 1 < a + al && rb[1] == ':')
                                port = rb + 2;
                } else {
                        const char *colon = memchr(a, ':', al);
                        if (colon) {
                                nl = (size_t)(colon - a);
                                port = colon + 1;
                        }
                        if (nl >= sizeof(name))
                                return -ENOENT;
                        memcpy(name, a, nl);
                }
                name[nl] = '\0';
                if (strcasecmp(name, host) != 0)
                        return -EXDEV;
                u.https = abs_https;
                u.port = u.https ? 443 : 80;
                if (port && port < a + al) {
                        long v = 0;
                        for (const char *q = port; q < a + al; q++) {
                                if (*q < '0' || *q > '9' || v > 65535)
                                        return -ENOENT;
                                v = v * 10 + (*q - '0');
                        }
                        if (v < 1 || v > 65535)
                                return -ENOENT;
                        u.port = (int)v;
                }
                path = slash ? slash : "/";
        }
        if (path[0] == '/') {
                snprintf(u.path, sizeof(u.path), "%s", path);
        } else {
                /* Relative to the current path's directory. */
                const char *ls = strrchr(cur->path, '/');
                int dl = ls ? (int)(ls - cur->path) : 0;
                if (snprintf(u.path, sizeof(u.path), "%.*s/%s", dl, cur->path, path) >=
                    (int)sizeof(u.path))
                        return -ENOENT;
        }
        char *hash = strchr(u.path, '#');
        if (hash)
                *hash = '\0';
        *next = u;
        return 0;
}
