/* `timone logs`, `timone describe` and `timone exec`: looking at what runs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "engine/cli_core.h"
#include "engine/plan.h"
#include "engine/podstore.h"
#include "engine/podview.h"
#include "engine/store.h"
#include "executors/runtime.h"
#include "resources/object.h"

int eng_cli_logs(int argc, char **argv);
int eng_cli_describe(int argc, char **argv);
int eng_cli_exec(int argc, char **argv);

TM_DEFINE_CLEANUP(eng_podstore, eng_podstore_close)

/* The pod row named ns/name; 1 (with kubectl's message) when absent. */
static int
find_pod(eng_podstore *ps, const char *ns, const char *name, eng_pod_row **rows, size_t *n,
         eng_pod_row **found)
{
        tm_error err = {0};
        if (eng_podstore_list(ps, ns, rows, n, &err) < 0) {
                fprintf(stderr, "timone: %s\n", err.msg);
                return 2;
        }
        /* A replaced pod may still be stopping under the same name: the
         * one not being deleted is the pod. */
        *found = NULL;
        for (size_t i = 0; i < *n; i++)
                if (!strcmp((*rows)[i].pod.name, name) &&
                    (!*found || eng_pod_terminating(&(*found)->pod)))
                        *found = &(*rows)[i];
        if (*found)
                return 0;
        fprintf(stderr, "Error from server (NotFound): pods \"%s\" not found\n", name);
        return 1;
}

/* Opens the pod store of state read-only and finds pod ns/name, printing
 * `timone VERB: ...` or kubectl's NotFound. Returns 0 or the exit status;
 * on success the caller frees *rows and closes *ps. */
static int
open_pod(const char *verb, const char *state, const char *ns, const char *name, eng_podstore **ps,
         eng_pod_row **rows, size_t *n, eng_pod_row **row)
{
        tm_error err = {0};
        if (eng_podstore_open(ps, state, false, &err) < 0) {
                fprintf(stderr, "timone %s: %s\n", verb, err.msg);
                return 2;
        }
        int rc = find_pod(*ps, ns, name, rows, n, row);
        if (rc) {
                eng_pod_rows_free(*rows, *n);
                *rows = NULL;
                *n = 0;
        }
        return rc;
}

static const res_value *
container_status(const res_value *status, const char *name, bool *init)
{
        const char *lists[] = {"containerStatuses", "initContainerStatuses"};
        for (int l = 0; l < 2; l++) {
                const res_value *s = res_map_get(status, lists[l]);
                for (uint32_t i = 0; s && s->type == RES_SEQ && i < s->n; i++)
                        if (!strcmp(res_get_str(s->u.items[i], "name", ""), name)) {
                                if (init)
                                        *init = l == 1;
                                return s->u.items[i];
                        }
        }
        return NULL;
}

/* --- logs --- */

static volatile sig_atomic_t stop_following;

static void
on_sigint(int sig)
{
        (void)sig;
        stop_following = 1;
}

/* Writes the message part of CRI log lines ("TIME STREAM F|P MSG"). */
static void
print_cri(const char *buf, size_t len, bool timestamps)
{
        const char *p = buf, *end = buf + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;
                const char *s1 = memchr(p, ' ', (size_t)(e - p));
                const char *s2 = s1 ? memchr(s1 + 1, ' ', (size_t)(e - s1 - 1)) : NULL;
                const char *s3 = s2 ? memchr(s2 + 1, ' ', (size_t)(e - s2 - 1)) : NULL;
                if (s3) {
                        bool partial = s2[1] == 'P';
                        if (timestamps)
                                fwrite(p, 1, (size_t)(s1 - p + 1), stdout);
                        fwrite(s3 + 1, 1, (size_t)(e - s3 - 1), stdout);
                        if (!partial)
                                fputc('\n', stdout);
                }
                p = nl ? nl + 1 : end;
        }
}

static char *
read_all(const char *path, size_t *len)
{
        char *data = NULL;
        if (tm_file_read(path, 256u << 20, &data, len, NULL) < 0)
                return NULL;
        return data;
}

