/* The actions of probes and lifecycle hooks (see agent-probe.h): exec
 * through the runtime's `exec`, httpGet (HTTP and HTTPS without
 * certificate checks, as the kubelet), tcpSocket, gRPC health checks over
 * h2c and sleep. Sockets are non-blocking and each action has a deadline;
 * at most EXE_PROBE_READ_MAX bytes of a response or output are kept.
 * Failure messages follow the kubelet's (Go's) wording. */
#include "executors/agent-probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/dl.h"
#include "common/mem.h"

void
probe_act_clear(probe_act *x)
{
        exe_exec_free(x->ex);
        if (x->ssl)
                SSL_free(x->ssl);
        if (x->fd >= 0)
                close(x->fd);
        tm_buf_free(&x->req);
        tm_buf_free(&x->resp);
        free(x->msg);
        free(x->cmd);
        free(x->url);
        free(x->warning);
        memset(x, 0, sizeof(*x));
        x->fd = -1;
}

static void
act_end(probe_act *x, exe_probe_result r, char *msg)
{
        x->done = true;
        x->result = r;
        free(x->msg);
        x->msg = msg;
}

/* Go's wording: "dial tcp 10.42.0.2:80: connect: connection refused". */
static char *
lower_errno(const char *what, const char *addr, int e)
{
        char *m = xasprintf("dial tcp %s: %s: %s", addr, what, strerror(e));
        char *q = strrchr(m, ':');
        for (q = q ? q + 2 : m; *q; q++)
                if (*q >= 'A' && *q <= 'Z')
                        *q = (char)(*q + 32);
        return m;
}

/* A port given as a number, a number in a string, or a name among the
 * container's ports. */
static int
resolve_port(const res_value *c, const res_value *port, char *why, size_t wl)
{
        long v = -1;
        if (port && port->type == RES_INT)
                v = (long)port->u.i;
        else if (port && port->type == RES_STR) {
                const res_value *ps = res_map_get(c, "ports");
                for (uint32_t i = 0; ps && ps->type == RES_SEQ && i < ps->n; i++)
                        if (!strcmp(res_get_str(ps->u.items[i], "name", ""), port->u.s))
                                v = (long)res_get_int(ps->u.items[i], "containerPort", -1);
                if (v < 0) {
                        char *end = NULL;
                        v = strtol(port->u.s, &end, 10);
                        if (end == port->u.s || *end) {
                                snprintf(why, wl, "port %s not found", port->u.s);
                                return -ENOENT;
                        }
                }
        }
        if (v < 1 || v > 65535) {
                snprintf(why, wl, "invalid port number: %ld", v);
                return -EINVAL;
        }
        return (int)v;
}

static void
net_fail(probe_act *x, char *m)
{
        if (x->kind == ACT_HTTP) {
                act_end(x, EXE_PROBE_FAILURE, xasprintf("Get \"%s\": %s", x->url, m));
                free(m);
        } else if (x->kind == ACT_GRPC && x->ns == NET_CONNECT) {
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("error: failed to connect service at \"%s\": %s", x->addr, m));
                free(m);
        } else if (x->kind == ACT_GRPC) {
                act_end(x, EXE_PROBE_FAILURE, xasprintf("rpc error: %s", m));
                free(m);
        } else {
                act_end(x, EXE_PROBE_FAILURE, m);
        }
}

/* Opens the connection of x to x->sa (x->port set in it); HTTP: the
 * request for x->url's path and TLS when x->https. */
