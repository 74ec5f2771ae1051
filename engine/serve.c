/* `timone serve`: the controller daemon. One single-threaded libevent
 * loop: the source is watched (inotify, debounced) or polled (remote git),
 * each new snapshot is planned and applied like `timone apply`, the
 * controllers turn the applied objects into pods, and with --local this
 * machine's agent runs them in-process over the node protocol messages. */
#include "engine/serve.h"

#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <malloc.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/cli_core.h"
#include "engine/controllers.h"
#include "engine/nodemsg.h"
#include "engine/plan.h"
#include "engine/podstore.h"
#include "engine/reconcile.h"
#include "engine/store.h"
#include "engine/volumes.h"
#include "executors/agent.h"
#include "executors/image.h"
#include "executors/runtime.h"
#include "netsetup/podnet.h"
#include "sources/git.h"
#include "sources/source.h"

#define LOCAL_NODE "local"
#define MAX_HOST_PATH_ROOTS 32
#define SERVE_NICE (-5)
/* The settle time when the source looks whole (src_watch_process). */
#define ENG_SETTLE_WHOLE_MS 20

typedef struct serve_opts {
        const char *source;
        const char *state;
        const char *runtime;
        const char *pod_cidr;
        const char *cluster_cidr;
        const char *dns;
        const char *bridge;
        bool local;
        bool allow_privileged;
        uint64_t interval_ms;
        uint64_t debounce_ms;
        const char *host_path_roots[MAX_HOST_PATH_ROOTS + 1];
        size_t n_roots;
        const char *ssh_key, *known_hosts, *credentials, *verify_commits;
        bool insecure_host_key;
} serve_opts;

typedef struct serve {
        serve_opts o;
        struct event_base *base;
        struct event *ev_watch, *ev_settle, *ev_poll, *ev_agent, *ev_agent_fd, *ev_term, *ev_int,
            *ev_hup;
        eng_store *store;
        eng_podstore *pods;
        src_source *src;
        char *last_seen; /* revision of the last snapshot processed, good or bad */
        exe_runtime *rt;
        exe_image_store *images;
        net_podnet *net;
        exe_agent *agent;
        int64_t generation;
        char cluster_id[33];                        /* random, made once per state directory */
        char desired_digest[TM_SHA256_HEX_LEN + 1]; /* of the last NodeDesired sent */
        uint64_t status_at;                         /* monotonic ms of the last node status taken */
        int exit_code;
} serve;

/* The cluster's id: 16 random bytes in hex, kept in <state>/cluster-id. */
static int
load_cluster_id(serve *s, tm_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/cluster-id", s->o.state);
        char *text = NULL;
        size_t len = 0;
        if (tm_file_read(path, 64, &text, &len, NULL) == 0 && len >= 32 &&
            strspn(text, "0123456789abcdef") >= 32) {
                memcpy(s->cluster_id, text, 32);
                s->cluster_id[32] = '\0';
                free(text);
                return 0;
        }
        free(text);
        uint8_t raw[16];
        if (tm_random_bytes(raw, sizeof(raw)) < 0)
                return tm_error_set(err, -EIO, "no randomness for the cluster id");
        tm_hex_encode(raw, sizeof(raw), s->cluster_id);
        return tm_file_write_atomic(path, s->cluster_id, 32, 0600, err);
}

#define STATUS_GAP_MS 50

static void
arm_timer(struct event *ev, uint64_t ms)
{
        struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
        event_add(ev, &tv);
}

static void
log_diags(const res_diags *d)
{
        for (size_t i = 0; i < d->n; i++) {
                tm_buf b = TM_BUF_INIT;
                res_diag_format(&d->items[i], &b);
                tm_err("invalid manifest", "error=%s", b.data);
                tm_buf_free(&b);
        }
        if (d->dropped)
                tm_err("invalid manifest", "more_errors=%zu", d->dropped);
}