/* The last n lines of buf (n < 0: all). */
static const char *
tail_lines(const char *buf, size_t len, long n)
{
        if (n < 0)
                return buf;
        const char *p = buf + len;
        long seen = 0;
        if (p > buf && p[-1] == '\n')
                p--;
        while (p > buf) {
                if (p[-1] == '\n' && ++seen == n)
                        return p;
                p--;
        }
        return buf;
}

int
eng_cli_logs(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"namespace", required_argument, NULL, 'n'},
            {"container", required_argument, NULL, 'c'},
            {"follow", no_argument, NULL, 'f'},
            {"previous", no_argument, NULL, 'p'},
            {"tail", required_argument, NULL, 't'},
            {"timestamps", no_argument, NULL, 'T'},
            {"state", required_argument, NULL, 's'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *ns = "default", *cname = NULL, *state = ENG_STATE_DIR_DEFAULT;
        bool follow = false, previous = false, stamps = false;
        long tail = -1;
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "n:c:fph", longopts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        ns = optarg;
                        break;
                case 'c':
                        cname = optarg;
                        break;
                case 'f':
                        follow = true;
                        break;
                case 'p':
                        previous = true;
                        break;
                case 'T':
                        stamps = true;
                        break;
                case 't': {
                        char *end = NULL;
                        tail = strtol(optarg, &end, 10);
                        if (!*optarg || *end || tail < -1 || tail > 100000000) {
                                fprintf(stderr, "timone logs: bad --tail \"%s\"\n", optarg);
                                return 2;
                        }
                        break;
                }
                case 's':
                        state = optarg;
                        break;
                case 'h':
                        printf("usage: timone logs POD [-c CONTAINER] [-n NS] [-f] [--previous] "
                               "[--tail N] [--timestamps] [--state DIR]\n");
                        return 0;
                default:
                        fprintf(stderr, "timone logs: unknown or incomplete flag \"%s\"\n",
                                argv[optind - 1]);
                        return 2;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "usage: timone logs POD [-c CONTAINER] [-n NS] [-f] [--previous] "
                                "[--tail N]\n");
                return 2;
        }
        const char *pod = argv[optind];
        _cleanup_(eng_podstore_closep) eng_podstore *ps = NULL;
        eng_pod_row *rows = NULL, *row = NULL;
        size_t n = 0;
        int rc = open_pod("logs", state, ns, pod, &ps, &rows, &n, &row);
        if (rc)
                return rc;
        const res_value *cs = res_get(row->pod.obj, "spec", "containers", NULL);
        if (!cname) {
                if (cs && cs->n > 1) {
                        fprintf(stderr,
                                "error: a container name must be specified for pod %s, choose "
                                "one of: [",
                                pod);
                        for (uint32_t i = 0; i < cs->n; i++)
                                fprintf(stderr, "%s%s", i ? " " : "",
                                        res_get_str(cs->u.items[i], "name", ""));
                        fprintf(stderr, "]\n");
                        eng_pod_rows_free(rows, n);
                        return 2;
                }
                cname = cs && cs->n ? res_get_str(cs->u.items[0], "name", "") : "";
        }
        res_value *status = NULL;
        if (row->status)
                eng_value_from_json(row->status, strlen(row->status), &status, NULL);
        bool init = false;
        const res_value *cst = container_status(status, cname, &init);
        bool known = false;
        const char *lists[] = {"containers", "initContainers"};
        for (int l = 0; l < 2; l++) {
                const res_value *s = res_get(row->pod.obj, "spec", lists[l], NULL);
                for (uint32_t i = 0; s && i < s->n; i++)
                        known |= !strcmp(res_get_str(s->u.items[i], "name", ""), cname);
        }
        if (!known) {
                fprintf(stderr, "error: container %s is not valid for pod %s\n", cname, pod);
                res_value_free(status);
                eng_pod_rows_free(rows, n);
                return 2;
        }
        long attempt = cst ? res_get_int(cst, "restartCount", 0) : 0;
        if (previous) {
                if (attempt == 0) {
                        fprintf(stderr,
                                "Error from server (BadRequest): previous terminated container "
                                "\"%s\" in pod \"%s\" not found\n",
                                cname, pod);
                        res_value_free(status);
                        eng_pod_rows_free(rows, n);
                        return 1;
                }
                attempt--;
        }
        _cleanup_free_ char *path =
            xasprintf("%s/pods/%s/logs/%s/%ld.log", state, row->pod.uid, cname, attempt);
        res_value_free(status);
        eng_pod_rows_free(rows, n);
        /* Rotated files first (oldest is the highest number), then the current one. */
        tm_buf all = TM_BUF_INIT;
        for (int k = 9; k >= 0; k--) {
                _cleanup_free_ char *p = k ? xasprintf("%s.%d", path, k) : xstrdup(path);
                size_t len = 0;
                char *data = read_all(p, &len);
                if (data)
                        tm_buf_append(&all, data, len);
                free(data);
        }
        if (all.len) {
                const char *from = tail_lines(all.data, all.len, tail);
                print_cri(from, all.len - (size_t)(from - all.data), stamps);
        }
        fflush(stdout);
        tm_buf_free(&all);
        if (!follow)
                return 0;
        signal(SIGINT, on_sigint);
        signal(SIGTERM, on_sigint);
        struct stat st;
        off_t pos = stat(path, &st) == 0 ? st.st_size : 0;
        ino_t ino = stat(path, &st) == 0 ? st.st_ino : 0;
        while (!stop_following) {
                usleep(200000);
                if (stat(path, &st) < 0)
                        continue;
                if (st.st_ino != ino) { /* rotated: read the new file from its start */
                        ino = st.st_ino;
                        pos = 0;
                }
                if (st.st_size <= pos)
                        continue;
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                size_t want = (size_t)(st.st_size - pos);
                if (want > (1u << 20))
                        want = 1u << 20;
                char *buf = xmalloc(want);
                ssize_t got = pread(fd, buf, want, pos);
                close(fd);
                if (got > 0) {
                        /* Only whole lines. */
                        const char *last = memrchr(buf, '\n', (size_t)got);
                        if (last) {
                                size_t use = (size_t)(last - buf + 1);
                                print_cri(buf, use, stamps);
                                fflush(stdout);
                                pos += (off_t)use;
                        }
                }
                free(buf);
        }
        return 0;
}

