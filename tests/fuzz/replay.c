/* Replays saved fuzz inputs (every file below the directories given) through
 * LLVMFuzzerTestOneInput, so that the corpus runs as an ordinary test. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_path(const char *path, int *count)
{
        struct stat st;
        if (stat(path, &st) < 0) {
                perror(path);
                return -1;
        }
        if (S_ISDIR(st.st_mode)) {
                DIR *d = opendir(path);
                if (!d)
                        return -1;
                struct dirent *de;
                int r = 0;
                while ((de = readdir(d)) && r == 0) {
                        if (de->d_name[0] == '.')
                                continue;
                        char sub[4096];
                        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
                        r = replay_path(sub, count);
                }
                closedir(d);
                return r;
        }
        FILE *f = fopen(path, "rb");
        if (!f)
                return -1;
        uint8_t *buf = malloc((size_t)st.st_size + 1);
        size_t n = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        (*count)++;
        return 0;
}

int
main(int argc, char **argv)
{
        int count = 0;
        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &count) < 0)
                        return 1;
        if (count == 0) {
                fprintf(stderr, "no saved inputs found\n");
                return 1;
        }
        printf("replayed %d inputs\n", count);
        return 0;
}
