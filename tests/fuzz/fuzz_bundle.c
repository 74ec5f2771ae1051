/* Arbitrary bytes read as a bundle through the same code as a bundle file:
 * no crash, no leak, and what comes out obeys the bundle rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        src_limits lim;
        src_limits_default(&lim);
        /* Small limits keep each run fast; the code paths are the same. */
        lim.max_file_bytes = 1 << 20;
        lim.max_total_bytes = 4 << 20;
        lim.max_files = 1000;
        lim.max_entries = 5000;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (src_bundle_read_memory(data, size, &lim, "fuzz", &snap, &err) < 0) {
                if (err.code >= 0 || !err.msg[0])
                        abort(); /* an error must say what went wrong */
                return 0;
        }
        size_t total = 0;
        for (size_t i = 0; i < snap->n_files; i++) {
                const src_file *f = &snap->files[i];
                if (!src_path_is_manifest(f->path) || f->path[0] == '/' ||
                    strstr(f->path, "..") == f->path || strstr(f->path, "/../") ||
                    strstr(f->path, "//") || f->data[f->len] != '\0' || f->len > lim.max_file_bytes)
                        abort();
                if (i && strcmp(snap->files[i - 1].path, f->path) >= 0)
                        abort();
                total += f->len;
        }
        if (total != snap->total_bytes || total > lim.max_total_bytes ||
            snap->n_files > lim.max_files || strncmp(snap->revision, "sha256:", 7) != 0)
                abort();
        src_snapshot_free(snap);
        return 0;
}