/* --- describe --- */

static void
ago(int64_t t, char *out, size_t n)
{
        if (!t) {
                snprintf(out, n, "<unknown>");
                return;
        }
        tm_format_age(tm_wall_s() - t, out, n);
}

static void
print_map(tm_buf *b, const char *title, const res_value *m)
{
        tm_buf_printf(b, "%-14s", title);
        if (!m || m->type != RES_MAP || m->n == 0) {
                tm_buf_puts(b, "<none>\n");
                return;
        }
        for (uint32_t i = 0; i < m->n; i++) {
                const res_value *v = m->u.members[i].value;
                tm_buf_printf(b, "%s%s=%s\n", i ? "              " : "", m->u.members[i].key,
                              v->type == RES_STR ? v->u.s : "");
        }
}

static void
print_state(tm_buf *b, const char *title, const res_value *st)
{
        const res_value *run = res_map_get(st, "running");
        const res_value *wait = res_map_get(st, "waiting");
        const res_value *term = res_map_get(st, "terminated");
        if (run) {
                tm_buf_printf(b, "    %-16sRunning\n      Started:      %s\n", title,
                              res_get_str(run, "startedAt", ""));
        } else if (wait) {
                tm_buf_printf(b, "    %-16sWaiting\n      Reason:       %s\n", title,
                              res_get_str(wait, "reason", ""));
                if (*res_get_str(wait, "message", ""))
                        tm_buf_printf(b, "      Message:      %s\n",
                                      res_get_str(wait, "message", ""));
        } else if (term) {
                tm_buf_printf(b,
                              "    %-16sTerminated\n      Reason:       %s\n      Exit Code:    "
                              "%lld\n      Started:      %s\n      Finished:     %s\n",
                              title, res_get_str(term, "reason", ""),
                              (long long)res_get_int(term, "exitCode", 0),
                              res_get_str(term, "startedAt", ""),
                              res_get_str(term, "finishedAt", ""));
        } else {
                tm_buf_printf(b, "    %-16s<none>\n", title);
        }
}

static void
port_str(const res_value *v, char *out, size_t n)
{
        if (v && v->type == RES_INT)
                snprintf(out, n, "%lld", (long long)v->u.i);
        else
                snprintf(out, n, "%s", v && v->type == RES_STR ? v->u.s : "");
}