/* The applied objects as value trees, for the controllers. */
static int
load_objects(serve *s, res_value ***out, size_t *n_out, tm_error *err)
{
        eng_record *recs = NULL;
        size_t n = 0;
        int r = eng_store_list(s->store, NULL, NULL, NULL, &recs, &n, err);
        if (r < 0)
                return r;
        res_value **objs = xcalloc(n ? n : 1, sizeof(*objs));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *kind = recs[i].kind;
                if (strcmp(kind, "Pod") && strcmp(kind, "Deployment") &&
                    strcmp(kind, "ReplicaSet") && strcmp(kind, "DaemonSet"))
                        continue;
                if ((r = eng_value_from_json(recs[i].json, recs[i].json_len, &objs[k], err)) < 0)
                        break;
                k++;
        }
        eng_records_free(recs, n);
        if (r < 0) {
                for (size_t i = 0; i < k; i++)
                        res_value_free(objs[i]);
                free(objs);
                return r;
        }
        *out = objs;
        *n_out = k;
        return 0;
}

/* Controllers, scheduler, volumes, then the node's desired state. */
static int
sync_nodes(serve *s, tm_error *err)
{
        res_value **objs = NULL;
        size_t n_objs = 0;
        eng_pods current = ENG_PODS_INIT, next = ENG_PODS_INIT;
        eng_volumes vols = ENG_VOLUMES_INIT;
        _cleanup_free_ char *msg = NULL;
        int r;
        if ((r = load_objects(s, &objs, &n_objs, err)) < 0)
                goto out;
        if ((r = eng_podstore_load(s->pods, &current, err)) < 0)
                goto out;
        eng_node_info nodes[] = {{LOCAL_NODE, NULL}};
        size_t n_nodes = s->o.local ? 1 : 0;
        if ((r = eng_controllers_run((const res_value *const *)objs, n_objs, &current, nodes,
                                     n_nodes, s->cluster_id, &next, err)) < 0)
                goto out;
        if ((r = eng_volumes_bind(s->store, s->pods, s->o.state, &next, &vols, err)) < 0)
                goto out;
        bool changed = false;
        if ((r = eng_podstore_sync(s->pods, &next, &changed, err)) < 0)
                goto out;
        for (size_t i = 0; i < next.n; i++) {
                const eng_pod *p = &next.items[i];
                if (!eng_pods_find_uid(&current, p->uid)) {
                        eng_event ev = {(char *)p->ns,
                                        (char *)p->name,
                                        (char *)p->uid,
                                        "Pod",
                                        *p->node ? "Normal" : "Warning",
                                        *p->node ? "Scheduled" : "FailedScheduling",
                                        NULL,
                                        "scheduler",
                                        tm_wall_s(),
                                        tm_wall_s(),
                                        1};
                        _cleanup_free_ char *m =
                            *p->node ? xasprintf("Successfully assigned %s/%s to %s", p->ns,
                                                 p->name, p->node)
                                     : xstrdup("0/1 nodes are available: no node matches "
                                               "the pod's node selector or name");
                        ev.message = m;
                        (void)eng_podstore_add_event(s->pods, &ev, NULL);
                        tm_info("pod created", "pod=%s/%s uid=%s node=%s", p->ns, p->name, p->uid,
                                *p->node ? p->node : "<none>");
                }
        }
        for (size_t i = 0; i < current.n; i++)
                if (!eng_pods_find_uid(&next, current.items[i].uid))
                        tm_info("pod deleted", "pod=%s/%s uid=%s", current.items[i].ns,
                                current.items[i].name, current.items[i].uid);
        if (!s->agent)
                goto out;
        /* The node gets a new message when anything in it changed: its
         * pods, or the ConfigMaps, Secrets and volumes they use. */
        if ((r = eng_node_desired(s->store, LOCAL_NODE, 0, &next, vols.binds, vols.n_binds,
                                  vols.reclaims, vols.n_reclaims, &msg, err)) < 0)
                goto out;
        char digest[TM_SHA256_HEX_LEN + 1];
        tm_sha256_hex(msg, strlen(msg), digest);
        explicit_bzero(msg, strlen(msg));
        free(msg);
        msg = NULL;
        if (changed || s->generation == 0 || strcmp(digest, s->desired_digest) != 0) {
                s->generation = s->generation ? s->generation + 1 : tm_wall_s() * 1000;
                if ((r = eng_node_desired(s->store, LOCAL_NODE, s->generation, &next, vols.binds,
                                          vols.n_binds, vols.reclaims, vols.n_reclaims, &msg,
                                          err)) < 0)
                        goto out;
                r = exe_agent_set_desired(s->agent, msg, strlen(msg), err);
                explicit_bzero(msg, strlen(msg));
                if (r < 0) {
                        tm_error_wrap(err, "node \"%s\"", LOCAL_NODE);
                        goto out;
                }
                memcpy(s->desired_digest, digest, sizeof(digest));
                arm_timer(s->ev_agent, 0);
        }
out:
        for (size_t i = 0; i < n_objs; i++)
                res_value_free(objs[i]);
        free(objs);
        eng_pods_free(&current);
        eng_pods_free(&next);
        eng_volumes_free(&vols);
        return r;
}

