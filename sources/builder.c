/* The snapshot builder: the rules every local source kind shares (which
 * names are manifests, the limits, the order, the content revision). */
#include "sources/source-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "common/util.h"

struct src_builder {
        src_limits lim;
        src_file *files;
        size_t n_files, cap;
        size_t total;
        bool sorted;
};

bool
src_path_is_manifest(const char *relpath)
{
        if (!relpath || !*relpath)
                return false;
        for (const char *p = relpath; *p;) {
                if (*p == '.')
                        return false;
                const char *slash = strchr(p, '/');
                if (!slash)
                        break;
                p = slash + 1;
        }
        const char *base = strrchr(relpath, '/');
        base = base ? base + 1 : relpath;
        /* ".yaml" alone is a dot-file, caught above; "a/.yaml" likewise. */
        return tm_str_has_suffix(base, ".yaml") || tm_str_has_suffix(base, ".yml") ||
               tm_str_has_suffix(base, ".json");
}

src_builder *
src_builder_new(const src_limits *lim)
{
        src_builder *b = xcalloc(1, sizeof(*b));
        if (lim)
                b->lim = *lim;
        else
                src_limits_default(&b->lim);
        b->sorted = true;
        return b;
}

void
src_builder_free(src_builder *b)
{
        if (!b)
                return;
        for (size_t i = 0; i < b->n_files; i++) {
                free(b->files[i].path);
                free(b->files[i].data);
        }
        free(b->files);
        free(b);
}

int
src_builder_add(src_builder *b, const char *relpath, const void *data, size_t len, tm_error *err)
{
        if (len > b->lim.max_file_bytes)
                return tm_error_set(err, -EFBIG,
                                    "\"%s\" is %zu bytes, over the limit of %zu bytes per file",
                                    relpath, len, b->lim.max_file_bytes);
        if (b->n_files >= b->lim.max_files)
                return tm_error_set(err, -E2BIG,
                                    "\"%s\": more than %zu manifest files (the limit per snapshot)",
                                    relpath, b->lim.max_files);
        if (len > b->lim.max_total_bytes - b->total || b->total > b->lim.max_total_bytes)
                return tm_error_set(err, -EFBIG,
                                    "\"%s\": manifest files total more than %zu bytes (the limit "
                                    "per snapshot)",
                                    relpath, b->lim.max_total_bytes);
        TM_GROW(b->files, b->cap, b->n_files + 1);
        unsigned char *copy = xmalloc(len + 1);
        if (len)
                memcpy(copy, data, len);
        copy[len] = '\0';
        b->files[b->n_files++] = (src_file){.path = xstrdup(relpath), .data = copy, .len = len};
        b->total += len;
        b->sorted = b->n_files <= 1;
        return 0;
}

static int
file_cmp(const void *a, const void *b)
{
        return strcmp(((const src_file *)a)->path, ((const src_file *)b)->path);
}

static void
builder_sort(src_builder *b)
{
        if (!b->sorted && b->n_files > 1)
                qsort(b->files, b->n_files, sizeof(*b->files), file_cmp);
        b->sorted = true;
}

const src_file *
src_builder_find(src_builder *b, const char *relpath)
{
        if (!b->n_files)
                return NULL; /* bsearch wants a real array */
        builder_sort(b);
        src_file key = {.path = (char *)relpath};
        return bsearch(&key, b->files, b->n_files, sizeof(*b->files), file_cmp);
}

int
src_builder_finish(src_builder *b, const char *display, src_snapshot **out, tm_error *err)
{
        builder_sort(b);
        for (size_t i = 1; i < b->n_files; i++)
                if (strcmp(b->files[i - 1].path, b->files[i].path) == 0)
                        return tm_error_set(err, -EEXIST, "\"%s\" appears twice", b->files[i].path);

        /* Each file contributes path NUL length(decimal) NUL bytes, so no
         * two different trees hash the same stream. */
        tm_sha256 *h = tm_sha256_new();
        for (size_t i = 0; i < b->n_files; i++) {
                const src_file *f = &b->files[i];
                char lenbuf[32];
                int n = snprintf(lenbuf, sizeof(lenbuf), "%zu", f->len);
                tm_sha256_update(h, f->path, strlen(f->path) + 1);
                tm_sha256_update(h, lenbuf, (size_t)n + 1);
                tm_sha256_update(h, f->data, f->len);
        }
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_final_hex(h, hex);

        src_snapshot *snap = xcalloc(1, sizeof(*snap));
        snap->source = xstrdup(display ? display : "");
        snap->revision = xasprintf("sha256:%s", hex);
        snap->files = TAKE_PTR(b->files);
        snap->n_files = b->n_files;
        snap->total_bytes = b->total;
        b->n_files = b->cap = b->total = 0;
        *out = snap;
        return 0;
}
