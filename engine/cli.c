/* The verb dispatcher. Each verb parses its own flags (argv[0] is the verb)
 * and returns the process exit status. */
#include "engine/cli.h"
#include "common/log.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*verb_fn)(int argc, char **argv);

/* Verbs live in their own files; a verb whose part is not built in yet is
 * reported as unavailable rather than failing the link. */
int eng_cli_diff(int argc, char **argv) __attribute__((weak));
int eng_cli_apply(int argc, char **argv) __attribute__((weak));
int eng_cli_get(int argc, char **argv) __attribute__((weak));
int eng_cli_describe(int argc, char **argv) __attribute__((weak));
int eng_cli_logs(int argc, char **argv) __attribute__((weak));
int eng_cli_exec(int argc, char **argv) __attribute__((weak));
int eng_cli_serve(int argc, char **argv) __attribute__((weak));
int eng_cli_agent(int argc, char **argv) __attribute__((weak));
int eng_cli_pki(int argc, char **argv) __attribute__((weak));
int eng_cli_token(int argc, char **argv) __attribute__((weak));
int eng_cli_image(int argc, char **argv) __attribute__((weak));
int eng_cli_get_sources(int argc, char **argv) __attribute__((weak));
int eng_cli_diff_review(int argc, char **argv) __attribute__((weak));

struct verb {
        const char *name;
        verb_fn *fn;
        const char *summary;
};

static verb_fn fn_diff, fn_apply, fn_get, fn_describe, fn_logs, fn_exec, fn_serve, fn_agent, fn_pki,
    fn_token, fn_image;

static const struct verb verbs[] = {
    {"diff", &fn_diff, "dry run: what would change, and why (exit 0 none, 1 changes, 2 error)"},
    {"apply", &fn_apply, "one-shot reconcile of SOURCE, then exit"},
    {"get", &fn_get, "list objects (kubectl-like tables, -o wide|yaml|json|name)"},
    {"describe", &fn_describe, "show one object in detail, with events"},
    {"logs", &fn_logs, "print a container's logs"},
    {"exec", &fn_exec, "run a command in a container"},
    {"serve", &fn_serve, "controller daemon; --local also runs this machine as node \"local\""},
    {"agent", &fn_agent, "node daemon: runs what the controller assigns to this node"},
    {"pki", &fn_pki, "cluster certificate authority"},
    {"token", &fn_token, "node enrolment tokens"},
    {"image", &fn_image, "the node's image store: import, ls, rm"},
    {"version", NULL, "print the version"},
};

static void
usage(FILE *out)
{
        fprintf(out, "timone: declarative reconciliation for small fleets of Linux machines\n\n"
                     "usage: timone VERB [FLAGS] [ARGS]\n\nverbs:\n");
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (!verbs[i].fn || *verbs[i].fn) /* verbs this build has */
                        fprintf(out, "  %-9s %s\n", verbs[i].name, verbs[i].summary);
        fprintf(out, "\nRun `timone VERB --help` for a verb's flags. Global: --log-level "
                     "debug|info|warn|error (or TIMONE_LOG_LEVEL).\n");
}

int
eng_cli_main(int argc, char **argv)
{
        fn_diff = eng_cli_diff;
        fn_apply = eng_cli_apply;
        fn_get = eng_cli_get;
        fn_describe = eng_cli_describe;
        fn_logs = eng_cli_logs;
        fn_exec = eng_cli_exec;
        fn_serve = eng_cli_serve;
        fn_agent = eng_cli_agent;
        fn_pki = eng_cli_pki;
        fn_token = eng_cli_token;
        fn_image = eng_cli_image;

        const char *lvl = getenv("TIMONE_LOG_LEVEL");
        int argi = 1;
        while (argi < argc && strncmp(argv[argi], "--log-level", 11) == 0) {
                const char *v = NULL;
                if (argv[argi][11] == '=')
                        v = argv[argi] + 12;
                else if (argv[argi][11] == '\0' && argi + 1 < argc)
                        v = argv[++argi];
                if (!v) {
                        fprintf(stderr, "timone: --log-level needs a value\n");
                        return 2;
                }
                lvl = v;
                argi++;
        }
        if (lvl) {
                int l = tm_log_level_parse(lvl);
                if (l < 0) {
                        fprintf(stderr, "timone: unknown log level \"%s\"\n", lvl);
                        return 2;
                }
                tm_log_set_level((tm_log_level)l);
        }
        if (argi >= argc) {
                usage(stderr);
                return 2;
        }
        const char *verb = argv[argi];
        if (!strcmp(verb, "-h") || !strcmp(verb, "--help") || !strcmp(verb, "help")) {
                usage(stdout);
                return 0;
        }
        if (!strcmp(verb, "version") || !strcmp(verb, "--version")) {
                printf("timone %s\n", TIMONE_VERSION);
                return 0;
        }
        /* `diff REPO --from/--to` plans between two revisions, without state. */
        if (!strcmp(verb, "diff") && eng_cli_diff_review) {
                for (int i = argi + 1; i < argc; i++)
                        if (tm_str_has_prefix(argv[i], "--from") ||
                            tm_str_has_prefix(argv[i], "--to"))
                                return eng_cli_diff_review(argc - argi, argv + argi);
        }
        /* `get sources` is the daemon's view of its sources, not a kind. */
        if (!strcmp(verb, "get") && eng_cli_get_sources) {
                for (int i = argi + 1; i < argc; i++) {
                        const char *a = argv[i];
                        if (!strcmp(a, "--state") || !strcmp(a, "-o") || !strcmp(a, "--output")) {
                                i++;
                                continue;
                        }
                        if (a[0] == '-')
                                continue;
                        if (!strcmp(a, "sources") || !strcmp(a, "source") || !strcmp(a, "src")) {
                                for (int k = i; k + 1 < argc; k++)
                                        argv[k] = argv[k + 1];
                                return eng_cli_get_sources(argc - argi - 1, argv + argi);
                        }
                        break;
                }
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
                if (strcmp(verbs[i].name, verb) != 0 || !verbs[i].fn || !*verbs[i].fn)
                        continue;
                return (*verbs[i].fn)(argc - argi, argv + argi);
        }
        fprintf(stderr, "timone: unknown verb \"%s\"\n\n", verb);
        usage(stderr);
        return 2;
}
