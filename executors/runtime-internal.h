/* Private parts shared by runtime.c, sandbox.c, oci.c and cgroup.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#include "common/buf.h"
#include "common/error.h"
#include "executors/runtime.h"

#define EXE_RT_OUT_MAX (1024 * 1024) /* runtime command output we accept */
#define EXE_STATUS_FILE_MAX 4096     /* shim status file */
#define EXE_START_TIMEOUT_MS 60000   /* shim readiness */

struct exe_runtime {
        char *path;         /* runtime binary */
        char name[8];       /* "crun" or "runc" */
        char *version;      /* "1.8.1" */
        const char *cgmode; /* "v1", "v2", "hybrid" */
        bool swap;          /* swap accounted by the memory controller */
        char *state_dir;
        char *pods_dir; /* <state>/pods */
        char *root_dir; /* <state>/runtime */
        char *shim_path;
        pid_t *kids; /* shims started here: reaped by exe_runtime_reap */
        size_t n_kids, cap_kids;
};

/* Pod uids and container names become path components and runtime ids:
 * [A-Za-z0-9._-], not "." or "..", at most 64 (uid) or 63 (name) bytes. */
int exe_rt_check_component(const char *what, const char *s, size_t max, tm_error *err);

/* Paths (caller frees). */
char *exe_rt_pod_dir(const exe_runtime *rt, const char *uid);
char *exe_rt_container_dir(const exe_runtime *rt, const char *uid, const char *name);
char *exe_rt_log_dir(const exe_runtime *rt, const char *uid, const char *name);
char *exe_rt_container_id(const char *uid, const char *name);

/* Trims trailing white space in place; returns s. */
char *exe_rt_rstrip(char *s);
/* Runs argv (argv[0] a path) with stdin from /dev/null, collects stdout
 * and stderr (each at most EXE_RT_OUT_MAX, NUL-terminated; out or errout
 * may be NULL to discard). *status gets the wait status. */
int exe_rt_spawn(const char *const *argv, char **out, char **errout, int *status, tm_error *err);
/* Starts argv (argv[0] a path) through posix_spawn, i.e. without copying
 * the daemon's page tables: stdin /dev/null, stdout and stderr out_fd and
 * err_fd (-1: /dev/null), extra_fd as fd 3 when >= 0, every other fd
 * closed, signals unblocked and default; in a new session if asked. */
int exe_rt_start(const char *const *argv, int out_fd, int err_fd, int extra_fd, bool new_session,
                 pid_t *pid, tm_error *err);
/* Reads what fits of fd into b (bounded by EXE_RT_OUT_MAX); 0 at EOF. */
ssize_t exe_rt_drain(int fd, tm_buf *b);
/* pid is our child that outlives the call (a shim): exe_runtime_reap
 * collects it once it ended. */
void exe_rt_adopt_child(exe_runtime *rt, pid_t pid);
/* Runs `<runtime> --root <root> args...`; a non-zero exit is -EIO with the
 * runtime's stderr in err. */
int exe_rt_run(exe_runtime *rt, const char *const *args, char **out, tm_error *err);