static void
net_open(probe_act *x)
{
        bool v6 = x->sa.ss_family == AF_INET6;
        if (v6)
                ((struct sockaddr_in6 *)&x->sa)->sin6_port = htons((uint16_t)x->port);
        else
                ((struct sockaddr_in *)&x->sa)->sin_port = htons((uint16_t)x->port);
        snprintf(x->addr, sizeof(x->addr), v6 ? "[%s]:%d" : "%s:%d", x->host, x->port);
        if (x->kind == ACT_HTTP) {
                free(x->url);
                x->url = xasprintf("%s://%s%s%s", x->https ? "https" : "http", x->addr,
                                   x->path[0] == '/' ? "" : "/", x->path);
                tm_buf_reset(&x->req);
                if (exe_probe_http_request(&x->req, x->addr, x->path, x->headers) < 0) {
                        act_end(x, EXE_PROBE_FAILURE,
                                xasprintf("Get \"%s\": invalid path or header", x->url));
                        return;
                }
                if (x->https) {
                        /* Like the kubelet: TLS without verifying the certificate. */
                        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
                        if (ctx) {
                                SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
                                x->ssl = SSL_new(ctx);
                                SSL_CTX_free(ctx);
                        }
                        if (!x->ssl) {
                                act_end(x, EXE_PROBE_FAILURE,
                                        xasprintf("Get \"%s\": no TLS: %s", x->url,
                                                  *tm_dl_ssl_error() ? tm_dl_ssl_error()
                                                                     : "SSL_new failed"));
                                return;
                        }
                }
        }
        x->ns = NET_CONNECT;
        x->sent = 0;
        tm_buf_reset(&x->resp);
        x->fd = socket(x->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (x->fd < 0) {
                net_fail(x, xasprintf("socket: %s", strerror(errno)));
                return;
        }
        if (x->ssl)
                SSL_set_fd(x->ssl, x->fd);
        socklen_t sl = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        if (connect(x->fd, (struct sockaddr *)&x->sa, sl) < 0 && errno != EINPROGRESS)
                net_fail(x, lower_errno("connect", x->addr, errno));
}

static void
start_net(agent_pod *p, const agent_container *c, const res_value *h, probe_act *x)
{
        char why[160];
        int port = resolve_port(c->spec, res_map_get(h, "port"), why, sizeof(why));
        if (port < 0) {
                act_end(x, EXE_PROBE_FAILURE, xstrdup(why));
                return;
        }
        const char *host = res_get_str(h, "host", "");
        if (!*host)
                host = p->ip;
        memset(&x->sa, 0, sizeof(x->sa));
        struct sockaddr_in *s4 = (struct sockaddr_in *)&x->sa;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&x->sa;
        if (strlen(host) < sizeof(x->host) && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
        } else if (strlen(host) < sizeof(x->host) &&
                   inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
        } else {
                /* A name would need a resolver that does not block. */
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("host \"%s\": only IP addresses are supported", host));
                return;
        }
        snprintf(x->host, sizeof(x->host), "%s", host);
        x->port = port;
        if (x->kind == ACT_HTTP) {
                x->https = !strcmp(res_get_str(h, "scheme", "HTTP"), "HTTPS");
                snprintf(x->path, sizeof(x->path), "%s", res_get_str(h, "path", "/"));
                x->headers = res_map_get(h, "httpHeaders");
        }
        net_open(x);
}

static char *
join_cmd(const res_value *cmd)
{
        tm_buf b = TM_BUF_INIT;
        for (uint32_t i = 0; cmd && cmd->type == RES_SEQ && i < cmd->n; i++)
                tm_buf_printf(&b, "%s%s", i ? " " : "",
                              cmd->u.items[i]->type == RES_STR ? cmd->u.items[i]->u.s : "");
        return tm_buf_steal(&b);
}

/* Exec commands see $(VAR) of the container's literal env values, as the
 * kubelet expands them (ExpandContainerCommandOnlyStatic). */
