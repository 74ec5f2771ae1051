/* `timone diff` and `timone apply`: snapshot -> desired set -> plan, then
 * print it or run it against the store in one transaction. */
#include "engine/cli_core.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/get.h"
#include "engine/plan.h"
#include "engine/reconcile.h"
#include "engine/podstore.h"
#include "engine/store.h"
#include "resources/object.h"
#include "resources/selector.h"
#include "sources/source.h"

TM_DEFINE_CLEANUP(src_source, src_close)
TM_DEFINE_CLEANUP(src_snapshot, src_snapshot_free)
TM_DEFINE_CLEANUP(res_set, res_set_free)
TM_DEFINE_CLEANUP(eng_plan, eng_plan_free)
TM_DEFINE_CLEANUP(eng_store, eng_store_close)

static void
write_all(FILE *f, const tm_buf *b)
{
        if (b->len)
                fwrite(b->data, 1, b->len, f);
        fflush(f);
}

static void
print_diags(res_diags *diags)
{
        tm_buf b = TM_BUF_INIT;
        res_diags_sort(diags);
        res_diags_format(diags, &b);
        size_t n = res_diags_count(diags);
        tm_buf_printf(&b, "%zu error%s: nothing %s\n", n, n == 1 ? "" : "s",
                      "planned, nothing applied");
        write_all(stderr, &b);
        tm_buf_free(&b);
}

typedef struct core_opts {
        const char *state;
        const char *output;
        const char *color;
        bool quiet;
        const char *spec;
        /* git access and trust (sources/git.h) */
        const char *ssh_key, *known_hosts, *credentials, *verify_commits;
        bool insecure_host_key;
} core_opts;

/* The snapshot of spec and its desired set. Returns 0, -EINVAL with
 * diags filled (invalid manifests), or another error in err. */
static int
load_desired(const core_opts *o, src_snapshot **snap_out, res_set **set_out, res_diags *diags,
             tm_error *err)
{
        const char *spec = o->spec;
        src_options so;
        src_options_default(&so);
        so.state_dir = o->state;
        so.ssh_key = o->ssh_key;
        so.known_hosts = o->known_hosts;
        so.credentials_file = o->credentials;
        so.insecure_ignore_host_key = o->insecure_host_key;
        so.verify_commits_keys = o->verify_commits;
        _cleanup_(src_closep) src_source *src = NULL;
        _cleanup_(src_snapshot_freep) src_snapshot *snap = NULL;
        int r;
        /* a short process about to build tens of MiB of files, trees and
         * rows: fewer, bigger page faults */
        tm_mem_big_heap(32u << 20);
        if ((r = src_open(&src, spec, &so, err)) < 0 ||
            (r = src_snapshot_take(src, &snap, err)) < 0)
                return r;
        /* Name files the way the user can open them: a directory's files under the path given. */
        _cleanup_free_ char *prefix = NULL;
        if (src_source_kind(src) == SRC_DIR) {
                size_t n = strlen(spec);
                while (n > 1 && spec[n - 1] == '/')
                        n--;
                if (!(n == 1 && spec[0] == '.'))
                        prefix = xstrndup(spec, n);
        }
        r = eng_desired_from_snapshot(snap, prefix, set_out, diags);
        *snap_out = TAKE_PTR(snap);
        return r;
}

enum { OPT_COLOR = 0x100, OPT_STATE, OPT_SSHKEY, OPT_KNOWN, OPT_CREDS, OPT_INSECURE, OPT_VERIFY };

