/* `timone image import FILE...`, `timone image ls [-o table|json]`,
 * `timone image rm REF...`, over executors/image.h. */
#include "engine/cli_image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/image.h"

#define DEFAULT_STATE "/var/lib/timone"

static const char usage_text[] =
    "usage: timone image [--state DIR] COMMAND\n"
    "\n"
    "Commands:\n"
    "  import FILE...      import OCI image layout or docker-save archives\n"
    "  ls [-o table|json]  list images (also: list)\n"
    "  rm REF...           remove images by name, name@digest or id (also: remove)\n"
    "\n"
    "Options:\n"
    "  --state DIR         state directory (default " DEFAULT_STATE "; images in DIR/images)\n"
    "  -h, --help          show this help\n";

static int
usage(FILE *f)
{
        fputs(usage_text, f);
        return f == stdout ? 0 : 2;
}

static void
human_size(int64_t n, char *out, size_t len)
{
        static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
        double v = (double)n;
        size_t u = 0;
        while (v >= 1000 && u + 1 < TM_ARRAY_SIZE(units)) {
                v /= 1000;
                u++;
        }
        if (u == 0)
                snprintf(out, len, "%lldB", (long long)n);
        else
                snprintf(out, len, "%.3g%s", v, units[u]);
}

/* Splits "docker.io/library/busybox:latest" into repository and tag. */
static void
split_ref(const char *ref, char **repo, char **tag)
{
        if (!ref) {
                *repo = xstrdup("<none>");
                *tag = xstrdup("<none>");
                return;
        }
        const char *at = strchr(ref, '@');
        size_t end = at ? (size_t)(at - ref) : strlen(ref);
        const char *slash = strrchr(ref, '/');
        const char *colon = memrchr(ref, ':', end);
        if (colon && (!slash || colon > slash)) {
                *repo = xstrndup(ref, (size_t)(colon - ref));
                *tag = xstrndup(colon + 1, end - (size_t)(colon - ref) - 1);
        } else {
                *repo = xstrndup(ref, end);
                *tag = xstrdup("<none>");
        }
}

static int
cmd_import(exe_image_store *st, int argc, char **argv)
{
        if (argc < 1) {
                fprintf(stderr, "timone image import: no FILE given\n");
                return 2;
        }
        int rc = 0;
        for (int i = 0; i < argc; i++) {
                tm_error err = {0};
                char **refs = NULL;
                size_t n = 0;
                uint64_t t0 = tm_now_ms();
                if (exe_image_import(st, argv[i], &refs, &n, &err) < 0) {
                        fprintf(stderr, "timone image import: %s\n", err.msg);
                        rc = 1;
                        continue;
                }
                uint64_t ms = tm_now_ms() - t0;
                for (size_t k = 0; k < n; k++) {
                        char *id = NULL;
                        tm_error e2 = {0};
                        if (exe_image_resolve(st, refs[k], &id, &e2) == 0)
                                printf("imported %s (image id %.12s) in %llu ms\n", refs[k], id + 7,
                                       (unsigned long long)ms);
                        else
                                printf("imported %s\n", refs[k]);
                        free(id);
                        free(refs[k]);
                }
                free(refs);
        }
        return rc;
}