/* kubectl's DescribeProbe: "http-get http://:8080/healthz delay=0s
 * timeout=1s period=10s #success=1 #failure=3". */
static void
describe_probe(tm_buf *b, const char *title, const res_value *p)
{
        char attrs[160], port[64];
        snprintf(attrs, sizeof(attrs),
                 "delay=%llds timeout=%llds period=%llds #success=%lld #failure=%lld",
                 (long long)res_get_int(p, "initialDelaySeconds", 0),
                 (long long)res_get_int(p, "timeoutSeconds", 1),
                 (long long)res_get_int(p, "periodSeconds", 10),
                 (long long)res_get_int(p, "successThreshold", 1),
                 (long long)res_get_int(p, "failureThreshold", 3));
        tm_buf_printf(b, "    %s:%*s", title, (int)(15 - strlen(title)), "");
        const res_value *h;
        if ((h = res_map_get(p, "exec"))) {
                const res_value *cmd = res_map_get(h, "command");
                tm_buf_puts(b, "exec [");
                for (uint32_t i = 0; cmd && cmd->type == RES_SEQ && i < cmd->n; i++)
                        tm_buf_printf(b, "%s%s", i ? " " : "",
                                      cmd->u.items[i]->type == RES_STR ? cmd->u.items[i]->u.s : "");
                tm_buf_printf(b, "] %s\n", attrs);
        } else if ((h = res_map_get(p, "httpGet"))) {
                const char *scheme = res_get_str(h, "scheme", "HTTP");
                const char *host = res_get_str(h, "host", "");
                port_str(res_map_get(h, "port"), port, sizeof(port));
                tm_buf_printf(b, "http-get %s://%s%s%s:%s%s %s\n",
                              strcmp(scheme, "HTTPS") ? "http" : "https",
                              strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
                              port, res_get_str(h, "path", "/"), attrs);
        } else if ((h = res_map_get(p, "tcpSocket"))) {
                port_str(res_map_get(h, "port"), port, sizeof(port));
                tm_buf_printf(b, "tcp-socket %s:%s %s\n", res_get_str(h, "host", ""), port, attrs);
        } else if ((h = res_map_get(p, "grpc"))) {
                tm_buf_printf(b, "grpc <pod>:%lld %s %s\n", (long long)res_get_int(h, "port", 0),
                              res_get_str(h, "service", ""), attrs);
        } else {
                tm_buf_printf(b, "unknown %s\n", attrs);
        }
}

