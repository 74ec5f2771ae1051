/* The `timone` command line: verbs, flags, exit codes. */
#pragma once

/* Runs the command line; returns the process exit status. */
int eng_cli_main(int argc, char **argv);
