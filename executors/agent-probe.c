/* Probes and lifecycle hooks of a pod's app containers, with the
 * kubelet's semantics (pkg/kubelet/prober, pkg/kubelet/lifecycle):
 * startup gates liveness and readiness; liveness or startup failure
 * kills the container (preStop first, then SIGTERM, SIGKILL after the
 * grace period) and restartPolicy decides the rest; readiness drives
 * containerStatuses[].ready. postStart runs after the start and a
 * failure kills the container; preStop runs before SIGTERM.
 *
 * Nothing here blocks the agent's loop: exec actions are `<runtime> exec`
 * child processes polled with WNOHANG, httpGet and tcpSocket are
 * non-blocking sockets to the pod's IP (routable from the node over the
 * bridge), TLS included; each action has a deadline and reads at most
 * EXE_PROBE_READ_MAX bytes. While one is under way the agent asks to be
 * called back within a few milliseconds. Messages pass through
 * exe_probe_redact with the node's secret values. */
#include "executors/agent-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "executors/probe.h"

#define POLL_MS 10                       /* call-back while an action is under way */
#define POSTSTART_MAX_MS (120u * 1000u)  /* the kubelet has none; a hung hook must end */
#define EVENT_REPEAT_MS (60u * 1000u)    /* the same probe message, at most this often */
#define MIN_GRACE_AFTER_PRESTOP_MS 2000u /* the kubelet's minimumGracePeriodInSeconds */

enum { PK_STARTUP, PK_LIVENESS, PK_READINESS, PK_N };
static const char *const probe_key[PK_N] = {"startupProbe", "livenessProbe", "readinessProbe"};
static const char *const probe_word[PK_N] = {"Startup", "Liveness", "Readiness"};

typedef enum act_kind { ACT_NONE = 0, ACT_EXEC, ACT_HTTP, ACT_TCP, ACT_SLEEP } act_kind;
typedef enum net_state { NET_CONNECT = 0, NET_TLS, NET_SEND, NET_RECV } net_state;

/* One probe or hook under way. */
typedef struct action {
        act_kind kind;
        bool busy, done;
        exe_probe_result result;
        char *msg; /* why it failed (not yet redacted) */
        uint64_t deadline;
        exe_exec *ex;
        char *cmd; /* the exec command as written, for messages */
        int code; /* exec: exit status */
        int fd;
        net_state ns;
        SSL *ssl;
        tm_buf req;
        size_t sent;
        tm_buf resp;
        char addr[64]; /* "10.42.0.2:8080" */
        char *url;     /* "http://10.42.0.2:8080/healthz" */
} action;

typedef struct probe_w {
        const res_value *spec; /* into the pod object; NULL: none */
        exe_probe_state st;
        uint64_t next_at;
        bool on_hold; /* failed: the container is being killed */
        action act;
        char *last_msg;
        uint64_t last_msg_at;
} probe_w;

struct agent_probes {
        probe_w w[PK_N];
        uint64_t started; /* monotonic ms */
        bool poststart_pending, prestop_done;
        action hook;
        bool killing, term_sent;
        uint64_t kill_deadline;
        uint64_t next_kill;
};

static void
wake(uint64_t *next, uint64_t when)
{
        if (when < *next)
                *next = when;
}

static void
act_clear(action *x)
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
        memset(x, 0, sizeof(*x));
        x->fd = -1;
}

static void
act_end(action *x, exe_probe_result r, char *msg)
{
        x->done = true;
        x->result = r;
        free(x->msg);
        x->msg = msg;
}

/* --- secrets never in messages --- */

static char *
redacted(exe_agent *a, const char *s)
{
        const char *vals[256] = {0};
        size_t lens[256] = {0}, n = 0;
        char *owned[256];
        for (uint32_t i = 0; a->secrets && a->secrets->type == RES_SEQ && i < a->secrets->n; i++) {
                const res_value *d = res_map_get(a->secrets->u.items[i], "data");
                for (uint32_t k = 0; d && d->type == RES_MAP && k < d->n && n < 256; k++) {
                        const res_value *v = d->u.members[k].value;
                        if (!v || v->type != RES_STR || v->n == 0 || v->n > 64 * 1024)
                                continue;
                        char *out = xmalloc(v->n);
                        int l = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)v->u.s,
                                                (int)v->n);
                        if (l < 0) {
                                free(out);
                                continue;
                        }
                        for (size_t t = v->n; t > 0 && v->u.s[t - 1] == '=' && l > 0; t--)
                                l--;
                        owned[n] = out;
                        vals[n] = out;
                        lens[n++] = (size_t)l;
                }
        }
        char *r = exe_probe_redact(s, strlen(s), vals, lens, n);
        for (size_t i = 0; i < n; i++) {
                explicit_bzero(owned[i], lens[i]);
                free(owned[i]);
        }
        return r;
}