static void
print_container(tm_buf *b, const res_value *c, const res_value *cst)
{
        tm_buf_printf(b, "  %s:\n", res_get_str(c, "name", ""));
        tm_buf_printf(b, "    Container ID:   %s\n", res_get_str(cst, "containerID", ""));
        tm_buf_printf(b, "    Image:          %s\n", res_get_str(c, "image", ""));
        tm_buf_printf(b, "    Image ID:       %s\n", res_get_str(cst, "imageID", ""));
        const res_value *ports = res_map_get(c, "ports");
        for (uint32_t i = 0; ports && ports->type == RES_SEQ && i < ports->n; i++)
                tm_buf_printf(b, "    Port:           %lld/%s\n",
                              (long long)res_get_int(ports->u.items[i], "containerPort", 0),
                              res_get_str(ports->u.items[i], "protocol", "TCP"));
        const char *lists[] = {"command", "args"};
        const char *titles[] = {"Command", "Args"};
        for (int l = 0; l < 2; l++) {
                const res_value *s = res_map_get(c, lists[l]);
                if (!s || s->type != RES_SEQ)
                        continue;
                tm_buf_printf(b, "    %s:\n", titles[l]);
                for (uint32_t i = 0; i < s->n; i++)
                        tm_buf_printf(b, "      %s\n",
                                      s->u.items[i]->type == RES_STR ? s->u.items[i]->u.s : "");
        }
        print_state(b, "State:", res_map_get(cst, "state"));
        const res_value *last = res_map_get(cst, "lastState");
        if (last && last->type == RES_MAP && last->n)
                print_state(b, "Last State:", last);
        tm_buf_printf(b, "    Ready:          %s\n",
                      res_get_bool(cst, "ready", false) ? "True" : "False");
        tm_buf_printf(b, "    Restart Count:  %lld\n",
                      (long long)res_get_int(cst, "restartCount", 0));
        const char *rs[] = {"limits", "requests"};
        const char *rt[] = {"Limits", "Requests"};
        for (int l = 0; l < 2; l++) {
                const res_value *m = res_get(c, "resources", rs[l], NULL);
                if (!m || m->type != RES_MAP || !m->n)
                        continue;
                tm_buf_printf(b, "    %s:\n", rt[l]);
                for (uint32_t i = 0; i < m->n; i++)
                        tm_buf_printf(b, "      %s:  %s\n", m->u.members[i].key,
                                      m->u.members[i].value->type == RES_STR
                                          ? m->u.members[i].value->u.s
                                          : "");
        }
        const char *pk[] = {"livenessProbe", "readinessProbe", "startupProbe"};
        const char *pt[] = {"Liveness", "Readiness", "Startup"};
        for (int k = 0; k < 3; k++) {
                const res_value *pr = res_map_get(c, pk[k]);
                if (pr && pr->type == RES_MAP)
                        describe_probe(b, pt[k], pr);
        }
        /* Names and where values come from: never the values of secrets. */
        const res_value *env = res_map_get(c, "env");
        tm_buf_puts(b, "    Environment:");
        if (!env || env->type != RES_SEQ || !env->n)
                tm_buf_puts(b, "  <none>\n");
        else
                tm_buf_putc(b, '\n');
        for (uint32_t i = 0; env && env->type == RES_SEQ && i < env->n; i++) {
                const res_value *e = env->u.items[i];
                const res_value *vf = res_map_get(e, "valueFrom");
                const res_value *sk = res_map_get(vf, "secretKeyRef");
                const res_value *ck = res_map_get(vf, "configMapKeyRef");
                const res_value *fr = res_map_get(vf, "fieldRef");
                tm_buf_printf(b, "      %s:  ", res_get_str(e, "name", ""));
                if (sk)
                        tm_buf_printf(b, "<set to the key '%s' in secret '%s'>\n",
                                      res_get_str(sk, "key", ""), res_get_str(sk, "name", ""));
                else if (ck)
                        tm_buf_printf(b, "<set to the key '%s' of config map '%s'>\n",
                                      res_get_str(ck, "key", ""), res_get_str(ck, "name", ""));
                else if (fr)
                        tm_buf_printf(b, "(%s)\n", res_get_str(fr, "fieldPath", ""));
                else
                        tm_buf_printf(b, "%s\n", res_get_str(e, "value", ""));
        }
        const res_value *vm = res_map_get(c, "volumeMounts");
        tm_buf_printf(b, "    Mounts:%s\n", vm && vm->type == RES_SEQ && vm->n ? "" : "  <none>");
        for (uint32_t i = 0; vm && vm->type == RES_SEQ && i < vm->n; i++)
                tm_buf_printf(b, "      %s from %s (%s)\n",
                              res_get_str(vm->u.items[i], "mountPath", ""),
                              res_get_str(vm->u.items[i], "name", ""),
                              res_get_bool(vm->u.items[i], "readOnly", false) ? "ro" : "rw");
}

static void
print_volumes(tm_buf *b, const res_value *vols)
{
        tm_buf_printf(b, "Volumes:%s\n",
                      vols && vols->type == RES_SEQ && vols->n ? "" : "  <none>");
        for (uint32_t i = 0; vols && vols->type == RES_SEQ && i < vols->n; i++) {
                const res_value *v = vols->u.items[i];
                tm_buf_printf(b, "  %s:\n", res_get_str(v, "name", ""));
                const res_value *x;
                if ((x = res_map_get(v, "configMap")))
                        tm_buf_printf(b,
                                      "    Type:      ConfigMap (a volume populated by a "
                                      "ConfigMap)\n    Name:      %s\n",
                                      res_get_str(x, "name", ""));
                else if ((x = res_map_get(v, "secret")))
                        tm_buf_printf(b,
                                      "    Type:        Secret (a volume populated by a Secret)\n"
                                      "    SecretName:  %s\n",
                                      res_get_str(x, "secretName", ""));
                else if ((x = res_map_get(v, "emptyDir")))
                        tm_buf_printf(b,
                                      "    Type:       EmptyDir (a temporary directory that "
                                      "shares a pod's lifetime)\n    Medium:     %s\n",
                                      res_get_str(x, "medium", ""));
                else if ((x = res_map_get(v, "hostPath")))
                        tm_buf_printf(b,
                                      "    Type:          HostPath (bare host directory volume)\n"
                                      "    Path:          %s\n",
                                      res_get_str(x, "path", ""));
                else if ((x = res_map_get(v, "persistentVolumeClaim")))
                        tm_buf_printf(
                            b,
                            "    Type:       PersistentVolumeClaim (a reference to a "
                            "PersistentVolumeClaim in the same namespace)\n    ClaimName:  "
                            "%s\n",
                            res_get_str(x, "claimName", ""));
        }
}

