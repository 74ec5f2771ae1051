/* Containers through an OCI runtime (crun or runc, their command line):
 * pod sandboxes (shared net, IPC and UTS namespaces kept as bind-mounted
 * namespace files, no pause process), OCI bundles, and a tiny per-container
 * shim (`timone-shim`, libc only) that owns the container's stdio, writes
 * size-capped rotated logs and records the exit status, so containers and
 * their logs outlive a restart of the daemon.
 *
 * Layout under <state>/pods/<pod-uid>/:
 *   ns/{net,ipc,uts}              bind-mounted namespace files (ns/ is a private mount)
 *   shm/                          the pod's /dev/shm (tmpfs), bound into each container
 *   containers/<name>/            bundle: config.json, rootfs/ (overlay), shim state:
 *                                 pid, status ("key=value" lines: state=running|exited,
 *                                 pid, shim, started, finished, exit_code, signal, oom)
 *   logs/<name>/<attempt>.log     container output in the CRI format
 *                                 ("<RFC3339Nano> stdout|stderr F|P <text>"); when a file
 *                                 reaches log_max_bytes it becomes <attempt>.log.1, the
 *                                 older ones .2 ... up to log_max_files rotated files
 * The runtime's own state is under <state>/runtime (its --root). Containers
 * run in cgroup "/timone/<pod-uid>/<name>" (cgroupfs driver, v1 and v2).
 * Seccomp: no filter yet. The shim is started with `run --detach` (create
 * + start in one runtime process) and stays in the caller's cgroup: a
 * systemd unit for the daemon wants KillMode=process so that stopping the
 * daemon leaves the shims (and with them the containers' logs) running.
 * Every container id is "tm-<pod-uid>-<name>" (label of ownership: a
 * restarted agent lists ids with this prefix and re-adopts them). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct exe_runtime exe_runtime;

typedef struct exe_runtime_options {
        const char *runtime;   /* "crun", "runc" or a path; NULL: crun, else runc, from PATH */
        const char *state_dir; /* <state>; pods under <state>/pods, runtime root <state>/runtime */
        const char *shim_path; /* timone-shim binary; NULL: next to /proc/self/exe */
} exe_runtime_options;

int exe_runtime_open(exe_runtime **out, const exe_runtime_options *opts, tm_error *err);
void exe_runtime_close(exe_runtime *rt);
const char *exe_runtime_name(const exe_runtime *rt);    /* "crun" or "runc" */
const char *exe_runtime_version(const exe_runtime *rt); /* "1.8.1" */
/* "v1", "v2" or "hybrid": how the node's cgroups are mounted. */
const char *exe_runtime_cgroup_mode(const exe_runtime *rt);
/* Shims are started with posix_spawn and are the daemon's children until
 * it exits: this reaps those that ended. Never blocks; call it before
 * looking at containers (a shim not reaped still looks alive). */
void exe_runtime_reap(exe_runtime *rt);

typedef struct exe_sandbox {
        char *dir;   /* <state>/pods/<uid> */
        char *netns; /* <dir>/ns/net */
        char *ipcns;
        char *utsns;
        char *shm; /* <dir>/shm: the pod's /dev/shm (tmpfs), shared by its containers */
} exe_sandbox;

/* Creates (or re-adopts) the pod's namespaces; hostname set in the UTS
 * namespace. Idempotent. */
int exe_sandbox_create(exe_runtime *rt, const char *pod_uid, const char *hostname, exe_sandbox *out,
                       tm_error *err);
/* Unmounts and removes the namespaces and the pod directory (logs too). */
int exe_sandbox_destroy(exe_runtime *rt, const char *pod_uid, tm_error *err);
void exe_sandbox_clear(exe_sandbox *sb);
/* Pod uids that have a sandbox directory (for re-adoption and GC). */
int exe_sandbox_list(exe_runtime *rt, char ***uids, size_t *n, tm_error *err);

typedef struct exe_mount {
        const char *source;
        const char *destination;
        const char *type;           /* "bind", "tmpfs", ... */
        const char *const *options; /* NULL-terminated, e.g. {"rbind","ro",NULL} */
} exe_mount;

typedef struct exe_container_spec {
        const char *pod_uid;
        const char *name;        /* container name */
        const char *rootfs;      /* ready root (overlay mounted by the image store) */
        const char *const *args; /* argv, NULL-terminated, args[0] resolved by the runtime */
        const char *const *env;  /* "K=V", NULL-terminated */
        const char *cwd;         /* "/" when NULL */
        uint32_t uid, gid;
        const uint32_t *extra_gids;
        size_t n_extra_gids;
        bool read_only_rootfs;
        bool privileged;             /* the caller checked it is allowed */
        const char *const *cap_add;  /* "NET_ADMIN" or "CAP_NET_ADMIN", NULL-terminated or NULL */
        const char *const *cap_drop; /* may contain "ALL" */
        bool no_new_privileges;
        const exe_mount *mounts;
        size_t n_mounts; /* in addition to /proc, /dev, /sys... */
        const exe_sandbox *sandbox;
        const char *hostname;
        int64_t memory_limit; /* bytes, 0 = none */
        int64_t cpu_quota_us;
        int64_t cpu_period_us;  /* 0 = none */
        int64_t cpu_shares;     /* 0 = default */
        int64_t pids_limit;     /* 0 = none */
        uint64_t log_max_bytes; /* per log file before rotation (default 10 MiB) */
        unsigned log_max_files; /* rotated files kept (default 2) */
        unsigned attempt;       /* restart count, names the log file */
} exe_container_spec;

