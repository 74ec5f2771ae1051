/* Runs a command and reports its wall time and peak memory:
 *   bench_run CMD [ARG...]   prints "<wall ms> <cpu ms> <peak RSS KiB> <exit status>"
 * on stderr; the command's own output goes to /dev/null. CPU time (user +
 * system) is the steadier figure on a shared machine. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: bench_run CMD [ARG...]\n");
                return 2;
        }
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pid_t pid = fork();
        if (pid < 0)
                return 2;
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execvp(argv[1], argv + 1);
                _exit(127);
        }
        int st = 0;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) < 0)
                return 2;
        clock_gettime(CLOCK_MONOTONIC, &b);
        double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        fprintf(stderr, "%.1f %.1f %ld %d\n", ms, cpu, ru.ru_maxrss,
                WIFEXITED(st) ? WEXITSTATUS(st) : 128);
        return 0;
}