static int
cmd_ls(exe_image_store *st, int argc, char **argv)
{
        const char *output = "table";
        for (int i = 0; i < argc; i++) {
                if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
                        output = argv[++i];
                else if (tm_str_has_prefix(argv[i], "-o") && argv[i][2])
                        output = argv[i] + 2;
                else if (tm_str_has_prefix(argv[i], "--output="))
                        output = argv[i] + 9;
                else {
                        fprintf(stderr, "timone image ls: unexpected argument \"%s\"\n", argv[i]);
                        return 2;
                }
        }
        if (strcmp(output, "table") != 0 && strcmp(output, "json") != 0) {
                fprintf(stderr, "timone image ls: unknown output format \"%s\" (table or json)\n",
                        output);
                return 2;
        }
        tm_error err = {0};
        exe_image_info *infos = NULL;
        size_t n = 0;
        if (exe_image_list(st, &infos, &n, &err) < 0) {
                fprintf(stderr, "timone image ls: %s\n", err.msg);
                return 1;
        }
        tm_buf b = TM_BUF_INIT;
        if (!strcmp(output, "json")) {
                tm_buf_puts(&b, "{\"images\": [");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL;
                        split_ref(infos[i].ref, &repo, &tag);
                        tm_buf_puts(&b, i ? ",\n  {" : "\n  {");
                        tm_buf_puts(&b, "\"ref\": ");
                        if (infos[i].ref)
                                tm_buf_put_json_string(&b, infos[i].ref, strlen(infos[i].ref));
                        else
                                tm_buf_puts(&b, "null");
                        tm_buf_puts(&b, ", \"repository\": ");
                        tm_buf_put_json_string(&b, repo, strlen(repo));
                        tm_buf_puts(&b, ", \"tag\": ");
                        tm_buf_put_json_string(&b, tag, strlen(tag));
                        tm_buf_printf(&b,
                                      ", \"id\": \"%s\", \"digest\": \"%s\", \"size\": %lld, "
                                      "\"created\": %lld}",
                                      infos[i].id, infos[i].digest, (long long)infos[i].size,
                                      (long long)infos[i].created);
                }
                tm_buf_puts(&b, n ? "\n]}\n" : "]}\n");
        } else {
                size_t wrepo = strlen("IMAGE"), wtag = strlen("TAG");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL;
                        split_ref(infos[i].ref, &repo, &tag);
                        wrepo = strlen(repo) > wrepo ? strlen(repo) : wrepo;
                        wtag = strlen(tag) > wtag ? strlen(tag) : wtag;
                }
                tm_buf_printf(&b, "%-*s  %-*s  %-13s  %s\n", (int)wrepo, "IMAGE", (int)wtag, "TAG",
                              "IMAGE ID", "SIZE");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *repo = NULL, *tag = NULL;
                        split_ref(infos[i].ref, &repo, &tag);
                        char sz[32];
                        human_size(infos[i].size, sz, sizeof(sz));
                        tm_buf_printf(&b, "%-*s  %-*s  %-13.13s  %s\n", (int)wrepo, repo, (int)wtag,
                                      tag, infos[i].id + 7, sz);
                }
        }
        fputs(b.data, stdout);
        tm_buf_free(&b);
        exe_image_info_free(infos, n);
        return 0;
}

static int
cmd_rm(exe_image_store *st, int argc, char **argv)
{
        if (argc < 1) {
                fprintf(stderr, "timone image rm: no REF given\n");
                return 2;
        }
        int rc = 0;
        for (int i = 0; i < argc; i++) {
                tm_error err = {0};
                if (exe_image_remove(st, argv[i], &err) < 0) {
                        fprintf(stderr, "timone image rm: %s\n", err.msg);
                        rc = 1;
                        continue;
                }
                printf("removed \"%s\"\n", argv[i]);
        }
        return rc;
}

int
eng_cli_image(int argc, char **argv)
{
        const char *state = DEFAULT_STATE;
        _cleanup_free_ char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
        int n = 0;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--state")) {
                        if (i + 1 >= argc) {
                                fprintf(stderr, "timone image: --state needs a DIR\n");
                                return 2;
                        }
                        state = argv[++i];
                } else if (tm_str_has_prefix(argv[i], "--state=")) {
                        state = argv[i] + 8;
                } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        return usage(stdout);
                } else {
                        rest[n++] = argv[i];
                }
        }
        if (n == 0)
                return usage(stderr);
        const char *cmd = rest[0];
        int (*fn)(exe_image_store *, int, char **) = NULL;
        if (!strcmp(cmd, "import") || !strcmp(cmd, "load"))
                fn = cmd_import;
        else if (!strcmp(cmd, "ls") || !strcmp(cmd, "list"))
                fn = cmd_ls;
        else if (!strcmp(cmd, "rm") || !strcmp(cmd, "remove") || !strcmp(cmd, "rmi"))
                fn = cmd_rm;
        if (!fn) {
                fprintf(stderr, "timone image: unknown command \"%s\"\n\n", cmd);
                return usage(stderr);
        }
        tm_error err = {0};
        exe_image_store *st = NULL;
        if (exe_image_store_open(&st, state, &err) < 0) {
                fprintf(stderr, "timone image %s: %s\n", cmd, err.msg);
                return 1;
        }
        int rc = fn(st, n - 1, rest + 1);
        exe_image_store_close(st);
        return rc;
}