static void
usage_diff(FILE *f, const char *verb)
{
        if (strcmp(verb, "apply") == 0)
                fprintf(
                    f,
                    "usage: timone apply [--state DIR] SOURCE\n\n"
                    "Applies SOURCE (a directory, a bundle .tar.gz/.tgz/.tar.zst/.zip, or a "
                    "git URL)\nto the state in one transaction and prints what it did.\n"
                    "Exit: 0 applied (or nothing to do), 2 invalid input or error.\n\n"
                    "  --state DIR   state directory (default " ENG_STATE_DIR_DEFAULT ")\n"
                    "  -h, --help    this help\n"
                    "\ngit sources: --ssh-key FILE, --known-hosts FILE, --credentials FILE (TOKEN "
                    "or\n"
                    "USER:PASSWORD), --insecure-ignore-host-key, --verify-commits KEYS (allowed\n"
                    "SSH signers); `timone diff REPO --from REV --to REV` reviews a change.\n");
        else
                fprintf(
                    f,
                    "usage: timone diff [--state DIR] [-o json] [--color=auto|always|never] "
                    "[-q] SOURCE\n\n"
                    "Prints what `timone apply SOURCE` would do, with a unified diff of "
                    "each changed\nobject (Secret values masked). Never changes the state.\n"
                    "Exit: 0 no changes, 1 changes, 2 invalid input or error.\n\n"
                    "  --state DIR      state directory (default " ENG_STATE_DIR_DEFAULT ")\n"
                    "  -o, --output F   text (default) or json\n"
                    "  --color WHEN     auto (a terminal and NO_COLOR unset), always, never\n"
                    "  -q, --quiet      the summary only\n"
                    "  -h, --help       this help\n"
                    "\ngit sources: --ssh-key FILE, --known-hosts FILE, --credentials FILE (TOKEN "
                    "or\n"
                    "USER:PASSWORD), --insecure-ignore-host-key, --verify-commits KEYS (allowed\n"
                    "SSH signers); `timone diff REPO --from REV --to REV` reviews a change.\n");
}

