#include "engine/cli_core.h"

#include <stdio.h>

int
eng_cli_diff(int argc, char **argv)
{
        fprintf(stderr, "timone diff: not implemented yet\n");
        return 2;
}

int
eng_cli_apply(int argc, char **argv)
{
        fprintf(stderr, "timone apply: not implemented yet\n");
        return 2;
}

int
eng_cli_get(int argc, char **argv)
{
        fprintf(stderr, "timone get: not implemented yet\n");
        return 2;
}
