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
#include "executors/agent-probe.h"

#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"

#define POLL_MIN_MS 5 /* call-backs while an action is under way: 5, 10, 20 ... 80 ms */
#define POLL_MAX_MS 80
#define POLL_BACKUP_MS 250               /* with an fd to wake on */
#define POSTSTART_MAX_MS (120u * 1000u)  /* the kubelet has none; a hung hook must end */
#define EVENT_REPEAT_MS (60u * 1000u)    /* the same probe message, at most this often */
#define MIN_GRACE_AFTER_PRESTOP_MS 2000u /* the kubelet's minimumGracePeriodInSeconds */

enum { PK_STARTUP, PK_LIVENESS, PK_READINESS, PK_N };
static const char *const probe_key[PK_N] = {"startupProbe", "livenessProbe", "readinessProbe"};
static const char *const probe_word[PK_N] = {"Startup", "Liveness", "Readiness"};

typedef struct probe_w {
        const res_value *spec; /* into the pod object; NULL: none */
        exe_probe_state st;
        uint64_t next_at;
        bool on_hold; /* failed: the container is being killed */
        probe_act act;
        char *last_msg;
        uint64_t last_msg_at;
} probe_w;

struct agent_probes {
        probe_w w[PK_N];
        uint64_t started; /* monotonic ms */
        bool poststart_pending, prestop_done;
        probe_act hook;
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

/* An action under way wakes the agent through its fd when it has one (the
 * timer then only backs it up), else is looked at again soon, then less
 * and less often: a probe on the node answers within milliseconds, a
 * runtime `exec` takes tens of them. */
static void
wake_act(exe_agent *a, uint64_t *next, uint64_t now, probe_act *x)
{
        int fd = probe_act_fd(x);
        if (fd >= 0) {
                agent_wait_fd(a, fd);
                x->poll_ms = POLL_BACKUP_MS;
        } else {
                x->poll_ms = x->poll_ms
                                 ? (x->poll_ms * 2 > POLL_MAX_MS ? POLL_MAX_MS : x->poll_ms * 2)
                                 : POLL_MIN_MS;
        }
        uint64_t when = now + x->poll_ms;
        wake(next, when < x->deadline || x->deadline <= now ? when : x->deadline);
}

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
                probe_act_clear(&pr->w[k].act);
                free(pr->w[k].last_msg);
        }
        probe_act_clear(&pr->hook);
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
        int64_t s = g && g->type == RES_INT ? g->u.i
                                            : res_get_int(res_map_get(p->obj, "spec"),
                                                          "terminationGracePeriodSeconds", 30);
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

/* s as Go's %q writes it, without the quotes. */
static char *
go_quoted(const char *s)
{
        tm_buf b = TM_BUF_INIT;
        for (; *s; s++) {
                if (*s == '\n')
                        tm_buf_puts(&b, "\\n");
                else if (*s == '\t')
                        tm_buf_puts(&b, "\\t");
                else if (*s == '"' || *s == '\\')
                        tm_buf_printf(&b, "\\%c", *s);
                else
                        tm_buf_putc(&b, *s);
        }
        return tm_buf_steal(&b);
}

static void
hook_failed(exe_agent *a, agent_pod *p, agent_container *c, const char *which, const char *reason)
{
        probe_act *x = &c->probes->hook;
        const res_value *h = hook_of(c, which);
        char *out = redacted(a, x->msg ? x->msg : "");
        char *q = go_quoted(out);
        char *cmd = redacted(a, x->cmd ? x->cmd : ""); /* as written: no $(VAR) values */
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
                            cmd, c->name, p->name, p->ns, p->uid, cmd, x->code, q);
        else if (x->kind == ACT_EXEC)
                agent_event(a, p, "Warning", reason,
                            "Exec lifecycle hook ([%s]) for Container \"%s\" in Pod \"%s_%s(%s)\" "
                            "failed - error: %s, message: \"\"",
                            cmd, c->name, p->name, p->ns, p->uid, out);
        else
                agent_event(a, p, "Warning", reason, "%s lifecycle hook for Container \"%s\": %s",
                            which, c->name, out);
        free(cmd);
        free(q);
        free(out);
}

/* An HTTP hook fails only when the request does (the kubelet does not
 * look at the status code of a hook). */
static bool
hook_ok(const probe_act *x)
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
        probe_act *x = &pr->hook;
        if (pr->poststart_pending) {
                probe_act_clear(x); /* the kubelet stops a postStart that still runs */
                pr->poststart_pending = false;
        }
        if (!x->busy) {
                uint64_t left = *deadline > now ? *deadline - now : 0;
                probe_act_start(a, p, c, hook_of(c, "preStop"), false, now, left, x);
        }
        probe_act_poll(x, now);
        if (!x->done) {
                wake_act(a, next, now, x);
                return true;
        }
        if (!hook_ok(x))
                hook_failed(a, p, c, "preStop", "FailedPreStopHook");
        probe_act_clear(x);
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

/* Unhealthy (a failure) or ProbeWarning (a success with a warning). */
static void
probe_event(exe_agent *a, agent_pod *p, probe_w *w, int k, uint64_t now)
{
        bool warn = w->act.result == EXE_PROBE_SUCCESS;
        const char *raw = warn ? w->act.warning : w->act.msg;
        char *m = redacted(a, raw ? raw : "");
        for (size_t l = strlen(m); l > 0 && (m[l - 1] == '\n' || m[l - 1] == ' '); l--)
                m[l - 1] = '\0';
        if (w->last_msg && !strcmp(w->last_msg, m) && now - w->last_msg_at < EVENT_REPEAT_MS) {
                free(m);
                return;
        }
        agent_event(a, p, "Warning", warn ? "ProbeWarning" : "Unhealthy", "%s probe %s: %s",
                    probe_word[k], warn ? "warning" : "failed", m);
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
                probe_act_poll(&w->act, now);
                if (!w->act.done) {
                        wake_act(a, next, now, &w->act);
                        return;
                }
                exe_probe_result r = w->act.result;
                if (r == EXE_PROBE_FAILURE || w->act.warning)
                        probe_event(a, p, w, k, now);
                exe_probe_record(&w->st, r, res_get_int(w->spec, "successThreshold", 1),
                                 res_get_int(w->spec, "failureThreshold", 3));
                probe_act_clear(&w->act);
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
        probe_act_start(a, p, c, w->spec, true, now, (uint64_t)(timeout < 1 ? 1 : timeout) * 1000,
                        &w->act);
        w->next_at = now + (uint64_t)(period < 1 ? 1 : period) * 1000;
        probe_act_poll(&w->act, now);
        if (w->act.done)
                wake(next, now);
        else
                wake_act(a, next, now, &w->act);
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
                probe_act *x = &pr->hook;
                if (!x->busy)
                        probe_act_start(a, p, c, hook_of(c, "postStart"), false, now,
                                        POSTSTART_MAX_MS, x);
                probe_act_poll(x, now);
                if (!x->done) {
                        wake_act(a, next, now, x);
                        return;
                }
                pr->poststart_pending = false;
                if (!hook_ok(x)) {
                        hook_failed(a, p, c, "postStart", "FailedPostStartHook");
                        probe_act_clear(x);
                        begin_kill(a, p, c, now, NULL, "FailedPostStartHook");
                        kill_step(a, p, c, now, next);
                        return;
                }
                probe_act_clear(x);
        }
        for (int k = 0; k < PK_N; k++)
                probe_step(a, p, c, k, now, next);
}
