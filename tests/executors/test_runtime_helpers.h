/* Shared by the runtime tests: a busybox root made from the host's
 * busybox-static, a scratch state dir, and small waits. Everything made
 * here carries the "tmp-p" prefix. */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/util.h"
#include "executors/oci.h"
#include "executors/runtime.h"

/* 0 when the machine can run containers here, else prints why (skip). */
static inline int
rt_test_can_run(const char *runtime)
{
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: needs root\n");
                return 77;
        }
        if (access("/bin/busybox", X_OK) < 0) {
                fprintf(stderr, "SKIP: needs /bin/busybox (busybox-static)\n");
                return 77;
        }
        if (runtime) {
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", runtime);
                if (system(cmd) != 0) {
                        fprintf(stderr, "SKIP: needs %s\n", runtime);
                        return 77;
                }
        }
        return 0;
}

/* Makes dir/rootfs: /bin/busybox, one symlink per applet, /etc/passwd. */
static inline char *
rt_test_rootfs(const char *dir)
{
        char *root = xasprintf("%s/rootfs", dir);
        char *cmd = xasprintf(
            "set -e; r='%s'; mkdir -p $r/bin $r/etc $r/tmp $r/proc $r/sys $r/dev $r/root;"
            "cp /bin/busybox $r/bin/busybox;"
            "for a in $(/bin/busybox --list); do [ -e $r/bin/$a ] || ln -s busybox $r/bin/$a; done;"
            "printf 'root:x:0:0:root:/root:/bin/sh\\nnobody:x:65534:65534:nobody:/:/bin/sh\\n'"
            " > $r/etc/passwd;"
            "printf 'root:x:0:\\nnogroup:x:65534:\\n' > $r/etc/group",
            root);
        int r = system(cmd);
        free(cmd);
        if (r != 0) {
                free(root);
                return NULL;
        }
        return root;
}

static inline char *
rt_test_shim_path(void)
{
        const char *b = getenv("TIMONE_BUILDDIR");
        return xasprintf("%s/executors/timone-shim", b ? b : ".");
}

/* Polls until the container has exited (or timeout_ms); returns the state. */
static inline exe_cstate
rt_test_wait_exit(exe_runtime *rt, const char *uid, const char *name, unsigned timeout_ms,
                  exe_container_status *st)
{
        uint64_t end = tm_now_ms() + timeout_ms;
        for (;;) {
                tm_error err = {0};
                if (exe_container_status_get(rt, uid, name, st, &err) < 0) {
                        fprintf(stderr, "status: %s\n", err.msg);
                        return EXE_C_UNKNOWN;
                }
                if (st->state == EXE_C_EXITED || tm_now_ms() >= end)
                        return st->state;
                usleep(20000);
        }
}

/* Reads the container's current log (attempt) into a string (caller frees). */
static inline char *
rt_test_log(exe_runtime *rt, const char *uid, const char *name, unsigned attempt)
{
        _cleanup_free_ char *p = exe_container_log_path(rt, uid, name, attempt);
        char *text = NULL;
        size_t len;
        if (!p || tm_file_read(p, 1 << 20, &text, &len, NULL) < 0)
                return xstrdup("");
        return text;
}