static void
process_source(serve *s, bool force)
{
        tm_error err = {0};
        src_snapshot *snap = NULL;
        res_set *set = NULL;
        res_diags diags = RES_DIAGS_INIT;
        if (src_snapshot_take(s->src, &snap, &err) < 0) {
                tm_err("read source failed; the last good revision stays in force",
                       "source=\"%s\" error=\"%s\"", src_source_display(s->src), err.msg);
                return;
        }
        if (!force && tm_streq(s->last_seen, snap->revision)) {
                src_snapshot_free(snap);
                return;
        }
        free(s->last_seen);
        s->last_seen = xstrdup(snap->revision);
        if (src_source_kind(s->src) == SRC_GIT && src_git_last_was_force_push(s->src))
                tm_warn("history rewritten (force-push): following the new tip", "revision=%s",
                        snap->revision);
        int r = eng_desired_from_snapshot(snap, NULL, &set, &diags);
        size_t c[4] = {0};
        if (r == 0)
                r = eng_apply_set(s->store, set, snap, c, NULL, NULL, &diags, &err);
        eng_source_status st = {(char *)src_source_display(s->src),
                                snap->revision,
                                snap->ref,
                                snap->subject,
                                snap->author,
                                r == 0,
                                NULL,
                                tm_wall_s()};
        tm_buf first = TM_BUF_INIT;
        if (r == -EINVAL && res_diags_count(&diags)) {
                res_diags_sort(&diags);
                res_diag_format(&diags.items[0], &first);
                tm_buf_printf(&first, " (%zu error%s)", res_diags_count(&diags),
                              res_diags_count(&diags) == 1 ? "" : "s");
                st.message = first.data;
        } else if (r < 0) {
                st.message = err.msg;
        }
        tm_error serr = {0};
        if (eng_podstore_source_seen(s->pods, &st, &serr) < 0)
                tm_warn("record source status", "error=\"%s\"", serr.msg);
        tm_buf_free(&first);
        if (r == -EINVAL && res_diags_count(&diags)) {
                res_diags_sort(&diags);
                log_diags(&diags);
                tm_err("revision rejected; the last good revision stays in force",
                       "revision=%s errors=%zu", snap->revision, res_diags_count(&diags));
        } else if (r < 0) {
                tm_err("apply failed; the last good revision stays in force",
                       "revision=%s error=\"%s\"", snap->revision, err.msg);
        } else {
                tm_info("revision applied",
                        "revision=%s%s%s created=%zu updated=%zu pruned=%zu unchanged=%zu",
                        snap->revision, snap->ref ? " ref=" : "", snap->ref ? snap->ref : "",
                        c[ENG_ACT_CREATE], c[ENG_ACT_UPDATE], c[ENG_ACT_PRUNE],
                        c[ENG_ACT_UNCHANGED]);
                if (sync_nodes(s, &err) < 0)
                        tm_err("sync nodes failed", "error=\"%s\"", err.msg);
        }
        res_diags_free(&diags);
        res_set_free(set);
        src_snapshot_free(snap);
        /* A revision's decode and plan are done with: give the freed heap
         * back rather than keep it resident until the next one. */
        malloc_trim(0);
}