/* Returns -1 to go on, or an exit status. */
static int
parse_core(int argc, char **argv, core_opts *o)
{
        static const struct option longopts[] = {
            {"state", required_argument, NULL, OPT_STATE},
            {"output", required_argument, NULL, 'o'},
            {"color", required_argument, NULL, OPT_COLOR},
            {"quiet", no_argument, NULL, 'q'},
            {"ssh-key", required_argument, NULL, OPT_SSHKEY},
            {"known-hosts", required_argument, NULL, OPT_KNOWN},
            {"credentials", required_argument, NULL, OPT_CREDS},
            {"insecure-ignore-host-key", no_argument, NULL, OPT_INSECURE},
            {"verify-commits", required_argument, NULL, OPT_VERIFY},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *verb = argv[0];
        bool is_diff = strcmp(verb, "diff") == 0;
        *o = (core_opts){
            ENG_STATE_DIR_DEFAULT, "text", "auto", false, NULL, NULL, NULL, NULL, NULL, false};
        optind = 0;
        opterr = 1;
        int c;
        while ((c = getopt_long(argc, argv, is_diff ? "o:qh" : "h", longopts, NULL)) != -1) {
                switch (c) {
                case OPT_STATE:
                        o->state = optarg;
                        break;
                case 'o':
                        o->output = optarg;
                        break;
                case OPT_COLOR:
                        o->color = optarg;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case OPT_SSHKEY:
                        o->ssh_key = optarg;
                        break;
                case OPT_KNOWN:
                        o->known_hosts = optarg;
                        break;
                case OPT_CREDS:
                        o->credentials = optarg;
                        break;
                case OPT_INSECURE:
                        o->insecure_host_key = true;
                        break;
                case OPT_VERIFY:
                        o->verify_commits = optarg;
                        break;
                case 'h':
                        usage_diff(stdout, verb);
                        return 0;
                default:
                        usage_diff(stderr, verb);
                        return 2;
                }
        }
        if (!is_diff && (strcmp(o->output, "text") != 0 || strcmp(o->color, "auto") != 0)) {
                usage_diff(stderr, verb);
                return 2;
        }
        if (strcmp(o->output, "text") != 0 && strcmp(o->output, "json") != 0) {
                fprintf(stderr, "timone %s: unknown output format \"%s\" (text or json)\n", verb,
                        o->output);
                return 2;
        }
        if (strcmp(o->color, "auto") != 0 && strcmp(o->color, "always") != 0 &&
            strcmp(o->color, "never") != 0) {
                fprintf(stderr, "timone %s: --color takes auto, always or never, not \"%s\"\n",
                        verb, o->color);
                return 2;
        }
        if (optind != argc - 1) {
                usage_diff(stderr, verb);
                return 2;
        }
        o->spec = argv[optind];
        return -1;
}

static bool
want_color(const char *when)
{
        if (strcmp(when, "always") == 0)
                return true;
        if (strcmp(when, "never") == 0)
                return false;
        const char *nc = getenv("NO_COLOR");
        return isatty(STDOUT_FILENO) && !(nc && *nc);
}

int
eng_cli_diff(int argc, char **argv)
{
        core_opts o;
        int rc = parse_core(argc, argv, &o);
        if (rc >= 0)
                return rc;
        bool json = strcmp(o.output, "json") == 0;
        tm_error err = {0};
        res_diags diags = RES_DIAGS_INIT;
        _cleanup_(src_snapshot_freep) src_snapshot *snap = NULL;
        _cleanup_(res_set_freep) res_set *set = NULL;
        _cleanup_(eng_store_closep) eng_store *store = NULL;
        _cleanup_(eng_plan_freep) eng_plan *plan = NULL;
        eng_rows rows = ENG_ROWS_INIT;
        tm_buf out = TM_BUF_INIT;

        int r = load_desired(&o, &snap, &set, &diags, &err);
        if (r == 0) {
                /* one read transaction for the rows and the old objects */
                if ((r = eng_store_open(&store, o.state, false, &err)) < 0 ||
                    (r = eng_store_read_begin(store, &err)) < 0 ||
                    (r = eng_store_load_rows(store, &rows, &err)) < 0)
                        goto error;
                r = eng_plan_build(set, &rows, &plan, &diags);
        }
        if (r == -EINVAL && res_diags_count(&diags) > 0) {
                if (json) {
                        res_diags_sort(&diags);
                        eng_plan_print_json(NULL, snap ? snap->revision : NULL,
                                            snap ? snap->source : o.spec, &diags, &out);
                        write_all(stdout, &out);
                }
                print_diags(&diags);
                rc = 2;
                goto done;
        }
        if (r < 0)
                goto error;
        if ((r = eng_plan_attach_old(store, plan, &err)) < 0)
                goto error;
        eng_store_read_end(store);
        if (json) {
                eng_plan_print_json(plan, snap->revision, snap->source, NULL, &out);
        } else {
                /* A git source names the revision the plan is for. */
                if (snap->ref || snap->subject) {
                        tm_buf_printf(&out, "revision %s@%.7s", snap->ref ? snap->ref : "",
                                      snap->revision);
                        if (snap->subject)
                                tm_buf_printf(&out, ": %s", snap->subject);
                        if (snap->author)
                                tm_buf_printf(&out, " (%s)", snap->author);
                        tm_buf_putc(&out, '\n');
                }
                eng_diffout_opts dopts = {want_color(o.color), o.quiet, stdout};
                eng_plan_print_text(plan, &dopts, &out);
        }
        write_all(stdout, &out);
        rc = eng_plan_has_changes(plan) ? 1 : 0;
        goto done;
error:
        fprintf(stderr, "timone diff: %s\n", err.msg[0] ? err.msg : "failed");
        rc = 2;
done:
        tm_buf_free(&out);
        eng_rows_free(&rows);
        res_diags_free(&diags);
        return rc;
}

/* kubectl's resource name: "deployment.apps/web", "configmap/cfg". */
static void
kubectl_name(const eng_action *a, tm_buf *b)
{
        if (a->info) {
                tm_buf_puts(b, a->info->singular);
                if (a->info->group && *a->info->group)
                        tm_buf_printf(b, ".%s", a->info->group);
        } else {
                for (const char *p = a->kind; *p; p++)
                        tm_buf_putc(b, (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        }
        tm_buf_printf(b, "/%s", a->name);
}

/* Prints what apply did to one object, kubectl-style. */
static void
report_action(const eng_action *a, void *userdata)
{
        static const char *const said[] = {"created", "configured", "pruned", "unchanged"};
        tm_buf *out = userdata;
        kubectl_name(a, out);
        tm_buf_printf(out, " %s\n", said[a->type]);
}

int
eng_cli_apply(int argc, char **argv)
{
        core_opts o;
        int rc = parse_core(argc, argv, &o);
        if (rc >= 0)
                return rc;
        tm_error err = {0};
        res_diags diags = RES_DIAGS_INIT;
        _cleanup_(src_snapshot_freep) src_snapshot *snap = NULL;
        _cleanup_(res_set_freep) res_set *set = NULL;
        _cleanup_(eng_store_closep) eng_store *store = NULL;
        tm_buf out = TM_BUF_INIT;

        int r = load_desired(&o, &snap, &set, &diags, &err);
        size_t c[4] = {0};
        if (r == 0) {
                if ((r = eng_store_open(&store, o.state, true, &err)) < 0)
                        goto error;
                r = eng_apply_set(store, set, snap, c, report_action, &out, &diags, &err);
        }
        if (r == -EINVAL && res_diags_count(&diags) > 0) {
                print_diags(&diags);
                rc = 2;
                goto done;
        }
        if (r < 0)
                goto error;
        write_all(stdout, &out);
        tm_debug("applied", "revision=%s created=%zu updated=%zu pruned=%zu unchanged=%zu",
                 snap->revision, c[ENG_ACT_CREATE], c[ENG_ACT_UPDATE], c[ENG_ACT_PRUNE],
                 c[ENG_ACT_UNCHANGED]);
        rc = 0;
        goto done;
error:
        fprintf(stderr, "timone apply: %s\n", err.msg[0] ? err.msg : "failed");
        rc = 2;
done:
        tm_buf_free(&out);
        res_diags_free(&diags);
        return rc;
}

/* --- get --- */

#define GET_MAX_REQUESTS 64

typedef struct get_req {
        const res_kind_info *info;
        char **names;
        size_t n_names;
} get_req;

static void
usage_get(FILE *f)
{
        fprintf(
            f,
            "usage: timone get KIND[,KIND...] [NAME...] [-n NS | -A] [-l SELECTOR]\n"
            "                  [-o wide|yaml|json|name] [--no-headers] [--show-labels]\n"
            "       timone get KIND/NAME...\n\n"
            "Lists applied objects like kubectl. KIND is a kind, plural, singular, short\n"
            "name or kind.group (pods, po, deploy, deployments.apps, svc, cm, secrets, ns,\n"
            "pv, pvc, sc, rs, ds) or all. Exit: 0 ok, 1 a named object was not found, 2 usage.\n\n"
            "  -n, --namespace NS     namespace (default \"default\")\n"
            "  -A, --all-namespaces   every namespace\n"
            "  -l, --selector SEL     label selector (a=b, a!=b, a in (x,y), a notin (x), a, !a)\n"
            "  -o, --output FMT       wide, yaml, json or name\n"
            "  --no-headers           tables without the header line\n"
            "  --show-labels          a LABELS column\n"
            "  --state DIR            state directory (default " ENG_STATE_DIR_DEFAULT ")\n"
            "  -h, --help             this help\n");
}

static const res_kind_info *
lookup_kind(const char *name)
{
        const res_kind_info *k = res_kind_lookup(name);
        if (!k)
                fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n", name);
        return k;
}

static bool
record_group_is(const eng_record *r, const char *group)
{
        const char *slash = strchr(r->api_version, '/');
        if (!slash)
                return !*group;
        return strlen(group) == (size_t)(slash - r->api_version) &&
               strncmp(r->api_version, group, (size_t)(slash - r->api_version)) == 0;
}

static bool
record_selected(const eng_record *r, const res_selector *sel)
{
        if (!sel)
                return true;
        res_value *v = NULL;
        tm_error err = {0};
        if (eng_value_from_json(r->json, r->json_len, &v, &err) < 0)
                return false;
        bool ok = res_selector_matches(sel, res_get(v, "metadata", "labels", NULL));
        res_value_free(v);
        return ok;
}

static void
get_reqs_free(get_req *reqs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(reqs[i].names);
}

static int
parse_get_args(int argc, char **argv, get_req *reqs, size_t *n_reqs, bool *with_kind)
{
        static const char *const all_kinds[] = {"Pod", "Service", "DaemonSet", "Deployment",
                                                "ReplicaSet"};
        size_t n = 0;
        bool slash_form = strchr(argv[0], '/') != NULL;
        *with_kind = false;
        if (slash_form) {
                for (int i = 0; i < argc; i++) {
                        char *s = strchr(argv[i], '/');
                        if (!s || !s[1]) {
                                fprintf(stderr, "error: there is no need to specify a resource "
                                                "type as a separate argument when passing "
                                                "arguments in resource/name form\n");
                                return 2;
                        }
                        _cleanup_free_ char *type = xstrndup(argv[i], (size_t)(s - argv[i]));
                        const res_kind_info *k = lookup_kind(type);
                        if (!k)
                                return 2;
                        size_t j = 0;
                        while (j < n && reqs[j].info != k)
                                j++;
                        if (j == n) {
                                if (n == GET_MAX_REQUESTS)
                                        return 2;
                                reqs[n++] = (get_req){k, NULL, 0};
                        }
                        reqs[j].names =
                            xreallocarray(reqs[j].names, reqs[j].n_names + 1, sizeof(char *));
                        reqs[j].names[reqs[j].n_names++] = s + 1;
                        *with_kind = true;
                }
                *n_reqs = n;
                return -1;
        }
        _cleanup_free_ char *types = xstrdup(argv[0]);
        for (char *save = NULL, *t = strtok_r(types, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
                if (strcmp(t, "all") == 0) {
                        for (size_t i = 0; i < TM_ARRAY_SIZE(all_kinds) && n < GET_MAX_REQUESTS;
                             i++)
                                reqs[n++] = (get_req){
                                    res_kind_find(i < 2 ? "" : "apps", all_kinds[i]), NULL, 0};
                        *with_kind = true;
                        continue;
                }
                const res_kind_info *k = lookup_kind(t);
                if (!k || n == GET_MAX_REQUESTS) {
                        *n_reqs = n;
                        return 2;
                }
                reqs[n++] = (get_req){k, NULL, 0};
        }
        if (n > 1)
                *with_kind = true;
        for (size_t j = 0; j < n; j++) {
                if (!reqs[j].info) {
                        *n_reqs = n;
                        return 2;
                }
                if (argc > 1) {
                        reqs[j].names = xcalloc((size_t)argc - 1, sizeof(char *));
                        for (int i = 1; i < argc; i++)
                                reqs[j].names[reqs[j].n_names++] = argv[i];
                }
        }
        *n_reqs = n;
        return -1;
}

/* The controllers' pods as records, for `get pods` once a controller has run. */
static void
pod_records(const eng_pod_row *rows, size_t n, const char *ns, eng_record **out, size_t *n_out)
{
        eng_record *recs = xcalloc(n + 1, sizeof(*recs));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const eng_pod *p = &rows[i].pod;
                if (ns && !tm_streq(p->ns, ns))
                        continue;
                eng_record *r = &recs[k++];
                tm_buf b = TM_BUF_INIT;
                if (p->obj)
                        res_emit_canonical_json(p->obj, &b);
                else
                        tm_buf_puts(&b, "{}");
                r->id = xasprintf("/Pod/%s/%s", p->ns, p->name);
                r->api_version = xstrdup("v1");
                r->kind = xstrdup("Pod");
                r->ns = xstrdup(p->ns);
                r->name = xstrdup(p->name);
                r->hash = xstrdup("");
                r->revision = xstrdup("");
                r->uid = xstrdup(p->uid ? p->uid : "");
                r->generation = 1;
                r->created_at = p->created;
                r->updated_at = rows[i].updated;
                r->json_len = b.len;
                r->json = tm_buf_steal(&b);
                r->status = rows[i].status ? xstrdup(rows[i].status) : NULL;
                r->node = xstrdup(p->node ? p->node : "");
        }
        *out = recs;
        *n_out = k;
}

/* The ReplicaSets the Deployment controller derived (they are not stored
 * objects), as records: DESIRED is what the controller keeps of each. */
static void
derived_rs_records(const eng_pod_row *rows, size_t n, const char *ns, eng_record **recs,
                   size_t *n_recs)
{
        for (size_t i = 0; i < n; i++) {
                const eng_pod *p = &rows[i].pod;
                if (!tm_streq(p->owner_kind, "ReplicaSet") ||
                    !tm_str_has_prefix(p->controller ? p->controller : "", "Deployment/") ||
                    (ns && !tm_streq(p->ns, ns)))
                        continue;
                bool seen = false;
                for (size_t k = 0; k < i && !seen; k++)
                        seen = tm_streq(rows[k].pod.owner_name, p->owner_name) &&
                               tm_streq(rows[k].pod.ns, p->ns);
                if (seen)
                        continue;
                size_t count = 0;
                int64_t created = p->created;
                for (size_t k = 0; k < n; k++)
                        if (tm_streq(rows[k].pod.owner_name, p->owner_name) &&
                            tm_streq(rows[k].pod.ns, p->ns)) {
                                count++;
                                if (rows[k].pod.created < created)
                                        created = rows[k].pod.created;
                        }
                res_value *rs = res_map_new();
                res_map_set(rs, "apiVersion", res_str_new("apps/v1"));
                res_map_set(rs, "kind", res_str_new("ReplicaSet"));
                res_value *meta = res_map_set(rs, "metadata", res_map_new());
                res_map_set(meta, "name", res_str_new(p->owner_name));
                res_map_set(meta, "namespace", res_str_new(p->ns));
                const res_value *labels = res_get(p->obj, "metadata", "labels", NULL);
                if (labels)
                        res_map_set(meta, "labels", res_value_clone(labels));
                res_value *spec = res_map_set(rs, "spec", res_map_new());
                res_map_set(spec, "replicas", res_int_new((int64_t)count));
                res_value *sel = res_map_set(spec, "selector", res_map_new());
                if (labels)
                        res_map_set(sel, "matchLabels", res_value_clone(labels));
                res_value *tmpl = res_map_set(spec, "template", res_map_new());
                const res_value *pspec = res_map_get(p->obj, "spec");
                if (pspec)
                        res_map_set(tmpl, "spec", res_value_clone(pspec));
                res_value_sort(rs);
                tm_buf b = TM_BUF_INIT;
                res_emit_canonical_json(rs, &b);
                res_value_free(rs);
                *recs = xreallocarray(*recs, *n_recs + 1, sizeof(**recs));
                eng_record *r = &(*recs)[(*n_recs)++];
                memset(r, 0, sizeof(*r));
                r->id = xasprintf("apps/ReplicaSet/%s/%s", p->ns, p->owner_name);
                r->api_version = xstrdup("apps/v1");
                r->kind = xstrdup("ReplicaSet");
                r->ns = xstrdup(p->ns);
                r->name = xstrdup(p->owner_name);
                r->hash = xstrdup("");
                r->revision = xstrdup("");
                r->uid = xstrdup("");
                r->generation = 1;
                r->created_at = created;
                r->updated_at = created;
                r->json_len = b.len;
                r->json = tm_buf_steal(&b);
        }
}

static res_value *
list_value(void)
{
        res_value *l = res_map_new();
        res_map_set(l, "apiVersion", res_str_new("v1"));
        res_map_set(l, "items", res_seq_new());
        res_map_set(l, "kind", res_str_new("List"));
        res_value *meta = res_map_ensure_map(l, "metadata");
        res_value *rv = res_str_new("");
        rv->flags |= RES_F_QUOTED;
        res_map_set(meta, "resourceVersion", rv);
        return l;
}

int
eng_cli_get(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"namespace", required_argument, NULL, 'n'},
            {"all-namespaces", no_argument, NULL, 'A'},
            {"selector", required_argument, NULL, 'l'},
            {"output", required_argument, NULL, 'o'},
            {"no-headers", no_argument, NULL, 'H'},
            {"show-labels", no_argument, NULL, 'L'},
            {"state", required_argument, NULL, OPT_STATE},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *state = ENG_STATE_DIR_DEFAULT, *ns = "default", *selector = NULL, *output = "";
        eng_get_opts go = {0};
        optind = 0;
        int c;
        while ((c = getopt_long(argc, argv, "n:Al:o:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        ns = optarg;
                        break;
                case 'A':
                        go.all_namespaces = true;
                        break;
                case 'l':
                        selector = optarg;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case 'H':
                        go.no_headers = true;
                        break;
                case 'L':
                        go.show_labels = true;
                        break;
                case OPT_STATE:
                        state = optarg;
                        break;
                case 'h':
                        usage_get(stdout);
                        return 0;
                default:
                        usage_get(stderr);
                        return 2;
                }
        }
        bool as_yaml = strcmp(output, "yaml") == 0, as_json = strcmp(output, "json") == 0,
             as_name = strcmp(output, "name") == 0;
        go.wide = strcmp(output, "wide") == 0;
        if (*output && !as_yaml && !as_json && !as_name && !go.wide) {
                fprintf(stderr,
                        "error: unable to match a printer suitable for the output format "
                        "\"%s\", allowed formats are: json,name,wide,yaml\n",
                        output);
                return 2;
        }
        if (optind >= argc) {
                usage_get(stderr);
                return 2;
        }
        get_req reqs[GET_MAX_REQUESTS];
        size_t n_reqs = 0;
        int rc = parse_get_args(argc - optind, argv + optind, reqs, &n_reqs, &go.with_kind);
        if (rc >= 0) {
                get_reqs_free(reqs, n_reqs);
                return rc;
        }
        tm_error err = {0};
        res_selector *sel = NULL;
        if (selector && res_selector_parse(selector, &sel, &err) < 0) {
                fprintf(stderr, "error: invalid selector \"%s\": %s\n", selector, err.msg);
                get_reqs_free(reqs, n_reqs);
                return 2;
        }
        _cleanup_(eng_store_closep) eng_store *store = NULL;
        if (eng_store_open(&store, state, false, &err) < 0) {
                fprintf(stderr, "timone get: %s\n", err.msg);
                res_selector_free(sel);
                get_reqs_free(reqs, n_reqs);
                return 2;
        }
        /* The controllers' pods, when `timone serve` has made any. */
        eng_podstore *ps = NULL;
        eng_pod_row *pods = NULL;
        size_t n_pods = 0;
        bool have_pods = false;
        if (eng_podstore_open(&ps, state, false, &err) == 0 && eng_podstore_db(ps) &&
            eng_podstore_list(ps, NULL, &pods, &n_pods, &err) == 0) {
                have_pods = true;
                go.pods = pods;
                go.n_pods = n_pods;
        }
        eng_podstore_close(ps);
        go.now = tm_wall_s();
        tm_buf out = TM_BUF_INIT, errs = TM_BUF_INIT;
        res_value *list = list_value();
        res_value *single = NULL;
        size_t shown = 0, requested = 0;
        bool namespaced_asked = false;
        rc = 0;
        for (size_t q = 0; q < n_reqs && rc != 2; q++) {
                const res_kind_info *k = reqs[q].info;
                namespaced_asked |= k->namespaced;
                eng_record *recs = NULL;
                size_t n = 0;
                const char *nsf = k->namespaced && !go.all_namespaces ? ns : NULL;
                if (have_pods && strcmp(k->kind, "Pod") == 0) {
                        pod_records(pods, n_pods, nsf, &recs, &n);
                } else if (eng_store_list(store, NULL, k->kind, nsf, &recs, &n, &err) < 0) {
                        fprintf(stderr, "timone get: %s\n", err.msg);
                        rc = 2;
                        break;
                } else if (have_pods && strcmp(k->kind, "ReplicaSet") == 0) {
                        derived_rs_records(pods, n_pods, nsf, &recs, &n);
                }
                /* keep what matches, in the order of the names asked for */
                eng_record *keep = xcalloc(n + 1, sizeof(*keep));
                size_t nk = 0;
                if (reqs[q].n_names) {
                        for (size_t a = 0; a < reqs[q].n_names; a++) {
                                requested++;
                                size_t i = 0;
                                while (i < n &&
                                       !(recs[i].id && record_group_is(&recs[i], k->group) &&
                                         strcmp(recs[i].name, reqs[q].names[a]) == 0))
                                        i++;
                                if (i < n && record_selected(&recs[i], sel)) {
                                        keep[nk++] = recs[i];
                                        memset(&recs[i], 0, sizeof(recs[i]));
                                } else {
                                        tm_buf_printf(&errs,
                                                      "Error from server (NotFound): %s%s%s \"%s\" "
                                                      "not found\n",
                                                      k->plural, *k->group ? "." : "", k->group,
                                                      reqs[q].names[a]);
                                        rc = 1;
                                }
                        }
                } else {
                        for (size_t i = 0; i < n; i++)
                                if (record_group_is(&recs[i], k->group) &&
                                    record_selected(&recs[i], sel)) {
                                        keep[nk++] = recs[i];
                                        memset(&recs[i], 0, sizeof(recs[i]));
                                }
                }
                eng_records_free(recs, n);
                shown += nk;
                if (as_yaml || as_json) {
                        for (size_t i = 0; i < nk; i++) {
                                res_value *v = eng_get_object_value(&keep[i]);
                                if (v)
                                        res_seq_push(res_map_get(list, "items"), v);
                        }
                } else if (as_name) {
                        for (size_t i = 0; i < nk; i++)
                                tm_buf_printf(&out, "%s%s%s/%s\n", k->singular,
                                              *k->group ? "." : "", k->group, keep[i].name);
                } else if (nk) {
                        if (out.len)
                                tm_buf_putc(&out, '\n');
                        eng_get_table(k, keep, nk, &go, &out);
                }
                eng_records_free(keep, nk);
        }
        if (as_yaml || as_json) {
                res_value *items = res_map_get(list, "items");
                if (requested == 1 && n_reqs == 1 && items->n == 1)
                        single = items->u.items[0];
                const res_value *v = single ? single : list;
                if (rc != 2 && (single || items->n || requested == 0)) {
                        if (as_yaml)
                                res_emit_yaml(v, &out, 0);
                        else {
                                res_emit_json(v, &out, true);
                                tm_buf_putc(&out, '\n');
                        }
                }
        }
        write_all(stdout, &out);
        write_all(stderr, &errs);
        if (rc == 0 && shown == 0 && requested == 0 && !as_yaml && !as_json) {
                if (namespaced_asked && !go.all_namespaces)
                        fprintf(stderr, "No resources found in %s namespace.\n", ns);
                else
                        fprintf(stderr, "No resources found\n");
        }
        res_value_free(list);
        if (pods)
                eng_pod_rows_free(pods, n_pods);
        tm_buf_free(&out);
        tm_buf_free(&errs);
        res_selector_free(sel);
        get_reqs_free(reqs, n_reqs);
        return rc;
}