static void
print_events(tm_buf *b, eng_podstore *ps, const char *ns, const char *name, const char *uid)
{
        eng_event *evs = NULL;
        size_t n = 0;
        eng_podstore_events(ps, ns, name, &evs, &n, NULL);
        size_t shown = 0;
        for (size_t i = 0; i < n; i++)
                shown += !uid || !strcmp(evs[i].uid, uid);
        if (!shown) {
                tm_buf_puts(b, "Events:  <none>\n");
                eng_events_free(evs, n);
                return;
        }
        tm_buf_printf(
            b, "Events:\n  %-8s  %-18s  %-6s  %-16s  %s\n  %-8s  %-18s  %-6s  %-16s  %s\n", "Type",
            "Reason", "Age", "From", "Message", "----", "------", "----", "----", "-------");
        for (size_t i = 0; i < n; i++) {
                if (uid && strcmp(evs[i].uid, uid))
                        continue;
                char age[32];
                ago(evs[i].last, age, sizeof(age));
                _cleanup_free_ char *agec =
                    evs[i].count > 1 ? xasprintf("%s (x%lld)", age, (long long)evs[i].count)
                                     : xstrdup(age);
                tm_buf_printf(b, "  %-8s  %-18s  %-6s  %-16s  %s\n", evs[i].type, evs[i].reason,
                              agec, evs[i].source, evs[i].message);
        }
        eng_events_free(evs, n);
}

static void
describe_pod(tm_buf *b, eng_podstore *ps, const eng_pod_row *row)
{
        const res_value *pod = row->pod.obj;
        const res_value *meta = res_map_get(pod, "metadata");
        const res_value *spec = res_map_get(pod, "spec");
        res_value *status = NULL;
        if (row->status)
                eng_value_from_json(row->status, strlen(row->status), &status, NULL);
        eng_pod_view view;
        eng_pod_view_make(pod, status, &view);
        tm_buf_printf(b, "Name:         %s\nNamespace:    %s\n", row->pod.name, row->pod.ns);
        tm_buf_printf(b, "Node:         %s\n", *row->pod.node ? row->pod.node : "<none>");
        tm_buf_printf(b, "Start Time:   %s\n", res_get_str(status, "startTime", "<unset>"));
        print_map(b, "Labels:", res_map_get(meta, "labels"));
        print_map(b, "Annotations:", res_map_get(meta, "annotations"));
        tm_buf_printf(b, "Status:       %s\n", res_get_str(status, "phase", "Pending"));
        if (*res_get_str(status, "reason", ""))
                tm_buf_printf(b, "Reason:       %s\nMessage:      %s\n",
                              res_get_str(status, "reason", ""),
                              res_get_str(status, "message", ""));
        tm_buf_printf(b, "IP:           %s\n", view.ip[0] ? view.ip : "");
        if (*row->pod.owner_kind)
                tm_buf_printf(b, "Controlled By:  %s/%s\n", row->pod.owner_kind,
                              row->pod.owner_name);
        const char *lists[] = {"initContainers", "containers"};
        const char *titles[] = {"Init Containers:", "Containers:"};
        for (int l = 0; l < 2; l++) {
                const res_value *cs = res_map_get(spec, lists[l]);
                if (!cs || cs->type != RES_SEQ || !cs->n)
                        continue;
                tm_buf_printf(b, "%s\n", titles[l]);
                for (uint32_t i = 0; i < cs->n; i++)
                        print_container(b, cs->u.items[i],
                                        container_status(
                                            status, res_get_str(cs->u.items[i], "name", ""), NULL));
        }
        tm_buf_puts(b, "Conditions:\n  Type              Status\n");
        const res_value *conds = res_map_get(status, "conditions");
        for (uint32_t i = 0; conds && conds->type == RES_SEQ && i < conds->n; i++)
                tm_buf_printf(b, "  %-16s  %s\n", res_get_str(conds->u.items[i], "type", ""),
                              res_get_str(conds->u.items[i], "status", ""));
        print_volumes(b, res_map_get(spec, "volumes"));
        print_events(b, ps, row->pod.ns, row->pod.name, row->pod.uid);
        res_value_free(status);
}

