/* bench_git.sh's probe: opens SOURCE (git) with STATE as the state
 * directory, takes one snapshot (fetching a remote into the cache) and
 * prints "FILES BYTES REVISION". */
#include <stdio.h>
#include <stdlib.h>

#include "common/error.h"
#include "sources/git.h"

int
main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: bench_git_snap SOURCE STATE_DIR\n");
                return 2;
        }
        src_options o;
        src_options_default(&o);
        o.state_dir = argv[2];
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (src_open(&s, argv[1], &o, &err) < 0 || src_snapshot_take(s, &snap, &err) < 0) {
                fprintf(stderr, "bench_git_snap: %s\n", err.msg);
                src_close(s);
                return 1;
        }
        printf("%zu %zu %s\n", snap->n_files, snap->total_bytes, snap->revision);
        src_snapshot_free(snap);
        src_close(s);
        return 0;
}