static void
on_watch(evutil_socket_t fd, short what, void *userdata)
{
        serve *s = userdata;
        tm_error err = {0};
        int r = src_watch_process(s->src, &err);
        if (r < 0)
                tm_warn("watch failed", "error=\"%s\"", err.msg);
        else if (r > 0) {
                /* Re-armed: waits for quiet. Whole files only added or
                 * rewritten (a cp, an editor's save, a rename into place)
                 * need no long wait; a removal may be half of a swap. */
                uint64_t ms = s->o.debounce_ms;
                if (r == SRC_CHANGED_WHOLE && ms > ENG_SETTLE_WHOLE_MS)
                        ms = ENG_SETTLE_WHOLE_MS;
                arm_timer(s->ev_settle, ms);
        }
}

static void
on_settle(evutil_socket_t fd, short what, void *userdata)
{
        process_source(userdata, false);
}

static void
on_poll(evutil_socket_t fd, short what, void *userdata)
{
        serve *s = userdata;
        tm_error err = {0};
        bool changed = false;
        if (src_git_fetch(s->src, &changed, &err) < 0)
                tm_warn("fetch failed; the last applied revision stays in force",
                        "source=\"%s\" error=\"%s\"", src_source_display(s->src), err.msg);
        else if (changed)
                process_source(s, false);
        arm_timer(s->ev_poll, src_git_next_fetch_ms(s->src));
}

static void
on_agent(evutil_socket_t fd, short what, void *userdata)
{
        serve *s = userdata;
        tm_error err = {0};
        uint64_t next = tm_now_ms() + 1000;
        if (exe_agent_reconcile(s->agent, &next, &err) < 0)
                tm_warn("node reconcile", "node=%s error=\"%s\"", LOCAL_NODE, err.msg);
        /* When many containers report one after the other (20 pods
         * starting), their statuses are stored together, at most every
         * STATUS_GAP_MS: one store transaction instead of one per report. */
        uint64_t t = tm_now_ms();
        char *status = NULL;
        if (t >= s->status_at + STATUS_GAP_MS) {
                status = exe_agent_take_status(s->agent);
                s->status_at = t;
        } else if (s->status_at + STATUS_GAP_MS < next) {
                next = s->status_at + STATUS_GAP_MS;
        }
        if (status) {
                bool moved = false;
                tm_error_clear(&err);
                if (eng_node_status_apply(s->pods, LOCAL_NODE, status, strlen(status), &moved,
                                          &err) < 0)
                        tm_warn("node status refused", "node=%s error=\"%s\"", LOCAL_NODE, err.msg);
                free(status);
                if (moved && sync_nodes(s, &err) < 0)
                        tm_err("sync nodes failed", "error=\"%s\"", err.msg);
        }
        uint64_t now = tm_now_ms();
        arm_timer(s->ev_agent, next > now ? next - now : 0);
}

/* The agent's fd: a start reported, a stopping container ended, a
 * removal finished: reconcile now rather than at the next timer. */
static void
on_agent_wake(evutil_socket_t fd, short what, void *userdata)
{
        serve *s = userdata;
        event_del(s->ev_agent);
        on_agent(fd, what, userdata);
}

static void
on_signal(evutil_socket_t sig, short what, void *userdata)
{
        serve *s = userdata;
        if (sig == SIGHUP) {
                tm_info("reload", "source=\"%s\"", src_source_display(s->src));
                process_source(s, true);
                return;
        }
        tm_info("stopping; pods keep running", "signal=%d", (int)sig);
        event_base_loopbreak(s->base);
}

static void
usage(FILE *f)
{
        fprintf(f,
                "usage: timone serve --local --source SOURCE [flags]\n\n"
                "Watches SOURCE and keeps this machine running what it describes.\n\n"
                "  --source SOURCE        directory, bundle or git repository (required)\n"
                "  --local                also run this machine as node \"local\" (required "
                "for now:\n"
                "                         the fleet transport is a later step)\n"
                "  --state DIR            state directory (default %s)\n"
                "  --runtime NAME|PATH    crun or runc (default: crun, else runc)\n"
                "  --interval DURATION    git fetch interval (default 60s, jittered)\n"
                "  --debounce DURATION    quiet time before a changed directory is read "
                "(default 200ms;\n"
                "                         20ms when files were only added or rewritten "
                "and are closed)\n"
                "  --host-path-root DIR   allow hostPath volumes below DIR (repeatable)\n"
                "  --allow-privileged     allow privileged containers\n"
                "  --pod-cidr CIDR        this node's pod addresses (default 10.42.0.0/24)\n"
                "  --cluster-cidr CIDR    every node's pod addresses (default 10.42.0.0/16)\n"
                "  --bridge NAME          the pod bridge (default timone0)\n"
                "  --dns IP               the pods' nameserver (default: the node's own)\n"
                "  --ssh-key FILE, --known-hosts FILE, --credentials FILE,\n"
                "  --insecure-ignore-host-key, --verify-commits KEYS   git access and trust\n"
                "SIGTERM stops the daemon and leaves pods running; SIGHUP re-reads the "
                "source.\n",
                ENG_STATE_DIR_DEFAULT);
}

