/* timone-shim: one per container, libc only, a few pages of memory.
 *
 *   timone-shim -r RUNTIME -R ROOT -b BUNDLE -i ID -l LOGDIR -a ATTEMPT
 *               -m MAXBYTES -n MAXFILES -c MEMCG -f READYFD
 *
 * Becomes a child subreaper, starts the container through the runtime
 * (`run --detach`, i.e. create + start, with pipes as the container's
 * stdout and stderr), tells the starter on READYFD ("ok PID\n" or "err TEXT\n"),
 * copies the output to LOGDIR/ATTEMPT.log in the CRI log format (rotated
 * at MAXBYTES, MAXFILES rotated files kept), reaps the container's init
 * (re-parented here) and writes BUNDLE/status atomically:
 *   state=exited pid= exit_code= signal= oom= started= finished=
 * It runs in its own session, so the daemon can die and come back.
 *
 * Memory: twenty of these run beside twenty containers, so what each one
 * dirties counts. It is linked statically (its text is then shared by all
 * shims), builds its paths once on the heap instead of PATH_MAX arrays on
 * the stack (each such frame dirtied stack pages of its own), and keeps the
 * line buffers apart from the small state, so that a quiet container costs
 * no buffer pages at all. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096 /* longer lines are split into "P" records */
#define DRAIN_AFTER_EXIT_MS 2000

struct opts {
        const char *runtime, *root, *bundle, *id, *logdir, *memcg;
        unsigned long attempt, max_files;
        unsigned long long max_bytes;
        int ready_fd;
};

struct stream {
        int fd;
        const char *name; /* "stdout" / "stderr" */
        size_t len;
        char *buf; /* LINE_MAX_BYTES, touched only when the container writes */
};

struct log {
        int fd;
        unsigned long long size;
        char *path; /* NULL: no log (path too long) */
        const struct opts *o;
};

/* Paths built once from the options. */
struct paths {
        char *pidfile, *status, *status_tmp;
};

/* A new string, or NULL when out of memory. */
__attribute__((format(printf, 1, 2))) static char *
path_new(const char *fmt, ...)
{
        va_list ap;
        char *p;
        va_start(ap, fmt);
        int n = vasprintf(&p, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : p;
}

static void
write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;
                p += w;
                n -= (size_t)w;
        }
}

static int64_t
now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec;
}

