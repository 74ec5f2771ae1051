/* Command-line entry points of the core verbs: diff, apply, get.
 * argv[0] is the verb; each parses its own flags (getopt_long), among them
 * --state DIR (default /var/lib/timone) and -h/--help. Each returns the
 * process exit status:
 *   diff   0 no changes, 1 changes, 2 invalid input or error
 *   apply  0 applied (also when there was nothing to do), 2 invalid input or error
 *   get    0 found, 1 an object named was not found, 2 usage or error */
#pragma once

#define ENG_STATE_DIR_DEFAULT "/var/lib/timone"

int eng_cli_diff(int argc, char **argv);
int eng_cli_apply(int argc, char **argv);
int eng_cli_get(int argc, char **argv);
