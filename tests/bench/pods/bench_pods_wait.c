/* Times "something happens" -> "N marker files appear in DIR", for
 * tests/bench/bench_pods.sh:
 *
 *   bench_pods_wait DIR COUNT TIMEOUT_MS --mv SRC DST
 *   bench_pods_wait DIR COUNT TIMEOUT_MS -- CMD [ARG...]
 *
 * Watches DIR with inotify (IN_CREATE, IN_MOVED_TO), then takes the start
 * time (CLOCK_MONOTONIC) and either renames SRC to DST (a manifest landing
 * in a watched directory) or starts CMD (stdio on /dev/null, not waited
 * for before the markers: `crun run -d` may return after its process has
 * written the marker). Each marker file is written by a container's
 * process, so its creation proves the process runs. Prints on stdout
 *   "<first ms> <last ms> <cmd ms> <start>"
 * (cmd ms: CMD's own wall time, 0 with --mv; start: the start time as
 * CLOCK_REALTIME milliseconds, to find it in a daemon's log) and exits 0; exits 1 when
 * COUNT markers did not appear within TIMEOUT_MS or CMD failed, 2 on
 * usage errors. DIR must not hold any file at the start. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT 1000

static uint64_t
now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int
dir_entries(const char *dir)
{
        DIR *d = opendir(dir);
        if (!d)
                return -1;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static int
usage(void)
{
        fprintf(stderr, "usage: bench_pods_wait DIR COUNT TIMEOUT_MS --mv SRC DST\n"
                        "       bench_pods_wait DIR COUNT TIMEOUT_MS -- CMD [ARG...]\n");
        return 2;
}

int
main(int argc, char **argv)
{
        if (argc < 6)
                return usage();
        const char *dir = argv[1];
        char *end;
        long count = strtol(argv[2], &end, 10);
        if (*end || count < 1 || count > MAX_COUNT)
                return usage();
        long timeout_ms = strtol(argv[3], &end, 10);
        if (*end || timeout_ms < 1 || timeout_ms > 3600000)
                return usage();
        int mv = strcmp(argv[4], "--mv") == 0;
        if (!mv && strcmp(argv[4], "--") != 0)
                return usage();
        if (mv && argc != 7)
                return usage();

        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0 || inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO) < 0) {
                fprintf(stderr, "bench_pods_wait: watch \"%s\": %s\n", dir, strerror(errno));
                return 1;
        }
        int pre = dir_entries(dir);
        if (pre != 0) {
                fprintf(stderr, "bench_pods_wait: \"%s\" is not empty (%d entries)\n", dir, pre);
                return 1;
        }

        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        uint64_t t0 = now_us(), cmd_us = 0;
        pid_t child = -1;
        if (mv) {
                if (rename(argv[5], argv[6]) < 0) {
                        fprintf(stderr, "bench_pods_wait: rename \"%s\": %s\n", argv[5],
                                strerror(errno));
                        return 1;
                }
        } else {
                child = fork();
                if (child < 0)
                        return 1;
                if (child == 0) {
                        int nul = open("/dev/null", O_RDWR);
                        if (nul >= 0) {
                                dup2(nul, 0);
                                dup2(nul, 1);
                        }
                        execvp(argv[5], argv + 5);
                        fprintf(stderr, "bench_pods_wait: exec \"%s\": %s\n", argv[5],
                                strerror(errno));
                        _exit(127);
                }
        }

        long seen = 0;
        uint64_t first = 0, last = 0;
        int child_status = 0;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        while (seen < count || child > 0) {
                if (child > 0) {
                        pid_t r = waitpid(child, &child_status, WNOHANG);
                        if (r == child) {
                                cmd_us = now_us() - t0;
                                child = -1;
                                if (!WIFEXITED(child_status) || WEXITSTATUS(child_status) != 0) {
                                        fprintf(stderr,
                                                "bench_pods_wait: \"%s\" failed (status %d)\n",
                                                argv[5], child_status);
                                        return 1;
                                }
                                continue;
                        }
                }
                uint64_t el = (now_us() - t0) / 1000u;
                if (el >= (uint64_t)timeout_ms) {
                        fprintf(stderr, "bench_pods_wait: %ld of %ld markers after %ld ms%s\n",
                                seen, count, timeout_ms,
                                child > 0 ? " (command still running)" : "");
                        if (child > 0)
                                kill(child, SIGKILL), waitpid(child, NULL, 0);
                        return 1;
                }
                /* While CMD runs, wake up every 5 ms to reap it; else sleep on inotify. */
                long wait_ms = (long)((uint64_t)timeout_ms - el);
                if (child > 0 && wait_ms > 5)
                        wait_ms = 5;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int pr = seen < count ? poll(&p, 1, (int)wait_ms) : poll(NULL, 0, (int)wait_ms);
                if (pr < 0 && errno != EINTR)
                        return 1;
                if (pr <= 0 || seen >= count)
                        continue;
                uint64_t t = now_us() - t0;
                ssize_t len;
                while ((len = read(fd, buf, sizeof buf)) > 0) {
                        for (char *q = buf; q < buf + len;) {
                                const struct inotify_event *ev = (const struct inotify_event *)q;
                                if (ev->len > 0 && seen < count) {
                                        if (seen == 0)
                                                first = t;
                                        last = t;
                                        seen++;
                                }
                                q += sizeof *ev + ev->len;
                        }
                }
        }
        printf("%.1f %.1f %.1f %llu\n", (double)first / 1000.0, (double)last / 1000.0,
               (double)cmd_us / 1000.0,
               (unsigned long long)wall.tv_sec * 1000u +
                   (unsigned long long)wall.tv_nsec / 1000000u);
        return 0;
}