static int
parse_opts(int argc, char **argv, serve_opts *o)
{
        enum {
                O_SOURCE = 0x100,
                O_LOCAL,
                O_STATE,
                O_RUNTIME,
                O_INTERVAL,
                O_DEBOUNCE,
                O_HOSTROOT,
                O_PRIV,
                O_CIDR,
                O_BRIDGE,
                O_CLUSTER,
                O_DNS,
                O_SSHKEY,
                O_KNOWN,
                O_CREDS,
                O_INSECURE,
                O_VERIFY,
        };
        static const struct option longopts[] = {
            {"source", required_argument, NULL, O_SOURCE},
            {"local", no_argument, NULL, O_LOCAL},
            {"state", required_argument, NULL, O_STATE},
            {"runtime", required_argument, NULL, O_RUNTIME},
            {"interval", required_argument, NULL, O_INTERVAL},
            {"debounce", required_argument, NULL, O_DEBOUNCE},
            {"host-path-root", required_argument, NULL, O_HOSTROOT},
            {"allow-privileged", no_argument, NULL, O_PRIV},
            {"pod-cidr", required_argument, NULL, O_CIDR},
            {"bridge", required_argument, NULL, O_BRIDGE},
            {"cluster-cidr", required_argument, NULL, O_CLUSTER},
            {"dns", required_argument, NULL, O_DNS},
            {"ssh-key", required_argument, NULL, O_SSHKEY},
            {"known-hosts", required_argument, NULL, O_KNOWN},
            {"credentials", required_argument, NULL, O_CREDS},
            {"insecure-ignore-host-key", no_argument, NULL, O_INSECURE},
            {"verify-commits", required_argument, NULL, O_VERIFY},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        memset(o, 0, sizeof(*o));
        o->state = ENG_STATE_DIR_DEFAULT;
        o->interval_ms = 60000;
        o->debounce_ms = 200;
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case O_SOURCE:
                        o->source = optarg;
                        break;
                case O_LOCAL:
                        o->local = true;
                        break;
                case O_STATE:
                        o->state = optarg;
                        break;
                case O_RUNTIME:
                        o->runtime = optarg;
                        break;
                case O_INTERVAL:
                case O_DEBOUNCE:
                        if (tm_parse_duration_ms(optarg, c == O_INTERVAL ? &o->interval_ms
                                                                         : &o->debounce_ms) < 0 ||
                            (c == O_INTERVAL && o->interval_ms < 1000)) {
                                fprintf(stderr, "timone serve: bad duration \"%s\" for --%s\n",
                                        optarg, c == O_INTERVAL ? "interval" : "debounce");
                                return 2;
                        }
                        break;
                case O_HOSTROOT:
                        if (o->n_roots >= MAX_HOST_PATH_ROOTS || optarg[0] != '/' ||
                            !strcmp(optarg, "/")) {
                                fprintf(stderr,
                                        "timone serve: --host-path-root \"%s\": an absolute "
                                        "directory other than \"/\" (at most %d)\n",
                                        optarg, MAX_HOST_PATH_ROOTS);
                                return 2;
                        }
                        o->host_path_roots[o->n_roots++] = optarg;
                        break;
                case O_PRIV:
                        o->allow_privileged = true;
                        break;
                case O_CIDR:
                        o->pod_cidr = optarg;
                        break;
                case O_BRIDGE:
                        o->bridge = optarg;
                        break;
                case O_CLUSTER:
                        o->cluster_cidr = optarg;
                        break;
                case O_DNS:
                        o->dns = optarg;
                        break;
                case O_SSHKEY:
                        o->ssh_key = optarg;
                        break;
                case O_KNOWN:
                        o->known_hosts = optarg;
                        break;
                case O_CREDS:
                        o->credentials = optarg;
                        break;
                case O_INSECURE:
                        o->insecure_host_key = true;
                        break;
                case O_VERIFY:
                        o->verify_commits = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        fprintf(stderr, "timone serve: unknown or incomplete flag \"%s\"\n",
                                argv[optind - 1]);
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "timone serve: unexpected argument \"%s\"\n", argv[optind]);
                return 2;
        }
        if (!o->source) {
                fprintf(stderr, "timone serve: --source is required\n");
                usage(stderr);
                return 2;
        }
        if (!o->local) {
                fprintf(stderr, "timone serve: only --local is available in this build (the "
                                "fleet transport is not there yet)\n");
                return 2;
        }
        return -1;
}

