/* timone: a thin main over the engine's command-line entry points. */
#include "engine/cli.h"

int
main(int argc, char **argv)
{
        return eng_cli_main(argc, argv);
}