/* --- starting an action --- */

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

static int
start_net(agent_pod *p, const agent_container *c, const res_value *h, bool http, action *x)
{
        char why[160];
        int port = resolve_port(c->spec, res_map_get(h, "port"), why, sizeof(why));
        if (port < 0) {
                act_end(x, EXE_PROBE_FAILURE, xstrdup(why));
                return 0;
        }
        const char *host = res_get_str(h, "host", "");
        if (!*host)
                host = p->ip;
        struct sockaddr_storage ss = {0};
        socklen_t sl;
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
                s4->sin_family = AF_INET;
                s4->sin_port = htons((uint16_t)port);
                sl = sizeof(*s4);
                snprintf(x->addr, sizeof(x->addr), "%s:%d", host, port);
        } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons((uint16_t)port);
                sl = sizeof(*s6);
                snprintf(x->addr, sizeof(x->addr), "[%s]:%d", host, port);
        } else {
                /* A name would need a resolver that does not block. */
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("host \"%s\": only IP addresses are supported", host));
                return 0;
        }
        if (http) {
                const char *scheme = res_get_str(h, "scheme", "HTTP");
                const char *path = res_get_str(h, "path", "/");
                x->url = xasprintf("%s://%s%s%s", !strcmp(scheme, "HTTPS") ? "https" : "http",
                                   x->addr, path[0] == '/' ? "" : "/", path);
                if (exe_probe_http_request(&x->req, x->addr, path, res_map_get(h, "httpHeaders")) <
                    0) {
                        act_end(x, EXE_PROBE_FAILURE,
                                xasprintf("Get \"%s\": invalid path or header", x->url));
                        return 0;
                }
                if (!strcmp(scheme, "HTTPS")) {
                        /* Like the kubelet: TLS without verifying the certificate. */
                        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
                        if (ctx) {
                                SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
                                x->ssl = SSL_new(ctx);
                                SSL_CTX_free(ctx);
                        }
                        if (!x->ssl) {
                                act_end(x, EXE_PROBE_FAILURE,
                                        xasprintf("Get \"%s\": no TLS context", x->url));
                                return 0;
                        }
                }
        }
        x->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (x->fd < 0)
                return -errno;
        if (x->ssl)
                SSL_set_fd(x->ssl, x->fd);
        if (connect(x->fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
                char *m = lower_errno("connect", x->addr, errno);
                act_end(x, EXE_PROBE_FAILURE, http ? xasprintf("Get \"%s\": %s", x->url, m) : m);
                if (http)
                        free(m);
        }
        x->ns = NET_CONNECT;
        return 0;
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
start_exec(exe_agent *a, agent_pod *p, const agent_container *c, const res_value *h, action *x)
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
                        ev[k++] = xasprintf("%s=%s", res_get_str(env->u.items[i], "name", ""),
                                            v->u.s);
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
static void
act_start(exe_agent *a, agent_pod *p, const agent_container *c, const res_value *h, bool probe,
          uint64_t now, uint64_t timeout_ms, action *x)
{
        act_clear(x);
        x->busy = true;
        x->deadline = now + timeout_ms;
        int r = 0;
        if (res_map_get(h, "exec")) {
                x->kind = ACT_EXEC;
                r = start_exec(a, p, c, res_map_get(h, "exec"), x);
        } else if (res_map_get(h, "httpGet")) {
                x->kind = ACT_HTTP;
                r = start_net(p, c, res_map_get(h, "httpGet"), true, x);
        } else if (res_map_get(h, "tcpSocket") && probe) {
                x->kind = ACT_TCP;
                r = start_net(p, c, res_map_get(h, "tcpSocket"), false, x);
        } else if (res_map_get(h, "sleep") && !probe) {
                x->kind = ACT_SLEEP;
                int64_t s = res_get_int(res_map_get(h, "sleep"), "seconds", 0);
                x->deadline = now + (uint64_t)(s < 0 ? 0 : s > 86400 ? 86400 : s) * 1000;
        } else if (res_map_get(h, "grpc")) {
                act_end(x, EXE_PROBE_FAILURE, xstrdup("grpc probes not supported"));
        } else {
                act_end(x, EXE_PROBE_FAILURE, xstrdup("invalid handler"));
        }
        if (r < 0)
                act_end(x, EXE_PROBE_FAILURE, xasprintf("probe: %s", strerror(-r)));
}

/* --- driving an action --- */

static void
net_fail(action *x, char *m)
{
        if (x->kind == ACT_HTTP) {
                act_end(x, EXE_PROBE_FAILURE, xasprintf("Get \"%s\": %s", x->url, m));
                free(m);
        } else {
                act_end(x, EXE_PROBE_FAILURE, m);
        }
}

static void
http_verdict(action *x, bool eof)
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
        if (exe_probe_http_ok(code))
                act_end(x, EXE_PROBE_SUCCESS, NULL);
        else
                act_end(x, EXE_PROBE_FAILURE,
                        xasprintf("HTTP probe failed with statuscode: %d", code));
}