static int
start_exec(exe_agent *a, agent_pod *p, const agent_container *c, const res_value *h, probe_act *x)
{
        const res_value *cmd = res_map_get(h, "command");
        size_t n = cmd && cmd->type == RES_SEQ ? cmd->n : 0;
        x->cmd = join_cmd(cmd);
        if (n == 0 || n > 1024) {
                act_end(x, EXE_PROBE_FAILURE, xstrdup("exec: no command"));
                return 0;
        }
        const res_value *env = res_map_get(c->spec, "env");
        size_t ne = env && env->type == RES_SEQ ? env->n : 0;
        char **ev = xcalloc(ne + 1, sizeof(*ev));
        size_t k = 0;
        for (size_t i = 0; i < ne; i++) {
                const res_value *v = res_map_get(env->u.items[i], "value");
                if (v && v->type == RES_STR)
                        ev[k++] =
                            xasprintf("%s=%s", res_get_str(env->u.items[i], "name", ""), v->u.s);
        }
        char **argv = xcalloc(n + 1, sizeof(*argv));
        for (size_t i = 0; i < n; i++)
                argv[i] = agent_env_expand(
                    ev, cmd->u.items[i]->type == RES_STR ? cmd->u.items[i]->u.s : "");
        tm_error err = {0};
        int r = exe_container_exec_begin(a->o.runtime, p->uid, c->name, (const char *const *)argv,
                                         EXE_PROBE_READ_MAX, &x->ex, &err);
        if (r < 0)
                act_end(x, EXE_PROBE_FAILURE, xstrdup(err.msg));
        for (size_t i = 0; i < n; i++)
                free(argv[i]);
        free(argv);
        for (size_t i = 0; i < k; i++)
                free(ev[i]);
        free(ev);
        return 0;
}

/* Starts handler h (a probe or a lifecycle handler); an action that cannot
 * start ends at once with a failure. */
void
probe_act_start(exe_agent *a, agent_pod *p, const agent_container *c, const res_value *h,
                bool probe, uint64_t now, uint64_t timeout_ms, probe_act *x)
{
        probe_act_clear(x);
        x->busy = true;
        x->deadline = now + timeout_ms;
        x->timeout_ms = timeout_ms;
        int r = 0;
        if (res_map_get(h, "exec")) {
                x->kind = ACT_EXEC;
                r = start_exec(a, p, c, res_map_get(h, "exec"), x);
        } else if (res_map_get(h, "httpGet")) {
                x->kind = ACT_HTTP;
                start_net(p, c, res_map_get(h, "httpGet"), x);
        } else if (res_map_get(h, "tcpSocket") && probe) {
                x->kind = ACT_TCP;
                start_net(p, c, res_map_get(h, "tcpSocket"), x);
        } else if (res_map_get(h, "sleep") && !probe) {
                x->kind = ACT_SLEEP;
                int64_t s = res_get_int(res_map_get(h, "sleep"), "seconds", 0);
                x->deadline = now + (uint64_t)(s < 0 ? 0 : s > 86400 ? 86400 : s) * 1000;
        } else if (res_map_get(h, "grpc") && probe) {
                x->kind = ACT_GRPC;
                start_net(p, c, res_map_get(h, "grpc"), x);
                if (!x->done)
                        exe_probe_grpc_request(&x->req, x->addr,
                                               res_get_str(res_map_get(h, "grpc"), "service", ""));
        } else {
                act_end(x, EXE_PROBE_FAILURE, xstrdup("invalid handler"));
        }
        if (r < 0)
                act_end(x, EXE_PROBE_FAILURE, xasprintf("probe: %s", strerror(-r)));
}

/* --- driving an action --- */

static void
http_verdict(probe_act *x, bool eof)
{
        int code = 0;
        int r = exe_probe_http_status(x->resp.data ? x->resp.data : "", x->resp.len, &code);
        if (r == -EAGAIN && !eof && x->resp.len < EXE_PROBE_READ_MAX)
                return;
        if (r == 0 && !eof && x->resp.len < EXE_PROBE_READ_MAX &&
            !exe_probe_http_headers_done(x->resp.data, x->resp.len))
                return;
        if (r < 0) {
                net_fail(x, xstrdup(x->resp.len ? "malformed HTTP response" : "EOF"));
                return;
        }
        if (code >= 300 && code < 400) {
                exe_probe_url cur = {x->https, x->port, ""}, next;
                snprintf(cur.path, sizeof(cur.path), "%s", x->path);
                int rr = exe_probe_http_redirect(x->resp.data, x->resp.len, x->host, &cur, &next);
                if (rr == 0 && x->redirects >= 10) {
                        net_fail(x, xstrdup("stopped after 10 redirects"));
                        return;
                }
                if (rr == 0) {
                        /* Same host: the kubelet's client follows it. */
                        x->redirects++;
                        if (x->ssl)
                                SSL_free(x->ssl);
                        x->ssl = NULL;
                        close(x->fd);
                        x->fd = -1;
                        x->https = next.https;
                        x->port = next.port;
                        snprintf(x->path, sizeof(x->path), "%s", next.path);
                        net_open(x);
                        return;
                }
                /* Another host (or none): a success with a warning. */
                act_end(x, EXE_PROBE_SUCCESS, NULL);
                x->warning = xstrdup("Probe terminated redirects");
                return;
        }
        if (exe_probe_http_ok(code))
                act_end(x, EXE_PROBE_SUCCESS, NULL);
        else
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("HTTP probe failed with statuscode: %d", code));
}