int
eng_cli_describe(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"namespace", required_argument, NULL, 'n'},
            {"state", required_argument, NULL, 's'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *ns = "default", *state = ENG_STATE_DIR_DEFAULT;
        optind = 1;
        opterr = 0;
        int c;
        while ((c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        ns = optarg;
                        break;
                case 's':
                        state = optarg;
                        break;
                case 'h':
                        printf("usage: timone describe KIND NAME [-n NS] [--state DIR]\n");
                        return 0;
                default:
                        fprintf(stderr, "timone describe: unknown or incomplete flag \"%s\"\n",
                                argv[optind - 1]);
                        return 2;
                }
        }
        if (optind + 2 != argc) {
                fprintf(stderr, "usage: timone describe KIND NAME [-n NS] [--state DIR]\n");
                return 2;
        }
        const res_kind_info *info = res_kind_lookup(argv[optind]);
        const char *name = argv[optind + 1];
        if (!info) {
                fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n",
                        argv[optind]);
                return 2;
        }
        tm_error err = {0};
        _cleanup_(eng_podstore_closep) eng_podstore *ps = NULL;
        if (eng_podstore_open(&ps, state, false, &err) < 0) {
                fprintf(stderr, "timone describe: %s\n", err.msg);
                return 2;
        }
        tm_buf b = TM_BUF_INIT;
        int rc = 0;
        if (!strcmp(info->kind, "Pod")) {
                eng_pod_row *rows = NULL, *row = NULL;
                size_t n = 0;
                rc = find_pod(ps, ns, name, &rows, &n, &row);
                if (rc == 0)
                        describe_pod(&b, ps, row);
                eng_pod_rows_free(rows, n);
        } else {
                eng_store *store = NULL;
                if (eng_store_open(&store, state, false, &err) < 0) {
                        fprintf(stderr, "timone describe: %s\n", err.msg);
                        return 2;
                }
                _cleanup_free_ char *id = xasprintf("%s/%s/%s/%s", info->group, info->kind,
                                                    info->namespaced ? ns : "", name);
                char *json = NULL;
                size_t len = 0;
                res_value *v = NULL;
                if (eng_store_load_json(store, id, &json, &len, &err) < 0 ||
                    eng_value_from_json(json, len, &v, &err) < 0) {
                        fprintf(stderr, "Error from server (NotFound): %s%s%s \"%s\" not found\n",
                                info->plural, *info->group ? "." : "", info->group, name);
                        rc = 1;
                } else {
                        eng_value_mask(v, NULL, false);
                        const res_value *meta = res_map_get(v, "metadata");
                        tm_buf_printf(&b, "Name:         %s\n", name);
                        if (info->namespaced)
                                tm_buf_printf(&b, "Namespace:    %s\n", ns);
                        print_map(&b, "Labels:", res_map_get(meta, "labels"));
                        print_map(&b, "Annotations:", res_map_get(meta, "annotations"));
                        res_map_del(v, "metadata");
                        res_map_del(v, "apiVersion");
                        res_map_del(v, "kind");
                        res_emit_yaml(v, &b, 0);
                        print_events(&b, ps, ns, name, NULL);
                }
                if (json)
                        explicit_bzero(json, len);
                free(json);
                res_value_free(v);
                eng_store_close(store);
        }
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
        tm_buf_free(&b);
        return rc;
}

/* --- exec --- */