/* No cluster DNS runs yet: pods ask the node's own resolver, the first
 * nameserver of /etc/resolv.conf that a pod can reach (not loopback). */
static char *
host_nameserver(void)
{
        char *text = NULL;
        if (tm_file_read("/etc/resolv.conf", 64 * 1024, &text, NULL, NULL) < 0)
                return NULL;
        char *found = NULL, *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line && !found;
             line = strtok_r(NULL, "\n", &save)) {
                char ip[64];
                if (sscanf(line, " nameserver %63s", ip) == 1 && strchr(ip, '.') &&
                    !tm_str_has_prefix(ip, "127."))
                        found = xstrdup(ip);
        }
        free(text);
        return found;
}

static int
open_local_node(serve *s, tm_error *err)
{
        int r;
        exe_runtime_options ro = {s->o.runtime, s->o.state, NULL};
        if ((r = exe_runtime_open(&s->rt, &ro, err)) < 0)
                return r;
        if ((r = exe_image_store_open(&s->images, s->o.state, err)) < 0)
                return r;
        net_podnet_options no = {0};
        no.state_dir = s->o.state;
        no.bridge = s->o.bridge;
        no.pod_cidr = s->o.pod_cidr;
        no.cluster_cidr = s->o.cluster_cidr;
        _cleanup_free_ char *dns = s->o.dns ? xstrdup(s->o.dns) : host_nameserver();
        no.dns_server = dns;
        if ((r = net_podnet_open(&s->net, &no, err)) < 0)
                return r;
        exe_agent_options ao = {0};
        ao.state_dir = s->o.state;
        ao.node_name = LOCAL_NODE;
        ao.runtime = s->rt;
        ao.images = s->images;
        ao.net = s->net;
        ao.host_path_roots = s->o.n_roots ? s->o.host_path_roots : NULL;
        ao.allow_privileged = s->o.allow_privileged;
        if ((r = exe_agent_open(&s->agent, &ao, err)) < 0)
                return r;
        tm_info("node ready", "node=%s runtime=%s cgroups=%s", LOCAL_NODE, exe_runtime_name(s->rt),
                exe_runtime_cgroup_mode(s->rt));
        return 0;
}

static void
serve_close(serve *s)
{
        struct event *evs[] = {s->ev_watch,    s->ev_settle, s->ev_poll, s->ev_agent,
                               s->ev_agent_fd, s->ev_term,   s->ev_int,  s->ev_hup};
        for (size_t i = 0; i < TM_ARRAY_SIZE(evs); i++)
                if (evs[i])
                        event_free(evs[i]);
        if (s->agent)
                exe_agent_close(s->agent);
        if (s->net)
                net_podnet_close(s->net);
        if (s->images)
                exe_image_store_close(s->images);
        if (s->rt)
                exe_runtime_close(s->rt);
        if (s->src)
                src_close(s->src);
        if (s->pods)
                eng_podstore_close(s->pods);
        if (s->store)
                eng_store_close(s->store);
        if (s->base)
                event_base_free(s->base);
        free(s->last_seen);
}