static void
grpc_verdict(probe_act *x, bool eof)
{
        int r = exe_probe_h2_parse(&x->h2, x->resp.data ? x->resp.data : "", x->resp.len);
        if (r == -EAGAIN && !eof && x->resp.len < EXE_PROBE_READ_MAX)
                return;
        if (r == -EPROTO) {
                net_fail(x, xstrdup("malformed HTTP/2 response"));
                return;
        }
        if (r == -EAGAIN) {
                net_fail(
                    x, xstrdup(x->resp.len ? "connection closed before the health status" : "EOF"));
                return;
        }
        if (x->h2.reset) {
                net_fail(x, xasprintf("stream reset with HTTP/2 error code %u", x->h2.rst_code));
                return;
        }
        int st = exe_probe_grpc_status(&x->h2);
        if (st == 1)
                act_end(x, EXE_PROBE_SUCCESS, NULL);
        else if (st < 0)
                net_fail(x, xstrdup("no health status in the response: the server does not "
                                    "implement the grpc health protocol (grpc.health.v1.Health) "
                                    "or refused the call"));
        else
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("service unhealthy (responded with \"%s\")",
                                  exe_probe_grpc_status_name(st)));
}

static void
verdict(probe_act *x, bool eof)
{
        if (x->kind == ACT_GRPC)
                grpc_verdict(x, eof);
        else
                http_verdict(x, eof);
}

/* 1: go on, 0: wait for the socket, and the action may have ended. */
static int
tls_io(probe_act *x, int r)
{
        int e = SSL_get_error(x->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
        if (e == SSL_ERROR_ZERO_RETURN && x->ns == NET_RECV) {
                verdict(x, true);
                return 0;
        }
        net_fail(x, xstrdup(x->ns == NET_TLS ? "remote error: tls: handshake failure"
                                             : "tls: connection error"));
        return 0;
}

static void
net_step(probe_act *x)
{
        for (;;) {
                if (x->done)
                        return;
                switch (x->ns) {
                case NET_CONNECT: {
                        struct pollfd pfd = {.fd = x->fd, .events = POLLOUT};
                        if (poll(&pfd, 1, 0) <= 0)
                                return;
                        int e = 0;
                        socklen_t l = sizeof(e);
                        getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &l);
                        if (e) {
                                net_fail(x, lower_errno("connect", x->addr, e));
                                return;
                        }
                        if (x->kind == ACT_TCP) {
                                act_end(x, EXE_PROBE_SUCCESS, NULL);
                                return;
                        }
                        x->ns = x->ssl ? NET_TLS : NET_SEND;
                        break;
                }
                case NET_TLS: {
                        int r = SSL_connect(x->ssl);
                        if (r == 1)
                                x->ns = NET_SEND;
                        else if (!tls_io(x, r))
                                return;
                        break;
                }
                case NET_SEND: {
                        size_t left = x->req.len - x->sent;
                        ssize_t w;
                        if (x->ssl) {
                                w = SSL_write(x->ssl, x->req.data + x->sent, (int)left);
                                if (w <= 0) {
                                        if (!tls_io(x, (int)w))
                                                return;
                                        break;
                                }
                        } else {
                                w = send(x->fd, x->req.data + x->sent, left, MSG_NOSIGNAL);
                                if (w < 0 && (errno == EAGAIN || errno == EINTR))
                                        return;
                                if (w < 0) {
                                        net_fail(x, lower_errno("write", x->addr, errno));
                                        return;
                                }
                        }
                        x->sent += (size_t)w;
                        if (x->sent == x->req.len)
                                x->ns = NET_RECV;
                        break;
                }
                case NET_RECV: {
                        char buf[2048];
                        size_t room = EXE_PROBE_READ_MAX - x->resp.len;
                        ssize_t got;
                        if (x->ssl) {
                                got = SSL_read(x->ssl, buf,
                                               (int)(room < sizeof(buf) ? room : sizeof(buf)));
                                if (got <= 0) {
                                        if (!tls_io(x, (int)got))
                                                return;
                                        break;
                                }
                        } else {
                                got = recv(x->fd, buf, room < sizeof(buf) ? room : sizeof(buf), 0);
                                if (got < 0 && (errno == EAGAIN || errno == EINTR))
                                        return;
                                if (got < 0) {
                                        net_fail(x, lower_errno("read", x->addr, errno));
                                        return;
                                }
                        }
                        tm_buf_append(&x->resp, buf, (size_t)got);
                        verdict(x, got == 0);
                        if (x->h2.settings_ack_due && !x->done) {
                                /* Small, best effort: the answer does not wait for it. */
                                x->h2.settings_ack_due = false;
                                (void)send(x->fd, exe_probe_h2_settings_ack,
                                           sizeof(exe_probe_h2_settings_ack), MSG_NOSIGNAL);
                        }
                        break;
                }
                }
        }
}

