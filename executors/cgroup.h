/* The node's cgroup tree as the runtimes see it: mode detection (v2
 * unified, v1, or hybrid: v1 controllers plus a v2 mount), the hugetlb
 * mount crun 1.8 needs on hybrid trees, and per-container paths under the
 * "timone" parent (cgroupfs driver, valid for v1 and v2). */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* *mode is a static string: "v1", "v2" or "hybrid". */
int exe_cgroup_detect(const char **mode, tm_error *err);
/* On a hybrid tree where hugetlb is not mounted as a v1 hierarchy, mounts
 * it at /sys/fs/cgroup/hugetlb (crun 1.8 insists). Idempotent; logs what
 * it did. *mounted tells whether it mounted. */
int exe_cgroup_mount_hugetlb(const char *mode, int *mounted, tm_error *err);
/* "/timone/<uid>/<name>": the OCI linux.cgroupsPath (caller frees). */
char *exe_cgroup_path(const char *uid, const char *name);
/* Directory of the container's memory cgroup, where the OOM counters are
 * (memory.oom_control on v1, memory.events on v2). Caller frees. */
char *exe_cgroup_memory_dir(const char *mode, const char *uid, const char *name);
/* Whether the kernel accounts swap in the memory controller (v1
 * memory.memsw.*, v2 memory.swap.max); Raspberry Pi kernels often do not. */
bool exe_cgroup_swap_available(const char *mode);
/* Removes the pod's (empty) parent cgroups in every hierarchy; best effort. */
void exe_cgroup_remove_pod(const char *uid);
