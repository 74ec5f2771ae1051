/* NodeDesired, the controller's message as the agent reads it
 * (executors/agent.c: parse_message, take_message, pod validation). The
 * validation is static in agent.c, so the target drives the public path:
 * a fresh agent per input (state on tmpfs, a real runtime handle that is
 * never asked to run anything), exe_agent_set_desired, then a restart.
 * Checks: a refused message says why and leaves nothing on disk; an
 * accepted one is persisted without secret data and loads again when the
 * agent restarts. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "executors/agent.h"
#include "executors/runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static exe_runtime *rt;
static char base[64], state[96], desired[128];

static void
cleanup(void)
{
        exe_runtime_close(rt);
        tm_rm_rf(base, NULL);
}

static void
init(void)
{
        snprintf(base, sizeof(base), "/dev/shm/timone-fz-nodedesired.XXXXXX");
        if (!mkdtemp(base))
                abort();
        char rtdir[96];
        snprintf(rtdir, sizeof(rtdir), "%s/rt", base);
        snprintf(state, sizeof(state), "%s/s", base);
        snprintf(desired, sizeof(desired), "%s/agent/desired.json", state);
        /* runc: crun would mount the hugetlb hierarchy first. */
        exe_runtime_options ro = {.runtime = "runc", .state_dir = rtdir, .shim_path = "/bin/true"};
        tm_error err = {0};
        if (exe_runtime_open(&rt, &ro, &err) < 0) {
                ro.runtime = NULL;
                if (exe_runtime_open(&rt, &ro, &err) < 0) {
                        fprintf(stderr, "runtime: %s\n", err.msg);
                        abort();
                }
        }
        atexit(cleanup);
}

static exe_agent *
agent_open(void)
{
        exe_agent_options o = {.state_dir = state, .node_name = "local", .runtime = rt};
        exe_agent *a = NULL;
        tm_error err = {0};
        if (exe_agent_open(&a, &o, &err) < 0) {
                fprintf(stderr, "agent open: %s\n", err.msg);
                return NULL;
        }
        return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!rt)
                init();
        tm_rm_rf(state, NULL);
        exe_agent *a = agent_open();
        if (!a)
                abort();
        tm_error err = {0};
        int r = exe_agent_set_desired(a, (const char *)data, size, &err);
        exe_agent_close(a);
        if (getenv("FUZZ_VERBOSE")) /* to see what a seed reaches */
                fprintf(stderr, "set_desired: %d %s\n", r, err.msg);
        if (r < 0) {
                if (!err.msg[0] || access(desired, F_OK) == 0) {
                        fprintf(stderr, "refused (%s) but persisted\n", err.msg);
                        abort();
                }
                return 0;
        }
        json_t *d = json_load_file(desired, 0, NULL);
        json_t *sec = json_object_get(d, "secrets");
        if (!json_is_array(sec) || json_array_size(sec) != 0) {
                fprintf(stderr, "accepted, but desired.json is missing or holds secrets\n");
                abort();
        }
        json_decref(d);
        /* What was accepted must load when the agent restarts. */
        a = agent_open();
        if (!a) {
                fprintf(stderr, "an accepted NodeDesired does not load again\n");
                abort();
        }
        exe_agent_close(a);
        return 0;
}
