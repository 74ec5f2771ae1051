/* `timone get sources`: what the daemon last read from each source, and
 * whether it was applied. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/cli_core.h"
#include "engine/podstore.h"

int eng_cli_get_sources(int argc, char **argv);

static char *
short_source(const char *s, bool wide)
{
        size_t n = strlen(s);
        if (wide || n <= 32)
                return xstrdup(s);
        const char *scheme = strstr(s, "://");
        const char *last = strrchr(s, '/');
        if (!last || last == s + n - 1)
                return xasprintf("%.29s...", s);
        if (scheme)
                return xasprintf("%.*s.../%s", (int)(scheme - s + 3), s, last + 1);
        return xasprintf(".../%s", last + 1);
}

static char *
short_revision(const eng_source_status *st)
{
        const char *rev = st->revision;
        if (tm_str_has_prefix(rev, "sha256:"))
                return xasprintf("sha256:%.12s", rev + 7);
        if (st->ref)
                return xasprintf("%s@%.7s", st->ref, rev);
        return xasprintf("%.7s", rev);
}

int
eng_cli_get_sources(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"output", required_argument, NULL, 'o'},
            {"no-headers", no_argument, NULL, 'H'},
            {"state", required_argument, NULL, 's'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *state = ENG_STATE_DIR_DEFAULT, *output = "";
        bool no_headers = false;
        optind = 0;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'H':
                        no_headers = true;
                        break;
                case 's':
                        state = optarg;
                        break;
                case 'h':
                        printf("usage: timone get sources [-o wide|json] [--no-headers] "
                               "[--state DIR]\n");
                        return 0;
                default:
                        fprintf(stderr, "timone get sources: unknown or incomplete flag \"%s\"\n",
                                argv[optind - 1]);
                        return 2;
                }
        }
        bool wide = !strcmp(output, "wide"), json = !strcmp(output, "json");
        if (*output && !wide && !json) {
                fprintf(stderr,
                        "error: unable to match a printer suitable for the output format "
                        "\"%s\", allowed formats are: json,wide\n",
                        output);
                return 2;
        }
        tm_error err = {0};
        eng_podstore *ps = NULL;
        if (eng_podstore_open(&ps, state, false, &err) < 0) {
                fprintf(stderr, "timone get sources: %s\n", err.msg);
                return 2;
        }
        eng_source_status *sts = NULL;
        size_t n = 0;
        eng_podstore_sources(ps, &sts, &n, &err);
        eng_podstore_close(ps);
        if (n == 0) {
                eng_source_statuses_free(sts, n);
                if (json)
                        printf("{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": "
                               "\"List\"\n}\n");
                else
                        fprintf(stderr, "No resources found\n");
                return 0;
        }
        if (json) {
                json_t *items = json_array();
                for (size_t i = 0; i < n; i++) {
                        json_t *o = json_pack("{s:s, s:s, s:b, s:I}", "source", sts[i].source,
                                              "revision", sts[i].revision, "applied",
                                              sts[i].applied, "seenAt", (json_int_t)sts[i].seen_at);
                        const char *k[] = {"ref", "subject", "author", "message"};
                        const char *v[] = {sts[i].ref, sts[i].subject, sts[i].author,
                                           sts[i].message};
                        for (int j = 0; j < 4; j++)
                                if (v[j])
                                        json_object_set_new(o, k[j], json_string(v[j]));
                        json_array_append_new(items, o);
                }
                json_t *list = json_pack("{s:s, s:s, s:o}", "apiVersion", "v1", "kind", "List",
                                         "items", items);
                char *text = json_dumps(list, JSON_INDENT(2) | JSON_SORT_KEYS);
                printf("%s\n", text);
                free(text);
                json_decref(list);
                eng_source_statuses_free(sts, n);
                return 0;
        }
        /* Columns sized to their widest cell, three spaces apart. */
        const char *head[] = {"SOURCE", "REVISION", "APPLIED", "AGE", "MESSAGE", "AUTHOR"};
        size_t ncol = wide ? 6 : 5;
        char ***cells = xcalloc(n + 1, sizeof(*cells));
        size_t width[6] = {0};
        for (size_t i = 0; i <= n; i++) {
                cells[i] = xcalloc(6, sizeof(char *));
                if (i == 0) {
                        for (size_t k = 0; k < ncol; k++)
                                cells[0][k] = xstrdup(head[k]);
                } else {
                        const eng_source_status *s = &sts[i - 1];
                        char age[32];
                        tm_format_age(tm_wall_s() - s->seen_at, age, sizeof(age));
                        cells[i][0] = short_source(s->source, wide);
                        cells[i][1] = short_revision(s);
                        cells[i][2] = xstrdup(s->applied ? "yes" : "no");
                        cells[i][3] = xstrdup(age);
                        cells[i][4] = xstrdup(s->applied ? (s->subject ? s->subject : "")
                                                         : (s->message ? s->message : ""));
                        cells[i][5] = xstrdup(s->author ? s->author : "");
                }
                for (size_t k = 0; k < ncol; k++)
                        if (strlen(cells[i][k]) > width[k])
                                width[k] = strlen(cells[i][k]);
        }
        for (size_t i = no_headers ? 1 : 0; i <= n; i++) {
                for (size_t k = 0; k < ncol; k++) {
                        if (k + 1 < ncol)
                                printf("%-*s   ", (int)width[k], cells[i][k]);
                        else
                                printf("%s\n", cells[i][k]);
                }
        }
        for (size_t i = 0; i <= n; i++) {
                for (size_t k = 0; k < 6; k++)
                        free(cells[i][k]);
                free(cells[i]);
        }
        free(cells);
        eng_source_statuses_free(sts, n);
        return 0;
}