/* Writes the bundle and starts the container under a shim; returns once
 * the container's process runs (or failed to start: error with the
 * runtime's message). */
int exe_container_start(exe_runtime *rt, const exe_container_spec *spec, tm_error *err);
/* The same in two halves for an event loop (starts in parallel): begin
 * writes the bundle and launches the shim, *fd (close-on-exec) becomes
 * readable when the shim reports; finish reads that report, closes fd and
 * returns what exe_container_start would. Call finish exactly once. */
int exe_container_start_begin(exe_runtime *rt, const exe_container_spec *spec, int *fd,
                              tm_error *err);
int exe_container_start_finish(exe_runtime *rt, const char *name, int fd, tm_error *err);

typedef enum exe_cstate {
        EXE_C_UNKNOWN = 0, /* no such container */
        EXE_C_CREATED,
        EXE_C_RUNNING,
        EXE_C_EXITED,
} exe_cstate;

typedef struct exe_container_status {
        exe_cstate state;
        int pid;
        int exit_code;      /* valid when EXITED; 128+signal for signals */
        bool oom_killed;    /* the memory limit killed it */
        int64_t started_at; /* unix seconds */
        int64_t finished_at;
        char reason[64]; /* "Completed", "Error", "OOMKilled", "" */
} exe_container_status;

int exe_container_status_get(exe_runtime *rt, const char *pod_uid, const char *name,
                             exe_container_status *out, tm_error *err);
/* Sends sig to the container's init (SIGTERM, then SIGKILL later: the
 * caller keeps the grace deadline, nothing here blocks); through a pidfd
 * when the shim's record names it, else through `<runtime> kill`. */
int exe_container_kill(exe_runtime *rt, const char *pod_uid, const char *name, int sig,
                       tm_error *err);
/* Deletes an exited (or, with force, running) container and its bundle;
 * keeps its logs. */
int exe_container_remove(exe_runtime *rt, const char *pod_uid, const char *name, bool force,
                         tm_error *err);
/* The same in steps for an event loop, so that many containers are
 * removed at once: begin starts the runtime's delete in the background;
 * while exe_removal_fd is >= 0 the caller waits for it to be readable (or
 * for a timeout: the wait for the shim is bounded by time), then calls
 * step, which returns 0 while under way, 1 when done (x freed) or an
 * error (x freed). exe_removal_free abandons one. */
typedef struct exe_removal exe_removal;
int exe_container_remove_begin(exe_runtime *rt, const char *pod_uid, const char *name, bool force,
                               exe_removal **out, tm_error *err);
int exe_removal_fd(const exe_removal *x);
int exe_container_remove_step(exe_runtime *rt, exe_removal *x, tm_error *err);
void exe_removal_free(exe_removal *x);
/* A pidfd of the container's shim, readable once the shim exited (the
 * container ended and its status is final); -1 when no shim runs. Caller
 * closes it. */
int exe_container_exit_fd(exe_runtime *rt, const char *pod_uid, const char *name);
/* Names of the containers the runtime has for a pod. */
int exe_container_list(exe_runtime *rt, const char *pod_uid, char ***names, size_t *n,
                       tm_error *err);
/* Path of the current log file of a container (attempt) and of the
 * previous attempt's, for `timone logs [--previous]`. Rotated files are
 * this path + ".1" (newest) ... ".N". Caller frees; NULL for a bad name. */
char *exe_container_log_path(exe_runtime *rt, const char *pod_uid, const char *name,
                             unsigned attempt);

/* --- runtime-exec.c: commands in a running container (probes, hooks) --- */

/* The user, groups and working directory of a container's process, read
 * from its bundle under <state_dir>/pods/<pod_uid>/containers/<name>. */
typedef struct exe_container_user {
        uint32_t uid, gid;
        uint32_t gids[32];
        size_t n_gids;
        char cwd[256];
        bool no_new_privileges;
} exe_container_user;

int exe_container_user_get(const char *state_dir, const char *pod_uid, const char *name,
                           exe_container_user *out, tm_error *err);
/* Appends the runtime `exec` flags (--user, --additional-gids for runc,
 * --cwd, --no-new-privs) to av at *k: at most 4 entries; the strings it
 * allocates go to owned[*n_owned] (at most 3), the caller frees them. */
void exe_container_user_args(const exe_container_user *u, bool runc, const char **av, size_t *k,
                             char **owned, size_t *n_owned);

typedef struct exe_exec exe_exec;
/* Starts argv in the container through `<runtime> exec`, as the
 * container's user; stdout and stderr go to one buffer capped at out_max
 * bytes (the rest is read and dropped). Returns at once. */
int exe_container_exec_begin(exe_runtime *rt, const char *pod_uid, const char *name,
                             const char *const *argv, size_t out_max, exe_exec **out,
                             tm_error *err);
/* Never blocks: 0 while the command runs, 1 once it ended (*exit_code its
 * status, 128+N for a signal; the runtime's own failure is non-zero too). */
int exe_exec_poll(exe_exec *x, int *exit_code);
/* The output collected so far (not NUL-terminated past *len). */
const char *exe_exec_output(const exe_exec *x, size_t *len);
/* Kills the command if it still runs (and what it started in the
 * container) and frees x; NULL is fine. */
void exe_exec_free(exe_exec *x);
/* Readable when the command wrote or ended (-1 once its output is closed):
 * for an event loop to wait on. */
int exe_exec_fd(const exe_exec *x);
