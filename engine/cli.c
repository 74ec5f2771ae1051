#include "engine/cli.h"

#include <stdio.h>
#include <string.h>

int
eng_cli_main(int argc, char **argv)
{
        if (argc > 1 && strcmp(argv[1], "version") == 0) {
                printf("timone %s\n", TIMONE_VERSION);
                return 0;
        }
        fprintf(stderr, "usage: timone VERB ...\n");
        return 2;
}
