/* bench_git.sh's probe.
 *   bench_git_snap SOURCE STATE_DIR
 *     opens SOURCE (git), takes one snapshot (fetching a remote into the
 *     cache) and prints "FILES BYTES REVISION".
 *   bench_git_snap --watch REPO STATE_DIR
 *     follows a local repository: prints "ready", waits for its refs to
 *     move (inotify), takes the new snapshot and prints the wall-clock
 *     time in ns at which it had it. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "sources/git.h"

static int
watch(src_source *s, tm_error *err)
{
        src_snapshot *snap = NULL;
        if (src_snapshot_take(s, &snap, err) < 0 || src_watch_start(s, err) < 0)
                return -1;
        src_snapshot_free(snap);
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                struct pollfd p = {.fd = src_watch_fd(s), .events = POLLIN};
                if (poll(&p, 1, 10000) <= 0)
                        return tm_error_set(err, -1, "no change seen within 10 s");
                if (src_watch_process(s, err) < 0)
                        return -1;
                bool changed = false;
                if (src_git_fetch(s, &changed, err) < 0)
                        return -1;
                if (!changed)
                        continue;
                if (src_snapshot_take(s, &snap, err) < 0)
                        return -1;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                printf("%lld %s\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
                       snap->revision);
                src_snapshot_free(snap);
                return 0;
        }
}

int
main(int argc, char **argv)
{
        bool w = argc == 4 && strcmp(argv[1], "--watch") == 0;
        if (argc != 3 && !w) {
                fprintf(stderr, "usage: bench_git_snap [--watch] SOURCE STATE_DIR\n");
                return 2;
        }
        src_options o;
        src_options_default(&o);
        o.state_dir = argv[argc - 1];
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        int r = src_open(&s, argv[argc - 2], &o, &err);
        if (r == 0 && w)
                r = watch(s, &err);
        else if (r == 0 && (r = src_snapshot_take(s, &snap, &err)) == 0)
                printf("%zu %zu %s\n", snap->n_files, snap->total_bytes, snap->revision);
        if (r < 0)
                fprintf(stderr, "bench_git_snap: %s\n", err.msg);
        src_snapshot_free(snap);
        src_close(s);
        return r < 0 ? 1 : 0;
}
