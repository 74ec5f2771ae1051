/* OCI runtime config (config.json) for one container of a pod. */
#pragma once

#include "common/error.h"
#include "executors/runtime.h"

/* The default capability set (containerd's), "CAP_" names. */
extern const char *const exe_oci_default_caps[];

/* Builds config.json text for spec (caller frees *out). cgroup_mode is
 * "v1", "v2" or "hybrid" (v2 gets a cgroup namespace). Seccomp: none yet. */
int exe_oci_config(const exe_container_spec *spec, const char *cgroup_mode, char **out,
                   tm_error *err);
/* Normalises a capability name ("net_admin", "NET_ADMIN", "CAP_NET_ADMIN")
 * to "CAP_NET_ADMIN" in buf; -EINVAL when unknown. */
int exe_oci_cap_name(const char *in, char *buf, size_t len, tm_error *err);