int
eng_cli_exec(int argc, char **argv)
{
        const char *ns = "default", *cname = NULL, *state = ENG_STATE_DIR_DEFAULT;
        bool tty = false, stdin_open = false;
        const char *pod = NULL;
        int i = 1;
        for (; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--")) {
                        i++;
                        break;
                }
                if (a[0] != '-' && !pod) {
                        pod = a;
                        continue;
                }
                if ((!strcmp(a, "-n") || !strcmp(a, "--namespace")) && i + 1 < argc)
                        ns = argv[++i];
                else if ((!strcmp(a, "-c") || !strcmp(a, "--container")) && i + 1 < argc)
                        cname = argv[++i];
                else if (!strcmp(a, "--state") && i + 1 < argc)
                        state = argv[++i];
                else if (!strcmp(a, "-t") || !strcmp(a, "--tty"))
                        tty = true;
                else if (!strcmp(a, "-i") || !strcmp(a, "--stdin"))
                        stdin_open = true;
                else if (!strcmp(a, "-it") || !strcmp(a, "-ti"))
                        tty = stdin_open = true;
                else {
                        fprintf(stderr, "timone exec: unknown flag \"%s\"\n", a);
                        return 2;
                }
        }
        /* POD [flags] -- CMD... */
        if (!pod) {
                fprintf(stderr, "usage: timone exec POD [-c CONTAINER] [-n NS] [-it] -- COMMAND "
                                "[ARGS...]\n");
                return 2;
        }
        if (i >= argc) {
                fprintf(stderr, "timone exec: a command is required after --\n");
                return 2;
        }
        _cleanup_(eng_podstore_closep) eng_podstore *ps = NULL;
        eng_pod_row *rows = NULL, *row = NULL;
        size_t n = 0;
        int rc = open_pod("exec", state, ns, pod, &ps, &rows, &n, &row);
        if (rc)
                return rc;
        const res_value *cs = res_get(row->pod.obj, "spec", "containers", NULL);
        if (!cname)
                cname = cs && cs->n ? res_get_str(cs->u.items[0], "name", "") : "";
        _cleanup_free_ char *id = xasprintf("tm-%s-%s", row->pod.uid, cname);
        _cleanup_free_ char *root = xasprintf("%s/runtime", state);
        /* The command runs as the container's own user (runAsUser,
         * runAsGroup or the image's USER), never as the runtime's root. */
        exe_container_user user;
        tm_error err = {0};
        int have_user = exe_container_user_get(state, row->pod.uid, cname, &user, &err);
        eng_pod_rows_free(rows, n);
        /* The runtime that holds the container's state answers `state`. */
        const char *runtimes[] = {"crun", "runc"};
        const char *rt = NULL;
        for (int k = 0; k < 2 && !rt; k++) {
                pid_t pid = fork();
                if (pid == 0) {
                        int nul = open("/dev/null", O_RDWR);
                        dup2(nul, 1);
                        dup2(nul, 2);
                        execlp(runtimes[k], runtimes[k], "--root", root, "state", id, (char *)NULL);
                        _exit(127);
                }
                int st = 0;
                if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0)
                        rt = runtimes[k];
        }
        if (!rt || have_user < 0) {
                fprintf(stderr,
                        "error: unable to upgrade connection: container %s not found in "
                        "pod %s\n",
                        cname, pod);
                return 1;
        }
        size_t nargs = (size_t)(argc - i);
        const char **av = xcalloc(nargs + 12, sizeof(*av));
        char *owned[4];
        size_t k = 0, n_owned = 0;
        av[k++] = rt;
        av[k++] = "--root";
        av[k++] = root;
        av[k++] = "exec";
        exe_container_user_args(&user, !strcmp(rt, "runc"), av, &k, owned, &n_owned);
        if (tty)
                av[k++] = "--tty";
        av[k++] = id;
        for (int j = i; j < argc; j++)
                av[k++] = argv[j];
        av[k] = NULL;
        if (!stdin_open) {
                int nul = open("/dev/null", O_RDONLY);
                if (nul >= 0)
                        dup2(nul, 0);
        }
        execvp(rt, (char *const *)av);
        fprintf(stderr, "timone exec: run %s: %s\n", rt, strerror(errno));
        for (size_t j = 0; j < n_owned; j++)
                free(owned[j]);
        free(av);
        return 2;
}
