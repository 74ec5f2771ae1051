/* Shared between agent.c (messages, state, the loop), agent-pod.c (one
 * pod's lifecycle) and podvolumes.c (volumes, env). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "executors/agent.h"
#include "resources/value.h"

/* Copies src (NULL: "") into dst of n bytes, cut to fit, always ended. */
static inline void
agent_copy_trunc(char *dst, size_t n, const char *src)
{
        size_t l = src ? strnlen(src, n - 1) : 0;
        if (l)
                memcpy(dst, src, l);
        dst[l] = '\0';
}

#define AGENT_MAX_PODS 1000
#define AGENT_MAX_CONTAINERS 64
#define AGENT_MAX_EVENTS 256
#define AGENT_MAX_REMOVED 4096 /* more: the controller's deadline forgets them */
#define AGENT_BACKOFF_MIN_MS 10000u
#define AGENT_BACKOFF_MAX_MS 300000u
#define AGENT_BACKOFF_RESET_MS 600000u
#define AGENT_DEFAULT_PIDS 4096

typedef struct agent_container {
        char *name;
        bool init;
        const res_value *spec; /* into the pod object */
        unsigned restarts;     /* restart count (= log attempt) */
        bool started_once;
        bool done; /* init container finished with 0 */
        bool running;
        bool starting; /* the shim is starting it: start_fd reports */
        int start_fd;
        uint64_t retry_at;      /* monotonic ms: a failed first start is retried then */
        uint64_t backoff_ms;    /* the next back-off */
        uint64_t backoff_until; /* monotonic ms; 0 = none */
        bool backoff_armed;     /* restarted before: the next restart waits backoff_ms */
        uint64_t running_since; /* monotonic ms */
        char image_id[80];
        exe_container_status cur;  /* last observed */
        exe_container_status last; /* the previous termination (lastState) */
        bool have_last;
        char waiting_reason[48];
        char waiting_message[256];
        bool term_sent;              /* SIGTERM sent by a pod stop */
        bool start_failed;           /* the last start failed: retry_at is its back-off */
        exe_removal *rm;             /* being removed (a pod stop), NULL otherwise */
        bool removed;                /* removed by the pod's stop */
        int exit_fd;                 /* pidfd of its shim while a stop waits, else -1 */
        struct agent_probes *probes; /* agent-probe.c; NULL until it runs */
} agent_container;

typedef enum agent_pod_state {
        POD_NEW = 0,
        POD_READY_TO_RUN, /* sandbox, network and volumes ready */
        POD_TERMINATING,
        POD_GONE,
} agent_pod_state;

typedef struct agent_pod {
        char *uid, *ns, *name;
        res_value *obj; /* Pod object as the controller sent it */
        bool desired;
        agent_pod_state state;
        exe_sandbox sb;
        bool have_sandbox;
        char ip[16];
        agent_container *cs;
        size_t n_cs; /* init containers first, in order */
        size_t n_init;
        int64_t start_time;     /* wall seconds */
        uint64_t kill_deadline; /* monotonic ms, when terminating */
        bool term_sent;
        char *status_sent; /* the PodStatus JSON last reported */
        char pod_reason[48];
        char pod_message[256];
        bool failed;        /* restartPolicy Never/OnFailure and it can't go on */
        char **claim_paths; /* host paths of its bound claims (reclaim waits for them) */
        size_t n_claim_paths;
        bool ports_set; /* host ports forwarded */
} agent_pod;

typedef struct agent_event {
        char *uid, *ns, *name, *type, *reason, *message;
        int64_t time;
} agent_ev;

