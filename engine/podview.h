/* How kubectl shows a pod: READY, STATUS, RESTARTS, IP from the PodStatus
 * its node reported (k8s.io/kubectl printPod). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "resources/value.h"

typedef struct eng_pod_view {
        unsigned ready, total;
        unsigned restarts;
        char status[64]; /* "Running", "CrashLoopBackOff", "Init:0/1", "Completed", ... */
        char ip[48];     /* "" when none */
} eng_pod_view;

/* status may be NULL (the node has not reported yet). */
void eng_pod_view_make(const res_value *pod, const res_value *status, eng_pod_view *out);