void
probe_act_poll(probe_act *x, uint64_t now)
{
        if (x->done)
                return;
        if (x->kind == ACT_EXEC) {
                int code = 0;
                if (exe_exec_poll(x->ex, &code) == 1) {
                        size_t len = 0;
                        const char *out = exe_exec_output(x->ex, &len);
                        x->code = code;
                        act_end(x, code == 0 ? EXE_PROBE_SUCCESS : EXE_PROBE_FAILURE,
                                xstrndup(out, len));
                        return;
                }
        } else if (x->kind == ACT_HTTP || x->kind == ACT_TCP || x->kind == ACT_GRPC) {
                net_step(x);
                if (x->done)
                        return;
        } else if (x->kind == ACT_SLEEP) {
                if (now >= x->deadline)
                        act_end(x, EXE_PROBE_SUCCESS, NULL);
                return;
        }
        if (now < x->deadline)
                return;
        if (x->kind == ACT_EXEC)
                act_end(x, EXE_PROBE_FAILURE, xasprintf("command '%s' timed out", x->cmd));
        else if (x->kind == ACT_GRPC && x->ns == NET_CONNECT)
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("timeout: failed to connect service \"%s\" within %llus", x->addr,
                                  (unsigned long long)(x->timeout_ms / 1000)));
        else if (x->kind == ACT_GRPC)
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("timeout: health rpc did not complete within %llus",
                                  (unsigned long long)(x->timeout_ms / 1000)));
        else if (x->kind == ACT_HTTP)
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("Get \"%s\": context deadline exceeded (Client.Timeout exceeded "
                                  "while awaiting headers)",
                                  x->url));
        else
                act_end(x, EXE_PROBE_FAILURE, xasprintf("dial tcp %s: i/o timeout", x->addr));
        /* The command dies now, not at the next probe. */
        exe_exec_free(x->ex);
        x->ex = NULL;
}

/* --- the container's probes, hooks and kill --- */

int
probe_act_fd(const probe_act *x)
{
        if (x->done)
                return -1;
        if (x->kind == ACT_EXEC)
                return exe_exec_fd(x->ex);
        /* Connecting or sending waits for writability: the caller's timer. */
        if ((x->kind == ACT_HTTP || x->kind == ACT_TCP || x->kind == ACT_GRPC) &&
            (x->ns == NET_RECV || x->ns == NET_TLS))
                return x->fd;
        return -1;
}
