/* `timone image import|ls|rm`: the node's image store from the command line. */
#pragma once

/* argv[0] is "image"; parses the rest itself (--state DIR, --help).
 * Returns the exit status: 0 ok, 1 failure, 2 usage. */
int eng_cli_image(int argc, char **argv);