static uint64_t
mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads a small file (at most len-1 bytes) into buf; -1 on error. */
static ssize_t
read_small(const char *path, char *buf, size_t len)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        size_t got = 0;
        while (got < len - 1) {
                ssize_t n = read(fd, buf + got, len - 1 - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        close(fd);
        buf[got] = '\0';
        return (ssize_t)got;
}

/* ----- logs ----- */

static void
log_open(struct log *lg)
{
        if (!lg->path) {
                lg->fd = -1;
                return;
        }
        lg->fd = open(lg->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        struct stat st;
        lg->size = lg->fd >= 0 && fstat(lg->fd, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

static void
log_rotate(struct log *lg)
{
        if (lg->fd >= 0)
                close(lg->fd);
        if (lg->o->max_files == 0) {
                unlink(lg->path);
        } else {
                for (unsigned long i = lg->o->max_files; i > 1; i--) {
                        char *from = path_new("%s.%lu", lg->path, i - 1);
                        char *to = path_new("%s.%lu", lg->path, i);
                        if (from && to)
                                (void)rename(from, to);
                        free(from);
                        free(to);
                }
                char *to = path_new("%s.1", lg->path);
                if (to)
                        (void)rename(lg->path, to);
                free(to);
        }
        log_open(lg);
}

/* One CRI record: "<RFC3339Nano> <stream> <F|P> <content>\n". */
static void
log_record(struct log *lg, const char *stream, bool partial, const char *p, size_t n)
{
        struct timespec ts;
        struct tm tm;
        char head[96];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t h = strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S", &tm);
        int k = snprintf(head + h, sizeof(head) - h, ".%09ldZ %s %c ", ts.tv_nsec, stream,
                         partial ? 'P' : 'F');
        if (k < 0)
                return;
        size_t total = h + (size_t)k + n + 1;
        if (lg->size > 0 && lg->size + total > lg->o->max_bytes)
                log_rotate(lg);
        if (lg->fd < 0)
                return;
        struct iovec iov[3] = {{head, h + (size_t)k}, {(void *)p, n}, {(void *)"\n", 1}};
        ssize_t w = writev(lg->fd, iov, 3);
        if (w > 0)
                lg->size += (unsigned long long)w;
}

/* Reads what is available on s; emits complete lines. Returns false at EOF. */
static bool
stream_read(struct stream *s, struct log *lg)
{
        ssize_t n = read(s->fd, s->buf + s->len, LINE_MAX_BYTES - s->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        if (n <= 0) {
                if (s->len > 0)
                        log_record(lg, s->name, false, s->buf, s->len);
                s->len = 0;
                return false;
        }
        s->len += (size_t)n;
        size_t start = 0;
        for (size_t i = 0; i < s->len; i++)
                if (s->buf[i] == '\n') {
                        log_record(lg, s->name, false, s->buf + start, i - start);
                        start = i + 1;
                }
        if (start == 0 && s->len == LINE_MAX_BYTES) {
                log_record(lg, s->name, true, s->buf, s->len);
                s->len = 0;
        } else if (start > 0) {
                memmove(s->buf, s->buf + start, s->len - start);
                s->len -= start;
        }
        return true;
}

/* ----- runtime ----- */

/* Runs the runtime; stdout/stderr to the given fds (-1: /dev/null). errfd
 * gets stderr. Returns the wait status or -1. */
static int
run_runtime(const struct opts *o, const char *const *args, int outfd, int errfd)
{
        const char *argv[16];
        size_t n = 0;
        argv[n++] = o->runtime;
        argv[n++] = "--root";
        argv[n++] = o->root;
        for (size_t i = 0; args[i] && n < 15; i++)
                argv[n++] = args[i];
        argv[n] = NULL;
        pid_t pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                int nul = open("/dev/null", O_RDWR);
                if (nul < 0)
                        _exit(127);
                dup2(nul, 0);
                dup2(outfd >= 0 ? outfd : nul, 1);
                dup2(errfd >= 0 ? errfd : nul, 2);
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                execv(argv[0], (char *const *)argv);
                _exit(127);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -1;
        return st;
}

static void
report(int fd, const char *fmt, ...)
{
        if (fd < 0)
                return;
        char msg[1280]; /* the longest: "err run: " + pipe_text's 1024 bytes */
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        write_all(fd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* Error text from a pipe that the failed runtime wrote to (bounded). */
static void
pipe_text(int fd, char *buf, size_t len)
{
        size_t got = 0;
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        while (got < len - 1) {
                ssize_t n = read(fd, buf + got, len - 1 - got);
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        buf[got] = '\0';
        for (size_t i = 0; i < got; i++)
                if (buf[i] == '\n')
                        buf[i] = ' ';
        while (got > 0 && buf[got - 1] == ' ')
                buf[--got] = '\0';
}

/* oom_kill counter of the memory cgroup (v1 memory.oom_control, v2
 * memory.events); -1 if unknown. */
static long
oom_kills(const char *memcg)
{
        static const char *const files[] = {"memory.events", "memory.oom_control"};
        char buf[1024];
        for (size_t i = 0; i < 2; i++) {
                char *path = path_new("%s/%s", memcg, files[i]);
                ssize_t n = path ? read_small(path, buf, sizeof(buf)) : -1;
                free(path);
                if (n < 0)
                        continue;
                char *p = strstr(buf, "oom_kill ");
                if (p)
                        return strtol(p + 9, NULL, 10);
        }
        return -1;
}

static long
mem_failcnt(const char *memcg)
{
        char buf[64];
        char *path = path_new("%s/memory.failcnt", memcg);
        ssize_t n = path ? read_small(path, buf, sizeof(buf)) : -1;
        free(path);
        return n < 0 ? -1 : strtol(buf, NULL, 10);
}

/* Atomic replace; durable (fsync) only for the final status. */
static int
write_status(const struct paths *pa, const char *text, bool durable)
{
        int fd = open(pa->status_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        write_all(fd, text, strlen(text));
        if (durable)
                fsync(fd);
        close(fd);
        return rename(pa->status_tmp, pa->status);
}

static void
usage(void)
{
        fputs("usage: timone-shim -r RUNTIME -R ROOT -b BUNDLE -i ID -l LOGDIR -a ATTEMPT "
              "-m MAXBYTES -n MAXFILES -c MEMCG -f READYFD\n",
              stderr);
        exit(2);
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
        int c;
        memset(o, 0, sizeof(*o));
        o->ready_fd = -1;
        o->max_bytes = 10ULL << 20;
        o->max_files = 2;
        while ((c = getopt(argc, argv, "r:R:b:i:l:a:m:n:c:f:")) != -1) {
                switch (c) {
                case 'r':
                        o->runtime = optarg;
                        break;
                case 'R':
                        o->root = optarg;
                        break;
                case 'b':
                        o->bundle = optarg;
                        break;
                case 'i':
                        o->id = optarg;
                        break;
                case 'l':
                        o->logdir = optarg;
                        break;
                case 'a':
                        o->attempt = strtoul(optarg, NULL, 10);
                        break;
                case 'm':
                        o->max_bytes = strtoull(optarg, NULL, 10);
                        break;
                case 'n':
                        o->max_files = strtoul(optarg, NULL, 10);
                        break;
                case 'c':
                        o->memcg = optarg;
                        break;
                case 'f':
                        o->ready_fd = atoi(optarg);
                        break;
                default:
                        usage();
                }
        }
        if (!o->runtime || !o->root || !o->bundle || !o->id || !o->logdir || !o->memcg)
                usage();
        if (o->max_bytes < 1024)
                o->max_bytes = 1024;
        if (o->max_files > 100)
                o->max_files = 100;
}

int
main(int argc, char **argv)
{
        struct opts o;
        parse_opts(argc, argv, &o);
        /* Hold no directory of the daemon's busy. */
        if (chdir("/") < 0)
                return 1;
        signal(SIGPIPE, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        /* The daemon may run above its workloads (serve raises its own
         * priority); the runtime and the container do not inherit that. */
        errno = 0;
        int prio = getpriority(PRIO_PROCESS, 0);
        if (errno == 0 && prio < 0)
                (void)setpriority(PRIO_PROCESS, 0, 0);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                report(o.ready_fd, "err cannot become a subreaper: %s\n", strerror(errno));
                return 1;
        }
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, NULL);
        int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

        int out[2], errp[2];
        if (sfd < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                report(o.ready_fd, "err shim setup: %s\n", strerror(errno));
                return 1;
        }
        char text[1024];
        struct paths pa = {
            .pidfile = path_new("%s/pid", o.bundle),
            .status = path_new("%s/status", o.bundle),
            .status_tmp = path_new("%s/.status.tmp", o.bundle),
        };
        if (!pa.pidfile || !pa.status || !pa.status_tmp) {
                report(o.ready_fd, "err shim setup: out of memory\n");
                return 1;
        }
        /* `run --detach` is `create` + `start` in one runtime process (one
         * exec less: ~70 ms with runc); the container's stdio are the pipes. */
        const char *run[] = {"run",        "--detach", "--bundle", o.bundle,
                             "--pid-file", pa.pidfile, o.id,       NULL};
        int st = run_runtime(&o, run, out[1], errp[1]);
        close(out[1]);
        close(errp[1]);
        if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                pipe_text(errp[0], text, sizeof(text));
                const char *del[] = {"delete", "--force", o.id, NULL};
                run_runtime(&o, del, -1, -1);
                report(o.ready_fd, "err run: %s\n", text[0] ? text : "runtime failed");
                return 1;
        }
        char buf[64];
        if (read_small(pa.pidfile, buf, sizeof(buf)) <= 0) {
                report(o.ready_fd, "err run: no pid file\n");
                return 1;
        }
        pid_t cpid = (pid_t)strtol(buf, NULL, 10);
        int64_t started = now_s();
        char status[512];
        snprintf(status, sizeof(status), "state=running\npid=%d\nshim=%d\nstarted=%lld\n", cpid,
                 getpid(), (long long)started);
        write_status(&pa, status, false);
        report(o.ready_fd, "ok %d\n", cpid);
        if (o.ready_fd >= 0)
                close(o.ready_fd);

        static char out_buf[LINE_MAX_BYTES], err_buf[LINE_MAX_BYTES];
        struct stream so = {.fd = out[0], .name = "stdout", .buf = out_buf};
        struct stream se = {.fd = errp[0], .name = "stderr", .buf = err_buf};
        struct log lg = {.o = &o, .path = path_new("%s/%lu.log", o.logdir, o.attempt)};
        log_open(&lg);

        bool exited = false;
        int wst = 0;
        uint64_t deadline = 0;
        while (so.fd >= 0 || se.fd >= 0 || !exited) {
                struct pollfd pfd[3] = {{.fd = so.fd, .events = POLLIN},
                                        {.fd = se.fd, .events = POLLIN},
                                        {.fd = sfd, .events = POLLIN}};
                int timeout = -1;
                if (exited) {
                        uint64_t now = mono_ms();
                        if (now >= deadline)
                                break;
                        timeout = (int)(deadline - now);
                }
                if (poll(pfd, 3, timeout) < 0 && errno != EINTR)
                        break;
                struct stream *ss[2] = {&so, &se};
                for (int i = 0; i < 2; i++)
                        if (ss[i]->fd >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                            !stream_read(ss[i], &lg)) {
                                close(ss[i]->fd);
                                ss[i]->fd = -1;
                        }
                if (pfd[2].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof(si)) == sizeof(si))
                                ;
                        pid_t p;
                        int s;
                        while ((p = waitpid(-1, &s, WNOHANG)) > 0)
                                if (p == cpid && !exited) {
                                        exited = true;
                                        wst = s;
                                        deadline = mono_ms() + DRAIN_AFTER_EXIT_MS;
                                }
                }
        }
        int64_t finished = now_s();
        int code = 255, sig = 0;
        if (WIFEXITED(wst)) {
                code = WEXITSTATUS(wst);
        } else if (WIFSIGNALED(wst)) {
                sig = WTERMSIG(wst);
                code = 128 + sig;
        }
        /* The runtime made the cgroup afresh for this container. */
        long oom_after = oom_kills(o.memcg);
        bool oom = oom_after > 0;
        if (!oom && oom_after < 0 && sig == SIGKILL)
                oom = mem_failcnt(o.memcg) > 0;
        snprintf(status, sizeof(status),
                 "state=exited\npid=%d\nshim=%d\nstarted=%lld\nfinished=%lld\nexit_code=%d\n"
                 "signal=%d\noom=%d\n",
                 cpid, getpid(), (long long)started, (long long)finished, code, sig, oom ? 1 : 0);
        write_status(&pa, status, true);
        if (lg.fd >= 0)
                close(lg.fd);
        return 0;
}