int
eng_cli_serve(int argc, char **argv)
{
        serve s;
        memset(&s, 0, sizeof(s));
        int rc = parse_opts(argc, argv, &s.o);
        if (rc >= 0)
                return rc;
        tm_error err = {0};
        int r;
        signal(SIGPIPE, SIG_IGN);
        src_options so;
        src_options_default(&so);
        so.state_dir = s.o.state;
        so.ssh_key = s.o.ssh_key;
        so.known_hosts = s.o.known_hosts;
        so.credentials_file = s.o.credentials;
        so.insecure_ignore_host_key = s.o.insecure_host_key;
        so.verify_commits_keys = s.o.verify_commits;
        if ((r = eng_store_open(&s.store, s.o.state, true, &err)) < 0 ||
            (r = eng_podstore_open(&s.pods, s.o.state, true, &err)) < 0 ||
            (r = load_cluster_id(&s, &err)) < 0 ||
            (r = src_open(&s.src, s.o.source, &so, &err)) < 0)
                goto fail;
        s.base = event_base_new();
        if (!s.base) {
                r = tm_error_set(&err, -ENOMEM, "event loop");
                goto fail;
        }
        if (s.o.local && (r = open_local_node(&s, &err)) < 0)
                goto fail;
        s.ev_settle = evtimer_new(s.base, on_settle, &s);
        s.ev_agent = evtimer_new(s.base, on_agent, &s);
        if (s.agent) {
                s.ev_agent_fd = event_new(s.base, exe_agent_fd(s.agent), EV_READ | EV_PERSIST,
                                          on_agent_wake, &s);
                event_add(s.ev_agent_fd, NULL);
        }
        s.ev_term = evsignal_new(s.base, SIGTERM, on_signal, &s);
        s.ev_int = evsignal_new(s.base, SIGINT, on_signal, &s);
        s.ev_hup = evsignal_new(s.base, SIGHUP, on_signal, &s);
        event_add(s.ev_term, NULL);
        event_add(s.ev_int, NULL);
        event_add(s.ev_hup, NULL);
        if (src_source_kind(s.src) == SRC_GIT) {
                src_git_set_interval(s.src, s.o.interval_ms);
                /* A force-push made while the daemon was down is still seen. */
                _cleanup_free_ char *last = NULL;
                if (eng_store_last_revision(s.store, &last, NULL) == 0 && last &&
                    strlen(last) == 40)
                        (void)src_git_set_last_seen(s.src, last, NULL);
        }
        if ((r = src_watch_start(s.src, &err)) < 0)
                goto fail;
        int fd = src_watch_fd(s.src);
        if (fd >= 0) {
                s.ev_watch = event_new(s.base, fd, EV_READ | EV_PERSIST, on_watch, &s);
                event_add(s.ev_watch, NULL);
        }
        if (src_source_kind(s.src) == SRC_GIT) {
                s.ev_poll = evtimer_new(s.base, on_poll, &s);
                arm_timer(s.ev_poll, src_git_next_fetch_ms(s.src));
        }
        /* The control loop runs above the workloads it starts, so that 20
         * runtimes starting at once (or a busy pod) cannot starve it on a
         * two-core board; shims drop back to the priority of the
         * containers. An operator's own nice value is kept. */
        errno = 0;
        if (getpriority(PRIO_PROCESS, 0) == 0 && errno == 0 &&
            setpriority(PRIO_PROCESS, 0, SERVE_NICE) == 0)
                tm_debug("priority raised", "nice=%d", SERVE_NICE);
        tm_info("serving", "source=\"%s\" state=\"%s\" node=%s", src_source_display(s.src),
                s.o.state, s.o.local ? LOCAL_NODE : "<none>");
        /* The pods already assigned are sent before the first snapshot, so
         * a restart re-adopts them even when the source is unreadable. */
        if (sync_nodes(&s, &err) < 0)
                tm_err("sync nodes failed", "error=\"%s\"", err.msg);
        process_source(&s, false);
        event_base_dispatch(s.base);
        serve_close(&s);
        return 0;
fail:
        fprintf(stderr, "timone serve: %s\n", err.msg);
        serve_close(&s);
        return 1;
}