struct exe_agent {
        exe_agent_options o;
        char *dir;         /* <state>/agent */
        char *secrets_dir; /* tmpfs */
        int64_t generation;
        bool have_desired;
        res_value *configmaps; /* seq of ConfigMap objects */
        res_value *secrets;    /* seq of Secret objects (data base64) */
        res_value *volumes;    /* seq of {podUID, volume, hostPath, type} */
        res_value *reclaim;    /* seq of {hostPath, policy} of the last message */
        res_value *pending;    /* reclaims not done yet: a pod still uses the path */
        agent_pod *pods;
        size_t n_pods, cap_pods;
        agent_ev *events;
        size_t n_events, cap_events;
        char **removed; /* uids of pods stopped and cleaned up, for the next status */
        size_t n_removed, cap_removed;
        bool gc_done;
        int epfd;  /* epoll: readable when a start, a stop or a removal has news */
        int *want; /* fds to wake on, gathered by this reconcile pass */
        size_t n_want, cap_want;
        int *armed; /* fds registered in epfd by the last pass */
        size_t n_armed, cap_armed;
};

/* agent.c */
/* The loop wakes the agent when fd is readable (this pass only: ask again
 * on every pass while waiting). */
void agent_wait_fd(exe_agent *a, int fd);
void agent_event(exe_agent *a, const agent_pod *p, const char *type, const char *reason,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
const res_value *agent_find_object(const res_value *seq, const char *ns, const char *name);

/* agent-pod.c */
void agent_pod_step(exe_agent *a, agent_pod *p, uint64_t now, uint64_t *next);
const char *agent_restart_policy(const agent_pod *p);

/* agent-status.c */
void agent_pod_status(exe_agent *a, agent_pod *p, tm_buf *json);
void agent_pod_readopt(exe_agent *a, agent_pod *p);
void agent_pod_free(agent_pod *p);

/* podvolumes.c */
/* Sandbox, network, host ports, the pod's files and its volumes; -EAGAIN
 * (wait), -EIO (retry), another error when refused; the pod's reason and
 * message say why. */
int agent_pod_prepare(exe_agent *a, agent_pod *p);
/* Prepares every volume of the pod under its sandbox directory; returns
 * -EAGAIN with reason/message set when it must wait (e.g. a missing
 * ConfigMap), another error when it cannot. */
int agent_volumes_prepare(exe_agent *a, agent_pod *p, char *reason, size_t rlen, tm_error *err);
/* Refreshes configMap/secret volume contents (no restart needed). */
void agent_volumes_refresh(exe_agent *a, agent_pod *p);
void agent_volumes_teardown(exe_agent *a, agent_pod *p);
/* The mounts of one container (volumeMounts, /etc/hosts, resolv.conf). */
int agent_container_mounts(exe_agent *a, agent_pod *p, const res_value *c, exe_mount **out,
                           size_t *n, char ***strings, size_t *n_strings, tm_error *err);
/* The env of one container: image env, then env and envFrom resolved. */
int agent_container_env(exe_agent *a, agent_pod *p, const res_value *c, char *const *image_env,
                        char ***out, size_t *n, char *reason, size_t rlen, tm_error *err);
/* Kubernetes' $(VAR) expansion of s over env ("K=V" strings); caller frees. */
char *agent_env_expand(char *const *env, const char *s);
int agent_reclaim(exe_agent *a, const char *path, const char *policy, tm_error *err);
int agent_ensure_tmpfs(const char *dir, const char *size, tm_error *err);

/* agent-probe.c: probes and lifecycle hooks of app containers */
typedef struct agent_probes agent_probes;
/* A fresh start: probes start over, postStart is due. */
void agent_probe_container_started(exe_agent *a, agent_pod *p, agent_container *c);
/* Probes, postStart and a probe's kill of a running app container; never
 * blocks, lowers *next while something is under way. */
void agent_probe_step(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now, uint64_t *next);
/* The container ended (or goes): what is under way stops, state is freed. */
void agent_probe_container_ended(agent_container *c);
/* A stop of a running container: runs its preStop hook; true while the
 * hook runs and SIGTERM must wait. *deadline (the grace period's end) may
 * move so that at least 2 s are left after the hook. */
bool agent_probe_prestop(exe_agent *a, agent_pod *p, agent_container *c, uint64_t now,
                         uint64_t *deadline, uint64_t *next);
/* containerStatuses[].started and .ready (with running). */
bool agent_probe_is_started(const agent_container *c);
bool agent_probe_is_ready(const agent_container *c);