/* 1: go on, 0: wait for the socket, and the action may have ended. */
static int
tls_io(action *x, int r)
{
        int e = SSL_get_error(x->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
        if (e == SSL_ERROR_ZERO_RETURN && x->ns == NET_RECV) {
                http_verdict(x, true);
                return 0;
        }
        net_fail(x, xstrdup(x->ns == NET_TLS ? "remote error: tls: handshake failure"
                                             : "tls: connection error"));
        return 0;
}

static void
net_step(action *x)
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
                                got = SSL_read(x->ssl, buf, (int)(room < sizeof(buf) ? room : sizeof(buf)));
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
                        http_verdict(x, got == 0);
                        if (got == 0 && !x->done)
                                http_verdict(x, true);
                        break;
                }
                }
        }
}

static void
act_poll(action *x, uint64_t now)
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
        } else if (x->kind == ACT_HTTP || x->kind == ACT_TCP) {
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

static agent_probes *
probes_of(agent_container *c)
{
        if (c->probes)
                return c->probes;
        agent_probes *pr = xcalloc(1, sizeof(*pr));
        for (int k = 0; k < PK_N; k++) {
                probe_w *w = &pr->w[k];
                w->act.fd = -1;
                const res_value *s = c->spec ? res_map_get(c->spec, probe_key[k]) : NULL;
                w->spec = s && s->type == RES_MAP ? s : NULL;
                exe_probe_state_init(&w->st, k == PK_READINESS  ? EXE_PROBE_FAILURE
                                             : k == PK_LIVENESS ? EXE_PROBE_SUCCESS
                                                                : EXE_PROBE_UNKNOWN);
        }
        pr->hook.fd = -1;
        pr->started = c->running_since;
        c->probes = pr;
        return pr;
}

static const res_value *
hook_of(const agent_container *c, const char *which)
{
        const res_value *h = c->spec ? res_get(c->spec, "lifecycle", which, NULL) : NULL;
        return h && h->type == RES_MAP ? h : NULL;
}

void
agent_probe_container_ended(agent_container *c)
{
        agent_probes *pr = c->probes;
        if (!pr)
                return;
        for (int k = 0; k < PK_N; k++) {
                act_clear(&pr->w[k].act);
                free(pr->w[k].last_msg);
        }
        act_clear(&pr->hook);
        free(pr);
        c->probes = NULL;
}

void
agent_probe_container_started(exe_agent *a, agent_pod *p, agent_container *c)
{
        (void)a;
        (void)p;
        agent_probe_container_ended(c);
        if (c->init)
                return;
        agent_probes *pr = probes_of(c);
        pr->poststart_pending = hook_of(c, "postStart") != NULL;
}

bool
agent_probe_is_started(const agent_container *c)
{
        const res_value *s = c->spec ? res_map_get(c->spec, "startupProbe") : NULL;
        if (!s)
                return true;
        return c->probes && c->probes->w[PK_STARTUP].st.result == EXE_PROBE_SUCCESS;
}

bool
agent_probe_is_ready(const agent_container *c)
{
        if (!agent_probe_is_started(c))
                return false;
        const agent_probes *pr = c->probes;
        if (pr && (pr->poststart_pending || pr->killing))
                return false;
        if (!c->spec || !res_map_get(c->spec, "readinessProbe"))
                return true;
        return pr && pr->w[PK_READINESS].st.result == EXE_PROBE_SUCCESS;
}

static int64_t
grace_s(const agent_pod *p, const res_value *probe)
{
        const res_value *g = probe ? res_map_get(probe, "terminationGracePeriodSeconds") : NULL;
        int64_t s = g && g->type == RES_INT
                        ? g->u.i
                        : res_get_int(res_map_get(p->obj, "spec"), "terminationGracePeriodSeconds", 30);
        return s < 0 ? 0 : s > 86400 ? 86400 : s;
}

static void
begin_kill(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, const res_value *probe,
           const char *message)
{
        agent_probes *pr = c->probes;
        pr->killing = true;
        pr->kill_deadline = now + (uint64_t)grace_s(p, probe) * 1000;
        agent_event(a, p, "Normal", "Killing", "%s", message);
}

static void
hook_failed(exe_agent *a, agent_pod *p, agent_container *c, const char *which, const char *reason)
{
        action *x = &c->probes->hook;
        const res_value *h = hook_of(c, which);
        char *out = redacted(a, x->msg ? x->msg : "");
        if (res_map_get(h, "httpGet"))
                agent_event(a, p, "Warning", reason,
                            "HTTP lifecycle hook (%s) for Container \"%s\" in Pod \"%s_%s(%s)\" "
                            "failed - error: %s",
                            res_get_str(res_map_get(h, "httpGet"), "path", "/"), c->name, p->name,
                            p->ns, p->uid, out);
        else if (x->kind == ACT_EXEC && x->code)
                agent_event(a, p, "Warning", reason,
                            "Exec lifecycle hook ([%s]) for Container \"%s\" in Pod \"%s_%s(%s)\" "
                            "failed - error: command '%s' exited with %d: , message: \"%s\"",
                            x->cmd, c->name, p->name, p->ns, p->uid, x->cmd, x->code, out);
        else if (x->kind == ACT_EXEC)
                agent_event(a, p, "Warning", reason,
                            "Exec lifecycle hook ([%s]) for Container \"%s\" in Pod \"%s_%s(%s)\" "
                            "failed - error: %s, message: \"\"",
                            x->cmd, c->name, p->name, p->ns, p->uid, out);
        else
                agent_event(a, p, "Warning", reason, "%s lifecycle hook for Container \"%s\": %s",
                            which, c->name, out);
        free(out);
}

/* An HTTP hook fails only when the request does (the kubelet does not
 * look at the status code of a hook). */
static bool
hook_ok(const action *x)
{
        if (x->result == EXE_PROBE_SUCCESS)
                return true;
        return x->kind == ACT_HTTP && x->msg && !strncmp(x->msg, "HTTP probe failed", 17);
}

bool
agent_probe_prestop(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now,
                    uint64_t *deadline, uint64_t *next)
{
        if (c->init || !c->running || !hook_of(c, "preStop"))
                return false;
        agent_probes *pr = probes_of(c);
        if (pr->prestop_done)
                return false;
        action *x = &pr->hook;
        if (pr->poststart_pending) {
                act_clear(x); /* the kubelet stops a postStart that still runs */
                pr->poststart_pending = false;
        }
        if (!x->busy) {
                uint64_t left = *deadline > now ? *deadline - now : 0;
                act_start(a, p, c, hook_of(c, "preStop"), false, now, left, x);
        }
        act_poll(x, now);
        if (!x->done) {
                wake(next, now + POLL_MS);
                return true;
        }
        if (!hook_ok(x))
                hook_failed(a, p, c, "preStop", "FailedPreStopHook");
        act_clear(x);
        pr->prestop_done = true;
        if (*deadline < now + MIN_GRACE_AFTER_PRESTOP_MS)
                *deadline = now + MIN_GRACE_AFTER_PRESTOP_MS;
        return false;
}

/* preStop, SIGTERM, and SIGKILL once the grace period is over. */
static void
kill_step(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next)
{
        agent_probes *pr = c->probes;
        if (!pr->term_sent) {
                if (agent_probe_prestop(a, p, c, now, &pr->kill_deadline, next))
                        return;
                exe_container_kill(a->o.runtime, p->uid, c->name, SIGTERM, NULL);
                pr->term_sent = true;
        }
        if (now >= pr->kill_deadline && now >= pr->next_kill) {
                exe_container_kill(a->o.runtime, p->uid, c->name, SIGKILL, NULL);
                pr->next_kill = now + 1000;
        }
        wake(next, now >= pr->kill_deadline ? now + 200 : pr->kill_deadline);
        wake(next, now + 200); /* see the exit soon */
}

static void
probe_event(exe_agent *a, agent_pod *p, probe_w *w, int k, uint64_t now)
{
        char *m = redacted(a, w->act.msg ? w->act.msg : "");
        for (size_t l = strlen(m); l > 0 && (m[l - 1] == '\n' || m[l - 1] == ' '); l--)
                m[l - 1] = '\0';
        if (w->last_msg && !strcmp(w->last_msg, m) && now - w->last_msg_at < EVENT_REPEAT_MS) {
                free(m);
                return;
        }
        if (w->act.msg && !strcmp(w->act.msg, "grpc probes not supported"))
                agent_event(a, p, "Warning", "Unhealthy", "%s probe errored: %s", probe_word[k], m);
        else
                agent_event(a, p, "Warning", "Unhealthy", "%s probe failed: %s", probe_word[k], m);
        free(w->last_msg);
        w->last_msg = m;
        w->last_msg_at = now;
}

static void
probe_step(exe_agent *a, agent_pod *p, agent_container *c, int k, uint64_t now, uint64_t *next)
{
        agent_probes *pr = c->probes;
        probe_w *w = &pr->w[k];
        if (!w->spec || w->on_hold)
                return;
        bool started = agent_probe_is_started(c);
        if ((k == PK_STARTUP) == started)
                return; /* startup runs until it succeeds, then the others */
        if (w->act.busy) {
                act_poll(&w->act, now);
                if (!w->act.done) {
                        wake(next, now + POLL_MS);
                        return;
                }
                exe_probe_result r = w->act.result;
                if (r == EXE_PROBE_FAILURE)
                        probe_event(a, p, w, k, now);
                exe_probe_record(&w->st, r, res_get_int(w->spec, "successThreshold", 1),
                                 res_get_int(w->spec, "failureThreshold", 3));
                act_clear(&w->act);
                if (k != PK_READINESS && w->st.result == EXE_PROBE_FAILURE) {
                        w->on_hold = true;
                        w->st.run = 0;
                        bool restart = strcmp(agent_restart_policy(p), "Never") != 0;
                        char msg[160];
                        snprintf(msg, sizeof(msg), "Container %s failed %s probe%s", c->name,
                                 k == PK_LIVENESS ? "liveness" : "startup",
                                 restart ? ", will be restarted" : "");
                        begin_kill(a, p, c, now, w->spec, msg);
                        return;
                }
                if (k == PK_STARTUP && w->st.result == EXE_PROBE_SUCCESS) {
                        /* Liveness and readiness start with the next period. */
                        for (int o = 0; o < PK_N; o++)
                                if (pr->w[o].spec && o != PK_STARTUP)
                                        pr->w[o].next_at =
                                            now + (uint64_t)res_get_int(pr->w[o].spec,
                                                                        "periodSeconds", 10) *
                                                      1000;
                        wake(next, now);
                        return;
                }
        }
        int64_t delay = res_get_int(w->spec, "initialDelaySeconds", 0);
        uint64_t first = pr->started + (uint64_t)(delay < 0 ? 0 : delay) * 1000;
        uint64_t due = w->next_at > first ? w->next_at : first;
        if (now < due) {
                wake(next, due);
                return;
        }
        int64_t period = res_get_int(w->spec, "periodSeconds", 10);
        int64_t timeout = res_get_int(w->spec, "timeoutSeconds", 1);
        act_start(a, p, c, w->spec, true, now, (uint64_t)(timeout < 1 ? 1 : timeout) * 1000,
                  &w->act);
        w->next_at = now + (uint64_t)(period < 1 ? 1 : period) * 1000;
        act_poll(&w->act, now);
        wake(next, w->act.done ? now : now + POLL_MS);
}

void
agent_probe_step(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next)
{
        if (c->init || !c->running)
                return;
        agent_probes *pr = probes_of(c);
        if (pr->killing) {
                kill_step(a, p, c, now, next);
                return;
        }
        if (pr->poststart_pending) {
                action *x = &pr->hook;
                if (!x->busy)
                        act_start(a, p, c, hook_of(c, "postStart"), false, now, POSTSTART_MAX_MS,
                                  x);
                act_poll(x, now);
                if (!x->done) {
                        wake(next, now + POLL_MS);
                        return;
                }
                pr->poststart_pending = false;
                if (!hook_ok(x)) {
                        hook_failed(a, p, c, "postStart", "FailedPostStartHook");
                        act_clear(x);
                        begin_kill(a, p, c, now, NULL, "FailedPostStartHook");
                        kill_step(a, p, c, now, next);
                        return;
                }
                act_clear(x);
        }
        for (int k = 0; k < PK_N; k++)
                probe_step(a, p, c, k, now, next);
}
