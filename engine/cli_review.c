/* `timone diff REPO --from REV --to REV`: what a change of the repository
 * would do to the fleet, planned between two revisions without any state,
 * so that a pull request can show it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/cli_core.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "sources/git.h"
#include "sources/source.h"

int eng_cli_diff_review(int argc, char **argv);

TM_DEFINE_CLEANUP(src_source, src_close)
TM_DEFINE_CLEANUP(src_snapshot, src_snapshot_free)
TM_DEFINE_CLEANUP(res_set, res_set_free)
TM_DEFINE_CLEANUP(eng_plan, eng_plan_free)

static void
usage(FILE *f)
{
        fprintf(f, "usage: timone diff REPO --from REV [--to REV] [-o json] [--color "
                   "auto|always|never] [--quiet]\n"
                   "                   [--state DIR] [--ssh-key FILE] [--known-hosts FILE]\n"
                   "                   [--credentials FILE] [--verify-commits KEYS]\n\n"
                   "Plans the change from one revision of a git repository to another (any "
                   "revspec:\nHEAD~1, a tag, a branch, a commit), without any state. --to defaults "
                   "to HEAD, --from\nto the first parent of --to. Exit: 0 no changes, 1 changes, 2 "
                   "invalid input or error.\n");
}

static void
print_diags(res_diags *d, const char *rev)
{
        tm_buf b = TM_BUF_INIT;
        res_diags_sort(d);
        res_diags_format(d, &b);
        fprintf(stderr, "%srevision %s: %zu error%s\n", b.data ? b.data : "", rev,
                res_diags_count(d), res_diags_count(d) == 1 ? "" : "s");
        tm_buf_free(&b);
}

int
eng_cli_diff_review(int argc, char **argv)
{
        enum {
                O_FROM = 0x100,
                O_TO,
                O_COLOR,
                O_STATE,
                O_SSHKEY,
                O_KNOWN,
                O_CREDS,
                O_INSECURE,
                O_VERIFY
        };
        static const struct option longopts[] = {
            {"from", required_argument, NULL, O_FROM},
            {"to", required_argument, NULL, O_TO},
            {"output", required_argument, NULL, 'o'},
            {"color", required_argument, NULL, O_COLOR},
            {"quiet", no_argument, NULL, 'q'},
            {"state", required_argument, NULL, O_STATE},
            {"ssh-key", required_argument, NULL, O_SSHKEY},
            {"known-hosts", required_argument, NULL, O_KNOWN},
            {"credentials", required_argument, NULL, O_CREDS},
            {"insecure-ignore-host-key", no_argument, NULL, O_INSECURE},
            {"verify-commits", required_argument, NULL, O_VERIFY},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *from = NULL, *to = NULL, *output = "", *color = "auto";
        bool quiet = false;
        src_options so;
        src_options_default(&so);
        so.state_dir = ENG_STATE_DIR_DEFAULT;
        optind = 0;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case O_FROM:
                        from = optarg;
                        break;
                case O_TO:
                        to = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case O_COLOR:
                        color = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case O_STATE:
                        so.state_dir = optarg;
                        break;
                case O_SSHKEY:
                        so.ssh_key = optarg;
                        break;
                case O_KNOWN:
                        so.known_hosts = optarg;
                        break;
                case O_CREDS:
                        so.credentials_file = optarg;
                        break;
                case O_INSECURE:
                        so.insecure_ignore_host_key = true;
                        break;
                case O_VERIFY:
                        so.verify_commits_keys = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        fprintf(stderr, "timone diff: unknown or incomplete flag \"%s\"\n",
                                argv[optind - 1]);
                        usage(stderr);
                        return 2;
                }
        }
        if (optind + 1 != argc || (*output && strcmp(output, "json") != 0) ||
            (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never"))) {
                usage(stderr);
                return 2;
        }
        const char *spec = argv[optind];
        _cleanup_free_ char *to_rev = xstrdup(to ? to : "HEAD");
        _cleanup_free_ char *from_rev = from ? xstrdup(from) : xasprintf("%s~1", to_rev);
        tm_error err = {0};
        _cleanup_(src_closep) src_source *src = NULL;
        _cleanup_(src_snapshot_freep) src_snapshot *a = NULL, *b = NULL;
        _cleanup_(res_set_freep) res_set *sa = NULL, *sb = NULL;
        _cleanup_(eng_plan_freep) eng_plan *plan = NULL;
        res_diags diags = RES_DIAGS_INIT;
        eng_rows rows = ENG_ROWS_INIT;
        tm_buf out = TM_BUF_INIT;
        int rc = 2;
        int r = src_git_open_repo(&src, spec, &so, &err);
        if (r < 0 || (r = src_git_snapshot_at(src, from_rev, &a, &err)) < 0 ||
            (r = src_git_snapshot_at(src, to_rev, &b, &err)) < 0) {
                fprintf(stderr, "timone diff: %s\n", err.msg);
                goto done;
        }
        if (eng_desired_from_snapshot(a, NULL, &sa, &diags) < 0) {
                print_diags(&diags, from_rev);
                goto done;
        }
        if (eng_desired_from_snapshot(b, NULL, &sb, &diags) < 0) {
                if (!strcmp(output, "json")) {
                        res_diags_sort(&diags);
                        eng_plan_print_json(NULL, b->revision, b->source, &diags, &out);
                        fwrite(out.data, 1, out.len, stdout);
                }
                print_diags(&diags, to_rev);
                goto done;
        }
        /* The older revision plays the actual state. */
        for (size_t i = 0; i < res_set_count(sa); i++) {
                const res_object *o = res_set_at(sa, i);
                eng_rows_add(&rows, res_object_id(o), res_object_hash(o), res_object_api_version(o),
                             res_object_kind(o), res_object_namespace(o), res_object_name(o));
        }
        if (eng_plan_build(sb, &rows, &plan, &diags) < 0) {
                print_diags(&diags, to_rev);
                goto done;
        }
        for (size_t i = 0; i < eng_plan_count(plan); i++) {
                eng_action *act = eng_plan_at(plan, i);
                if (act->type != ENG_ACT_UPDATE && act->type != ENG_ACT_PRUNE)
                        continue;
                const res_object *old = NULL;
                for (size_t k = 0; k < res_set_count(sa) && !old; k++)
                        if (!strcmp(res_object_id(res_set_at(sa, k)), act->id))
                                old = res_set_at(sa, k);
                const char *json = old ? res_object_canonical_json(old) : "{}";
                if (eng_plan_set_old(plan, i, json, strlen(json), &err) < 0) {
                        fprintf(stderr, "timone diff: %s\n", err.msg);
                        goto done;
                }
        }
        if (!strcmp(output, "json")) {
                eng_plan_print_json(plan, b->revision, b->source, NULL, &out);
        } else {
                bool col = !strcmp(color, "always") ||
                           (!strcmp(color, "auto") && isatty(1) && !getenv("NO_COLOR"));
                tm_buf_printf(&out, "from %.12s (%s)%s%s\n", a->revision, from_rev,
                              a->subject ? ": " : "", a->subject ? a->subject : "");
                tm_buf_printf(&out, "to   %.12s (%s)%s%s%s%s\n", b->revision, to_rev,
                              b->subject ? ": " : "", b->subject ? b->subject : "",
                              b->author ? " by " : "", b->author ? b->author : "");
                eng_diffout_opts dopts = {col, quiet, NULL};
                eng_plan_print_text(plan, &dopts, &out);
        }
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        rc = eng_plan_has_changes(plan) ? 1 : 0;
done:
        tm_buf_free(&out);
        eng_rows_free(&rows);
        res_diags_free(&diags);
        return rc;
}
